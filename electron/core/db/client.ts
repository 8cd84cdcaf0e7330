// Opens the device's SQLite file through drizzle, applies migrations, sets the pragmas.
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import { registerPinyinFunction } from './pinyin'
import * as schema from './schema'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }
/** The handle inside a transaction: same API, used to make "writes only in a tx" explicit. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export interface OpenOptions {
  migrationsDir: string
  /** Path of a better_sqlite3.node built for this runtime's ABI (Electron dev runs). */
  nativeBinding?: string
  readonly?: boolean
}

export function openDatabase(file: string, options: OpenOptions): Db {
  const sqlite = new Database(file, {
    readonly: options.readonly ?? false,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  })
  sqlite.pragma('journal_mode = WAL')
  // NORMAL is durable in WAL mode against application crashes; FULL also survives power loss,
  // which a laptop in the field does lose. The cost is one fsync per transaction.
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // The customer search triggers call pinyin_key(): it must exist before any write or migration.
  registerPinyinFunction(sqlite)
  const db = drizzle(sqlite, { schema }) as Db
  if (!options.readonly) migrate(db, { migrationsFolder: options.migrationsDir })
  return db
}

/** Number of the last migration applied: the schema version sync reports. */
export function schemaVersion(db: Db): number {
  const row = db.$client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
  return row.n
}

// Prepared statements cached per connection by their SQL text: hot read paths (grid list, grid
// summary) skip re-preparing on every call.
const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>()
const dialect = new SQLiteSyncDialect()

function cachedStatement(sqlite: Database.Database, text: string): Database.Statement {
  let cache = statementCache.get(sqlite)
  if (!cache) statementCache.set(sqlite, (cache = new Map()))
  let statement = cache.get(text)
  if (!statement) cache.set(text, (statement = sqlite.prepare(text)))
  return statement
}

/** Runs a drizzle `sql` query through a cached prepared statement; rows as plain objects. */
export function allCached<T>(db: Db, query: SQL): T[] {
  const { sql: text, params } = dialect.sqlToQuery(query)
  return cachedStatement(db.$client, text).all(...params) as T[]
}

export function getCached<T>(db: Db, query: SQL): T | undefined {
  const { sql: text, params } = dialect.sqlToQuery(query)
  return cachedStatement(db.$client, text).get(...params) as T | undefined
}
