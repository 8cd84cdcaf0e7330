// One import, wherever it runs (the caller's thread for a small file, a worker thread for a large
// one): read the file, parse and validate every row against the store, and on commit read the
// rows again and write all of them or none in one transaction. Each step reports its progress.
import type { ImportInput, ImportIssue, ImportPhase, ImportPreview, ImportResult, BoundaryRepair } from '../../../shared/api/imports'
import { AppError, type ErrorBody } from '../../../shared/errors'
import type { Db } from '../db/client'
import type { ChangeContext } from '../db/repos/changes'
import { boundaryTargets, commitGrids, FEATURE_ID, parseBoundaryFile, validateGrids, type BoundaryLevel, type GridFeature } from './grids'
import { actualSample, actualTargets, validateActuals, writeActuals, type ActualImportRow } from './actuals'
import { customerSample, customerTargets, validateCustomers, validCustomerRows, writeCustomers, type CustomerImportRow } from './customers'
import { fileIssue, openTable, readSource, readTable, type SourceFile, type TableSource } from './read'
import { villageChecker, villageLookups, villageSheet, villageTargets, villageWriter, type VillageLookups } from './villages'
import { logUnexpectedError } from '../errorLog'

export type WorkPhase = Extract<ImportPhase, 'reading' | 'parsing' | 'validating' | 'writing'>
/** Progress of a phase: done out of total, in bytes of the file or in rows (0 of 0: not known yet). */
export type Report = (phase: WorkPhase, done: number, total: number, unit: 'bytes' | 'rows') => void

/**
 * A checked file. Villages keep their table, not their rows: a commit reads the rows a second time
 * as it writes them, so a 50 MB file is never held as typed rows all at once.
 */
export type Checked =
  | {
      kind: 'villages'
      file: string
      encoding: string | null
      headers: string[]
      sheet: string | null
      mapping: Record<string, string>
      totalRows: number
      /** Rows without a problem of their own. */
      validRows: number
      sample: Record<string, unknown>[]
      issues: ImportIssue[]
      table: TableSource | null
      lookups: VillageLookups
      input: ImportInput
    }
  | {
      kind: 'customers'
      file: string
      encoding: string | null
      headers: string[]
      mapping: Record<string, string>
      rows: CustomerImportRow[]
      issues: ImportIssue[]
      onInvalid: ImportInput['onInvalid']
    }
  | {
      kind: 'actuals'
      file: string
      encoding: string | null
      headers: string[]
      mapping: Record<string, string>
      /** The rows without a problem (an actual row is written whole or not at all). */
      rows: ActualImportRow[]
      totalRows: number
      issues: ImportIssue[]
      onInvalid: ImportInput['onInvalid']
    }
  | {
      kind: 'grids'
      level: BoundaryLevel
      file: string
      encoding: string | null
      grids: GridFeature[]
      repairs: BoundaryRepair[]
      issues: ImportIssue[]
      headers: string[]
      mapping: Record<string, string>
      properties: Record<string, unknown>[]
      onInvalid: ImportInput['onInvalid']
    }

const MAX_LISTED = 1000

/** The file's bytes, or NOT_FOUND when it cannot be read. */
export function readImportFile(input: Pick<ImportInput, 'source'>, report?: Report): SourceFile {
  try {
    return readSource(input.source, report && ((done, total) => report('reading', done, total, 'bytes')))
  } catch (error) {
    throw new AppError('NOT_FOUND', `cannot read the file: ${(error as Error).message}`, {
      details: { source: 'path' in input.source ? input.source.path : input.source.fileName },
    })
  }
}

