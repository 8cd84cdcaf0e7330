// The dashboard on the map: grids filled by their traffic light for one indicator (or the worst
// over all of them), with a legend counting each light; a click on a grid shows its cells and
// leads to the analysis or a work order.
import { Box, Button, Group, Loader, Paper, Select, Stack, Text } from '@mantine/core'
import { useCallback, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Light } from '../../../../shared/kpi'
import { useCall } from '../../api/useCall'
import { CountyMap } from '../../map/CountyMap'
import { ErrorAlert } from '../../shell/errors'
import type { AlertTarget } from './IndicatorsPage'
import { LightBadge, lightColor, pct, useIndicatorName } from './LightBadge'

const WORST = '__worst__'

export function KpiMap({
  region,
  period,
  onAnalyse,
  onCreateWorkOrder,
}: {
  region: string
  period: string
  onAnalyse: (grid: string, indicator: string | undefined) => void
  onCreateWorkOrder: (alert: AlertTarget) => void
}) {
  const { t } = useTranslation()
  const nameOf = useIndicatorName()
  const overview = useCall('map.overview', {})
  const dashboard = useCall('dashboard.get', { region, period })
  const [indicator, setIndicator] = useState<string>(WORST)
  const [selected, setSelected] = useState<string | undefined>()
  const [ready, setReady] = useState(false)
  const markReady = useCallback(() => setReady(true), [])
  const d = dashboard.value

  const lightOf = useMemo(() => {
    const map = new Map<string, Light>()
    for (const row of d?.rows ?? []) if (row.level === 'grid') map.set(row.code, indicator === WORST ? row.worst : (row.cells[indicator]?.light ?? 'none'))
    return map
  }, [d, indicator])
  const fill = useMemo(() => Object.fromEntries([...lightOf].map(([code, light]) => [code, lightColor[light]])), [lightOf])
  const counts = useMemo(() => {
    const c: Record<Light, number> = { green: 0, yellow: 0, red: 0, none: 0 }
    for (const light of lightOf.values()) c[light] += 1
    return c
  }, [lightOf])
  const gridCodeById = useMemo(() => new Map(overview.value?.grids.features.map((f) => [f.properties.id, f.properties.code]) ?? []), [overview.value])
  const selectedRow = d?.rows.find((r) => r.code === (selected ? gridCodeById.get(selected) : undefined))
  const chosen = d?.indicators.find((i) => i.code === indicator)
  const worstOfRow = selectedRow
    ? indicator !== WORST
      ? indicator
      : d?.indicators
          .map((i) => i.code)
          .filter((c) => selectedRow.cells[c]?.light === selectedRow.worst)
          .sort((a, b) => (selectedRow.cells[a]!.gapPp ?? 0) - (selectedRow.cells[b]!.gapPp ?? 0))[0]
    : undefined

  return (
    <Box
      data-testid="kpi-map"
      data-map-ready={ready && d ? 'true' : 'false'}
      style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', gap: 'var(--mantine-spacing-xs)' }}
    >
      <Group gap="sm" align="flex-end">
        <Select
          w={260}
          label={t('indicators.map.indicator')}
          data={[{ value: WORST, label: t('indicators.map.worst') }, ...(d?.indicators ?? []).map((i) => ({ value: i.code, label: nameOf(i) }))]}
          value={indicator}
          onChange={(v) => v && setIndicator(v)}
          allowDeselect={false}
          data-testid="map-indicator"
        />
        {dashboard.loading && <Loader size="xs" />}
      </Group>
      {(overview.error ?? dashboard.error) !== undefined && (
        <ErrorAlert
          error={overview.error ?? dashboard.error}
          onRetry={() => {
            overview.reload()
            dashboard.reload()
          }}
        />
      )}
      <Box
        pos="relative"
        style={{ flex: 1, minHeight: 0, borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden', border: '1px solid var(--mantine-color-gray-3)' }}
      >
        {overview.value && d && (
          <CountyMap overview={overview.value} selectedGridId={selected} onSelectGrid={setSelected} onReady={markReady} fillByGridCode={fill} />
        )}
        {d && (
          <Paper className="map-overlay" pos="absolute" bottom={10} left={10} px="sm" py={6} shadow="sm" radius="sm" withBorder data-testid="map-legend">
            <Text size="sm" fw={600} mb={4}>
              {t('indicators.map.legend', { indicator: chosen ? nameOf(chosen) : t('indicators.map.worst'), period: d.period, progress: pct(d.timeProgress) })}
            </Text>
            <Stack gap={3}>
              {(['red', 'yellow', 'green', 'none'] as const).map((light) => (
                <Group key={light} gap={6} wrap="nowrap">
                  <Box w={18} h={12} style={{ background: lightColor[light], opacity: 0.75, borderRadius: 2 }} />
                  <Text size="sm">
                    {t(`indicators.light.${light}`)} · {t('indicators.map.count', { count: counts[light] })}
                  </Text>
                </Group>
              ))}
            </Stack>
          </Paper>
        )}
        {selectedRow && d && (
          <Paper pos="absolute" top={10} right={10} p="sm" shadow="md" radius="md" withBorder w={300} style={{ zIndex: 1000 }} data-testid="map-grid-panel">
            <Group justify="space-between" mb={4}>
              <Text fw={600}>{selectedRow.name}</Text>
              <LightBadge light={indicator === WORST ? selectedRow.worst : (selectedRow.cells[indicator]?.light ?? 'none')} />
            </Group>
            <Stack gap={2} mb="xs">
              {d.indicators.map((i) => (
                <Group key={i.code} justify="space-between" wrap="nowrap" gap={6}>
                  <Text size="sm" truncate>
                    {nameOf(i)}
                  </Text>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm">{pct(selectedRow.cells[i.code]?.completion)}</Text>
                    <LightBadge light={selectedRow.cells[i.code]?.light ?? 'none'} size="xs" />
                  </Group>
                </Group>
              ))}
            </Stack>
            <Group gap="xs">
              <Button size="xs" variant="light" onClick={() => onAnalyse(selectedRow.code, worstOfRow)}>
                {t('indicators.actions.analyse')}
              </Button>
              {worstOfRow && selectedRow.cells[worstOfRow]?.light === 'red' && (
                <Button size="xs" color="red" variant="light" onClick={() => onCreateWorkOrder({ row: selectedRow, indicatorCode: worstOfRow })}>
                  {t('indicators.actions.createWo')}
                </Button>
              )}
            </Group>
          </Paper>
        )}
      </Box>
    </Box>
  )
}
