// Target decomposition: a parent's target split among its children by households, last year's
// share or equally (targets.split with dryRun to preview), adjusted by hand, the sum checked live
// and again by the core before anything is stored.
import { Alert, Button, Group, NumberInput, Paper, ScrollArea, Select, SegmentedControl, Stack, Table, Text } from '@mantine/core'
import { useState } from 'react'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedChanges } from '../../shell/unsaved'
import { useTranslation } from 'react-i18next'
import { sameTotal } from '../../../../shared/analysis'
import type { OrgUnitRow } from '../../../../shared/api/contract'
import { splitMethods, type SplitMethod, type TargetSplit } from '../../../../shared/api/indicators'
import { AppError } from '../../../../shared/errors'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { useIndicatorLabel } from './LightBadge'

export function TargetSplitEditor({ region, period, units, onSaved }: { region: string; period: string; units: OrgUnitRow[]; onSaved: () => void }) {
  const { t } = useTranslation()
  const labelOf = useIndicatorLabel()
  const indicators = useCall('indicators.list', {})
  const [indicator, setIndicator] = useState<string | null>(null)
  const [parent, setParent] = useState<string | null>(region)
  const [parentValue, setParentValue] = useState<number | string>('')
  const [method, setMethod] = useState<SplitMethod>('households')
  const [split, setSplit] = useState<TargetSplit | null>(null)
  const [values, setValues] = useState<Record<string, number | string>>({})
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  // A split previewed or a total typed and not stored yet: leaving the page asks.
  useUnsavedChanges('target-split', saved === null && (split !== null || parentValue !== ''))
  const indicatorCode = indicator ?? indicators.value?.[0]?.code ?? null
  // The parent's current target (stored, or the sum of its children's) as the default to split.
  const current = useCall('dashboard.get', parent && indicatorCode ? { region: parent, period, indicatorCodes: [indicatorCode] } : null)
  const currentTarget = indicatorCode ? (current.value?.rows[0]?.cells[indicatorCode]?.target ?? null) : null
  const parents = units.filter((u) => units.some((c) => c.parentId === u.id && c.level !== 'microgrid'))

  const total = typeof parentValue === 'number' ? parentValue : (split?.parent.target ?? currentTarget ?? 0)
  const sum = split ? Math.round(split.children.reduce((a, c) => a + (typeof values[c.code] === 'number' ? (values[c.code] as number) : 0), 0) * 1e6) / 1e6 : 0
  const balanced = split !== null && sameTotal(sum, total)
  // The core's sum check comes back with the figures: say it in the user's language.
  const mismatch =
    error instanceof AppError && typeof error.details?.difference === 'number'
      ? (error.details as { sum: number; parentTarget: number; difference: number })
      : null

  async function run(dryRun: boolean) {
    if (!indicatorCode || !parent) return
    setBusy(true)
    setError(null)
    setSaved(null)
    const adjusted = split
      ? Object.fromEntries(
          split.children.filter((c) => typeof values[c.code] === 'number' && values[c.code] !== c.proposed).map((c) => [c.code, values[c.code] as number]),
        )
      : undefined
    try {
      const result = await call('targets.split', {
        indicatorCode,
        parentCode: parent,
        period,
        method,
        parentValue: typeof parentValue === 'number' ? parentValue : (currentTarget ?? undefined),
        values: adjusted && Object.keys(adjusted).length ? adjusted : undefined,
        dryRun,
      })
      setSplit(result)
      setValues(Object.fromEntries(result.children.map((c) => [c.code, c.value])))
      if (!dryRun) {
        setSaved(result.children.length)
        toastSaved(t('indicators.split.saved', { count: result.children.length }))
        onSaved()
      }
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  const reset = (keep = false) => {
    setSplit(null)
    setSaved(null)
    if (!keep) setError(null)
  }

  return (
    <Stack gap="sm" h="100%" style={{ minHeight: 0 }} data-testid="target-split">
      <Group align="flex-end" gap="sm">
        <Select
          w={190}
          label={t('indicators.split.indicator')}
          data={(indicators.value ?? []).map((i) => ({ value: i.code, label: labelOf(i) }))}
          value={indicatorCode}
          onChange={(v) => {
            setIndicator(v)
            reset()
          }}
          allowDeselect={false}
        />
        <Select
          w={230}
          label={t('indicators.split.parent')}
          data={parents.map((u) => ({ value: u.code, label: `${t(`indicators.level.${u.level}`)} ${u.name}` }))}
          value={parent}
          onChange={(v) => {
            setParent(v)
            reset()
          }}
          allowDeselect={false}
          data-testid="split-parent"
        />
        <NumberInput
          w={200}
          label={t('indicators.split.parentValue')}
          placeholder={currentTarget === null ? '' : String(currentTarget)}
          value={parentValue}
          onChange={(v) => {
            setParentValue(v)
            reset()
          }}
          min={0}
          data-testid="split-parent-value"
        />
        <Stack gap={2}>
          <Text size="sm" fw={500}>
            {t('indicators.split.method')}
          </Text>
          <SegmentedControl
            value={method}
            onChange={(v) => {
              setMethod(v as SplitMethod)
              reset()
            }}
            data={splitMethods.map((m) => ({ value: m, label: t(`indicators.split.methods.${m}`) }))}
          />
        </Stack>
        <Button variant="default" onClick={() => void run(true)} loading={busy} disabled={!indicatorCode || !parent} data-testid="split-preview">
          {t('indicators.split.preview')}
        </Button>
        <Button onClick={() => void run(false)} loading={busy} disabled={!balanced} data-testid="split-save">
          {t('indicators.split.save')}
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        {t('indicators.split.hint')}
      </Text>
      {error !== null &&
        (mismatch ? (
          <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>
            {t('indicators.split.sum', { sum: mismatch.sum, target: mismatch.parentTarget })} · {t('indicators.split.diff', { diff: mismatch.difference })}
          </Alert>
        ) : (
          <ErrorAlert error={error} onClose={() => setError(null)} />
        ))}
      {saved !== null && <Alert color="green">{t('indicators.split.saved', { count: saved })}</Alert>}
      {split && (
        <Paper withBorder p="sm" radius="md" style={{ minHeight: 0, flex: 1, display: 'flex', flexDirection: 'column' }}>
          <Group justify="space-between" mb="xs">
            <Text fw={600} data-testid="split-sum" c={balanced ? 'green.8' : 'red.7'}>
              {t('indicators.split.sum', { sum, target: total })} ·{' '}
              {balanced ? t('indicators.split.ok') : t('indicators.split.diff', { diff: Math.round((sum - total) * 100) / 100 })}
            </Text>
            <Button size="compact-sm" variant="subtle" onClick={() => setValues(Object.fromEntries(split.children.map((c) => [c.code, c.proposed])))}>
              {t('indicators.split.reset')}
            </Button>
          </Group>
          <ScrollArea style={{ flex: 1 }}>
            <Table verticalSpacing={3} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('indicators.split.child')}</Table.Th>
                  <Table.Th ta="right">{t('indicators.split.weight')}</Table.Th>
                  <Table.Th ta="right">{t('indicators.split.proposed')}</Table.Th>
                  <Table.Th>{t('indicators.split.value')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {split.children.map((c) => (
                  <Table.Tr key={c.code} data-child={c.code}>
                    <Table.Td>{c.name}</Table.Td>
                    <Table.Td ta="right">{c.weight}</Table.Td>
                    <Table.Td ta="right">{c.proposed}</Table.Td>
                    <Table.Td>
                      <NumberInput
                        size="xs"
                        w={140}
                        min={0}
                        value={values[c.code] ?? ''}
                        onChange={(v) => setValues((old) => ({ ...old, [c.code]: v }))}
                        error={values[c.code] === '' ? t('indicators.wo.required') : undefined}
                        aria-label={c.name}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </Paper>
      )}
    </Stack>
  )
}
