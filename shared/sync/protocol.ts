// The device ↔ HQ sync protocol (docs/sync.md): request and response shapes, versions and limits.
// Imported by the HQ server and the device engine. Which tables sync, and how, is in registry.ts.
import { z } from 'zod'
import type { ServerFieldOutcome } from './kernel'

/**
 * Bumped when a request or response shape changes incompatibly.
 * 1: pulled rows as objects with a version per field.
 * 2: pulled rows as arrays (WireRow): one version per row plus the fields whose version differs.
 */
export const PROTOCOL_VERSION = 2
/** The oldest protocol the server still accepts (docs/sync.md: current and previous). */
export const MIN_PROTOCOL_VERSION = 1
export const MAX_PUSH_CHANGES = 500
export const MAX_PULL_LIMIT = 20_000
/**
 * A full pull page (~850 KB compressed for the demo county's rows): what a device's pages grow to
 * on a fast link (engine.ts). Bigger pages compress better: 20,000 rows are 2% fewer bytes than
 * 10,000, 4% fewer than 5,000.
 */
export const DEFAULT_PULL_LIMIT = 20_000
/**
 * Rows of the first pull page a device asks for: HQ answers it before it knows the link (densest
 * compression) and counts the rows to come, so a small one lets the device start writing within a
 * second while HQ builds the next; later pages double on a fast link, up to DEFAULT_PULL_LIMIT.
 */
export const FIRST_PULL_PAGE = 5_000
/** Bytes of a (decompressed) request body. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024

const jsonScalar = z.union([z.string().max(200_000), z.number(), z.boolean(), z.null()])

export const changeSchema = z
  .object({
    device_seq: z.number().int().positive(),
    change_id: z.string().min(1).max(64),
    hlc: z.string().min(1).max(120),
    table_name: z.string().min(1).max(64),
    row_id: z.string().min(1).max(64),
    op: z.enum(['insert', 'update', 'delete']),
    /** column → new value */
    fields: z.record(z.string().max(64), jsonScalar),
    /** column → HLC of the version this change was based on (null: none seen) */
    base: z.record(z.string().max(64), z.string().max(120).nullable()),
    schema_version: z.number().int().nonnegative(),
  })
  .strict()
export type WireChange = z.infer<typeof changeSchema>

export const pushRequestSchema = z
  .object({
    protocol_version: z.number().int(),
    schema_version: z.number().int().nonnegative(),
    device_id: z.string().min(1).max(64),
    changes: z.array(changeSchema).min(1).max(MAX_PUSH_CHANGES),
  })
  .strict()
export type PushRequest = z.infer<typeof pushRequestSchema>

export type ChangeStatus = 'applied' | 'superseded' | 'conflict' | 'rejected'

/** What the server holds for a field the device should adopt (it did not take the device's value). */
export type ServerField = ServerFieldOutcome

export interface ChangeResult {
  device_seq: number
  change_id: string
  status: ChangeStatus
  reason?: string
  /** Fields not applied as sent, with the server's value and version. */
  server?: Record<string, ServerField>
  /** Rejected, and the server holds no such row (the device removes its copy; the change is kept aside). */
  absent?: boolean
}

/**
 * A change the device set aside before sending it (too large for any request, or refused as a
 * whole request): sent with no fields so the server's device_seq sequence stays unbroken; the
 * server records it as rejected and writes nothing.
 */
export const isPlaceholder = (change: Pick<WireChange, 'fields' | 'base'>) => Object.keys(change.fields).length === 0 && Object.keys(change.base).length === 0

export interface PushResponse {
  results: ChangeResult[]
  last_device_seq: number
  server_time: string
}

/** A pulled row as the device applies it. */
export interface PulledRow {
  table_name: string
  row_id: string
  /** column → value */
  fields: Record<string, unknown>
  /** The version of every field not listed in `versions` (the one most of its fields carry). */
  version: string
  /** column → HLC, for the fields whose version is not `version`. */
  versions: Record<string, string>
}

