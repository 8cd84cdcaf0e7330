// Basemaps from HQ, with archives made in the test (PNG tiles of varying size, as MBTiles and as
// PMTiles; vector tiles in an MBTiles file): HQ serves enrolled devices only and only inside their regions' box (ETag, Range); the
// device's estimate is within 15% of what it then fetches; a prefetch stopped at several points and
// resumed writes the very same archive as one that ran through, never storing a tile twice; a
// damaged archive is refused in words, in both languages. On PGlite and on PostgreSQL.
import { spawn } from 'node:child_process'
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tileRange, type Box } from '../shared/tiles'
import { resources } from '../shared/i18n'
import { writeFixtureMbtiles } from '../electron/core/db/mbtilesFixture'
import { readTile } from '../electron/core/db/mbtiles'
import { enrol } from '../electron/core/sync/engine'
import { openTestCore } from '../electron/core/testing'
import { REPO_ROOT } from '../electron/core/resources'
import { openPmtiles, writePmtiles } from '../electron/core/tiles/pmtiles'
import { openTileArchive } from '../electron/core/db/tileArchive'
import { writeFixtureVectorMbtiles } from '../electron/core/db/vectorFixture'
import { Compression, TileType } from 'pmtiles'
import { gunzipSync } from 'node:zlib'
import { archiveFile, pausePrefetch, prefetchDone, prefetchStatus, startPrefetch } from '../electron/core/tiles/prefetch'
import { addHqBasemap, BasemapAdminError, listHqBasemaps } from './basemaps'
import { runAdmin } from './cli'
import { backends, startTestHq, type TestHq } from './testing'

type Device = ReturnType<typeof openTestCore>

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'electron/cli/main.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, GRIDDESK_CRASH_AT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}
const COUNTY: Box = [106.75, 23.2, 107.65, 24.1]
const ZOOMS = { minzoom: 10, maxzoom: 14 }

