// Writes of synced data. Each write changes the row, appends its outbox entry (gapless
// device_seq, HLC, changed fields and their base versions) and bumps the per-field clock, all
// inside the caller's transaction: a change is never stored without its sync record.
import { and, eq, getTableColumns, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { v7 as uuidv7 } from 'uuid'
import { AppError } from '../../../../shared/errors'
import type { HybridClock } from '../../sync/hlc'
import type { Tx } from '../client'
import { fieldVersions, outbox, syncedTables, syncState, type SyncedTableName } from '../schema'

export interface ChangeContext {
  deviceId: string
  clock: HybridClock
  schemaVersion: number
  /** ISO-8601 UTC now. */
  now: () => string
}

type Row = Record<string, unknown>
const bookkeeping = new Set(['id', 'createdAt', 'updatedAt', 'hlc'])

function columnsOf(tableName: SyncedTableName): Record<string, SQLiteColumn> {
  return getTableColumns(syncedTables[tableName].table) as Record<string, SQLiteColumn>
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

function appendChange(
  tx: Tx,
  cx: ChangeContext,
  tableName: SyncedTableName,
  rowId: string,
  op: 'insert' | 'update' | 'delete',
  changed: Row,
  hlc: string,
): void {
  const columns = columnsOf(tableName)
  const fields: Row = {}
  const base: Record<string, string | null> = {}
  const versions = tx
    .select({ field: fieldVersions.field, hlc: fieldVersions.hlc })
    .from(fieldVersions)
    .where(and(eq(fieldVersions.tableName, tableName), eq(fieldVersions.rowId, rowId)))
    .all()
  const versionOf = new Map(versions.map((v) => [v.field, v.hlc]))
  for (const [prop, value] of Object.entries(changed)) {
    const column = columns[prop]!.name
    fields[column] = value
    base[column] = versionOf.get(column) ?? null
    tx.insert(fieldVersions)
      .values({ tableName, rowId, field: column, hlc })
      .onConflictDoUpdate({ target: [fieldVersions.tableName, fieldVersions.rowId, fieldVersions.field], set: { hlc } })
      .run()
  }
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
  tx.insert(syncedTables[tableName].table).values(row as never).run()
  const recorded = Object.fromEntries(Object.entries(row).filter(([k, v]) => !bookkeeping.has(k) && v !== undefined))
  appendChange(tx, cx, tableName, id, 'insert', recorded, hlc)
  return id
}

/**
 * Updates the given fields of a synced row. Fields whose value does not change are not written
 * or recorded (an edit to the same value is not a change). Returns the fields that changed.
 */
export function updateSynced(tx: Tx, cx: ChangeContext, tableName: SyncedTableName, id: string, patch: Row): string[] {
  const table = syncedTables[tableName].table
  const columns = columnsOf(tableName)
  const current = tx
    .select()
    .from(table)
    .where(eq(columns.id!, id))
    .get() as Row | undefined
  if (!current || current.deletedAt) throw new AppError('NOT_FOUND', `${tableName} ${id} not found`, { details: { table: tableName, id } })
  const changed: Row = {}
  for (const [prop, value] of Object.entries(patch)) {
    if (!(prop in columns) || bookkeeping.has(prop)) throw new Error(`${tableName}.${prop} is not a writable field`)
    if (value !== undefined && !sameValue(current[prop], value)) changed[prop] = value
  }
  if (Object.keys(changed).length === 0) return []
  const hlc = cx.clock.now()
  tx.update(table)
    .set({ ...changed, updatedAt: cx.now(), hlc } as never)
    .where(eq(columns.id!, id))
    .run()
  appendChange(tx, cx, tableName, id, changed.deletedAt ? 'delete' : 'update', changed, hlc)
  return Object.keys(changed)
}

/** Soft-deletes (tombstones) a synced row. */
export function deleteSynced(tx: Tx, cx: ChangeContext, tableName: SyncedTableName, id: string): void {
  updateSynced(tx, cx, tableName, id, { deletedAt: cx.now() })
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a == null || b == null) return a == null && b == null
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b)
  return false
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
