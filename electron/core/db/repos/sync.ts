// SQL of the sync engine on the device: the pending outbox, applying push results and pulled
// rows to the domain tables (with their field versions), local conflicts, refetch sweeps and the
// local checkpoint hash. Each exported write runs inside the caller's transaction.
import { createHash } from 'node:crypto'
import { getTableColumns } from 'drizzle-orm'
import { v7 as uuidv7 } from 'uuid'
import { sameValue, type ChangeResult, type PulledRow, type WireChange } from '../../../../shared/sync/protocol'
import type { Db } from '../client'
import { syncedTables, type SyncedTableName } from '../schema'

type Sqlite = Db['$client']

interface ColumnMeta {
  prop: string
  boolean: boolean
}
const columnCache = new Map<string, Map<string, ColumnMeta>>()

/** Column name → drizzle property and kind, for a synced table. */
export function syncedColumns(table: string): Map<string, ColumnMeta> {
  let map = columnCache.get(table)
  if (!map) {
    const entry = syncedTables[table as SyncedTableName]
    if (!entry) throw new Error(`not a synced table: ${table}`)
    map = new Map(Object.entries(getTableColumns(entry.table)).map(([prop, c]) => [c.name, { prop, boolean: c.columnType === 'SQLiteBoolean' }]))
    columnCache.set(table, map)
  }
  return map
}

const isSynced = (table: string) => Object.hasOwn(syncedTables, table)
const toSqlite = (value: unknown) => (typeof value === 'boolean' ? (value ? 1 : 0) : value !== null && typeof value === 'object' ? JSON.stringify(value) : (value ?? null))
const fromSqlite = (meta: ColumnMeta | undefined, value: unknown) => (meta?.boolean && value != null ? value === 1 : value)

interface OutboxRow {
  device_seq: number
  change_id: string
  hlc: string
  table_name: string
  row_id: string
  op: 'insert' | 'update' | 'delete'
  fields: string
  base: string
  schema_version: number
}

export function pendingChanges(sqlite: Sqlite, limit: number): WireChange[] {
  const list = sqlite
    .prepare('SELECT device_seq, change_id, hlc, table_name, row_id, op, fields, base, schema_version FROM outbox WHERE pushed_at IS NULL ORDER BY device_seq LIMIT ?')
    .all(limit) as OutboxRow[]
  return list.map((r) => ({ ...r, fields: JSON.parse(r.fields), base: JSON.parse(r.base) }))
}

export function pendingCount(sqlite: Sqlite): number {
  return (sqlite.prepare('SELECT count(*) AS n FROM outbox WHERE pushed_at IS NULL').get() as { n: number }).n
}

/** The server lost changes it had acknowledged (restored from backup): send them again. */
export function unmarkPushedFrom(sqlite: Sqlite, deviceSeq: number): number {
  return sqlite.prepare('UPDATE outbox SET pushed_at = NULL, result = NULL, result_reason = NULL WHERE device_seq >= ?').run(deviceSeq).changes
}

function setField(sqlite: Sqlite, table: string, rowId: string, field: string, value: unknown, version: string | null, now: string): void {
  if (!syncedColumns(table).has(field)) return
  sqlite.prepare(`UPDATE "${table}" SET "${field}" = ?, updated_at = ? WHERE id = ?`).run(toSqlite(value), now, rowId)
  if (version) setVersion(sqlite, table, rowId, field, version)
}

function setVersion(sqlite: Sqlite, table: string, rowId: string, field: string, version: string): void {
  sqlite
    .prepare('INSERT INTO field_versions (table_name, row_id, field, hlc) VALUES (?, ?, ?, ?) ON CONFLICT (table_name, row_id, field) DO UPDATE SET hlc = excluded.hlc')
    .run(table, rowId, field, version)
}

