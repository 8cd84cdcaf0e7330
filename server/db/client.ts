// Opens the HQ store: PostgreSQL when DATABASE_URL is set, else embedded PGlite in a data
// directory (or in memory for tests). Both run the same drizzle migrations from server/migrations.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
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
}

export interface StoreOptions {
  /** PostgreSQL connection string; wins over dataDir. */
  databaseUrl?: string
  /** PGlite data directory; omitted: in memory. */
  dataDir?: string
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

export async function openStore(options: StoreOptions & { holder?: string; onPoolError?: (error: Error) => void }): Promise<HqStore> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 })
    // A database restart (or pg_terminate_backend) breaks idle connections: node-postgres emits
    // 'error' on the pool, which would kill the process unhandled. The broken client is dropped
    // and the next query connects again; a query in flight fails and its request answers 500.
    const lost = options.onPoolError ?? ((e: Error) => console.warn(`PostgreSQL connection lost (${e.message}); reconnecting on the next query`))
    pool.on('error', lost)
    // A client checked out of the pool (inside a transaction, between two queries) has no pool
    // listener: its 'error' would be uncaught. Its query fails on its own (and is reported with
    // its request); the client is discarded. Idle clients still report through the pool.
    pool.on('connect', (client) => client.on('error', () => undefined))
    const db = drizzlePg(pool, { schema })
    await migratePg(db, { migrationsFolder: MIGRATIONS_DIR })
    return { db: db as unknown as HqDb, kind: 'postgres', close: () => pool.end() }
  }
  if (options.dataDir) makeDataDirPrivate(options.dataDir)
  const unlock = options.dataDir ? lockDataDir(options.dataDir, options.holder ?? 'an HQ process') : () => undefined
  try {
    const client = options.dataDir ? new PGlite(options.dataDir) : new PGlite()
    const db = drizzlePglite(client, { schema })
    await migratePglite(db, { migrationsFolder: MIGRATIONS_DIR })
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
