// Renders a report in one format and writes it: never over an existing file unless asked, and
// never a half-written file (overwrites go through a temporary file and a rename).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { PRIVATE_FILE_MODE } from '../privateFiles'
import { dirname, isAbsolute, resolve } from 'node:path'
import type { CsvEncoding, ReportExportResult, ReportFormat, ReportModel } from '../../../shared/api/reports'
import { AppError } from '../../../shared/errors'
import type { Language } from '../../../shared/i18n'
import { writeCsv } from './csv'
import { writeGeoJson } from './geojson'
import { writePdf } from './pdf'
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
  mkdirSync(dirname(target), { recursive: true })
  if (options.overwrite) {
    const temp = `${target}.${process.pid}.tmp`
    writeFileSync(temp, bytes, { mode: PRIVATE_FILE_MODE })
    renameSync(temp, target)
  } else {
    try {
      // 'wx': create only; the check and the create are one step, so no race can clobber a file.
      writeFileSync(target, bytes, { flag: 'wx', mode: PRIVATE_FILE_MODE })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new AppError('CONFLICT', `${target} already exists; pass overwrite to replace it`, { details: { reason: 'fileExists', path: target } })
      throw error
    }
  }
  return { path: target, bytes: bytes.length, format, millis: Math.round(performance.now() - started) }
}
