// Real, public boundary files (fixtures/public, see its README for source and licence) through the
// boundary importers: the DataV/ECharts GeoJSON shape whose code is the feature's id, a zipped
// Shapefile with `id`/`name` fields, a KML whose ring touches itself. Codes and names are found
// without a mapping; invalid geometry is repaired with the area kept within 1% and reported before
// and after; what is stored is valid. Random valid polygons pass through unchanged (fast-check).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as turf from '@turf/turf'
import fc from 'fast-check'
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImportIssue } from '../../../shared/api/imports'
import { formatImportIssue } from '../../../shared/i18n/importIssues'
import { runCli } from '../../cli/main'
import { repairGeometry, validityError } from '../geo/repair'
import { openTestCore } from '../testing'
import { validateGrids } from './grids'

const PUBLIC = join(import.meta.dirname, 'fixtures', 'public')
const DATAV = join(PUBLIC, 'beijing-districts.geojson')
const SHAPEFILE = join(PUBLIC, 'beijing-mentougou-tongzhou.zip')
const KML = join(PUBLIC, 'shijiazhuang.kml')
type Area = Polygon | MultiPolygon

describe('real, public boundary files', () => {
  let core: ReturnType<typeof openTestCore>
  let dir: string
  beforeEach(() => {
    core = openTestCore()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-public-'))
  })
  afterEach(() => {
    core.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const stored = (level: string) =>
    core.ctx.db.$client.prepare('SELECT code, name, boundary FROM org_units WHERE level = ? ORDER BY code').all(level) as {
      code: string
      name: string
      boundary: string
    }[]

  it('DataV/ECharts GeoJSON: the code is the feature id; crossings and repeated points are repaired within 1% of the area; stored boundaries are valid', async () => {
    const preview = await core.call('import.preview', { kind: 'county', source: { path: DATAV } })
    expect(preview.issues).toEqual([])
    expect(preview.mapping).toEqual({ code: 'id', name: 'name' })
    expect(preview.headers).toEqual(['cp', 'name', 'childNum', 'id'])
    expect(preview.properties![0]).toMatchObject({ id: '110101', name: '东城区' })
    expect(preview.sample.map((s) => s.code)).toEqual(['110101', '110107', '110109', '110112'])
    // 东城区 and 石景山区 cross themselves as published; every feature had repeated points and clockwise rings.
    const byCode = Object.fromEntries(preview.repairs!.map((r) => [r.code, r]))
    expect(byCode['110101']!.kinds).toContain('self_intersection')
    expect(byCode['110101']!.at).toEqual([116.4375, 39.928711])
    expect(byCode['110109']!.kinds).toEqual(['duplicate_points', 'orientation'])
    for (const r of preview.repairs!) {
      expect(r.areaBeforeM2).toBeGreaterThan(10_000_000)
      expect(Math.abs(r.areaAfterM2! - r.areaBeforeM2!) / r.areaBeforeM2!).toBeLessThanOrEqual(0.01)
    }
    expect(await core.call('import.commit', { kind: 'county', source: { path: DATAV } })).toMatchObject({ inserted: 4, updated: 0 })
    const counties = stored('county')
    expect(counties.map((c) => `${c.code} ${c.name}`)).toEqual(['110101 东城区', '110107 石景山区', '110109 门头沟区', '110112 通州区'])
    for (const county of counties) expect(validityError(JSON.parse(county.boundary) as Area)).toBeNull()
    // The areas stored are the ones the preview reported after repair (to the square metre, 6 decimals aside).
    const dongcheng = turf.area(turf.feature(JSON.parse(counties[0]!.boundary) as Area))
    expect(Math.abs(dongcheng - byCode['110101']!.areaAfterM2!) / dongcheng).toBeLessThan(1e-4)
    // The county divisions are known from now on.
    expect(core.ctx.db.$client.prepare("SELECT code, name FROM divisions WHERE level = 'county' ORDER BY code").all()).toHaveLength(4)
  })

  it('zipped Shapefile with id/name fields imports as grids without a mapping, area unchanged by the repair', async () => {
    const preview = await core.call('import.preview', { kind: 'grids', source: { path: SHAPEFILE } })
    expect(preview.issues).toEqual([])
    expect(preview.mapping).toEqual({ code: 'id', name: 'name' })
    expect(preview.repairs!.every((r) => r.areaAfterM2 === r.areaBeforeM2)).toBe(true)
    expect(await core.call('import.commit', { kind: 'grids', source: { path: SHAPEFILE } })).toMatchObject({ inserted: 2 })
    expect(stored('grid').map((g) => g.name)).toEqual(['门头沟区', '通州区'])
  })

  it('KML whose ring touches itself is repaired (area within 1%, before and after reported) and saved as a valid county outline', async () => {
    const preview = await core.call('import.preview', { kind: 'county', source: { path: KML } })
    expect(preview.issues).toEqual([])
    expect(preview.mapping).toEqual({ code: 'id', name: 'name' })
    const [repair] = preview.repairs!
    expect(repair).toMatchObject({ row: 1, code: '130100', duplicatePoints: 9, at: [114.302734, 37.508789] })
    expect(repair!.kinds).toEqual(['duplicate_points', 'self_touch'])
    expect(repair!.areaBeforeM2).toBeGreaterThan(14_000_000_000)
    expect(Math.abs(repair!.areaAfterM2! - repair!.areaBeforeM2!)).toBeLessThan(100)
    const raw = (await import('@tmcw/togeojson')).kml(
      new (await import('@xmldom/xmldom')).DOMParser().parseFromString(readFileSync(KML, 'utf8'), 'text/xml') as unknown as Document,
    )
    expect(validityError(raw.features[0]!.geometry as Area)).toMatchObject({ kind: 'self_touch' })
    expect(await core.call('import.commit', { kind: 'county', source: { path: KML } })).toMatchObject({ inserted: 1 })
    expect(validityError(JSON.parse(stored('county')[0]!.boundary) as Area)).toBeNull()
  })

  it('the county outline goes to the only county there is; townships draw themselves from 9- or 12-digit codes', async () => {
    const county = await core.call('org.create', { parentId: null, code: 'XIAN', name: '本县', level: 'county' })
    expect(await core.call('import.commit', { kind: 'county', source: { path: KML } })).toMatchObject({ inserted: 0, updated: 1 })
    expect(JSON.parse((core.ctx.db.$client.prepare('SELECT boundary FROM org_units WHERE id = ?').get(county.id) as { boundary: string }).boundary).type).toBe(
      'Polygon',
    )

    const features = (JSON.parse(readFileSync(DATAV, 'utf8')) as FeatureCollection).features
    const townships: FeatureCollection = {
      type: 'FeatureCollection',
      features: features.map((f, i) => ({
        type: 'Feature',
        properties: { 乡镇代码: i % 2 ? `${f.id}00${i}` : `${f.id}00${i}000`, 乡镇名称: `${f.properties!.name}第${i}镇` },
        geometry: f.geometry,
      })),
    }
    const path = join(dir, 'townships.geojson')
    writeFileSync(path, JSON.stringify(townships))
    // No alias for these names: the mapping says which property is which.
    const unmapped = await core.call('import.preview', { kind: 'townships', source: { path } })
    expect(unmapped.issues.map((i) => `${i.row}:${i.field}:${i.code}`).slice(0, 2)).toEqual(['1:code:required', '2:code:required'])
    expect(await core.call('import.commit', { kind: 'townships', source: { path }, mapping: { code: '乡镇代码', name: '乡镇名称' } })).toMatchObject({
      inserted: 4,
    })
    const rows = core.ctx.db.$client
      .prepare("SELECT code, parent_code AS parentCode, boundary IS NOT NULL AS drawn FROM divisions WHERE level = 'township' ORDER BY code")
      .all()
    expect(rows).toEqual([
      { code: '110101000', parentCode: '110101', drawn: 1 },
      { code: '110107001', parentCode: '110107', drawn: 1 },
      { code: '110109002', parentCode: '110109', drawn: 1 },
      { code: '110112003', parentCode: '110112', drawn: 1 },
    ])
    // The map draws them as outlines.
    const { townships: outlines } = await core.call('map.overview', {})
    expect(outlines.features.map((f) => f.properties)).toEqual([
      { code: '110101000', name: '东城区第0镇' },
      { code: '110107001', name: '石景山区第1镇' },
      { code: '110109002', name: '门头沟区第2镇' },
      { code: '110112003', name: '通州区第3镇' },
    ])
    expect(outlines.features[0]!.geometry.type).toMatch(/Polygon/)
  })

  it('--map on the command line; a repair that would change the area by more than 1% is refused saying where and by how much', async () => {
    const cli = await runCli(['import', 'county', DATAV, '--data-dir', core.ctx.dataDir, '--map', 'code=id,name=name', '--lang', 'en'])
    expect(cli.code).toBe(0)
    // A real outline with one vertex dragged across the district: either half could be meant.
    const [dongcheng] = (JSON.parse(readFileSync(DATAV, 'utf8')) as FeatureCollection<Polygon>).features
    const ring = dongcheng!.geometry.coordinates[0]!
    const far = ring.reduce((a, b) => (b[0]! > a[0]! ? b : a))
    const twisted: Position[] = [...ring]
    twisted.splice(Math.floor(ring.length / 4), 0, [far[0]! + 0.05, far[1]!])
    const path = join(dir, 'twisted.geojson')
    writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features: [{ ...dongcheng, geometry: { type: 'Polygon', coordinates: [twisted] } }] }))
    const preview = await core.call('import.preview', { kind: 'county', source: { path } })
    expect(preview.issues).toHaveLength(1)
    const [issue] = preview.issues as [ImportIssue]
    expect(issue).toMatchObject({ row: 1, field: 'geometry', code: 'self_intersection' })
    expect(issue.params.changePct).toBeGreaterThan(1)
    expect(typeof issue.params.lon).toBe('number')
    expect(formatImportIssue(issue, 'zh-CN')).toMatch(/约 116\.\d+, 39\.\d+ 处.*面积从 [\d,]+ 变为 [\d,]+ 平方米（变化 [\d.]+%，超过 1%）/)
    expect(formatImportIssue(issue, 'en')).toMatch(/near 116\.\d+, 39\.\d+/)
  })
})

