// Actuals in: the billing export (the table import dialog: an import job, every problem listed by
// row and column, all rows or none) and hand entry with its history.
import { dateTimeOf } from '../../../../shared/dates'
import { Button, Group, Modal, NumberInput, Select, Stack, Table, Text } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { OrgUnitRow } from '../../../../shared/api/contract'
import { call } from '../../api/client'
import { TableImportDialog } from '../imports/TableImportDialog'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedGuard } from '../../shell/unsaved'
import { PERIOD, useIndicatorLabel } from './LightBadge'

export function ActualsImportModal({ opened, onClose, onImported }: { opened: boolean; onClose: () => void; onImported: () => void }) {
  const { t } = useTranslation()
  return (
    <TableImportDialog
      kind="actuals"
      opened={opened}
      onClose={onClose}
      onImported={onImported}
      title={t('indicators.import.title')}
      hint={t('indicators.import.hint')}
      testId="actuals-import"
    />
  )
}

export function ActualRecordModal({
  opened,
  onClose,
  onRecorded,
  units,
  period,
}: {
  opened: boolean
  onClose: () => void
  onRecorded: () => void
  units: OrgUnitRow[]
  period: string
}) {
  const { t } = useTranslation()
  const labelOf = useIndicatorLabel()
  const indicators = useCall('indicators.list', opened ? {} : null)
  const [unit, setUnit] = useState<string | null>(null)
  const [indicator, setIndicator] = useState<string | null>(null)
  const [value, setValue] = useState<number | string>('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState(false)
  const ready = unit && indicator && PERIOD.test(period)
  const history = useCall('actuals.history', opened && ready ? { indicatorCode: indicator, orgUnitCode: unit, period } : null)
  // A value typed and not recorded yet is unsaved; discarding clears it.
  const { dialog, guard } = useUnsavedGuard('actual-record', opened && value !== '' && !done)
  const close = () =>
    guard(() => {
      if (!done) setValue('')
      onClose()
    })

  async function save() {
    if (!ready || typeof value !== 'number') return
    setBusy(true)
    setError(null)
    setDone(false)
    try {
      await call('actuals.record', { indicatorCode: indicator, orgUnitCode: unit, period, value })
      setDone(true)
      toastSaved(t('indicators.record.done'))
      history.reload()
      onRecorded()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      {dialog}
      <Modal opened={opened} onClose={close} title={`${t('indicators.record.title')} · ${period}`} size="lg">
        <Stack gap="sm">
          <Group grow align="flex-start">
            <Select
              label={t('indicators.record.unit')}
              data={units.map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` }))}
              value={unit}
              onChange={setUnit}
              searchable
              data-testid="record-unit"
            />
            <Select
              label={t('indicators.record.indicator')}
              data={(indicators.value ?? []).map((i) => ({ value: i.code, label: labelOf(i) }))}
              value={indicator}
              onChange={setIndicator}
              data-testid="record-indicator"
            />
            <NumberInput
              label={t('indicators.record.value')}
              value={value}
              onChange={(v) => {
                setValue(v)
                setDone(false)
              }}
              error={value === '' && done ? t('indicators.wo.required') : undefined}
              data-testid="record-value"
            />
          </Group>
          <Group>
            <Button onClick={() => void save()} disabled={!ready || typeof value !== 'number'} loading={busy} data-testid="record-save">
              {t('indicators.record.submit')}
            </Button>
            {done && <Text c="green.8">{t('indicators.record.done')}</Text>}
          </Group>
          {error !== null && <ErrorAlert error={error} />}
          {history.value && history.value.length > 0 && (
            <>
              <Text fw={600} size="sm">
                {t('indicators.record.history')}
              </Text>
              <Table fz="sm" verticalSpacing={2}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('indicators.record.asOf')}</Table.Th>
                    <Table.Th ta="right">{t('indicators.record.value')}</Table.Th>
                    <Table.Th>{t('indicators.record.source')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {history.value.map((a) => (
                    <Table.Tr key={a.id}>
                      <Table.Td>{dateTimeOf(a.asOf)}</Table.Td>
                      <Table.Td ta="right">{a.value}</Table.Td>
                      <Table.Td>{a.source}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </Stack>
      </Modal>
    </>
  )
}
