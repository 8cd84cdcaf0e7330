// The merge kernel: every rule of how synced rows merge, in one place and pure (no I/O). The HQ
// server (push), the device (pull, and adopting push results) and the tools call these functions
// and keep only their reading and writing. docs/sync.md: last writer wins per field by HLC,
// except that a change based on a version of a field other than the current one, carrying a
// different value, is a conflict; equal values never conflict.
//
// Versions are HLC strings; they sort causally as plain strings. A field never written has no
// version (null), which sorts before every version.

/** An HLC string. */
export type Version = string

/** Columns the sync protocol never carries: the row id and the device's own bookkeeping. */
export const BOOKKEEPING_COLUMNS: ReadonlySet<string> = new Set(['id', 'created_at', 'updated_at', 'hlc'])

/** Orders two versions (null: none, before every version). Negative, zero or positive. */
export function compareVersions(a: Version | null, b: Version | null): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a < b ? -1 : 1
}

/** The greatest of some versions, or null when there are none. */
export function maxVersion(versions: Iterable<Version>): Version | null {
  let max: Version | null = null
  for (const v of versions) if (compareVersions(v, max) > 0) max = v
  return max
}

/** The version of a row: the greatest of its fields' versions ('' when it has none). */
export function rowVersion(versions: Record<string, Version>): Version {
  return maxVersion(Object.values(versions)) ?? ''
}

/** Equality of field values as JSON (an edit to the same value is never a conflict; null equals undefined). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a == null || b == null) return a == null && b == null
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b)
  return false
}

// ---------------------------------------------------------------------------------------------
// Sparse versions (docs/sync.md): a row's common version plus the fields
// whose version differs from it. The device keeps rows this way (the `hlc` column and
// field_versions), the wire carries them this way, the server packs them this way in SQL.

export interface SparseVersions {
  /** The version of every field not listed in `versions`. */
  version: Version
  /** Fields whose version is not `version`. */
  versions: Record<string, Version>
}

/** The version of one field of a sparse row. */
export function fieldVersion(sparse: SparseVersions, field: string): Version {
  return sparse.versions[field] ?? sparse.version
}

/** The version of a sparse row: the greatest of its common version and the listed ones. */
export function sparseRowVersion(sparse: SparseVersions): Version {
  return maxVersion([sparse.version, ...Object.values(sparse.versions)]) ?? ''
}

/**
 * Splits per-field versions into the most common one (ties: the greatest) and the fields that
 * differ from it. The server computes the same in SQL (pack_versions, server migration 0002).
 */
export function splitVersions(versions: Record<string, Version>): SparseVersions {
  const counts = new Map<Version, number>()
  for (const v of Object.values(versions)) counts.set(v, (counts.get(v) ?? 0) + 1)
  let version = ''
  let best = 0
  for (const [v, n] of counts) if (n > best || (n === best && v > version)) [version, best] = [v, n]
  const rest: Record<string, Version> = {}
  for (const [field, v] of Object.entries(versions)) if (v !== version) rest[field] = v
  return { version, versions: rest }
}

/** The listed fields' versions, one each, from a sparse row. */
export function expandVersions(fields: Iterable<string>, sparse: SparseVersions): Record<string, Version> {
  const out: Record<string, Version> = {}
  for (const field of fields) out[field] = fieldVersion(sparse, field)
  return out
}

/** The fields whose version is not `version` (what a sparse store lists), from per-field versions. */
export function sparseAround(version: Version, versions: Iterable<[string, Version]>): Record<string, Version> {
  const out: Record<string, Version> = {}
  for (const [field, v] of versions) if (v !== version) out[field] = v
  return out
}

// ---------------------------------------------------------------------------------------------
// The field rule.

/** A field as one side holds it. */
export interface HeldField {
  value: unknown
  /** null: the field has never been written. */
  version: Version | null
}

/** A field as a change carries it: its new value, the change's version and the version it was based on. */
export interface IncomingField {
  value: unknown
  version: Version
  /** The version of the field the writer saw when it wrote (null: none). */
  base: Version | null
}

/**
 * What becomes of an incoming field over a held one:
 * - take: the incoming value and version replace the held ones;
 * - same: equal values, the held version stays (the writer adopts it);
 * - conflict: the writer did not see the held version and the values differ: the held value stays, both are recorded;
 * - superseded: the writer saw the held version, but the held one is newer (a later write won).
 */
