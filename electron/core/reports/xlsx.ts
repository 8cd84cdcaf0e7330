// XLSX writer (exceljs): one sheet per section, frozen header, typed cells (numbers, dates,
// percentages), traffic lights as fills with the word in the cell, codes as text.
import ExcelJS from 'exceljs'
import type { ReportModel } from '../../../shared/api/reports'
import type { Language } from '../../../shared/i18n'
import type { Light } from '../../../shared/kpi'
import { spreadsheetText } from '../../../shared/spreadsheet'
import { labels } from './model'
import { LIGHT_COLOURS, lightWord, numberText, reportTables, type Cell, type ColumnKind } from './tables'

const NUM_FMT: Partial<Record<ColumnKind, string>> = { int: '#,##0', number: '#,##0.##', pct: '0.0%', date: 'yyyy-mm-dd', code: '@' }

/** Display width of text in Excel character units: CJK and full-width characters count double. */
export function displayWidth(text: string): number {
  let w = 0
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u.test(ch) ? 2 : 1
  return w
}

export async function writeXlsx(model: ReportModel, lang: Language = 'zh-CN'): Promise<Buffer> {
  const L = labels(lang)
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'GridDesk 网格通'
  workbook.created = new Date(model.generatedAt)
  const title = `${L.docTitle} · ${model.region.name}（${model.region.code}） · ${model.period}`
  for (const table of reportTables(model, lang)) {
    const sheet = workbook.addWorksheet(table.title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31), {
      views: [{ state: 'frozen', ySplit: 2 }],
      pageSetup: { paperSize: 9, orientation: table.columns.length > 7 ? 'landscape' : 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    })
    // Row 1: what this sheet is; row 2: the header. Both stay frozen.
    const titleRow = sheet.addRow([spreadsheetText(`${table.title} — ${title}`), spreadsheetText(table.note)])
    titleRow.font = { bold: true, size: 12 }
    const header = sheet.addRow(table.columns.map((c) => c.header))
    header.font = { bold: true }
    header.alignment = { vertical: 'middle', wrapText: true }
    header.eachCell((cell) => {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } }
      cell.border = { bottom: { style: 'thin' } }
    })
    const widths = table.columns.map((c) => displayWidth(c.header))
    if (table.rows.length === 0) sheet.addRow([L.noData]).font = { italic: true, color: { argb: 'FF808080' } }
    for (const values of table.rows) {
      const row = sheet.addRow(values.map((v, i) => cellValue(v, table.columns[i]!.kind, lang)))
      values.forEach((v, i) => {
        const kind = table.columns[i]!.kind
        const cell = row.getCell(i + 1)
        const fmt = NUM_FMT[kind]
        if (fmt) cell.numFmt = fmt
        if (kind === 'light' && typeof v === 'string') {
          cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: `FF${LIGHT_COLOURS[v as Light]}` } }
          cell.font = { bold: true, color: { argb: v === 'yellow' || v === 'none' ? 'FF000000' : 'FFFFFFFF' } }
          cell.alignment = { horizontal: 'center' }
        }
        widths[i] = Math.max(widths[i]!, displayWidth(shown(v, kind, lang)))
      })
    }
    sheet.columns.forEach((column, i) => (column.width = Math.min(60, Math.max(8, (widths[i] ?? 8) + 2))))
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

function cellValue(v: Cell, kind: ColumnKind, lang: Language): ExcelJS.CellValue {
  if (v === null) return null
  if (kind === 'date' && typeof v === 'string') return new Date(`${v.slice(0, 10)}T00:00:00Z`)
  if (kind === 'light') return lightWord(v as Light, lang)
  if (kind === 'code') return spreadsheetText(String(v))
  return typeof v === 'string' ? spreadsheetText(v) : v
}

function shown(v: Cell, kind: ColumnKind, lang: Language): string {
  if (v === null) return ''
  if (kind === 'pct' && typeof v === 'number') return `${(v * 100).toFixed(1)}%`
  if (kind === 'light') return lightWord(v as Light, lang)
  if (kind === 'date') return '2026-10-01'
  if (typeof v === 'number') return numberText(v)
  return v
}