describe('identifiers found by themselves, or named with --map', () => {
  let core: ReturnType<typeof openTestCore>
  let dir: string
  beforeEach(() => {
    core = openTestCore()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-ids-'))
  })
  afterEach(() => {
    core.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  // 舒城县 (341523), a square around it: only the identifiers differ between the cases.
  const square: Polygon = {
    type: 'Polygon',
    coordinates: [
      [
        [116.8, 31.2],
        [117.1, 31.2],
        [117.1, 31.5],
        [116.8, 31.5],
        [116.8, 31.2],
      ],
    ],
  }
  const write = (name: string, properties: Record<string, unknown>) => {
    const path = join(dir, name)
    writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties, geometry: square }] }))
    return path
  }
  const counties = () => core.ctx.db.$client.prepare("SELECT code, name FROM divisions WHERE level = 'county'").all()

  it.each([
    ['adcode / name (DataV, Amap)', { adcode: 341523, name: '舒城县', level: 'district' }, { code: 'adcode', name: 'name' }],
    ["gb / NAME (Tianditu's 156 + code)", { gb: '156341523', NAME: '舒城县' }, { code: 'gb', name: 'NAME' }],
    ['code / 名称', { code: '341523', 名称: '舒城县', 面积: 2092 }, { code: 'code', name: '名称' }],
    ['编码 / 名称', { 编码: '341523000000', 名称: '舒城县' }, { code: '编码', name: '名称' }],
    ['Code / Name (other case)', { Code: '341523', Name: '舒城县' }, { code: 'Code', name: 'Name' }],
  ])('%s', async (_label, properties, mapping) => {
    const path = write('county.geojson', properties)
    const preview = await core.call('import.preview', { kind: 'county', source: { path } })
    expect(preview.issues).toEqual([])
    expect(preview.mapping).toEqual(mapping)
    expect(preview.sample[0]).toMatchObject({ code: '341523', name: '舒城县' })
    expect(await core.call('import.commit', { kind: 'county', source: { path } })).toMatchObject({ inserted: 1 })
    expect(counties()).toEqual([{ code: '341523', name: '舒城县' }])
  })

  it('prefers code over adcode over id when a file has several', async () => {
    const path = write('several.geojson', { id: 7, adcode: '341523', code: '341523', name: '舒城县' })
    expect((await core.call('import.preview', { kind: 'county', source: { path } })).mapping).toEqual({ code: 'code', name: 'name' })
  })

  it('--map names the properties detection cannot know (国土 XZQDM / XZQMC); without it nothing is imported', async () => {
    const path = write('xzq.geojson', { XZQDM: '341523', XZQMC: '舒城县', BSM: 1 })
    const detected = await runCli(['import', 'county', path, '--data-dir', core.ctx.dataDir, '--lang', 'en'])
    expect(detected.code).toBe(1)
    expect(detected.stderr).toContain('xzq.geojson row 1 [Code]')
    expect(counties()).toEqual([])
    const mapped = await runCli(['import', 'county', path, '--data-dir', core.ctx.dataDir, '--map', 'code=XZQDM,name=XZQMC'])
    expect(mapped.stderr).toBe('')
    expect(mapped.code).toBe(0)
    expect(JSON.parse(mapped.stdout)).toMatchObject({ inserted: 1 })
    expect(counties()).toEqual([{ code: '341523', name: '舒城县' }])
  })
})

