// Saved reports: which period a rule means on a given day, and a run that builds the report once
// and writes each format into the definition's folder, leaving existing files alone unless told.
import { join } from 'node:path'
import type { PeriodRule, ReportDefinition, ReportRunResult } from '../../../shared/api/reports'
import { AppError } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import { markRun } from '../db/repos/reportDefinitions'
import { exportReport } from './export'
import { buildReport } from './model'
import { localToday } from '../indicators/measures'

/** The period a rule covers on `today` (YYYY-MM-DD). */
export function resolvePeriod(rule: PeriodRule, today: string): string {
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))]
  const q = Math.ceil(m / 3)
  const month = (year: number, mon: number) => {
    const d = new Date(Date.UTC(year, mon - 1, 1))
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
  }
  switch (rule) {
    case 'current_month':
      return month(y, m)
    case 'previous_month':
      return month(y, m - 1)
    case 'current_quarter':
      return `${y}-Q${q}`
    case 'previous_quarter':
      return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`
    case 'current_year':
      return String(y)
    default:
      return rule
  }
}

/** File name of one run's output: definition name, region, period; safe on Windows too. */
export function runFileName(definition: ReportDefinition, period: string, format: string): string {
  const safe = `${definition.name}_${definition.region}_${period}`.replace(/[\\/:*?"<>|\s]+/g, '_')
  return `${safe}.${format}`
}

export async function runDefinition(ctx: HandlerContext, definition: ReportDefinition, options: { overwrite: boolean; asOf?: string }): Promise<ReportRunResult> {
  const started = performance.now()
  // The grid manager's today, not UTC's (early morning in UTC+8 is still yesterday in UTC).
  const today = options.asOf ?? localToday()
  const period = resolvePeriod(definition.periodRule, today)
  const model = buildReport(ctx.db, definition.region, period, { lang: definition.lang })
  const files: ReportRunResult['files'] = []
  for (const format of definition.formats) {
    const path = join(definition.folder, runFileName(definition, period, format))
    try {
      const written = await exportReport(model, format, path, { overwrite: options.overwrite, csvEncoding: definition.csvEncoding, lang: definition.lang, resourcesDir: ctx.resourcesDir })
      files.push({ format, path: written.path, status: 'written', bytes: written.bytes })
    } catch (error) {
      if (error instanceof AppError && error.details?.reason === 'fileExists') files.push({ format, path, status: 'exists', bytes: null })
      else throw error
    }
  }
  markRun(ctx.db, definition.id, new Date().toISOString())
  return { definitionId: definition.id, period, files, millis: Math.round(performance.now() - started) }
}
