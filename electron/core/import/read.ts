// Reading import files: bytes from a path or an upload, text encoding (UTF-8 with or without BOM,
// else GB18030, a superset of GBK that keeps characters outside the BMP such as 𡐓), and tables
// from CSV or XLSX. Long steps report progress (import jobs show it).
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs'
import { basename, extname } from 'node:path'
import Papa from 'papaparse'
import type { ImportInput, ImportIssue, ImportTargetField } from '../../../shared/api/imports'
import { readXlsxTable } from './xlsx'
import { ArchiveTooLargeError, openCappedZip } from './zip'

/** The one issue of a file that could not be read: over the unpacking caps, or unreadable (with the reader's reason). */
export function fileIssue(file: string, error: unknown): ImportIssue {
  if (error instanceof ArchiveTooLargeError)
    return {
      file,
      row: null,
      field: null,
      code: 'archive_too_large',
      params: { maxMb: error.limits.maxBytes / 1024 / 1024, maxEntries: error.limits.maxEntries },
    }
  return { file, row: null, field: null, code: 'unreadable', params: { reason: (error as Error).message.slice(0, 200) } }
}

export interface SourceFile {
  name: string
  bytes: Uint8Array
}

/** Progress of a long step: done out of total (bytes, or rows). */
export type OnProgress = (done: number, total: number) => void

const READ_CHUNK = 4 * 1024 * 1024

export function readSource(source: ImportInput['source'], onProgress?: OnProgress): SourceFile {
  if ('base64' in source) return { name: source.fileName, bytes: Buffer.from(source.base64, 'base64') }
  if (!onProgress) return { name: basename(source.path), bytes: readFileSync(source.path) }
  const fd = openSync(source.path, 'r')
  try {
    const size = fstatSync(fd).size
    const bytes = Buffer.allocUnsafe(size)
    let read = 0
    onProgress(0, size)
    while (read < size) {
      const n = readSync(fd, bytes, read, Math.min(READ_CHUNK, size - read), read)
      if (n === 0) break
      read += n
      onProgress(read, size)
    }
    return { name: basename(source.path), bytes: bytes.subarray(0, read) }
  } finally {
    closeSync(fd)
  }
}

export function decodeText(bytes: Uint8Array, encoding: ImportInput['encoding']): { text: string; encoding: string } {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  if (encoding === 'gb18030') return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' }
  if (encoding === 'utf-8' || hasBom) return { text: new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes), encoding: hasBom ? 'utf-8-bom' : 'utf-8' }
  try {
    // Valid UTF-8 is almost never valid-looking GB18030 by accident, and vice versa.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' }
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' }
  }
}

export interface Table {
  headers: string[]
  /** Data rows (without the header), cells as trimmed strings. */
  rows: string[][]
  encoding: string | null
  /** XLSX: the sheet read, and every sheet's name. */
  sheet?: string
  sheets?: string[]
}

export interface ReadTableOptions {
  /** XLSX: the sheet to read is the first whose header row this accepts (else the first sheet). */
  acceptHeaders?: (headers: string[]) => boolean
}

/**
 * A table read row by row, as often as needed: a 50 MB file is checked in one pass and written in
 * a second one without ever holding all its rows (as arrays of cells, or as typed values) at once.
 */
export interface TableSource {
  headers: string[]
  encoding: string | null
  /** XLSX: the sheet read, and every sheet's name. */
  sheet?: string
  sheets?: string[]
  /** Size of what eachRows walks through (characters of CSV text, or rows of a sheet), for progress. */
  size: number
  /**
   * Calls onRows with the data rows (trimmed cells; the header excluded), in batches and in order,
   * synchronously; `first` is the 1-based number of the batch's first row. onProgress gets how
   * far it has got, out of `size`.
   */
  eachRows(onRows: (rows: string[][], first: number) => void, onProgress?: OnProgress): void
}

