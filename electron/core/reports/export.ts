// Renders a report in one format and writes it: never over an existing file unless asked, and
// never a half-written file (overwrites go through a temporary file and a rename).
import { isAbsolute, resolve } from 'node:path'
import type { CsvEncoding, ReportExportResult, ReportFormat, ReportModel } from '../../../shared/api/reports'
import type { Language } from '../../../shared/i18n'
import { writeCsv } from './csv'
import { writeGeoJson } from './geojson'
import { warmPdfFont, writePdf } from './pdf'
import { writeReportFile } from './write'
import { writeXlsx } from './xlsx'

export interface RenderOptions {
  lang?: Language
  csvEncoding?: CsvEncoding
  resourcesDir?: string
}

export async function renderReport(model: ReportModel, format: ReportFormat, options: RenderOptions = {}): Promise<Buffer> {
  const lang = options.lang ?? 'zh-CN'
  switch (format) {
    case 'xlsx':
      return writeXlsx(model, lang)
    case 'pdf':
      return writePdf(model, { lang, resourcesDir: options.resourcesDir })
    case 'csv':
      return writeCsv(model, options.csvEncoding, lang)
    case 'geojson':
      return writeGeoJson(model)
  }
}

export async function exportReport(model: ReportModel, format: ReportFormat, path: string, options: RenderOptions & { overwrite?: boolean; baseDir?: string } = {}): Promise<ReportExportResult> {
  const started = performance.now()
  const target = isAbsolute(path) ? path : resolve(options.baseDir ?? process.cwd(), path)
  const bytes = await renderReport(model, format, options)
  writeReportFile(target, bytes, options.overwrite ?? false)
  return { path: target, bytes: bytes.length, format, millis: Math.round(performance.now() - started) }
}

/** Loads what the first report needs before it is asked for: this module's writers (exceljs, pdfkit: loaded with it) and the PDF font. */
export async function warmReportWriters(resourcesDir?: string): Promise<void> {
  await warmPdfFont(resourcesDir)
}