/** Records a conflict for review; one open conflict per field, refreshed when seen again. */
function recordConflict(sqlite: Sqlite, c: { table: string; rowId: string; field: string; mine: unknown; theirs: unknown; mineHlc: string | null; theirsHlc: string | null; now: string }): void {
  const open = sqlite.prepare('SELECT id FROM sync_conflicts WHERE table_name = ? AND row_id = ? AND field = ? AND resolved_at IS NULL').get(c.table, c.rowId, c.field) as { id: string } | undefined
  const mine = JSON.stringify(c.mine ?? null)
  const theirs = JSON.stringify(c.theirs ?? null)
  if (open) sqlite.prepare('UPDATE sync_conflicts SET mine = ?, theirs = ?, mine_hlc = ?, theirs_hlc = ? WHERE id = ?').run(mine, theirs, c.mineHlc, c.theirsHlc, open.id)
  else
    sqlite
      .prepare('INSERT INTO sync_conflicts (id, table_name, row_id, field, mine, theirs, mine_hlc, theirs_hlc, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(uuidv7(), c.table, c.rowId, c.field, mine, theirs, c.mineHlc, c.theirsHlc, c.now)
}

/** Pending (unpushed) outbox entries of a row: per field, the oldest base and newest value. */
function pendingFields(sqlite: Sqlite, table: string, rowId: string, afterSeq = 0): Map<string, { base: string | null; value: unknown; seqs: number[] }> {
  const list = sqlite
    .prepare('SELECT device_seq, fields, base FROM outbox WHERE pushed_at IS NULL AND table_name = ? AND row_id = ? AND device_seq > ? ORDER BY device_seq')
    .all(table, rowId, afterSeq) as { device_seq: number; fields: string; base: string }[]
  const map = new Map<string, { base: string | null; value: unknown; seqs: number[] }>()
  for (const entry of list) {
    const fields = JSON.parse(entry.fields) as Record<string, unknown>
    const base = JSON.parse(entry.base) as Record<string, string | null>
    for (const [f, v] of Object.entries(fields)) {
      const seen = map.get(f)
      if (seen) {
        seen.value = v
        seen.seqs.push(entry.device_seq)
      } else map.set(f, { base: base[f] ?? null, value: v, seqs: [entry.device_seq] })
    }
  }
  return map
}

/**
 * Marks pushed changes with their results. Fields the server did not take as sent are adopted
 * locally (its value and version) unless a later pending change of the device touches them;
 * conflicts become local conflict rows with both values.
 */
export function applyPushResults(sqlite: Sqlite, sent: WireChange[], results: ChangeResult[], now: string, receive: (hlc: string) => void): void {
  const bySeq = new Map(sent.map((c) => [c.device_seq, c]))
  const mark = sqlite.prepare('UPDATE outbox SET pushed_at = ?, result = ?, result_reason = ? WHERE device_seq = ? AND pushed_at IS NULL')
  for (const result of results) {
    const change = bySeq.get(result.device_seq)
    if (!change) continue
    mark.run(now, result.status, result.reason ?? null, result.device_seq)
    if (!result.server) continue
    const later = pendingFields(sqlite, change.table_name, change.row_id, change.device_seq)
    for (const [field, server] of Object.entries(result.server)) {
      if (server.version) receive(server.version)
      if (server.outcome === 'conflict')
        recordConflict(sqlite, { table: change.table_name, rowId: change.row_id, field, mine: change.fields[field], theirs: server.value, mineHlc: change.hlc, theirsHlc: server.version, now })
      const pending = later.get(field)
      if (pending) {
        // A later edit built on this value: when the server only kept its own version of an equal
        // value, that edit is based on the server's version too.
        if (server.outcome === 'same' && server.version && pending.base === change.hlc) rebasePending(sqlite, pending.seqs[0]!, field, server.version)
        continue
      }
      setField(sqlite, change.table_name, change.row_id, field, server.value, server.version, now)
    }
  }
}

function rebasePending(sqlite: Sqlite, deviceSeq: number, field: string, version: string): void {
  sqlite.prepare("UPDATE outbox SET base = json_set(base, '$.' || ?, ?) WHERE device_seq = ?").run(field, version, deviceSeq)
}

export interface PullApplyStats {
  rows: number
  conflicts: number
}

/**
 * Writes pulled rows into the domain tables with their field versions. A field with a pending
 * local change keeps the local value; when the server's value differs and was not the base of the
 * local change, a conflict row is recorded instead of overwriting.
 */
export function applyPulledRows(sqlite: Sqlite, pulled: PulledRow[], now: string, receive: (hlc: string) => void, seen?: boolean): PullApplyStats {
  let conflicts = 0
  let applied = 0
  const markSeen = seen ? sqlite.prepare('INSERT OR IGNORE INTO temp.sync_refetch_seen (table_name, row_id) VALUES (?, ?)') : undefined
  for (const row of pulled) {
    markSeen?.run(row.table_name, row.row_id)
    if (!isSynced(row.table_name)) continue
    const columns = syncedColumns(row.table_name)
    const local = sqlite.prepare(`SELECT * FROM "${row.table_name}" WHERE id = ?`).get(row.row_id) as Record<string, unknown> | undefined
    const pending = local ? pendingFields(sqlite, row.table_name, row.row_id) : new Map()
    const write: Record<string, unknown> = {}
    let rowVersion = ''
    for (const [field, value] of Object.entries(row.fields)) {
      if (!columns.has(field)) continue
      const version = row.versions[field] ?? null
      if (version) {
        receive(version)
        if (version > rowVersion) rowVersion = version
      }
      const mine = pending.get(field)
      if (mine) {
        const localValue = fromSqlite(columns.get(field), local![field])
        if (!sameValue(localValue, value) && version !== mine.base) {
          recordConflict(sqlite, { table: row.table_name, rowId: row.row_id, field, mine: localValue, theirs: value, mineHlc: null, theirsHlc: version, now })
          conflicts++
        }
        continue
      }
      write[field] = value
      if (version) setVersion(sqlite, row.table_name, row.row_id, field, version)
    }
    const hlc = rowVersion || now
    if (local) {
      const names = Object.keys(write)
      if (names.length > 0)
        sqlite
          .prepare(`UPDATE "${row.table_name}" SET ${names.map((n) => `"${n}" = ?`).join(', ')}, updated_at = ?, hlc = max(hlc, ?) WHERE id = ?`)
          .run(...names.map((n) => toSqlite(write[n])), now, hlc, row.row_id)
    } else {
      const names = Object.keys(write)
      sqlite
        .prepare(`INSERT INTO "${row.table_name}" (id, created_at, updated_at, hlc${names.map((n) => `, "${n}"`).join('')}) VALUES (?, ?, ?, ?${', ?'.repeat(names.length)})`)
        .run(row.row_id, now, now, hlc, ...names.map((n) => toSqlite(write[n])))
    }
    applied++
  }
  return { rows: applied, conflicts }
}

export function beginRefetchSweep(sqlite: Sqlite): void {
  sqlite.exec('CREATE TEMP TABLE IF NOT EXISTS sync_refetch_seen (table_name TEXT NOT NULL, row_id TEXT NOT NULL, PRIMARY KEY (table_name, row_id))')
  sqlite.exec('DELETE FROM temp.sync_refetch_seen')
}

/** After a complete refetch: drops synced rows the server no longer sends, unless changes to them are pending. */
export function sweepUnseen(sqlite: Sqlite): number {
  let dropped = 0
  for (const table of Object.keys(syncedTables)) {
    const gone = sqlite
      .prepare(
        `SELECT id FROM "${table}" t WHERE NOT EXISTS (SELECT 1 FROM temp.sync_refetch_seen s WHERE s.table_name = ? AND s.row_id = t.id)
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.pushed_at IS NULL AND o.table_name = ? AND o.row_id = t.id)`,
      )
      .all(table, table) as { id: string }[]
    for (const { id } of gone) {
      sqlite.prepare(`DELETE FROM "${table}" WHERE id = ?`).run(id)
      sqlite.prepare('DELETE FROM field_versions WHERE table_name = ? AND row_id = ?').run(table, id)
      dropped++
    }
  }
  sqlite.exec('DELETE FROM temp.sync_refetch_seen')
  return dropped
}

/** The same count and hash the server computes (XOR of md5(table:row:version) prefixes). */
export function localCheckpoint(sqlite: Sqlite): { rows: number; hash: string } {
  let hash = 0n
  let rows = 0
  const iter = sqlite.prepare('SELECT table_name, row_id, max(hlc) AS version FROM field_versions GROUP BY table_name, row_id').iterate() as Iterable<{ table_name: string; row_id: string; version: string }>
  for (const r of iter) {
    const digest = createHash('md5').update(`${r.table_name}:${r.row_id}:${r.version}`).digest()
    hash ^= digest.readBigInt64BE(0)
    rows++
  }
  return { rows, hash: BigInt.asIntN(64, hash).toString() }
}

export interface ConflictRow {
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
}

export function listConflicts(sqlite: Sqlite, openOnly: boolean): ConflictRow[] {
  const list = sqlite
    .prepare(
      `SELECT id, table_name AS tableName, row_id AS rowId, field, mine, theirs, mine_hlc AS mineHlc, theirs_hlc AS theirsHlc, detected_at AS detectedAt,
        resolved_at AS resolvedAt, resolution FROM sync_conflicts ${openOnly ? 'WHERE resolved_at IS NULL' : ''} ORDER BY detected_at, id`,
    )
    .all() as (ConflictRow & { mine: string | null; theirs: string | null })[]
  return list.map((c) => ({ ...c, mine: c.mine == null ? null : JSON.parse(c.mine), theirs: c.theirs == null ? null : JSON.parse(c.theirs) }))
}

export function markConflictResolved(sqlite: Sqlite, id: string, resolution: 'mine' | 'theirs' | 'edited', now: string): void {
  sqlite.prepare('UPDATE sync_conflicts SET resolved_at = ?, resolution = ? WHERE id = ?').run(now, resolution, id)
}

export function countOpenConflicts(sqlite: Sqlite): number {
  return (sqlite.prepare('SELECT count(*) AS n FROM sync_conflicts WHERE resolved_at IS NULL').get() as { n: number }).n
}

export function rejectedChanges(sqlite: Sqlite, limit = 100): { deviceSeq: number; table: string; rowId: string; reason: string | null }[] {
  return sqlite
    .prepare("SELECT device_seq AS deviceSeq, table_name AS 'table', row_id AS rowId, result_reason AS reason FROM outbox WHERE result = 'rejected' ORDER BY device_seq DESC LIMIT ?")
    .all(limit) as never
}

/** A synced row's field as the wire carries it (booleans as booleans). */
export function readField(sqlite: Sqlite, table: string, rowId: string, field: string): unknown {
  const row = sqlite.prepare(`SELECT "${field}" AS v FROM "${table}" WHERE id = ?`).get(rowId) as { v: unknown } | undefined
  return fromSqlite(syncedColumns(table).get(field), row?.v)
}
