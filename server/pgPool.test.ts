// HQ's PostgreSQL pool keeps its connections through failures: a transaction whose BEGIN fails
// (a connection PostgreSQL terminated while idle, handed out before the pool noticed) gives its
// client back, destroyed, instead of losing it (a pool that lost all of them waits forever).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { openStore, type HqStore } from './db/client'
import { createTestDatabase, withPostgres, type TestDatabase } from './testing'

describe.runIf(withPostgres)('PostgreSQL pool under failing connections', () => {
  let database: TestDatabase
  let store: HqStore
  let pool: pg.Pool
  beforeAll(async () => {
    database = await createTestDatabase()
    store = await openStore({ databaseUrl: database.url })
    pool = (store.db as unknown as { $client: pg.Pool }).$client
  })
  afterAll(async () => {
    await store?.close()
    await database?.drop()
  })

  const terminated = (error: unknown) => /Connection terminated/.test(String((error as { cause?: Error }).cause?.message ?? (error as Error).message))
  /** The next client handed out fails its first statement as a terminated connection does. */
  const failNextStatement = (when: (text: string) => boolean) =>
    pool.once('acquire', (client) => {
      const original = client.query.bind(client) as (...args: unknown[]) => unknown
      client.query = ((...args: unknown[]) => {
        const first = args[0]
        const text = typeof first === 'string' ? first : ((first as { text?: string }).text ?? '')
        if (!when(text)) return original(...args)
        client.query = original as typeof client.query
        return Promise.reject(Object.assign(new Error('Connection terminated unexpectedly'), {}))
      }) as typeof client.query
    })

  it('a failed BEGIN releases its client (destroyed), and later transactions still get connections', async () => {
    for (let i = 0; i < 12; i++) {
      failNextStatement((text) => text.startsWith('begin'))
      await expect(store.db.transaction(async (tx) => tx.execute(sql`SELECT 1`))).rejects.toSatisfy(terminated)
      expect(pool.totalCount - pool.idleCount).toBe(0)
    }
    expect(await store.db.transaction(async (tx) => ((await tx.execute(sql`SELECT 2 AS n`)) as unknown as { rows: { n: number }[] }).rows[0]!.n)).toBe(2)
  })

  it('a failed ROLLBACK keeps the transaction’s own error and releases the client', async () => {
    failNextStatement((text) => text === 'rollback')
    await expect(
      store.db.transaction(async () => {
        throw new Error('the work failed')
      }),
    ).rejects.toThrow('the work failed')
    expect(pool.totalCount - pool.idleCount).toBe(0)
  })

  it('a failed COMMIT releases the client', async () => {
    failNextStatement((text) => text === 'commit')
    await expect(store.db.transaction(async (tx) => tx.execute(sql`SELECT 1`))).rejects.toSatisfy(terminated)
    expect(pool.totalCount - pool.idleCount).toBe(0)
  })

  it('a pool of one connection migrates a fresh database (the primary of npm run hq --workers N opens one)', async () => {
    const fresh = await createTestDatabase()
    try {
      const started = performance.now()
      const one = await openStore({ databaseUrl: fresh.url, poolSize: 1 })
      try {
        expect(performance.now() - started).toBeLessThan(10_000)
        const tables = (await one.db.execute(sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'rows'`)) as unknown as {
          rows: { n: number }[]
        }
        expect(tables.rows[0]!.n).toBe(1)
      } finally {
        await one.close()
      }
    } finally {
      await fresh.drop()
    }
  })
})
