// XLSX workbooks read as a stream of rows, never as a whole object model. exceljs's
// `workbook.xlsx.load` builds an object per cell (with its style): a sheet of 33 MB of XML takes
// over 200 MB of heap, so a sheet near the 200 MB unpacking cap (zip.ts) would take gigabytes. Here
// exceljs's streaming reader parses the workbook's parts from the capped archive in the order it
// needs them (relations, workbook, styles, shared strings, then the sheets in workbook order;
// nothing is spilled to temporary files, which its own file reader does when the sheets come first
// in the zip), and only the chosen sheet's cell texts are kept.
import { PassThrough, Readable } from 'node:stream'
import ExcelJS from 'exceljs'
import type JSZip from 'jszip'
import type { CappedZip } from './zip'

export interface XlsxTable {
  /** Every sheet's name, in workbook order. */
  sheets: string[]
  /** The sheet read: its name, its header (first row with a value) and its data rows, cut or padded to the header's width. */
  sheet: { name: string; headers: string[]; rows: string[][] } | null
}

/** The parts of exceljs's streaming reader used here (stable in exceljs 4; not in its typings). */
interface ReaderParts {
  model?: { sheets?: { name: string; rId: string }[] }
  workbookRels?: { Id: string; Target: string }[]
  sharedStrings?: unknown[]
  _parseRels(entry: Readable): Promise<void>
  _parseWorkbook(entry: Readable): Promise<void>
  _parseStyles(entry: Readable): Promise<void>
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>
  _parseWorksheet(entry: Readable, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> & { name: string } }>
}

/**
 * Reads the first sheet whose header `acceptHeaders` accepts (else the first sheet). Sheets after
 * the chosen one are not parsed; a sheet before it is read only as far as its header, except the
 * first, kept in case no sheet is accepted.
 */
export async function readXlsxTable(
  zip: CappedZip,
  acceptHeaders: ((headers: string[]) => boolean) | undefined,
  cellText: (value: unknown) => string,
): Promise<XlsxTable> {
  const byName = new Map(zip.files.map((f) => [f.name.replace(/^\/+/, ''), f]))
  const part = (path: string): Readable | null => {
    const entry = byName.get(path)
    // JSZip's own stream class: piped into a Node stream, which exceljs iterates.
    return entry
      ? (entry as JSZip.JSZipObject & { nodeStream(type: 'nodebuffer'): NodeJS.ReadableStream }).nodeStream('nodebuffer').pipe(new PassThrough())
      : null
  }
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // number formats: which numbers are dates
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as ReaderParts
  const rels = part('xl/_rels/workbook.xml.rels')
  const workbook = part('xl/workbook.xml')
  if (!rels || !workbook) throw new Error('not an XLSX workbook (xl/workbook.xml is missing)')
  await reader._parseRels(rels)
  await reader._parseWorkbook(workbook)
  const styles = part('xl/styles.xml')
  if (styles) await reader._parseStyles(styles)
  const strings = part('xl/sharedStrings.xml')
  if (strings) for await (const _ of reader._parseSharedStrings(strings));
  else reader.sharedStrings = []

  const sheets = (reader.model?.sheets ?? []).map((s) => {
    const target = (reader.workbookRels ?? []).find((r) => r.Id === s.rId)?.Target ?? ''
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`
    return { name: s.name, path, no: /sheet(\d+)\.xml$/.exec(path)?.[1] ?? '0' }
  })
  let fallback: XlsxTable['sheet'] = null
  for (const [index, at] of sheets.entries()) {
    const stream = part(at.path)
    if (!stream) continue
    const worksheet = reader._parseWorksheet(stream, at.no).next().value?.value
    if (!worksheet) continue
    let headers: string[] | undefined
    let accepted = false
    const rows: string[][] = []
    for await (const row of worksheet) {
      if (!row.hasValues) continue
      const cells = (row.values as unknown[]).slice(1).map(cellText)
      if (headers === undefined) {
        headers = cells
        accepted = !acceptHeaders || acceptHeaders(headers)
        // Neither the one chosen nor the fallback: its header was all that was needed.
        if (!accepted && index > 0) break
        continue
      }
      rows.push(Array.from({ length: headers.length }, (_, i) => cells[i] ?? ''))
    }
    const read = { name: at.name, headers: headers ?? [], rows }
    if (!acceptHeaders || accepted || (headers === undefined && acceptHeaders([]))) return { sheets: sheets.map((s) => s.name), sheet: read }
    if (index === 0) fallback = read
  }
  return { sheets: sheets.map((s) => s.name), sheet: fallback }
}
