// The map page's controls over the map: layer and indicator of the choropleth with its legend,
// search that flies to a village, grid or key customer (MapSearch), key customers on/off, the basemap, and the grid layout
// warnings (grids.check) with a click to go and look.
import { ActionIcon, Badge, Button, Group, Loader, Paper, ScrollArea, SegmentedControl, Select, Stack, Switch, Text, UnstyledButton } from '@mantine/core'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import type { Basemap, GridCheck, MapMetric } from '../../../../shared/api/map'
import { mapMetrics } from '../../../../shared/api/map'
import { ErrorAlert } from '../../shell/errors'
import { CLUSTER_COLOUR, NO_TIER_COLOUR, RIVAL_COLOURS, TIER_COLOURS } from '../../map/symbols'
import { NO_DATA_COLOUR, type Colouring, type LegendRow, type MapSettings } from './mapLayers'
import { MapSearch, type SearchOption } from './MapSearch'

const percentMetrics: readonly MapMetric[] = ['penetration', 'shareVsTelecom', 'shareVsUnicom', 'shareVsBroadnet', 'completeness']
export const formatMetric = (metric: MapMetric, value: number | null | undefined) =>
  value === null || value === undefined ? '—' : percentMetrics.includes(metric) ? value.toFixed(1) : Math.round(value).toLocaleString('zh-CN')

/** A figure with its unit, in words where a number says less: 今天, 从未拜访. */
export function metricText(t: TFunction, metric: MapMetric, value: number | null | undefined): string {
  if (metric === 'daysSinceVisit') {
    if (value === null || value === undefined) return t('mapWords.neverVisited')
    if (Math.round(value) === 0) return t('mapWords.today')
  }
  if (value === null || value === undefined) return t('mapView.noData')
  const unit = t(`mapView.unit.${metric}`)
  return unit === '%' ? `${formatMetric(metric, value)}%` : `${formatMetric(metric, value)} ${unit}`
}

/** Whole-number indicators: legend classes as non-overlapping integer ranges (0, 1 – 7, 8 – 30…). */
const integerMetrics: readonly MapMetric[] = ['households', 'daysSinceVisit']

export type { SearchOption }

export interface MapPanelProps {
  settings: MapSettings
  onChange: (patch: Partial<MapSettings>) => void
  colouring: Colouring | null
  searchOptions: { grids: SearchOption[]; villages: SearchOption[] }
  onSearch: (value: string) => void
  /** Why the last pick could not be shown (a customer without a place). */
  searchNotice?: string | null
  basemaps: Basemap[]
  onManageBasemaps: () => void
  warningsOpen: boolean
  onToggleWarnings: () => void
  /** Township outlines there are to draw (0: no switch). */
  townships?: number
}

/** How township outlines are drawn: thin, dashed, brown, under the grid outlines. */
export const TOWNSHIP_STYLE = { color: '#6d4c41', weight: 1.2, opacity: 0.9, dashArray: '5 4', fill: false } as const