export type FieldDecision = 'take' | 'same' | 'conflict' | 'superseded'

/** Whether writing `incoming` over `held` is a conflict: the writer did not see the held version and the values differ. */
export function isConflict(held: HeldField, incoming: { value: unknown; base: Version | null }): boolean {
  return held.version !== null && !sameValue(held.value, incoming.value) && incoming.base !== held.version
}

export function decideField(held: HeldField | undefined, incoming: IncomingField): FieldDecision {
  if (!held || held.version === null) return 'take'
  if (sameValue(held.value, incoming.value)) return 'same'
  if (isConflict(held, incoming)) return 'conflict'
  return compareVersions(incoming.version, held.version) > 0 ? 'take' : 'superseded'
}

// ---------------------------------------------------------------------------------------------
// At the authority (HQ push): a change merged into the row the server holds.

export type ChangeOp = 'insert' | 'update' | 'delete'

/** A change as pushed (the fields of WireChange the merge reads). */
export interface MergeChange {
  table_name: string
  row_id: string
  hlc: Version
  fields: Record<string, unknown>
  base: Record<string, Version | null>
}

export interface StoredRow {
  fields: Record<string, unknown>
  /** One version per field. */
  versions: Record<string, Version>
}

export interface FieldConflict {
  field: string
  serverValue: unknown
  serverHlc: Version | null
  deviceValue: unknown
}

/** What the server answers for a field it did not take as sent (the device adopts it). */
export interface ServerFieldOutcome {
  value: unknown
  version: Version | null
  /**
   * conflict: kept for review; superseded: a newer write won; same: equal values, server's version
   * kept; rejected: the change was refused, this is what the server holds (the device shows it).
   */
  outcome: 'conflict' | 'superseded' | 'same' | 'rejected'
}

export type MergeStatus = 'applied' | 'superseded' | 'conflict'

export interface MergeOutcome {
  status: MergeStatus
  next: StoredRow
  /** True when the stored row changes (and so takes a new server_seq). */
  changed: boolean
  server: Record<string, ServerFieldOutcome>
  conflicts: FieldConflict[]
}

/**
 * Versions a device holds after the server answered "same value, keep my version" earlier in the
 * batch: a later change of that device based on its own version is translated to the server's.
 */
export type VersionAliases = Map<string, Version>
const aliasKey = (c: Pick<MergeChange, 'table_name' | 'row_id'>, field: string, hlc: Version) => `${c.table_name}\u0000${c.row_id}\u0000${field}\u0000${hlc}`

/**
 * Records that the device, having sent `field` at `change.hlc`, will hold the server's `version`
 * of it (an equal value: "same"). Also for a replayed change answered from the log: a later change
 * of the batch, based on the version the device sent, then meets the version the server holds.
 */
export function aliasSame(aliases: VersionAliases, change: Pick<MergeChange, 'table_name' | 'row_id' | 'hlc'>, field: string, version: Version): void {
  if (version !== change.hlc) aliases.set(aliasKey(change, field, change.hlc), version)
}

/** Merges one change into the stored row (undefined: the server has none). Records aliases for later changes of the batch. */
export function mergeChange(current: StoredRow | undefined, change: MergeChange, aliases: VersionAliases): MergeOutcome {
  const next: StoredRow = { fields: { ...(current?.fields ?? {}) }, versions: { ...(current?.versions ?? {}) } }
  const server: Record<string, ServerFieldOutcome> = {}
  const conflicts: FieldConflict[] = []
  let changed = false
  let took = false
  for (const [field, value] of Object.entries(change.fields)) {
    const rawBase = change.base[field] ?? null
    const base = rawBase === null ? null : (aliases.get(aliasKey(change, field, rawBase)) ?? rawBase)
    const held: HeldField = { value: next.fields[field], version: next.versions[field] ?? null }
    const decision = decideField(held, { value, version: change.hlc, base })
    if (decision === 'take') {
      next.fields[field] = value
      next.versions[field] = change.hlc
      changed = took = true
    } else if (decision === 'same') {
      took = true
      if (held.version !== change.hlc) {
        server[field] = { value: held.value, version: held.version, outcome: 'same' }
        aliasSame(aliases, change, field, held.version!)
      }
    } else if (decision === 'conflict') {
      server[field] = { value: held.value, version: held.version, outcome: 'conflict' }
      conflicts.push({ field, serverValue: held.value, serverHlc: held.version, deviceValue: value })
    } else {
      server[field] = { value: held.value, version: held.version, outcome: 'superseded' }
    }
  }
  const status: MergeStatus = conflicts.length > 0 ? 'conflict' : took ? 'applied' : 'superseded'
  return { status, next, changed, server, conflicts }
}

