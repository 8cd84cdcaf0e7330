// CSV writer: every section as a titled block in one file (HQ pastes blocks into its sheets).
// UTF-8 with a BOM so Excel opens it as Unicode, or GB18030 for older Chinese Excel setups.
import iconv from 'iconv-lite'
import type { CsvEncoding, ReportModel } from '../../../shared/api/reports'
import type { Language } from '../../../shared/i18n'
import type { Light } from '../../../shared/kpi'
import { csvLine } from '../../../shared/spreadsheet'
import { labels } from './model'
import { lightWord, reportTables, type Cell, type ColumnKind } from './tables'

export function csvText(model: ReportModel, lang: Language = 'zh-CN'): string {
  const L = labels(lang)
  const lines: string[] = [row([`${L.docTitle}`, `${model.region.name}`, model.region.code, model.period, `${L.asOf} ${model.asOf}`])]
  for (const table of reportTables(model, lang)) {
    lines.push('', row([`# ${table.title}`, table.note]), row(table.columns.map((c) => (c.kind === 'pct' ? `${c.header}(%)` : c.header))))
    if (table.rows.length === 0) lines.push(row([L.noData]))
    for (const values of table.rows) lines.push(row(values.map((v, i) => text(v, table.columns[i]!.kind, lang))))
  }
  return `${lines.join('\r\n')}\r\n`
}

export function writeCsv(model: ReportModel, encoding: CsvEncoding = 'utf8-bom', lang: Language = 'zh-CN'): Buffer {
  const body = csvText(model, lang)
  return encoding === 'gb18030' ? iconv.encode(body, 'gb18030') : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')])
}

function text(v: Cell, kind: ColumnKind, lang: Language): string | number | null {
  if (kind === 'light' && v !== null) return lightWord(v as Light, lang)
  // Percentages as plain numbers (93.5) keep the column numeric in Excel; the header names the unit.
  if (kind === 'pct' && typeof v === 'number') return Math.round(v * 1000) / 10
  // Codes stay plain for scripts; the XLSX export is the one typed for Excel (codes as text).
  return v
}

const row = csvLine