export function MapPanel({
  settings,
  onChange,
  colouring,
  searchOptions,
  onSearch,
  searchNotice,
  basemaps,
  onManageBasemaps,
  warningsOpen,
  onToggleWarnings,
  townships = 0,
}: MapPanelProps) {
  const { t } = useTranslation()
  return (
    <Paper
      className="map-panel"
      data-testid="map-panel"
      pos="absolute"
      top={10}
      right={10}
      w={260}
      p="xs"
      shadow="sm"
      radius="sm"
      withBorder
      style={{ zIndex: 1000 }}
    >
      <Stack gap={6}>
        <MapSearch grids={searchOptions.grids} villages={searchOptions.villages} onPick={onSearch} notice={searchNotice} />
        <SegmentedControl
          size="xs"
          fullWidth
          data-testid="map-layer"
          value={settings.layer}
          onChange={(layer) => onChange({ layer: layer as MapSettings['layer'] })}
          data={[
            { value: 'grids', label: t('mapView.layerGrids') },
            { value: 'villages', label: t('mapView.layerVillages') },
          ]}
        />
        <Select
          size="xs"
          data-testid="map-metric"
          label={t('mapView.indicator')}
          allowDeselect={false}
          value={settings.metric}
          onChange={(metric) => {
            if (!metric) return
            // bench/map.ts and the recolour measure start here.
            performance.mark('griddesk:recolour-start')
            onChange({ metric: metric as MapMetric })
          }}
          data={mapMetrics.map((m) => ({ value: m, label: t(`mapView.metric.${m}`) }))}
          comboboxProps={{ zIndex: 1100 }}
        />
        <SegmentedControl
          size="xs"
          fullWidth
          value={settings.method}
          onChange={(method) => onChange({ method: method as MapSettings['method'] })}
          data={[
            { value: 'quantile', label: t('mapView.quantile') },
            { value: 'natural', label: t('mapView.natural') },
          ]}
        />
        {colouring && <Legend metric={settings.metric} colouring={colouring} />}
        <Switch
          size="xs"
          data-testid="map-customers"
          label={t('mapView.customers')}
          checked={settings.customers}
          onChange={(e) => onChange({ customers: e.currentTarget.checked })}
        />
        <PointLegend customers={settings.customers} />
        {townships > 0 && (
          <Switch
            size="xs"
            data-testid="map-townships"
            checked={settings.townships}
            onChange={(e) => onChange({ townships: e.currentTarget.checked })}
            title={t('mapView.townshipsHint', { count: townships })}
            label={
              <Group gap={6} wrap="nowrap" data-testid="map-townships-legend">
                <svg width="22" height="8" aria-hidden="true">
                  <line x1="0" y1="4" x2="22" y2="4" stroke={TOWNSHIP_STYLE.color} strokeWidth={1.5} strokeDasharray={TOWNSHIP_STYLE.dashArray} />
                </svg>
                <span>{t('mapView.townships')}</span>
              </Group>
            }
          />
        )}
        <Group gap={4} wrap="nowrap" align="flex-end">
          <Select
            size="xs"
            style={{ flex: 1 }}
            data-testid="map-basemap"
            label={t('mapView.basemap')}
            allowDeselect={false}
            value={settings.basemapId ?? 'none'}
            onChange={(id) => onChange({ basemapId: !id || id === 'none' ? null : id })}
            data={[
              { value: 'none', label: t('mapView.noBasemap') },
              ...basemaps.map((b) => ({ value: b.id, label: b.crs === 'WGS-84' ? b.name : `${b.name}（${b.crs}）` })),
            ]}
            comboboxProps={{ zIndex: 1100 }}
          />
          <Button size="xs" variant="default" onClick={onManageBasemaps} data-testid="manage-basemaps">
            {t('mapView.manage')}
          </Button>
        </Group>
        <Button size="xs" variant={warningsOpen ? 'filled' : 'light'} color="orange" onClick={onToggleWarnings} data-testid="toggle-warnings">
          {t('mapView.checkLayout')}
        </Button>
        <Text size="xs" c="dimmed">
          {t('map.hint')}
        </Text>
      </Stack>
    </Paper>
  )
}

/**
 * The legend's ranges as the classes hold values (each class takes values above the previous
 * break up to its own): for whole numbers, from one past the previous break, so no value appears
 * in two rows ("0" then "1 – 3", never "0" then "0 – 1").
 */
export function legendRanges(metric: MapMetric, rows: LegendRow[]): { row: LegendRow; from: number | null; to: number | null }[] {
  if (!integerMetrics.includes(metric)) return rows.map((row) => ({ row, from: row.from, to: row.to }))
  return rows.map((row, i) => {
    const prev = i > 0 ? rows[i - 1]!.to : null
    const to = row.to === null ? null : Math.floor(row.to)
    const from = prev !== null ? Math.floor(prev) + 1 : row.from === null ? null : Math.ceil(row.from)
    return { row, from: from !== null && to !== null ? Math.min(from, to) : from, to }
  })
}

function Legend({ metric, colouring }: { metric: MapMetric; colouring: Colouring }) {
  const { t } = useTranslation()
  return (
    <Stack gap={2} data-testid="map-legend" aria-label={t('mapView.legend')}>
      <Text size="xs" fw={600}>
        {t(`mapView.metric.${metric}`)}
        {t(`mapView.unit.${metric}`) && <Text span size="xs" c="dimmed">{` (${t(`mapView.unit.${metric}`)})`}</Text>}
      </Text>
      {legendRanges(metric, colouring.legend).map(({ row, from, to }, i) => (
        <Group key={i} gap={6} wrap="nowrap" data-legend-class={i}>
          <span className="map-legend-swatch" style={{ background: row.colour }} />
          <Text size="xs" style={{ flex: 1, fontVariantNumeric: 'tabular-nums' }}>
            {from === to ? formatMetric(metric, from) : `${formatMetric(metric, from)} – ${formatMetric(metric, to)}`}
          </Text>
          <Text size="xs" c="dimmed">
            {row.count}
          </Text>
        </Group>
      ))}
      {colouring.noData > 0 && (
        <Group gap={6} wrap="nowrap" data-legend-class="none">
          <span className="map-legend-swatch" style={{ background: NO_DATA_COLOUR }} />
          <Text size="xs" style={{ flex: 1 }}>
            {metric === 'daysSinceVisit' ? t('mapWords.neverVisited') : t('mapView.noData')}
          </Text>
          <Text size="xs" c="dimmed">
            {colouring.noData}
          </Text>
        </Group>
      )}
    </Stack>
  )
}

