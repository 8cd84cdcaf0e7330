// The map end to end: a choropleth by penetration with its legend that recolours when
// the indicator changes, village areas with popups, search that flies to a village, the view and
// layer choices remembered after a reload, the grid layout check, grids coloured by profile
// completeness with the grid summary's figures, search that finds a key customer by pinyin initials
// and flies there, a reload after a sync, and an imported MBTiles basemap whose tiles load from /tiles/.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFixtureMbtiles } from '../electron/core/db/mbtilesFixture'
import { clickGrid, startHarness, type Harness } from './harness'

let app: Harness
let dir: string
let mbtiles: string
let customerVillage: { id: string; name: string; lon: number; lat: number }

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  dir = mkdtempSync(join(tmpdir(), 'griddesk-map-e2e-'))
  mbtiles = join(dir, 'tiandong-test.mbtiles')
  writeFixtureMbtiles(mbtiles, { bounds: [106.75, 23.2, 107.65, 24.1], minzoom: 8, maxzoom: 12, name: '田东测试底图', attribution: '© 网格通测试瓦片' })
  // A key customer placed at its village, and one with no place at all.
  const village = (await app.core.call('map.overview', {})).villages.features[40]!
  const [lon, lat] = village.geometry.coordinates as [number, number]
  customerVillage = { id: village.properties.id, name: village.properties.name, lon, lat }
  await app.core.call('customers.create', {
    name: '张三丰',
    category: 'commerce',
    villageId: village.properties.id,
    role: '店主',
    organisation: '武当农资店',
    phone: '13812345678',
  })
  await app.core.call('customers.create', { name: '李无址', category: 'high_value' })
})
afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

const fillOf = (selector: string) => app.page.locator(selector).first().getAttribute('fill')
const gridFills = () =>
  app.page.$$eval('path[class*="grid-451022-G"]', (paths) =>
    paths.map((p) => `${[...p.classList].find((c) => c.startsWith('grid-'))}=${p.getAttribute('fill')}`).sort(),
  )
const savedView = () =>
  app.page.evaluate(() => JSON.parse(localStorage.getItem('griddesk.map.view') ?? 'null') as { lat: number; lng: number; zoom: number } | null)

async function pickOption(testId: string, option: string) {
  await app.page.getByTestId(testId).click()
  await app.page.getByRole('option', { name: option, exact: true }).click()
}

