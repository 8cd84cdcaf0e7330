// An empty device's first pull (a county: ~500k rows) written like a bulk load: the synced
// tables' secondary indexes and the triggers that keep the local derived tables (customer and
// place search, the map's visit rollups, each customer's last visit) are set aside while the
// pages are applied, then the indexes are built once by sorting and the derived tables once
// by set-based statements. Row by row, a page of visits costs 3–7× more (random inserts into
// growing indexes, one trigger program per row), and derived rows written in arrival order miss
// a customer that arrives after its visits.
//
// Crash safety: what was set aside is stored (sync_state 'bulk_load', with each object's SQL)
// in the same transaction that drops it, and the store is never left that way: the pull's last
// page finishes the load in its own transaction, a pull that stops early finishes it on the way
// out, and opening the store finishes a load a crash interrupted (before any migration runs).
import type BetterSqlite3 from 'better-sqlite3'
import { syncedTables } from '../schema'

type Sqlite = BetterSqlite3.Database

const BULK_LOAD_KEY = 'bulk_load'

/** Below this many rows a first pull is written row by row (the rebuild's fixed cost is not worth it). */
export const BULK_LOAD_MIN_ROWS = 10_000

/**
 * The page cache while a load runs (KiB; the store's usual one is 32 MB). Building the indexes and
 * the derived tables reads the visits table once per statement: with the table in the cache each
 * page is decrypted once, not once per read (a county's end of load 5.8 s → 2.7 s of CPU, the
 * whole apply 15.5 s → 12.7 s). Given back when the load ends.
 */
const BULK_CACHE_KIB = 262_144
const usualCache = new WeakMap<Sqlite, number>()

/**
 * The connection's usual wal_autocheckpoint while a load holds checkpoints back. Copying the WAL
 * into the store after each page's commit (SQLite's default past 1,000 pages) cost a county's load
 * ~3 s of the pull's own thread, pages written by several commits copied once per commit; held
 * back, the WAL is copied once, by a worker thread after the pull (db/backup.ts
 * checkpointInBackground), and releaseCheckpoints gives the usual setting back.
 */
const heldCheckpoints = new WeakMap<Sqlite, number>()

/** Whether a load held this connection's checkpoints back and they have not been released. */
export const checkpointsHeld = (sqlite: Sqlite) => heldCheckpoints.has(sqlite)

