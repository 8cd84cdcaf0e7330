// Seed 004 module 3 (调研数据分析) over the grids of a region: grouping, peer comparison, trend
// with MoM/YoY growth, robust anomalies explained in words, correlation, Boston matrix, 80/20,
// funnel conversion. Statistics live in shared/analysis.ts; this file gathers the numbers.
import {
  bostonQuadrant,
  funnelOfCounts,
  growthRate,
  median,
  monthRange,
  paretoOfSorted,
  pearson,
  quantile,
  robustZ,
  shiftPeriod,
} from '../../../shared/analysis'
import type { Anomaly, GroupStat, IndicatorRow, PeerRow, ScatterPoint, TrendPoint } from '../../../shared/api/indicators'
import { funnelStages, type GridKind } from '../../../shared/domain'
import { AppError } from '../../../shared/errors'
import { kpiStatus } from '../../../shared/kpi'
import type { Db } from '../db/client'
import { productHoldings, stagesUnder, topCustomersUnder, valuesUnder } from '../db/repos/analysis'
import { subtreeActuals, subtreeTargets } from '../db/repos/indicators'
import { checkIndicators, loadRegionKpis, localToday, regionSubtree, resolver, type RegionKpis } from '../indicators/measures'
import type { HandlerTable } from './table'

const kindLabel: Record<GridKind | 'none', { zh: string; en: string }> = {
  area: { zh: '片区', en: 'Area' },
  group: { zh: '集团', en: 'Group customers' },
  channel: { zh: '社会渠道', en: 'Social channel' },
  none: { zh: '未分类', en: 'Unclassified' },
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`

function gridsOf(k: RegionKpis) {
  const grids = k.units.filter((u) => u.level === 'grid')
  if (grids.length === 0)
    throw new AppError('VALIDATION', `${k.region.code} has no grids to analyse`, { issues: [{ path: ['region'], message: 'no grids under this region' }] })
  return grids
}

/** Completion "goodness" for ranking: less-is-better indicators rank low usage first. */
const better = (ind: IndicatorRow, a: number, b: number) => (ind.direction === 'higher_better' ? b - a : a - b)

function groupStats(k: RegionKpis, indicatorCode: string, by: 'center' | 'kind' | 'size'): GroupStat[] {
  const ind = k.indicators.find((i) => i.code === indicatorCode)!
  const grids = gridsOf(k)
  const keyOf = new Map<string, { key: string; label: { zh: string; en: string } }>()
  if (by === 'center') {
    const names = new Map(k.units.map((u) => [u.code, u.name]))
    for (const g of grids) keyOf.set(g.id, { key: g.parentCode ?? '-', label: { zh: names.get(g.parentCode ?? '') ?? '（无）', en: g.parentCode ?? '(none)' } })
  } else if (by === 'kind') {
    for (const g of grids) keyOf.set(g.id, { key: g.gridKind ?? 'none', label: kindLabel[g.gridKind ?? 'none'] })
  } else {
    // Size bands by terciles of households among the region's grids.
    const hh = grids.map((g) => g.households)
    const q1 = Math.round(quantile(hh, 1 / 3) ?? 0),
      q2 = Math.round(quantile(hh, 2 / 3) ?? 0)
    for (const g of grids) {
      const band = g.households <= q1 ? 'small' : g.households <= q2 ? 'medium' : 'large'
      const label =
        band === 'small'
          ? { zh: `小（≤${q1}户）`, en: `Small (≤${q1} households)` }
          : band === 'medium'
            ? { zh: `中（${q1 + 1}–${q2}户）`, en: `Medium (${q1 + 1}–${q2} households)` }
            : { zh: `大（>${q2}户）`, en: `Large (>${q2} households)` }
      keyOf.set(g.id, { key: band, label })
    }
  }
  const groups = new Map<string, { label: { zh: string; en: string }; grids: typeof grids }>()
  for (const g of grids) {
    const { key, label } = keyOf.get(g.id)!
    if (!groups.has(key)) groups.set(key, { label, grids: [] })
    groups.get(key)!.grids.push(g)
  }
  const order = by === 'size' ? ['small', 'medium', 'large'] : [...groups.keys()].sort()
  return order
    .filter((key) => groups.has(key))
    .map((key) => {
      const { label, grids: members } = groups.get(key)!
      const targets = members.map((g) => k.target(g.id, indicatorCode)).filter((x): x is number => x !== null)
      const actual = members.reduce((a, g) => a + (k.actual(g.id, indicatorCode) ?? 0), 0)
      const target = targets.length ? targets.reduce((a, b) => a + b, 0) : null
      const completions = members.map((g) => k.cell(g.id, indicatorCode).completion).filter((x): x is number => x !== null)
      const status = kpiStatus(actual, target, ind.direction, k.timeProgress, { yellowBelowPp: ind.yellowBelowPp, redBelowPp: ind.redBelowPp })
      return {
        key,
        label,
        grids: members.map((g) => g.code),
        target,
        actual,
        completion: status.completion,
        medianCompletion: median(completions),
        minCompletion: completions.length ? Math.min(...completions) : null,
        maxCompletion: completions.length ? Math.max(...completions) : null,
        light: status.light,
      }
    })
}

function peers(k: RegionKpis, indicatorCode: string): { median: number | null; peers: PeerRow[] } {
  const ind = k.indicators.find((i) => i.code === indicatorCode)!
  const rows = gridsOf(k).map((g) => {
    const c = k.cell(g.id, indicatorCode)
    return {
      code: g.code,
      name: g.name,
      gridKind: g.gridKind,
      households: g.households,
      target: c.target,
      actual: c.actual,
      completion: c.completion,
      perThousandHouseholds: c.actual !== null && g.households > 0 ? Math.round((c.actual / g.households) * 1000 * 100) / 100 : null,
      rank: null as number | null,
      vsMedianPp: null as number | null,
      light: c.light,
    }
  })
  const med = median(rows.flatMap((r) => (r.completion === null ? [] : [r.completion])))
  const ranked = rows.filter((r) => r.completion !== null).sort((a, b) => better(ind, a.completion!, b.completion!))
  ranked.forEach((r, i) => (r.rank = i + 1))
  for (const r of rows) if (r.completion !== null && med !== null) r.vsMedianPp = Math.round((r.completion - med) * 10000) / 100
  return { median: med, peers: rows.sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || a.code.localeCompare(b.code)) }
}

export function findAnomalies(k: RegionKpis, threshold: number): Anomaly[] {
  const grids = gridsOf(k)
  const out: Anomaly[] = []
  for (const ind of k.indicators) {
    const scored = grids.flatMap((g) => {
      const c = k.cell(g.id, ind.code).completion
      return c === null ? [] : [{ g, c }]
    })
    if (scored.length < 4) continue
    const { median: med, z } = robustZ(scored.map((s) => s.c))
    scored.forEach(({ g, c }, i) => {
      const score = z[i] ?? null
      if (score === null || Math.abs(score) < threshold) return
      const side = score < 0 ? 'low' : 'high'
      const worse = (side === 'low') === (ind.direction === 'higher_better')
      const zAbs = Math.abs(score).toFixed(1)
      const zh =
        `${g.name}的“${ind.nameZh}”完成率 ${pct(c)}，同类 ${scored.length} 个网格的中位数为 ${pct(med)}，` +
        `${side === 'low' ? '低' : '高'}出 ${zAbs} 个稳健标准差（中位数绝对偏差法），远离同类网格的正常波动范围` +
        (worse ? `，${ind.direction === 'higher_better' ? '明显落后，建议核查原因并跟进' : '明显偏高，建议核查原因并处理'}。` : '，表现突出，可总结经验推广。')
      const en =
        `${g.code} ${g.name}: ${ind.nameEn} completion ${pct(c)} against a median of ${pct(med)} across ${scored.length} peer grids, ` +
        `${zAbs} robust standard deviations (median absolute deviation) ${side === 'low' ? 'below' : 'above'} — outside the peers' normal spread` +
        (worse
          ? `; ${ind.direction === 'higher_better' ? 'well behind, worth finding out why' : 'unusually high, worth looking into'}.`
          : '; an outstanding result worth learning from.')
      out.push({
        indicatorCode: ind.code,
        code: g.code,
        name: g.name,
        completion: c,
        peerMedian: med,
        robustZ: Math.round(score * 100) / 100,
        side,
        worse,
        explanation: { zh, en },
      })
    })
  }
  return out.sort((a, b) => Number(b.worse) - Number(a.worse) || Math.abs(b.robustZ) - Math.abs(a.robustZ))
}

