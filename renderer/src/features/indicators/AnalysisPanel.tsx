// Module 3 (调研数据分析) on screen: anomalies explained in words, then trend with MoM/YoY, peer
// comparison, groups, correlation scatter with r, Pareto 80/20, Boston matrix and funnel, each a
// chart that saves as a PNG. The grid and indicator in focus come from the dashboard or the map.
import { Badge, Group, Paper, ScrollArea, SegmentedControl, Select, SimpleGrid, Stack, Text } from '@mantine/core'
import { format } from 'echarts/core'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { monthsOf, shiftPeriod } from '../../../../shared/analysis'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { ChartCard, type ChartOption } from './ChartCard'
import { lightColor, pct, useIndicatorName, useIndicatorUnit } from './LightBadge'

const QUADRANT_COLOUR = { star: '#f08c00', cash_cow: '#2f9e44', question: '#1c7ed6', dog: '#868e96' } as const

/**
 * Where each bubble's label goes: above it, unless a bubble sits just above (the label would cover
 * it) or a higher neighbour's label takes the same line; then below. Positions are compared as
 * fractions of the chart's ranges, so the rule holds at any scale.
 */
export function bubbleLabelSides(points: { x: number; y: number }[]): ('top' | 'bottom')[] {
  const span = (v: number[]) => Math.max(...v) - Math.min(...v) || 1
  const sx = span(points.map((p) => p.x))
  const sy = span(points.map((p) => p.y))
  return points.map((p, i) =>
    points.some((q, j) => {
      if (i === j) return false
      const dx = Math.abs(q.x - p.x) / sx
      const dy = (q.y - p.y) / sy
      return (dx < 0.16 && dy > 0 && dy < 0.35) || (dx < 0.2 && dy >= 0 && dy < 0.1 && (dy > 0 || j < i))
    })
      ? 'bottom'
      : 'top',
  )
}
const round1 = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10)
const axisPct = { axisLabel: { formatter: '{value}%' } }
/** ECharts puts a tooltip formatter's string in as HTML: every value from data is encoded. */
const html = (value: unknown) => format.encodeHTML(String(value ?? ''))

export interface AnalysisFocus {
  grid?: string
  indicator?: string
}