/** Parses and validates a file; every problem is in `issues` (an unreadable file is one issue). */
export async function checkImport(db: Db, input: ImportInput, report?: Report): Promise<Checked> {
  const file = readImportFile(input, report)
  const bytes = file.bytes.length
  const unreadable = (error: unknown): ImportIssue => fileIssue(file.name, error)
  report?.('parsing', 0, 0, 'bytes')
  if (input.kind === 'customers') {
    const none = { kind: 'customers' as const, file: file.name, onInvalid: input.onInvalid }
    let table
    try {
      table = await readTable(file, input.encoding)
    } catch (error) {
      return { ...none, encoding: null, headers: [], mapping: {}, rows: [], issues: [unreadable(error)] }
    }
    report?.('validating', 0, table.rows.length, 'rows')
    return { ...none, encoding: table.encoding, headers: table.headers, ...validateCustomers(db, file.name, table, input.mapping) }
  }
  if (input.kind === 'actuals') {
    const none = { kind: 'actuals' as const, file: file.name, onInvalid: input.onInvalid }
    let table
    try {
      table = await readTable(file, input.encoding)
    } catch (error) {
      return { ...none, encoding: null, headers: [], mapping: {}, rows: [], totalRows: 0, issues: [unreadable(error)] }
    }
    report?.('validating', 0, table.rows.length, 'rows')
    return { ...none, encoding: table.encoding, headers: table.headers, totalRows: table.rows.length, ...validateActuals(db, file.name, table, input.mapping) }
  }
  if (input.kind === 'villages') {
    const lookups = villageLookups(db)
    const nothing = {
      kind: 'villages' as const,
      file: file.name,
      encoding: null,
      headers: [],
      sheet: null,
      mapping: {},
      totalRows: 0,
      validRows: 0,
      sample: [],
      table: null,
      lookups,
      input,
    }
    let table
    try {
      table = await openTable(file, input.encoding, { acceptHeaders: villageSheet(input.mapping) })
    } catch (error) {
      return { ...nothing, issues: [unreadable(error)] }
    }
    const issues: ImportIssue[] = []
    const checker = villageChecker(lookups, file.name, table, input, issues)
    const sample: Record<string, unknown>[] = []
    let totalRows = 0
    let validRows = 0
    if (checker.readable) {
      // One pass: rows are parsed and checked as they come, and only the first few are kept.
      const sheetRows = table.sheets !== undefined
      table.eachRows(
        (rows, first) => {
          rows.forEach((cells, k) => {
            const before = issues.length
            const { row, values } = checker.check(cells, first + k)
            if (issues.length === before) validRows++
            if (sample.length < 20) sample.push({ row, ...values })
          })
          totalRows += rows.length
        },
        report &&
          ((done, total) =>
            sheetRows ? report('validating', done, total, 'rows') : report('validating', Math.round((done / Math.max(total, 1)) * bytes), bytes, 'bytes')),
      )
      if (totalRows === 0 && issues.length === 0) issues.push({ file: file.name, row: null, field: null, code: 'empty_file', params: {} })
    }
    // The sheet read, unless none had the columns (then the report says which sheets were looked at).
    const sheet = issues.some((i) => i.code === 'no_matching_sheet') ? null : (table.sheet ?? null)
    return {
      ...nothing,
      encoding: table.encoding,
      headers: table.headers,
      sheet,
      mapping: checker.mapping,
      totalRows,
      validRows,
      sample,
      issues,
      table: checker.readable ? table : null,
    }
  }
  const level: BoundaryLevel = input.kind === 'county' ? 'county' : input.kind === 'townships' ? 'township' : 'grid'
  const none = { kind: 'grids' as const, level, file: file.name, headers: [], mapping: {}, properties: [], onInvalid: input.onInvalid }
  let parsed
  try {
    parsed = await parseBoundaryFile(file, input.encoding)
  } catch (error) {
    return { ...none, encoding: null, grids: [], repairs: [], issues: [unreadable(error)] }
  }
  report?.('validating', 0, parsed.features.length, 'rows')
  const checked = validateGrids(file.name, parsed.features, input.crs, {
    repair: true,
    level,
    mapping: input.mapping,
    onProgress: report && ((done, total) => report('validating', done, total, 'rows')),
  })
  // The first features' properties, as the mapping picker shows them ("id": the feature's own, when it has no such property).
  const properties = parsed.features
    .slice(0, 5)
    .map((f) => ({ ...(f.id !== undefined && f.id !== null ? { [FEATURE_ID]: f.id } : {}), ...(f.properties ?? {}) }))
  return { ...none, encoding: parsed.encoding, ...checked, properties }
}

export function previewOf(checked: Checked): ImportPreview {
  const base = {
    file: checked.file,
    encoding: checked.encoding,
    issues: checked.issues.slice(0, MAX_LISTED),
    moreIssues: Math.max(0, checked.issues.length - MAX_LISTED),
  }
  if (checked.kind === 'villages')
    return {
      ...base,
      headers: checked.headers,
      mapping: checked.mapping,
      fields: villageTargets,
      sheet: checked.sheet,
      totalRows: checked.totalRows,
      validRows: checked.validRows,
      sample: checked.sample,
    }
  if (checked.kind === 'customers')
    return {
      ...base,
      headers: checked.headers,
      mapping: checked.mapping,
      fields: customerTargets,
      totalRows: checked.rows.length,
      validRows: validRowCount(checked),
      sample: customerSample(checked.rows),
    }
  if (checked.kind === 'actuals')
    return {
      ...base,
      headers: checked.headers,
      mapping: checked.mapping,
      fields: actualTargets,
      totalRows: checked.totalRows,
      validRows: checked.rows.length,
      sample: actualSample(checked.rows),
    }
  const bad = rowsWithIssues(checked.issues)
  return {
    ...base,
    headers: checked.headers,
    mapping: checked.mapping,
    fields: boundaryTargets(checked.level),
    properties: checked.properties,
    repairs: checked.repairs,
    totalRows: checked.grids.length,
    validRows: checked.grids.filter((g) => !bad.has(g.row)).length,
    sample: checked.grids.slice(0, 20).map((g) => ({ row: g.row, code: g.code, name: g.name, kind: g.kind ?? null, geometryType: g.geometry.type })),
  }
}

