// The walking skeleton end to end: first run → demo county → map → grid summary → grid list
// search → language switch that survives a reload; plus an unbuilt page that says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pages } from '../shared/domain'
import { clickGrid, startHarness, type Harness } from './harness'

let app: Harness

beforeAll(async () => {
  app = await startHarness()
})
afterAll(async () => {
  await app?.close()
})

describe('walking skeleton', () => {
  it('offers the demo county on first run and draws it on the map', async () => {
    const { page } = app
    await page.goto(app.url)
    const load = page.getByRole('button', { name: '载入演示县（田东县）' })
    await load.waitFor()
    expect(await page.getByText('网格通', { exact: true }).count()).toBeGreaterThan(0)
    await app.screenshot('01-welcome')

    // Hold the answer back a moment so the loading state can be seen and checked.
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    await page.route('**/rpc/demo.load', async (route) => {
      await held
      await route.continue()
    })
    await load.click()
    await page.getByText('正在载入演示数据，请稍候…').waitFor()
    expect(await load.getAttribute('data-loading')).toBe('true')
    await page.waitForTimeout(300) // let the button's loader finish its entry transition
    await app.screenshot('01b-loading')
    release()
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor({ timeout: 60_000 })
    expect(new URL(page.url()).hash).toBe('#/map')
    const info = await app.core.call('app.info', {})
    expect(info.counts.grids).toBe(12)
    await expect.poll(() => page.locator('path[class*="grid-451022-"]').count()).toBe(12)
    const overview = await app.core.call('map.overview', {})
    await expect.poll(() => page.locator('path.village-marker').count()).toBe(overview.villages.features.length)
    await page.getByTestId('generated-geometry-note').getByText('示意几何（生成数据，非测绘）').waitFor()
    await app.screenshot('02-map')
  })

  it('opens the summary of a clicked grid, with the figures the core has', async () => {
    const { page, core } = app
    const grids = await core.call('grids.list', {})
    const grid = grids.find((g) => g.code === '451022-G03')!
    const summary = await core.call('grids.summary', { id: grid.id })

    // Click a spot where the grid itself is on top (not a village dot or an intel pin), as a user would.
    await clickGrid(page, grid.code)
    const panel = page.getByTestId('grid-summary')
    await expect.poll(() => panel.getByTestId('grid-summary-name').textContent()).toBe(summary.name)
    expect(await panel.getByTestId('grid-summary-villages').textContent()).toBe(new Intl.NumberFormat('zh-CN').format(summary.villages))
    // Each top village is listed (its row also carries the visit and plan actions).
    for (const village of summary.topVillages) await panel.locator('td', { hasText: village.name }).first().waitFor()
    expect(new URL(page.url()).hash).toBe(`#/map?grid=${grid.id}`)
    // The selected grid is drawn heavier than the rest.
    const weight = await page.locator(`path.grid-${grid.code}`).getAttribute('stroke-width')
    expect(Number(weight)).toBeGreaterThan(2)
    await app.screenshot('03-map-summary')
  })

  it('searches the grid list and opens a grid from it on the map', async () => {
    const { page, core } = app
    await page.locator('[data-nav="grids"]').click()
    await page.getByTestId('grid-search').waitFor()
    await expect.poll(() => page.locator('tr[data-grid-code]').count()).toBe((await core.call('grids.list', {})).length)

    await page.getByTestId('grid-search').fill('平马')
    const expected = await core.call('grids.list', { search: '平马' })
    expect(expected.length).toBeGreaterThan(0)
    await expect.poll(() => page.locator('tr[data-grid-code]').count()).toBe(expected.length)
    const codes = await page.locator('tr[data-grid-code]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-grid-code')))
    expect(codes).toEqual(expected.map((g) => g.code))
    for (const row of await page.locator('tr[data-grid-code]').allTextContents()) expect(row).toContain('平马')
    await app.screenshot('04-grids-search')

    const first = expected[0]!
    await page.locator(`tr[data-grid-code="${first.code}"]`).click()
    await expect.poll(() => page.getByTestId('grid-summary-name').textContent()).toBe(first.name)
    await app.screenshot('05-grids-summary')

    await page.getByRole('button', { name: '在地图上查看' }).click()
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor()
    expect(new URL(page.url()).hash).toBe(`#/map?grid=${first.id}`)
    await expect.poll(() => page.getByTestId('grid-summary-name').textContent()).toBe(first.name)
    await app.screenshot('06-map-from-list')
  })

  it('opens every page of the navigation', async () => {
    const { page } = app
    for (const { key } of pages) {
      await page.locator(`[data-nav="${key}"]`).click()
      expect(new URL(page.url()).hash.startsWith(`#/${key}`)).toBe(true)
      await page.locator(`[data-page="${key}"]`).first().waitFor()
      await app.screenshot(`07-page-${key}`)
    }
  })

  it('shows the translated message, not the raw error, when a call fails', async () => {
    const { page } = app
    await page.goto(`${app.url}#/map?grid=not-a-uuid`)
    const alert = page.getByTestId('grid-summary').getByRole('alert')
    await alert.waitFor()
    // What the user reads; the technical detail stays behind the "details" toggle.
    const text = await alert.innerText()
    expect(text).toMatch(/^输入有误：/)
    expect(text).not.toMatch(/invalid input for|Error|at /)
    await app.screenshot('07b-error')
  })

  it('switches to English and keeps it after a reload', async () => {
    const { page } = app
    await page.locator('[data-nav="map"]').click()
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor()
    await page.getByTestId('language-switch').getByText('English').click()
    await page.locator('[data-nav="customers"]').getByText('Key customers').waitFor()
    await page.locator('[data-nav="intel"]').getByText('Competitor intel').waitFor()
    await page.getByText('Illustrative geometry (generated, not surveyed)').waitFor()
    await app.screenshot('08-english-map')

    await page.reload()
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor()
    await page.locator('[data-nav="grids"]').getByText('Grids', { exact: true }).waitFor()
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    await page.locator('[data-nav="grids"]').click()
    await page.locator('tr[data-grid-code]').first().click()
    await page.getByRole('button', { name: 'View on map' }).waitFor()
    await app.screenshot('09-english-grids')
  })

  it('opens at the printed address: the page keeps the launch token, clears the address bar, and a tab without it is refused', async () => {
    // A context of its own: no token put in sessionStorage by the harness.
    const context = await app.browser.newContext({ locale: 'en' })
    try {
      const page = await context.newPage()
      await page.goto(`${app.launchUrl}#/map`)
      await page.locator('[data-page="map"][data-map-ready="true"]').waitFor({ timeout: 60_000 })
      const secret = new URL(app.launchUrl).searchParams.get('k')!
      expect(page.url()).toBe(`${app.url}#/map`)
      expect(await page.evaluate(() => sessionStorage.getItem('griddesk.launchToken'))).toBe(secret)
      // A reload in the same tab keeps working (the token stays in this tab's sessionStorage).
      await page.reload()
      await page.locator('[data-page="map"][data-map-ready="true"]').waitFor({ timeout: 60_000 })
      // Another tab has the cookie (it loads the page's files) but no token: calls are refused.
      const other = await context.newPage()
      const refused = other.waitForResponse((r) => r.url().includes('/rpc/') && r.status() === 401)
      await other.goto(`${app.url}#/map`)
      await refused
      expect(await other.evaluate(() => sessionStorage.getItem('griddesk.launchToken'))).toBeNull()
    } finally {
      await context.close()
    }
  })

  it('logged no page errors, console errors or failed requests', () => {
    expect(app.problems).toEqual([])
  })
})
