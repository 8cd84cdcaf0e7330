// Names are text, never markup: a customer, a village, a grid and a product named with HTML (as a
// name typed on another device would arrive through sync) are hovered and opened on every map
// layer and analysis chart that shows them. No element is made from the markup, no handler runs,
// and the page stays where it is.
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

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  const overview = await app.core.call('map.overview', {})
  const feature = overview.villages.features.find((f) => f.properties.gridId)!
  const [lon, lat] = feature.geometry.coordinates as [number, number]
  village = { id: feature.properties.id, lon, lat }
  gridName = `网格Ψ${META}`
  villageName = `村${IMG}`
  customerName = `客${IMG}`
  await app.core.call('org.update', { id: feature.properties.gridId!, patch: { name: gridName } })
  await app.core.call('customers.create', { name: customerName, category: 'commerce', villageId: village.id, tierOverride: 'A' })
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
async function hoverChartUntil(page: Page, chart: string, text: string) {
  const plain = text.slice(0, text.indexOf('<'))
  const spot = await page.evaluate(
    ({ chart, plain }) => {
      const card = document.querySelector(`[data-chart="${chart}"]`)!
      const canvas = card.querySelector('canvas')!
      const box = canvas.getBoundingClientRect()
      for (let y = box.top + 4; y < box.bottom; y += 5)
        for (let x = box.left + 4; x < box.right; x += 5) {
          canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }))
          if (card.textContent?.includes(plain)) return { x, y }
        }
      return null
    },
    { chart, plain },
  )
  expect(spot, `no point of chart "${chart}" shows ${text}`).not.toBeNull()
  await page.mouse.move(0, 0)
  await page.mouse.move(spot!.x, spot!.y)
  await expect.poll(() => page.locator(`[data-chart="${chart}"]`).textContent()).toContain(text)
}

describe('names with markup are shown as text', () => {
  it('on the map: grid label, popup and summary, village tooltip and popup, customer tooltip', async () => {
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
    await page.locator('.customer-point').first().waitFor()
    await page.mouse.move(0, 0)
    await page.mouse.move(centre.x, centre.y)
    await expect.poll(() => page.locator('.leaflet-tooltip').allTextContents()).toContainEqual(expect.stringContaining(customerName))
    await page.waitForTimeout(300)
    await expectNoMarkup(page)
    await app.screenshot('90-markup-names-map')
    expect(app.problems, app.problems.join('\n')).toEqual([])
  })

  it('in the analysis charts: peer comparison, correlation and Boston matrix tooltips', async () => {
    const { page } = app
    app.problems.length = 0
    await page.goto(`${app.url}#/indicators`)
    await page.locator('[data-tab="analysis"]').click()
    for (const chart of ['compare', 'scatter', 'boston']) await page.locator(`[data-chart="${chart}"] canvas`).first().waitFor()
    await markPage(page)
    await hoverChartUntil(page, 'compare', gridName)
    await hoverChartUntil(page, 'scatter', gridName)
    await hoverChartUntil(page, 'boston', productName)
    await page.waitForTimeout(300)
    await expectNoMarkup(page)
    await app.screenshot('91-markup-names-chart')
    expect(app.problems).toEqual([])
  })
})