const rowsWithIssues = (issues: ImportIssue[]) => new Set(issues.map((i) => i.row).filter((r): r is number => r !== null))
/** Whether a file's problems still let 'skip' write its valid rows: none is about the whole file. */
const skippable = (checked: Checked) =>
  (checked.kind === 'villages' ? checked.input.onInvalid : checked.onInvalid) === 'skip' && checked.issues.every((i) => i.row !== null)
const validRowCount = (checked: Checked) => {
  if (checked.kind === 'villages') return checked.validRows
  if (checked.kind === 'customers') return validCustomerRows(checked.rows, checked.issues).length
  if (checked.kind === 'actuals') return checked.rows.length
  const bad = rowsWithIssues(checked.issues)
  return checked.grids.filter((g) => !bad.has(g.row)).length
}

/** The VALIDATION error a file with problems fails with: the row-level report in details. */
export function validationError(checked: Checked): AppError | null {
  if (checked.issues.length === 0) return null
  if (skippable(checked) && validRowCount(checked) > 0) return null
  return new AppError('VALIDATION', `${checked.file}: ${checked.issues.length} problem(s); nothing was imported`, {
    issues: checked.issues.slice(0, MAX_LISTED).map((i) => ({ path: [checked.file, i.row ?? '-', i.field ?? '-'], message: i.code })),
    details: { importIssues: checked.issues.slice(0, MAX_LISTED), moreIssues: Math.max(0, checked.issues.length - MAX_LISTED) },
  })
}

/**
 * Writes a checked file in one transaction (nested in the caller's, if one is open). Villages are
 * read and checked again row by row (the same checks, so the same result) and written in batches.
 */
export function writeImport(db: Db, cx: ChangeContext, checked: Checked, crs: string, report?: Report): Omit<ImportResult, 'millis'> {
  const skip = skippable(checked)
  const skippedIssues = skip ? { skippedIssues: checked.issues.slice(0, MAX_LISTED) } : {}
  if (checked.kind === 'customers') {
    const rows = skip ? validCustomerRows(checked.rows, checked.issues) : checked.rows
    report?.('writing', 0, rows.length, 'rows')
    const counts = db.transaction((tx) => writeCustomers(tx, cx, rows))
    return { file: checked.file, ...counts, ...(skip ? { skipped: checked.rows.length - rows.length, ...skippedIssues } : {}) }
  }
  if (checked.kind === 'actuals') {
    report?.('writing', 0, checked.rows.length, 'rows')
    const counts = db.transaction((tx) => writeActuals(tx, cx, checked.file, checked.rows))
    return { file: checked.file, ...counts, ...(skip ? { skipped: checked.totalRows - checked.rows.length, ...skippedIssues } : {}) }
  }
  if (checked.kind === 'grids') {
    const bad = rowsWithIssues(checked.issues)
    const grids = skip ? checked.grids.filter((g) => !bad.has(g.row)) : checked.grids
    report?.('writing', 0, grids.length, 'rows')
    const counts = commitGrids(db, cx, checked.file, grids, crs, report && ((done, total) => report('writing', done, total, 'rows')), checked.level)
    return { file: checked.file, ...counts, ...(skip ? { skipped: bad.size, ...skippedIssues } : {}) }
  }
  const { table, totalRows } = checked
  if (!table) throw new Error('a village file with problems cannot be written')
  report?.('writing', 0, totalRows, 'rows')
  let skipped = 0
  const counts = db.transaction((tx) => {
    const issues: ImportIssue[] = []
    const checker = villageChecker(checked.lookups, checked.file, table, checked.input, issues)
    const writer = villageWriter(db, tx, cx, checked.file, crs)
    let written = 0
    table.eachRows((rows, first) => {
      rows.forEach((cells, k) => {
        const before = issues.length
        const { values } = checker.check(cells, first + k)
        if (issues.length === before) return writer.add(values)
        if (!skip) throw new Error('the second reading found problems the first did not')
        skipped++
      })
      written += rows.length
      report?.('writing', written, totalRows, 'rows')
    })
    return writer.finish()
  })
  return { file: checked.file, ...counts, ...(skip ? { skipped, ...skippedIssues } : {}) }
}

/** An error as the envelope's body, as the dispatcher words it (stacks go to the log only). */
export function errorBodyOf(error: unknown): ErrorBody {
  if (error instanceof AppError) return error.toBody()
  const sqlite = (error as { code?: unknown })?.code
  if (typeof sqlite === 'string' && sqlite.startsWith('SQLITE_CONSTRAINT'))
    return { code: 'CONFLICT', message: 'the change conflicts with data already stored', details: { sqlite } }
  if (typeof sqlite === 'string' && sqlite.startsWith('SQLITE_BUSY'))
    return { code: 'BUSY', message: 'the store is held by another write; nothing was imported, try again when it has finished', details: { sqlite } }
  logUnexpectedError('import failed', error)
  return { code: 'INTERNAL', message: 'an unexpected error occurred; see the log' }
}
