// Opens the device's SQLite file through drizzle, applies migrations, sets the pragmas.
import { closeSync, existsSync, openSync, readSync, rmSync } from 'node:fs'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import { backupNow } from './backup'
import { replaceDurably } from '../durable'
import { checkAfterOpen, checkBeforeOpen, migrationsPending, StoreError, storeErrorOf } from './health'
import { registerPinyinFunction } from './pinyin'
import { finishInterruptedBulkLoad } from './repos/bulkLoad'
import * as schema from './schema'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }
/** The handle inside a transaction: same API, used to make "writes only in a tx" explicit. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export interface OpenOptions {
  migrationsDir: string
  /** Path of a better_sqlite3.node built for this runtime's ABI (Electron dev runs). */
  nativeBinding?: string
  readonly?: boolean
  /** SQLCipher raw key (32 bytes). Every device store has one; only the bench's baseline opens in clear. */
  key?: Buffer
  /** Run the full integrity_check at open instead of quick_check (after an unclean shutdown). */
  fullCheck?: boolean
  /** Leave the quick_check to a background worker (openCore does so for large stores after a clean close). */
  deferQuickCheck?: boolean
  /** The data directory: a store about to be migrated is backed up into its backups folder first. */
  dataDir?: string
}

/** SQLCipher 4 page format (AES-256-CBC + HMAC-SHA512 per page), raw key: no KDF at open. */
export function applyKey(sqlite: Database.Database, key: Buffer, pragma: 'key' | 'rekey'): void {
  if (key.length !== 32) throw new Error('a store key is 32 bytes')
  sqlite.pragma("cipher = 'sqlcipher'")
  sqlite.pragma('legacy = 4')
  sqlite.pragma(`${pragma} = "x'${key.toString('hex')}'"`)
}

/** What the file at `file` is: absent, 0 bytes, a clear SQLite file, or (anything else) encrypted. */
export function storeFileState(file: string): 'none' | 'empty' | 'clear' | 'encrypted' {
  if (!existsSync(file)) return 'none'
  const fd = openSync(file, 'r')
  try {
    const header = Buffer.alloc(16)
    const read = readSync(fd, header, 0, 16, 0)
    if (read === 0) return 'empty'
    return read === 16 && header.toString('latin1') === 'SQLite format 3\0' ? 'clear' : 'encrypted'
  } finally {
    closeSync(fd)
  }
}

/**
 * Encrypts a clear store in place without loss: a consistent copy (VACUUM INTO, WAL included) is
 * encrypted, checked table by table against the original, flushed, and renamed over it; the
 * directory is flushed last. Until the rename the clear file is untouched, so a crash at any point
 * leaves either the clear store (done again at next open) or the encrypted one.
 */
export function encryptClearStore(file: string, key: Buffer, nativeBinding?: string): void {
  const binding = nativeBinding ? { nativeBinding } : {}
  const temp = `${file}.encrypting`
  rmSync(temp, { force: true })
  const clear = new Database(file, { fileMustExist: true, ...binding })
  const counts = (db: Database.Database) =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
      ({ name }) => `${name}:${(db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }).n}`,
    )
  let before: string[]
  try {
    clear.pragma('wal_checkpoint(TRUNCATE)')
    before = counts(clear)
    clear.prepare('VACUUM INTO ?').run(temp)
    // Leave no -wal/-shm of the clear file behind to be mistaken for the encrypted file's.
    clear.pragma('journal_mode = DELETE')
  } finally {
    clear.close()
  }
  const encrypted = new Database(temp, { fileMustExist: true, ...binding })
  try {
    applyKey(encrypted, key, 'rekey')
  } finally {
    encrypted.close()
  }
  const check = new Database(temp, { fileMustExist: true, ...binding })
  try {
    applyKey(check, key, 'key')
    const after = counts(check)
    if (after.join() !== before.join() || check.pragma('quick_check', { simple: true }) !== 'ok')
      throw new Error('the encrypted copy of the store differs from the original; the clear store was kept')
  } finally {
    check.close()
  }
  replaceDurably(temp, file)
  for (const side of ['-wal', '-shm', '-journal']) rmSync(`${file}${side}`, { force: true })
}

