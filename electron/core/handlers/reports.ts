// Regional reports: the preview model, exports to XLSX, PDF, CSV and GeoJSON, and saved
// report definitions that re-run each week. The writers (exceljs, pdfkit) load on first use.
import { isAbsolute } from 'node:path'
import { v7 as uuidv7 } from 'uuid'
import { AppError } from '../../../shared/errors'
import { deleteDefinition, definitionIdByName, getDefinition, listDefinitions, saveDefinition } from '../db/repos/reportDefinitions'
import { findRegion } from '../db/repos/reports'
import { buildReport } from '../reports/model'
import type { HandlerTable } from './table'

export const reportHandlers = {
  'reports.preview': (ctx, input) => buildReport(ctx.db, input.region, input.period),
  'reports.export': async (ctx, input) => {
    const model = buildReport(ctx.db, input.region, input.period, { lang: input.lang })
    const { exportReport } = await import('../reports/export')
    return exportReport(model, input.format, input.path, {
      overwrite: input.overwrite,
      csvEncoding: input.csvEncoding,
      lang: input.lang,
      resourcesDir: ctx.resourcesDir,
      baseDir: ctx.dataDir,
    })
  },
  'reports.definitions.list': (ctx) => listDefinitions(ctx.db),
  'reports.definitions.save': (ctx, input) => {
    const issues = []
    if (!findRegion(ctx.db, input.region)) issues.push({ path: ['region'], message: `unknown region code ${input.region}` })
    if (!isAbsolute(input.folder)) issues.push({ path: ['folder'], message: 'the folder must be an absolute path' })
    const sameName = definitionIdByName(ctx.db, input.name)
    if (sameName && sameName !== input.id) issues.push({ path: ['name'], message: `a saved report named ${input.name} exists` })
    if (issues.length > 0) throw new AppError('VALIDATION', issues.map((i) => `${i.path[0]}: ${i.message}`).join('; '), { issues })
    const id = input.id ?? uuidv7()
    saveDefinition(ctx.db, { ...input, id, formats: [...new Set(input.formats)] }, new Date().toISOString())
    return getDefinition(ctx.db, id)!
  },
  'reports.definitions.delete': (ctx, input) => ({ deleted: deleteDefinition(ctx.db, input.id) }),
  'reports.definitions.run': async (ctx, input) => {
    const definition = getDefinition(ctx.db, input.id)
    if (!definition) throw new AppError('NOT_FOUND', `saved report ${input.id} not found`, { details: { id: input.id } })
    const { runDefinition } = await import('../reports/definitions')
    return runDefinition(ctx, definition, { overwrite: input.overwrite, asOf: input.asOf })
  },
} satisfies Partial<HandlerTable>
