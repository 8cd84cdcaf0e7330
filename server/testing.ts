// Test helper: a real HQ server over HTTP on 127.0.0.1 (random port) with a small demo county as
// master data and users assigned to grids. Storage: in-memory PGlite, or a real PostgreSQL on the
// GRIDDESK_PG_URL server (a fresh database with a random name per server, dropped on close).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { assignRegion, createUser, issueEnrolCode, type Role } from './accounts'
import { buildServer } from './app'
import { openStore, type HqStore } from './db/client'
import { importDemoCounty, type ImportOptions } from './masterData'

export type Backend = 'pglite' | 'postgres'

/**
 * The storage backends server tests run against: PGlite and PostgreSQL. GRIDDESK_PG_URL names a
 * server and a role allowed to CREATE DATABASE (e.g. postgres://griddesk:pw@127.0.0.1:5432/postgres;
 * .ci/run sets it up). Without it the PostgreSQL cases fail and say so, never skip in silence;
 * GRIDDESK_SKIP_PG=1 runs PGlite only, on purpose. Use as `describe.each(backends)('… (%s)', …)`.
 */
export const withPostgres = process.env.GRIDDESK_SKIP_PG !== '1'
export const backends: Backend[] = withPostgres ? ['pglite', 'postgres'] : ['pglite']

export interface TestDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

/** CREATE DATABASE with a random name on the GRIDDESK_PG_URL server; drop() removes it (WITH FORCE). */
export async function createTestDatabase(adminUrl = process.env.GRIDDESK_PG_URL): Promise<TestDatabase> {
  if (!adminUrl)
    throw new Error(
      'GRIDDESK_PG_URL is not set: the PostgreSQL cases need a server (postgres://user:pw@127.0.0.1:5432/postgres, a role with CREATEDB; .ci/run starts one). Set GRIDDESK_SKIP_PG=1 to run on PGlite only.',
    )
  const name = `griddesk_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}

/** Runs a dump's SQL on a PostgreSQL database (by URL) or a PGlite data directory, on its own connection. */
async function restoreDump(dump: string, target: string): Promise<void> {
  if (target.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: target })
    await client.connect()
    try {
      await client.query(dump)
    } finally {
      await client.end()
    }
    return
  }
  const client = new PGlite(target)
  try {
    await client.exec(dump)
  } finally {
    await client.close()
  }
}

export interface TestHq {
  url: string
  store: HqStore
  app: FastifyInstance
  backend: Backend
  /** Creates a user with regions and returns a fresh one-time enrolment code for them. */
  userWithCode(name: string, role: Role, regions: string[]): Promise<string>
  code(name: string): Promise<string>
  close(): Promise<void>
}

/**
 * `restore`: SQL a pg_dump of an HQ database wrote (plain, --inserts, no psql meta-commands),
 * loaded before the store opens, so this build's migrations upgrade it as they would a real HQ's.
 */
export async function startTestHq(
  demo: ImportOptions | false = { keyCustomers: 0, visits: 0, tables: ['org_units', 'villages'] },
  options: { backend?: Backend; restore?: string; basemapsDir?: string } = {},
): Promise<TestHq> {
  const backend = options.backend ?? 'pglite'
  const database = backend === 'postgres' ? await createTestDatabase() : undefined
  const dataDir = options.restore && !database ? mkdtempSync(join(tmpdir(), 'griddesk-hq-')) : undefined
  const removeDataDir = () => dataDir && rmSync(dataDir, { recursive: true, force: true })
  let store: HqStore
  try {
    if (options.restore) await restoreDump(options.restore, database?.url ?? dataDir!)
    store = await openStore(database ? { databaseUrl: database.url } : { dataDir })
  } catch (error) {
    await database?.drop()
    removeDataDir()
    throw error
  }
  if (demo) await importDemoCounty(store.db, demo)
  const app = await buildServer({ db: store.db, ...(options.basemapsDir ? { basemapsDir: options.basemapsDir } : {}) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    url,
    store,
    app,
    backend,
    async userWithCode(name, role, regions) {
      await createUser(store.db, name, role)
      for (const region of regions) await assignRegion(store.db, name, region)
      return (await issueEnrolCode(store.db, name)).code
    },
    code: async (name) => (await issueEnrolCode(store.db, name)).code,
    async close() {
      await app.close()
      await store.close()
      await database?.drop()
      removeDataDir()
    },
  }
}
