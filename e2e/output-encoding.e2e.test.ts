// Names are text, never markup: a customer, a village, a grid, a product and a piece of competitor
// intel named with HTML (as a name typed on another device would arrive through sync) are hovered
// and opened on every map layer (choropleth, customers, intel pins, a day's route) and analysis
// chart (trend, peers, correlation, 80/20, Boston matrix, funnel) that shows them. No element is
// made from the markup, no handler runs, and the page stays where it is.
import { sql } from 'drizzle-orm'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

const IMG = '<img src=x onerror=window.__pwned=1>'
const META = '<meta http-equiv=refresh content=0;url=about:blank>'

let app: Harness
let village: { id: string; lon: number; lat: number }
let gridName: string
let villageName: string
let customerName: string
let productName: string
let intelTitle: string
let intelId: string
let customerId: string
let gridId: string

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  const overview = await app.core.call('map.overview', {})
  const feature = overview.villages.features.find((f) => f.properties.gridId)!
  const [lon, lat] = feature.geometry.coordinates as [number, number]
  village = { id: feature.properties.id, lon, lat }
  gridName = `网格Ψ${META}`
  villageName = `村${IMG}`
  customerName = `客Ψ${IMG}`
  intelTitle = `情报Ψ${IMG}`
  gridId = feature.properties.gridId!
  await app.core.call('org.update', { id: gridId, patch: { name: gridName } })
  // The highest monthly revenue: the first bar of the 80/20 chart.
  customerId = (
    await app.core.call('customers.create', { name: customerName, category: 'commerce', villageId: village.id, tierOverride: 'A', monthlyRevenue: 9_000_000 })
  ).id
  const today = new Date().toISOString().slice(0, 10)
  intelId = (
    await app.core.call('intel.create', {
      rival: 'unicom',
      kind: 'price',
      title: intelTitle,
      seenAt: today,
      validFrom: today,
      validTo: null,
      villageId: village.id,
      lon: village.lon + 0.0015,
      lat: village.lat + 0.0015,
      threatLevel: 5,
    })
  ).id
  // Village and product names have no editor in the app: they arrive through imports and sync,
  // so they are planted in the store the way a pulled row lands.
  const db = app.core.ctx.db
  db.run(sql`UPDATE villages SET name = ${villageName} WHERE id = ${village.id}`)
  const top = db.get<{ product: string }>(
    sql`SELECT product_name AS product FROM customer_products WHERE deleted_at IS NULL GROUP BY product_name ORDER BY count(*) DESC LIMIT 1`,
  )!
  productName = `品Ψ${META}`
  db.run(sql`UPDATE customer_products SET product_name = ${productName} WHERE product_name = ${top.product}`)
})
afterAll(async () => {
  await app?.close()
})

/** Marks the loaded page: a navigation or reload (a meta refresh) loses the mark. */
const markPage = (page: Page) => page.evaluate(() => ((window as unknown as { __stay: number }).__stay = 1))

/** What markup from a name would leave behind: elements, a run handler, a navigation. */
async function expectNoMarkup(page: Page) {
  const found = await page.evaluate(() => ({
    stayed: (window as unknown as { __stay?: number }).__stay === 1,
    pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
    imgs: document.querySelectorAll('img[src="x"]').length,
    refreshes: document.querySelectorAll('meta[http-equiv="refresh" i]').length,
  }))
  expect(found).toEqual({ stayed: true, pwned: null, imgs: 0, refreshes: 0 })
  expect(page.url().startsWith(`${app.url}#/`)).toBe(true)
}

/**
 * Moves the mouse over a chart until its tooltip shows `text`: synthetic moves across the canvas
 * find the spot (by the name's plain part, which shows however the rest is treated), then a real
 * hover there shows the tooltip the way a user gets it.
 */
