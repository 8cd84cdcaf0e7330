// Opens the HQ store: PostgreSQL when DATABASE_URL is set, else embedded PGlite in a data
// directory (or in memory for tests). Both run the same drizzle migrations from server/migrations.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { PgDatabase, PgQueryResultHKT, PgTransactionConfig } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { sql, type SQL } from 'drizzle-orm'
import { drizzle as drizzlePg, NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { makeDataDirPrivate } from '../../electron/core/privateFiles'
import * as schema from './schema'

export type HqDb = PgDatabase<PgQueryResultHKT, typeof schema>
export type HqTx = Parameters<Parameters<HqDb['transaction']>[0]>[0]

export const MIGRATIONS_DIR = resolve(import.meta.dirname, '..', 'migrations')

export interface HqStore {
  db: HqDb
  kind: 'pglite' | 'postgres'
  close(): Promise<void>
  /** PostgreSQL connections this process may open (PGlite: one). */
  poolSize?: number
}

export interface StoreOptions {
  /** PostgreSQL connection string; wins over dataDir. */
  databaseUrl?: string
  /** PostgreSQL connections of this process (default defaultPoolSize()). */
  poolSize?: number
  /** Run the migrations (default true; the workers of `npm run hq --workers N` leave it to the primary). */
  migrate?: boolean
  /** PGlite data directory; omitted: in memory. */
  dataDir?: string
  /** The migrations to run (default MIGRATIONS_DIR; tests of an upgrade open a store at an older one). */
  migrationsFolder?: string
}

/** The PGlite data directory is open in another process (the running HQ, or an admin command). */
export class StoreLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly holder: string,
  ) {
    super(`the HQ store in ${dataDir} is in use by ${holder} (process ${pid}); PGlite allows one process at a time: stop it first, then run this again`)
    this.name = 'StoreLockedError'
  }
}

const LOCK_FILE = 'griddesk-hq.lock'
const heldHere = new Set<string>()
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * One process at a time on a PGlite directory: a lock file with the holder's pid, taken with
 * O_EXCL. A lock left by a process that is gone (kill -9, power cut) is taken over.
 */
function lockDataDir(dataDir: string, holder: string): () => void {
  const path = resolve(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600)
      writeSync(fd, JSON.stringify({ pid: process.pid, holder, since: new Date().toISOString() }))
      closeSync(fd)
      heldHere.add(path)
      return () => {
        heldHere.delete(path)
        try {
          unlinkSync(path)
        } catch {
          // already gone
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let owner: { pid?: number; holder?: string } = {}
      try {
        owner = JSON.parse(readFileSync(path, 'utf8')) as typeof owner
      } catch {
        // being written, or damaged: judged by its pid below (none: stale)
      }
      const pid = Number(owner.pid)
      const mine = pid === process.pid && !heldHere.has(path)
      if (Number.isInteger(pid) && pid > 0 && alive(pid) && !mine) throw new StoreLockedError(dataDir, pid, owner.holder ?? 'another process')
      try {
        unlinkSync(path) // stale
      } catch {
        // taken over by someone else meanwhile: try again
      }
    }
  }
  throw new StoreLockedError(dataDir, 0, 'another process')
}

/**
 * drizzle's node-postgres transaction (0.45) sends BEGIN before its try block, so a BEGIN that
 * fails never releases its client: a connection PostgreSQL terminated while it sat idle in the
 * pool, handed out before the pool saw its 'error', is lost to the pool for good, and once `max`
 * are lost every request waits for a connection forever. It also throws a failed ROLLBACK's error
 * instead of the transaction's. This is the same transaction with BEGIN inside the try, the
 * transaction's own error kept, and a client whose BEGIN, COMMIT or ROLLBACK failed released with
 * the error, so the pool destroys it instead of handing it out again mid-transaction.
 */
type SessionInternals = {
  client: pg.Pool | pg.PoolClient
  dialect: ConstructorParameters<typeof NodePgSession>[1]
  schema: ConstructorParameters<typeof NodePgSession>[2]
  options: ConstructorParameters<typeof NodePgSession>[3]
}
const MIGRATION_LOCK = 0x67726d67 // 'grmg'

/** The longest a request waits for a free PostgreSQL connection before HQ answers 503. */
export const POOL_WAIT_MS = 15_000

