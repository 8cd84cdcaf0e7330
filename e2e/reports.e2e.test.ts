// The regional report in the app: pick a grid and a month, preview, export XLSX and PDF into the
// exports folder (a path outside it is refused); an existing file is never overwritten without asking.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

let app: Harness
let outDir: string

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  outDir = join(app.core.ctx.dataDir, 'exports')
})
afterAll(async () => {
  await app?.close()
})

describe('regional report', () => {
  it('previews the report of a grid for a month with the figures the core computes', async () => {
    const { page, core } = app
    const [grid] = await core.call('grids.list', { search: '451022-G03' })
    await page.goto(`${app.url}#/reports`)
    const region = page.getByTestId('report-region')
    await region.click()
    await region.fill('G03')
    await page.getByRole('option', { name: new RegExp(grid!.name) }).click()
    const periodInput = page.getByTestId('report-period')
    await periodInput.fill('2026-10')
    await page.getByRole('option', { name: '2026-10', exact: true }).click()
    const model = await core.call('reports.preview', { region: '451022-G03', period: '2026-10' })
    await page.getByText(`${model.region.name}（${model.region.code}） · ${model.period}`, { exact: false }).waitFor()
    for (const row of model.kpi.rows.slice(0, 3)) await page.getByRole('cell', { name: row.indicatorName, exact: true }).first().waitFor()
    await app.screenshot('10-report-preview')
  })

  it('exports XLSX and PDF to the chosen path in the exports folder, and refuses to overwrite without asking', async () => {
    const { page } = app
    const pathInput = page.getByTestId('report-path')
    // Browser mode writes only into the exports folder: elsewhere is refused, in words.
    const elsewhere = join(tmpdir(), `griddesk-report-e2e-${process.pid}.xlsx`)
    await pathInput.fill(elsewhere)
    await page.locator('[data-export="xlsx"]').click()
    await page.getByRole('alert').getByText(`请写到导出文件夹 ${outDir} 中`, { exact: false }).first().waitFor()
    expect(existsSync(elsewhere)).toBe(false)
    const target = join(outDir, 'g03_2026-10.xlsx')
    await pathInput.fill(target)
    await page.locator('[data-export="xlsx"]').click()
    await page.getByText('已导出', { exact: false }).waitFor()
    expect(statSync(target).size).toBeGreaterThan(5000)
    expect(readFileSync(target).subarray(0, 2).toString()).toBe('PK') // a zip: XLSX
    await page.locator('[data-export="pdf"]').click()
    await expect.poll(() => existsSync(target.replace(/xlsx$/, 'pdf'))).toBe(true)
    expect(readFileSync(target.replace(/xlsx$/, 'pdf')).subarray(0, 5).toString()).toBe('%PDF-')
    await app.screenshot('11-report-exported')

    const before = statSync(target).mtimeMs
    await page.locator('[data-export="xlsx"]').click()
    await page.getByRole('alert').getByText('已存在', { exact: false }).waitFor()
    expect(statSync(target).mtimeMs).toBe(before)
    await app.screenshot('12-report-exists')
  })

  it('saves the report as a saved report, runs it into a folder, and asks before overwriting', async () => {
    const { page, core } = app
    const folder = join(outDir, 'weekly')
    await page.getByTestId('saved-name').fill('祥周周报')
    await page.getByTestId('saved-folder').fill(folder)
    await page.getByTestId('saved-save').click()
    const row = page.locator('[data-saved-report="祥周周报"]')
    await row.waitFor()
    const [definition] = await core.call('reports.definitions.list', {})
    expect(definition).toMatchObject({ name: '祥周周报', region: '451022-G03', periodRule: 'previous_month', formats: ['xlsx', 'pdf'], folder })
    await row.getByRole('button', { name: '生成' }).click()
    const result = page.getByTestId('saved-result')
    await result.getByText('XLSX · 已生成', { exact: false }).waitFor()
    await result.getByText('PDF · 已生成', { exact: false }).waitFor()
    await app.screenshot('13-saved-report-run')
    // Run again: the files are there, so nothing is overwritten until the user says so.
    await row.getByRole('button', { name: '生成' }).click()
    await result.getByText('XLSX · 已存在，未覆盖', { exact: false }).waitFor()
    await result.getByRole('button', { name: '覆盖已存在的文件并重新生成' }).click()
    await result.getByText('XLSX · 已生成', { exact: false }).waitFor()
  })

  it('logged no page errors or failed requests', () => {
    expect(app.problems).toEqual([])
  })
})
