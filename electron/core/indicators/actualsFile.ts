// The billing system's (BOSS) export of actuals, CSV or XLSX: columns org unit code, indicator
// code, period, value (and optionally as_of). Every row is checked before anything is stored, and
// each problem is reported by spreadsheet row number (header = row 1) and column.
import { textProblem } from '../../../shared/rules'
import type { RowError } from '../../../shared/api/indicators'
import type { Table } from '../import/read'

export const actualColumns = {
  orgUnitCode: ['org_unit_code', 'unit_code', 'grid_code', 'org_unit', '网格编码', '单位编码', '组织编码', '区域编码', '网格代码'],
  indicatorCode: ['indicator_code', 'indicator', 'kpi_code', '指标编码', '指标代码', '指标'],
  period: ['period', 'month', '账期', '周期', '统计周期', '月份'],
  value: ['value', 'actual', '完成值', '数值', '实际值', '完成量'],
  asOf: ['as_of', 'asof', '统计日期', '数据日期', '截至日期'],
} as const
type Column = keyof typeof actualColumns
const REQUIRED: Column[] = ['orgUnitCode', 'indicatorCode', 'period', 'value']

export interface ParsedActual {
  row: number
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

export function parseActualsTable(
  table: Table,
  known: { orgUnitIdByCode: Map<string, string>; indicatorCodes: Set<string> },
): { rows: ParsedActual[]; errors: RowError[] } {
  const errors: RowError[] = []
  if (table.headers.length === 0 && table.rows.length === 0)
    return { rows: [], errors: [{ row: 1, field: '(file)', code: 'empty_file', problem: 'the file is empty' }] }
  const lower = table.headers.map((h) => h.trim().toLowerCase())
  const index = {} as Record<Column, number>
  for (const [col, aliases] of Object.entries(actualColumns) as [Column, readonly string[]][])
    index[col] = lower.findIndex((h) => aliases.some((a) => a.toLowerCase() === h))
  const missing = REQUIRED.filter((c) => index[c] < 0)
  if (missing.length)
    return {
      rows: [],
      errors: missing.map((c) => ({
        row: 1,
        field: c,
        code: 'missing_column',
        problem: `no column for ${c} (expected one of: ${actualColumns[c].join(', ')})`,
      })),
    }
  if (table.rows.length === 0) return { rows: [], errors: [{ row: 2, field: '(file)', code: 'empty_file', problem: 'the file has a header but no rows' }] }

  const rows: ParsedActual[] = []
  const seen = new Map<string, number>()
  table.rows.forEach((cells, i) => {
    const row = i + 2
    const cell = (c: Column) => (index[c] >= 0 ? (cells[index[c]] ?? '').trim() : '')
    const rowErrors: RowError[] = []
    const fail = (field: Column, code: RowError['code'], problem: string, value: string) => rowErrors.push({ row, field, code, problem, value })
    // Text the store cannot hold (shared/rules.ts): reported with its row and column, never stored.
    for (const column of Object.keys(index) as Column[]) {
      const broken = index[column] >= 0 ? textProblem(cells[index[column]] ?? '') : undefined
      if (broken) fail(column, broken, broken === 'nul_char' ? 'contains a NUL character' : 'contains a lone UTF-16 surrogate', '')
    }
    if (rowErrors.length) return void errors.push(...rowErrors)

    const unitCode = cell('orgUnitCode')
    const orgUnitId = known.orgUnitIdByCode.get(unitCode)
    if (!unitCode) fail('orgUnitCode', 'required', 'org unit code is empty', unitCode)
    else if (!orgUnitId) fail('orgUnitCode', 'unknown_org_unit', `unknown org unit code "${unitCode}"`, unitCode)

    const indicatorCode = cell('indicatorCode')
    if (!indicatorCode) fail('indicatorCode', 'required', 'indicator code is empty', indicatorCode)
    else if (!known.indicatorCodes.has(indicatorCode)) fail('indicatorCode', 'unknown_indicator', `unknown indicator code "${indicatorCode}"`, indicatorCode)

    const rawPeriod = cell('period')
    const period = normalisePeriod(rawPeriod)
    if (!rawPeriod) fail('period', 'required', 'period is empty', rawPeriod)
    else if (!period) fail('period', 'bad_period', `"${rawPeriod}" is not a period (2026-10, 202610, 2026-Q3 or 2026)`, rawPeriod)

    const rawValue = cell('value')
    const value = parseAmount(rawValue)
    if (!rawValue) fail('value', 'required', 'value is empty', rawValue)
    else if (value === null) fail('value', 'not_a_number', `"${rawValue}" is not a number`, rawValue)

    const rawAsOf = cell('asOf')
    const asOf = rawAsOf ? parseAsOf(rawAsOf) : null
    if (rawAsOf && !asOf) fail('asOf', 'bad_period', `"${rawAsOf}" is not a date (2026-10-15)`, rawAsOf)

    if (rowErrors.length === 0) {
      const key = `${unitCode}|${indicatorCode}|${period}`
      const first = seen.get(key)
      if (first !== undefined) fail('orgUnitCode', 'duplicate', `same org unit, indicator and period as row ${first}`, unitCode)
      else seen.set(key, row)
    }
    if (rowErrors.length) errors.push(...rowErrors)
    else rows.push({ row, orgUnitId: orgUnitId!, indicatorCode, period: period!, value: value!, asOf })
  })
  return { rows, errors }
}
