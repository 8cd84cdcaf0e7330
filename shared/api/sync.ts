// Contract entries of the sync domain: enrolment with HQ, running a sync, status,
// and the conflicts a grid manager reviews.
import { z } from 'zod'
import { out } from './define'

export interface SyncStatus {
  enrolled: boolean
  server: string | null
  deviceId: string
  user: { id: string; name: string; role: string } | null
  regions: string[]
  pendingChanges: number
  openConflicts: number
  /** The newest changes refused by HQ or set aside on this device (kept until discarded). */
  rejectedChanges: { deviceSeq: number; table: string; rowId: string; reason: string | null }[]
  rejectedCount: number
  lastSyncAt: string | null
  lastError: string | null
  /** The error's code (NETWORK, UNAUTHORIZED, ENROL_CODE_INVALID, UPGRADE_REQUIRED, …) for a translated message. */
  lastErrorCode: string | null
  cursor: number
  clockOffsetMs: number
  /** The sync in flight on this device, with its counters; null when none is running. */
  running: SyncRunning | null
  /** What the last probe or sync learned: null until one of them has tried. */
  reachable: boolean | null
  reachableCheckedAt: string | null
  /** The background check found the store damaged in this session: writes are refused until a backup is restored. */
  storeDamaged: { problems: number; at: string } | null
}

export interface SyncRunning {
  phase: 'push' | 'pull' | 'refetch' | 'verify' | 'done'
  pushed: number
  pending: number
  pendingAtStart: number
  pulled: number
  /** Rows the pull will bring, once the server said (null before). */
  pullTotal: number | null
  bytesSent: number
  bytesReceived: number
  startedAt: string
}

export interface SyncProbe {
  enrolled: boolean
  reachable: boolean
  checkedAt: string
  latencyMs: number | null
  reason: string | null
}

export interface SyncConflict {
  id: string
  tableName: string
  rowId: string
  field: string
  mine: unknown
  theirs: unknown
  mineHlc: string | null
  theirsHlc: string | null
  detectedAt: string
  resolvedAt: string | null
  resolution: 'mine' | 'theirs' | 'edited' | null
  /** The record's name (or title) as this device holds it, to say which record it is. */
  rowLabel: string | null
  /** The field's property name in the app (e.g. marketDays for market_days), for its label. */
  fieldProp: string | null
}

export interface SyncRunResult {
  pushed: number
  results: { applied: number; superseded: number; conflict: number; rejected: number }
  /** label: the record's name or title (kept runs only). */
  changes: { deviceSeq: number; table: string; rowId: string; status: string; reason?: string; label?: string }[]
  pulledRows: number
  pages: number
  pullConflicts: number
  refetched: boolean
  regionRemoved: string[]
  dropped: number
  checkpoint: 'ok' | 'mismatch' | 'skipped'
  bytesSent: number
  bytesReceived: number
  roundTrips: number
  millis: number
  clockSkewMs: number
  warnings: SyncWarning[]
}

/** Something a sync met and handled, worth telling the user: translated by code, `message` in English for logs. */
export type SyncWarning =
  | { code: 'changes_resent'; params: { from: number; count: number }; message: string }
  | { code: 'checkpoint_refetch'; params: { local: number; server: number }; message: string }
  | { code: 'checkpoint_mismatch'; params: { local: number; server: number }; message: string }
  | { code: 'clock_skew'; params: { minutes: number }; message: string }
  | { code: 'checksum_rebuilt'; params: Record<string, never>; message: string }
  | { code: 'changes_set_aside'; params: { count: number }; message: string }
  | { code: 'hq_restored'; params: { count: number }; message: string }
  | { code: 'restored_backup'; params: { count: number }; message: string }
  | { code: 'unconfirmed_kept'; params: { count: number }; message: string }
  | { code: 'rows_refused'; params: { count: number }; message: string }

/** A change HQ refused or the device set aside, kept until the user discards it. */
export interface SyncRejectedChange {
  deviceSeq: number
  table: string
  rowId: string
  op: 'insert' | 'update' | 'delete'
  /** The refusal's code (read_only_table, invalid_value, too_large, outside_region, …) for a translated reason. */
  reasonCode: string
  /** The reason as HQ or the device wrote it (English, for the technical details). */
  reason: string | null
  /** The refused values by field (column name), with the app's property name for their labels. */
  fields: { field: string; prop: string | null; value: unknown }[]
  createdAt: string
  /** The record's name or title: from the refused values, or as this device holds it. */
  rowLabel: string | null
  /** Whether "copy into a new record" makes sense (a field or shared record, not HQ master data). */
  copyable: boolean
}

/** The last finished sync as kept on the device (per-change list capped; counts exact). */
export interface SyncLastRun extends SyncRunResult {
  finishedAt: string
  changesOmitted: number
}

const jsonScalar = z.union([z.string().max(200_000), z.number(), z.boolean(), z.null()])

export const syncApi = {
  'sync.status': { input: z.object({}).strict(), output: out<SyncStatus>() },
  'sync.enrol': {
    input: z
      .object({
        server: z.url({ protocol: /^https?$/ }),
        code: z.string().trim().min(4).max(64),
        deviceName: z.string().trim().min(1).max(100).optional(),
        /** Development only: allow http:// to a server on this computer (127.0.0.1 / localhost). */
        allowInsecureHttp: z.boolean().optional(),
        /** The device holds the demo county: clear it in the transaction that stores the enrolment (else DEMO_DATA). */
        clearDemo: z.boolean().optional(),
      })
      .strict(),
    output: out<SyncStatus>(),
  },
  'sync.run': { input: z.object({}).strict(), output: out<SyncRunResult>() },
  'sync.probe': { input: z.object({}).strict(), output: out<SyncProbe>() },
  'sync.lastRun': { input: z.object({}).strict(), output: out<SyncLastRun | null>() },
  'sync.rejected': { input: z.object({}).strict(), output: out<SyncRejectedChange[]>() },
  'sync.rejectedDiscard': { input: z.object({ deviceSeq: z.number().int().positive() }).strict(), output: out<{ discarded: boolean }>() },
  /** A new record with the refused values (a new id), sent at the next sync like any edit. */
  'sync.rejectedCopy': { input: z.object({ deviceSeq: z.number().int().positive() }).strict(), output: out<{ table: string; id: string }>() },
  /** The set-aside changes as a file's text (JSON, or CSV with one line per field). */
  'sync.rejectedExport': { input: z.object({ format: z.enum(['json', 'csv']) }).strict(), output: out<{ fileName: string; mime: string; content: string }>() },
  'sync.conflicts': { input: z.object({ all: z.boolean().default(false) }).strict(), output: out<SyncConflict[]>() },
  'sync.resolve': {
    input: z
      .object({ id: z.string().min(1).max(64), choice: z.enum(['mine', 'theirs', 'edit']), value: jsonScalar.optional() })
      .strict()
      .refine((i) => i.choice !== 'edit' || i.value !== undefined, { message: 'an edit needs a value', path: ['value'] }),
    output: out<SyncConflict>(),
  },
} as const
