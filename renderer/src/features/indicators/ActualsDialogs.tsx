// Actuals in: the billing export (CSV/XLSX read in the browser, sent as base64 to actuals.import;
// one bad row and nothing is stored, every row error listed) and hand entry with its history.
import { dateTimeOf } from '../../../../shared/dates'
import { Alert, Button, Group, Modal, NumberInput, ScrollArea, Select, Stack, Table, Text } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ActualsImportResult, RowError } from '../../../../shared/api/indicators'
import type { OrgUnitRow } from '../../../../shared/api/contract'
import { AppError } from '../../../../shared/errors'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { PERIOD, useIndicatorLabel } from './LightBadge'

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  // String.fromCharCode takes arguments: chunk so a large export does not overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

function rowErrorsOf(error: unknown): { file: string; rowErrors: RowError[]; total: number } | null {
  if (!(error instanceof AppError) || !Array.isArray(error.details?.rowErrors)) return null
  const rowErrors = error.details.rowErrors as RowError[]
  return { file: String(error.details.file ?? ''), rowErrors, total: Number(error.details.totalErrors ?? rowErrors.length) }
}

export function ActualsImportModal({ opened, onClose, onImported }: { opened: boolean; onClose: () => void; onImported: () => void }) {
  const { t } = useTranslation()
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<ActualsImportResult | null>(null)
  const [error, setError] = useState<unknown>(null)
  const problems = rowErrorsOf(error)

  async function run(dryRun: boolean) {
    if (!file) return
    setBusy(true)
    setError(null)
    setResult(null)
    try {
      const imported = await call('actuals.import', { source: { fileName: file.name, base64: await fileToBase64(file) }, dryRun })
      setResult(imported)
      if (!dryRun) onImported()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  const close = () => {
    setFile(null)
    setResult(null)
    setError(null)
    onClose()
  }

  return (
    <Modal opened={opened} onClose={close} title={t('indicators.import.title')} size="xl" data-testid="import-modal">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('indicators.import.hint')}
        </Text>
        <Group gap="sm">
          <input
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            aria-label={t('indicators.import.file')}
            data-testid="actuals-file"
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null)
              setResult(null)
              setError(null)
            }}
          />
          <Button variant="default" onClick={() => void run(true)} disabled={!file} loading={busy}>
            {t('indicators.import.check')}
          </Button>
          <Button onClick={() => void run(false)} disabled={!file} loading={busy} data-testid="actuals-import">
            {t('indicators.import.submit')}
          </Button>
        </Group>
        {result && (
          <Alert color="green" data-testid="import-done">
            {result.dryRun
              ? t('indicators.import.checked', { rows: result.rows })
              : t('indicators.import.done', { stored: result.stored, orgUnits: result.orgUnits, periods: result.periods.join('、') })}
          </Alert>
        )}
        {problems && (
          <Alert
            color="red"
            role="alert"
            data-testid="import-errors"
            title={t('indicators.import.failed', { file: problems.file, count: new Set(problems.rowErrors.map((e) => e.row)).size })}
          >
            <ScrollArea.Autosize mah={300}>
              <Table fz="sm" verticalSpacing={2}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('indicators.import.row')}</Table.Th>
                    <Table.Th>{t('indicators.import.field')}</Table.Th>
                    <Table.Th>{t('indicators.import.problem')}</Table.Th>
                    <Table.Th>{t('indicators.import.value')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {problems.rowErrors.map((e, i) => (
                    <Table.Tr key={i} data-row-error={e.row}>
                      <Table.Td>{e.row}</Table.Td>
                      <Table.Td>{e.field}</Table.Td>
                      <Table.Td>{t(`indicators.importCode.${e.code}`, { defaultValue: e.problem })}</Table.Td>
                      <Table.Td>{e.value ?? ''}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
            {problems.total > problems.rowErrors.length && (
              <Text size="sm">{t('indicators.import.more', { count: problems.total - problems.rowErrors.length })}</Text>
            )}
          </Alert>
        )}
        {error !== null && !problems && <ErrorAlert error={error} />}
      </Stack>
    </Modal>
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

  async function save() {
    if (!ready || typeof value !== 'number') return
    setBusy(true)
    setError(null)
    setDone(false)
    try {
      await call('actuals.record', { indicatorCode: indicator, orgUnitCode: unit, period, value })
      setDone(true)
      history.reload()
      onRecorded()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title={`${t('indicators.record.title')} · ${period}`} size="lg">
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
            onChange={setValue}
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
  )
}