describe('random valid polygons pass through unchanged', () => {
  /** A star-shaped ring around a centre in China: angles strictly increasing, radii positive, 6 decimals, counter-clockwise. */
  const starPolygon = fc
    .record({
      lon: fc.integer({ min: 80_000, max: 130_000 }).map((n) => n / 1000),
      lat: fc.integer({ min: 20_000, max: 50_000 }).map((n) => n / 1000),
      steps: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 100 }), radius: fc.integer({ min: 200, max: 5000 }) }), { minLength: 3, maxLength: 40 }),
    })
    .map(({ lon, lat, steps }) => {
      const total = steps.reduce((sum, s) => sum + s.gap, 0)
      let angle = 0
      const ring: Position[] = steps.map((s) => {
        angle += (s.gap / total) * 2 * Math.PI
        const r = s.radius / 1e5
        return [Math.round((lon + r * Math.cos(angle)) * 1e6) / 1e6, Math.round((lat + r * Math.sin(angle)) * 1e6) / 1e6]
      })
      return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] } as Polygon
    })
    .filter((polygon) => validityError(polygon) === null && turf.booleanClockwise(polygon.coordinates[0]!) === false)

  it('repairGeometry returns them as they are, and the importer stores them as they are', () => {
    fc.assert(
      fc.property(starPolygon, (polygon) => {
        const outcome = repairGeometry(polygon)
        expect(outcome).toEqual({ ok: true, geometry: polygon, repair: null })
        const feature: Feature = { type: 'Feature', properties: { code: 'G1', name: '网格' }, geometry: polygon }
        const checked = validateGrids('random.geojson', [feature], 'WGS-84', { repair: true })
        expect(checked.issues).toEqual([])
        expect(checked.repairs).toEqual([])
        expect(checked.grids[0]!.geometry).toEqual(polygon)
      }),
      { numRuns: 200 },
    )
  })

  it('the same polygons written clockwise are only turned round: the area is the same', () => {
    fc.assert(
      fc.property(starPolygon, (polygon) => {
        const clockwise: Polygon = { type: 'Polygon', coordinates: [[...polygon.coordinates[0]!].reverse()] }
        const outcome = repairGeometry(clockwise)
        expect(outcome.ok).toBe(true)
        expect(outcome.repair!.kinds).toEqual(['orientation'])
        expect(outcome.repair!.areaAfterM2).toBe(outcome.repair!.areaBeforeM2)
        expect(turf.booleanClockwise((outcome as { geometry: Polygon }).geometry.coordinates[0]!)).toBe(false)
      }),
      { numRuns: 100 },
    )
  })
})
