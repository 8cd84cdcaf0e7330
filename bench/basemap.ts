// Basemap bench: prefetch of the demo county's basemap from a local HQ (tiles made here: 256-px
// PNGs of varying size, an MBTiles file at HQ), on loopback and through a simulated 128 kbps /
// 600 ms RTT link; then the first map paint with the fetched basemap in browser mode (Chromium):
// from the page's layers being painted to every basemap tile on screen decoded.
//
//   npx tsx bench/basemap.ts                  # zoom 8-13 on loopback, 8-10 on the slow link
//   npx tsx bench/basemap.ts --zoom 8-14 --slow-zoom 8-11 --no-paint
//
// Needs `npm run build` for the paint part (CHROMIUM_PATH, default /usr/bin/chromium).
// Output: a report, then one JSON line; the result goes to bench/results/basemap.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { writeFixtureMbtiles } from '../electron/core/db/mbtilesFixture'
import { setState } from '../electron/core/db/repos/syncState'
import { enrol, runSync } from '../electron/core/sync/engine'
import { openTestCore } from '../electron/core/testing'
import { prefetchDone, startPrefetch } from '../electron/core/tiles/prefetch'
import { addHqBasemap } from '../server/basemaps'
import { startTestHq } from '../server/testing'
import { parseZoomRange } from '../shared/tiles'
import { benchArgs } from './lib/args'
import { startThrottledLink } from './lib/throttle'
import { benchKey } from './lib/store'

// Device stores are encrypted: a key for this run (openTestCore reads it from GRIDDESK_KEY_FILE).
benchKey()
// The bench's HQ listens on loopback over plain HTTP, which devices take only when told.
process.env.GRIDDESK_ALLOW_INSECURE_HTTP = '1'

