// SQL of the sync engine on the device: the pending outbox, applying push results and pulled
// rows to the domain tables (with their field versions), local conflicts, refetch sweeps and the
// local checkpoint hash. Each exported write runs inside the caller's transaction.
// Field versions are sparse (changes.ts): a row's `hlc` column is the version of every field
// not listed in field_versions.
import { describeIssue, rowProblems } from '../../../../shared/rules'
import type { SyncConflict } from '../../../../shared/api/sync'
import type BetterSqlite3 from 'better-sqlite3'
import { getTableColumns } from 'drizzle-orm'
import { v7 as uuidv7 } from 'uuid'
import { adoptServerField, BOOKKEEPING_COLUMNS, foldPending, mergePulledRow, sparseRowVersion, type PendingField } from '../../../../shared/sync/kernel'
import { isDerived, isPlaceholder, type ChangeResult, type PulledRow, type WireChange } from '../../../../shared/sync/protocol'
import type { Db } from '../client'
import { syncedTables, type SyncedTableName } from '../schema'
import { CHECKSUM_KEY, ChecksumDelta, formatChecksum, parseChecksum, rowChecksum, type Checksum } from './checksum'

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

// Statements compiled once per connection: pulling 50k rows would otherwise compile ~20 per row.
type Statement = BetterSqlite3.Statement<unknown[], unknown>
const statementCache = new WeakMap<Sqlite, Map<string, Statement>>()
function prepared(sqlite: Sqlite, text: string): Statement {
  let cache = statementCache.get(sqlite)
  if (!cache) statementCache.set(sqlite, (cache = new Map()))
  let statement = cache.get(text)
  if (!statement) cache.set(text, (statement = sqlite.prepare<unknown[], unknown>(text)))
  return statement
}

const isSynced = (table: string) => Object.hasOwn(syncedTables, table)
const toSqlite = (value: unknown) =>
  typeof value === 'boolean' ? (value ? 1 : 0) : value !== null && typeof value === 'object' ? JSON.stringify(value) : (value ?? null)
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

/**
 * States of an outbox entry:
 * - pending: pushed_at NULL, result NULL (待发送);
 * - set aside on the device, not yet told to HQ: pushed_at NULL, result 'rejected' or 'discarded'
 *   (sent as a placeholder with no fields, so HQ's device_seq sequence stays unbroken);
 * - acknowledged: pushed_at set, result as HQ answered (applied / superseded / conflict), or
 *   'rejected' (refused by HQ or set aside here: kept with its values and reason until the user
 *   discards it), or 'discarded' (the user let it go).
 */
const SET_ASIDE = "result IN ('rejected', 'discarded')"

export function pendingChanges(sqlite: Sqlite, limit: number): WireChange[] {
  const list = prepared(
    sqlite,
    `SELECT device_seq, change_id, hlc, table_name, row_id, op, fields, base, schema_version, ${SET_ASIDE} AS aside FROM outbox WHERE pushed_at IS NULL ORDER BY device_seq LIMIT ?`,
  ).all(limit) as (OutboxRow & { aside: number })[]
  return list.map(({ aside, ...r }) => ({ ...r, fields: aside ? {} : JSON.parse(r.fields), base: aside ? {} : JSON.parse(r.base) }))
}

/** Changes waiting to be sent (待发送): set-aside ones are not counted. */
export function pendingCount(sqlite: Sqlite): number {
  return (prepared(sqlite, 'SELECT count(*) AS n FROM outbox WHERE pushed_at IS NULL AND result IS NULL').get() as { n: number }).n
}

/** The newest change HQ acknowledged. */
export function acknowledgedSeq(sqlite: Sqlite): number {
  return (prepared(sqlite, 'SELECT coalesce(max(device_seq), 0) AS n FROM outbox WHERE pushed_at IS NOT NULL').get() as { n: number }).n
}

/**
 * This store was restored from a backup: HQ already holds changes numbered up to `hqLast` from
 * it (made after the backup), so the changes waiting here, which reuse those numbers, move past
 * them in order (HQ would take a reused number for a replay). Returns how many moved.
 */
