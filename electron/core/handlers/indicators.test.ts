import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportIssue } from '../../../shared/api/imports'
import { errorText } from '../../../shared/i18n/errorText'
import { AppError } from '../../../shared/errors'
import { openTestCore } from '../testing'

type TestCore = ReturnType<typeof openTestCore>
const G = (n: number) => `451022-G${String(n).padStart(2, '0')}`

function count(core: TestCore, table: string, where = '1=1'): number {
  return (core.ctx.db.$client.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n
}
async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

let core: TestCore
beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 60, visits: 200 })
})
afterAll(() => core?.dispose())

describe('indicators and the dashboard’s traffic lights', () => {
  it('lists the catalogue with direction and thresholds', async () => {
    const list = await core.call('indicators.list', {})
    expect(list.map((i) => i.code)).toContain('churn')
    expect(list.find((i) => i.code === 'churn')).toMatchObject({ direction: 'lower_better', yellowBelowPp: -5, redBelowPp: -15 })
  })

  it('colours a grid at the first and last day of the month (more is better)', async () => {
    await core.call('targets.set', { indicatorCode: 'new_mobile', orgUnitCode: G(1), period: '2030-10', value: 310 })
    const cell = async (asOf: string) =>
      (await core.call('dashboard.get', { region: G(1), period: '2030-10', asOf, indicatorCodes: ['new_mobile'] })).rows[0]!.cells.new_mobile!
    // Day 1: 1/31 of the month elapsed; nothing done yet is only 3.23 pp behind → green.
    expect(await cell('2030-10-01')).toMatchObject({ target: 310, actual: null, gapPp: -3.23, light: 'green' })
    await core.call('actuals.record', { indicatorCode: 'new_mobile', orgUnitCode: G(1), period: '2030-10', value: 300, asOf: '2030-10-31T10:00:00Z' })
    // The actual recorded on the 31st is not visible as of the 1st.
    expect((await cell('2030-10-01')).actual).toBeNull()
    // Last day: 300/310 = 96.77% against 100% → −3.23 pp → green.
    expect(await cell('2030-10-31')).toMatchObject({ actual: 300, gapPp: -3.23, light: 'green', gapToPace: 10 })
    await core.call('actuals.record', { indicatorCode: 'new_mobile', orgUnitCode: G(1), period: '2030-10', value: 290, asOf: '2030-10-31T11:00:00Z' })
    expect(await cell('2030-10-31')).toMatchObject({ actual: 290, gapPp: -6.45, light: 'yellow' }) // the latest as_of wins
    await core.call('actuals.record', { indicatorCode: 'new_mobile', orgUnitCode: G(1), period: '2030-10', value: 263, asOf: '2030-10-31T12:00:00Z' })
    expect(await cell('2030-10-31')).toMatchObject({ light: 'red' }) // 84.84% → −15.16 pp
    const history = await core.call('actuals.history', { indicatorCode: 'new_mobile', orgUnitCode: G(1), period: '2030-10' })
    expect(history.map((h) => h.value)).toEqual([263, 290, 300])
  })

  it('reads less-is-better targets as ceilings and handles zero targets', async () => {
    await core.call('targets.set', { indicatorCode: 'churn', orgUnitCode: G(2), period: '2030-10', value: 100 })
    await core.call('targets.set', { indicatorCode: 'complaints', orgUnitCode: G(2), period: '2030-10', value: 0 })
    const cells = async () => (await core.call('dashboard.get', { region: G(2), period: '2030-10', asOf: '2030-10-16' })).rows[0]!.cells
    // 16/31 = 51.61% of the month gone; 40 churned of a ceiling of 100 → 11.61 pp under → green.
    await core.call('actuals.record', { indicatorCode: 'churn', orgUnitCode: G(2), period: '2030-10', value: 40, asOf: '2030-10-15T00:00:00Z' })
    expect((await cells()).churn).toMatchObject({ gapPp: 11.61, light: 'green' })
    await core.call('actuals.record', { indicatorCode: 'churn', orgUnitCode: G(2), period: '2030-10', value: 60, asOf: '2030-10-16T00:00:00Z' })
    expect((await cells()).churn).toMatchObject({ gapPp: -8.39, light: 'yellow', gapToPace: 8.39 })
    expect((await cells()).complaints).toMatchObject({ target: 0, light: 'green' })
    await core.call('actuals.record', { indicatorCode: 'complaints', orgUnitCode: G(2), period: '2030-10', value: 1, asOf: '2030-10-16T00:00:00Z' })
    expect((await cells()).complaints).toMatchObject({ light: 'red', completion: null })
  })

  it('rolls grids up to centers and the county, and months up to quarters', async () => {
    for (const [m, v] of [
      ['2031-01', 10],
      ['2031-02', 20],
      ['2031-03', 30],
    ] as const) {
      await core.call('targets.set', { indicatorCode: 'terminal_sales', orgUnitCode: G(1), period: m, value: v })
      await core.call('targets.set', { indicatorCode: 'terminal_sales', orgUnitCode: G(2), period: m, value: v * 2 })
    }
    await core.call('actuals.record', { indicatorCode: 'terminal_sales', orgUnitCode: G(1), period: '2031-01', value: 12 })
    const d = await core.call('dashboard.get', { region: '451022', period: '2031-Q1', asOf: '2031-03-31', indicatorCodes: ['terminal_sales'] })
    expect(d.rows[0]).toMatchObject({ code: '451022', level: 'county' })
    expect(d.rows.filter((r) => r.level === 'center')).toHaveLength(4)
    expect(d.rows.filter((r) => r.level === 'grid')).toHaveLength(12)
    const g1 = d.rows.find((r) => r.code === G(1))!
    expect(g1.cells.terminal_sales).toMatchObject({ target: 60, actual: 12 })
    const center = d.rows.find((r) => r.code === g1.parentCode)!
    const g2center = d.rows.find((r) => r.code === d.rows.find((x) => x.code === G(2))!.parentCode)!
    expect(d.rows[0]!.cells.terminal_sales!.target).toBe(180)
    if (center === g2center) expect(center.cells.terminal_sales!.target).toBe(180)
    else expect(center.cells.terminal_sales!.target).toBe(60)
    expect(d.rows[0]!.worst).toBe('red')
  })

  it('uses the indicator’s own thresholds, which can be changed', async () => {
    await core.call('indicators.setThresholds', { code: 'new_mobile', yellowBelowPp: -20, redBelowPp: -40 })
    const d = await core.call('dashboard.get', { region: G(1), period: '2030-10', asOf: '2030-10-31', indicatorCodes: ['new_mobile'] })
    expect(d.rows[0]!.cells.new_mobile!.light).toBe('green')
    const err = await failure(core.call('indicators.setThresholds', { code: 'new_mobile', yellowBelowPp: -20, redBelowPp: -10 }))
    expect(err.code).toBe('VALIDATION')
    await core.call('indicators.setThresholds', { code: 'new_mobile', yellowBelowPp: -5, redBelowPp: -15 })
  })

  it('rejects unknown regions and indicators', async () => {
    expect((await failure(core.call('dashboard.get', { region: 'nope', period: '2030-10' }))).code).toBe('NOT_FOUND')
    expect((await failure(core.call('dashboard.get', { region: '451022', period: '2030-13' }))).code).toBe('VALIDATION')
    expect((await failure(core.call('dashboard.get', { region: '451022', period: '2030-10', indicatorCodes: ['x'] }))).code).toBe('NOT_FOUND')
  })
})

