// The slow-link rule of the basemap prefetch: tiles are left for later on a slow link unless the
// user asked for them anyway, and a remainder that a slow link fetches within a minute is fetched.
// The rule alone, then a prefetch from an HQ answering slowly (a fetch that delays each tile).
import { afterEach, describe, expect, it } from 'vitest'
import type { HqBasemapList, HqEstimate } from '../../../shared/sync/basemaps'
import { tileCount, type Box } from '../../../shared/tiles'
import { setState } from '../db/repos/syncState'
import type { FetchLike } from '../sync/hqClient'
import { openTestCore } from '../testing'
import { pausePrefetch, prefetchDone, SLOW_LINK_BPS, startPrefetch, tooSlow } from './prefetch'

describe('the slow-link rule', () => {
  const slow = { allowSlowLink: false, tilesThisRun: 40, elapsedMs: 8000, bytesPerSecond: SLOW_LINK_BPS / 4, secondsLeft: 600 }

  it('stops a long download on a link slower than the threshold', () => {
    expect(tooSlow(slow)).toBe(true)
  })
  it('never stops when the user asked for the tiles anyway', () => {
    expect(tooSlow({ ...slow, allowSlowLink: true })).toBe(false)
  })
  it('fetches on when the link is fast enough, or what remains takes under a minute', () => {
    expect(tooSlow({ ...slow, bytesPerSecond: SLOW_LINK_BPS * 2 })).toBe(false)
    expect(tooSlow({ ...slow, secondsLeft: 45 })).toBe(false)
  })
  it('judges only once the link was measured: enough tiles, or enough seconds', () => {
    expect(tooSlow({ ...slow, bytesPerSecond: null })).toBe(false)
    expect(tooSlow({ ...slow, tilesThisRun: 3, elapsedMs: 1500 })).toBe(false)
    expect(tooSlow({ ...slow, tilesThisRun: 3, elapsedMs: 6000 })).toBe(true)
    expect(tooSlow({ ...slow, tilesThisRun: 20, elapsedMs: 1500 })).toBe(true)
  })
})

// ~100 km² around Tiandong: about 600 tiles at z10-16.
const BOX: Box = [106.9, 23.5, 107.0, 23.6]
const TILE_BYTES = 1500
const ID = '0192d6a4-7a53-7b1e-9f3c-3f6a1e0c2b11'

/** An HQ with one raster basemap whose tiles take `delayMs` each: ~TILE_BYTES/delay bytes per second. */
function slowHq(delayMs: number): { fetch: FetchLike; tilesServed: () => number } {
  let served = 0
  const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
  const fetchImpl: FetchLike = async (url, init) => {
    const path = new URL(url).pathname
    if (path === '/v1/basemaps') {
      const list: HqBasemapList = {
        box: BOX,
        hasArea: true,
        basemaps: [
          {
            id: ID,
            name: '慢速底图',
            format: 'png',
            vector: false,
            minzoom: 10,
            maxzoom: 16,
            bounds: BOX,
            attribution: null,
            crs: 'WGS-84',
            tiles: 0,
            bytes: 0,
            addedAt: '2026-01-01T00:00:00.000Z',
          },
        ],
      }
      return json(list)
    }
    if (path.endsWith('/estimate')) {
      const q = new URL(url).searchParams
      const zooms: HqEstimate['zooms'] = []
      for (let z = Number(q.get('minzoom')); z <= Number(q.get('maxzoom')); z++)
        zooms.push({ z, tiles: tileCount(BOX, z), meanBytes: TILE_BYTES, bytes: tileCount(BOX, z) * TILE_BYTES })
      return json({ zooms, tiles: zooms.reduce((n, z) => n + z.tiles, 0), bytes: zooms.reduce((n, z) => n + z.bytes, 0), box: BOX })
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError')
    served++
    return new Response(new Uint8Array(TILE_BYTES).fill(served % 251), { headers: { 'content-type': 'image/png' } })
  }
  return { fetch: fetchImpl, tilesServed: () => served }
}

describe('a prefetch on a slow link', () => {
  const devices: ReturnType<typeof openTestCore>[] = []
  afterEach(() => {
    for (const d of devices.splice(0)) d.dispose()
  })
  const enrolledDevice = () => {
    const device = openTestCore()
    devices.push(device)
    setState(device.ctx.db, 'hq_url', 'https://hq.example.test')
    setState(device.ctx.db, 'hq_token', device.ctx.secrets.seal('device-token'))
    return device
  }

  it('pauses by itself after measuring the link, and fetches on when asked', async () => {
    const device = enrolledDevice()
    // One request at a time, 1.5 KB per 150 ms: ~10 KB/s, well under the threshold.
    const hq = slowHq(150)
    const started = await startPrefetch(device.ctx, { id: ID, minzoom: 10, maxzoom: 16, fetch: hq.fetch, concurrency: 1, skipSync: true })
    expect(started.tilesTotal).toBeGreaterThan(300)
    const judged = (await prefetchDone(device.ctx))!
    expect(judged).toMatchObject({ state: 'paused', reason: 'slowLink' })
    expect(judged.bytesPerSecond).toBeLessThan(SLOW_LINK_BPS)
    // Judged after its first tiles, not at the end.
    expect(judged.tilesDone).toBeGreaterThanOrEqual(16)
    expect(judged.tilesDone).toBeLessThan(40)

    // Asked anyway: the same job goes on past the point where it stopped, from where it was.
    let past = 0
    await startPrefetch(device.ctx, {
      id: ID,
      minzoom: 10,
      maxzoom: 16,
      fetch: hq.fetch,
      concurrency: 1,
      skipSync: true,
      allowSlowLink: true,
      afterTile: (n) => {
        if (n >= judged.tilesDone + 30) {
          past = n
          pausePrefetch(device.ctx)
        }
      },
    })
    const asked = (await prefetchDone(device.ctx))!
    expect(asked).toMatchObject({ state: 'paused', reason: 'user' })
    expect(past).toBe(judged.tilesDone + 30)
    expect(hq.tilesServed()).toBe(asked.tilesDone)
  }, 60_000)

  it('fetches a small download on a slow link without asking', async () => {
    const device = enrolledDevice()
    const hq = slowHq(150)
    // z10-12 of the box: a handful of tiles, a few seconds even at ~10 KB/s.
    const started = await startPrefetch(device.ctx, { id: ID, minzoom: 10, maxzoom: 12, fetch: hq.fetch, concurrency: 1, skipSync: true })
    expect(started.tilesTotal).toBeLessThan(30)
    const done = (await prefetchDone(device.ctx))!
    expect(done).toMatchObject({ state: 'done', tilesDone: started.tilesTotal })
  }, 60_000)
})