// ---------------------------------------------------------------------------------------------
// On the device: a pulled row merged into the row it holds, and push results adopted.

/** A field of the device's pending (unpushed) changes of a row: the oldest base and the newest value. */
export interface PendingField {
  base: Version | null
  value: unknown
  /** device_seq of the pending changes touching the field, oldest first. */
  seqs: number[]
}

export interface LocalRow extends SparseVersions {
  /** Current values of the fields (as the wire carries them). */
  values: Record<string, unknown>
}

export interface PulledRowMerge {
  /** Fields to write with the pulled value. */
  write: string[]
  /** The row's new sparse versions: the pulled common version plus every field whose version differs from it. */
  versions: SparseVersions
  /** Fields with a pending local change the pulled value conflicts with. */
  conflicts: { field: string; mine: unknown; theirs: unknown; theirsHlc: Version }[]
}

/**
 * A pulled row over the row the device holds. Fields with pending local changes keep the local
 * value (the push decides them); when the pulled value differs and is not the version the local
 * change was based on, that is a conflict. Other pulled fields are written with their version;
 * fields not pulled, or kept, keep the version they had.
 */
export function mergePulledRow(
  local: LocalRow,
  pending: ReadonlyMap<string, PendingField>,
  pulled: SparseVersions & { fields: Record<string, unknown> },
  names: Iterable<string>,
): PulledRowMerge {
  const version = pulled.version
  const taken = new Map<string, Version>()
  const write: string[] = []
  const conflicts: PulledRowMerge['conflicts'] = []
  for (const field of names) {
    const theirs = fieldVersion(pulled, field)
    const mine = pending.get(field)
    if (mine) {
      const localValue = local.values[field]
      if (isConflict({ value: pulled.fields[field], version: theirs }, { value: localValue, base: mine.base }))
        conflicts.push({ field, mine: localValue, theirs: pulled.fields[field], theirsHlc: theirs })
      continue
    }
    write.push(field)
    taken.set(field, theirs)
  }
  for (const field of new Set([...Object.keys(local.versions), ...pending.keys()])) if (!taken.has(field)) taken.set(field, fieldVersion(local, field))
  return { write, versions: { version, versions: sparseAround(version, taken) }, conflicts }
}

/** What the device does with one field of a push result the server did not take as sent. */
export interface FieldAdoption {
  /** Record a local conflict (both values). */
  conflict: boolean
  /** Write the server's value and version locally. */
  adopt: boolean
  /** Rebase the later pending change (device_seq) of this field onto this version. */
  rebase?: { seq: number; version: Version }
}

/**
 * A field of a push result: the server's value is adopted unless a later pending change of the
 * device touches the field. When the server only kept its own version of an equal value, a later
 * edit built on the value sent is based on the server's version instead.
 */
export function adoptServerField(server: ServerFieldOutcome, sentHlc: Version, later: PendingField | undefined): FieldAdoption {
  const conflict = server.outcome === 'conflict'
  if (!later) return { conflict, adopt: true }
  if (server.outcome === 'same' && server.version !== null && later.base === sentHlc)
    return { conflict, adopt: false, rebase: { seq: later.seqs[0]!, version: server.version } }
  return { conflict, adopt: false }
}

/** Folds pending changes of one row (oldest first) into their fields: oldest base, newest value. */
export function foldPending(
  entries: Iterable<{ seq: number; fields: Record<string, unknown>; base: Record<string, Version | null> }>,
): Map<string, PendingField> {
  const map = new Map<string, PendingField>()
  for (const entry of entries)
    for (const [field, value] of Object.entries(entry.fields)) {
      const seen = map.get(field)
      if (seen) {
        seen.value = value
        seen.seqs.push(entry.seq)
      } else map.set(field, { base: entry.base[field] ?? null, value, seqs: [entry.seq] })
    }
  return map
}
