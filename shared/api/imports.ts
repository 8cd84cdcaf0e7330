// Imports of villages, key customers and indicator actuals (CSV/XLSX) and boundaries (GeoJSON/KML/zipped Shapefile: grids, the county
// outline, township outlines): preview, then commit all or nothing (or, when asked, the valid rows
// with the rest reported). Problems are reported per row and field with a code the UI and CLI translate
// (i18n `importIssues.<code>`), so the same report reads in Chinese or English.
import { z } from 'zod'
import { out, readsSource } from './define'

export const importKinds = ['villages', 'customers', 'actuals', 'grids', 'county', 'townships'] as const
/** The kinds read from boundary files. */
export const boundaryKinds = ['grids', 'county', 'townships'] as const
export const isBoundaryKind = (kind: string): kind is (typeof boundaryKinds)[number] => (boundaryKinds as readonly string[]).includes(kind)
/** What a file with some bad rows does: 'refuse' writes nothing (the default); 'skip' writes the valid rows and reports the rest. */
export const invalidRowModes = ['refuse', 'skip'] as const
export const encodings = ['auto', 'utf-8', 'gb18030'] as const
export const crsList = ['WGS-84', 'GCJ-02', 'BD-09'] as const

export const importIssueCodes = [
  'empty_file',
  'unreadable',
  'archive_too_large',
  'missing_column',
  'required',
  'code_format',
  'duplicate_code',
  'unknown_code',
  'unknown_grid',
  'not_a_number',
  'out_of_range',
  'not_a_boolean',
  'outside_china',
  'swapped_lonlat',
  'lonlat_pair',
  'geometry_type',
  'self_intersection',
  'invalid_geometry',
  'too_long',
  'phone_format',
  'date_format',
  'unknown_value',
  'unknown_village',
  'duplicate_customer',
  'no_matching_sheet',
  'township_mismatch',
  'rival_format',
  'person_format',
  'invalid_topology',
  'nul_char',
  'lone_surrogate',
  'too_many_vertices',
  'geometry_too_large',
  'unknown_org_unit',
  'unknown_indicator',
  'bad_period',
  'duplicate_actual',
] as const
export type ImportIssueCode = (typeof importIssueCodes)[number]

/** One problem: where (row: 1-based data row, or feature number; field: target field) and what. */
export interface ImportIssue {
  file: string
  row: number | null
  field: string | null
  code: ImportIssueCode
  /** Values for the message: the bad value, the limit, the other row... */
  params: Record<string, string | number>
}

export interface ImportPreview {
  file: string
  encoding: string | null
  /** Columns found in the file (tabular imports). */
  headers: string[]
  /** Target field → column used. */
  mapping: Record<string, string>
  /** Tabular imports: every target field a column can be mapped to (in order), for a hand-made mapping. */
  fields?: ImportTargetField[]
  totalRows: number
  sample: Record<string, unknown>[]
  issues: ImportIssue[]
  /** Issues beyond the first 1000 are counted, not listed. */
  moreIssues: number
  /** Boundaries repaired because it was safe: area before and after, what was wrong, where. */
  repairs?: BoundaryRepair[]
  /** Boundary files: the first features' properties (what a mapping can name; "id" is the feature's own id when it has no such property). */
  properties?: Record<string, unknown>[]
  /** Rows without problems (what 'skip' would write). */
  validRows?: number
  /** XLSX: the sheet read (the first whose headers have the required columns). */
  sheet?: string | null
}

export interface ImportTargetField {
  name: string
  required: boolean
}

export interface BoundaryRepair {
  /** Feature number, as ImportIssue.row. */
  row: number
  code: string | null
  droppedM2: number
  duplicatePoints: number
  /** What was wrong: duplicate_points, orientation, self_touch, self_intersection, sliver, other. */
  kinds?: string[]
  /** Area as the file draws it and after the repair (m²); a repair may change it by 1% at most. */
  areaBeforeM2?: number
  areaAfterM2?: number
  /** Where the first defect was (lon, lat). */
  at?: [number, number] | null
}

export interface ImportResult {
  file: string
  inserted: number
  updated: number
  unchanged: number
  millis: number
  /** onInvalid 'skip': rows left out, and their problems (the first 1000). */
  skipped?: number
  skippedIssues?: ImportIssue[]
}

const source = z.union([
  z.object({ path: z.string().min(1).max(4096) }).strict(),
  z.object({ fileName: z.string().min(1).max(255), base64: z.string().max(80 * 1024 * 1024) }).strict(),
])

export const importInputSchema = z
  .object({
    kind: z.enum(importKinds),
    source,
    encoding: z.enum(encodings).default('auto'),
    crs: z.enum(crsList).default('WGS-84'),
    /** Target field → column header, overriding the automatic mapping. */
    mapping: z.record(z.string().max(50), z.string().max(100)).default({}),
    /** 'refuse' (default): a file with a bad row writes nothing; 'skip': the valid rows are written and the rest reported. */
    onInvalid: z.enum(invalidRowModes).optional(),
  })
  .strict()
export type ImportInput = z.output<typeof importInputSchema>

/**
 * Import jobs (large files): import.start checks the file (mode 'preview') or checks and writes it
 * (mode 'commit') in the background; import.progress reports the phase and counts until the job is
 * done, with the preview or the result, or failed, with the error (a failed check carries the
 * row-level report as import.commit's VALIDATION error does).
 */
export const importPhases = ['queued', 'reading', 'parsing', 'validating', 'writing', 'done', 'failed', 'cancelled'] as const
export type ImportPhase = (typeof importPhases)[number]

export interface ImportJobStarted {
  jobId: string
}

export interface ImportJobProgress {
  jobId: string
  mode: 'preview' | 'commit'
  file: string
  phase: ImportPhase
  /** Progress of the phase: bytes while reading and parsing, rows/features while validating and writing. */
  done: number
  total: number
  unit: 'bytes' | 'rows'
  /** Whether the file is read and checked off the main thread (large files). */
  background: boolean
  preview?: ImportPreview
  result?: ImportResult
  /** The error envelope's body when failed (code, message, details.importIssues...). */
  error?: { code: string; message: string; details?: Record<string, unknown> }
}

const jobId = z.string().min(1).max(64)

export const importsApi = {
  'import.preview': { input: importInputSchema, output: out<ImportPreview>(), paths: readsSource },
  'import.commit': { input: importInputSchema, output: out<ImportResult>(), paths: readsSource },
  'import.start': {
    input: importInputSchema.extend({ mode: z.enum(['preview', 'commit']).default('commit') }).strict(),
    output: out<ImportJobStarted>(),
    paths: readsSource,
  },
  'import.progress': { input: z.object({ jobId }).strict(), output: out<ImportJobProgress>() },
  'import.cancel': { input: z.object({ jobId }).strict(), output: out<ImportJobProgress>() },
  /** An empty village file headed with the app's labels in `language` (XLSX adds a sheet on how to fill it in). */
  'import.template': {
    input: z.object({ kind: z.literal('villages'), format: z.enum(['csv', 'xlsx']), language: z.enum(['zh-CN', 'en']).default('zh-CN') }).strict(),
    output: out<{ fileName: string; base64: string }>(),
  },
} as const

/** `field=column,field=column` (the CLI's and hq:admin's `--map`): overrides of the automatic column mapping. */
export function parseColumnMapping(map: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (map ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('=', 2).map((part) => part.trim())),
  )
}