/** Gives the connection its usual automatic checkpoints back (the next commit copies what is left). */
export function releaseCheckpoints(sqlite: Sqlite): void {
  const usual = heldCheckpoints.get(sqlite)
  if (usual === undefined) return
  heldCheckpoints.delete(sqlite)
  if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${usual}`)
}

function holdCheckpoints(sqlite: Sqlite): void {
  if (!heldCheckpoints.has(sqlite)) heldCheckpoints.set(sqlite, sqlite.pragma('wal_autocheckpoint', { simple: true }) as number)
  sqlite.pragma('wal_autocheckpoint = 0')
}

interface SetAside {
  indexes: { name: string; sql: string }[]
  triggers: { name: string; sql: string }[]
}

/**
 * The derived tables rebuilt from scratch, in order (as the migrations that made them filled
 * them). Their own FTS triggers (on customer_search and place_search) stay in place and follow.
 */
const REBUILD = [
  'DELETE FROM customer_search',
  `INSERT INTO customer_search (customer_id, name, pinyin, initials, phone, organisation, village)
   SELECT k.id, k.name, pinyin_key(k.name, 'full'), pinyin_key(k.name, 'initials'), coalesce(k.phone, ''), coalesce(k.organisation, ''), coalesce(v.name, '')
   FROM key_customers k LEFT JOIN villages v ON v.id = k.village_id WHERE k.deleted_at IS NULL`,
  'DELETE FROM place_search',
  `INSERT INTO place_search (kind, ref_id, name, pinyin, initials, code)
   SELECT 'village', id, name, pinyin_key(name, 'full'), pinyin_key(name, 'initials'), division_code FROM villages WHERE deleted_at IS NULL`,
  `INSERT INTO place_search (kind, ref_id, name, pinyin, initials, code)
   SELECT level, id, name, pinyin_key(name, 'full'), pinyin_key(name, 'initials'), code FROM org_units WHERE deleted_at IS NULL`,
  'DELETE FROM visit_rollup',
  `INSERT INTO visit_rollup (unit_id, day, n, last_at)
   SELECT unit, day, count(*), max(at) FROM (
     SELECT coalesce(s.village_id, k.village_id) AS unit, substr(s.checked_in_at, 1, 10) AS day, s.checked_in_at AS at
     FROM visits s NOT INDEXED LEFT JOIN key_customers k ON k.id = s.customer_id
     WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL
     UNION ALL
     SELECT s.grid_id, substr(s.checked_in_at, 1, 10), s.checked_in_at FROM visits s NOT INDEXED
     WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL
   ) WHERE unit IS NOT NULL GROUP BY unit, day`,
  'DELETE FROM customer_last_visit',
  `INSERT INTO customer_last_visit (customer_id, last_at)
   SELECT customer_id, max(checked_in_at) FROM visits NOT INDEXED
   WHERE status = 'done' AND deleted_at IS NULL AND checked_in_at IS NOT NULL AND customer_id IS NOT NULL GROUP BY customer_id`,
]

/** True when no synced table holds a row (a device before its first pull). */
export function holdsNoSyncedRows(sqlite: Sqlite): boolean {
  return Object.keys(syncedTables).every((table) => sqlite.prepare(`SELECT 1 FROM "${table}" LIMIT 1`).get() === undefined)
}

export function bulkLoadPending(sqlite: Sqlite): boolean {
  return sqlite.prepare('SELECT 1 FROM sync_state WHERE key = ?').get(BULK_LOAD_KEY) !== undefined
}

/**
 * Sets the synced tables' secondary indexes (unique ones stay: they are constraints) and every
 * trigger on them aside, recording their SQL. Runs inside the caller's transaction.
 */
export function beginBulkLoad(sqlite: Sqlite): void {
  if (bulkLoadPending(sqlite)) return
  const tables = Object.keys(syncedTables)
  const marks = tables.map(() => '?').join(', ')
  const indexes = sqlite
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN (${marks}) ORDER BY name`,
    )
    .all(...tables) as SetAside['indexes']
  const triggers = sqlite
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (${marks}) ORDER BY name`)
    .all(...tables) as SetAside['triggers']
  const aside: SetAside = { indexes, triggers }
  sqlite.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?)').run(BULK_LOAD_KEY, JSON.stringify(aside))
  for (const { name } of triggers) sqlite.exec(`DROP TRIGGER "${name}"`)
  for (const { name } of indexes) sqlite.exec(`DROP INDEX "${name}"`)
  raiseCache(sqlite)
  holdCheckpoints(sqlite)
}

function raiseCache(sqlite: Sqlite): void {
  if (!usualCache.has(sqlite)) usualCache.set(sqlite, sqlite.pragma('cache_size', { simple: true }) as number)
  sqlite.pragma(`cache_size = -${BULK_CACHE_KIB}`)
}

/**
 * Builds what beginBulkLoad set aside: the derived tables from the rows as they now stand, the
 * indexes, then the triggers. Runs inside the caller's transaction; nothing to do when no
 * load is pending. Checkpoints stay held until the caller releases them (releaseCheckpoints).
 */
export function finishBulkLoad(sqlite: Sqlite): boolean {
  const stored = sqlite.prepare('SELECT value FROM sync_state WHERE key = ?').get(BULK_LOAD_KEY) as { value: string } | undefined
  if (!stored) return false
  const aside = JSON.parse(stored.value) as SetAside
  raiseCache(sqlite)
  holdCheckpoints(sqlite)
  const exists = sqlite.prepare('SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?')
  // Derived tables first: without the secondary indexes each statement reads its tables in one
  // sequential pass (with them, SQLite may walk a partial index and fetch every row at random).
  for (const statement of REBUILD) sqlite.exec(statement)
  for (const { name, sql } of aside.indexes) if (!exists.get('index', name)) sqlite.exec(sql)
  for (const { name, sql } of aside.triggers) if (!exists.get('trigger', name)) sqlite.exec(sql)
  sqlite.prepare('DELETE FROM sync_state WHERE key = ?').run(BULK_LOAD_KEY)
  const usual = usualCache.get(sqlite)
  if (usual !== undefined) sqlite.pragma(`cache_size = ${usual}`)
  usualCache.delete(sqlite)
  return true
}

/** At open: a load a crash interrupted is finished before anything else reads or migrates the store. */
export function finishInterruptedBulkLoad(sqlite: Sqlite): boolean {
  const hasState = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'").get() !== undefined
  if (!hasState || !sqlite.transaction(() => finishBulkLoad(sqlite))()) return false
  releaseCheckpoints(sqlite)
  return true
}
