// The map's handlers against a real SQLite file: choropleth values and popup facts, key customers
// for clustering, the grid layout check (demo county clean; crafted overlaps, gaps and stray
// villages found), offline basemaps (MBTiles import, tiles over HTTP with the TMS y flip), and the
// zipped Shapefile grid import.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zip as zipShapefile } from '@mapbox/shp-write'
import type { FeatureCollection } from 'geojson'
import iconv from 'iconv-lite'
import JSZip from 'jszip'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ImportIssue } from '../../../shared/api/imports'
import { startBrowserMode, type BrowserMode } from '../../devserver/server'
import { basemapsDir } from '../db/mbtiles'
import { writeFixtureMbtiles } from '../db/mbtilesFixture'
import { writeFixtureVectorMbtiles, writeFixtureVectorPmtiles } from '../db/vectorFixture'
import { tilesOf } from '../../../shared/tiles'
import { VectorTile } from '@mapbox/vector-tile'
import Pbf from 'pbf'
import { shareAgainst } from '../../../shared/profile'
import { openTestCore } from '../testing'

type TestCore = ReturnType<typeof openTestCore>

describe('map layers on the demo county', () => {
  let core: TestCore
  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', {})
  })
  afterAll(() => core?.dispose())
  const one = <T>(sql: string, ...params: unknown[]) => core.ctx.db.$client.prepare(sql).get(...params) as T

  it('gives every village and grid its indicator values and popup facts', async () => {
    const data = await core.call('map.choropleth', {})
    expect(data.villages).toHaveLength(173)
    expect(data.grids).toHaveLength(12)
    expect(data.villages.every((v) => v.boundary?.type === 'Polygon' || v.boundary?.type === 'MultiPolygon')).toBe(true)
    const village = data.villages[0]!
    const row = one<{ penetration_pct: number; households: number; share_vs_rivals: string }>('SELECT * FROM villages WHERE id = ?', village.id)
    expect(village.metrics.penetration).toBe(row.penetration_pct)
    expect(village.metrics.households).toBe(row.households)
    const share = JSON.parse(row.share_vs_rivals) as { ours: number; telecom: number }
    expect(village.metrics.shareVsTelecom).toBeCloseTo((share.ours / (share.ours + share.telecom)) * 100, 0)
    expect(village.metrics.completeness).toBeGreaterThan(0)
    // Grid households are the sum of its villages'; the A-tier facts add up to the county's.
    const grid = data.grids[0]!
    const sum = data.villages.filter((v) => v.gridId === grid.id).reduce((a, v) => a + (v.metrics.households ?? 0), 0)
    expect(grid.metrics.households).toBe(sum)
    const cutoff = new Date(Date.now() - 30 * 86_400_000).toISOString()
    const aNotVisited = one<{ n: number }>(
      `SELECT count(*) AS n FROM key_customers k WHERE deleted_at IS NULL AND coalesce(tier_override, value_tier) = 'A'
       AND NOT EXISTS (SELECT 1 FROM visits s WHERE s.customer_id = k.id AND s.status = 'done' AND s.checked_in_at >= ?)`,
      cutoff,
    ).n
    expect(aNotVisited).toBeGreaterThan(0)
    expect(data.grids.reduce((a, g) => a + g.facts.aTierNotVisited30, 0)).toBe(aNotVisited)
    expect(data.villages.reduce((a, v) => a + v.facts.aTierNotVisited30, 0)).toBe(aNotVisited)
    // Key customers: each counted in its village and its grid.
    for (const village of data.villages.slice(0, 20))
      expect(village.facts.keyCustomers).toBe(
        one<{ n: number }>('SELECT count(*) AS n FROM key_customers WHERE deleted_at IS NULL AND village_id = ?', village.id).n,
      )
    expect(data.grids.reduce((a, g) => a + g.facts.keyCustomers, 0)).toBe(
      one<{ n: number }>('SELECT count(*) AS n FROM key_customers WHERE deleted_at IS NULL AND grid_id IS NOT NULL').n,
    )
    // Days since the last visit: from the latest done visit to the village or its customers.
    const visited = data.villages.find((v) => v.facts.lastVisitAt)!
    expect(visited.metrics.daysSinceVisit).toBe(Math.floor((Date.now() - Date.parse(visited.facts.lastVisitAt!)) / 86_400_000))
  })

  it('reads share against a rival both as market shares and as head-to-head values', () => {
    expect(shareAgainst(JSON.stringify({ ours: 60, telecom: 20, unicom: 0, broadnet: 0 }))).toEqual({ telecom: 75, unicom: 100, broadnet: 100 })
    expect(shareAgainst(JSON.stringify({ telecom: 55 }))).toEqual({ telecom: 55, unicom: null, broadnet: null })
    expect(shareAgainst('not json')).toEqual({ telecom: null, unicom: null, broadnet: null })
    expect(shareAgainst(null)).toEqual({ telecom: null, unicom: null, broadnet: null })
  })

  it('clusters key customers in the core for the view asked: every customer counted once, none sent whole', async () => {
    const county: [number, number, number, number] = [100, 15, 120, 30]
    const far = await core.call('map.customers', { bbox: county, zoom: 6 })
    expect(far.total).toBe(360)
    // Zoomed out, a few bubbles hold them all.
    expect(far.items.length).toBeLessThan(20)
    const counted = (items: typeof far.items) => items.reduce((n, item) => n + (item.kind === 'cluster' ? item.count : 1), 0)
    expect(counted(far.items)).toBe(360)
    const bubble = far.items.find((item) => item.kind === 'cluster')!
    expect(bubble).toEqual({
      kind: 'cluster',
      key: expect.any(Number),
      count: expect.any(Number),
      lon: expect.any(Number),
      lat: expect.any(Number),
      expansionZoom: expect.any(Number),
    })
    expect(bubble.expansionZoom).toBeGreaterThan(6)
    // Zoomed in past the cluster zoom, every customer in the box is its own dot, with tier and name.
    const near = await core.call('map.customers', { bbox: county, zoom: 17 })
    expect(near.items).toHaveLength(360)
    expect(near.items[0]).toEqual({
      kind: 'customer',
      id: expect.any(String),
      name: expect.any(String),
      tier: expect.stringMatching(/^[ABC]$/),
      lon: expect.any(Number),
      lat: expect.any(Number),
    })
    // A box elsewhere holds none.
    expect((await core.call('map.customers', { bbox: [0, 0, 1, 1], zoom: 10 })).items).toEqual([])
    // A change of the store is seen at the next call (the index is rebuilt).
    const moved = near.items[0]!
    await core.call('customers.update', { id: (moved as { id: string }).id, patch: { name: '新名字' } })
    const after = await core.call('map.customers', { bbox: county, zoom: 17 })
    expect(after.items.find((item) => item.kind === 'customer' && item.id === (moved as { id: string }).id)).toMatchObject({ name: '新名字' })
    // Bad boxes and zooms are refused.
    await expect(core.call('map.customers', { bbox: [0, 0, 200, 1], zoom: 10 } as never)).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(core.call('map.customers', { bbox: county, zoom: 1.5 } as never)).rejects.toMatchObject({ code: 'VALIDATION' })
  })

  it("clusters the day's rival intel in the core for the view: every pin counted once, each pin as intel.pins gives it", async () => {
    const county: [number, number, number, number] = [100, 15, 120, 30]
    const day = new Date().toISOString().slice(0, 10)
    const pins = await core.call('intel.pins', { validOn: day, limit: 5000 })
    expect(pins.length).toBeGreaterThan(20)
    const far = await core.call('map.intel', { validOn: day, bbox: county, zoom: 6 })
    expect(far.total).toBe(pins.length)
    expect(far.items.length).toBeLessThan(20)
    expect(far.items.reduce((n, item) => n + (item.kind === 'cluster' ? item.count : 1), 0)).toBe(pins.length)
    // Zoomed in past the cluster zoom, every pin in the box is its own, with what its tooltip says.
    const near = await core.call('map.intel', { validOn: day, bbox: county, zoom: 15 })
    const byId = new Map(pins.map((p) => [p.id, p]))
    expect(near.items).toHaveLength(pins.length)
    for (const item of near.items) expect(item).toEqual({ kind: 'pin', ...byId.get((item as { id: string }).id) })
    // Intel written since is seen at the next call; another day has its own pins.
    const planted = await core.call('intel.create', {
      rival: 'telecom',
      kind: 'price',
      title: '电信29元卡',
      lon: 107.3,
      lat: 23.8,
      seenAt: new Date().toISOString(),
      validFrom: day,
    })
    const again = await core.call('map.intel', { validOn: day, bbox: county, zoom: 15 })
    expect(again.items.find((item) => item.kind === 'pin' && item.id === planted.id)).toMatchObject({ title: '电信29元卡' })
    expect((await core.call('map.intel', { validOn: '2000-01-01', bbox: county, zoom: 15 })).total).toBe(0)
    await expect(core.call('map.intel', { validOn: '2026-13-01', bbox: county, zoom: 10 } as never)).rejects.toMatchObject({ code: 'VALIDATION' })
  })

  it('finds no overlaps, gaps or stray villages in the demo county (slivers under 1 ha are noise)', async () => {
    const check = await core.call('grids.check', {})
    expect(check).toMatchObject({ grids: 12, villages: 173 })
    expect(check.issues).toEqual([])
  })
})

