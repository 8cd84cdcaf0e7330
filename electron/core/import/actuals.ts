// Indicator actuals from the billing system's (BOSS) export, CSV or XLSX, by the same rules as
// every other import (an import job: pipeline.ts): columns mapped by header (Chinese or English,
// or by hand), every row checked against the store's org units and indicators, every problem
// reported by row and field, then all rows written or none (or the valid ones, when asked) in one
// transaction through the outbox.
import type { ImportIssue } from '../../../shared/api/imports'
import { textProblem } from '../../../shared/rules'
import type { Db, Tx } from '../db/client'
import type { ChangeContext } from '../db/repos/changes'
import { insertActual, listIndicators, orgUnitIdsByCode } from '../db/repos/indicators'
import { checkColumns, mapColumns, targetFields, type Table } from './read'

export const actualImportFields = {
  orgUnitCode: { aliases: ['org_unit_code', 'unit_code', 'grid_code', 'org_unit', '网格编码', '单位编码', '组织编码', '区域编码', '网格代码'] },
  indicatorCode: { aliases: ['indicator_code', 'indicator', 'kpi_code', '指标编码', '指标代码', '指标'] },
  period: { aliases: ['period', 'month', '账期', '周期', '统计周期', '月份'] },
  value: { aliases: ['value', 'actual', '完成值', '数值', '实际值', '完成量'] },
  asOf: { aliases: ['as_of', 'asof', '统计日期', '数据日期', '截至日期'] },
} satisfies Record<string, { aliases: string[] }>
type Field = keyof typeof actualImportFields
const REQUIRED: Field[] = ['orgUnitCode', 'indicatorCode', 'period', 'value']
export const actualTargets = targetFields(actualImportFields, REQUIRED)

export interface ActualImportRow {
  row: number
  orgUnitCode: string
  orgUnitId: string
  indicatorCode: string
  period: string
  value: number
  asOf: string | null
}

/**
 * Normalises a period as billing exports write it: 2026-10, 202610 (账期), 2026/10, 2026年10月,
 * 2026-10-01 (a spreadsheet that turned the month into a date), 2026-Q3, 2026Q3, 2026.
 */
export function normalisePeriod(raw: string): string | null {
  const s = raw.trim().replace(/\s+/g, '')
  let m = /^(\d{4})[-/.年]?(0?[1-9]|1[0-2])月?$/.exec(s)
  if (m && !(s.length === 5 && !/[-/.年]/.test(s))) return `${m[1]}-${m[2]!.padStart(2, '0')}`
  if ((m = /^(\d{4})-(\d{2})-01$/.exec(s)) && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}-${m[2]}`
  if ((m = /^(\d{4})-?[Qq]([1-4])$/.exec(s))) return `${m[1]}-Q${m[2]}`
  if ((m = /^(\d{4})年?$/.exec(s))) return m[1]!
  return null
}

/** A number as spreadsheets and exports write it: 1,234.5, ' 12 ', −3 (full-width minus too). */
export function parseAmount(raw: string): number | null {
  const s = raw
    .trim()
    .replace(/[,，\s]/g, '')
    .replace(/^[−－]/, '-')
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return null
  const n = Number(s)
  return Number.isFinite(n) ? n : null
}

function parseAsOf(raw: string): string | null {
  const s = raw.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))) return `${s}T00:00:00.000Z`
  const t = Date.parse(s)
  return /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(t) ? new Date(t).toISOString() : null
}

/** Checks every row of an actuals file against the store; rows with a problem are left out of `rows`. */
export function validateActuals(db: Db, file: string, table: Table, override: Record<string, string>) {
  const issues: ImportIssue[] = []
  const issue = (row: number | null, field: string | null, code: ImportIssue['code'], params: ImportIssue['params'] = {}) =>
    issues.push({ file, row, field, code, params })
  const mapping = mapColumns(table.headers, actualImportFields, override)
  const index = checkColumns(table, mapping, actualImportFields, REQUIRED, issue)
  if (!index) return { mapping, rows: [] as ActualImportRow[], issues }
  const units = orgUnitIdsByCode(db)
  const indicators = new Set(listIndicators(db).map((i) => i.code))
  const firstRowOf = new Map<string, number>()
  const rows: ActualImportRow[] = []
  table.rows.forEach((cells, i) => {
    const row = i + 1
    const before = issues.length
    const cell = (field: Field) => (index[field] === undefined ? '' : (cells[index[field]] ?? '').trim())
    for (const field of Object.keys(index) as Field[]) {
      const broken = textProblem(cells[index[field]!] ?? '')
      if (broken) issue(row, field, broken)
    }
    if (issues.length > before) return
    const required = (field: Field) => {
      const value = cell(field)
      if (!value) issue(row, field, 'required')
      return value
    }
    const orgUnitCode = required('orgUnitCode')
    const orgUnitId = units.get(orgUnitCode)
    if (orgUnitCode && !orgUnitId) issue(row, 'orgUnitCode', 'unknown_org_unit', { value: orgUnitCode })
    const indicatorCode = required('indicatorCode')
    if (indicatorCode && !indicators.has(indicatorCode)) issue(row, 'indicatorCode', 'unknown_indicator', { value: indicatorCode })
    const rawPeriod = required('period')
    const period = normalisePeriod(rawPeriod)
    if (rawPeriod && !period) issue(row, 'period', 'bad_period', { value: rawPeriod })
    const rawValue = required('value')
    const value = parseAmount(rawValue)
    if (rawValue && value === null) issue(row, 'value', 'not_a_number', { value: rawValue })
    const rawAsOf = cell('asOf')
    const asOf = rawAsOf ? parseAsOf(rawAsOf) : null
    if (rawAsOf && !asOf) issue(row, 'asOf', 'date_format', { value: rawAsOf })
    if (issues.length > before) return
    const key = `${orgUnitCode}|${indicatorCode}|${period}`
    const first = firstRowOf.get(key)
    if (first !== undefined) return void issue(row, 'orgUnitCode', 'duplicate_actual', { value: `${orgUnitCode} ${indicatorCode} ${period}`, other: first })
    firstRowOf.set(key, row)
    rows.push({ row, orgUnitCode, orgUnitId: orgUnitId!, indicatorCode, period: period!, value: value!, asOf })
  })
  if (table.rows.length === 0 && issues.length === 0) issue(null, null, 'empty_file')
  return { mapping, rows, issues }
}

/** Writes checked rows (the caller's transaction): one actual each, as of its date or now, its source the file. */
export function writeActuals(tx: Tx, cx: ChangeContext, file: string, rows: ActualImportRow[]): { inserted: number; updated: number; unchanged: number } {
  const now = cx.now()
  for (const r of rows)
    insertActual(tx, cx, {
      indicatorCode: r.indicatorCode,
      orgUnitId: r.orgUnitId,
      period: r.period,
      value: r.value,
      asOf: r.asOf ?? now,
      source: `import:${file}`,
    })
  return { inserted: rows.length, updated: 0, unchanged: 0 }
}

export const actualSample = (rows: ActualImportRow[]) =>
  rows.slice(0, 20).map((r) => ({ row: r.row, orgUnitCode: r.orgUnitCode, indicatorCode: r.indicatorCode, period: r.period, value: r.value, asOf: r.asOf }))