async function hoverChartUntil(page: Page, chart: string, text: string, { step = 5 }: { step?: number } = {}) {
  const plain = text.slice(0, text.indexOf('<'))
  const spot = await page.evaluate(
    ({ chart, plain, step }) => {
      const card = document.querySelector(`[data-chart="${chart}"]`)!
      const canvas = card.querySelector('canvas')!
      const box = canvas.getBoundingClientRect()
      // Thin bars (the 80/20 chart's hundreds of customers) need a finer step across, along one line.
      const rows = step < 5 ? [box.top + box.height / 2] : Array.from({ length: Math.floor((box.height - 4) / 5) }, (_, i) => box.top + 4 + i * 5)
      for (const y of rows)
        for (let x = box.left + 4; x < box.right; x += step) {
          canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }))
          if (card.textContent?.includes(plain)) return { x, y }
        }
      return null
    },
    { chart, plain, step },
  )
  expect(spot, `no point of chart "${chart}" shows ${text}`).not.toBeNull()
  await page.mouse.move(0, 0)
  await page.mouse.move(spot!.x, spot!.y)
  await expect.poll(() => page.locator(`[data-chart="${chart}"]`).textContent()).toContain(text)
}

describe('names with markup are shown as text', () => {
  it('on the map: grid label, popup and summary, village tooltip and popup, customer tooltip, intel pin', async () => {
    const { page } = app
    app.problems.length = 0
    const box = { x: 0, y: 0, width: 0, height: 0 }
    const centre = { x: 0, y: 0 }
    /** Opens the map centred on the planted village, close enough to tell its marker apart. */
    const openAtVillage = async () => {
      await page.goto(`${app.url}#/map`)
      await page.evaluate((v) => localStorage.setItem('griddesk.map.view', JSON.stringify({ lat: v.lat, lng: v.lon, zoom: 16 })), village)
      await page.reload()
      await page.locator('[data-map-ready="true"]').waitFor()
      await markPage(page)
      Object.assign(box, await page.locator('.leaflet-container').boundingBox())
      Object.assign(centre, { x: box.x + box.width / 2, y: box.y + box.height / 2 })
    }
    await openAtVillage()

    // The grid's permanent label.
    await expect.poll(() => page.locator('.grid-label').allTextContents()).toContain(gridName)
    // The village marker's tooltip, on hover.
    await page.mouse.move(centre.x, centre.y)
    await expect.poll(() => page.locator('.leaflet-tooltip:not(.grid-label)').allTextContents()).toContain(villageName)
    // The grid's popup and summary panel, on a click beside the village.
    await page.mouse.click(centre.x + 12, centre.y + 12)
    await expect.poll(() => page.locator('.leaflet-popup [data-testid="grid-popup"] strong').textContent()).toBe(gridName)
    await expect.poll(() => page.getByTestId('grid-summary-name').textContent()).toBe(gridName)
    await expectNoMarkup(page)

    // The village's popup (built outside React), with its grid's name.
    await page.getByTestId('map-panel').getByText('按村庄着色').click()
    await openAtVillage()
    await page.locator(`path[data-village-id="${village.id}"]`).waitFor()
    await page.mouse.click(centre.x + 12, centre.y + 12)
    const popup = page.locator('.leaflet-popup .map-popup')
    await expect.poll(() => popup.locator('strong').textContent()).toBe(villageName)
    expect(await popup.textContent()).toContain(gridName)
    await expectNoMarkup(page)
    await page.locator('.leaflet-popup-close-button').click()

    // The key customer's dot: its tooltip on hover.
    await page.getByTestId('map-customers').click()
    // Found by its own class, wherever the map settled (a popup's pan moves the view).
    const dot = page.locator(`path.customer-${customerId}`)
    // Hovered again on each try: the view's clusters can arrive once more after the first hover
    // (the map settling) and redraw the dot under the pointer, as a user's next move would find.
    await expect
      .poll(async () => {
        const at = await dot.boundingBox()
        if (!at) return []
        await page.mouse.move(0, 0)
        await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2)
        return page.locator('.leaflet-tooltip').allTextContents()
      })
      .toContainEqual(expect.stringContaining(customerName))
    await page.waitForTimeout(300)
    await expectNoMarkup(page)

    // The competitor intel pin: its tooltip on hover.
    const pin = page.locator(`path.intel-${intelId}`)
    await pin.waitFor()
    const at = (await pin.boundingBox())!
    await page.mouse.move(0, 0)
    await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2)
    await expect.poll(() => page.locator('.leaflet-tooltip').allTextContents()).toContainEqual(expect.stringContaining(intelTitle))
    await page.waitForTimeout(300)
    await expectNoMarkup(page)
    await app.screenshot('90-markup-names-map')
    expect(app.problems, app.problems.join('\n')).toEqual([])
  })

  it('on the intel page: the pin and the list', async () => {
    const { page } = app
    app.problems.length = 0
    await page.goto(`${app.url}#/intel`)
    const row = page.locator(`tr[data-intel-id="${intelId}"]`)
    await row.waitFor()
    expect(await row.textContent()).toContain(intelTitle)
    await markPage(page)
    // Pins of the whole county overlap here: the planted one is hovered as Leaflet sees a hover.
    const pin = page.locator(`path.intel-${intelId}`)
    await pin.waitFor()
    await pin.dispatchEvent('mouseover')
    await expect.poll(() => page.locator('.leaflet-tooltip').allTextContents()).toContainEqual(expect.stringContaining(intelTitle))
    await expectNoMarkup(page)
    expect(app.problems).toEqual([])
  })

  it("on a day's route map: the stop's tooltip", async () => {
    const { page } = app
    app.problems.length = 0
    await page.goto(`${app.url}#/visits?grid=${gridId}`)
    const target = page.locator(`[data-testid="plan-targets"] [data-target="${customerId}"] input[type="checkbox"]`)
    await target.waitFor()
    expect(await page.locator(`[data-target="${customerId}"]`).textContent()).toContain(customerName)
    await target.check()
    await page.getByTestId('plan-route').click()
    await expect.poll(() => page.locator('.route-stop').count()).toBe(1)
    await markPage(page)
    const stop = (await page.locator('.route-stop').boundingBox())!
    await page.mouse.move(stop.x + stop.width / 2, stop.y + stop.height / 2)
    await expect.poll(() => page.locator('.leaflet-tooltip').allTextContents()).toContain(`1. ${customerName}`)
    await expectNoMarkup(page)
    await app.screenshot('90b-markup-names-route')
    expect(app.problems).toEqual([])
  })

  it('in the analysis charts: trend, peer comparison, correlation, 80/20, Boston matrix and funnel', async () => {
    const { page } = app
    app.problems.length = 0
    await page.goto(`${app.url}#/indicators`)
    await page.locator('[data-tab="analysis"]').click()
    const charts = ['trend', 'compare', 'scatter', 'pareto', 'boston', 'funnel']
    for (const chart of charts) await page.locator(`[data-chart="${chart}"] canvas`).first().waitFor()
    await markPage(page)
    await hoverChartUntil(page, 'compare', gridName)
    await hoverChartUntil(page, 'scatter', gridName)
    await hoverChartUntil(page, 'boston', productName)
    await hoverChartUntil(page, 'pareto', customerName, { step: 1 })
    // The funnel's stages are the app's words; its tooltip shows them as text too.
    await hoverChartUntil(page, 'funnel', '潜在')
    // The trend of the grid with the markup name: its title, and the tooltip of a month.
    await page.getByTestId('analysis-focus').click()
    await page.getByRole('option', { name: gridName }).click()
    await expect.poll(() => page.locator('[data-chart="trend"]').textContent()).toContain(gridName)
    const month = await page.locator('[data-chart="trend"] canvas').first().boundingBox()
    await page.mouse.move(month!.x + month!.width / 2, month!.y + month!.height / 2)
    await expect.poll(() => page.locator('[data-chart="trend"]').textContent()).toMatch(/\d{4}-\d{2}/)
    await page.waitForTimeout(300)
    await expectNoMarkup(page)
    await app.screenshot('91-markup-names-chart')
    expect(app.problems).toEqual([])
  })
})
