import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImportIssue } from '../../../shared/api/imports'
import { resources } from '../../../shared/i18n'
import { formatImportIssue } from '../../../shared/i18n/importIssues'
import { runCli } from '../../cli/main'
import { openTestCore } from '../testing'
import { mapColumns } from './read'
import { villageFields, villageTargets } from './villages'

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

  const division = (code: string) => core.ctx.db.$client.prepare('SELECT name, level, parent_code AS parent, source FROM divisions WHERE code = ?').get(code)
  const villageOf = (code: string) =>
    core.ctx.db.$client.prepare('SELECT name, township_code AS township FROM villages WHERE division_code = ? AND deleted_at IS NULL').get(code)

  it('makes a township the reference divisions do not list when the file gives its code (乡镇代码)', async () => {
    expect(division('451022999')).toBeUndefined()
    const path = file('new-township.csv', '区划代码,名称,乡镇代码\n451022999001,新甲村委会,451022999\n451022999002,新乙村委会,451022999\n')
    expect(await commit(path)).toMatchObject({ ok: true, value: { inserted: 2 } })
    // No name in the file: the township is known by its code until one is given.
    expect(division('451022999')).toEqual({ name: '451022999', level: 'township', parent: '451022', source: 'import:new-township.csv' })
    expect(villageOf('451022999002')).toEqual({ name: '新乙村委会', township: '451022999' })
  })

  it('makes a township the reference divisions do not list when the file names it (乡镇)', async () => {
    const path = file('named-township.csv', '区划代码,名称,乡镇\n451022998001,新丙村委会,新开镇\n')
    expect(await commit(path)).toMatchObject({ ok: true, value: { inserted: 1 } })
    expect(division('451022998')).toEqual({ name: '新开镇', level: 'township', parent: '451022', source: 'import:named-township.csv' })
    expect(villageOf('451022998001')).toEqual({ name: '新丙村委会', township: '451022998' })
  })

  it("keeps the reference name of a township it knows (the file's 乡镇 does not rename it)", async () => {
    const known = division('451022100') as { name: string }
    await commit(file('known-township.csv', '区划代码,名称,乡镇\n451022100296,某村委会,别名镇\n'))
    expect(division('451022100')).toMatchObject({ name: known.name })
  })

  it('refuses a 乡镇代码 that is not the first nine digits of the village code, and writes nothing', async () => {
    const before = snapshot()
    const path = file('mismatch.csv', '区划代码,名称,乡镇代码\n451022999001,新甲村委会,451022999\n451022997001,错村委会,451022100\n')
    expect(issuesOf(await commit(path))).toEqual([
      { file: 'mismatch.csv', row: 2, field: 'townshipCode', code: 'township_mismatch', params: { value: '451022100', code: '451022997001' } },
    ])
    expect(division('451022999')).toBeUndefined()
    expect(snapshot()).toEqual(before)
    const issue = {
      file: 'mismatch.csv',
      row: 2,
      field: 'townshipCode',
      code: 'township_mismatch' as const,
      params: { value: '451022100', code: '451022997001' },
    }
    expect(formatImportIssue(issue, 'zh-CN')).toContain('451022100')
    expect(formatImportIssue(issue, 'en')).toContain('451022997001')
  })

  it("checks codes against the village's own county only: another county's villages need no township columns", async () => {
    // The store lists 田东县's townships (the demo), none of 德保县 (451024).
    const path = file('other-county.csv', '区划代码,名称\n451024100201,城关村委会\n')
    expect(await commit(path)).toMatchObject({ ok: true, value: { inserted: 1 } })
  })

  it("imports the valid rows and reports the rest when asked (onInvalid 'skip'); the default still writes nothing", async () => {
    const content = '区划代码,名称,户数\n451022101201,祥周村委会,6\n451022100288,坏村,abc\n451022100289,好村委会,40\n4510221,短码村,1\n'
    const path = file('some-bad.csv', content)
    const before = snapshot()
    expect(issuesOf(await commit(path))).toHaveLength(2)
    expect(snapshot()).toEqual(before)
    const preview = await core.call('import.preview', { kind: 'villages', source: { path } })
    expect(preview).toMatchObject({ totalRows: 4, validRows: 2 })
    const result = await core.call('import.commit', { kind: 'villages', source: { path }, onInvalid: 'skip' })
    expect(result).toMatchObject({ inserted: 1, updated: 1, skipped: 2 })
    expect(result.skippedIssues!.map((i) => [i.row, i.code])).toEqual([
      [2, 'not_a_number'],
      [4, 'code_format'],
    ])
    expect(villageOf('451022100289')).toMatchObject({ name: '好村委会' })
    expect(villageOf('451022100288')).toBeUndefined()
  })

  it("refuses a file-level problem even with onInvalid 'skip'", async () => {
    const path = file('no-code.csv', '名称,户数\n某村,3\n')
    const envelope = await core.dispatch('import.commit', { kind: 'villages', source: { path }, onInvalid: 'skip' })
    expect(envelope.ok).toBe(false)
  })

  it('maps every label the app gives a field (profile, list, import report; both languages) back to that field', () => {
    type Catalogue = { villages: Record<string, Record<string, unknown>>; fields: Record<string, string> }
    const checked: string[] = []
    for (const lang of ['zh-CN', 'en'] as const) {
      const t = resources[lang].translation as unknown as Catalogue
      for (const { name } of villageTargets) {
        for (const label of [t.villages.field![name], t.villages.profile![name], t.villages.ageBand![name], t.fields[name]]) {
          if (typeof label !== 'string') continue
          expect({ label, mapping: mapColumns([label], villageFields, {}) }).toEqual({ label, mapping: { [name]: label } })
          checked.push(label)
        }
      }
    }
    expect(checked.length).toBeGreaterThan(80)
  })

  it('recognises every profile field by its own label in the app, in both languages', async () => {
    const t = (lang: 'zh-CN' | 'en') => resources[lang].translation as unknown as { villages: { field: Record<string, string> } }
    const labelled = villageTargets.map((f) => f.name).filter((f) => t('zh-CN').villages.field[f])
    expect(labelled.length).toBeGreaterThan(15)
    for (const lang of ['zh-CN', 'en'] as const) {
      const headers = labelled.map((f) => t(lang).villages.field[f]!)
      const path = file(`labels-${lang}.csv`, `${headers.map((h) => (h.includes(',') ? `"${h}"` : h)).join(',')}\n`)
      const preview = await core.call('import.preview', { kind: 'villages', source: { path } })
      expect(Object.fromEntries(labelled.map((f) => [f, preview.mapping[f]]))).toEqual(Object.fromEntries(labelled.map((f, i) => [f, headers[i]])))
    }
  })

  it("imports rivals' ports, our share against each rival and key persons, shown on the profile as typed", async () => {
    const path = file(
      'rivals.csv',
      [
        '区划代码,名称,对手端口数,我方对各对手份额（%）,关键人物',
        '451022100287,对手村委会,电信:120;联通:30,电信:55;联通:70,张三(村支书) 13812345678 支持我方;李四(会计)',
        '451022100286,市场份额村委会,"{""telecom"": 8}",移动:60;电信:30;联通:10,"[{""name"":""王五"",""phone"":""0776-5212345""}]"',
      ].join('\n'),
    )
    const preview = await core.call('import.preview', { kind: 'villages', source: { path } })
    expect(preview.issues).toEqual([])
    expect(preview.mapping).toMatchObject({ rivalPorts: '对手端口数', shareVsRivals: '我方对各对手份额（%）', keyPersons: '关键人物' })
    expect(await core.call('import.commit', { kind: 'villages', source: { path } })).toMatchObject({ inserted: 2 })
    const profile = async (code: string) => {
      const { id } = core.ctx.db.$client.prepare('SELECT id FROM villages WHERE division_code = ?').get(code) as { id: string }
      return core.call('villages.get', { id })
    }
    expect(await profile('451022100287')).toMatchObject({
      rivalPorts: { telecom: 120, unicom: 30, broadnet: null },
      shareVsRivals: { telecom: 55, unicom: 70, broadnet: null },
      keyPersons: [
        { name: '张三', role: '村支书', phone: '13812345678', notes: '支持我方' },
        { name: '李四', role: '会计', phone: null, notes: null },
      ],
    })
    // Market shares with ours: the profile shows ours ÷ (ours + that rival).
    expect(await profile('451022100286')).toMatchObject({
      rivalPorts: { telecom: 8 },
      shareVsRivals: { telecom: 66.7, unicom: 85.7, broadnet: null },
      keyPersons: [{ name: '王五', phone: '07765212345' }],
    })
  })

  it("names a bad rival or key-person cell's problem, in Chinese and English", async () => {
    const path = file('bad-rivals.csv', '区划代码,名称,对手端口数,关键人物\n451022100285,某村委会,电信:很多;铁通:3,张三(村支书 138\n')
    const issues = issuesOf(await commit(path))
    expect(issues.map((i) => [i.field, i.code])).toEqual([
      ['rivalPorts', 'not_a_number'],
      ['rivalPorts', 'unknown_value'],
      ['keyPersons', 'person_format'],
    ])
    const lines = (lang: 'zh-CN' | 'en') => issues.map((i) => formatImportIssue(i, lang))
    expect(lines('zh-CN')).toEqual([
      'bad-rivals.csv 第1行 [对手端口数]: 「很多」不是数字',
      'bad-rivals.csv 第1行 [对手端口数]: 「铁通」不是可选值（可选：电信/联通/广电）',
      'bad-rivals.csv 第1行 [关键人物]: 「张三(村支书 138」应写成「姓名(职务) 电话 备注」，多人用分号隔开，如「张三(村支书) 13812345678 支持我方;李四(会计)」',
    ])
    expect(lines('en')[2]).toBe(
      'bad-rivals.csv row 1 [Key persons]: "张三(村支书 138" should read "name(role) phone notes", people separated by semicolons, e.g. "Zhang San(secretary) 13812345678 supportive;Li Si(accountant)"',
    )
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
    const skipped = await runCli(['import', 'villages', bad, '--skip-invalid', '--data-dir', core.dataDir])
    expect(skipped.code).toBe(1) // no valid row: nothing to import
    const some = file('cli-some.csv', '区划代码,名称,户数\n451022100297,半好村委会,9\n451022100298,某村,abc\n')
    const partial = await runCli(['import', 'villages', some, '--skip-invalid', '--data-dir', core.dataDir])
    expect(partial.code).toBe(0)
    expect(JSON.parse(partial.stdout)).toMatchObject({ inserted: 1, skipped: 1 })
    expect(partial.stderr).toContain('cli-some.csv 第2行 [户数]: 「abc」不是数字')
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

describe('a county drawn from files, grids first', () => {
  let core: TestCore
  let dir: string
  beforeEach(() => {
    core = openTestCore()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-county-later-'))
  })
  afterEach(() => {
    core.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const ring = (x: number, y: number, d: number) => [
    [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ],
  ]
  const write = (name: string, features: { properties: Record<string, unknown>; coordinates: number[][][] }[]) => {
    const path = join(dir, name)
    writeFileSync(
      path,
      JSON.stringify({
        type: 'FeatureCollection',
        features: features.map((f) => ({ type: 'Feature', properties: f.properties, geometry: { type: 'Polygon', coordinates: f.coordinates } })),
      }),
    )
    return path
  }
  const parents = () =>
    core.ctx.db.$client.prepare("SELECT code, parent_id AS parent FROM org_units WHERE level = 'grid' ORDER BY code").all() as {
      code: string
      parent: string | null
    }[]

  it('the grids imported before the county outline get the county as their parent when it comes, and the change is sent', async () => {
    const grids = write('grids.geojson', [
      { properties: { code: 'G01', name: '一号网格' }, coordinates: ring(107.0, 23.5, 0.05) },
      { properties: { code: 'G02', name: '二号网格' }, coordinates: ring(107.05, 23.5, 0.05) },
    ])
    expect(await core.call('import.commit', { kind: 'grids', source: { path: grids } })).toMatchObject({ inserted: 2 })
    expect(parents().map((g) => g.parent)).toEqual([null, null])
    const county = write('county.geojson', [{ properties: { code: '451022', name: '田东县' }, coordinates: ring(106.9, 23.4, 0.4) }])
    expect(await core.call('import.commit', { kind: 'county', source: { path: county } })).toMatchObject({ inserted: 1 })
    const { id } = core.ctx.db.$client.prepare("SELECT id FROM org_units WHERE level = 'county'").get() as { id: string }
    expect(parents()).toEqual([
      { code: 'G01', parent: id },
      { code: 'G02', parent: id },
    ])
    const sent = core.ctx.db.$client.prepare("SELECT op, fields FROM outbox WHERE table_name = 'org_units' AND op = 'update' ORDER BY device_seq").all() as {
      op: string
      fields: string
    }[]
    expect(sent.map((s) => JSON.parse(s.fields))).toEqual([{ parent_id: id }, { parent_id: id }])
    // The grids list and the map know the county now.
    expect((await core.call('orgUnits.list', {})).filter((o) => o.parentId === id)).toHaveLength(2)
  })

  it('with several county outlines in one file, each grid goes to the county it lies in', async () => {
    const grids = write('grids.geojson', [
      { properties: { code: 'W01', name: '西网格' }, coordinates: ring(107.0, 23.5, 0.05) },
      { properties: { code: 'E01', name: '东网格' }, coordinates: ring(108.0, 23.5, 0.05) },
      { properties: { code: 'X01', name: '县外网格' }, coordinates: ring(110.0, 25.0, 0.05) },
    ])
    await core.call('import.commit', { kind: 'grids', source: { path: grids } })
    const counties = write('counties.geojson', [
      { properties: { code: '451022', name: '田东县' }, coordinates: ring(106.9, 23.4, 0.4) },
      { properties: { code: '451023', name: '平果市' }, coordinates: ring(107.9, 23.4, 0.4) },
    ])
    expect(await core.call('import.commit', { kind: 'county', source: { path: counties } })).toMatchObject({ inserted: 2 })
    const ids = Object.fromEntries(
      (core.ctx.db.$client.prepare("SELECT code, id FROM org_units WHERE level = 'county'").all() as { code: string; id: string }[]).map((c) => [c.code, c.id]),
    )
    expect(parents()).toEqual([
      { code: 'E01', parent: ids['451023'] },
      { code: 'W01', parent: ids['451022'] },
      { code: 'X01', parent: null },
    ])
  })
})