const PARSE_CHUNK = 1024 * 1024

export async function openTable(file: SourceFile, encoding: ImportInput['encoding'], options: ReadTableOptions = {}): Promise<TableSource> {
  if (extname(file.name).toLowerCase() === '.xlsx') return openXlsx(file, options.acceptHeaders)
  const { text, encoding: used } = decodeText(file.bytes, encoding)
  const eachRecord = (onRecords: (records: string[][]) => void, onProgress?: OnProgress) => {
    // In chunks (synchronously, for a string) so that a 50 MB file reports its progress.
    onProgress?.(0, text.length)
    Papa.parse<string[]>(text, {
      skipEmptyLines: 'greedy',
      chunkSize: PARSE_CHUNK,
      chunk: (results: Papa.ParseResult<string[]>) => {
        onRecords(results.data.map((row) => row.map((c) => (c ?? '').trim())))
        onProgress?.(results.meta.cursor, text.length)
      },
      complete: () => {},
    })
  }
  const [headers = []] = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy', preview: 1 }).data.map((row) => row.map((c) => (c ?? '').trim()))
  return {
    headers,
    encoding: used,
    size: text.length,
    eachRows: (onRows, onProgress) => {
      let headerSeen = false
      let next = 1
      eachRecord((records) => {
        const rows = headerSeen ? records : records.slice(1)
        headerSeen ||= records.length > 0
        if (rows.length === 0) return
        onRows(rows, next)
        next += rows.length
      }, onProgress)
    },
  }
}

/** The whole table at once (small imports: customers, actuals). */
export async function readTable(file: SourceFile, encoding: ImportInput['encoding'], options: ReadTableOptions = {}): Promise<Table> {
  const source = await openTable(file, encoding, options)
  const rows: string[][] = []
  source.eachRows((batch) => {
    for (const row of batch) rows.push(row)
  })
  return { headers: source.headers, rows, encoding: source.encoding, ...(source.sheets ? { sheet: source.sheet, sheets: source.sheets } : {}) }
}

async function openXlsx(file: SourceFile, acceptHeaders?: (headers: string[]) => boolean): Promise<TableSource> {
  // The archive is checked against the unpacking caps first; then the workbook is read as a
  // stream of rows (xlsx.ts), never as exceljs's whole object model.
  const zip = await openCappedZip(file.name, file.bytes)
  await zip.checkAll()
  const { sheets, sheet } = await readXlsxTable(zip, acceptHeaders, cellText)
  if (!sheet) return { headers: [], encoding: null, sheets, size: 0, eachRows: () => {} }
  const { headers, rows } = sheet
  return {
    headers,
    encoding: null,
    sheet: sheet.name,
    sheets,
    size: rows.length,
    eachRows: (onRows, onProgress) => {
      for (let first = 0; first < rows.length; first += XLSX_BATCH) {
        onRows(rows.slice(first, first + XLSX_BATCH), first + 1)
        onProgress?.(Math.min(first + XLSX_BATCH, rows.length), rows.length)
      }
      onProgress?.(rows.length, rows.length)
    },
  }
}

const XLSX_BATCH = 1000

function cellText(value: unknown): string {
  if (value == null) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object') {
    const v = value as { text?: unknown; result?: unknown; richText?: { text: string }[] }
    if (v.richText)
      return v.richText
        .map((t) => t.text)
        .join('')
        .trim()
    if (v.text !== undefined) return String(v.text).trim()
    if (v.result !== undefined) return String(v.result).trim()
  }
  return String(value).trim()
}

/** A field's column as people know it: its English and its Chinese header. */
const columnNames = (aliases: string[]) => [aliases[0], aliases.find((a) => /[^\p{ASCII}]/u.test(a))].filter(Boolean).join('/')

/** The fields a column can be mapped to, as a preview lists them for a hand-made mapping. */
export const targetFields = (fields: Record<string, unknown>, required: readonly string[]): ImportTargetField[] =>
  Object.keys(fields).map((name) => ({ name, required: required.includes(name) }))

