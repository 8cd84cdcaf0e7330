// Builds the regional report model from local data: one region (grid, center or county),
// one period (month, quarter, year). Every writer and the preview render this one model.
import type { ReportModel, KpiRow, ProfileRow } from '../../../shared/api/reports'
import { isProfileFieldFilled, profileFields, profileFieldValue, type ProfileField } from '../../../shared/profile'
import { AppError } from '../../../shared/errors'
import { funnelStages } from '../../../shared/domain'
import { resources, type Language } from '../../../shared/i18n'
import { kpiStatus, periodRange, timeProgress } from '../../../shared/kpi'
import type { Db } from '../db/client'
import * as repo from '../db/repos/reports'

const DAY = 86_400_000
// One definition of a complete profile, shared with the village list and profile page.
const PROFILE_FIELDS = profileFields

export function labels(lang: Language) {
  return resources[lang].translation.reports
}

/** The months a period covers: '2026-Q3' → 2026-07, 2026-08, 2026-09. */
export function monthsOf(period: string): string[] {
  const { start, end } = periodRange(period)
  const months: string[] = []
  for (let d = new Date(`${start}T00:00:00Z`); d.toISOString().slice(0, 10) <= end; d.setUTCMonth(d.getUTCMonth() + 1))
    months.push(d.toISOString().slice(0, 7))
  return months
}

