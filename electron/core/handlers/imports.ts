// Imports: preview shows the mapping, a sample and every problem; commit validates again and
// writes all rows or none. A failed commit is a VALIDATION error carrying the row-level report.
import type { ImportInput, ImportIssue, ImportPreview } from '../../../shared/api/imports'
import { AppError } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import type { GridFeature } from '../import/grids'
import type { VillageRow } from '../import/villages'
import type { HandlerTable } from './table'

const MAX_LISTED = 1000

type Checked =
  | { kind: 'villages'; file: string; encoding: string | null; headers: string[]; mapping: Record<string, string>; rows: VillageRow[]; issues: ImportIssue[] }
  | { kind: 'grids'; file: string; encoding: string | null; grids: GridFeature[]; issues: ImportIssue[] }

// The parsers (exceljs, papaparse, togeojson, turf) load on first use, not at start-up.
const importers = () => Promise.all([import('../import/read'), import('../import/villages'), import('../import/grids')])

async function check(ctx: HandlerContext, input: ImportInput): Promise<Checked> {
  const [{ readSource, readTable }, { validateVillages }, { parseBoundaryFile, validateGrids }] = await importers()
  let file
  try {
    file = readSource(input.source)
  } catch (error) {
    throw new AppError('NOT_FOUND', `cannot read the file: ${(error as Error).message}`, { details: { source: 'path' in input.source ? input.source.path : input.source.fileName } })
  }
  const unreadable = (error: unknown): ImportIssue => ({ file: file.name, row: null, field: null, code: 'unreadable', params: { reason: (error as Error).message.slice(0, 200) } })
  if (input.kind === 'villages') {
    let table
    try {
      table = await readTable(file, input.encoding)
    } catch (error) {
      return { kind: 'villages', file: file.name, encoding: null, headers: [], mapping: {}, rows: [], issues: [unreadable(error)] }
    }
    return { kind: 'villages', file: file.name, encoding: table.encoding, headers: table.headers, ...validateVillages(ctx, file.name, table, input) }
  }
  try {
    const { features, encoding } = await parseBoundaryFile(file, input.encoding)
    return { kind: 'grids', file: file.name, encoding, ...validateGrids(file.name, features, input.crs) }
  } catch (error) {
    return { kind: 'grids', file: file.name, encoding: null, grids: [], issues: [unreadable(error)] }
  }
}

function failIfIssues(checked: Checked): void {
  if (checked.issues.length === 0) return
  throw new AppError('VALIDATION', `${checked.file}: ${checked.issues.length} problem(s); nothing was imported`, {
    issues: checked.issues.slice(0, MAX_LISTED).map((i) => ({ path: [checked.file, i.row ?? '-', i.field ?? '-'], message: i.code })),
    details: { importIssues: checked.issues.slice(0, MAX_LISTED), moreIssues: Math.max(0, checked.issues.length - MAX_LISTED) },
  })
}

export const importHandlers = {
  'import.preview': async (ctx, input): Promise<ImportPreview> => {
    const checked = await check(ctx, input)
    const base = { file: checked.file, encoding: checked.encoding, issues: checked.issues.slice(0, MAX_LISTED), moreIssues: Math.max(0, checked.issues.length - MAX_LISTED) }
    if (checked.kind === 'villages')
      return { ...base, headers: checked.headers, mapping: checked.mapping, totalRows: checked.rows.length, sample: checked.rows.slice(0, 20).map((r) => ({ row: r.row, ...r.values })) }
    return { ...base, headers: [], mapping: {}, totalRows: checked.grids.length, sample: checked.grids.slice(0, 20).map((g) => ({ row: g.row, code: g.code, name: g.name, kind: g.kind ?? null, geometryType: g.geometry.type })) }
  },
  'import.commit': async (ctx, input) => {
    const started = performance.now()
    const checked = await check(ctx, input)
    failIfIssues(checked)
    const [, { commitVillages }, { commitGrids }] = await importers()
    const counts = checked.kind === 'villages' ? commitVillages(ctx, checked.file, checked.rows, input.crs) : commitGrids(ctx, checked.file, checked.grids, input.crs)
    return { file: checked.file, ...counts, millis: Math.round(performance.now() - started) }
  },
} satisfies Partial<HandlerTable>