describe('decomposing a target', () => {
  it('splits the county by households to centers and a center equally to grids, summing exactly', async () => {
    const byHouseholds = await core.call('targets.split', {
      indicatorCode: 'broadband_net',
      parentCode: '451022',
      period: '2032-01',
      parentValue: 1001,
      method: 'households',
    })
    expect(byHouseholds.children).toHaveLength(4)
    expect(byHouseholds.children.reduce((a, c) => a + c.value, 0)).toBe(1001)
    expect(byHouseholds.children.every((c) => Number.isInteger(c.value))).toBe(true)
    const totalHh = byHouseholds.children.reduce((a, c) => a + c.weight, 0)
    for (const c of byHouseholds.children) expect(Math.abs(c.value - (1001 * c.weight) / totalHh)).toBeLessThan(1)
    const center = byHouseholds.children[0]!
    const equal = await core.call('targets.split', { indicatorCode: 'broadband_net', parentCode: center.code, period: '2032-01', method: 'equal' })
    expect(equal.parent.target).toBe(center.value)
    expect(equal.children.reduce((a, c) => a + c.value, 0)).toBe(center.value)
    expect(Math.max(...equal.children.map((c) => c.value)) - Math.min(...equal.children.map((c) => c.value))).toBeLessThanOrEqual(1)
    const stored = await core.call('targets.list', { region: '451022', period: '2032-01', indicatorCode: 'broadband_net' })
    expect(stored.length).toBe(1 + 4 + equal.children.length)
  })

  it('splits by last year’s share of actuals', async () => {
    const now = new Date()
    const thisMonth = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`
    const nextYear = `${now.getFullYear() + 1}${thisMonth.slice(4)}`
    const split = await core.call('targets.split', {
      indicatorCode: 'new_mobile',
      parentCode: '451022',
      period: nextYear,
      parentValue: 500,
      method: 'last_year_share',
      dryRun: true,
    })
    expect(split.stored).toBe(false)
    expect(split.children.reduce((a, c) => a + c.value, 0)).toBe(500)
    expect(split.children.every((c) => c.weight > 0)).toBe(true)
    expect(count(core, 'targets', `period = '${nextYear}'`)).toBe(0)
  })

  it('accepts hand adjustments that keep the sum and rejects those that do not, storing nothing', async () => {
    const proposal = await core.call('targets.split', {
      indicatorCode: 'group_revenue',
      parentCode: '451022',
      period: '2032-02',
      parentValue: 100,
      method: 'equal',
      dryRun: true,
    })
    expect(proposal.children.map((c) => c.value)).toEqual([25, 25, 25, 25])
    const [a, b] = proposal.children
    const before = count(core, 'outbox')
    const err = await failure(
      core.call('targets.split', {
        indicatorCode: 'group_revenue',
        parentCode: '451022',
        period: '2032-02',
        parentValue: 100,
        method: 'equal',
        values: { [a!.code]: 30 },
      }),
    )
    expect(err.code).toBe('VALIDATION')
    expect(err.message).toMatch(/add up to 105 .* 100 \(\+5\)/)
    expect(err.issues?.[0]?.path).toEqual(['values'])
    expect(count(core, 'outbox')).toBe(before)
    expect(count(core, 'targets', `period = '2032-02'`)).toBe(0)
    const ok = await core.call('targets.split', {
      indicatorCode: 'group_revenue',
      parentCode: '451022',
      period: '2032-02',
      parentValue: 100,
      method: 'equal',
      values: { [a!.code]: 30, [b!.code]: 20 },
    })
    expect(ok.children.map((c) => c.value)).toEqual([30, 20, 25, 25])
    expect(count(core, 'outbox')).toBe(before + 5)
    const adjusted = core.ctx.db.$client.prepare(`SELECT split_method AS m FROM targets WHERE period = '2032-02' ORDER BY m`).all() as { m: string }[]
    expect(adjusted.map((r) => r.m)).toEqual(['equal', 'equal', 'manual', 'manual', 'manual'])
    expect((await failure(core.call('targets.split', { indicatorCode: 'group_revenue', parentCode: G(1), period: '2032-02' }))).code).toBe('VALIDATION')
  })
})

describe('importing actuals from the billing export', () => {
  it('rejects a bad file with row-level errors and changes nothing', async () => {
    const file = join(core.dataDir, 'bad.csv')
    writeFileSync(
      file,
      [
        'org_unit_code,indicator_code,period,value',
        `${G(3)},new_mobile,2030-11,12`,
        `451022-G99,new_mobile,2030-11,5`,
        `${G(3)},no_such,2030-11,5`,
        `${G(3)},churn,2030-13,5`,
        `${G(4)},churn,2030-11,abc`,
        `${G(3)},new_mobile,2030-11,13`,
      ].join('\n'),
    )
    const before = { actuals: count(core, 'actuals'), outbox: count(core, 'outbox') }
    const err = await failure(core.call('import.commit', { kind: 'actuals', source: { path: file } }))
    expect(err.code).toBe('VALIDATION')
    const issues = (err.details as { importIssues: ImportIssue[] }).importIssues
    expect(issues.map((e) => [e.row, e.field, e.code, e.params])).toEqual([
      [2, 'orgUnitCode', 'unknown_org_unit', { value: '451022-G99' }],
      [3, 'indicatorCode', 'unknown_indicator', { value: 'no_such' }],
      [4, 'period', 'bad_period', { value: '2030-13' }],
      [5, 'value', 'not_a_number', { value: 'abc' }],
      [6, 'orgUnitCode', 'duplicate_actual', { value: `${G(3)} new_mobile 2030-11`, other: 1 }],
    ])
    expect(err.issues?.[0]?.path).toEqual(['bad.csv', 2, 'orgUnitCode'])
    expect({ actuals: count(core, 'actuals'), outbox: count(core, 'outbox') }).toEqual(before)
    // Every problem reads in both languages, with its row and column.
    expect(errorText('zh-CN', { ok: false, error: err.toBody() })).toContain('bad.csv 第4行 [账期]: 「2030-13」不是有效账期')
    expect(errorText('en', { ok: false, error: err.toBody() })).toContain('Same org unit, indicator and period as row 1')
    // 'skip' writes the one good row and reports the rest.
    const skipped = await core.call('import.commit', { kind: 'actuals', source: { path: file }, onInvalid: 'skip' })
    expect(skipped).toMatchObject({ inserted: 1, skipped: 5 })
    expect(count(core, 'actuals')).toBe(before.actuals + 1)
  })

  it('reports a missing column once, on the header row', async () => {
    const file = join(core.dataDir, 'nocol.csv')
    writeFileSync(file, `org_unit_code,period,value\n${G(3)},2030-11,1\n`)
    const err = await failure(core.call('import.commit', { kind: 'actuals', source: { path: file } }))
    expect((err.details as { importIssues: ImportIssue[] }).importIssues).toEqual([
      expect.objectContaining({ row: null, field: 'indicatorCode', code: 'missing_column' }),
    ])
  })

  it('stores a good CSV (GB18030, Chinese headers, 账期 202611) with one outbox entry per row', async () => {
    const text = ['网格编码,指标编码,账期,完成值', `${G(3)},new_mobile,203011,"1,234"`, `${G(4)},churn,2030-11,7`].join('\r\n')
    const file = join(core.dataDir, '实际完成.csv')
    writeFileSync(file, iconv.encode(text, 'gb18030'))
    const before = count(core, 'outbox', `table_name = 'actuals'`)
    const result = await core.call('import.commit', { kind: 'actuals', source: { path: file } })
    expect(result).toMatchObject({ inserted: 2, updated: 0 })
    expect(count(core, 'outbox', `table_name = 'actuals'`)).toBe(before + 2)
    const d = await core.call('dashboard.get', { region: G(3), period: '2030-11', asOf: '9999-12-31', indicatorCodes: ['new_mobile'] })
    expect(d.rows[0]!.cells.new_mobile!.actual).toBe(1234)
    expect(count(core, 'actuals', `source = 'import:实际完成.csv'`)).toBe(2)
  })

  it('reads XLSX, uploaded as bytes, and previews without storing', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('BOSS')
    ws.addRow(['org_unit_code', 'indicator_code', 'period', 'value'])
    ws.addRow([G(5), 'terminal_sales', '2030-12', 9])
    ws.addRow([G(6), 'terminal_sales', new Date(Date.UTC(2030, 11, 1)), 4.5])
    const base64 = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64')
    const before = count(core, 'actuals')
    const preview = await core.call('import.preview', { kind: 'actuals', source: { fileName: 'boss.xlsx', base64 } })
    expect(preview).toMatchObject({ totalRows: 2, validRows: 2, issues: [] })
    expect(preview.sample.map((r) => r.period)).toEqual(['2030-12', '2030-12'])
    expect(count(core, 'actuals')).toBe(before)
    await core.call('import.commit', { kind: 'actuals', source: { fileName: 'boss.xlsx', base64 } })
    expect(count(core, 'actuals')).toBe(before + 2)
  })
})

describe('every write is recorded in the outbox', () => {
  it('targets.set and actuals.record write their rows and outbox entries together', async () => {
    const before = count(core, 'outbox')
    const t = await core.call('targets.set', { indicatorCode: 'migration_5g', orgUnitCode: G(7), period: '2033-01', value: 40 })
    await core.call('targets.set', { indicatorCode: 'migration_5g', orgUnitCode: G(7), period: '2033-01', value: 41 })
    const a = await core.call('actuals.record', { indicatorCode: 'migration_5g', orgUnitCode: G(7), period: '2033-01', value: 3 })
    const rows = core.ctx.db.$client.prepare(`SELECT table_name, row_id, op, fields FROM outbox WHERE device_seq > ? ORDER BY device_seq`).all(before) as {
      table_name: string
      row_id: string
      op: string
      fields: string
    }[]
    expect(rows.map((r) => [r.table_name, r.row_id, r.op])).toEqual([
      ['targets', t.id, 'insert'],
      ['targets', t.id, 'update'],
      ['actuals', a.id, 'insert'],
    ])
    expect(JSON.parse(rows[1]!.fields)).toEqual({ value: 41 })
  })
})