describe.each(backends)('basemaps served by HQ and prefetched by devices (%s)', (backend) => {
  let dir: string
  let hq: TestHq
  let mbtilesId: string
  let pmtilesId: string
  let vectorId: string
  let device: Device
  let token: string
  const devices: Device[] = []
  const newDevice = async (user: string, regions: string[]) => {
    const d = openTestCore()
    devices.push(d)
    const enrolled = await enrol(d.ctx, hq.url, await hq.userWithCode(user, 'grid_manager', regions), 'basemap test')
    return { device: d, token: (enrolled as unknown as { token?: string }).token }
  }
  const tokenOf = (d: Device) =>
    d.ctx.secrets.open((d.ctx.db.$client.prepare("SELECT value FROM sync_state WHERE key = 'hq_token'").get() as { value: string }).value)
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${hq.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'griddesk-basemaps-'))
    // 64-pixel tiles keep the county's ~2,300 tiles quick to draw; their sizes still vary.
    const tiles = writeFixtureMbtiles(join(dir, 'county.mbtiles'), {
      bounds: COUNTY,
      minzoom: 8,
      maxzoom: 14,
      name: '田东测试底图',
      attribution: '© 网格通测试瓦片',
      texture: true,
      size: 64,
    })
    const all = [...tiles].map(([key, png]) => [...key.split('/').map(Number), png] as [number, number, number, Buffer])
    writePmtiles(join(dir, 'county.pmtiles'), {
      format: 'png',
      minzoom: 8,
      maxzoom: 14,
      bounds: COUNTY,
      metadata: { name: '田东 PMTiles', attribution: '© 网格通测试瓦片' },
      tiles: all,
    })
    hq = await startTestHq(undefined, { backend, basemapsDir: join(dir, 'basemaps') })
    // `hq:admin basemap add` writes into --data-dir/basemaps, where the server reads them.
    const added = await runAdmin(['basemap', 'add', join(dir, 'county.mbtiles'), '--name', '田东县底图', '--data-dir', dir], hq.store.db)
    expect(added.code, added.out).toBe(0)
    mbtilesId = (JSON.parse(added.out) as { id: string }).id
    pmtilesId = (await addHqBasemap(join(dir, 'basemaps'), join(dir, 'county.pmtiles'), {})).id
    // A vector basemap (Mapbox Vector Tiles, gzip-compressed in an MBTiles file, as tools write them).
    writeFixtureVectorMbtiles(join(dir, 'vector.mbtiles'), { bounds: COUNTY, minzoom: 8, maxzoom: 14, name: '田东矢量底图', crs: 'GCJ-02' })
    vectorId = (await addHqBasemap(join(dir, 'basemaps'), join(dir, 'vector.mbtiles'), {})).id
    ;({ device } = await newDevice('zhao', ['451022-G03']))
    token = tokenOf(device)
  }, 120_000)
  afterAll(async () => {
    for (const d of devices) d.dispose()
    await hq?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('lists both archives (MBTiles and PMTiles) to an enrolled device, with its box; nothing to others', async () => {
    expect(listHqBasemaps(join(dir, 'basemaps')).map((b) => [b.name, b.format, b.minzoom, b.maxzoom])).toEqual([
      ['田东县底图', 'png', 8, 14],
      ['田东 PMTiles', 'png', 8, 14],
      ['田东矢量底图', 'pbf', 8, 14],
    ])
    const list = await device.call('basemaps.hq.list', {})
    expect(list.basemaps.map((b) => [b.id, b.vector])).toEqual([
      [mbtilesId, false],
      [pmtilesId, false],
      [vectorId, true],
    ])
    expect(list.hasArea).toBe(true)
    const box = list.box!
    // The grid's box lies inside the county and is much smaller than it.
    expect(box[0]).toBeGreaterThan(COUNTY[0] - 0.1)
    expect((box[2] - box[0]) * (box[3] - box[1])).toBeLessThan(((COUNTY[2] - COUNTY[0]) * (COUNTY[3] - COUNTY[1])) / 4)
    expect((await fetch(`${hq.url}/v1/basemaps`)).status).toBe(401)
    expect((await fetch(`${hq.url}/v1/basemaps/${mbtilesId}/tiles/10/830/444`)).status).toBe(401)
  })

  it('serves a device no tile outside its box, whatever it asks; ETag and Range on the ones inside', async () => {
    const { box } = await device.call('basemaps.hq.list', {})
    const inside = tileRange(box!, 14)
    const county = tileRange(COUNTY, 14)
    // Every tile of the county at z14 in a coarse sweep: 200 exactly when inside the box.
    let served = 0
    for (let x = county.x0; x <= county.x1; x += 7)
      for (let y = county.y0; y <= county.y1; y += 7) {
        const res = await get(`/v1/basemaps/${pmtilesId}/tiles/14/${x}/${y}`)
        const within = x >= inside.x0 && x <= inside.x1 && y >= inside.y0 && y <= inside.y1
        expect(res.status, `14/${x}/${y}`).toBe(within ? 200 : 403)
        if (within) served++
        await res.arrayBuffer()
      }
    expect(served).toBeGreaterThan(0)
    // A device of another grid gets that grid's tiles and not these.
    const other = await newDevice('qian', ['451022-G01'])
    const theirs = await fetch(`${hq.url}/v1/basemaps/${mbtilesId}/tiles/14/${inside.x0}/${inside.y0}`, {
      headers: { authorization: `Bearer ${tokenOf(other.device)}` },
    })
    const theirBox = (await other.device.call('basemaps.hq.list', {})).box!
    const overlaps = tileRange(theirBox, 14)
    const shared = inside.x0 >= overlaps.x0 && inside.x0 <= overlaps.x1 && inside.y0 >= overlaps.y0 && inside.y0 <= overlaps.y1
    expect(theirs.status).toBe(shared ? 200 : 403)
    // A user with no regions gets nothing at all.
    const none = await newDevice('sun', [])
    expect((await fetch(`${hq.url}/v1/basemaps/${mbtilesId}/tiles/10/830/444`, { headers: { authorization: `Bearer ${tokenOf(none.device)}` } })).status).toBe(
      403,
    )

    const path = `/v1/basemaps/${mbtilesId}/tiles/14/${inside.x0}/${inside.y0}`
    const whole = await get(path)
    const bytes = Buffer.from(await whole.arrayBuffer())
    expect(whole.headers.get('content-type')).toBe('image/png')
    const etag = whole.headers.get('etag')!
    expect(etag).toMatch(/^".+"$/)
    expect((await get(path, { 'if-none-match': etag })).status).toBe(304)
    const part = await get(path, { range: 'bytes=8-15' })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 8-15/${bytes.length}`)
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(8, 16))).toBe(true)
    expect((await get(path, { range: `bytes=${bytes.length + 5}-` })).status).toBe(416)
  })

  it('estimates the size of its regions within 15% of what the prefetch then stores', async () => {
    const estimate = await device.call('basemaps.hq.estimate', { id: mbtilesId, ...ZOOMS })
    expect(estimate.zooms.map((z) => z.z)).toEqual([10, 11, 12, 13, 14])
    expect(estimate.tiles).toBeGreaterThan(30)
    const started = await startPrefetch(device.ctx, { id: mbtilesId, ...ZOOMS, allowSlowLink: true })
    expect(started.tilesTotal).toBe(estimate.tiles)
    const done = (await prefetchDone(device.ctx))!
    expect(done).toMatchObject({ state: 'done', tilesDone: estimate.tiles })
    expect(Math.abs(done.bytes - estimate.bytes) / done.bytes, `estimate ${estimate.bytes} vs ${done.bytes}`).toBeLessThan(0.15)
    // The archive is a PMTiles file under the data directory that the map reads offline.
    const local = (await device.call('basemaps.list', {})).find((b) => b.id === done.basemapId)!
    expect(local).toMatchObject({
      name: '田东县底图',
      source: { hq: mbtilesId },
      format: 'png',
      minzoom: 10,
      maxzoom: 14,
      tiles: estimate.tiles,
      attribution: '© 网格通测试瓦片',
    })
    const { box } = await device.call('basemaps.hq.list', {})
    const r = tileRange(box!, 13)
    const offline = await readTile(device.dataDir, local.id, 13, r.x0, r.y0)
    const online = Buffer.from(await (await get(`/v1/basemaps/${mbtilesId}/tiles/13/${r.x0}/${r.y0}`)).arrayBuffer())
    expect(offline?.bytes.equals(online)).toBe(true)
    expect(prefetchStatus(device.ctx)).toMatchObject({ state: 'done', basemapId: local.id })
  }, 60_000)

  it('prefetches a vector basemap: estimate within 15%, one PMTiles archive of gzip-compressed vector tiles the map reads offline', async () => {
    const { device: vectorDevice } = await newDevice('zhou', ['451022-G03'])
    const estimate = await vectorDevice.call('basemaps.hq.estimate', { id: vectorId, ...ZOOMS })
    await startPrefetch(vectorDevice.ctx, { id: vectorId, ...ZOOMS, skipSync: true, allowSlowLink: true })
    const done = (await prefetchDone(vectorDevice.ctx))!
    expect(done).toMatchObject({ state: 'done', tilesDone: estimate.tiles })
    expect(Math.abs(done.bytes - estimate.bytes) / done.bytes, `estimate ${estimate.bytes} vs ${done.bytes}`).toBeLessThan(0.15)
    const local = (await vectorDevice.call('basemaps.list', {})).find((b) => b.id === done.basemapId)!
    expect(local).toMatchObject({ name: '田东矢量底图', format: 'pbf', crs: 'GCJ-02', minzoom: 10, maxzoom: 14, tiles: estimate.tiles })
    const archive = await openPmtiles(archiveFile(vectorDevice.dataDir, local.id))
    try {
      expect(archive.header).toMatchObject({ tileType: TileType.Mvt, tileCompression: Compression.Gzip })
    } finally {
      archive.close()
    }
    // Offline, the map gets each tile as the plain protobuf HQ holds (gzip-compressed there).
    const { box } = await vectorDevice.call('basemaps.hq.list', {})
    const r = tileRange(box!, 13)
    const offline = await readTile(vectorDevice.dataDir, local.id, 13, r.x0, r.y0)
    const source = await openTileArchive(join(dir, 'vector.mbtiles'))
    try {
      expect(offline?.contentType).toBe('application/x-protobuf')
      expect(offline?.bytes.equals(gunzipSync((await source.tile(13, r.x0, r.y0))!))).toBe(true)
    } finally {
      source.close()
    }
  }, 60_000)

  it('resumes a prefetch stopped at several points into a byte-identical archive, storing each tile once', async () => {
    const reference = readFileSync(archiveFile(device.dataDir, (await device.call('basemaps.list', {})).find((b) => b.source?.hq === mbtilesId)!.id))
    const { device: other } = await newDevice('zhao2', ['451022-G03'])
    const total = (await other.call('basemaps.hq.estimate', { id: mbtilesId, ...ZOOMS })).tiles
    const stored: number[] = []
    let seen = 0
    for (const stopAt of [1, Math.floor(total / 3), Math.floor((2 * total) / 3), total + 1]) {
      await startPrefetch(other.ctx, {
        id: mbtilesId,
        ...ZOOMS,
        skipSync: true,
        allowSlowLink: true,
        afterTile: (n) => {
          stored.push(n)
          seen++
          if (n >= stopAt) pausePrefetch(other.ctx)
        },
      })
      const status = (await prefetchDone(other.ctx))!
      if (stopAt <= total) {
        expect(status).toMatchObject({ state: 'paused', reason: 'user' })
        // After a stop (or a restart: nothing runs), the paused job is there with its progress.
        expect(prefetchStatus(other.ctx)).toMatchObject({ state: 'paused', tilesDone: status.tilesDone })
      } else expect(status.state).toBe('done')
    }
    expect(seen).toBe(total) // every tile stored exactly once over the four runs
    const local = (await other.call('basemaps.list', {})).find((b) => b.source?.hq === mbtilesId)!
    expect(readFileSync(archiveFile(other.dataDir, local.id)).equals(reference)).toBe(true)
  }, 120_000)

  it('resumes after the CLI process is killed at several points: the same archive, with progress printed', async () => {
    const reference = readFileSync(archiveFile(device.dataDir, (await device.call('basemaps.list', {})).find((b) => b.source?.hq === mbtilesId)!.id))
    const dataDir = join(dir, 'cli-device')
    const enrolled = await cli([
      'sync',
      'enrol',
      '--server',
      hq.url,
      '--code',
      await hq.userWithCode('zhao3', 'grid_manager', ['451022-G03']),
      '--data-dir',
      dataDir,
    ])
    expect(enrolled.code, enrolled.stderr).toBe(0)
    // --slow-ok: a loaded test machine must not look like a slow link.
    const args = ['basemap', 'fetch', '--id', mbtilesId, '--zoom', '10-14', '--slow-ok', '--data-dir', dataDir, '--lang', 'en']
    const estimate = await cli(['basemap', 'estimate', '--id', mbtilesId, '--zoom', '10-14', '--data-dir', dataDir])
    const total = (JSON.parse(estimate.stdout) as { tiles: number }).tiles
    expect(estimate.stderr).toMatch(/z14: \d+ tiles/)
    // Each run counts the tiles it stores itself: killed after the 1st, then half, then a quarter more.
    for (const at of [1, Math.floor(total / 2), Math.floor(total / 4)]) {
      const killed = await cli(args, { GRIDDESK_CRASH_AT: `prefetch.tile-stored@${at}` })
      expect(killed.signal, killed.stderr).toBe('SIGKILL')
    }
    const finished = await cli(args)
    expect(finished.code, finished.stderr).toBe(0)
    expect(finished.stderr).toMatch(/resuming .* \d+ tiles/)
    expect(finished.stderr).toMatch(new RegExp(`done: ${total}/${total} tiles \\(100%\\)`))
    const id = (JSON.parse(finished.stdout) as { basemapId: string }).basemapId
    expect(readFileSync(archiveFile(dataDir, id)).equals(reference)).toBe(true)
  }, 180_000)

  it('refuses a damaged archive, at HQ and on the device, in words in both languages', async () => {
    const whole = readFileSync(join(dir, 'county.pmtiles'))
    const cut = join(dir, 'cut.pmtiles')
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)))
    const refused = await device.dispatch('basemaps.add', { source: { path: cut } })
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { reason: 'basemapCorrupt' } } })
    const garbage = join(dir, 'garbage.pmtiles')
    writeFileSync(garbage, Buffer.concat([whole.subarray(0, 8), Buffer.alloc(200, 7)]))
    expect(await device.dispatch('basemaps.add', { source: { path: garbage } })).toMatchObject({ ok: false, error: { details: { reason: 'basemapCorrupt' } } })
    expect(resources['zh-CN'].translation.mapView.basemapErrors.basemapCorrupt).toMatch(/已损坏/)
    expect(resources.en.translation.mapView.basemapErrors.basemapCorrupt).toMatch(/damaged/)
    await expect(addHqBasemap(join(dir, 'basemaps'), cut, {})).rejects.toThrow(BasemapAdminError)
    await expect(addHqBasemap(join(dir, 'basemaps'), cut, {})).rejects.toThrow(/damaged/)
    // A whole PMTiles file imports locally like an MBTiles one.
    const imported = await device.call('basemaps.add', { source: { path: join(dir, 'county.pmtiles') } })
    expect(imported).toMatchObject({ name: '田东 PMTiles', format: 'png', minzoom: 8, maxzoom: 14 })
    const tile = await readTile(device.dataDir, imported.id, 8, 203, 111)
    expect(tile?.contentType).toBe('image/png')
  })
})