export function AnalysisPanel({
  region,
  period,
  focus,
  onFocus,
}: {
  region: string
  period: string
  focus: AnalysisFocus
  onFocus: (focus: AnalysisFocus) => void
}) {
  const { t, i18n } = useTranslation()
  const en = i18n.resolvedLanguage === 'en'
  const nameOf = useIndicatorName()
  const unitOf = useIndicatorUnit()
  const indicators = useCall('indicators.list', {})
  const indicatorCode = focus.indicator ?? indicators.value?.[0]?.code
  const indicator = indicators.value?.find((i) => i.code === indicatorCode)
  const [yCode, setYCode] = useState<string | null>(null)
  const yIndicatorCode = yCode ?? indicators.value?.find((i) => i.code !== indicatorCode)?.code
  const [groupBy, setGroupBy] = useState<'center' | 'kind' | 'size'>('center')
  const to = monthsOf(period).at(-1)!
  const q = indicatorCode ? { region, period, indicatorCode } : null

  const anomalies = useCall('analysis.anomalies', q)
  const compare = useCall('analysis.compare', q ? { ...q, focus: focus.grid } : null)
  const trend = useCall('analysis.trend', indicatorCode ? { orgUnitCode: focus.grid ?? region, indicatorCode, from: shiftPeriod(to, -12), to } : null)
  const groups = useCall('analysis.group', q ? { ...q, by: groupBy } : null)
  const correlation = useCall(
    'analysis.correlation',
    indicatorCode && yIndicatorCode ? { region, x: indicatorCode, y: yIndicatorCode, from: shiftPeriod(to, -5), to, measure: 'completion' } : null,
  )
  const boston = useCall('analysis.boston', { region })
  const pareto = useCall('analysis.pareto', { region })
  const funnel = useCall('analysis.funnel', { region })
  const error = [anomalies, compare, trend, groups, correlation, boston, pareto, funnel].find((c) => c.error !== undefined)

  const peers = compare.value?.peers ?? []
  const focusName = focus.grid ? (peers.find((p) => p.code === focus.grid)?.name ?? focus.grid) : region
  const L = (key: string, options?: Record<string, unknown>) => t(`indicators.analysis.${key}`, options ?? {})

  const trendOption = useMemo<ChartOption | null>(() => {
    const points = trend.value?.points
    if (!points?.length) return null
    return {
      legend: { top: 0 },
      grid: { left: 56, right: 56, top: 40, bottom: 30 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: points.map((p) => p.period) },
      yAxis: [
        { type: 'value', name: indicator ? unitOf(indicator.unit) : undefined },
        { type: 'value', name: `${L('mom')}/${L('yoy')}`, splitLine: { show: false }, ...axisPct },
      ],
      series: [
        { name: L('actual'), type: 'bar', data: points.map((p) => p.actual), itemStyle: { color: '#4c6ef5' } },
        { name: L('target'), type: 'line', data: points.map((p) => p.target), lineStyle: { type: 'dashed' }, itemStyle: { color: '#495057' } },
        { name: L('mom'), type: 'line', yAxisIndex: 1, data: points.map((p) => round1(p.mom)), itemStyle: { color: '#f08c00' } },
        { name: L('yoy'), type: 'line', yAxisIndex: 1, data: points.map((p) => round1(p.yoy)), itemStyle: { color: '#0ca678' } },
      ],
    }
  }, [trend.value, indicator, en])

  const compareOption = useMemo<ChartOption | null>(() => {
    if (!peers.length) return null
    const ordered = [...peers].sort((a, b) => (a.completion ?? -1) - (b.completion ?? -1))
    const median = compare.value?.median
    return {
      grid: { left: 110, right: 56, top: 28, bottom: 28 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', ...axisPct },
      yAxis: { type: 'category', data: ordered.map((p) => p.name), axisLabel: { fontSize: 12, color: '#212529' } },
      series: [
        {
          name: L('completion'),
          type: 'bar',
          data: ordered.map((p) => ({
            value: round1(p.completion),
            itemStyle: { color: lightColor[p.light], borderColor: p.code === focus.grid ? '#1a1b1e' : undefined, borderWidth: p.code === focus.grid ? 2 : 0 },
          })),
          label: { show: true, position: 'right', formatter: '{c}%', fontSize: 12 },
          markLine:
            median == null
              ? undefined
              : {
                  symbol: 'none',
                  data: [{ xAxis: round1(median), name: L('median') }],
                  label: { formatter: `${L('median')} {c}%` },
                  lineStyle: { color: '#1a1b1e' },
                },
        },
      ],
    }
  }, [compare.value, focus.grid, en])

  const groupOption = useMemo<ChartOption | null>(() => {
    const g = groups.value?.groups
    if (!g?.length) return null
    return {
      grid: { left: 50, right: 20, top: 30, bottom: 50 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: g.map((x) => (en ? x.label.en : x.label.zh)), axisLabel: { interval: 0, fontSize: 12, width: 120, overflow: 'break' } },
      yAxis: { type: 'value', ...axisPct },
      series: [
        {
          name: L('completion'),
          type: 'bar',
          data: g.map((x) => ({ value: round1(x.completion), itemStyle: { color: lightColor[x.light] } })),
          label: { show: true, position: 'top', formatter: '{c}%' },
        },
        { name: L('median'), type: 'line', data: g.map((x) => round1(x.medianCompletion)), itemStyle: { color: '#1a1b1e' } },
      ],
    }
  }, [groups.value, en])

  const scatterOption = useMemo<ChartOption | null>(() => {
    const c = correlation.value
    if (!c?.points.length) return null
    const xs = c.points.map((p) => p.x)
    const line = c.slope !== null && c.intercept !== null ? [Math.min(...xs), Math.max(...xs)].map((x) => [round1(x), round1(c.slope! * x + c.intercept!)]) : []
    return {
      grid: { left: 56, right: 24, top: 20, bottom: 40 },
      tooltip: { trigger: 'item', formatter: (p: { data: [number, number, string] }) => `${html(p.data[2])}<br/>${html(p.data[0])}% / ${html(p.data[1])}%` },
      xAxis: { type: 'value', name: nameOf(indicator), nameLocation: 'middle', nameGap: 26, scale: true, ...axisPct },
      yAxis: { type: 'value', name: nameOf(indicators.value?.find((i) => i.code === yIndicatorCode)), scale: true, ...axisPct },
      series: [
        {
          type: 'scatter',
          symbolSize: 7,
          data: c.points.map((p) => [round1(p.x), round1(p.y), `${p.name} ${p.period}`]),
          itemStyle: { color: '#4c6ef5', opacity: 0.7 },
        },
        { type: 'line', data: line, showSymbol: false, lineStyle: { color: '#e03131', width: 2 }, tooltip: { show: false } },
      ],
    }
  }, [correlation.value, indicator, yIndicatorCode, indicators.value])

  const paretoOption = useMemo<ChartOption | null>(() => {
    const items = pareto.value?.items
    if (!items?.length) return null
    return {
      grid: { left: 60, right: 50, top: 30, bottom: 30 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: items.map((c) => c.name), axisLabel: { show: false } },
      yAxis: [
        { type: 'value', name: L('value') },
        { type: 'value', max: 100, splitLine: { show: false }, ...axisPct },
      ],
      series: [
        {
          name: L('value'),
          type: 'bar',
          data: items.map((c) => ({ value: c.value, itemStyle: { color: c.tier === 'A' ? '#e8590c' : c.tier === 'B' ? '#fab005' : '#adb5bd' } })),
        },
        {
          name: L('cumulative'),
          type: 'line',
          yAxisIndex: 1,
          showSymbol: false,
          data: items.map((c) => round1(c.cumulativeShare)),
          itemStyle: { color: '#1c7ed6' },
          markLine: {
            symbol: 'none',
            data: [{ yAxis: 80 }],
            label: { formatter: '80%', position: 'insideStartTop', color: '#e03131' },
            lineStyle: { color: '#e03131', type: 'dashed' },
          },
        },
      ],
    }
  }, [pareto.value, en])

  const bostonOption = useMemo<ChartOption | null>(() => {
    const b = boston.value
    if (!b?.items.length) return null
    const maxHolders = Math.max(...b.items.map((i) => i.holders), 1)
    // One series per quadrant: the legend names the colours, so a bubble's label is only its product
    // (labels of neighbouring bubbles overlapped when each also carried its quadrant).
    const quadrants = (Object.keys(QUADRANT_COLOUR) as (keyof typeof QUADRANT_COLOUR)[]).filter((q) => b.items.some((i) => i.quadrant === q))
    const sides = new Map(bubbleLabelSides(b.items.map((i) => ({ x: i.share, y: i.growth ?? 0 }))).map((side, n) => [b.items[n]!, side]))
    return {
      grid: { left: 64, right: 40, top: 44, bottom: 44 },
      legend: { top: 0, right: 90, itemWidth: 12, itemHeight: 12, data: quadrants.map((q) => L(`quadrant.${q}`)) },
      tooltip: {
        trigger: 'item',
        formatter: (p: { seriesName: string; data: { name: string; value: number[] } }) =>
          `${html(p.data.name)}（${html(p.seriesName)}）<br/>${html(L('share'))} ${html(p.data.value[0])}% · ${html(L('growth'))} ${html(p.data.value[1])}% · ${html(L('holders'))} ${html(p.data.value[2])}`,
      },
      // Room around the bubbles so their labels stay inside the chart.
      xAxis: { type: 'value', name: L('share'), nameLocation: 'middle', nameGap: 28, ...axisPct, scale: true, boundaryGap: ['12%', '12%'] },
      yAxis: { type: 'value', name: L('growth'), ...axisPct, scale: true, boundaryGap: ['22%', '15%'] },
      series: quadrants.map((q, n) => ({
        type: 'scatter',
        name: L(`quadrant.${q}`),
        itemStyle: { color: QUADRANT_COLOUR[q], opacity: 0.8 },
        data: b.items
          .filter((i) => i.quadrant === q)
          .map((i) => ({
            name: i.product,
            value: [round1(i.share), round1(i.growth ?? 0), i.holders],
            symbolSize: 10 + 24 * Math.sqrt(i.holders / maxHolders),
            label: { show: true, position: sides.get(i), formatter: i.product, fontSize: 12, color: '#212529' },
          })),
        // The quadrant lines once, on the first series.
        ...(n === 0
          ? {
              markLine: {
                symbol: 'none',
                silent: true,
                lineStyle: { color: '#868e96', type: 'dashed' },
                label: { show: false },
                data: [{ xAxis: round1(b.shareSplit) }, { yAxis: round1(b.growthSplit) }],
              },
            }
          : {}),
      })),
    }
  }, [boston.value, en])

  const funnelOption = useMemo<ChartOption | null>(() => {
    const steps = funnel.value?.steps
    if (!steps?.length) return null
    return {
      tooltip: { trigger: 'item' },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          left: '10%',
          width: '80%',
          top: 10,
          bottom: 10,
          gap: 2,
          minSize: '38%',
          color: ['#1864ab', '#1971c2', '#1c7ed6', '#1098ad', '#0c8599'],
          label: { show: true, position: 'inside', fontSize: 13, color: '#ffffff' },
          data: steps.map((s) => ({
            name: `${t(`reports.stage.${s.stage}`)} ${s.reached}${s.conversion === null ? '' : `（${L('conversion')} ${pct(s.conversion, 0)}）`}`,
            value: s.reached,
          })),
        },
      ],
    }
  }, [funnel.value, en])

  const corr = correlation.value
  const p = pareto.value
  const focusPeer = compare.value?.focus
  return (
    <ScrollArea h="100%" type="auto" data-testid="analysis">
      <Stack gap="sm" pr="sm">
        <Group gap="sm" align="flex-end">
          <Select
            w={200}
            label={L('indicator')}
            data={(indicators.value ?? []).map((i) => ({ value: i.code, label: nameOf(i) }))}
            value={indicatorCode ?? null}
            onChange={(v) => v && onFocus({ ...focus, indicator: v })}
            allowDeselect={false}
            data-testid="analysis-indicator"
          />
          <Select
            w={220}
            label={L('focus')}
            data={peers.map((p) => ({ value: p.code, label: p.name }))}
            value={focus.grid ?? null}
            onChange={(v) => onFocus({ ...focus, grid: v ?? undefined })}
            clearable
            searchable
            data-testid="analysis-focus"
          />
          <Select
            w={200}
            label={L('yIndicator')}
            data={(indicators.value ?? []).filter((i) => i.code !== indicatorCode).map((i) => ({ value: i.code, label: nameOf(i) }))}
            value={yIndicatorCode ?? null}
            onChange={setYCode}
            allowDeselect={false}
          />
        </Group>
        {error && <ErrorAlert error={error.error} onRetry={error.reload} />}
        <Paper withBorder radius="md" p="sm" data-testid="anomalies">
          <Text fw={600} size="sm" mb={6}>
            {L('anomalies')} · {nameOf(indicator)} · {period}
          </Text>
          {anomalies.value && anomalies.value.anomalies.length === 0 && (
            <Text c="dimmed" size="sm">
              {L('noAnomalies')}
            </Text>
          )}
          <Stack gap={6}>
            {anomalies.value?.anomalies.map((a) => (
              <Group
                key={`${a.indicatorCode}-${a.code}`}
                gap="sm"
                wrap="nowrap"
                align="flex-start"
                data-anomaly={a.code}
                bg={a.code === focus.grid ? 'red.0' : undefined}
                p={4}
                style={{ borderRadius: 4, cursor: 'pointer' }}
                onClick={() => onFocus({ ...focus, grid: a.code })}
              >
                <Badge color={a.worse ? 'red' : 'teal'} variant="filled" style={{ flexShrink: 0 }}>
                  {a.worse ? t('indicators.lightWord.red') : t('indicators.lightWord.green')} · {a.name}
                </Badge>
                <Text size="sm">
                  {en ? a.explanation.en : a.explanation.zh}
                  <Text span size="xs" c="dimmed">
                    {' '}
                    （{L('zScore', { z: a.robustZ })}）
                  </Text>
                </Text>
              </Group>
            ))}
          </Stack>
        </Paper>
        <SimpleGrid cols={2} spacing="sm">
          <ChartCard
            testId="trend"
            title={L('trend', { name: `${focusName} · ${nameOf(indicator)}` })}
            fileName={`trend_${focus.grid ?? region}_${indicatorCode}_${to}`}
            option={trendOption}
          />
          <ChartCard
            testId="compare"
            title={L('compare')}
            fileName={`peers_${region}_${indicatorCode}_${period}`}
            option={compareOption}
            height={Math.max(280, peers.length * 20 + 40)}
            note={
              focusPeer
                ? L('focusNote', {
                    name: focusPeer.name,
                    completion: pct(focusPeer.completion),
                    median: pct(compare.value?.median),
                    rank: focusPeer.rank ?? '—',
                    count: peers.length,
                  })
                : undefined
            }
          />
          <Stack gap="sm">
            <Paper withBorder radius="md" p={0} style={{ border: 'none' }}>
              <SegmentedControl
                size="xs"
                value={groupBy}
                onChange={(v) => setGroupBy(v as typeof groupBy)}
                data={(['center', 'kind', 'size'] as const).map((b) => ({ value: b, label: L(`groupBy.${b}`) }))}
              />
            </Paper>
            <ChartCard
              testId="group"
              title={`${L('group')} · ${L(`groupBy.${groupBy}`)}`}
              fileName={`groups_${region}_${indicatorCode}_${groupBy}`}
              option={groupOption}
              height={240}
            />
          </Stack>
          <ChartCard
            testId="scatter"
            title={L('scatter', { x: nameOf(indicator), y: nameOf(indicators.value?.find((i) => i.code === yIndicatorCode)) })}
            fileName={`correlation_${region}_${indicatorCode}_${yIndicatorCode}`}
            option={scatterOption}
            note={corr ? (corr.r === null ? L('noData') : L('r', { r: corr.r.toFixed(2), strength: L(`strength.${corr.strength}`), n: corr.n })) : undefined}
          />
          <ChartCard
            testId="pareto"
            title={L('pareto')}
            fileName={`pareto_${region}`}
            option={paretoOption}
            note={p ? L('paretoNote', { share: pct(p.top20Share), n: p.itemsFor80, itemShare: pct(p.itemShareFor80) }) : undefined}
          />
          <ChartCard testId="boston" title={L('boston')} fileName={`boston_${region}`} option={bostonOption} />
          <ChartCard
            testId="funnel"
            title={L('funnel')}
            fileName={`funnel_${region}`}
            option={funnelOption}
            note={funnel.value ? L('funnelNote', { overall: pct(funnel.value.overall) }) : undefined}
          />
        </SimpleGrid>
      </Stack>
    </ScrollArea>
  )
}