const patchedSessions = new WeakSet<object>()
function releaseClientsOnFailedBegin(): void {
  const proto = NodePgSession.prototype as unknown as { transaction: unknown }
  if (patchedSessions.has(proto)) return
  patchedSessions.add(proto)
  proto.transaction = async function (
    this: SessionInternals,
    transaction: (tx: NodePgTransaction<Record<string, unknown>, never>) => Promise<unknown>,
    config?: PgTransactionConfig,
  ): Promise<unknown> {
    const isPool = this.client instanceof pg.Pool
    const client = isPool ? await (this.client as pg.Pool).connect() : undefined
    const session = client
      ? new NodePgSession(client, this.dialect, this.schema, this.options)
      : (this as unknown as NodePgSession<Record<string, unknown>, never>)
    const tx = new NodePgTransaction<Record<string, unknown>, never>(this.dialect, session, this.schema as never)
    let broken: Error | undefined
    try {
      try {
        await tx.execute(
          sql`begin${config ? sql` ${(tx as unknown as { getTransactionConfigSQL(c: PgTransactionConfig): SQL }).getTransactionConfigSQL(config)}` : sql``}`,
        )
      } catch (error) {
        broken = error as Error
        throw error
      }
      let result: unknown
      try {
        result = await transaction(tx)
      } catch (error) {
        try {
          await tx.execute(sql`rollback`)
        } catch (rollbackError) {
          broken = rollbackError as Error
        }
        throw error
      }
      try {
        await tx.execute(sql`commit`)
      } catch (error) {
        broken = error as Error
        throw error
      }
      return result
    } finally {
      client?.release(broken)
    }
  }
}

/**
 * Connections that keep a PostgreSQL server busy without queueing inside it: about two per core
 * of the machine (a sync request is short statements, CPU-bound in the database), at least 4, at
 * most 32; shared by the workers of one HQ. PostgreSQL's max_connections must exceed the sum over
 * the HQ processes using it.
 */
export function defaultPoolSize(cores = availableParallelism(), workers = 1): number {
  return Math.max(2, Math.ceil(Math.min(32, Math.max(4, 2 * cores + 2)) / workers))
}

export async function openStore(options: StoreOptions & { holder?: string; onPoolError?: (error: Error) => void }): Promise<HqStore> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? defaultPoolSize(),
      // A pool with no connection free for this long answers 503 (databaseUnavailable), never waits for ever.
      connectionTimeoutMillis: POOL_WAIT_MS,
      // A transaction left open by a lost client cannot hold its locks (a device's, a row's) for ever.
      idle_in_transaction_session_timeout: 60_000,
      // No JIT: HQ's statements are short, and a pull's per-region scan (estimated from a row
      // comparison, not its few real rows) crossed jit_above_cost and compiled for ~0.5 s.
      options: '-c jit=off',
    })
    // A database restart (or pg_terminate_backend) breaks idle connections: node-postgres emits
    // 'error' on the pool, which would kill the process unhandled. The broken client is dropped
    // and the next query connects again; a query in flight fails and its request answers 500.
    const lost = options.onPoolError ?? ((e: Error) => console.warn(`PostgreSQL connection lost (${e.message}); reconnecting on the next query`))
    pool.on('error', lost)
    // A client checked out of the pool (inside a transaction, between two queries) has no pool
    // listener: its 'error' would be uncaught. Its query fails on its own (and is reported with
    // its request); the client is discarded. Idle clients still report through the pool.
    pool.on('connect', (client) => client.on('error', () => undefined))
    releaseClientsOnFailedBegin()
    const db = drizzlePg(pool, { schema })
    if (options.migrate !== false) {
      // Several HQ processes may start at once on one database: one migrates, the others wait for it.
      const holder = await pool.connect()
      try {
        await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
        // On the lock's own connection: a pool of one (the primary of `npm run hq --workers N`)
        // has no second one, and waited for it until the pool's timeout.
        await migratePg(drizzlePg(holder, { schema }), { migrationsFolder: options.migrationsFolder ?? MIGRATIONS_DIR })
      } finally {
        await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined)
        holder.release()
      }
    }
    return { db: db as unknown as HqDb, kind: 'postgres', close: () => pool.end(), poolSize: pool.options.max }
  }
  if (options.dataDir) makeDataDirPrivate(options.dataDir)
  const unlock = options.dataDir ? lockDataDir(options.dataDir, options.holder ?? 'an HQ process') : () => undefined
  try {
    const client = options.dataDir ? new PGlite(options.dataDir) : new PGlite()
    const db = drizzlePglite(client, { schema })
    await migratePglite(db, { migrationsFolder: options.migrationsFolder ?? MIGRATIONS_DIR })
    // PGlite (its Emscripten file layer) creates its files 0666 whatever the umask; its folders
    // keep the umask (0700), so no other user reaches them while it runs, and the files are
    // narrowed to 0600 once open and again when closed (dataDir.ts).
    if (options.dataDir) makeDataDirPrivate(options.dataDir)
    return {
      db: db as unknown as HqDb,
      kind: 'pglite',
      close: async () => {
        try {
          await client.close()
          if (options.dataDir) makeDataDirPrivate(options.dataDir)
        } finally {
          unlock()
        }
      },
    }
  } catch (error) {
    unlock()
    throw error
  }
}
