// Field-level merge of one pushed change into the row the server holds (SYNC.md "Shared"):
// last writer wins per field by HLC, except that a change based on a version of a field other
// than the server's current one, carrying a different value, is a conflict: the server keeps its
// value and records both. Equal values never conflict. Pure: no I/O.
import { sameValue, type ChangeStatus, type ServerField, type WireChange } from '../shared/sync/protocol'

export interface StoredRow {
  fields: Record<string, unknown>
  versions: Record<string, string>
}

export interface FieldConflict {
  field: string
  serverValue: unknown
  serverHlc: string | null
  deviceValue: unknown
}

export interface MergeOutcome {
  status: Exclude<ChangeStatus, 'rejected'>
  next: StoredRow
  /** True when the stored row changes (and so takes a new server_seq). */
  changed: boolean
  server: Record<string, ServerField>
  conflicts: FieldConflict[]
}

/**
 * Versions a device holds after the server answered "same value, keep my version" earlier in the
 * batch: a later change of that device based on its own version is translated to the server's.
 */
export type VersionAliases = Map<string, string>
const aliasKey = (c: WireChange, field: string, hlc: string) => `${c.table_name}\u0000${c.row_id}\u0000${field}\u0000${hlc}`

export function mergeChange(current: StoredRow | undefined, change: WireChange, aliases: VersionAliases): MergeOutcome {
  const next: StoredRow = { fields: { ...(current?.fields ?? {}) }, versions: { ...(current?.versions ?? {}) } }
  const server: Record<string, ServerField> = {}
  const conflicts: FieldConflict[] = []
  let changed = false
  let took = false
  for (const [field, value] of Object.entries(change.fields)) {
    const rawBase = change.base[field] ?? null
    const base = rawBase === null ? null : (aliases.get(aliasKey(change, field, rawBase)) ?? rawBase)
    const serverValue = next.fields[field]
    const serverVersion = next.versions[field] ?? null
    if (serverVersion === null) {
      next.fields[field] = value
      next.versions[field] = change.hlc
      changed = took = true
    } else if (sameValue(serverValue, value)) {
      took = true
      if (serverVersion !== change.hlc) {
        server[field] = { value: serverValue, version: serverVersion, outcome: 'same' }
        aliases.set(aliasKey(change, field, change.hlc), serverVersion)
      }
    } else if (base !== serverVersion) {
      server[field] = { value: serverValue, version: serverVersion, outcome: 'conflict' }
      conflicts.push({ field, serverValue, serverHlc: serverVersion, deviceValue: value })
    } else if (change.hlc > serverVersion) {
      next.fields[field] = value
      next.versions[field] = change.hlc
      changed = took = true
    } else {
      server[field] = { value: serverValue, version: serverVersion, outcome: 'superseded' }
    }
  }
  const status = conflicts.length > 0 ? 'conflict' : took ? 'applied' : 'superseded'
  return { status, next, changed, server, conflicts }
}
