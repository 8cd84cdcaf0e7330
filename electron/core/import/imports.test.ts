import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImportIssue } from '../../../shared/api/imports'
import { formatImportIssue } from '../../../shared/i18n/importIssues'
import { runCli } from '../../cli/main'
import { openTestCore } from '../testing'

type TestCore = ReturnType<typeof openTestCore>
const RARE = '莫𡐓村委会' // 𡐓 is outside the BMP (U+21413)

/** A demo store and a scratch folder per test, in the describe block that calls it. */
function demoStoreAndFolder() {
  const fixture = {} as { core: TestCore; dir: string }
  beforeEach(async () => {
    fixture.core = openTestCore()
    await fixture.core.call('demo.load', { keyCustomers: 10, visits: 10 })
    fixture.dir = mkdtempSync(join(tmpdir(), 'griddesk-import-'))
  })
  afterEach(() => {
    fixture.core?.dispose()
    rmSync(fixture.dir, { recursive: true, force: true })
  })
  return fixture
}

describe('village import', () => {
  const fx = demoStoreAndFolder()
  let core: TestCore
  let dir: string
  beforeEach(() => {
    ;({ core, dir } = fx)
  })

  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }
  const snapshot = () => ({
    villages: core.ctx.db.$client.prepare('SELECT * FROM villages ORDER BY id').all(),
    outbox: (core.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n,
  })
  const commit = (path: string, extra: Record<string, unknown> = {}) => core.dispatch('import.commit', { kind: 'villages', source: { path }, ...extra })
  const issuesOf = (envelope: Awaited<ReturnType<typeof commit>>) => {
    if (envelope.ok) throw new Error('expected a failure')
    return envelope.error.details!.importIssues as ImportIssue[]
  }

  const CSV = [
    '区划代码,名称,户数,人口,经度,纬度,光纤覆盖,集市日',
    `451022100291,${RARE},320,1180,107.13,23.61,是,农历逢三、六、九`,
    '451022101201,祥周村委会,999,3500,,,否,',
  ].join('\r\n')

  it.each([
    ['UTF-8 without BOM', (s: string) => Buffer.from(s, 'utf8'), 'utf-8'],
    ['UTF-8 with BOM', (s: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, 'utf8')]), 'utf-8-bom'],
    ['GB18030', (s: string) => iconv.encode(s, 'gb18030'), 'gb18030'],
  ])('reads %s, keeps characters outside the BMP, inserts new villages and updates known ones', async (_label, encode, encoding) => {
    const path = file('villages.csv', encode(CSV))
    const preview = await core.call('import.preview', { kind: 'villages', source: { path } })
    expect(preview.encoding).toBe(encoding)
    expect(preview.issues).toEqual([])
    expect(preview.mapping).toMatchObject({ divisionCode: '区划代码', name: '名称', households: '户数' })
    expect(preview.sample[0]).toMatchObject({ name: RARE, households: 320, fibreCovered: true })
    const result = await core.call('import.commit', { kind: 'villages', source: { path } })
    expect(result).toMatchObject({ inserted: 1, updated: 1 })
    const rare = core.ctx.db.$client
      .prepare('SELECT name, households, lon, kind, geometry_source FROM villages WHERE division_code = ?')
      .get('451022100291') as Record<string, unknown>
    expect(rare).toMatchObject({ name: RARE, households: 320, lon: 107.13, kind: 'village', geometry_source: 'import:villages.csv' })
    const xiangzhou = core.ctx.db.$client.prepare('SELECT households FROM villages WHERE division_code = ?').get('451022101201') as { households: number }
    expect(xiangzhou.households).toBe(999)
    // Every write is in the outbox: one insert, one update.
    const ops = core.ctx.db.$client.prepare("SELECT op FROM outbox WHERE table_name = 'villages' ORDER BY device_seq").all() as { op: string }[]
    expect(ops.map((o) => o.op)).toEqual(['insert', 'update'])
  })

  it('reads XLSX, with codes stored as text or numbers', async () => {
    const workbook = new ExcelJS.Workbook()
    const sheet = workbook.addWorksheet('村庄')
    sheet.addRow(['统计用区划代码', '村名', '户数'])
    sheet.addRow(['451022100292', RARE.replace('莫', '韦'), 210])
    sheet.addRow([451022101201, '祥周村委会', 1001])
    const path = join(dir, 'villages.xlsx')
    await workbook.xlsx.writeFile(path)
    expect(await core.call('import.commit', { kind: 'villages', source: { path } })).toMatchObject({ inserted: 1, updated: 1 })
  })

  it('converts GCJ-02 coordinates to WGS-84 and notes the source CRS', async () => {
    const path = file('gcj.csv', '区划代码,名称,经度,纬度\n451022100293,测试村,107.13,23.61\n')
    await core.call('import.commit', { kind: 'villages', source: { path }, crs: 'GCJ-02' })
    const row = core.ctx.db.$client.prepare('SELECT lon, lat, source_crs FROM villages WHERE division_code = ?').get('451022100293') as {
      lon: number
      lat: number
      source_crs: string
    }
    expect(row.source_crs).toBe('GCJ-02')
    expect(row.lon).toBeLessThan(107.13) // GCJ-02 is shifted east/north of WGS-84 in Guangxi
    expect(Math.abs(row.lon - 107.13)).toBeLessThan(0.01)
  })

  it('honours a hand-made column mapping', async () => {
    const path = file('odd.csv', 'A,B,C\n451022100294,那坡村委会,88\n')
    await core.call('import.commit', { kind: 'villages', source: { path }, mapping: { divisionCode: 'A', name: 'B', households: 'C' } })
    expect(core.ctx.db.$client.prepare('SELECT households FROM villages WHERE division_code = ?').get('451022100294')).toEqual({ households: 88 })
  })

  const BAD: [string, string, Partial<ImportIssue>[]][] = [
    ['an empty file', '', [{ code: 'empty_file', row: null }]],
    ['a header without rows', '区划代码,名称\n', [{ code: 'empty_file' }]],
    ['no code column', '名称,户数\n某村,3\n', [{ code: 'missing_column', field: 'divisionCode' }]],
    ['a short code', '区划代码,名称\n4510221,某村\n', [{ code: 'code_format', row: 1, field: 'divisionCode' }]],
    [
      'a duplicate code',
      '区划代码,名称\n451022100201,甲村\n451022100201,乙村\n',
      [{ code: 'duplicate_code', row: 2, params: { value: '451022100201', other: 1 } }],
    ],
    ['a code of an unknown township', '区划代码,名称\n451022999001,某村\n', [{ code: 'unknown_code', row: 1 }]],
    ['a missing name', '区划代码,名称\n451022100201,\n', [{ code: 'required', row: 1, field: 'name' }]],
    ['households that are not a number', '区划代码,名称,户数\n451022100201,某村,很多\n', [{ code: 'not_a_number', field: 'households' }]],
    ['negative households', '区划代码,名称,户数\n451022100201,某村,-5\n', [{ code: 'out_of_range', field: 'households' }]],
    ['swapped lon/lat', '区划代码,名称,经度,纬度\n451022100201,某村,23.6,107.1\n', [{ code: 'swapped_lonlat', row: 1 }]],
    ['coordinates outside China', '区划代码,名称,经度,纬度\n451022100201,某村,2.35,48.85\n', [{ code: 'outside_china', row: 1 }]],
    ['a lon without a lat', '区划代码,名称,经度,纬度\n451022100201,某村,107.1,\n', [{ code: 'lonlat_pair', row: 1 }]],
    ['an unknown grid', '区划代码,名称,网格编码\n451022100201,某村,XX-01\n', [{ code: 'unknown_grid', field: 'gridCode' }]],
    ['an unclear yes/no', '区划代码,名称,光纤覆盖\n451022100201,某村,也许\n', [{ code: 'not_a_boolean' }]],
  ]
  it.each(BAD)('rejects %s with a row-level report and changes nothing', async (_label, content, expected) => {
    // A good row first: it must not be written either.
    const before = snapshot()
    const path = file('bad.csv', content)
    const issues = issuesOf(await commit(path))
    for (const e of expected) expect(issues).toContainEqual(expect.objectContaining({ file: 'bad.csv', ...e }))
    expect(snapshot()).toEqual(before)
  })

  it('writes nothing when one bad row follows good ones', async () => {
    const before = snapshot()
    const path = file('mixed.csv', '区划代码,名称,户数\n451022101201,祥周村委会,5\n451022100201,新村,3\n451022100202,坏村,abc\n')
    const issues = issuesOf(await commit(path))
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({ row: 3, field: 'households', code: 'not_a_number' })
    expect(snapshot()).toEqual(before)
  })

  it('reports a malformed XLSX as unreadable', async () => {
    const path = file('broken.xlsx', 'this is not a zip')
    expect(issuesOf(await commit(path))[0]).toMatchObject({ code: 'unreadable' })
  })

  it('words each problem with file, row and field, in Chinese and English', () => {
    const issue: ImportIssue = { file: 'v.csv', row: 3, field: 'households', code: 'not_a_number', params: { value: 'abc' } }
    expect(formatImportIssue(issue, 'zh-CN')).toBe('v.csv 第3行 [户数]: 「abc」不是数字')
    expect(formatImportIssue(issue, 'en')).toBe('v.csv row 3 [Households]: "abc" is not a number')
  })

  it('runs from the command line: a bad file exits 1, lists its problems and changes nothing', async () => {
    core.close()
    const bad = file('cli-bad.csv', '区划代码,名称,户数\n451022100201,某村,abc\n45102210,某村2,3\n')
    const failed = await runCli(['import', 'villages', bad, '--data-dir', core.dataDir])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain('cli-bad.csv 第1行 [户数]: 「abc」不是数字')
    expect(failed.stderr).toContain('cli-bad.csv 第2行 [区划代码]')
    const good = file('cli-good.csv', iconv.encode(`区划代码,名称,户数\n451022100295,${RARE},12\n`, 'gb18030'))
    const ok = await runCli(['import', 'villages', good, '--data-dir', core.dataDir])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ inserted: 1 })
  })
})

