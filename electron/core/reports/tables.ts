// The report model laid out as titled tables with typed columns: XLSX sheets, PDF tables and
// CSV blocks are all rendered from this one layout, so the three formats cannot disagree.
import type { ReportModel } from '../../../shared/api/reports'
import { resources, type Language } from '../../../shared/i18n'
import type { Light } from '../../../shared/kpi'
import { labels } from './model'
import { dueDayOf } from '../../../shared/dates'

/** text; code (kept as text: NBS codes); int/number; pct (fraction 0..1); date (YYYY-MM-DD); light. */
export type ColumnKind = 'text' | 'code' | 'int' | 'number' | 'pct' | 'date' | 'light'
export type Cell = string | number | null
export interface Column {
  header: string
  kind: ColumnKind
  /** Relative width in the PDF (defaults by kind). */
  weight?: number
}
export interface ReportTable {
  /** Sheet name: short, unique, no []:*?/\ */
  key: string
  title: string
  columns: Column[]
  rows: Cell[][]
  /** What the section counts and as of when, printed under its title. */
  note: string
}

export function reportTables(m: ReportModel, lang: Language = 'zh-CN'): ReportTable[] {
  const L = labels(lang)
  const C = L.col
  const B = resources[lang].translation.reportBasis
  const U = resources[lang].translation.countUnit
  const fill = (template: string, params: Record<string, string | number>) => template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(params[k] ?? ''))
  const count = (unit: keyof typeof U, n: number) => fill(U[unit], { n: n.toLocaleString(lang) })
  const col = (header: string, kind: ColumnKind, weight?: number): Column => ({ header, kind, weight })
  // A day as such, or an instant's local day (a due instant is its day's end here).
  const day = (iso: string | null) => (iso ? dueDayOf(iso) : null)
  const cut = localStamp(m.workOrders.asOfAt, lang)
  const notes: Record<string, string> = {
    summary: fill(B.summary, { asOf: m.asOf, start: m.periodStart, end: m.periodEnd }),
    kpi: B.kpi, kpi_grid: B.kpiByGrid, visits: B.visits, visit_purpose: B.visitsByPurpose,
    coverage: fill(B.coverage, { from: m.coverage.windowStart, asOf: m.asOf }), funnel: B.funnel, intel: B.intel, prices: B.prices,
    profiles: B.profiles, profile_fields: B.profileFields, objections: B.objections, work_orders: fill(B.workOrders, { cut, open: m.workOrders.open }),
  }
  return ([
    {
      key: 'summary', title: L.section.summary,
      columns: [col(C.item, 'text', 2), col(C.value, 'text', 3)],
      rows: [
        [L.region, `${m.region.name}（${m.region.code}）`],
        [C.level, L.level[m.region.level]],
        [L.period, `${m.period}（${m.periodStart} — ${m.periodEnd}）`],
        [L.asOf, m.asOf],
        [C.timeProgress, pctText(m.kpi.timeProgress)],
        [L.grids, count('grids', m.grids.length)],
        [L.summary.villages, count('villages', m.profiles.villages)],
        [L.summary.visitsDone, count('visits', m.visits.done)],
        [L.summary.aTier, `${m.coverage.visited30d.toLocaleString(lang)} / ${count('customers', m.coverage.aTier)}`],
        [L.summary.intel, count('items', m.intel.rows.length)],
        [L.summary.overdue, count('orders', m.workOrders.overdue.length)],
        [L.summary.completeness, m.profiles.completeness === null ? '—' : pctText(m.profiles.completeness)],
      ],
    },
    {
      key: 'kpi', title: L.section.kpi,
      columns: [col(C.indicator, 'text', 2.2), col(C.unit, 'text', 0.8), col(C.target, 'number'), col(C.actual, 'number'), col(C.completion, 'pct'),
        col(C.timeProgress, 'pct'), col(C.gap, 'number'), col(C.light, 'light')],
      rows: m.kpi.rows.map((r) => [r.indicatorName, r.unit, r.target, r.actual, r.completion, r.timeProgress, r.gapPp, r.light]),
    },
    {
      key: 'kpi_grid', title: L.section.kpiByGrid,
      columns: [col(C.gridCode, 'code', 1.4), col(C.grid, 'text', 1.8), col(C.indicator, 'text', 1.8), col(C.target, 'number', 0.9), col(C.actual, 'number', 0.9),
        col(C.completion, 'pct', 0.9), col(C.gap, 'number', 0.9), col(C.light, 'light')],
      rows: m.kpi.byGrid.map((r) => [r.gridCode, r.gridName, r.indicatorName, r.target, r.actual, r.completion, r.gapPp, r.light]),
    },
    {
      key: 'visits', title: L.section.visits,
      columns: [col(C.gridCode, 'code', 1.4), col(C.grid, 'text', 2), col(C.planned, 'int'), col(C.plannedDone, 'int'), col(C.done, 'int'), col(C.plannedRate, 'pct')],
      rows: m.visits.done + m.visits.planned === 0 ? [] : [
        ...m.visits.byGrid.map((g) => [g.gridCode, g.gridName, g.planned, g.plannedDone, g.done, g.planned ? g.plannedDone / g.planned : null] as Cell[]),
        [null, m.region.name, m.visits.planned, m.visits.plannedDone, m.visits.done, m.visits.plannedRate],
      ],
    },
    {
      key: 'visit_purpose', title: L.section.visitsByPurpose,
      columns: [col(C.purpose, 'text', 2), col(C.done, 'int'), col(C.sold, 'int')],
      rows: m.visits.byPurpose.map((p) => [p.purpose, p.done, p.sold]),
    },
    {
      key: 'coverage', title: L.section.coverage,
      columns: [col(C.gridCode, 'code', 1.4), col(C.grid, 'text', 2), col(C.aTier, 'int'), col(C.visited30d, 'int'), col(C.coverage, 'pct')],
      rows: m.coverage.aTier === 0 ? [] : [
        ...m.coverage.byGrid.map((g) => [g.gridCode, g.gridName, g.aTier, g.visited30d, g.coverage] as Cell[]),
        [null, m.region.name, m.coverage.aTier, m.coverage.visited30d, m.coverage.coverage],
      ],
    },
    {
      key: 'funnel', title: L.section.funnel,
      columns: [col(C.stage, 'text'), col(C.current, 'int'), col(C.reached, 'int'), col(C.conversion, 'pct'), col(C.movedIn, 'int')],
      rows: m.funnel.customers === 0 ? [] : m.funnel.rows.map((r) => [r.stageName, r.current, r.reached, r.conversion, r.movedIn]),
    },
    {
      key: 'intel', title: L.section.intel,
      columns: [col(C.seenAt, 'date', 1.1), col(C.rival, 'text', 0.8), col(C.kind, 'text', 0.9), col(C.titleCol, 'text', 1.8), col(C.village, 'text', 1.6),
        col(C.monthlyFee, 'number', 0.8), col(C.dataGb, 'number', 0.8), col(C.broadbandMbps, 'int', 0.9), col(C.contractMonths, 'int', 0.8),
        col(C.deviceSubsidy, 'number', 0.9), col(C.threat, 'int', 0.7), col(C.response, 'text', 2)],
      rows: m.intel.rows.map((r) => [day(r.seenAt), r.rivalName, r.kind, r.title, r.villageName, r.monthlyFee, r.dataGb, r.broadbandMbps, r.contractMonths, r.deviceSubsidy, r.threatLevel, r.suggestedResponse]),
    },
    {
      key: 'prices', title: L.section.prices,
      columns: [col(C.rival, 'text'), col(C.offers, 'int'), col(C.minFee, 'number'), col(C.avgFee, 'number'), col(C.avgData, 'number'), col(C.feePerGb, 'number'),
        col(C.avgMbps, 'number'), col(C.avgSubsidy, 'number')],
      rows: m.intel.prices.map((p) => [p.rivalName, p.offers, p.minMonthlyFee, p.avgMonthlyFee, p.avgDataGb, p.avgFeePerGb, p.avgBroadbandMbps, p.avgDeviceSubsidy]),
    },
    {
      key: 'profiles', title: L.section.profiles,
      columns: [col(C.divisionCode, 'code', 1.5), col(C.village, 'text', 1.8), col(C.grid, 'text', 1.5), col(C.filled, 'int', 0.7), col(C.fields, 'int', 0.7),
        col(C.completeness, 'pct', 0.8), col(C.missing, 'text', 2.5)],
      rows: m.profiles.rows.map((r) => [r.divisionCode, r.villageName, r.gridName, r.filled, r.fields, r.completeness, r.missing.join('、')]),
    },
    {
      key: 'profile_fields', title: `${L.section.profiles} · ${C.field}`,
      columns: [col(C.field, 'text', 2), col(C.filled, 'int'), col(C.villages, 'int'), col(C.share, 'pct')],
      rows: m.profiles.villages === 0 ? [] : m.profiles.byField.map((f) => [f.fieldName, f.filled, f.villages, f.share]),
    },
    {
      key: 'objections', title: L.section.objections,
      columns: [col(C.objection, 'text', 1.2), col(C.heard, 'int', 0.8), col(C.answered, 'int', 0.8), col(C.worked, 'int', 0.8), col(C.workedRate, 'pct', 0.8), col(C.bestAnswer, 'text', 3.2)],
      rows: m.objections.rows.map((o) => [o.name, o.heard, o.answered, o.worked, o.workedRate, o.bestAnswer]),
    },
    {
      key: 'work_orders', title: L.section.workOrders,
      columns: [col(C.titleWo, 'text', 1.4), col(C.gridCode, 'code', 1.3), col(C.grid, 'text', 1.6), col(C.customer, 'text'), col(C.assignee, 'text'), col(C.status, 'text', 0.8),
        col(C.dueAt, 'date'), col(C.daysOverdue, 'int', 0.8)],
      rows: m.workOrders.overdue.map((w) => [w.title, w.gridCode, w.gridName, w.customerName, w.assignee, w.status, day(w.dueAt), w.daysOverdue]),
    },
  ] satisfies Omit<ReportTable, 'note'>[]).map((t) => ({ ...t, note: notes[t.key] ?? '' }))
}

/** A stored UTC timestamp as the computer's local time, with its UTC offset: 2026-11-30 18:05（本机时间 UTC+08:00）. */
export function localStamp(iso: string, lang: Language = 'zh-CN'): string {
  const at = new Date(iso)
  const two = (n: number) => String(n).padStart(2, '0')
  const time = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}`
  const minutes = -at.getTimezoneOffset()
  const offset = `${minutes < 0 ? '−' : '+'}${two(Math.floor(Math.abs(minutes) / 60))}:${two(Math.abs(minutes) % 60)}`
  return resources[lang].translation.reportBasis.localTime.replace('{{time}}', time).replace('{{offset}}', offset)
}

// One formatter for every number cell: Number.toLocaleString with options builds a new one on each
// call, which a county's tables (tens of thousands of cells) felt as a third of a second per format.
const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })

/** A number as the tables show it: thousands separated, at most two decimals. */
export function numberText(n: number): string {
  return numberFormat.format(n)
}

export function pctText(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`
}

export function lightWord(light: Light, lang: Language = 'zh-CN'): string {
  return labels(lang).light[light]
}

export const LIGHT_COLOURS: Record<Light, string> = { green: '2E9E44', yellow: 'F2C230', red: 'D93A2B', none: 'BFBFBF' }