export function trendOf(db: Db, orgUnitCode: string, indicatorCode: string, from: string, to: string): TrendPoint[] {
  const units = regionSubtree(db, orgUnitCode)
  checkIndicators(db, [indicatorCode])
  const months = monthRange(shiftPeriod(from, -12), to)
  const targetRows = subtreeTargets(db, orgUnitCode, [indicatorCode], months)
  const actualRows = subtreeActuals(db, orgUnitCode, [indicatorCode], months, '9999-12-31T23:59:59.999Z')
  const root = units[0]!.id
  const series = new Map(
    months.map((m) => [m, { t: resolver(units, m, targetRows)(root, indicatorCode), a: resolver(units, m, actualRows)(root, indicatorCode) }]),
  )
  return monthRange(from, to).map((m) => {
    const { t, a } = series.get(m)!
    return {
      period: m,
      target: t,
      actual: a,
      completion: t && a !== null ? a / t : null,
      mom: growthRate(a, series.get(shiftPeriod(m, -1))?.a),
      yoy: growthRate(a, series.get(shiftPeriod(m, -12))?.a),
    }
  })
}

const thisMonth = () => localToday().slice(0, 7)

export const analysisHandlers = {
  'analysis.group': (ctx, input) => {
    const k = loadRegionKpis(ctx.db, { region: input.region, period: input.period, asOf: input.asOf, indicatorCodes: [input.indicatorCode] })
    return { by: input.by, groups: groupStats(k, input.indicatorCode, input.by) }
  },
  'analysis.compare': (ctx, input) => {
    const k = loadRegionKpis(ctx.db, { region: input.region, period: input.period, asOf: input.asOf, indicatorCodes: [input.indicatorCode] })
    const result = peers(k, input.indicatorCode)
    const focus = input.focus ? (result.peers.find((p) => p.code === input.focus) ?? null) : null
    if (input.focus && !focus)
      throw new AppError('NOT_FOUND', `${input.focus} is not a grid under ${input.region}`, {
        issues: [{ path: ['focus'], message: 'not a grid in this region' }],
      })
    return { ...result, focus }
  },
  'analysis.trend': (ctx, input) => {
    const to = input.to ?? thisMonth()
    const from = input.from ?? shiftPeriod(to, -23)
    if (from > to) throw new AppError('VALIDATION', 'from is after to', { issues: [{ path: ['from'], message: 'must not be after to' }] })
    return { points: trendOf(ctx.db, input.orgUnitCode, input.indicatorCode, from, to) }
  },
  'analysis.anomalies': (ctx, input) => {
    const k = loadRegionKpis(ctx.db, {
      region: input.region,
      period: input.period,
      asOf: input.asOf,
      indicatorCodes: input.indicatorCode ? [input.indicatorCode] : undefined,
    })
    return { threshold: input.threshold, anomalies: findAnomalies(k, input.threshold) }
  },
  'analysis.correlation': (ctx, input) => {
    const to = input.to ?? input.from
    if (input.from > to) throw new AppError('VALIDATION', 'from is after to', { issues: [{ path: ['from'], message: 'must not be after to' }] })
    const codes = [...new Set([input.x, input.y])]
    const known = { units: regionSubtree(ctx.db, input.region), indicators: checkIndicators(ctx.db, codes) }
    const points: ScatterPoint[] = []
    for (const period of monthRange(input.from, to)) {
      const k = loadRegionKpis(ctx.db, { region: input.region, period, asOf: '9999-12-31', indicatorCodes: codes }, known)
      for (const g of gridsOf(k)) {
        const pick = (code: string) => (input.measure === 'actual' ? k.actual(g.id, code) : k.cell(g.id, code).completion)
        const x = pick(input.x),
          y = pick(input.y)
        if (x !== null && y !== null) points.push({ code: g.code, name: g.name, period, x, y })
      }
    }
    return { ...pearson(points), points }
  },
  'analysis.boston': (ctx, input) => {
    regionSubtree(ctx.db, input.region)
    const asOf = input.asOf ?? localToday()
    const yearAgo = `${Number(asOf.slice(0, 4)) - 1}${asOf.slice(4)}`
    const customers = valuesUnder(ctx.db, input.region).length
    const rows = productHoldings(ctx.db, input.region, asOf, yearAgo)
    const withShare = rows.map((r) => ({ ...r, share: customers ? r.holders / customers : 0, growth: growthRate(r.holders, r.holdersYearAgo) }))
    const shareSplit = median(withShare.map((r) => r.share)) ?? 0
    return {
      shareSplit,
      growthSplit: input.growthSplit,
      // A product new this year has no growth rate; it counts as high growth (it is all growth).
      items: withShare.map((r) => ({
        product: r.product,
        holders: r.holders,
        holdersYearAgo: r.holdersYearAgo,
        share: r.share,
        growth: r.growth,
        quadrant: bostonQuadrant(r.share, r.growth ?? Infinity, shareSplit, input.growthSplit),
      })),
    }
  },
  'analysis.pareto': (ctx, input) => {
    regionSubtree(ctx.db, input.region)
    // The sums over every customer from their values alone; names only for the customers shown.
    const values = valuesUnder(ctx.db, input.region)
    const p = paretoOfSorted(values, input.limit)
    const shown = topCustomersUnder(ctx.db, input.region, input.limit)
    return {
      total: Math.round(p.total * 100) / 100,
      customers: values.length,
      top20Share: p.top20Share,
      itemsFor80: p.itemsFor80,
      itemShareFor80: p.itemShareFor80,
      items: shown.map((c, i) => ({ id: c.id, name: c.name, gridCode: c.gridCode, ...p.items[i]! })),
    }
  },
  'analysis.funnel': (ctx, input) => {
    regionSubtree(ctx.db, input.region)
    const at = new Map(stagesUnder(ctx.db, input.region).map((s) => [s.stage, s.n]))
    const steps = funnelOfCounts(
      funnelStages,
      funnelStages.map((s) => at.get(s) ?? 0),
    )
    const first = steps[0]!.reached
    // 成交 (won) over all customers in the funnel: the overall conversion.
    const won = steps.find((s) => s.stage === 'won')!.reached
    return { steps, overall: first ? won / first : null }
  },
} satisfies Partial<HandlerTable>
