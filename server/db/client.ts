// Opens the HQ store: PostgreSQL when DATABASE_URL is set, else embedded PGlite in a data
// directory (or in memory for tests). Both run the same drizzle migrations from server/migrations.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
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

export async function openStore(options: StoreOptions): Promise<HqStore> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 })
    const db = drizzlePg(pool, { schema })
    await migratePg(db, { migrationsFolder: MIGRATIONS_DIR })
    return { db: db as unknown as HqDb, kind: 'postgres', close: () => pool.end() }
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true })
  const client = options.dataDir ? new PGlite(options.dataDir) : new PGlite()
  const db = drizzlePglite(client, { schema })
  await migratePglite(db, { migrationsFolder: MIGRATIONS_DIR })
  return { db: db as unknown as HqDb, kind: 'pglite', close: () => client.close() }
}
