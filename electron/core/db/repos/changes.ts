// Writes of synced data. Each write changes the row, appends its outbox entry (gapless
// device_seq, HLC, changed fields and their base versions) and bumps the per-field clock, all
// inside the caller's transaction: a change is never stored without its sync record.
//
// Field versions are sparse: a synced row's `hlc` column is the version of each of its fields
// except those listed in field_versions (the fields edited since, or pulled with another
// version). A new row writes no field_versions at all; an edit writes one per changed field.
import { and, eq, getTableColumns, getTableName, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { v7 as uuidv7 } from 'uuid'
import { AppError } from '../../../../shared/errors'
import type { HybridClock } from '../../sync/hlc'
import type { Tx } from '../client'
import { fieldVersions, outbox, syncedTables, syncState, type SyncedTableName } from '../schema'
import { BOOKKEEPING_COLUMNS, fieldVersion, maxVersion, sameValue } from '../../../../shared/sync/kernel'
import { CHECKSUM_KEY, ChecksumDelta } from './checksum'
import { describeIssue, rowProblems } from '../../../../shared/rules'
import { mayWrite, syncRegistry } from '../../../../shared/sync/registry'

/**
 * The value rules HQ applies to every pushed change (shared/rules.ts), applied before a change
 * enters the outbox: a value HQ would refuse is refused here, where the user can still fix it.
 * The issues travel in details.rules; dispatch translates them into the caller's language.
 */
function checkRules(tableName: SyncedTableName, rowId: string, op: 'insert' | 'update' | 'delete', fields: Row): void {
  const broken = rowProblems(tableName, fields, op === 'insert' ? rowId : undefined)
  if (broken.length)
    throw new AppError('VALIDATION', `values break the storage rules: ${broken.map((i) => describeIssue(tableName, i)).join('; ')}`, {
      issues: broken.map((i) => ({ path: i.path, message: i.code })),
      details: { rules: broken },
    })
}

/**
 * HQ-only data is changed on a device only by the roles the registry lets write it (HQ would refuse
 * the change at push). An enrolled device knows its user's role; one not enrolled yet works
 * locally and HQ judges its changes when it first syncs.
 */
function checkWriter(tx: Tx, tableName: SyncedTableName): void {
  if (syncRegistry[tableName].syncClass !== 'hq') return
  const user = tx.select({ value: syncState.value }).from(syncState).where(eq(syncState.key, 'hq_user')).get()?.value
  const role = user ? (JSON.parse(user) as { role?: string }).role : undefined
  if (role === undefined || mayWrite(tableName, role)) return
  throw new AppError('FORBIDDEN', `a ${role} may not change ${tableName}: HQ keeps this data`, {
    details: { reason: 'read_only_table', table: tableName, role },
  })
}

export interface ChangeContext {
  deviceId: string
  clock: HybridClock
  schemaVersion: number
  /** ISO-8601 UTC now. */
  now: () => string
}

type Row = Record<string, unknown>

function columnsOf(tableName: SyncedTableName): Record<string, SQLiteColumn> {
  return getTableColumns(syncedTables[tableName].table) as Record<string, SQLiteColumn>
}

/** Drizzle properties of the bookkeeping columns (the kernel names the columns). */
const bookkeepingProps = new Map<SyncedTableName, Set<string>>()
function bookkeepingOf(tableName: SyncedTableName): Set<string> {
  let props = bookkeepingProps.get(tableName)
  if (!props) {
    props = new Set(
      Object.entries(columnsOf(tableName))
        .filter(([, c]) => BOOKKEEPING_COLUMNS.has(c.name))
        .map(([prop]) => prop),
    )
    bookkeepingProps.set(tableName, props)
  }
  return props
}

function nextDeviceSeq(tx: Tx): number {
  const row = tx
    .insert(syncState)
    .values({ key: 'device_seq', value: '1' })
    .onConflictDoUpdate({ target: syncState.key, set: { value: sql`CAST(${syncState.value} AS INTEGER) + 1` } })
    .returning({ value: syncState.value })
    .get()
  return Number(row.value)
}

function persistClock(tx: Tx, cx: ChangeContext): void {
  tx.insert(syncState)
    .values({ key: 'hlc', value: cx.clock.current })
    .onConflictDoUpdate({ target: syncState.key, set: { value: cx.clock.current } })
    .run()
}

/** Adds row-version changes to the running checkpoint checksum (checksum.ts), in the caller's transaction. */
function commitChecksum(tx: Tx, delta: ChecksumDelta): void {
  if (delta.empty) return
  const stored = tx.select({ value: syncState.value }).from(syncState).where(eq(syncState.key, CHECKSUM_KEY)).get()?.value
  const next = delta.applyTo(stored)
  if (next !== undefined && next !== stored) tx.update(syncState).set({ value: next }).where(eq(syncState.key, CHECKSUM_KEY)).run()
}

/**
 * Records a change: its outbox entry, the changed fields' versions and the checksum delta.
 * `rowVersion` is the row's `hlc` column before the change (undefined for a new row).
 */
function appendChange(
  tx: Tx,
  cx: ChangeContext,
  tableName: SyncedTableName,
  rowId: string,
  op: 'insert' | 'update' | 'delete',
  changed: Row,
  hlc: string,
  rowVersion: string | undefined,
): void {
  checkWriter(tx, tableName)
  const columns = columnsOf(tableName)
  const fields: Row = {}
  const base: Record<string, string | null> = {}
  const held: Record<string, string> = {}
  if (rowVersion !== undefined)
    for (const v of tx
      .select({ field: fieldVersions.field, hlc: fieldVersions.hlc })
      .from(fieldVersions)
      .where(and(eq(fieldVersions.tableName, tableName), eq(fieldVersions.rowId, rowId)))
      .all())
      held[v.field] = v.hlc
  const sparse = rowVersion === undefined ? undefined : { version: rowVersion, versions: held }
  // Checkpoints count live rows only: a tombstone has no version in them (an update never starts
  // from one: updateSynced refuses deleted rows).
  const before = sparse === undefined ? null : maxVersion([sparse.version, ...Object.values(held)])
  checkRules(tableName, rowId, op, Object.fromEntries(Object.entries(changed).map(([prop, value]) => [columns[prop]!.name, value])))
  for (const [prop, value] of Object.entries(changed)) {
    const column = columns[prop]!.name
    fields[column] = value
    base[column] = sparse === undefined ? null : fieldVersion(sparse, column)
    if (rowVersion !== undefined)
      tx.insert(fieldVersions)
        .values({ tableName, rowId, field: column, hlc })
        .onConflictDoUpdate({ target: [fieldVersions.tableName, fieldVersions.rowId, fieldVersions.field], set: { hlc } })
        .run()
  }
  const delta = new ChecksumDelta()
  delta.change(tableName, rowId, before, changed.deletedAt ? null : maxVersion([hlc, ...(before === null ? [] : [before])]))
  commitChecksum(tx, delta)
  tx.insert(outbox)
    .values({
      deviceSeq: nextDeviceSeq(tx),
      changeId: uuidv7(),
      deviceId: cx.deviceId,
      hlc,
      tableName,
      rowId,
      op,
      fields: JSON.stringify(fields),
      base: JSON.stringify(base),
      schemaVersion: cx.schemaVersion,
      createdAt: cx.now(),
    })
    .run()
  persistClock(tx, cx)
}

/** Inserts a new synced row (id generated if absent) and records it. Returns the id. */
export function insertSynced(tx: Tx, cx: ChangeContext, tableName: SyncedTableName, values: Row): string {
  const id = typeof values.id === 'string' ? values.id : uuidv7()
  const hlc = cx.clock.now()
  const now = cx.now()
  const row = { ...values, id, createdAt: now, updatedAt: now, hlc }
  tx.insert(syncedTables[tableName].table)
    .values(row as never)
    .run()
  const bookkeeping = bookkeepingOf(tableName)
  const recorded = Object.fromEntries(Object.entries(row).filter(([k, v]) => !bookkeeping.has(k) && v !== undefined))
  appendChange(tx, cx, tableName, id, 'insert', recorded, hlc, undefined)
  return id
}

/**
 * Updates the given fields of a synced row. Fields whose value does not change are not written
 * or recorded (an edit to the same value is not a change). Returns the fields that changed.
 */
export function updateSynced(tx: Tx, cx: ChangeContext, tableName: SyncedTableName, id: string, patch: Row): string[] {
  const table = syncedTables[tableName].table
  const columns = columnsOf(tableName)
  const current = tx.select().from(table).where(eq(columns.id!, id)).get() as Row | undefined
  if (!current || current.deletedAt) throw new AppError('NOT_FOUND', `${tableName} ${id} not found`, { details: { table: tableName, id } })
  const changed: Row = {}
  const bookkeeping = bookkeepingOf(tableName)
  for (const [prop, value] of Object.entries(patch)) {
    if (!(prop in columns) || bookkeeping.has(prop)) throw new Error(`${tableName}.${prop} is not a writable field`)
    if (value !== undefined && !sameValue(current[prop], value)) changed[prop] = value
  }
  if (Object.keys(changed).length === 0) return []
  const hlc = cx.clock.now()
  // The row's hlc stays: it is the version of the fields this edit leaves alone.
  tx.update(table)
    .set({ ...changed, updatedAt: cx.now() } as never)
    .where(eq(columns.id!, id))
    .run()
  appendChange(tx, cx, tableName, id, changed.deletedAt ? 'delete' : 'update', changed, hlc, current.hlc as string)
  return Object.keys(changed)
}

/** Soft-deletes (tombstones) a synced row. */
export function deleteSynced(tx: Tx, cx: ChangeContext, tableName: SyncedTableName, id: string): void {
  updateSynced(tx, cx, tableName, id, { deletedAt: cx.now() })
}

/** Outbox entries not yet acknowledged by the server. */
export function pendingChangeCount(tx: Pick<Tx, 'select'>): number {
  const row = tx
    .select({ n: sql<number>`count(*)` })
    .from(outbox)
    .where(sql`${outbox.pushedAt} IS NULL`)
    .get()
  return row?.n ?? 0
}

/**
 * insertSynced for many rows of one table (imports): the same row and outbox entry per row, but with statements prepared once instead of built by drizzle per row —
 * building and preparing was 75% of a 50k-row village import. Returns the ids, in order.
 */
export function insertSyncedMany(tx: Tx, cx: ChangeContext, tableName: SyncedTableName, rows: Row[]): string[] {
  if (rows.length === 0) return []
  checkWriter(tx, tableName)
  const client = (tx as unknown as { session: { client: import('better-sqlite3').Database } }).session.client
  const columns = columnsOf(tableName)
  const table = getTableConfigName(tableName)
  const inserts = new Map<string, import('better-sqlite3').Statement>()
  const outboxStmt = client.prepare(
    'INSERT INTO outbox (device_seq, change_id, device_id, hlc, table_name, row_id, op, fields, base, schema_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const seqRow = client.prepare("SELECT value FROM sync_state WHERE key = 'device_seq'").get() as { value: string } | undefined
  let seq = Number(seqRow?.value ?? 0)
  const ids: string[] = []
  const bookkeeping = bookkeepingOf(tableName)
  const delta = new ChecksumDelta()
  for (const values of rows) {
    const id = typeof values.id === 'string' ? values.id : uuidv7()
    const hlc = cx.clock.now()
    const now = cx.now()
    const row = Object.fromEntries(Object.entries({ ...values, id, createdAt: now, updatedAt: now, hlc }).filter(([, v]) => v !== undefined))
    checkRules(
      tableName,
      id,
      'insert',
      Object.fromEntries(
        Object.entries(row)
          .filter(([p]) => !bookkeeping.has(p))
          .map(([p, v]) => [columns[p]!.name, v]),
      ),
    )
    const props = Object.keys(row)
    const key = props.join(',')
    let insert = inserts.get(key)
    if (!insert) {
      insert = client.prepare(`INSERT INTO "${table}" (${props.map((p) => `"${columns[p]!.name}"`).join(', ')}) VALUES (${props.map(() => '?').join(', ')})`)
      inserts.set(key, insert)
    }
    insert.run(...props.map((p) => columns[p]!.mapToDriverValue(row[p]) as never))
    const fields: Row = {}
    const base: Record<string, null> = {}
    for (const prop of props) {
      if (bookkeeping.has(prop)) continue
      const column = columns[prop]!.name
      fields[column] = row[prop]
      base[column] = null
    }
    // A new row: no version before, this change's HLC after (none for a row born deleted).
    if (!row.deletedAt) delta.change(tableName, id, null, hlc)
    outboxStmt.run(++seq, uuidv7(), cx.deviceId, hlc, tableName, id, 'insert', JSON.stringify(fields), JSON.stringify(base), cx.schemaVersion, now)
    ids.push(id)
  }
  client.prepare("INSERT INTO sync_state (key, value) VALUES ('device_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(seq))
  commitChecksum(tx, delta)
  persistClock(tx, cx)
  return ids
}

const getTableConfigName = (tableName: SyncedTableName) => getTableName(syncedTables[tableName].table)