/** What the points over the choropleth mean: customer clusters and tiers, intel pins by rival. */
function PointLegend({ customers }: { customers: boolean }) {
  const { t } = useTranslation()
  const dot = (colour: string, size = 10) => <span className="map-legend-dot" style={{ background: colour, width: size, height: size }} />
  return (
    <Stack gap={3} data-testid="map-point-legend">
      {customers && (
        <>
          <Group gap={6} wrap="nowrap">
            <span className="map-legend-cluster" style={{ background: CLUSTER_COLOUR }}>
              12
            </span>
            <Text size="xs">{t('mapWords.clusterLegend')}</Text>
          </Group>
          <Group gap={8} wrap="wrap" pl={2}>
            {(['A', 'B', 'C'] as const).map((tier) => (
              <Group key={tier} gap={4} wrap="nowrap">
                {dot(TIER_COLOURS[tier])}
                <Text size="xs">{t('mapWords.tierDot', { tier })}</Text>
              </Group>
            ))}
            <Group gap={4} wrap="nowrap">
              {dot(NO_TIER_COLOUR)}
              <Text size="xs">{t('mapWords.noTier')}</Text>
            </Group>
          </Group>
        </>
      )}
      <Text size="xs">{t('mapWords.intelLegend')}</Text>
      <Group gap={8} wrap="wrap" pl={2}>
        {(Object.keys(RIVAL_COLOURS) as (keyof typeof RIVAL_COLOURS)[]).map((rival) => (
          <Group key={rival} gap={4} wrap="nowrap">
            {dot(RIVAL_COLOURS[rival])}
            <Text size="xs">{t(`customers.rival.${rival}`)}</Text>
          </Group>
        ))}
        <Group gap={4} wrap="nowrap">
          {dot('#9aa0a6', 7)}
          {dot('#9aa0a6', 12)}
          <Text size="xs" c="dimmed">
            {t('mapWords.threatSize')}
          </Text>
        </Group>
      </Group>
    </Stack>
  )
}

export function GridWarnings({
  check,
  loading,
  error,
  onRetry,
  onLocate,
  onClose,
}: {
  check: GridCheck | undefined
  loading: boolean
  error: unknown
  onRetry: () => void
  onLocate: (at: [number, number]) => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  return (
    <Paper
      className="map-panel"
      data-testid="grid-warnings"
      pos="absolute"
      top={10}
      left={54}
      w={330}
      p="xs"
      shadow="sm"
      radius="sm"
      withBorder
      style={{ zIndex: 1000, maxHeight: 'calc(100% - 60px)', display: 'flex', flexDirection: 'column' }}
    >
      <Group justify="space-between" mb={4} wrap="nowrap">
        <Text size="sm" fw={600} data-testid="grid-warnings-title">
          {!check
            ? t('mapWords.layoutChecking')
            : check.issues.length === 0
              ? t('mapWords.layoutOk')
              : t('mapWords.layoutFound', { count: check.issues.length })}
        </Text>
        <ActionIcon size="sm" variant="subtle" color="gray" onClick={onClose} aria-label={t('shell.dismiss')}>
          ×
        </ActionIcon>
      </Group>
      {error !== undefined && <ErrorAlert error={error} onRetry={onRetry} />}
      {loading && !check && (
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="xs">{t('mapView.checking')}</Text>
        </Group>
      )}
      {check && (
        <>
          <Text size="xs" c="dimmed" mb={4} data-testid="warnings-summary">
            {t('mapView.checked', { grids: check.grids, villages: check.villages, area: check.minAreaM2 / 10_000 })}
          </Text>
          {check.issues.length === 0 ? (
            <Badge color="green" variant="light" data-testid="warnings-none">
              {t('mapView.noWarnings')}
            </Badge>
          ) : (
            <ScrollArea.Autosize mah={360}>
              <Stack gap={2}>
                {check.issues.map((issue, i) => (
                  <UnstyledButton
                    key={i}
                    data-warning-kind={issue.kind}
                    onClick={() => onLocate(issue.at)}
                    style={{ padding: '4px 6px', borderRadius: 4, borderLeft: '3px solid var(--mantine-color-orange-5)' }}
                  >
                    <Text size="xs" fw={600}>
                      {t(`mapView.warning.${issue.kind}`)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {issue.village ? `${issue.village.name}（${issue.village.code}）` : ''}
                      {issue.grids.length > 0 && `${issue.village ? ' · ' : ''}${issue.grids.map((g) => g.name).join('、')}`}
                      {issue.areaM2 !== null && ` · ${t('mapView.area', { ha: (issue.areaM2 / 10_000).toFixed(1) })}`}
                    </Text>
                  </UnstyledButton>
                ))}
              </Stack>
            </ScrollArea.Autosize>
          )}
        </>
      )}
    </Paper>
  )
}