export function openDatabase(file: string, options: OpenOptions): Db {
  checkBeforeOpen(file)
  let sqlite: Database.Database | undefined
  // Everything until the store is ready — health check, WAL switch, pragmas, the write probe, the
  // pre-migration backup, the migrations — fails as a StoreError (read-only, full disk, damaged)
  // with what to do, never as a raw SqliteError or errno.
  try {
    sqlite = new Database(file, {
      readonly: options.readonly ?? false,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    })
    if (options.key) {
      applyKey(sqlite, options.key, 'key')
      // Pages are decrypted when they enter SQLite's page cache: a 32 MB cache (default 2 MB) keeps
      // a county's hot pages decrypted instead of decrypting them again from the OS cache.
      sqlite.pragma('cache_size = -32768')
      try {
        sqlite.prepare('SELECT count(*) FROM sqlite_master').get()
      } catch (error) {
        sqlite.close()
        // The key was checked against the store's key information before (keys.ts): a file it
        // does not decrypt is not this store, or its first page is damaged.
        if ((error as { code?: string }).code === 'SQLITE_NOTADB') throw new StoreError('notADatabase', file)
        throw error
      }
    }
    // Store health (health.ts): intact, ours, not from a newer app — before anything is written.
    checkAfterOpen(sqlite, file, options.migrationsDir, options.fullCheck, options.deferQuickCheck)
    sqlite.pragma('journal_mode = WAL')
    // NORMAL is durable in WAL mode against application crashes; FULL also survives power loss,
    // which a laptop in the field does lose. The cost is one fsync per transaction.
    sqlite.pragma('synchronous = FULL')
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('busy_timeout = 5000')
    // A WAL that grew large (a first pull's bulk load copies it once, at its end) is cut back to
    // 64 MB when it is next reset, not kept at its largest size on disk.
    sqlite.pragma('journal_size_limit = 67108864')
    // The customer search triggers call pinyin_key(): it must exist before any write or migration.
    registerPinyinFunction(sqlite)
    const db = drizzle(sqlite, { schema }) as Db
    if (!options.readonly) {
      // A store SQLite could only open read-only (a read-only file, folder or disk) is said now,
      // not at the first change: a write, rolled back, is refused with SQLITE_READONLY.
      probeWritable(sqlite)
      if (options.dataDir && migrationsPending(sqlite, options.migrationsDir)) backupNow(sqlite, options.dataDir, 'premigration')
      // The app's own open (not the import worker's) finishes a first pull's bulk load a crash cut short.
      if (options.dataDir) finishInterruptedBulkLoad(sqlite)
      migrate(db, { migrationsFolder: options.migrationsDir })
    }
    return db
  } catch (error) {
    if (sqlite?.open) sqlite.close()
    throw storeErrorOf(error, file) ?? error
  }
}

/** A write that is rolled back (nothing reaches the disk): throws SQLITE_READONLY on a store SQLite opened read-only. */
function probeWritable(sqlite: Database.Database): void {
  sqlite.exec('BEGIN')
  try {
    sqlite.pragma(`user_version = ${Number(sqlite.pragma('user_version', { simple: true }))}`)
  } finally {
    sqlite.exec('ROLLBACK')
  }
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

/** A drizzle `sql` query's text and parameters (a cache's key). */
export const queryOf = (query: SQL) => dialect.sqlToQuery(query)

/** Runs a drizzle `sql` query through a cached prepared statement; rows as plain objects. */
export function allCached<T>(db: Db, query: SQL): T[] {
  const { sql: text, params } = dialect.sqlToQuery(query)
  return cachedStatement(db.$client, text).all(...params) as T[]
}

export function getCached<T>(db: Db, query: SQL): T | undefined {
  const { sql: text, params } = dialect.sqlToQuery(query)
  return cachedStatement(db.$client, text).get(...params) as T | undefined
}
