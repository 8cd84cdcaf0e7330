// Indicators in the browser: a billing export makes one grid fall well behind on churn (a
// less-is-better indicator) this period; the grid turns red on the dashboard and on the map, the
// analysis explains it as an anomaly, and a work order is created from the alert. A bad export
// lists its row errors and changes nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Dashboard } from '../shared/api/indicators'
import { startHarness, type Harness } from './harness'

let app: Harness
let dir: string
let county: string
let period: string
let grid: { code: string; name: string; target: number }
const INDICATOR = 'churn'

const dashboard = (): Promise<Dashboard> => app.core.call('dashboard.get', { region: county, period })
const cellOf = (d: Dashboard, code: string) => d.rows.find((r) => r.code === code)!.cells[INDICATOR]!

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  dir = mkdtempSync(join(tmpdir(), 'griddesk-indicators-e2e-'))
  county = (await app.core.call('orgUnits.list', {})).find((u) => u.level === 'county')!.code
  const now = new Date()
  period = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`
  // Early in a month nothing can be "well behind" yet; then the test works on last month.
  if ((await dashboard()).timeProgress < 0.3)
    period = `${now.getMonth() === 0 ? now.getFullYear() - 1 : now.getFullYear()}-${String(((now.getMonth() + 11) % 12) + 1).padStart(2, '0')}`
  const d = await dashboard()
  const row = d.rows.find((r) => r.level === 'grid' && r.cells[INDICATOR]?.light === 'green' && (r.cells[INDICATOR]?.target ?? 0) > 0)!
  grid = { code: row.code, name: row.name, target: row.cells[INDICATOR]!.target! }
})
afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Lets a modal finish its fade-in before a screenshot. */
const settle = () => app.page.waitForTimeout(400)
const row = () => app.page.locator(`[data-testid="kpi-table"] tr[data-code="${grid.code}"]`)
const churnCell = () => row().locator(`td[data-indicator="${INDICATOR}"]`)

describe('indicators: dashboard, import, map, analysis, work order', () => {
  it('shows the dashboard with a light per grid and indicator, in colour and in words', async () => {
    const { page } = app
    await page.goto(`${app.url}#/indicators`)
    await page.getByTestId('kpi-period').fill(period)
    await page.getByRole('option', { name: period, exact: true }).click()
    await expect.poll(() => churnCell().getAttribute('data-light'), { timeout: 10_000 }).toBe('green')
    await expect.poll(() => churnCell().textContent()).toContain('绿')
    await page.locator(`[data-testid="kpi-table"] tr[data-code="${county}"]`).waitFor()
    await app.screenshot('20-indicators-dashboard')
  })

  it('rejects a bad billing export with its row errors and changes nothing', async () => {
    const { page } = app
    const before = JSON.stringify(await dashboard())
    const bad = join(dir, 'bad_actuals.csv')
    writeFileSync(
      bad,
      [
        '网格编码,指标编码,账期,完成值',
        `${grid.code},${INDICATOR},${period},${grid.target * 3}`,
        `451022-G99,${INDICATOR},${period},5`,
        `${grid.code},new_mobile,${period},很多`,
        `${grid.code},complaints,2026-13,1`,
      ].join('\n'),
    )
    await page.getByTestId('open-import').click()
    const dialog = page.getByTestId('actuals-import-dialog')
    await dialog.getByTestId('actuals-import-file').setInputFiles(bad)
    // Checked on choosing: every problem by row and column, in words; nothing can be imported.
    const errors = dialog.getByTestId('actuals-import-issues')
    await errors.getByText('未知的单位编码「451022-G99」', { exact: false }).waitFor()
    await errors.getByText('「很多」不是数字', { exact: false }).waitFor()
    await errors.getByText('「2026-13」不是有效账期', { exact: false }).waitFor()
    expect(await dialog.getByTestId('actuals-import-commit').isDisabled()).toBe(true)
    await settle()
    await app.screenshot('21-indicators-import-errors')
    expect(JSON.stringify(await dashboard())).toBe(before)
  })

  it('imports actuals that put one grid well behind: it turns red on the dashboard', async () => {
    const { page } = app
    const good = join(dir, 'actuals.csv')
    writeFileSync(good, ['网格编码,指标编码,账期,完成值', `${grid.code},${INDICATOR},${period},${grid.target * 3}`].join('\n'))
    const dialog = page.getByTestId('actuals-import-dialog')
    await dialog.getByTestId('actuals-import-file').setInputFiles(good)
    await dialog.getByTestId('actuals-import-ok').waitFor()
    await dialog.getByTestId('actuals-import-commit').click()
    await dialog.getByTestId('actuals-import-done').getByText('新增 1', { exact: false }).waitFor()
    expect(cellOf(await dashboard(), grid.code).light).toBe('red')
    await page.keyboard.press('Escape')
    await expect.poll(() => churnCell().getAttribute('data-light'), { timeout: 10_000 }).toBe('red')
    await expect.poll(() => churnCell().textContent()).toContain('红')
    await churnCell().scrollIntoViewIfNeeded()
    await app.screenshot('22-indicators-grid-red')
  })

  it('shows the grid red on the map choropleth for that indicator, with a legend', async () => {
    const { page } = app
    await page.locator('[data-tab="map"]').click()
    await page.locator('[data-testid="kpi-map"][data-map-ready="true"]').waitFor()
    await page.getByTestId('map-indicator').click()
    await page.getByRole('option', { name: '离网用户' }).click()
    const polygon = page.locator(`path.grid-${grid.code}`)
    await expect.poll(() => polygon.getAttribute('fill')).toBe('#e03131')
    await page.getByTestId('map-legend').getByText('离网用户', { exact: false }).waitFor()
    await polygon.click({ force: true })
    await page.getByTestId('map-grid-panel').getByText(grid.name).waitFor()
    await app.screenshot('23-indicators-map-red')
  })

  it('opens the analysis that explains it: an anomaly naming the grid, and charts that save as PNG', async () => {
    const { page } = app
    await page.locator('[data-tab="dashboard"]').click()
    await row().locator('[data-action="analyse"]').click()
    const anomaly = page.locator(`[data-anomaly="${grid.code}"]`)
    await anomaly.waitFor()
    expect(await anomaly.textContent()).toContain(grid.name)
    for (const chart of ['trend', 'compare', 'group', 'scatter', 'pareto', 'boston', 'funnel'])
      await page.locator(`[data-chart="${chart}"] canvas`).first().waitFor()
    await app.screenshot('24-indicators-analysis')
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-save-png="compare"]').click()])
    expect(download.suggestedFilename()).toMatch(/^peers_.*\.png$/)
    const saved = join(dir, download.suggestedFilename())
    await download.saveAs(saved)
    const { readFileSync } = await import('node:fs')
    expect(readFileSync(saved).subarray(1, 4).toString()).toBe('PNG')
    await page.getByTestId('analysis').hover()
    await page.mouse.wheel(0, 700)
    await app.screenshot('25-indicators-analysis-charts')
    await page.mouse.wheel(0, 700)
    await app.screenshot('26-indicators-analysis-charts-2')
  })

  it('creates a work order from the red grid and shows it in the list', async () => {
    const { page } = app
    await page.locator('[data-tab="dashboard"]').click()
    await row().locator('[data-action="create-wo"]').click()
    await page.getByTestId('alert-summary').getByText(grid.name, { exact: false }).waitFor()
    await settle()
    await app.screenshot('27-indicators-alert-wo')
    await page.getByTestId('alert-wo-create').click()
    const created = page.locator('[data-testid="wo-table"] tr[data-origin="alert"]').filter({ hasText: grid.name }).filter({ hasText: '离网用户' })
    await created.first().waitFor()
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
    const orders = await app.core.call('workOrders.list', { region: county })
    expect(orders.some((w) => w.origin === 'alert' && w.orgUnitName === grid.name && w.title.includes('离网用户'))).toBe(true)
    await app.screenshot('28-indicators-work-orders')
  })

  it('checks the work-order form field by field', async () => {
    const { page } = app
    await page.getByTestId('wo-new').click()
    await page.getByTestId('wo-sla').fill('0')
    await page.getByTestId('wo-save').click()
    const form = page.getByRole('dialog')
    await form.getByText('必填').waitFor()
    await form.getByText('应为 1 到 8760 之间的整数').waitFor()
    await settle()
    await app.screenshot('29-indicators-wo-form-errors')
    await page.getByTestId('wo-title').fill('弱覆盖测速复核')
    await page.getByTestId('wo-unit').click()
    await page.getByRole('option', { name: grid.name, exact: true }).click()
    await page.getByTestId('wo-sla').fill('48')
    await page.getByTestId('wo-save').click()
    await page.locator('[data-testid="wo-table"] tr').filter({ hasText: '弱覆盖测速复核' }).filter({ hasText: grid.name }).first().waitFor()
  })

  it('splits a target among the children, checks the sum, and refuses a hand adjustment that breaks it', async () => {
    const { page } = app
    await page.locator('[data-tab="targets"]').click()
    await page.getByTestId('split-parent-value').fill('1000')
    await page.getByTestId('split-preview').click()
    await page.getByTestId('split-sum').getByText('一致', { exact: false }).waitFor()
    const first = page.locator('[data-testid="target-split"] tr[data-child] input').first()
    await first.fill(String(Number(await first.inputValue()) + 7))
    await page.getByTestId('split-sum').getByText('相差 7', { exact: false }).waitFor()
    expect(await page.getByTestId('split-save').isDisabled()).toBe(true)
    await page.getByTestId('split-preview').click()
    await page.getByRole('alert').getByText('1007', { exact: false }).waitFor()
    await app.screenshot('30-indicators-target-split')
  })

  it('logged no page errors or failed requests', () => {
    expect(app.problems).toEqual([])
  })
})