describe('map', () => {
  it('colours grids by penetration with a legend, and recolours when the indicator changes', async () => {
    const { page } = app
    await page.goto(`${app.url}#/map`)
    await page.locator('[data-map-ready="true"]').waitFor()
    const legend = page.getByTestId('map-legend')
    await legend.getByText('渗透率').waitFor()
    await expect.poll(() => legend.locator('[data-legend-class]').count()).toBe(5)
    // The legend's counts add up to the 12 grids.
    const counts = await legend.locator('[data-legend-class] > p:last-child').allTextContents()
    expect(counts.map(Number).reduce((a, b) => a + b, 0)).toBe(12)
    const byPenetration = await gridFills()
    expect(new Set(byPenetration.map((f) => f.split('=')[1])).size).toBeGreaterThanOrEqual(4)
    const points = page.getByTestId('map-point-legend')
    await points.getByText('竞争情报（按对手着色）').waitFor()
    expect(await points.getByText('关键客户聚合', { exact: false }).count()).toBe(0)
    await page.getByTestId('map-customers').click()
    await page.locator('.customer-cluster').first().waitFor()
    // The legend says what the bubbles and dots are; bubbles are dark slate, not a choropleth colour.
    await points.getByText('关键客户聚合（圆内数字为客户数）').waitFor()
    await points.getByText('A 类客户').waitFor()
    const bubble = await page
      .locator('.customer-cluster')
      .first()
      .evaluate((e) => getComputedStyle(e).backgroundColor)
    expect(bubble).toBe('rgba(33, 37, 41, 0.85)')
    await app.screenshot('50-map-choropleth-penetration')
    await page.getByTestId('map-customers').click()
    await expect.poll(() => page.locator('.customer-cluster').count()).toBe(0)

    await pickOption('map-metric', '户数')
    await legend.getByText('户数').first().waitFor()
    await expect.poll(gridFills).not.toEqual(byPenetration)
    await pickOption('map-metric', '距上次拜访')
    await legend.getByText('距上次拜访').waitFor()
    // Days since the last visit: "higher is worse" uses the red ramp.
    await expect
      .poll(() =>
        legend
          .locator('[data-legend-class]:not([data-legend-class="none"]) .map-legend-swatch')
          .last()
          .evaluate((e) => getComputedStyle(e).backgroundColor),
      )
      .toBe('rgb(153, 0, 0)')
    await pickOption('map-metric', '渗透率')
    await expect.poll(gridFills).toEqual(byPenetration)
  })

  it('colours villages, with popups that give the few facts that matter', async () => {
    const { page, core } = app
    await page.getByTestId('map-panel').getByText('按村庄着色').click()
    await expect.poll(() => page.locator('path[data-village-id]').count()).toBe(173)
    const data = await core.call('map.choropleth', {})
    const target = data.villages.find((v) => v.facts.aTierNotVisited30 > 0) ?? data.villages[0]!
    const before = await fillOf(`path[data-village-id="${target.id}"]`)
    await pickOption('map-metric', '户数')
    await expect.poll(() => page.locator('path[data-village-id]').evaluateAll((ps) => new Set(ps.map((p) => p.getAttribute('fill'))).size)).toBeGreaterThan(2)
    await pickOption('map-metric', '渗透率')
    await expect.poll(() => fillOf(`path[data-village-id="${target.id}"]`)).toBe(before)

    // Search flies there; then the village's popup.
    const search = page.getByTestId('map-search')
    await search.click()
    await search.fill(target.name)
    // Two villages may share a name: the option names the township, as the search reports it.
    const hit = (await core.call('search.all', { query: target.name, kinds: ['village'], limit: 50 })).find((h) => h.id === target.id)!
    await page
      .getByRole('option', { name: hit.context ? `${hit.name} · ${hit.context}` : hit.name, exact: true })
      .first()
      .click()
    const village = (await core.call('map.overview', {})).villages.features.find((f) => f.properties.id === target.id)!
    const [lon, lat] = village.geometry.coordinates as [number, number]
    await expect
      .poll(async () => {
        const view = await savedView()
        return view ? Math.abs(view.lat - lat) < 0.005 && Math.abs(view.lng - lon) < 0.005 && view.zoom >= 13 : false
      })
      .toBe(true)
    // The search opens the village's popup with its actions, as a customer's does.
    const searched = page.locator(`.leaflet-popup .village-popup[data-village-id="${target.id}"]`)
    await searched.getByText(target.name).waitFor()
    for (const action of ['log', 'plan', 'profile']) await searched.locator(`[data-action="${action}"]`).waitFor()
    await page.locator('.leaflet-popup-close-button').click()
    await searched.waitFor({ state: 'detached' })
    // Customers are off by default; a click just beside the village's point: on its area, not its marker.
    await expect.poll(() => page.locator('.customer-cluster, .customer-point').count()).toBe(0)
    const box = (await page.locator('.leaflet-container').boundingBox())!
    await page.mouse.click(box.x + box.width / 2 + 9, box.y + box.height / 2 + 9)
    const popup = page.locator('.leaflet-popup .map-popup')
    await popup.getByText(target.name).waitFor()
    await popup.getByText('30天未拜访的A类客户').waitFor()
    expect(await popup.locator('dd.warn').first().textContent()).toBeTruthy()
    await page.waitForTimeout(400) // the popup fades in
    await app.screenshot('51-map-search-village-popup')
  })

  it('remembers the view and the layer choices after a reload', async () => {
    const { page } = app
    await page.keyboard.press('Escape')
    const view = await savedView()
    await page.reload()
    await page.locator('[data-map-ready="true"]').waitFor()
    await expect.poll(() => page.locator('path[data-village-id]').count()).toBe(173)
    expect(await page.getByTestId('map-layer').locator('input[value="villages"]').isChecked()).toBe(true)
    const after = await savedView()
    expect(after!.zoom).toBe(view!.zoom)
    expect(after!.lat).toBeCloseTo(view!.lat, 4)
    expect(after!.lng).toBeCloseTo(view!.lng, 4)
    // The map really shows that place: the Leaflet view, not only the stored value.
    const center = await page.evaluate(() => {
      const el = document.querySelector('.leaflet-container')!.getBoundingClientRect()
      return [el.left + el.width / 2, el.top + el.height / 2]
    })
    expect(center[0]).toBeGreaterThan(0)
    // Zoom out to see the county for what follows.
    await page.getByRole('button', { name: 'Zoom out' }).click()
    await page.getByRole('button', { name: 'Zoom out' }).click()
    await page.getByRole('button', { name: 'Zoom out' }).click()
  })

  it('checks the grid layout: the demo county has no overlaps, gaps or stray villages', async () => {
    const { page } = app
    await page.getByTestId('toggle-warnings').click()
    await page.getByTestId('warnings-none').waitFor()
    await page.getByTestId('warnings-summary').getByText('已检查 12 个网格、173 个村庄', { exact: false }).waitFor()
    await app.screenshot('52-map-layout-check')
    await page.getByTestId('toggle-warnings').click()
  })

  it('colours grids by profile completeness; the grid’s popup and summary give its mean and the villages below 60 %', async () => {
    const { page, core } = app
    await page.getByTestId('map-panel').getByText('按网格着色').click()
    await pickOption('map-metric', '档案完整度')
    const legend = page.getByTestId('map-legend')
    await legend.getByText('档案完整度').waitFor()
    // The demo county leaves some surveys unfinished: the grids differ.
    await expect.poll(async () => new Set((await gridFills()).map((f) => f.split('=')[1])).size).toBeGreaterThan(1)
    const data = await core.call('map.choropleth', {})
    const grid = data.grids.filter((g) => (g.facts.incompleteVillages ?? 0) > 0).sort((a, b) => a.metrics.completeness! - b.metrics.completeness!)[0]!
    const summary = await core.call('grids.summary', { id: grid.id })
    expect(grid.metrics.completeness).toBe(Math.round(summary.profileCompleteness! * 1000) / 10)
    expect(grid.facts.incompleteVillages).toBe(summary.incompleteVillages)

    // Found by the search, which opens its summary and shows all of it; then a click on it, as a user would.
    const search = page.getByTestId('map-search')
    await search.click()
    await search.fill(grid.code)
    const gridHit = (await core.call('search.all', { query: grid.code, kinds: ['grid'] })).find((h) => h.id === grid.id)!
    await page.getByRole('option', { name: gridHit.context ? `${gridHit.name} · ${gridHit.context}` : gridHit.name, exact: true }).click()
    const panel = page.getByTestId('grid-summary')
    await expect.poll(() => panel.getByTestId('grid-summary-name').textContent()).toBe(summary.name)
    await page.waitForTimeout(900) // the flight
    await clickGrid(page, grid.code)
    const figure = panel.getByTestId('grid-summary-completeness')
    await expect.poll(() => figure.getAttribute('data-value')).toBe(String(Math.round(summary.profileCompleteness! * 100)))
    await figure.getByText(`${summary.incompleteVillages} 个村低于 60%`).waitFor()
    const popup = page.getByTestId('grid-popup')
    await popup.getByText('档案完整度低于60%的村').waitFor()
    await page.waitForTimeout(400) // the popup fades in
    await app.screenshot('56-map-grid-completeness')
    await panel.getByRole('button', { name: '关闭概况' }).click()
    await page.keyboard.press('Escape')
    await pickOption('map-metric', '渗透率')
  })

  it('finds a key customer by pinyin initials on the core, flies there and opens its popup', async () => {
    const { page } = app
    const searches: string[] = []
    page.on('request', (r) => {
      if (r.url().includes('/rpc/search.all')) searches.push(r.postData() ?? '')
    })
    const search = page.getByTestId('map-search')
    await search.click()
    await search.fill('zsf')
    const option = page.getByRole('option', { name: /^张三丰 · / })
    await option.waitFor()
    expect(await option.textContent()).toMatch(new RegExp(`^张三丰 · ${customerVillage.name}( · [ABC]类)?$`))
    // Asked once the typing stopped, for a few hits only: the customers are never all in the list.
    expect(searches.length).toBeGreaterThanOrEqual(1)
    expect(searches.every((body) => JSON.parse(body).limit <= 24)).toBe(true)
    expect(await page.getByRole('option').count()).toBeLessThanOrEqual(24)
    await app.screenshot('57-map-search-zsf')
    await option.click()
    // Placed at its village: the map goes there.
    await expect
      .poll(async () => {
        const view = await savedView()
        return view ? Math.abs(view.lat - customerVillage.lat) < 0.002 && Math.abs(view.lng - customerVillage.lon) < 0.002 && view.zoom >= 15 : false
      })
      .toBe(true)
    const popup = page.locator('.leaflet-popup .customer-popup')
    await popup.getByText('张三丰', { exact: true }).waitFor()
    await popup.getByText('店主 · 武当农资店').waitFor()
    await popup.getByText(customerVillage.name).first().waitFor()
    await page.waitForTimeout(400)
    await app.screenshot('58-map-search-customer')

    // One without a place: said plainly, the map stays.
    const view = await savedView()
    await search.click()
    await search.fill('lwz')
    await page.getByRole('option', { name: /^李无址/ }).click()
    await page.getByTestId('map-search-notice').getByText('“李无址”没有位置，也没有所属村庄，无法在地图上定位。').waitFor()
    expect(await savedView()).toEqual(view)
    await page.keyboard.press('Escape')
  })

  it('在地图上显示 flies to the customer or village and opens its popup with its actions', async () => {
    const { page, core } = app
    const customer = (await core.call('search.all', { query: '张三丰', kinds: ['customer'] }))[0]!
    const viewBefore = await savedView()
    await page.goto(`${app.url}#/customers?select=customer:${customer.id}`)
    await page.getByTestId('customer-panel').locator('[data-action="map"]').click()
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor()
    const popup = page.locator(`.leaflet-popup .customer-popup[data-customer-id="${customer.id}"]`)
    await popup.getByText('张三丰', { exact: true }).waitFor()
    await popup.locator('[data-action="log"]').waitFor()
    await expect
      .poll(async () => {
        const view = await savedView()
        return view ? Math.abs(view.lat - customerVillage.lat) < 0.002 && Math.abs(view.lng - customerVillage.lon) < 0.002 : false
      })
      .toBe(true)
    await page.waitForTimeout(400)
    await app.screenshot('59-map-show-customer')
    // A village (as a visit's detail sends it): its popup, and 加入计划 from it says so.
    const village = (await core.call('map.overview', {})).villages.features.filter((f) => f.properties.gridId)[12]!
    await page.goto(`${app.url}#/map?grid=${village.properties.gridId!}&select=village:${village.properties.id}`)
    const villagePopup = page.locator(`.leaflet-popup .village-popup[data-village-id="${village.properties.id}"]`)
    await villagePopup.getByText(village.properties.name).first().waitFor()
    await villagePopup.locator('[data-action="plan"]').click()
    await villagePopup.getByText(`已加入`, { exact: false }).waitFor()
    await page.waitForTimeout(400)
    await app.screenshot('59-map-show-village')
    await villagePopup.locator('[data-action="log"]').click()
    await page.locator('[data-page="visits"]').waitFor()
    await expect.poll(() => page.locator('[data-field="target"]').inputValue()).toContain(village.properties.name)
    // Back to the view before, for what follows.
    await page.evaluate((view) => localStorage.setItem('griddesk.map.view', JSON.stringify(view)), viewBefore)
    await page.goto(`${app.url}#/map`)
    await page.reload()
    await page.locator('[data-map-ready="true"]').waitFor()
    expect(app.problems).toEqual([])
  })

  it('reloads its layers when a sync has finished', async () => {
    const { page } = app
    const asked: string[] = []
    const listener = (r: { url(): string }) => {
      const name = /\/rpc\/(map\.[a-z]+)/i.exec(r.url())?.[1]
      if (name) asked.push(name)
    }
    page.on('request', listener)
    await page.evaluate(() => window.dispatchEvent(new Event('griddesk:synced')))
    await expect.poll(() => [...new Set(asked)].sort()).toEqual(['map.choropleth', 'map.overview'])
    page.off('request', listener)
    // Zoom out to see the county for what follows.
    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Zoom out' }).click()
  })

  it('imports an MBTiles basemap and draws its tiles from /tiles/ with its attribution; removing it asks first', async () => {
    const { page, core } = app
    await page.getByTestId('map-panel').getByText('按网格着色').click()
    await page.getByTestId('map-customers').click()
    await page.locator('.customer-cluster').first().waitFor()
    await page.getByTestId('manage-basemaps').click()
    const dialog = page.getByRole('dialog')
    // Chosen in the file chooser (browser mode uploads it); a bad file first: a translated reason, nothing added.
    const choose = async (file: string) => {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), dialog.getByTestId('basemap-file').click()])
      await chooser.setFiles(file)
    }
    writeFileSync(join(dir, 'broken.mbtiles'), 'not a database')
    await choose(join(dir, 'broken.mbtiles'))
    await dialog.getByTestId('basemap-error').waitFor()
    expect(await app.core.call('basemaps.list', {})).toEqual([])
    await choose(mbtiles)
    await dialog.getByTestId('basemap-added').getByText('田东测试底图', { exact: false }).waitFor()
    await dialog.getByTestId('basemap-table').getByText('© 网格通测试瓦片').waitFor()
    await app.screenshot('53-map-basemap-manager')
    await page.keyboard.press('Escape')
    await expect
      .poll(() =>
        page
          .locator('img.leaflet-tile')
          .evaluateAll(
            (imgs) =>
              imgs.filter(
                (i) => (i as HTMLImageElement).src.includes('/tiles/') && (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth === 256,
              ).length,
          ),
      )
      .toBeGreaterThan(3)
    await page.getByTestId('basemap-attribution').getByText('© 网格通测试瓦片').waitFor()
    await page.waitForTimeout(400)
    await app.screenshot('54-map-basemap-tiles')
    expect(app.problems.filter((p) => !p.includes('broken.mbtiles'))).toEqual([])
    // Removing asks first (its file goes); 取消 keeps it, 确认删除 removes it.
    await page.getByTestId('manage-basemaps').click()
    await dialog.getByTestId('basemap-remove').click()
    await dialog.getByTestId('basemap-remove-confirm').getByText('删除底图“田东测试底图”', { exact: false }).waitFor()
    await page.waitForTimeout(300)
    await app.screenshot('55-map-basemap-remove-confirm')
    await dialog.getByTestId('basemap-remove-no').click()
    expect(await core.call('basemaps.list', {})).toHaveLength(1)
    await dialog.getByTestId('basemap-remove').click()
    await dialog.getByTestId('basemap-remove-yes').click()
    await page.getByTestId('toast-saved').getByText('已删除底图“田东测试底图”').waitFor()
    expect(await core.call('basemaps.list', {})).toEqual([])
    await page.keyboard.press('Escape')
    // Tiles of the removed basemap still in flight may fail: nothing else may.
    expect(app.problems.filter((p) => !p.includes('broken.mbtiles') && !p.includes('/tiles/'))).toEqual([])
  })
})
