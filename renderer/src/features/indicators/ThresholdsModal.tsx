// Traffic-light thresholds per indicator (indicators.setThresholds): the gap in percentage points
// below which a cell turns yellow and red, shown with the indicator's direction.
import { Button, Group, Modal, NumberInput, Stack, Table, Text } from '@mantine/core'
import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { IndicatorRow } from '../../../../shared/api/indicators'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert, errorMessage } from '../../shell/errors'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedGuard } from '../../shell/unsaved'
import { AppError } from '../../../../shared/errors'
import { useIndicatorName, useIndicatorUnit } from './LightBadge'

function ThresholdRow({ indicator, onSaved, onDirty }: { indicator: IndicatorRow; onSaved: () => void; onDirty: (code: string, dirty: boolean) => void }) {
  const { t } = useTranslation()
  const unitOf = useIndicatorUnit()
  const nameOf = useIndicatorName()
  const [yellow, setYellow] = useState<number | string>(indicator.yellowBelowPp)
  const [red, setRed] = useState<number | string>(indicator.redBelowPp)
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  // What is stored: typed values that differ from it are unsaved.
  const [stored, setStored] = useState({ yellow: indicator.yellowBelowPp, red: indicator.redBelowPp })
  const dirty = yellow !== stored.yellow || red !== stored.red
  useEffect(() => onDirty(indicator.code, dirty), [onDirty, indicator.code, dirty])
  const local =
    typeof yellow !== 'number' || typeof red !== 'number'
      ? t('indicators.wo.required')
      : yellow > 0 || red > 0 || yellow < -100 || red < -100
        ? t('indicators.thresholds.hint')
        : red > yellow
          ? t('indicators.thresholds.hint')
          : null
  const fieldError = (field: 'yellowBelowPp' | 'redBelowPp') =>
    error instanceof AppError && error.issues?.some((i) => i.path[0] === field) ? errorMessage(t, error) : undefined

  async function save() {
    if (local || typeof yellow !== 'number' || typeof red !== 'number') return
    setError(null)
    setSaved(false)
    try {
      await call('indicators.setThresholds', { code: indicator.code, yellowBelowPp: yellow, redBelowPp: red })
      setSaved(true)
      setStored({ yellow, red })
      toastSaved(t('indicators.thresholds.saved', { name: nameOf(indicator) }))
      onSaved()
    } catch (e) {
      setError(e)
    }
  }
  return (
    <Table.Tr data-threshold={indicator.code}>
      <Table.Td>
        <Text size="sm">{nameOf(indicator)}</Text>
        <Text size="xs" c="dimmed">
          {t(`indicators.direction.${indicator.direction}`)} · {unitOf(indicator.unit)}
        </Text>
      </Table.Td>
      <Table.Td>
        <NumberInput
          size="xs"
          w={110}
          max={0}
          min={-100}
          value={yellow}
          onChange={setYellow}
          error={fieldError('yellowBelowPp')}
          aria-label={t('indicators.thresholds.yellow')}
        />
      </Table.Td>
      <Table.Td>
        <NumberInput
          size="xs"
          w={110}
          max={0}
          min={-100}
          value={red}
          onChange={setRed}
          error={
            fieldError('redBelowPp') ??
            (red !== '' && typeof red === 'number' && typeof yellow === 'number' && red > yellow ? t('indicators.thresholds.hint') : undefined)
          }
          aria-label={t('indicators.thresholds.red')}
        />
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Button size="compact-sm" onClick={() => void save()} disabled={local !== null}>
            {t('indicators.thresholds.save')}
          </Button>
          {saved && (
            <Text size="xs" c="green.8">
              ✓
            </Text>
          )}
        </Group>
        {error !== null && !fieldError('yellowBelowPp') && !fieldError('redBelowPp') && <ErrorAlert error={error} />}
      </Table.Td>
    </Table.Tr>
  )
}

export function ThresholdsModal({ opened, onClose, onSaved }: { opened: boolean; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation()
  const indicators = useCall('indicators.list', opened ? {} : null)
  const [dirtyRows, setDirtyRows] = useState<ReadonlySet<string>>(new Set())
  const onDirty = useCallback(
    (code: string, dirty: boolean) =>
      setDirtyRows((rows) => {
        if (rows.has(code) === dirty) return rows
        const next = new Set(rows)
        if (dirty) next.add(code)
        else next.delete(code)
        return next
      }),
    [],
  )
  const { dialog, guard } = useUnsavedGuard('thresholds', opened && dirtyRows.size > 0)
  return (
    <>
      {dialog}
      <Modal
        opened={opened}
        onClose={() =>
          guard(() => {
            setDirtyRows(new Set())
            onClose()
          })
        }
        title={t('indicators.thresholds.title')}
        size="xl"
        data-testid="thresholds-modal"
      >
        <Stack gap="xs">
          <Text size="sm" c="dimmed">
            {t('indicators.thresholds.hint')}
          </Text>
          {indicators.error !== undefined && <ErrorAlert error={indicators.error} onRetry={indicators.reload} />}
          <Table verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('indicators.record.indicator')}</Table.Th>
                <Table.Th>{t('indicators.thresholds.yellow')}</Table.Th>
                <Table.Th>{t('indicators.thresholds.red')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {indicators.value?.map((i) => (
                <ThresholdRow key={i.code} indicator={i} onSaved={onSaved} onDirty={onDirty} />
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      </Modal>
    </>
  )
}
