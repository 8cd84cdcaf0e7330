// A workbook near the unpacking cap is read as a stream of rows: a sheet of ~90 MB of XML (which
// exceljs's whole-workbook load turns into gigabytes of cell objects) is imported by a process
// whose heap is held to 320 MB.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import JSZip from 'jszip'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../resources'
import { openTable } from './read'

const dir = mkdtempSync(join(tmpdir(), 'griddesk-xlsx-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
const WORKBOOK = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="说明" sheetId="1" r:id="rId2"/><sheet name="村庄" sheetId="2" r:id="rId1"/></sheets></workbook>`
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
const STRINGS = ['区划代码', '名称', '户数', '备注', '那坡村委会', '好', '说明']
const SHARED = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${STRINGS.length}" uniqueCount="${STRINGS.length}">${STRINGS.map((s) => `<si><t>${s}</t></si>`).join('')}</sst>`
const sheetXml = (rows: string[]) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows.join('')}</sheetData></worksheet>`

/**
 * A workbook whose first sheet (in workbook order) is a note and whose second, listed first in the
 * zip, is the data: `rows` villages of about 190 bytes of XML each.
 */
async function workbook(rows: number): Promise<Uint8Array> {
  const data: string[] = ['<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>']
  for (let r = 2; r <= rows + 1; r++)
    data.push(
      `<row r="${r}"><c r="A${r}" t="str"><v>4510221${String(r).padStart(5, '0')}</v></c><c r="B${r}" t="s"><v>4</v></c><c r="C${r}"><v>${r % 500}</v></c><c r="D${r}" t="s"><v>5</v></c></row>`,
    )
  const zip = new JSZip()
  zip.file('[Content_Types].xml', CONTENT_TYPES)
  zip.file('_rels/.rels', ROOT_RELS)
  zip.file('xl/worksheets/sheet1.xml', sheetXml(data))
  zip.file('xl/workbook.xml', WORKBOOK)
  zip.file('xl/_rels/workbook.xml.rels', WORKBOOK_RELS)
  zip.file('xl/sharedStrings.xml', SHARED)
  zip.file('xl/worksheets/sheet2.xml', sheetXml(['<row r="1"><c r="A1" t="s"><v>6</v></c></row>']))
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 1 } })
}

describe('XLSX read as a stream', () => {
  it('reads the sheet whose header is accepted, in workbook order, with its sheet names', async () => {
    const bytes = await workbook(3)
    const table = await openTable({ name: 'v.xlsx', bytes }, 'auto', { acceptHeaders: (h) => h.includes('区划代码') })
    expect([table.sheet, table.sheets, table.headers]).toEqual(['村庄', ['说明', '村庄'], ['区划代码', '名称', '户数', '备注']])
    const rows: string[][] = []
    table.eachRows((batch) => rows.push(...batch))
    expect(rows).toEqual([
      ['451022100002', '那坡村委会', '2', '好'],
      ['451022100003', '那坡村委会', '3', '好'],
      ['451022100004', '那坡村委会', '4', '好'],
    ])
    // Without a header test, the first sheet in workbook order.
    expect((await openTable({ name: 'v.xlsx', bytes }, 'auto')).headers).toEqual(['说明'])
  })

  it('imports a sheet of ~90 MB of XML in a process whose heap is held to 320 MB', async () => {
    const rows = 480_000
    const file = join(dir, 'villages-large.xlsx')
    writeFileSync(file, await workbook(rows))
    const script = join(dir, 'read-large.mts')
    writeFileSync(
      script,
      [
        `import { readFileSync } from 'node:fs'`,
        `import { openTable } from ${JSON.stringify(join(REPO_ROOT, 'electron/core/import/read.ts'))}`,
        `const bytes = readFileSync(${JSON.stringify(file)})`,
        `const table = await openTable({ name: 'villages-large.xlsx', bytes }, 'auto', { acceptHeaders: (h) => h.includes('区划代码') })`,
        `let n = 0`,
        `let last = ''`,
        `table.eachRows((batch) => { n += batch.length; last = batch.at(-1)[0] })`,
        `console.log(JSON.stringify({ n, last, heapMb: Math.round(process.memoryUsage().heapUsed / 1048576) }))`,
      ].join('\n'),
    )
    const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=320', '--import', 'tsx', script], {
      cwd: REPO_ROOT,
      maxBuffer: 1024 * 1024,
    })
    const answer = JSON.parse(stdout.trim().split('\n').at(-1)!) as { n: number; last: string; heapMb: number }
    expect(answer.n).toBe(rows)
    expect(answer.last).toBe(`4510221${String(rows + 1).padStart(5, '0')}`)
    expect(answer.heapMb).toBeLessThan(320)
  }, 240_000)
})