export function buildReport(db: Db, regionCode: string, period: string, options: { now?: Date; lang?: Language } = {}): ReportModel {
  const L = labels(options.lang ?? 'zh-CN')
  const now = options.now ?? new Date()
  let range
  try {
    range = periodRange(period)
  } catch {
    throw new AppError('VALIDATION', `not a period: ${period}`, { issues: [{ path: ['period'], message: 'expected 2026-10, 2026-Q3 or 2026' }], details: { reason: 'badPeriod', period } })
  }
  const region = repo.findRegion(db, regionCode)
  if (!region || region.level === 'microgrid')
    throw new AppError('NOT_FOUND', `no region with code ${regionCode}`, { details: { reason: 'unknownRegion', region: regionCode } })
  const grids = repo.gridsUnder(db, region.id)
  const gridIds = grids.map((g) => g.id)
  const gridById = new Map(grids.map((g) => [g.id, g]))

  // Days are the device's local days (a visit at 07:00 in Beijing on the 1st is in that month).
  const today = localDay(now)
  const asOf = today < range.end ? (today < range.start ? range.start : today) : range.end
  const startIso = localMidnightIso(range.start)
  const endIso = localMidnightIso(nextDay(range.end))
  const asOfEndIso = localMidnightIso(nextDay(asOf))
  /** The moment the report's figures stand at: the end of the period, or now while it runs. */
  const cutIso = now.toISOString() < asOfEndIso ? now.toISOString() : asOfEndIso
  const progress = timeProgress(period, asOf)

  // --- KPI: an exact-period target/actual wins; otherwise the months of the period add up.
  const months = monthsOf(period)
  const periods = [...new Set([period, ...months])]
  const indicators = repo.listIndicators(db)
  const sumByPeriod = (rows: repo.PeriodValueRow[]) => {
    const exact = new Map<string, number>()
    const monthly = new Map<string, number>()
    for (const r of rows) {
      const key = `${r.indicatorCode}|${r.gridId}`
      if (r.period === period) exact.set(key, r.value)
      else monthly.set(key, (monthly.get(key) ?? 0) + r.value)
    }
    return (key: string) => exact.get(key) ?? monthly.get(key) ?? null
  }
  const target = sumByPeriod(repo.targetsFor(db, gridIds, periods))
  const actual = sumByPeriod(repo.actualsFor(db, gridIds, periods))
  const nameOf = (i: repo.IndicatorRow) => (options.lang === 'en' ? i.nameEn : i.nameZh)
  const kpiRow = (i: repo.IndicatorRow, t: number | null, a: number | null, grid: { code: string; name: string } | null): KpiRow => {
    const status = a === null ? { completion: null, timeProgress: progress, gapPp: null, light: 'none' as const } : kpiStatus(a, t, i.direction, progress, i)
    return {
      indicatorCode: i.code, indicatorName: nameOf(i), unit: i.unit, direction: i.direction, gridCode: grid?.code ?? null, gridName: grid?.name ?? null,
      target: t, actual: a, completion: status.completion, timeProgress: progress, gapPp: status.gapPp, light: status.light,
    }
  }
  const kpiRows: KpiRow[] = []
  const kpiByGrid: KpiRow[] = []
  for (const i of indicators) {
    let t: number | null = null
    let a: number | null = null
    for (const g of grids) {
      const gt = target(`${i.code}|${g.id}`)
      const ga = actual(`${i.code}|${g.id}`)
      if (gt !== null) t = (t ?? 0) + gt
      if (ga !== null) a = (a ?? 0) + ga
      if (gt !== null || ga !== null) kpiByGrid.push(kpiRow(i, gt, ga, g))
    }
    if (t !== null || a !== null) kpiRows.push(kpiRow(i, t, a, null))
  }
  kpiByGrid.sort((x, y) => (x.gridCode! < y.gridCode! ? -1 : x.gridCode! > y.gridCode! ? 1 : 0))

  // --- Visits.
  const visitRows = repo.visitCounts(db, gridIds, startIso, endIso, range.start, range.end)
  const byPurpose = new Map<string, { done: number; sold: number }>()
  const byGrid = new Map<string, { planned: number; plannedDone: number; done: number }>()
  for (const r of visitRows) {
    const purpose = r.purpose ?? '—'
    const p = byPurpose.get(purpose) ?? { done: 0, sold: 0 }
    p.done += r.done
    p.sold += r.sold
    byPurpose.set(purpose, p)
    const g = byGrid.get(r.gridId) ?? { planned: 0, plannedDone: 0, done: 0 }
    g.planned += r.planned
    g.plannedDone += r.plannedDone
    g.done += r.done
    byGrid.set(r.gridId, g)
  }
  const planned = visitRows.reduce((s, r) => s + r.planned, 0)
  const plannedDone = visitRows.reduce((s, r) => s + r.plannedDone, 0)
  const done = visitRows.reduce((s, r) => s + r.done, 0)

  // --- A-tier coverage: visits in the 30 days up to asOf.
  const windowDay = new Date(Date.parse(`${asOf}T00:00:00Z`) - 29 * DAY).toISOString().slice(0, 10)
  const windowStart = localMidnightIso(windowDay)
  const coverageRows = repo.aTierCoverage(db, gridIds, windowStart, asOfEndIso)
  const aTier = coverageRows.reduce((s, r) => s + r.aTier, 0)
  const visited30d = coverageRows.reduce((s, r) => s + r.visited, 0)

  // --- Funnel.
  const funnelDb = new Map(repo.funnelCounts(db, gridIds, startIso, endIso).map((r) => [r.stage, r]))
  const funnelRows = funnelStages.map((stage, k) => {
    const reached = funnelStages.slice(k).reduce((s, st) => s + (funnelDb.get(st)?.current ?? 0), 0)
    return { stage, stageName: L.stage[stage], current: funnelDb.get(stage)?.current ?? 0, reached, conversion: null as number | null, movedIn: funnelDb.get(stage)?.movedIn ?? 0 }
  })
  funnelRows.forEach((r, k) => {
    if (k > 0) r.conversion = funnelRows[k - 1]!.reached > 0 ? r.reached / funnelRows[k - 1]!.reached : null
  })

  // --- Competitor intel and price comparison per rival.
  const intel = repo.intelSeen(db, gridIds, startIso, endIso).map((r) => ({ ...r, rivalName: L.rival[r.rival] ?? r.rival, kind: L.intelKind[r.kind as keyof typeof L.intelKind] ?? r.kind }))
  const avg = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null)
    return v.length ? round2(v.reduce((s, x) => s + x, 0) / v.length) : null
  }
  const prices = (['telecom', 'unicom', 'broadnet', 'other'] as const).flatMap((rival) => {
    const offers = intel.filter((r) => r.rival === rival && r.monthlyFee !== null)
    if (offers.length === 0) return []
    const fees = offers.map((r) => r.monthlyFee!)
    return [{
      rival, rivalName: L.rival[rival], offers: offers.length, minMonthlyFee: Math.min(...fees), avgMonthlyFee: avg(fees),
      avgDataGb: avg(offers.map((r) => r.dataGb)), avgFeePerGb: avg(offers.map((r) => (r.dataGb ? r.monthlyFee! / r.dataGb : null))),
      avgBroadbandMbps: avg(offers.map((r) => r.broadbandMbps)), avgDeviceSubsidy: avg(offers.map((r) => r.deviceSubsidy)),
    }]
  })

  // --- Village profile completeness.
  const villageRows = repo.villageProfiles(db, gridIds)
  const isFilled = (v: repo.VillageProfileRow, f: ProfileField) => isProfileFieldFilled(f, profileFieldValue(v, f))
  const profileRows: ProfileRow[] = villageRows.map((v) => {
    const missing = PROFILE_FIELDS.filter((f) => !isFilled(v, f))
    return {
      divisionCode: v.divisionCode, villageName: v.name, gridName: v.gridName, filled: PROFILE_FIELDS.length - missing.length, fields: PROFILE_FIELDS.length,
      completeness: (PROFILE_FIELDS.length - missing.length) / PROFILE_FIELDS.length, missing: missing.map((f) => L.profileField[f]),
    }
  })
  const byField = PROFILE_FIELDS.map((f) => {
    const filled = villageRows.filter((v) => isFilled(v, f)).length
    return { field: f, fieldName: L.profileField[f], filled, villages: villageRows.length, share: villageRows.length ? filled / villageRows.length : 0 }
  })
  profileRows.sort((a, b) => a.completeness - b.completeness || (a.divisionCode < b.divisionCode ? -1 : 1))

  // --- Objections and the answers that worked.
  const objectionMap = new Map<string, ReportModel['objections']['rows'][number]>()
  for (const r of repo.objectionCounts(db, gridIds, startIso, endIso)) {
    const o = objectionMap.get(r.code) ?? { code: r.code, name: options.lang === 'en' ? r.nameEn : r.nameZh, heard: 0, answered: 0, worked: 0, workedRate: null, bestAnswer: null, bestAnswerWorked: 0 }
    o.heard += r.heard
    o.answered += r.answered
    o.worked += r.worked
    if (r.answer && r.worked > o.bestAnswerWorked) {
      o.bestAnswer = r.answer
      o.bestAnswerWorked = r.worked
    }
    objectionMap.set(r.code, o)
  }
  const objectionRows = [...objectionMap.values()].map((o) => ({ ...o, workedRate: o.answered ? o.worked / o.answered : null })).sort((a, b) => b.heard - a.heard)

  // --- Work orders open and overdue as of the report's cut (period end, or now in a running period).
  const nowIso = now.toISOString()
  const orders = repo.overdueWorkOrders(db, gridIds, cutIso)
  const overdue = orders.rows.map((w) => ({
    ...w, status: L.woStatus[w.status as keyof typeof L.woStatus] ?? w.status, daysOverdue: Math.floor((Date.parse(cutIso) - Date.parse(w.dueAt)) / DAY),
  }))

  // --- Map: grids coloured by the first indicator with figures; villages as points.
  const mapIndicator = indicators.find((i) => kpiRows.some((r) => r.indicatorCode === i.code)) ?? null
  const mapGrids = grids.filter((g) => g.boundary).map((g) => {
    const row = kpiByGrid.find((r) => r.gridCode === g.code && r.indicatorCode === mapIndicator?.code)
    return { code: g.code, name: g.name, geometry: JSON.parse(g.boundary!), value: row?.actual ?? null, completion: row?.completion ?? null, light: row?.light ?? ('none' as const) }
  })
  const mapVillages = villageRows.filter((v) => v.lon !== null && v.lat !== null).map((v) => ({
    divisionCode: v.divisionCode, name: v.name, lon: v.lon!, lat: v.lat!, households: v.households, penetrationPct: v.penetrationPct,
  }))

  return {
    region: { code: region.code, name: region.name, level: region.level as 'county' | 'center' | 'grid', parentName: region.parentName },
    period, periodStart: range.start, periodEnd: range.end, asOf, generatedAt: nowIso,
    grids: grids.map((g) => ({ code: g.code, name: g.name })),
    generatedGeometry: grids.some((g) => g.geometrySource === 'generated'),
    kpi: { timeProgress: progress, rows: kpiRows, byGrid: kpiByGrid },
    visits: {
      planned, plannedDone, adHoc: done - plannedDone, done, plannedRate: planned ? plannedDone / planned : null,
      byPurpose: [...byPurpose].map(([purpose, p]) => ({ purpose, ...p })).filter((p) => p.done > 0).sort((a, b) => b.done - a.done),
      byGrid: grids.map((g) => ({ gridCode: g.code, gridName: g.name, ...(byGrid.get(g.id) ?? { planned: 0, plannedDone: 0, done: 0 }) })),
    },
    coverage: {
      aTier, visited30d, coverage: aTier ? visited30d / aTier : null, windowStart: windowDay,
      byGrid: coverageRows.map((r) => ({ gridCode: gridById.get(r.gridId)!.code, gridName: gridById.get(r.gridId)!.name, aTier: r.aTier, visited30d: r.visited, coverage: r.aTier ? r.visited / r.aTier : null }))
        .sort((a, b) => (a.gridCode < b.gridCode ? -1 : 1)),
    },
    funnel: { customers: funnelRows[0]!.reached, rows: funnelRows },
    intel: { rows: intel, prices },
    profiles: {
      villages: villageRows.length, completeness: profileRows.length ? profileRows.reduce((s, r) => s + r.filled, 0) / (profileRows.length * PROFILE_FIELDS.length) : null,
      byField, rows: profileRows,
    },
    objections: { heard: objectionRows.reduce((s, o) => s + o.heard, 0), rows: objectionRows },
    workOrders: { open: orders.open, overdue, asOfAt: cutIso },
    map: { indicatorCode: mapIndicator?.code ?? null, indicatorName: mapIndicator ? nameOf(mapIndicator) : null, grids: mapGrids, villages: mapVillages },
  }
}

/** The local calendar day of a moment, YYYY-MM-DD. */
export function localDay(at: Date): string {
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`
}
/** Local midnight at the start of a YYYY-MM-DD day, as a UTC ISO timestamp (how times are stored). */
export function localMidnightIso(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(y, m - 1, d).toISOString()
}
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().slice(0, 10)
}

function round2(x: number) {
  return Math.round(x * 100) / 100
}