describe('grid layout check on crafted grids', () => {
  let core: TestCore
  let dir: string
  beforeEach(() => {
    core = openTestCore()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-gridcheck-'))
  })
  afterEach(() => {
    core.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  // A 3×3 block of 0.05° cells with the middle one missing (a gap enclosed by grids); G2 reaches
  // 0.01° into G3 (an overlap).
  const cell = (code: string, col: number, row: number, grow = 0) => {
    const [w, s] = [107 + col * 0.05, 23.5 + row * 0.05]
    return {
      type: 'Feature' as const,
      properties: { code, name: `网格${code}` },
      geometry: {
        type: 'Polygon' as const,
        coordinates: [
          [
            [w, s],
            [w + 0.05 + grow, s],
            [w + 0.05 + grow, s + 0.05],
            [w, s + 0.05],
            [w, s],
          ],
        ],
      },
    }
  }
  const layout: FeatureCollection = {
    type: 'FeatureCollection',
    features: [
      cell('G1', 0, 0),
      cell('G2', 1, 0, 0.01),
      cell('G3', 2, 0),
      cell('G4', 0, 1),
      cell('G6', 2, 1),
      cell('G7', 0, 2),
      cell('G8', 1, 2),
      cell('G9', 2, 2),
    ],
  }

  it('reports the overlap, the enclosed gap, and villages in no grid, in two, or in another grid', async () => {
    const grids = join(dir, 'grids.geojson')
    writeFileSync(grids, JSON.stringify(layout))
    await core.call('import.commit', { kind: 'grids', source: { path: grids } })
    const villages = join(dir, 'villages.csv')
    writeFileSync(
      villages,
      [
        '区划代码,名称,网格编码,经度,纬度',
        '451022100001,中间村,,107.075,23.575', // in the gap
        '451022100002,重叠村,G2,107.105,23.52', // inside G2 and G3
        '451022100003,错网格村,G1,107.125,23.575', // assigned to G1, lies in G6
        '451022100004,正常村,G9,107.125,23.625', // in G9, where it belongs: no warning
      ].join('\n'),
    )
    await core.call('import.commit', { kind: 'villages', source: { path: villages } })
    const check = await core.call('grids.check', {})
    const kinds = check.issues.map((i) => `${i.kind}:${i.grids.map((g) => g.code).join('+')}:${i.village?.name ?? ''}`).sort()
    expect(kinds).toEqual([
      'gap:G1+G2+G3+G4+G6+G7+G8+G9:',
      'overlap:G2+G3:',
      'village_multiple:G2+G3:重叠村',
      'village_other_grid:G1+G6:错网格村',
      'village_outside::中间村',
    ])
    const overlap = check.issues.find((i) => i.kind === 'overlap')!
    // 0.01° × 0.05° at 23.5°N ≈ 1.02 km × 5.5 km ≈ 5.6 km²
    expect(overlap.areaM2).toBeGreaterThan(5_000_000)
    expect(overlap.areaM2).toBeLessThan(6_200_000)
    expect(overlap.at[0]).toBeGreaterThan(107.1)
    expect(overlap.at[0]).toBeLessThan(107.11)
    // A threshold above the overlap's area hides it and the gap (2.5e7 m²) stays.
    const coarse = await core.call('grids.check', { minAreaM2: 10_000_000 })
    expect(coarse.issues.map((i) => i.kind)).not.toContain('overlap')
    expect(coarse.issues.map((i) => i.kind)).toContain('gap')
  })
})

describe('offline basemaps (MBTiles, PMTiles; raster and vector)', () => {
  let core: TestCore
  let dir: string
  let server: BrowserMode
  let cookie = ''
  beforeAll(async () => {
    core = openTestCore()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-basemap-'))
    const rendererDir = join(dir, 'renderer')
    mkdirSync(rendererDir)
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
    server = await startBrowserMode({ core, rendererDir })
    cookie = (await fetch(server.launchUrl, { redirect: 'manual' })).headers.get('set-cookie')!.split(';')[0]!
  })
  afterAll(async () => {
    await server?.close()
    core?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const tile = (id: string, z: number, x: number, y: number) => fetch(new URL(`tiles/${id}/${z}/${x}/${y}`, server.url), { headers: { cookie } })

  it('imports a raster MBTiles file and serves its tiles over HTTP, flipping y from XYZ to TMS', async () => {
    const file = join(dir, 'tiandong.mbtiles')
    const tiles = writeFixtureMbtiles(file, { bounds: [107.0, 23.4, 107.3, 23.8], minzoom: 1, maxzoom: 9, attribution: '© 测试底图' })
    const basemap = await core.call('basemaps.add', { source: { path: file } })
    expect(basemap).toMatchObject({ name: 'Test basemap', format: 'png', minzoom: 1, maxzoom: 9, attribution: '© 测试底图', crs: 'WGS-84', tiles: tiles.size })
    expect(basemap.bounds).toEqual([107.0, 23.4, 107.3, 23.8])
    expect(await core.call('basemaps.list', {})).toEqual([basemap])

    // z=1: the county is in the northern hemisphere, so XYZ y=0 (TMS row 1), x=1 (east).
    expect([...tiles.keys()]).toContain('1/1/0')
    const north = await tile(basemap.id, 1, 1, 0)
    expect(north.status).toBe(200)
    expect(north.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await north.arrayBuffer()).equals(tiles.get('1/1/0')!)).toBe(true)
    // Where XYZ y=1 would be if the flip were missing there is nothing.
    expect((await tile(basemap.id, 1, 1, 1)).status).toBe(204)
    // Every stored tile answers with its own bytes at a deeper zoom too.
    const deep = [...tiles.keys()].find((k) => k.startsWith('9/'))!
    const [z, x, y] = deep.split('/').map(Number) as [number, number, number]
    expect(Buffer.from(await (await tile(basemap.id, z, x, y)).arrayBuffer()).equals(tiles.get(deep)!)).toBe(true)
    // Outside the tile range, an unknown basemap, a malformed path: no tile, no error.
    expect((await tile(basemap.id, 1, 5, 0)).status).toBe(204)
    expect((await tile('00000000-0000-7000-8000-000000000000', 1, 1, 0)).status).toBe(204)
    expect((await fetch(new URL('tiles/..%2F..%2Fgriddesk.sqlite/1/1/0', server.url), { headers: { cookie } })).status).toBe(204)
  })

  it('takes the CRS from the metadata or the declaration, manages several basemaps, removes one', async () => {
    const gcj = join(dir, 'gcj.mbtiles')
    writeFixtureMbtiles(gcj, { bounds: [107.0, 23.4, 107.3, 23.8], minzoom: 5, maxzoom: 6, crs: 'GCJ02', name: '高德风格底图' })
    const uploaded = await core.call('basemaps.add', {
      source: { fileName: 'gcj.mbtiles', base64: (await import('node:fs')).readFileSync(gcj).toString('base64') },
    })
    expect(uploaded).toMatchObject({ name: '高德风格底图', crs: 'GCJ-02' })
    const declared = await core.call('basemaps.add', { source: { path: gcj }, name: '百度', crs: 'BD-09' })
    expect(declared).toMatchObject({ name: '百度', crs: 'BD-09' })
    const list = await core.call('basemaps.list', {})
    expect(list.map((b) => b.name)).toEqual(['Test basemap', '高德风格底图', '百度'])

    expect(await core.call('basemaps.remove', { id: uploaded.id })).toEqual({ removed: true })
    expect((await core.call('basemaps.list', {})).map((b) => b.name)).toEqual(['Test basemap', '百度'])
    expect((await tile(uploaded.id, 5, 25, 13)).status).toBe(204)
    expect(await core.call('basemaps.remove', { id: uploaded.id })).toEqual({ removed: false })
  })

  it('imports vector MBTiles and PMTiles files and serves their tiles as plain protobuf the map can read', async () => {
    const options = { bounds: [107.0, 23.4, 107.3, 23.8] as [number, number, number, number], minzoom: 8, maxzoom: 11, name: '矢量底图' }
    const mbtiles = join(dir, 'vector.mbtiles')
    const pmtiles = join(dir, 'vector.pmtiles')
    const count = writeFixtureVectorMbtiles(mbtiles, options)
    expect(writeFixtureVectorPmtiles(pmtiles, { ...options, name: '矢量 PMTiles' })).toBe(count)
    for (const [file, name] of [
      [mbtiles, '矢量底图'],
      [pmtiles, '矢量 PMTiles'],
    ] as const) {
      const basemap = await core.call('basemaps.add', { source: { path: file } })
      expect(basemap).toMatchObject({ name, format: 'pbf', minzoom: 8, maxzoom: 11, tiles: count })
      const layers = new Set<string>()
      for (const [, x, y] of tilesOf(options.bounds, 11, 11)) {
        const res = await tile(basemap.id, 11, x, y)
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toBe('application/x-protobuf')
        const bytes = new Uint8Array(await res.arrayBuffer())
        expect(bytes[0]).not.toBe(0x1f) // not gzip: protomaps-leaflet parses the bytes as they come
        for (const layer of Object.keys(new VectorTile(new Pbf(bytes)).layers)) layers.add(layer)
      }
      expect([...layers].sort()).toEqual(['earth', 'landuse', 'places', 'roads', 'water'])
      await core.call('basemaps.remove', { id: basemap.id })
    }
  })

  it('refuses a file that is not a tile archive, or holds no tiles, with a reason, and keeps nothing of it', async () => {
    const before = readdirSync(basemapsDir(core.dataDir)).sort()
    const text = join(dir, 'notes.mbtiles')
    writeFileSync(text, 'this is not SQLite')
    const bad = await core.dispatch('basemaps.add', { source: { path: text } })
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { reason: 'basemapNotArchive' } } })
    const empty = join(dir, 'empty.mbtiles')
    writeFixtureMbtiles(empty, { bounds: [107.0, 23.4, 107.3, 23.8], minzoom: 5, maxzoom: 5 })
    const Database = (await import('better-sqlite3')).default
    const db = new Database(empty)
    db.prepare('DELETE FROM tiles').run()
    db.close()
    expect(await core.dispatch('basemaps.add', { source: { path: empty } })).toMatchObject({ ok: false, error: { details: { reason: 'basemapEmpty' } } })
    expect(await core.dispatch('basemaps.add', { source: { path: join(dir, 'missing.mbtiles') } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(readdirSync(basemapsDir(core.dataDir)).sort()).toEqual(before)
    expect(existsSync(basemapsDir(core.dataDir))).toBe(true)
  })
})

describe('zipped Shapefile grid import', () => {
  let core: TestCore
  let dir: string
  beforeEach(() => {
    core = openTestCore()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-shp-'))
  })
  afterEach(() => {
    core.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const square = (w: number, s: number, d = 0.02): [number, number][][] => [
    [
      [w, s],
      [w + d, s],
      [w + d, s + d],
      [w, s + d],
      [w, s],
    ],
  ]
  const collection: FeatureCollection = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { code: 'SHP-01', name: 'Pingma East' }, geometry: { type: 'Polygon', coordinates: square(107.1, 23.6) } },
      { type: 'Feature', properties: { code: 'SHP-02', name: 'Pingma West' }, geometry: { type: 'Polygon', coordinates: square(107.05, 23.6) } },
    ],
  }

  it('imports grids from a zipped Shapefile written by shp-write', async () => {
    const path = join(dir, 'grids.zip')
    writeFileSync(path, await zipShapefile(collection, { outputType: 'nodebuffer', compression: 'DEFLATE' }))
    const preview = await core.call('import.preview', { kind: 'grids', source: { path } })
    expect(preview.issues).toEqual([])
    expect(preview.sample).toEqual([
      { row: 1, code: 'SHP-01', name: 'Pingma East', kind: null, geometryType: 'Polygon' },
      { row: 2, code: 'SHP-02', name: 'Pingma West', kind: null, geometryType: 'Polygon' },
    ])
    expect(await core.call('import.commit', { kind: 'grids', source: { path } })).toMatchObject({ inserted: 2 })
    const overview = await core.call('map.overview', {})
    expect(overview.grids.features.map((f) => f.properties.code)).toEqual(['SHP-01', 'SHP-02'])
    const ring = (overview.grids.features[0]!.geometry.coordinates as number[][][])[0]!
    ring.forEach(([lon, lat], i) => {
      expect(lon).toBeCloseTo(square(107.1, 23.6)[0]![i]![0], 6)
      expect(lat).toBeCloseTo(square(107.1, 23.6)[0]![i]![1], 6)
    })
  })

  it('reads GBK attribute text without a .cpg, and refuses a zip with no .shp, changing nothing', async () => {
    // Chinese GIS software writes the .dbf in GBK and often no .cpg: put GBK bytes in place of
    // shp-write's ASCII name (same 11-byte field: 5 characters × 2 bytes and a space).
    const zipped = await JSZip.loadAsync(await zipShapefile(collection, { outputType: 'nodebuffer' }))
    const dbfName = Object.keys(zipped.files).find((n) => n.endsWith('.dbf'))!
    const dbf = Buffer.from(await zipped.file(dbfName)!.async('uint8array'))
    const east = Buffer.from('Pingma East', 'latin1')
    const at = dbf.indexOf(east)
    expect(at).toBeGreaterThan(0)
    iconv.encode('平马东片网', 'gbk').copy(dbf, at) // 10 bytes, then a space of the 11
    dbf[at + 10] = 0x20
    zipped.file(dbfName, new Uint8Array(dbf))
    const path = join(dir, 'gbk.zip')
    writeFileSync(path, await zipped.generateAsync({ type: 'nodebuffer' }))
    const preview = await core.call('import.preview', { kind: 'grids', source: { path } })
    expect(preview.encoding).toBe('gb18030')
    expect(preview.sample[0]).toMatchObject({ code: 'SHP-01', name: '平马东片网' })

    const empty = new JSZip()
    empty.file('readme.txt', 'no shapefile here')
    const emptyPath = join(dir, 'empty.zip')
    writeFileSync(emptyPath, await empty.generateAsync({ type: 'nodebuffer' }))
    const before = (await core.call('map.overview', {})).grids.features.length
    const failed = await core.dispatch('import.commit', { kind: 'grids', source: { path: emptyPath } })
    expect(failed.ok).toBe(false)
    const issues = (failed as unknown as { error: { details: { importIssues: ImportIssue[] } } }).error.details.importIssues
    expect(issues).toEqual([{ file: 'empty.zip', row: null, field: null, code: 'unreadable', params: { reason: 'no .shp file in the zip' } }])
    expect((await core.call('map.overview', {})).grids.features.length).toBe(before)
  })
})