export function renumberPendingAfter(sqlite: Sqlite, hqLast: number): number {
  const first = (prepared(sqlite, 'SELECT min(device_seq) AS n FROM outbox WHERE pushed_at IS NULL').get() as { n: number | null }).n
  const counter = Number((prepared(sqlite, "SELECT value FROM sync_state WHERE key = 'device_seq'").get() as { value: string } | undefined)?.value ?? 0)
  let moved = 0
  if (first !== null && first <= hqLast) {
    const shift = hqLast + 1 - first
    prepared(sqlite, 'UPDATE outbox SET device_seq = -device_seq WHERE pushed_at IS NULL').run()
    moved = prepared(sqlite, 'UPDATE outbox SET device_seq = ? - device_seq WHERE device_seq < 0').run(shift).changes
  }
  const highest = (prepared(sqlite, 'SELECT coalesce(max(device_seq), 0) AS n FROM outbox').get() as { n: number }).n
  const next = Math.max(counter, highest, hqLast)
  prepared(sqlite, "INSERT INTO sync_state (key, value) VALUES ('device_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(next))
  return moved
}

export function outboxResult(sqlite: Sqlite, deviceSeq: number): { result: string | null; reason: string | null } | undefined {
  return prepared(sqlite, 'SELECT result, result_reason AS reason FROM outbox WHERE device_seq = ?').get(deviceSeq) as never
}

/** Sets a change aside on the device with its reason: it is kept, listed, and no longer sent. */
export function setAside(sqlite: Sqlite, deviceSeq: number, reason: string): void {
  prepared(sqlite, "UPDATE outbox SET result = 'rejected', result_reason = ? WHERE device_seq = ? AND pushed_at IS NULL").run(reason, deviceSeq)
}

/**
 * The server lost changes it had acknowledged (restored from backup): send them again. Changes
 * set aside stay set aside (sent again as placeholders).
 */
export function unmarkPushedFrom(sqlite: Sqlite, deviceSeq: number): number {
  return prepared(
    sqlite,
    `UPDATE outbox SET pushed_at = NULL, result = CASE WHEN ${SET_ASIDE} THEN result END, result_reason = CASE WHEN ${SET_ASIDE} THEN result_reason END WHERE device_seq >= ? AND pushed_at IS NOT NULL`,
  ).run(deviceSeq).changes
}

function setField(sqlite: Sqlite, table: string, rowId: string, field: string, value: unknown, version: string | null, now: string): void {
  if (!syncedColumns(table).has(field)) return
  prepared(sqlite, `UPDATE "${table}" SET "${field}" = ?, updated_at = ? WHERE id = ?`).run(toSqlite(value), now, rowId)
  if (version) setVersion(sqlite, table, rowId, field, version)
}

function setVersion(sqlite: Sqlite, table: string, rowId: string, field: string, version: string): void {
  prepared(
    sqlite,
    'INSERT INTO field_versions (table_name, row_id, field, hlc) VALUES (?, ?, ?, ?) ON CONFLICT (table_name, row_id, field) DO UPDATE SET hlc = excluded.hlc',
  ).run(table, rowId, field, version)
}

/** Records a conflict for review; one open conflict per field, refreshed when seen again. */
function recordConflict(
  sqlite: Sqlite,
  c: { table: string; rowId: string; field: string; mine: unknown; theirs: unknown; mineHlc: string | null; theirsHlc: string | null; now: string },
): void {
  const open = prepared(sqlite, 'SELECT id FROM sync_conflicts WHERE table_name = ? AND row_id = ? AND field = ? AND resolved_at IS NULL').get(
    c.table,
    c.rowId,
    c.field,
  ) as { id: string } | undefined
  const mine = JSON.stringify(c.mine ?? null)
  const theirs = JSON.stringify(c.theirs ?? null)
  if (open)
    prepared(sqlite, 'UPDATE sync_conflicts SET mine = ?, theirs = ?, mine_hlc = ?, theirs_hlc = ? WHERE id = ?').run(
      mine,
      theirs,
      c.mineHlc,
      c.theirsHlc,
      open.id,
    )
  else
    sqlite
      .prepare('INSERT INTO sync_conflicts (id, table_name, row_id, field, mine, theirs, mine_hlc, theirs_hlc, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(uuidv7(), c.table, c.rowId, c.field, mine, theirs, c.mineHlc, c.theirsHlc, c.now)
}

/** Pending (unpushed) outbox entries of a row: per field, the oldest base and newest value. */
function pendingFields(sqlite: Sqlite, table: string, rowId: string, afterSeq = 0): Map<string, PendingField> {
  const list = prepared(
    sqlite,
    'SELECT device_seq, fields, base FROM outbox WHERE pushed_at IS NULL AND table_name = ? AND row_id = ? AND device_seq > ? ORDER BY device_seq',
  ).all(table, rowId, afterSeq) as { device_seq: number; fields: string; base: string }[]
  return foldPending(
    list.map((e) => ({
      seq: e.device_seq,
      fields: JSON.parse(e.fields) as Record<string, unknown>,
      base: JSON.parse(e.base) as Record<string, string | null>,
    })),
  )
}

/**
 * Marks pushed changes with their results. Fields the server did not take as sent are adopted
 * locally (its value and version) unless a later pending change of the device touches them;
 * conflicts become local conflict rows with both values.
 */
export function applyPushResults(sqlite: Sqlite, sent: WireChange[], results: ChangeResult[], now: string, receive: (hlc: string) => void): void {
  const bySeq = new Map(sent.map((c) => [c.device_seq, c]))
  // A placeholder's entry keeps the reason it was set aside for.
  const mark = prepared(
    sqlite,
    `UPDATE outbox SET pushed_at = ?, result = CASE WHEN ${SET_ASIDE} THEN result ELSE ? END, result_reason = CASE WHEN ${SET_ASIDE} THEN result_reason ELSE ? END WHERE device_seq = ? AND pushed_at IS NULL`,
  )
  const delta = new ChecksumDelta()
  const absent: WireChange[] = []
  for (const result of results) {
    const change = bySeq.get(result.device_seq)
    if (!change) continue
    mark.run(now, result.status, result.reason ?? null, result.device_seq)
    if (isPlaceholder(change)) continue
    if (result.status === 'rejected' && result.absent) absent.push(change)
    // Derived values an older app queued are not stored by HQ (it answers nothing for them): the
    // version this change gave them goes too, or the row's version would never match HQ's.
    const unstored = result.status === 'rejected' ? [] : Object.keys(change.fields).filter((f) => isDerived(change.table_name, f) && !result.server?.[f])
    if (!result.server && unstored.length === 0) continue
    const before = versionOfRow(sqlite, change.table_name, change.row_id)
    for (const field of unstored)
      prepared(sqlite, 'DELETE FROM field_versions WHERE table_name = ? AND row_id = ? AND field = ? AND hlc = ?').run(
        change.table_name,
        change.row_id,
        field,
        change.hlc,
      )
    const later = pendingFields(sqlite, change.table_name, change.row_id, change.device_seq)
    for (const [field, server] of Object.entries(result.server ?? {})) {
      if (server.version) receive(server.version)
      const adoption = adoptServerField(server, change.hlc, later.get(field))
      if (adoption.conflict)
        recordConflict(sqlite, {
          table: change.table_name,
          rowId: change.row_id,
          field,
          mine: change.fields[field],
          theirs: server.value,
          mineHlc: change.hlc,
          theirsHlc: server.version,
          now,
        })
      if (adoption.rebase) rebasePending(sqlite, adoption.rebase.seq, field, adoption.rebase.version)
      if (adoption.adopt) setField(sqlite, change.table_name, change.row_id, field, server.value, server.version, now)
    }
    delta.change(change.table_name, change.row_id, before, versionOfRow(sqlite, change.table_name, change.row_id))
  }
  // Rows HQ refused and does not hold: the device's copy goes (the refused change keeps its
  // values, listed on the sync page), unless more changes of the row wait. Children first.
  for (const change of absent.reverse()) {
    if (!isSynced(change.table_name)) continue
    if (
      prepared(sqlite, 'SELECT 1 FROM outbox WHERE pushed_at IS NULL AND result IS NULL AND table_name = ? AND row_id = ?').get(
        change.table_name,
        change.row_id,
      )
    )
      continue
    const accepted = prepared(sqlite, "SELECT 1 FROM outbox WHERE table_name = ? AND row_id = ? AND result IN ('applied', 'superseded', 'conflict')").get(
      change.table_name,
      change.row_id,
    )
    if (accepted) continue
    const before = versionOfRow(sqlite, change.table_name, change.row_id)
    prepared(sqlite, `DELETE FROM "${change.table_name}" WHERE id = ?`).run(change.row_id)
    prepared(sqlite, 'DELETE FROM field_versions WHERE table_name = ? AND row_id = ?').run(change.table_name, change.row_id)
    delta.change(change.table_name, change.row_id, before, null)
  }
  commitChecksumDelta(sqlite, delta)
}

/**
 * A row's version in the checkpoint (the greatest of its fields' versions), or null when the row
 * is absent or a tombstone: checkpoints count live rows only, so purging old tombstones on the
 * server changes no device's checksum.
 */
function versionOfRow(sqlite: Sqlite, table: string, rowId: string): string | null {
  return (
    (
      prepared(
        sqlite,
        `SELECT max(t.hlc, coalesce((SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = ? AND f.row_id = t.id), '')) AS v FROM "${table}" t WHERE t.id = ? AND t.deleted_at IS NULL`,
      ).get(table, rowId) as { v: string } | undefined
    )?.v ?? null
  )
}

/** Adds a transaction's row-version changes to the stored running checksum (see checksum.ts). */
export function commitChecksumDelta(sqlite: Sqlite, delta: ChecksumDelta): void {
  if (delta.empty) return
  const stored = (prepared(sqlite, 'SELECT value FROM sync_state WHERE key = ?').get(CHECKSUM_KEY) as { value: string } | undefined)?.value
  const next = delta.applyTo(stored)
  if (next !== undefined && next !== stored) prepared(sqlite, 'UPDATE sync_state SET value = ? WHERE key = ?').run(next, CHECKSUM_KEY)
}

/** The running checksum, or undefined when it is not known yet. */
export function storedChecksum(sqlite: Sqlite): Checksum | undefined {
  return parseChecksum((prepared(sqlite, 'SELECT value FROM sync_state WHERE key = ?').get(CHECKSUM_KEY) as { value: string } | undefined)?.value)
}

/** A device with no synced rows yet knows its checksum: nothing (so its first sync never scans). */
export function initChecksumIfEmpty(sqlite: Sqlite): void {
  if (storedChecksum(sqlite)) return
  for (const table of Object.keys(syncedTables)) if (prepared(sqlite, `SELECT 1 FROM "${table}" LIMIT 1`).get()) return
  storeChecksum(sqlite, { rows: 0, hash: '0' })
}

/** Forgets the running checksum (a bulk write that bypassed it): the next verification recomputes it. */
export function forgetChecksum(sqlite: Sqlite): void {
  prepared(sqlite, 'DELETE FROM sync_state WHERE key = ?').run(CHECKSUM_KEY)
}

export function storeChecksum(sqlite: Sqlite, checksum: Checksum): void {
  prepared(sqlite, 'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    CHECKSUM_KEY,
    formatChecksum(checksum),
  )
}

function rebasePending(sqlite: Sqlite, deviceSeq: number, field: string, version: string): void {
  prepared(sqlite, "UPDATE outbox SET base = json_set(base, '$.' || ?, ?) WHERE device_seq = ?").run(field, version, deviceSeq)
}

export interface PullApplyStats {
  rows: number
  conflicts: number
  /** Rows not applied because they break the value rules (shared/rules.ts); listed in sync_state 'pull_refused'. */
  refused: number
}

/** Pulled rows refused for their values, newest last (at most this many kept). */
const MAX_REFUSED_LISTED = 200

/**
 * Every pulled row the device refused for its values and HQ still holds, with the version HQ
 * counts in its checkpoint (`table NUL row id` → version). The device's checkpoint counts these
 * rows as HQ holds them, in place of its own copy if it has one: otherwise a refused row would
 * make every checkpoint differ and every sync refetch the regions for it. A later good version,
 * a tombstone, or a refetch that no longer brings the row takes it out.
 */
const REFUSED_HELD_KEY = 'pull_refused_versions'
const heldKey = (table: string, rowId: string) => `${table}\u0000${rowId}`

function refusedHeld(sqlite: Sqlite): Map<string, string> {
  const stored = (prepared(sqlite, 'SELECT value FROM sync_state WHERE key = ?').get(REFUSED_HELD_KEY) as { value: string } | undefined)?.value
  return new Map(stored ? Object.entries(JSON.parse(stored) as Record<string, string>) : [])
}

function storeRefusedHeld(sqlite: Sqlite, held: Map<string, string>): void {
  if (held.size === 0) prepared(sqlite, 'DELETE FROM sync_state WHERE key = ?').run(REFUSED_HELD_KEY)
  else
    prepared(sqlite, 'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
      REFUSED_HELD_KEY,
      JSON.stringify(Object.fromEntries(held)),
    )
}

/**
 * Writes pulled rows into the domain tables with their field versions. A field with a pending
 * local change keeps the local value; when the server's value differs and was not the base of the
 * local change, a conflict row is recorded instead of overwriting.
 * A row new to the device is one INSERT (its version in the hlc column, field_versions only for
 * fields pulled with another version): the initial sync of a county is ~500k of those.
 */
export function applyPulledRows(sqlite: Sqlite, pulled: Iterable<PulledRow>, now: string, receive: (hlc: string) => void, seen?: boolean): PullApplyStats {
  let conflicts = 0
  let applied = 0
  const markSeen = seen ? prepared(sqlite, 'INSERT OR IGNORE INTO sync_refetch_seen (table_name, row_id) VALUES (?, ?)') : undefined
  const addVersion = prepared(
    sqlite,
    'INSERT INTO field_versions (table_name, row_id, field, hlc) VALUES (?, ?, ?, ?) ON CONFLICT (table_name, row_id, field) DO UPDATE SET hlc = excluded.hlc',
  )
  const delta = new ChecksumDelta()
  let pageNewest = ''
  const refusedRows: { table: string; rowId: string; version: string; problems: string[] }[] = []
  const asHeldByHq = refusedHeld(sqlite)
  let heldChanged = false
  for (const row of pulled) {
    markSeen?.run(row.table_name, row.row_id)
    if (!isSynced(row.table_name)) continue
    const wasRefused = asHeldByHq.get(heldKey(row.table_name, row.row_id))
    // Synced input is checked like the user's own (an attachment's sha256 names a file on disk):
    // a row breaking the value rules is not applied, and is listed for the sync page. The
    // checkpoint counts it as HQ holds it (a live row at its version; a tombstone not at all).
    const broken = rowProblems(row.table_name, row.fields, row.row_id)
    if (broken.length) {
      refusedRows.push({ table: row.table_name, rowId: row.row_id, version: row.version, problems: broken.map((i) => describeIssue(row.table_name, i)) })
      const asHq = row.fields.deleted_at == null ? sparseRowVersion(row) || row.version : null
      delta.change(row.table_name, row.row_id, wasRefused ?? versionOfRow(sqlite, row.table_name, row.row_id), asHq)
      if (asHq) asHeldByHq.set(heldKey(row.table_name, row.row_id), asHq)
      else asHeldByHq.delete(heldKey(row.table_name, row.row_id))
      heldChanged = true
      continue
    }
    if (wasRefused !== undefined) {
      // A version the device takes: the row counts as the device holds it again.
      delta.change(row.table_name, row.row_id, wasRefused, versionOfRow(sqlite, row.table_name, row.row_id))
      asHeldByHq.delete(heldKey(row.table_name, row.row_id))
      heldChanged = true
    }
    const columns = syncedColumns(row.table_name)
    const names = Object.keys(row.fields).filter((f) => columns.has(f) && !BOOKKEEPING_COLUMNS.has(f))
    const newest = sparseRowVersion(row)
    // The clock passes the page's newest version once, at the end (HLCs sort as strings, causally).
    if (newest > pageNewest) pageNewest = newest
    const version = row.version || now
    const inserted = prepared(
      sqlite,
      `INSERT INTO "${row.table_name}" (id, created_at, updated_at, hlc${names.map((n) => `, "${n}"`).join('')}) VALUES (?, ?, ?, ?${', ?'.repeat(names.length)}) ON CONFLICT (id) DO NOTHING`,
    ).run(row.row_id, now, now, version, ...names.map((n) => toSqlite(row.fields[n])))
    if (inserted.changes === 1) {
      for (const [field, v] of Object.entries(row.versions)) if (columns.has(field) && v !== version) addVersion.run(row.table_name, row.row_id, field, v)
      if (row.fields.deleted_at == null) delta.change(row.table_name, row.row_id, null, newest || version)
      applied++
      continue
    }
    // A row the device holds: merge field by field, keeping fields with pending local changes.
    const local = prepared(sqlite, `SELECT * FROM "${row.table_name}" WHERE id = ?`).get(row.row_id) as Record<string, unknown>
    const pending = pendingFields(sqlite, row.table_name, row.row_id)
    const before = versionOfRow(sqlite, row.table_name, row.row_id)
    const held = new Map(
      (
        prepared(sqlite, 'SELECT field, hlc FROM field_versions WHERE table_name = ? AND row_id = ?').all(row.table_name, row.row_id) as {
          field: string
          hlc: string
        }[]
      ).map((v) => [v.field, v.hlc]),
    )
    // Derived values (computed on this device) are never written over nor in conflict; their
    // versions are taken like any field's.
    for (const field of pending.keys()) if (isDerived(row.table_name, field)) pending.delete(field)
    const values: Record<string, unknown> = {}
    for (const field of pending.keys()) values[field] = fromSqlite(columns.get(field), local[field])
    const merged = mergePulledRow({ values, version: local.hlc as string, versions: Object.fromEntries(held) }, pending, { ...row, version }, names)
    for (const c of merged.conflicts) {
      recordConflict(sqlite, {
        table: row.table_name,
        rowId: row.row_id,
        field: c.field,
        mine: c.mine,
        theirs: c.theirs,
        mineHlc: null,
        theirsHlc: c.theirsHlc,
        now,
      })
      conflicts++
    }
    const write = merged.write.filter((f) => !isDerived(row.table_name, f))
    // Fields not taken from this row (pending, or not sent) keep the version they had, which
    // the row's new hlc would otherwise change.
    prepared(sqlite, 'DELETE FROM field_versions WHERE table_name = ? AND row_id = ?').run(row.table_name, row.row_id)
    for (const [field, v] of Object.entries(merged.versions.versions)) addVersion.run(row.table_name, row.row_id, field, v)
    prepared(sqlite, `UPDATE "${row.table_name}" SET ${write.map((n) => `"${n}" = ?, `).join('')}updated_at = ?, hlc = ? WHERE id = ?`).run(
      ...write.map((n) => toSqlite(row.fields[n])),
      now,
      version,
      row.row_id,
    )
    delta.change(row.table_name, row.row_id, before, versionOfRow(sqlite, row.table_name, row.row_id))
    applied++
  }
  if (pageNewest) receive(pageNewest)
  commitChecksumDelta(sqlite, delta)
  if (heldChanged) storeRefusedHeld(sqlite, asHeldByHq)
  if (refusedRows.length) {
    const held = sqlite.prepare("SELECT value FROM sync_state WHERE key = 'pull_refused'").get() as { value: string } | undefined
    const key = (r: { table: string; rowId: string; version: string }) => `${r.table}:${r.rowId}:${r.version}`
    const fresh = new Set(refusedRows.map(key))
    const before = held ? (JSON.parse(held.value) as (typeof refusedRows)[number][]).filter((r) => !fresh.has(key(r))) : []
    const list = [...before, ...refusedRows].slice(-MAX_REFUSED_LISTED)
    sqlite
      .prepare("INSERT INTO sync_state (key, value) VALUES ('pull_refused', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(JSON.stringify(list))
  }
  return { rows: applied, conflicts, refused: refusedRows.length }
}

// The rows a refetch has seen so far, kept in the store (not a temp table) so an interrupted
// refetch resumes from its last page instead of row 0. Device-local: never synced.
const SEEN_TABLE =
  'CREATE TABLE IF NOT EXISTS sync_refetch_seen (table_name TEXT NOT NULL, row_id TEXT NOT NULL, PRIMARY KEY (table_name, row_id)) WITHOUT ROWID'

export function beginRefetchSweep(sqlite: Sqlite): void {
  sqlite.exec(SEEN_TABLE)
  sqlite.exec('DELETE FROM sync_refetch_seen')
}

/**
 * A refetch interrupted earlier goes on from its stored cursor with the rows it saw: true when
 * there is one to resume (its table of seen rows exists; a finished refetch drops it).
 */
export function resumeRefetchSweep(sqlite: Sqlite): boolean {
  return sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_refetch_seen'").get() !== undefined
}

/**
 * After a complete refetch: drops synced rows the server no longer sends, unless changes to them
 * are pending, or HQ acknowledged a change of them after `keepAfter` (the last device_seq a
 * matching checkpoint confirmed): those HQ may have lost, and the device keeps them.
 */
export function sweepUnseen(sqlite: Sqlite, keepAfter = Number.MAX_SAFE_INTEGER): { dropped: number; kept: number } {
  let dropped = 0
  let kept = 0
  const delta = new ChecksumDelta()
  // Refused rows the refetch no longer brought: HQ does not hold them (for this device) any more.
  const held = refusedHeld(sqlite)
  const seen = prepared(sqlite, 'SELECT 1 FROM sync_refetch_seen WHERE table_name = ? AND row_id = ?')
  for (const [key, version] of held) {
    const [table, rowId] = key.split('\u0000') as [string, string]
    if (seen.get(table, rowId)) continue
    delta.change(table, rowId, version, isSynced(table) ? versionOfRow(sqlite, table, rowId) : null)
    held.delete(key)
  }
  storeRefusedHeld(sqlite, held)
  for (const table of Object.keys(syncedTables)) {
    const gone = sqlite
      .prepare(
        `SELECT id, EXISTS (SELECT 1 FROM outbox o WHERE o.table_name = ? AND o.row_id = t.id AND o.device_seq > ? AND o.result IN ('applied', 'superseded', 'conflict')) AS unconfirmed
         FROM "${table}" t WHERE NOT EXISTS (SELECT 1 FROM sync_refetch_seen s WHERE s.table_name = ? AND s.row_id = t.id)
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.pushed_at IS NULL AND o.result IS NULL AND o.table_name = ? AND o.row_id = t.id)`,
      )
      .all(table, keepAfter, table, table) as { id: string; unconfirmed: number }[]
    for (const { id, unconfirmed } of gone) {
      if (unconfirmed) {
        kept++
        continue
      }
      delta.change(table, id, versionOfRow(sqlite, table, id), null)
      prepared(sqlite, `DELETE FROM "${table}" WHERE id = ?`).run(id)
      prepared(sqlite, 'DELETE FROM field_versions WHERE table_name = ? AND row_id = ?').run(table, id)
      dropped++
    }
  }
  sqlite.exec('DROP TABLE sync_refetch_seen')
  commitChecksumDelta(sqlite, delta)
  return { dropped, kept }
}

/**
 * The same count and hash the server computes (XOR of md5(table:row:version) prefixes), by
 * scanning every live row (tombstones are not counted): the reference for the running checksum, and its repair.
 */
export function localCheckpoint(sqlite: Sqlite): { rows: number; hash: string } {
  let hash = 0n
  let rows = 0
  // Pulled rows refused for their values count as HQ holds them, in place of the device's copy.
  const held = refusedHeld(sqlite)
  for (const table of Object.keys(syncedTables)) {
    const iter = prepared(
      sqlite,
      `SELECT t.id AS row_id, max(t.hlc, coalesce((SELECT max(f.hlc) FROM field_versions f WHERE f.table_name = ? AND f.row_id = t.id), '')) AS version FROM "${table}" t WHERE t.deleted_at IS NULL`,
    ).iterate(table) as Iterable<{ row_id: string; version: string }>
    for (const r of iter) {
      if (held.has(heldKey(table, r.row_id))) continue
      hash ^= rowChecksum(table, r.row_id, r.version)
      rows++
    }
  }
  for (const [key, version] of held) {
    const [table, rowId] = key.split('\u0000') as [string, string]
    hash ^= rowChecksum(table, rowId, version)
    rows++
  }
  return { rows, hash: BigInt.asIntN(64, hash).toString() }
}

export type ConflictRow = Omit<SyncConflict, 'rowLabel' | 'fieldProp'>

export function listConflicts(sqlite: Sqlite, openOnly: boolean): ConflictRow[] {
  const list = prepared(
    sqlite,

    `SELECT id, table_name AS tableName, row_id AS rowId, field, mine, theirs, mine_hlc AS mineHlc, theirs_hlc AS theirsHlc, detected_at AS detectedAt,
        resolved_at AS resolvedAt, resolution FROM sync_conflicts ${openOnly ? 'WHERE resolved_at IS NULL' : ''} ORDER BY detected_at, id`,
  ).all() as (ConflictRow & { mine: string | null; theirs: string | null })[]
  return list.map((c) => ({ ...c, mine: c.mine == null ? null : JSON.parse(c.mine), theirs: c.theirs == null ? null : JSON.parse(c.theirs) }))
}

export function markConflictResolved(sqlite: Sqlite, id: string, resolution: 'mine' | 'theirs' | 'edited', now: string): void {
  prepared(sqlite, 'UPDATE sync_conflicts SET resolved_at = ?, resolution = ? WHERE id = ?').run(now, resolution, id)
}

export function countOpenConflicts(sqlite: Sqlite): number {
  return (prepared(sqlite, 'SELECT count(*) AS n FROM sync_conflicts WHERE resolved_at IS NULL').get() as { n: number }).n
}

export interface RejectedChange {
  deviceSeq: number
  table: string
  rowId: string
  op: 'insert' | 'update' | 'delete'
  reason: string | null
  /** The refused values, as the change carried them. */
  fields: Record<string, unknown>
  createdAt: string
}

/** Changes refused by HQ or set aside on the device, kept until the user discards them; newest first. */
export function rejectedChanges(sqlite: Sqlite, limit = 100): RejectedChange[] {
  const list = prepared(
    sqlite,
    "SELECT device_seq AS deviceSeq, table_name AS 'table', row_id AS rowId, op, result_reason AS reason, fields, created_at AS createdAt FROM outbox WHERE result = 'rejected' ORDER BY device_seq DESC LIMIT ?",
  ).all(limit) as (Omit<RejectedChange, 'fields'> & { fields: string })[]
  return list.map((c) => ({ ...c, fields: JSON.parse(c.fields) as Record<string, unknown> }))
}

export function rejectedCount(sqlite: Sqlite): number {
  return (prepared(sqlite, "SELECT count(*) AS n FROM outbox WHERE result = 'rejected'").get() as { n: number }).n
}

/** The user lets a set-aside change go: it stays in the outbox (sequence unbroken) as discarded. */
export function discardRejected(sqlite: Sqlite, deviceSeq: number): boolean {
  return prepared(sqlite, "UPDATE outbox SET result = 'discarded' WHERE device_seq = ? AND result = 'rejected'").run(deviceSeq).changes === 1
}

/** A synced row's field as the wire carries it (booleans as booleans). */
export function readField(sqlite: Sqlite, table: string, rowId: string, field: string): unknown {
  const row = prepared(sqlite, `SELECT "${field}" AS v FROM "${table}" WHERE id = ?`).get(rowId) as { v: unknown } | undefined
  return fromSqlite(syncedColumns(table).get(field), row?.v)
}
