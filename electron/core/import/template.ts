// An empty village file to fill in: one column per field the importer knows, headed with the
// app's own label in the user's language (the importer maps those back by itself). XLSX adds a
// sheet that says, per column, whether it is required and what it takes.
import ExcelJS from 'exceljs'
import { resources, type Language } from '../../../shared/i18n'
import { villageFields, villageTargets } from './villages'

type Catalogue = {
  villages: { field: Record<string, string> }
  fields: Record<string, string>
  villageTemplate: { required: string; optional: string; kind: Record<string, string>; sheet: string; notes: string; col: Record<string, string> }
}
const catalogue = (lang: Language) => resources[lang].translation as unknown as Catalogue

/** The header the template gives a field: its label in the app, else its first alias in that language. */
export function villageHeader(field: string, lang: Language): string {
  const t = catalogue(lang)
  const label = t.villages.field[field] ?? t.fields[field]
  if (label) return label
  const aliases = villageFields[field]!.aliases
  return (lang === 'zh-CN' ? aliases.find((a) => /\p{Script=Han}/u.test(a)) : undefined) ?? aliases[0]!
}

const TEXT_KINDS = new Set(['text', 'rivalCounts', 'rivalPcts', 'persons'])

export async function villageTemplate(format: 'csv' | 'xlsx', lang: Language): Promise<{ fileName: string; content: Buffer }> {
  const t = catalogue(lang)
  const headers = villageTargets.map((f) => villageHeader(f.name, lang))
  const base = lang === 'zh-CN' ? '村庄导入模板' : 'village-import-template'
  if (format === 'csv') return { fileName: `${base}.csv`, content: Buffer.from(`\ufeff${headers.map(csvCell).join(',')}\r\n`, 'utf8') }
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet(t.villageTemplate.sheet)
  sheet.addRow(headers).font = { bold: true }
  sheet.columns.forEach((c, i) => (c.width = Math.max(10, headers[i]!.length * 2 + 2)))
  // Codes are text: a 12-digit division code must not become 4.51E+11.
  // The structured cells (对手:端口数, key persons with their phones) are text as well.
  for (const [i, f] of villageTargets.entries()) if (TEXT_KINDS.has(villageFields[f.name]!.kind)) sheet.getColumn(i + 1).numFmt = '@'
  sheet.views = [{ state: 'frozen', ySplit: 1 }]
  const notes = book.addWorksheet(t.villageTemplate.notes)
  notes.addRow([t.villageTemplate.col.column, t.villageTemplate.col.required, t.villageTemplate.col.takes]).font = { bold: true }
  for (const [i, f] of villageTargets.entries())
    notes.addRow([headers[i], f.required ? t.villageTemplate.required : t.villageTemplate.optional, t.villageTemplate.kind[villageFields[f.name]!.kind]])
  notes.columns = [{ width: 24 }, { width: 10 }, { width: 60 }]
  return { fileName: `${base}.xlsx`, content: Buffer.from(await book.xlsx.writeBuffer()) }
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