describe('grid boundary import', () => {
  const fx = demoStoreAndFolder()
  let core: TestCore
  let dir: string
  beforeEach(() => {
    ;({ core, dir } = fx)
  })
  const file = (name: string, content: string) => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }
  const square = (x: number, y: number, d = 0.02) => [
    [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ],
  ]
  const gridRow = (code: string) =>
    core.ctx.db.$client.prepare("SELECT name, boundary, geometry_source FROM org_units WHERE code = ? AND level = 'grid'").get(code) as
      | { name: string; boundary: string; geometry_source: string }
      | undefined

  it('imports KML placemarks: updates a known grid, adds a new one, closes an open ring', async () => {
    const kml = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>平马城区网格</name><ExtendedData><Data name="code"><value>451022-G01</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>107.10,23.58 107.14,23.58 107.14,23.62 107.10,23.62 107.10,23.58</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><name>新建网格</name><ExtendedData><Data name="code"><value>451022-G99</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>107.20,23.70 107.22,23.70 107.22,23.72 107.20,23.72</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Document></kml>`
    const result = await core.call('import.commit', { kind: 'grids', source: { path: file('grids.kml', kml) } })
    expect(result).toMatchObject({ inserted: 1, updated: 1 })
    expect(JSON.parse(gridRow('451022-G01')!.boundary).coordinates[0]).toHaveLength(5)
    expect(gridRow('451022-G99')).toMatchObject({ name: '新建网格', geometry_source: 'import:grids.kml' })
    const ring = JSON.parse(gridRow('451022-G99')!.boundary).coordinates[0]
    expect(ring.at(-1)).toEqual(ring[0])
    expect((await core.call('grids.list', {})).map((g) => g.code)).toContain('451022-G99')
  })

  const count = () => (core.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n
  it.each([
    ['malformed JSON', '{"type": "FeatureCollection", "features": [', 'unreadable'],
    ['not GeoJSON', '{"hello": 1}', 'unreadable'],
    [
      'a point instead of a polygon',
      JSON.stringify({ type: 'Feature', properties: { code: 'G1', name: 'x' }, geometry: { type: 'Point', coordinates: [107, 23.5] } }),
      'geometry_type',
    ],
    [
      'a bow-tie polygon',
      JSON.stringify({
        type: 'Feature',
        properties: { code: 'G1', name: 'x' },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [107, 23.5],
              [107.1, 23.6],
              [107.1, 23.5],
              [107, 23.6],
              [107, 23.5],
            ],
          ],
        },
      }),
      'self_intersection',
    ],
    [
      'lat/lon swapped',
      JSON.stringify({
        type: 'Feature',
        properties: { code: 'G1', name: 'x' },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [23.5, 107],
              [23.6, 107],
              [23.6, 107.1],
              [23.5, 107],
            ],
          ],
        },
      }),
      'swapped_lonlat',
    ],
    [
      'a feature without a code',
      JSON.stringify({ type: 'Feature', properties: { name: 'x' }, geometry: { type: 'Polygon', coordinates: square(107, 23.5) } }),
      'required',
    ],
    ['an empty file', '', 'empty_file'],
  ])('rejects %s and changes nothing', async (_label, content, code) => {
    const before = { g01: gridRow('451022-G01'), outbox: count() }
    const envelope = await core.dispatch('import.commit', { kind: 'grids', source: { path: file('bad.geojson', content) } })
    expect(envelope.ok).toBe(false)
    if (envelope.ok) return
    expect((envelope.error.details!.importIssues as ImportIssue[]).map((i) => i.code)).toContain(code)
    expect({ g01: gridRow('451022-G01'), outbox: count() }).toEqual(before)
  })
})
