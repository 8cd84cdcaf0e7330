// Regional reports, checked with the real tools: LibreOffice reads the XLSX back, poppler reads
// the PDF, GDAL reads the GeoJSON; the CSV round-trips a rare character in both encodings.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../cli/main'
import { openTestCore, REPO_ROOT } from '../testing'
import { parseCsv } from './readCsv.testkit'

type TestCore = ReturnType<typeof openTestCore>
const ARTIFACTS = join(REPO_ROOT, 'e2e', 'artifacts', 'reports')
const RARE = '莫𡐓村'
const RARE_CODE = '451022999999'
const PERIOD = (() => {
  // The demo holds the last 12 full months: take last month, so time progress is 100 %.
  const d = new Date()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() - 1)
  return d.toISOString().slice(0, 7)
})()

describe('regional reports', () => {
  let core: TestCore
  let grid: { id: string; code: string }
  const q = <T>(sql: string, ...params: unknown[]) => core.ctx.db.$client.prepare(sql).get(...params) as T

  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', {})
    rmSync(ARTIFACTS, { recursive: true, force: true })
    mkdirSync(ARTIFACTS, { recursive: true })
    // A village whose name holds a character outside the BMP (𡐓, U+21413), in grid G05.
    grid = q<{ id: string; code: string }>("SELECT id, code FROM org_units WHERE code = '451022-G05'")
    const now = new Date().toISOString()
    core.ctx.db.$client
      .prepare(`INSERT INTO villages (id, created_at, updated_at, hlc, division_code, name, kind, grid_id, lon, lat, households, population)
        VALUES ('01900000-0000-7000-8000-00000000f00d', ?, ?, ?, ?, ?, 'village', ?, 107.2, 23.7, 321, 1200)`)
      .run(now, now, `${now}-0000-test`, RARE_CODE, RARE, grid.id)
  })
  afterAll(() => core?.dispose())

  const exportTo = (format: 'xlsx' | 'pdf' | 'csv' | 'geojson', region: string, file: string, extra: Record<string, unknown> = {}) =>
    core.call('reports.export', { region, period: PERIOD, format, path: join(ARTIFACTS, file), overwrite: true, ...extra })

  it('builds the model with every section, figures matching the store', async () => {
    const m = await core.call('reports.preview', { region: '451022', period: PERIOD })
    expect(m.region).toMatchObject({ code: '451022', level: 'county' })
    expect(m.grids).toHaveLength(12)
    expect(m.kpi.timeProgress).toBe(1)
    expect(m.kpi.rows).toHaveLength(7)
    const newMobile = q<{ t: number; a: number }>(
      `SELECT (SELECT sum(value) FROM targets WHERE indicator_code = 'new_mobile' AND period = ?) AS t,
              (SELECT sum(value) FROM actuals WHERE indicator_code = 'new_mobile' AND period = ?) AS a`, PERIOD, PERIOD)
    expect(m.kpi.rows[0]).toMatchObject({ indicatorCode: 'new_mobile', target: newMobile.t, actual: newMobile.a })
    // The report's month is the user's: its first and last instants in local time (run the suite with TZ set).
    const [year, month] = PERIOD.split('-').map(Number) as [number, number]
    const from = new Date(year, month - 1, 1).toISOString()
    const to = new Date(year, month, 1).toISOString()
    const done = q<{ n: number }>("SELECT count(*) AS n FROM visits WHERE status = 'done' AND checked_in_at >= ? AND checked_in_at < ?", from, to).n
    expect(m.visits.done).toBe(done)
    expect(m.coverage.aTier).toBe(q<{ n: number }>("SELECT count(*) AS n FROM key_customers WHERE value_tier = 'A'").n)
    expect(m.funnel.rows.map((r) => r.stage)).toEqual(['potential', 'contacted', 'intent', 'won', 'retained'])
    expect(m.funnel.customers).toBe(360)
    expect(m.intel.rows.length).toBe(q<{ n: number }>('SELECT count(*) AS n FROM competitor_intel WHERE seen_at >= ? AND seen_at < ?', from, to).n)
    expect(m.profiles.villages).toBe(174)
    expect(m.profiles.rows[0]!.villageName).toBe(RARE) // the least complete first
    expect(m.objections.heard).toBeGreaterThan(0)
    expect(m.map.grids).toHaveLength(12)
  })

  it('aggregates a center over its grids, and a grid alone', async () => {
    const center = await core.call('reports.preview', { region: '451022-C2', period: PERIOD })
    const grids = await Promise.all(center.grids.map((g) => core.call('reports.preview', { region: g.code, period: PERIOD })))
    expect(center.kpi.rows[0]!.actual).toBe(grids.reduce((s, g) => s + g.kpi.rows[0]!.actual!, 0))
    expect(center.visits.done).toBe(grids.reduce((s, g) => s + g.visits.done, 0))
    const quarter = await core.call('reports.preview', { region: grid.code, period: `${PERIOD.slice(0, 4)}` })
    expect(quarter.kpi.rows[0]!.target).toBeGreaterThan(0)
  })

  it('says plainly when a section has no data', async () => {
    const m = await core.call('reports.preview', { region: grid.code, period: '2019-03' })
    expect(m.kpi.rows).toEqual([])
    expect(m.visits.done).toBe(0)
    const file = join(ARTIFACTS, 'empty.csv')
    await core.call('reports.export', { region: grid.code, period: '2019-03', format: 'csv', path: file, overwrite: true })
    expect(readFileSync(file, 'utf8')).toContain('本期无数据')
  })

  it('refuses an unknown region, a bad period, and an existing file unless overwrite is set', async () => {
    await expect(core.call('reports.preview', { region: '999999', period: PERIOD })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(core.call('reports.preview', { region: '451022', period: '2026-13' })).rejects.toMatchObject({ code: 'VALIDATION' })
    const file = join(ARTIFACTS, 'exists.geojson')
    writeFileSync(file, 'keep me')
    await expect(core.call('reports.export', { region: '451022', period: PERIOD, format: 'geojson', path: file })).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(readFileSync(file, 'utf8')).toBe('keep me')
    await core.call('reports.export', { region: '451022', period: PERIOD, format: 'geojson', path: file, overwrite: true })
    expect(readFileSync(file, 'utf8')).not.toBe('keep me')
  })

  it('writes an XLSX that LibreOffice reads back with the values of the database', async () => {
    const result = await exportTo('xlsx', '451022', 'county.xlsx')
    expect(result.bytes).toBe(statSync(result.path).size)
    const outDir = join(ARTIFACTS, 'xlsx-csv')
    mkdirSync(outDir, { recursive: true })
    // Sheet 2 is the KPI sheet, sheet 10 the profiles (codes must stay text).
    for (const sheet of [2, 10])
      execFileSync('soffice', ['--headless', `-env:UserInstallation=file://${join(ARTIFACTS, 'lo-profile')}`, '--convert-to', `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,${sheet}`, '--outdir', outDir, result.path], { stdio: 'pipe', timeout: 120_000 })
    const files = readdirSync(outDir)
    const kpiFile = files.find((f) => /KPI完成情况（红绿灯）/.test(f))!
    const kpi = parseCsv(readFileSync(join(outDir, kpiFile), 'utf8'))
    expect(kpi[1]).toEqual(['指标', '单位', '目标', '完成', '完成率', '时间进度', '进度差(百分点)', '红绿灯'])
    const row = kpi.find((r) => r[0] === '移动新增用户')!
    const db = q<{ t: number; a: number }>(
      `SELECT (SELECT sum(value) FROM targets WHERE indicator_code = 'new_mobile' AND period = ?) AS t,
              (SELECT sum(value) FROM actuals WHERE indicator_code = 'new_mobile' AND period = ?) AS a`, PERIOD, PERIOD)
    expect(Number(row[2]!.replace(/,/g, ''))).toBe(db.t)
    expect(Number(row[3]!.replace(/,/g, ''))).toBe(db.a)
    expect(row[4]).toBe(`${((db.a / db.t) * 100).toFixed(1)}%`)
    expect(['绿灯', '黄灯', '红灯']).toContain(row[7])
    const profiles = parseCsv(readFileSync(join(outDir, files.find((f) => /村庄档案完整度/.test(f) && !/字段/.test(f))!), 'utf8'))
    const rare = profiles.find((r) => r[1] === RARE)!
    expect(rare[0]).toBe(RARE_CODE) // not 4.51022E+11
    expect(profiles.some((r) => /^4\.51/.test(r[0] ?? ''))).toBe(false)
  }, 300_000) // LibreOffice starts cold once per sheet

  it('writes an A4 PDF with an embedded CJK font, a cover, Chinese headings and figures', async () => {
    const result = await exportTo('pdf', '451022', 'county.pdf')
    const fonts = execFileSync('pdffonts', [result.path], { encoding: 'utf8' })
    expect(fonts).toMatch(/NotoSansCJK\S*\s+CID Type 0C\s+Identity-H\s+yes/)
    const info = execFileSync('pdfinfo', [result.path], { encoding: 'utf8' })
    expect(info).toMatch(/Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)/)
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1])
    expect(pages).toBeGreaterThan(5)
    const text = execFileSync('pdftotext', ['-layout', result.path, '-'], { encoding: 'utf8' })
    for (const heading of ['区域经营报表', '田东县分公司', 'KPI完成情况（红绿灯）', '拜访完成情况', 'A类关键客户近30天拜访覆盖', '客户漏斗', '新增竞争对手动态', '竞品资费对比', '村庄档案完整度', '客户异议与有效应答', '超期工单', '区域地图', '分析图表'])
      expect(text).toContain(heading)
    expect(text).toContain(`统计周期：${PERIOD}`)
    expect(text).toContain(`第 ${pages} 页 / 共 ${pages} 页`)
    const m = await core.call('reports.preview', { region: '451022', period: PERIOD })
    expect(text).toContain(m.kpi.rows[0]!.actual!.toLocaleString('en-US'))
    // The per-grid KPI table spans pages: its header is repeated on the next page.
    const pageTexts = text.split('\f')
    expect(pageTexts.filter((p) => p.includes('网格编码') && p.includes('451022-G')).length).toBeGreaterThan(1)
    execFileSync('pdftoppm', ['-r', '60', '-png', result.path, join(ARTIFACTS, 'county-page')])
    expect(readdirSync(ARTIFACTS).filter((f) => f.startsWith('county-page')).length).toBe(pages)
    await exportTo('pdf', grid.code, 'grid.pdf')
    execFileSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '3', join(ARTIFACTS, 'grid.pdf'), join(ARTIFACTS, 'grid-page')])
  })

  it('writes a GeoJSON that ogrinfo reads: the grids with indicators and the villages', async () => {
    const result = await exportTo('geojson', '451022', 'county.geojson')
    const info = execFileSync('ogrinfo', ['-ro', '-al', '-so', result.path], { encoding: 'utf8' })
    expect(info).toContain('Feature Count: 186') // 12 grids + 174 villages
    expect(info).toMatch(/new_mobile_completion: Real/)
    const grids = execFileSync('ogrinfo', ['-ro', '-al', '-q', '-where', "kind = 'grid' AND code = '451022-G05'", result.path], { encoding: 'utf8' })
    expect(grids).toMatch(/POLYGON/)
    const villages = execFileSync('ogrinfo', ['-ro', '-al', '-q', '-where', `code = '${RARE_CODE}'`, result.path], { encoding: 'utf8' })
    expect(villages).toContain(RARE)
  })

  it('writes CSV in UTF-8 with a BOM and in GB18030, both round-tripping 𡐓', async () => {
    const utf8 = await exportTo('csv', grid.code, 'grid-utf8.csv')
    const bytes = readFileSync(utf8.path)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(bytes.toString('utf8')).toContain(RARE)
    const gb = await exportTo('csv', grid.code, 'grid-gb18030.csv', { csvEncoding: 'gb18030' })
    const gbBytes = readFileSync(gb.path)
    expect(gbBytes.includes(Buffer.from(RARE, 'utf8'))).toBe(false)
    // Decoded by a tool other than the encoder: iconv(1) from glibc.
    const decoded = execFileSync('iconv', ['-f', 'GB18030', '-t', 'UTF-8', gb.path], { encoding: 'utf8' })
    expect(decoded).toContain(RARE)
    expect(iconv.decode(gbBytes, 'gb18030')).toBe(bytes.subarray(3).toString('utf8'))
    const rows = parseCsv(decoded)
    expect(rows.find((r) => r[1] === RARE)?.[0]).toBe(RARE_CODE)
  })

  it('makes the same exports from the command line, refusing to overwrite without --force', async () => {
    core.close()
    const out = join(ARTIFACTS, 'cli.xlsx')
    rmSync(out, { force: true })
    const args = ['report', '--region', '451022-C1', '--period', PERIOD, '--format', 'xlsx', '--out', out, '--data-dir', core.dataDir]
    const first = await runCli(args)
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ path: out, format: 'xlsx' })
    const again = await runCli(args)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('已存在')
    expect((await runCli([...args, '--force'])).code).toBe(0)
    const bad = async (flag: string, value: string, text: string) => {
      const r = await runCli(args.map((a, i) => (args[i - 1] === flag ? value : a)))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(text)
    }
    await bad('--region', '451099', '找不到区域编码“451099”')
    await bad('--period', '2026-Q5', '统计周期“2026-Q5”无效')
    await bad('--format', 'docx', '导出格式“docx”无效')
    const en = await runCli([...args.map((a, i) => (args[i - 1] === '--region' ? 'X1' : a)), '--lang', 'en'])
    expect(en.stderr).toContain('No region with code “X1”')
    // Reopen for afterAll's dispose.
    Object.assign(core, { close: () => undefined })
    expect(existsSync(out)).toBe(true)
  })
})
