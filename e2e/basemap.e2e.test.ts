// Basemap from HQ end to end: a local HQ (PGlite, the demo county) offers a basemap made in the
// test (raster PNG tiles in an MBTiles file); the county manager's device, in browser mode, opens
// the basemap manager, sees the size of the county at the offered zoom levels, downloads it with a
// progress bar, then HQ goes away and the map, reloaded offline, shows the tiles under the grids.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFixtureMbtiles } from '../electron/core/db/mbtilesFixture'
import { writeFixtureVectorPmtiles } from '../electron/core/db/vectorFixture'
import { prefetchDone, startPrefetch } from '../electron/core/tiles/prefetch'
import { enrol, runSync } from '../electron/core/sync/engine'
import { addHqBasemap } from '../server/basemaps'
import { startTestHq, type TestHq } from '../server/testing'
import { startHarness, type Harness } from './harness'

let hq: TestHq | undefined
let app: Harness
let dir: string
let vectorId: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'griddesk-basemap-e2e-'))
  const file = join(dir, 'tiandong.mbtiles')
  writeFixtureMbtiles(file, { bounds: [106.75, 23.2, 107.65, 24.1], minzoom: 8, maxzoom: 12, name: '田东县底图', attribution: '© 网格通测试瓦片（测试生成）' })
  hq = await startTestHq(undefined, { basemapsDir: join(dir, 'hq-basemaps') })
  await addHqBasemap(join(dir, 'hq-basemaps'), file, {})
  // A vector basemap too, declared GCJ-02 (as Chinese vector sources are): the map shifts the grids onto it.
  writeFixtureVectorPmtiles(join(dir, 'tiandong-vector.pmtiles'), {
    bounds: [106.75, 23.2, 107.65, 24.1],
    minzoom: 8,
    maxzoom: 13,
    name: '田东矢量底图',
    attribution: '© 网格通矢量测试瓦片',
    crs: 'GCJ-02',
  })
  vectorId = (await addHqBasemap(join(dir, 'hq-basemaps'), join(dir, 'tiandong-vector.pmtiles'), {})).id
  app = await startHarness({ viewport: { width: 1366, height: 768 } })
  await enrol(app.core.ctx, hq.url, await hq.userWithCode('county', 'county_manager', ['451022']), 'county laptop')
  await runSync(app.core.ctx)
}, 180_000)
afterAll(async () => {
  await app?.close()
  await hq?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('basemap from HQ', () => {
  it('estimates, downloads with progress, and shows the tiles offline under the grids', async () => {
    const { page } = app
    await page.goto(`${app.url}#/map`)
    await page.locator('[data-map-ready="true"]').waitFor()
    await page.getByTestId('manage-basemaps').click()
    const dialog = page.getByRole('dialog')
    const panel = dialog.getByTestId('hq-basemaps')
    await panel.waitFor()
    await panel
      .getByTestId('hq-estimate')
      .getByText(/约 [\d,]+ 张瓦片/)
      .waitFor()
    // A loaded CI machine must not look like a slow link.
    await dialog.getByText('网络慢也下载').click()
    await dialog.getByTestId('hq-download').click()
    await dialog
      .locator('[data-testid="hq-progress"][data-state="done"]')
      .waitFor({ timeout: 60_000 })
      .catch(async (error: unknown) => {
        await app.screenshot('60-basemap-from-hq-failed')
        throw new Error(
          `${String(error)}: ${await dialog
            .getByTestId('hq-progress')
            .textContent()
            .catch(() => 'no progress')} ${JSON.stringify(await app.core.call('basemaps.hq.status', {}))}`,
        )
      })
    await dialog.getByText('下载完成：“田东县底图”已可离线使用。').waitFor()
    await dialog.getByTestId('basemap-table').getByText('田东县底图').waitFor()
    await app.screenshot('60-basemap-from-hq-downloaded')
    const local = await app.core.call('basemaps.list', {})
    expect(local).toHaveLength(1)
    expect(local[0]).toMatchObject({ name: '田东县底图', source: { hq: expect.any(String) }, minzoom: 8, maxzoom: 12 })
    // The vector one is fetched too while HQ is there (the next test shows it offline).
    await startPrefetch(app.core.ctx, { id: vectorId, minzoom: 8, maxzoom: 13, skipSync: true, allowSlowLink: true })
    expect(await prefetchDone(app.core.ctx)).toMatchObject({ state: 'done' })

    // HQ goes away; the map is reloaded and draws the basemap from the local archive.
    await hq!.close()
    hq = undefined
    await page.reload()
    await page.locator('[data-map-ready="true"]').waitFor()
    await expect
      .poll(
        () =>
          page
            .locator('img.leaflet-tile')
            .evaluateAll(
              (imgs) =>
                imgs.filter(
                  (i) => (i as HTMLImageElement).src.includes('/tiles/') && (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth === 256,
                ).length,
            ),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(3)
    // The grid polygons are drawn above the tiles.
    expect(await page.locator('path[class*="grid-451022-G"]').count()).toBeGreaterThan(5)
    await page.getByTestId('basemap-attribution').getByText('© 网格通测试瓦片（测试生成）').waitFor()
    await page.waitForTimeout(400)
    await app.screenshot('61-basemap-offline-under-grids')
    expect(app.problems.filter((p) => !/HTTP 204/.test(p))).toEqual([])
  }, 240_000)

  it('draws a vector basemap offline under the grids, shifted to GCJ-02, on the map and in the boundary editor', async () => {
    const { page } = app
    const vector = (await app.core.call('basemaps.list', {})).find((b) => b.format === 'pbf')!
    expect(vector).toMatchObject({ name: '田东矢量底图', crs: 'GCJ-02', minzoom: 8, maxzoom: 13 })
    await page.evaluate((id) => {
      const key = 'griddesk.map.settings'
      localStorage.setItem(key, JSON.stringify({ ...JSON.parse(localStorage.getItem(key) ?? '{}'), basemapId: id }))
    }, vector.id)
    await page.reload()
    await page
      .locator('[data-map-ready="true"]')
      .waitFor()
      .catch(async (error: unknown) => {
        await app.screenshot('62-vector-basemap-failed')
        throw new Error(`${String(error)}; problems: ${app.problems.join(' | ')}`)
      })
    // protomaps-leaflet draws each tile on a canvas; wait for several with roads and water painted.
    const paintedTiles = () =>
      page.locator('.basemap-vector canvas').evaluateAll(
        (canvases) =>
          canvases.filter((c) => {
            const canvas = c as HTMLCanvasElement
            const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data
            if (!data) return false
            const colours = new Set<number>()
            for (let i = 0; i < data.length; i += 4 * 97) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!)
            return colours.size > 3
          }).length,
      )
    await expect
      .poll(paintedTiles, { timeout: 30_000 })
      .toBeGreaterThan(3)
      .catch(async (error: unknown) => {
        await app.screenshot('62-vector-basemap-failed')
        const panes = await page
          .locator('.leaflet-tile-pane')
          .first()
          .innerHTML({ timeout: 2000 })
          .catch(() => 'none')
        throw new Error(`${String(error)}; tile pane: ${panes.slice(0, 600)}; problems: ${app.problems.join(' | ')}`)
      })
    expect(await page.locator('path[class*="grid-451022-G"]').count()).toBeGreaterThan(5)
    // The grids are drawn in the basemap's CRS: a GCJ-02 shift moves them east by some hundreds of metres.
    await page.getByTestId('basemap-attribution').getByText('© 网格通矢量测试瓦片').waitFor()
    await page.waitForTimeout(600)
    await app.screenshot('62-vector-basemap-offline-under-grids')

    // The boundary editor shows the same basemap, and what it saves stays WGS-84.
    const grids = await app.core.call('map.overview', {})
    const grid = grids.grids.features[0]!.properties
    await page.goto(`${app.url}#/grids`)
    await page.locator(`[data-grid-code="${grid.code}"]`).click()
    await page.getByTestId('grid-edit-boundary').click()
    await page.locator('[data-testid="boundary-editor"][data-editor-ready="true"]').waitFor()
    await expect.poll(paintedTiles, { timeout: 30_000 }).toBeGreaterThan(3)
    await page.waitForTimeout(600)
    await app.screenshot('63-vector-basemap-boundary-editor')
    // One vertex dragged on the shifted map and saved: the others stay exactly as stored (WGS-84).
    const stored = grids.grids.features[0]!.geometry
    const handle = page.locator('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)').nth(1)
    const box = (await handle.boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width / 2 + 12, box.y + box.height / 2 + 9, { steps: 4 })
    await page.mouse.up()
    await expect.poll(() => page.getByTestId('boundary-save').isEnabled(), { timeout: 15_000 }).toBe(true)
    await page.getByTestId('boundary-save').click()
    await page.locator('[data-testid="boundary-editor"][data-mode="view"]').waitFor()
    const after = (await app.core.call('map.overview', {})).grids.features.find((f) => f.properties.id === grid.id)!.geometry
    const flat = (g: unknown): number[][] => (Array.isArray(g) && typeof g[0] === 'number' ? [g as number[]] : Array.isArray(g) ? g.flatMap(flat) : [])
    const before = flat((stored as { coordinates: unknown }).coordinates)
    const saved = flat((after as { coordinates: unknown }).coordinates)
    // (A drag on crowded handles may also add a vertex; every other stored vertex is there, exact.)
    const savedKeys = new Set(saved.map((p) => p.join(',')))
    const kept = before.filter((p) => savedKeys.has(p.join(',')))
    expect(kept.length).toBeGreaterThanOrEqual(before.length - 2)
    expect(kept.length).toBeLessThan(before.length) // something did move
    // Nothing landed hundreds of metres off (the GCJ-02 shift): every saved vertex is near a stored one.
    for (const p of saved) expect(Math.min(...before.map((q) => Math.abs(p[0]! - q[0]!) + Math.abs(p[1]! - q[1]!)))).toBeLessThan(0.004)
    expect(app.problems.filter((p) => !/HTTP 204/.test(p))).toEqual([])
  }, 120_000)
})
