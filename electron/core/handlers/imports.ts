// Imports: preview shows the mapping, a sample and every problem; commit validates again and
// writes all rows or none. A failed commit is a VALIDATION error carrying the row-level report.
// Both run as import jobs (import/jobs.ts): large files are read, checked and written in a worker
// thread; import.start / import.progress / import.cancel let the UI show the progress meanwhile.
import type { HandlerContext } from '../context'
import type { HandlerTable } from './table'

// The job machinery and the parsers (exceljs, papaparse, togeojson, turf) load on first use, not at start-up.
const jobs = () => import('../import/jobs')

export const importHandlers = {
  'import.preview': async (ctx, input) => (await jobs()).runImportJob(ctx, input, 'preview'),
  'import.commit': async (ctx, input) => (await jobs()).runImportJob(ctx, input, 'commit'),
  'import.start': async (ctx: HandlerContext, { mode, ...input }) => ({ jobId: (await jobs()).startImportJob(ctx, input, mode).id }),
  'import.progress': async (ctx, { jobId }) => {
    const { findJob, jobProgress } = await jobs()
    return jobProgress(findJob(ctx, jobId))
  },
  'import.cancel': async (ctx, { jobId }) => {
    const { cancelImportJob, jobProgress } = await jobs()
    return jobProgress(await cancelImportJob(ctx, jobId))
  },
  'import.template': async (_ctx, { format, language }) => {
    const { villageTemplate } = await import('../import/template')
    const { fileName, content } = await villageTemplate(format, language)
    return { fileName, base64: content.toString('base64') }
  },
} satisfies Partial<HandlerTable>
