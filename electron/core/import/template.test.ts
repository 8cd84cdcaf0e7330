// The village template: every column the importer knows, headed with the app's labels; the
// importer maps every one of them back by itself, in both languages, and a filled-in row imports.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../cli/main'
import { openTestCore } from '../testing'
import { villageTargets } from './villages'

let core: ReturnType<typeof openTestCore>
let dir: string
beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 0, visits: 0 })
  dir = mkdtempSync(join(tmpdir(), 'griddesk-template-'))
})
afterAll(() => {
  core?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe('village template', () => {
  it.each(['zh-CN', 'en'] as const)('maps every field back by itself (%s, CSV)', async (language) => {
    const { fileName, base64 } = await core.call('import.template', { kind: 'villages', format: 'csv', language })
    const path = join(dir, fileName)
    writeFileSync(path, Buffer.from(base64, 'base64'))
    const preview = await core.call('import.preview', { kind: 'villages', source: { path } })
    expect(Object.keys(preview.mapping).sort()).toEqual(villageTargets.map((f) => f.name).sort())
    expect(preview.totalRows).toBe(0)
  })

  it('an XLSX template, filled in, imports; the notes sheet says what each column takes', async () => {
    const { fileName, base64 } = await core.call('import.template', { kind: 'villages', format: 'xlsx', language: 'zh-CN' })
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(Buffer.from(base64, 'base64') as unknown as ArrayBuffer)
    const [sheet, notes] = book.worksheets
    expect(notes!.getRow(2).values).toEqual([undefined, '区划代码', '必填', expect.stringContaining('12 位')])
    const headers = (sheet!.getRow(1).values as string[]).slice(1)
    const village = core.ctx.db.$client.prepare('SELECT division_code AS code, name FROM villages WHERE division_code IS NOT NULL LIMIT 1').get() as {
      code: string
      name: string
    }
    const row = sheet!.getRow(2)
    row.getCell(headers.indexOf('区划代码') + 1).value = village.code
    row.getCell(headers.indexOf('名称') + 1).value = village.name
    row.getCell(headers.indexOf('户数') + 1).value = 432
    row.getCell(headers.indexOf('光纤覆盖') + 1).value = '是'
    row.getCell(headers.indexOf('对手端口') + 1).value = '电信:12;广电:3'
    row.getCell(headers.indexOf('关键人物') + 1).value = '张三(村支书) 13812345678'
    const personsNote = notes!.getRows(2, notes!.rowCount - 1)!.find((r) => r.getCell(1).value === '关键人物')
    expect(personsNote?.getCell(3).value).toContain('姓名(职务) 电话 备注')
    const path = join(dir, fileName)
    writeFileSync(path, Buffer.from(await book.xlsx.writeBuffer()))
    expect(await core.call('import.commit', { kind: 'villages', source: { path } })).toMatchObject({ updated: 1 })
    expect(
      core.ctx.db.$client
        .prepare('SELECT households, fibre_covered AS fibre, rival_ports AS rivals, key_persons AS persons FROM villages WHERE division_code = ?')
        .get(village.code),
    ).toEqual({
      households: 432,
      fibre: 1,
      rivals: '{"telecom":12,"broadnet":3}',
      persons: '[{"name":"张三","role":"村支书","phone":"13812345678","notes":null}]',
    })
  })

  it('the CLI writes it, refuses to overwrite without --force and says so in words', async () => {
    const out = join(dir, 'cli-template.csv')
    const first = await runCli(['import', 'template', 'villages', '--format', 'csv', '--out', out])
    expect(first.code).toBe(0)
    expect(readFileSync(out, 'utf8')).toMatch(/^\ufeff区划代码,名称,/)
    const again = await runCli(['import', 'template', 'villages', '--format', 'csv', '--out', out])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('已存在')
    expect((await runCli(['import', 'template', 'villages', '--format', 'csv', '--out', out, '--force'])).code).toBe(0)
    expect((await runCli(['import', 'template', 'villages', '--format', 'pdf', '--out', out])).stderr).toContain('应为 csv 或 xlsx')
  })
})
