// Basemap from HQ end to end: a local HQ (PGlite, the demo county) offers a basemap made in the
// test (raster PNG tiles in an MBTiles file); the county manager's device, in browser mode, opens
// the basemap manager, sees the size of the county at the offered zoom levels, downloads it with a
// progress bar, then HQ goes away and the map, reloaded offline, shows the tiles under the grids.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFixtureMbtiles } from '../electron/core/db/mbtilesFixture'
import { enrol, runSync } from '../electron/core/sync/engine'
import { addHqBasemap } from '../server/basemaps'
import { startTestHq, type TestHq } from '../server/testing'
import { startHarness, type Harness } from './harness'

let hq: TestHq | undefined
let app: Harness
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'griddesk-basemap-e2e-'))
  const file = join(dir, 'tiandong.mbtiles')
  writeFixtureMbtiles(file, { bounds: [106.75, 23.2, 107.65, 24.1], minzoom: 8, maxzoom: 12, name: '田东县底图', attribution: '© 网格通测试瓦片（测试生成）' })
  hq = await startTestHq(undefined, { basemapsDir: join(dir, 'hq-basemaps') })
  await addHqBasemap(join(dir, 'hq-basemaps'), file, {})
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
})