/** Whether a header row has a column for every required field (which sheet of a workbook to read). */
export function hasRequiredColumns(
  headers: string[],
  fields: Record<string, { aliases: string[] }>,
  override: Record<string, string>,
  required: readonly string[],
): boolean {
  const mapping = mapColumns(headers, fields, override)
  return required.every((field) => mapping[field] !== undefined && headers.includes(mapping[field]))
}

/**
 * Maps target fields to columns: a hand-made mapping wins ('' = leave the field out), else the
 * first column whose header matches one of the field's aliases (case-insensitive) and is taken
 * neither by the hand-made mapping nor by an earlier field.
 */
export function mapColumns(headers: string[], fields: Record<string, { aliases: string[] }>, override: Record<string, string>): Record<string, string> {
  const mapping: Record<string, string> = {}
  const taken = new Set(
    Object.entries(override)
      .filter(([field, column]) => column !== '' && field in fields)
      .map(([, column]) => column),
  )
  const lower = headers.map((h) => h.toLowerCase())
  for (const [field, spec] of Object.entries(fields)) {
    if (override[field] !== undefined) {
      if (override[field] !== '') mapping[field] = override[field]
      continue
    }
    const i = lower.findIndex((h, idx) => spec.aliases.some((a) => a.toLowerCase() === h) && !taken.has(headers[idx]!))
    if (i >= 0) {
      mapping[field] = headers[i]!
      taken.add(headers[i]!)
    }
  }
  return mapping
}

type FileIssue = (
  row: number | null,
  field: string | null,
  code: 'empty_file' | 'missing_column' | 'no_matching_sheet',
  params?: Record<string, string | number>,
) => void

/**
 * The whole-file checks every tabular import makes before reading rows: the file has data, each
 * mapped column exists, each required field has a column. Returns the column index per field, or
 * null when the rows cannot be read.
 */
export function checkColumns(
  table: Table,
  mapping: Record<string, string>,
  fields: Record<string, { aliases: string[] }>,
  required: readonly string[],
  issue: FileIssue,
): Record<string, number> | null {
  if (table.headers.length > 0 && table.rows.length === 0 && !(table.sheets && table.sheets.length > 1)) {
    issue(null, null, 'empty_file')
    return null
  }
  return checkHeaders(table, mapping, fields, required, issue)
}

/** checkColumns on the header row alone (a table read row by row finds out later whether it has rows). */
export function checkHeaders(
  table: Pick<Table, 'headers' | 'sheets'>,
  mapping: Record<string, string>,
  fields: Record<string, { aliases: string[] }>,
  required: readonly string[],
  issue: FileIssue,
): Record<string, number> | null {
  const unmapped = required.filter((field) => !mapping[field] || !table.headers.includes(mapping[field]))
  if (table.sheets && table.sheets.length > 1 && unmapped.length > 0) {
    // A workbook whose data sheet is missing (a notes sheet first, a summary...): name the sheets looked at.
    issue(null, null, 'no_matching_sheet', { sheets: table.sheets.join('、'), columns: unmapped.map((f) => columnNames(fields[f]!.aliases)).join(', ') })
    return null
  }
  if (table.headers.length === 0) {
    issue(null, null, 'empty_file')
    return null
  }
  let ok = true
  for (const [field, column] of Object.entries(mapping)) {
    if (table.headers.includes(column)) continue
    ok = false
    issue(null, field, 'missing_column', { column })
  }
  for (const field of required) {
    if (mapping[field]) continue
    ok = false
    issue(null, field, 'missing_column', { column: fields[field]!.aliases.slice(0, 3).join(' / ') })
  }
  return ok ? Object.fromEntries(Object.entries(mapping).map(([field, column]) => [field, table.headers.indexOf(column)])) : null
}