/** Protocol 1's pulled row: every field with its own version. */
export interface PulledRowV1 {
  table_name: string
  row_id: string
  fields: Record<string, unknown>
  versions: Record<string, string>
  deleted: boolean
  server_seq: number
}

/**
 * Protocol 2's pulled row: [table, row id, version, fields, versions of the fields whose version
 * is not `version` (null: none)]. A tombstone is a row whose deleted_at is set.
 */
export type WireRow = [string, string, string | null, Record<string, unknown>, Record<string, string> | null]

export function fromWire([table, rowId, version, fields, versions]: WireRow): PulledRow {
  return { table_name: table, row_id: rowId, fields, version: version ?? '', versions: versions ?? {} }
}

export interface Checkpoint {
  cursor: number
  rows: number
  /** XOR of the first 64 bits of md5(table:row:version) over every row in scope, as a signed decimal. */
  hash: string
}

export type PullResponse =
  | {
      must_refetch: false
      /** In server_seq order. */
      rows: WireRow[]
      /** Asked for with count=1: rows to pull from this cursor on, this page's included (for a progress bar). */
      remaining?: number
      next_cursor: number
      has_more: boolean
      scope: string
      regions: string[]
      checkpoint?: Checkpoint
      server_time: string
      /** The server's store epoch (changes at every start; tells a restored store from a live one). */
      epoch?: string
      /** The last change of this device the server holds: fewer than it acknowledged means it lost some. */
      last_device_seq?: number
    }
  | {
      must_refetch: true
      /** hq_restored: the store is older than what this device saw (restored from a backup). */
      reason: 'scope_changed' | 'cursor_too_old' | 'cursor_ahead' | 'hq_restored'
      /** Region codes the device no longer holds (it drops their rows when refetching). */
      region_removed: string[]
      scope: string
      server_time: string
      epoch?: string
      /** The last change of this device the server holds: the device re-sends what came after. */
      last_device_seq?: number
    }

export const enrolRequestSchema = z
  .object({
    code: z.string().trim().min(4).max(64),
    deviceName: z.string().trim().min(1).max(100),
    deviceId: z.uuid().optional(),
  })
  .strict()

export interface EnrolResponse {
  device_id: string
  token: string
  user: { id: string; name: string; role: string }
  regions: string[]
}

export type SyncErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'VALIDATION'
  | 'BODY_TOO_LARGE'
  | 'UPGRADE_REQUIRED'
  | 'PROTOCOL_TOO_NEW'
  | 'SCHEMA_TOO_NEW'
  | 'SEQ_GAP'
  | 'ENROL_CODE_INVALID'
  | 'NOT_FOUND'
  /** The token belongs to a device an administrator revoked: the device locks its store. */
  | 'DEVICE_REVOKED'
  /** Too many enrolment attempts from one address. */
  | 'RATE_LIMITED'
  /** HQ has as many sync requests running and waiting as it takes (429 with Retry-After): come back later, jittered. */
  | 'HQ_BUSY'
  /** HQ's database went away under a request (connections terminated, PostgreSQL restarting): 503 with Retry-After, nothing committed; send again shortly. */
  | 'HQ_UNAVAILABLE'
  | 'INTERNAL'

export interface SyncErrorBody {
  error: { code: SyncErrorCode; message: string; details?: Record<string, unknown> }
}

/**
 * Values derived from other rows (the 80/20 value tier ranks a customer among all customers the
 * device holds): computed where they are shown, never synced as data. A device never sends them;
 * HQ ignores them when an older app does; a pulled value is not written over the local one.
 * Their versions still count in checkpoints (rows written by older apps carry one).
 */
export const derivedFields: Readonly<Record<string, readonly string[]>> = { key_customers: ['value_tier'] }
export const isDerived = (table: string, field: string) => derivedFields[table]?.includes(field) ?? false
