// Reading import files: bytes from a path or an upload, text encoding (UTF-8 with or without BOM,
// else GB18030, a superset of GBK that keeps characters outside the BMP such as 𡐓), and tables
// from CSV or XLSX.
import { readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import ExcelJS from 'exceljs'
import Papa from 'papaparse'
import type { ImportInput } from '../../../shared/api/imports'

export interface SourceFile {
  name: string
  bytes: Uint8Array
}

export function readSource(source: ImportInput['source']): SourceFile {
  if ('path' in source) return { name: basename(source.path), bytes: readFileSync(source.path) }
  return { name: source.fileName, bytes: Buffer.from(source.base64, 'base64') }
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
}

export async function readTable(file: SourceFile, encoding: ImportInput['encoding']): Promise<Table> {
  const ext = extname(file.name).toLowerCase()
  if (ext === '.xlsx') return readXlsx(file.bytes)
  const { text, encoding: used } = decodeText(file.bytes, encoding)
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' })
  const [headers = [], ...rows] = parsed.data
  return { headers: headers.map((h) => h.trim()), rows: rows.map((r) => r.map((c) => (c ?? '').trim())), encoding: used }
}

async function readXlsx(bytes: Uint8Array): Promise<Table> {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer)
  const sheet = workbook.worksheets[0]
  if (!sheet) return { headers: [], rows: [], encoding: null }
  const all: string[][] = []
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = row.values as unknown[]
    // ExcelJS rows are 1-based: values[0] is empty.
    all.push(values.slice(1).map(cellText))
  })
  const [headers = [], ...rows] = all
  const width = headers.length
  return { headers, rows: rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? '')), encoding: null }
}

function cellText(value: unknown): string {
  if (value == null) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object') {
    const v = value as { text?: unknown; result?: unknown; richText?: { text: string }[] }
    if (v.richText) return v.richText.map((t) => t.text).join('').trim()
    if (v.text !== undefined) return String(v.text).trim()
    if (v.result !== undefined) return String(v.result).trim()
  }
  return String(value).trim()
}

/**
 * Maps target fields to columns: a hand-made mapping wins, else the first column whose header
 * matches one of the field's aliases (case-insensitive) and is not taken by an earlier field.
 */
export function mapColumns(headers: string[], fields: Record<string, { aliases: string[] }>, override: Record<string, string>): Record<string, string> {
  const mapping: Record<string, string> = {}
  const lower = headers.map((h) => h.toLowerCase())
  for (const [field, spec] of Object.entries(fields)) {
    if (override[field] !== undefined) {
      mapping[field] = override[field]
      continue
    }
    const i = lower.findIndex((h, idx) => spec.aliases.some((a) => a.toLowerCase() === h) && !Object.values(mapping).includes(headers[idx]!))
    if (i >= 0) mapping[field] = headers[i]!
  }
  return mapping
}

type FileIssue = (row: number | null, field: string | null, code: 'empty_file' | 'missing_column', params?: Record<string, string | number>) => void

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
  if (table.headers.length === 0 || table.rows.length === 0) {
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