const args = benchArgs(import.meta.filename, {
  zoom: { type: 'string', default: '8-13' },
  'slow-zoom': { type: 'string', default: '8-10' },
  'no-paint': { type: 'boolean', default: false },
  runs: { type: 'string', default: '5' },
})
// Throwaway stores with the test key, and plain HTTP to the local HQ (as the tests run).
process.env.GRIDDESK_KEY_FILE ??= resolve(import.meta.dirname, '../electron/core/crypto/test-store.key')
process.env.GRIDDESK_ALLOW_INSECURE_HTTP ??= '1'
const zooms = parseZoomRange(args.zoom)!
const slowZooms = parseZoomRange(args['slow-zoom'])!
const RESULTS = resolve(import.meta.dirname, 'results')
mkdirSync(RESULTS, { recursive: true })
const COUNTY: [number, number, number, number] = [106.75, 23.2, 107.65, 24.1]
const out: Record<string, unknown> = { node: process.version, zooms, slowZooms }
const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`

const dir = mkdtempSync(join(tmpdir(), 'griddesk-bench-basemap-'))
let t = performance.now()
writeFixtureMbtiles(join(dir, 'county.mbtiles'), {
  bounds: COUNTY,
  minzoom: zooms.minzoom,
  maxzoom: Math.max(zooms.maxzoom, slowZooms.maxzoom),
  texture: true,
  name: '田东县底图',
  attribution: '© 网格通测试瓦片（测试生成）',
})
console.log(`fixture: ${((performance.now() - t) / 1000).toFixed(1)} s (setup)`)
const hq = await startTestHq(undefined, { basemapsDir: join(dir, 'hq') })
const offer = await addHqBasemap(join(dir, 'hq'), join(dir, 'county.mbtiles'), {})
const device = openTestCore()
await enrol(device.ctx, hq.url, await hq.userWithCode('county', 'county_manager', ['451022']), 'bench')
await runSync(device.ctx)

// ---- Loopback
t = performance.now()
await startPrefetch(device.ctx, { id: offer.id, ...zooms, skipSync: true, allowSlowLink: true })
const fast = (await prefetchDone(device.ctx))!
const fastMs = performance.now() - t
out.loopback = {
  tiles: fast.tilesDone,
  bytes: fast.bytes,
  estimated: fast.bytesEstimated,
  seconds: fastMs / 1000,
  tilesPerSecond: fast.tilesDone / (fastMs / 1000),
  bytesPerSecond: fast.bytes / (fastMs / 1000),
}
console.log(
  `loopback, zoom ${args.zoom}: ${fast.tilesDone} tiles, ${mb(fast.bytes)} (estimated ${mb(fast.bytesEstimated)}, ${(((fast.bytesEstimated - fast.bytes) / fast.bytes) * 100).toFixed(1)}%) in ${(fastMs / 1000).toFixed(2)} s: ${(fast.tilesDone / (fastMs / 1000)).toFixed(0)} tiles/s, ${mb(fast.bytes / (fastMs / 1000))}/s (archive written and checked included)`,
)

// ---- 128 kbps / 600 ms RTT (a second device, its HQ address pointed at the link)
const link = await startThrottledLink({ host: '127.0.0.1', port: Number(new URL(hq.url).port) }, { bitsPerSecond: 128_000, rttMs: 600 })
const slowDevice = openTestCore()
await enrol(slowDevice.ctx, hq.url, await hq.userWithCode('county2', 'county_manager', ['451022']), 'bench slow')
setState(slowDevice.ctx.db, 'hq_url', link.url)
t = performance.now()
const refused = await startPrefetch(slowDevice.ctx, { id: offer.id, ...slowZooms, skipSync: true })
const judged = (await prefetchDone(slowDevice.ctx))!
console.log(
  `slow link without --slow-ok: ${judged.state}${judged.reason ? ` (${judged.reason})` : ''} after ${judged.tilesDone}/${refused.tilesTotal} tiles, ${((performance.now() - t) / 1000).toFixed(1)} s`,
)
t = performance.now()
await startPrefetch(slowDevice.ctx, { id: offer.id, ...slowZooms, skipSync: true, allowSlowLink: true })
const slow = (await prefetchDone(slowDevice.ctx))!
const slowMs = performance.now() - t
const linkBytes = link.bytesDown + link.bytesUp
// When the first run finished by itself (small enough for a slow link), the second fetched it all again.
const slowBytes = judged.state === 'done' ? slow.bytes : slow.bytes - judged.bytes
out.slowLink = {
  tiles: slow.tilesDone,
  state: slow.state,
  bytes: slow.bytes,
  seconds: slowMs / 1000,
  bytesPerSecond: slowBytes / (slowMs / 1000),
  wireBytes: linkBytes,
  connections: link.connections,
  pausedWithoutAsking: judged.state === 'paused' && judged.reason === 'slowLink',
}
console.log(
  `128 kbps / 600 ms, zoom ${args['slow-zoom']}: ${slow.tilesDone} tiles, ${mb(slow.bytes)} (${judged.state === 'done' ? 'fetched again' : 'resumed after the slow-link pause'}) in ${(slowMs / 1000).toFixed(1)} s: ${(slowBytes / 1000 / (slowMs / 1000)).toFixed(1)} KB/s of tiles (link: 16 KB/s), ${mb(linkBytes)} on the wire over ${link.connections} connections`,
)
await link.close()

// ---- First paint with the basemap (browser mode)
if (!args['no-paint']) {
  const { startHarness } = await import('../e2e/harness')
  const app = await startHarness({ viewport: { width: 1366, height: 768 } })
  try {
    await enrol(app.core.ctx, hq.url, await hq.userWithCode('county3', 'county_manager', ['451022']), 'bench paint')
    await runSync(app.core.ctx)
    await startPrefetch(app.core.ctx, { id: offer.id, ...zooms, skipSync: true, allowSlowLink: true })
    const done = (await prefetchDone(app.core.ctx))!
    const { page } = app
    await page.goto(`${app.url}#/map`)
    await page.locator('[data-map-ready="true"]').waitFor()
    await page.evaluate((id) => {
      const key = 'griddesk.map.settings' // renderer/src/features/map/mapLayers.ts
      localStorage.setItem(key, JSON.stringify({ ...JSON.parse(localStorage.getItem(key) ?? '{}'), basemapId: id }))
    }, done.basemapId)
    const paints: number[] = []
    const walls: number[] = []
    for (let i = 0; i < Number(args.runs); i++) {
      await page.reload()
      await page.locator('[data-map-ready="true"]').waitFor()
      await page.waitForFunction(() => {
        const tiles = [...document.querySelectorAll('img.leaflet-tile')].filter((i) => (i as HTMLImageElement).src.includes('/tiles/'))
        return tiles.length > 3 && tiles.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)
      })
      const m = await page.evaluate(() => {
        const layers = performance.getEntriesByName('griddesk:layers')[0]
        const tiles = performance.getEntriesByType('resource').filter((e) => e.name.includes('/tiles/'))
        const last = Math.max(...tiles.map((e) => (e as PerformanceResourceTiming).responseEnd))
        return { layersEnd: layers ? layers.startTime + layers.duration : null, lastTile: last, tiles: tiles.length }
      })
      walls.push(m.lastTile)
      if (m.layersEnd !== null) paints.push(Math.max(0, m.lastTile - m.layersEnd))
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN
    out.paint = { basemapAfterLayersMsMedian: median(paints), navigationToLastTileMsMedian: median(walls), runs: walls.length }
    console.log(
      `first paint with the basemap: every tile on screen ${median(paints).toFixed(0)} ms after the layers were painted (median of ${paints.length}; target < 500 ms), ${median(walls).toFixed(0)} ms after navigation`,
    )
  } finally {
    await app.close()
  }
}

device.dispose()
slowDevice.dispose()
await hq.close()
rmSync(dir, { recursive: true, force: true })
writeFileSync(join(RESULTS, 'basemap.json'), JSON.stringify(out, null, 2))
console.log(JSON.stringify(out))
