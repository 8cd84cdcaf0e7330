// Targets and actuals of a region for a period, resolved per org unit, and the 时间进度 dashboard
// built on them. A unit's figure is its own row for the period; else, for a quarter or year, the
// sum of its own month (or quarter) rows; else the sum of its children's figures. So a county
// with targets only on grids still shows a county total, and a quarter adds up its months.
import { monthsOf, quartersOf } from '../../../shared/analysis'
import type { Dashboard, DashboardRow, IndicatorRow, KpiCell } from '../../../shared/api/indicators'
import { AppError } from '../../../shared/errors'
import { kpiStatus, timeProgress, type Light } from '../../../shared/kpi'
import type { Db } from '../db/client'
import { listIndicators, orgSubtree, subtreeActuals, subtreeTargets, type MeasureRow, type OrgUnitRow } from '../db/repos/indicators'

export interface RegionKpis {
  region: OrgUnitRow
  units: OrgUnitRow[]
  indicators: IndicatorRow[]
  period: string
  asOf: string
  timeProgress: number
  target(unitId: string, indicatorCode: string): number | null
  actual(unitId: string, indicatorCode: string): number | null
  cell(unitId: string, indicatorCode: string): KpiCell
}

/** Today as YYYY-MM-DD on this machine's calendar (the grid manager's day, not UTC's). */
export function localToday(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
}

export function regionSubtree(db: Db, regionCode: string): OrgUnitRow[] {
  const units = orgSubtree(db, regionCode)
  if (units.length === 0) throw new AppError('NOT_FOUND', `no org unit with code ${regionCode}`, { details: { region: regionCode } })
  return units
}

export function checkIndicators(db: Db, codes: readonly string[] | undefined): IndicatorRow[] {
  const indicators = listIndicators(db, codes)
  if (codes) {
    const missing = codes.filter((c) => !indicators.some((i) => i.code === c))
    if (missing.length)
      throw new AppError('NOT_FOUND', `unknown indicator ${missing.join(', ')}`, {
        issues: missing.map((c) => ({ path: ['indicatorCode'], message: `unknown indicator ${c}` })),
        details: { indicators: missing },
      })
  }
  return indicators
}

/** Resolves one measure (targets or actuals) per unit with the rules above, memoised. */
export function resolver(units: OrgUnitRow[], period: string, rows: MeasureRow[]) {
  const exact = new Map<string, number>()
  for (const r of rows) exact.set(`${r.indicatorCode}|${r.orgUnitId}|${r.period}`, r.value)
  const children = new Map<string, string[]>()
  for (const u of units) if (u.parentId) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u.id])
  const months = period.includes('Q') || /^\d{4}$/.test(period) ? monthsOf(period) : []
  const quarters = quartersOf(period)
  const memo = new Map<string, number | null>()
  const sumOf = (unitId: string, code: string, periods: string[]) => {
    let found = false,
      sum = 0
    for (const p of periods) {
      const v = exact.get(`${code}|${unitId}|${p}`)
      if (v === undefined) continue
      found = true
      sum += v
    }
    return found ? sum : null
  }
  const value = (unitId: string, code: string): number | null => {
    const key = `${code}|${unitId}`
    if (memo.has(key)) return memo.get(key)!
    let v: number | null = exact.get(`${code}|${unitId}|${period}`) ?? null
    if (v === null && months.length) v = sumOf(unitId, code, months) ?? (quarters.length ? sumOf(unitId, code, quarters) : null)
    if (v === null) {
      const kids = (children.get(unitId) ?? []).map((c) => value(c, code)).filter((x): x is number => x !== null)
      v = kids.length ? kids.reduce((a, b) => a + b, 0) : null
    }
    memo.set(key, v)
    return v
  }
  return value
}

const round2 = (x: number) => Math.round(x * 100) / 100

/** `known` skips re-reading the subtree and catalogue when one analysis loads many periods. */
export function loadRegionKpis(
  db: Db,
  input: { region: string; period: string; asOf?: string; indicatorCodes?: readonly string[] },
  known?: { units: OrgUnitRow[]; indicators: IndicatorRow[] },
): RegionKpis {
  const units = known?.units ?? regionSubtree(db, input.region)
  const indicators = known?.indicators ?? checkIndicators(db, input.indicatorCodes)
  const asOf = input.asOf ?? localToday()
  const progress = timeProgress(input.period, asOf)
  const codes = indicators.map((i) => i.code)
  const periods = [...new Set([input.period, ...monthsOf(input.period), ...quartersOf(input.period)])]
  const target = resolver(units, input.period, subtreeTargets(db, input.region, codes, periods))
  const actual = resolver(units, input.period, subtreeActuals(db, input.region, codes, periods, `${asOf}T23:59:59.999Z`))
  const byCode = new Map(indicators.map((i) => [i.code, i]))
  const cell = (unitId: string, code: string): KpiCell => {
    const ind = byCode.get(code)!
    const t = target(unitId, code)
    const a = actual(unitId, code)
    // No actual yet counts as zero done: a grid that reported nothing is behind, not unknown.
    const s = kpiStatus(a ?? 0, t, ind.direction, progress, { yellowBelowPp: ind.yellowBelowPp, redBelowPp: ind.redBelowPp })
    const pace = t === null ? null : t * progress
    const gapToPace = pace === null ? null : round2(ind.direction === 'higher_better' ? pace - (a ?? 0) : (a ?? 0) - pace)
    return { target: t, actual: a, completion: s.completion, gapPp: s.gapPp, gapToPace, light: s.light }
  }
  return { region: units[0]!, units, indicators, period: input.period, asOf, timeProgress: progress, target, actual, cell }
}

const severity: Record<Light, number> = { none: 0, green: 1, yellow: 2, red: 3 }
export function worstLight(lights: Light[]): Light {
  return lights.reduce<Light>((w, l) => (severity[l] > severity[w] ? l : w), 'none')
}

const levelOrder = { county: 0, center: 1, grid: 2, microgrid: 3 } as const

export function buildDashboard(k: RegionKpis): Dashboard {
  const rows: DashboardRow[] = [...k.units]
    .sort((a, b) => (a.id === k.region.id ? -1 : b.id === k.region.id ? 1 : levelOrder[a.level] - levelOrder[b.level] || a.code.localeCompare(b.code)))
    .map((u) => {
      const cells = Object.fromEntries(k.indicators.map((i) => [i.code, k.cell(u.id, i.code)]))
      return {
        orgUnitId: u.id,
        code: u.code,
        name: u.name,
        level: u.level,
        parentCode: u.parentCode,
        gridKind: u.gridKind,
        cells,
        worst: worstLight(Object.values(cells).map((c) => c.light)),
      }
    })
  return {
    region: { code: k.region.code, name: k.region.name, level: k.region.level },
    period: k.period,
    asOf: k.asOf,
    timeProgress: k.timeProgress,
    indicators: k.indicators,
    rows,
  }
}
