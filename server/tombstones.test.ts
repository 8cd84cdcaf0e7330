import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enrol, runSync } from '../electron/core/sync/engine'
import { openTestCore } from '../electron/core/testing'
import { runAdmin } from './cli'
import { checkpoint, purgeTombstones, query, scopeChecksum } from './sync'
import { startTestHq, type TestHq } from './testing'

type Device = ReturnType<typeof openTestCore>

describe('tombstones: counted nowhere, purged after the retention', () => {
  let hq: TestHq
  const devices: Device[] = []
  const device = async (name: string) => {
    const d = openTestCore()
    devices.push(d)
    await enrol(d.ctx, hq.url, await hq.userWithCode(name, 'county_manager', ['451022']), name)
    return d
  }
  beforeAll(async () => {
    hq = await startTestHq({ keyCustomers: 0, visits: 0, tables: ['org_units', 'users', 'villages'] })
  }, 60_000)
  afterAll(async () => {
    for (const d of devices) d.dispose()
    await hq?.close()
  })

  it('a merged-away customer is a tombstone on every device; purging it later makes no one refetch except a device that never saw the delete', async () => {
    const a = await device('a')
    const b = await device('b')
    const late = await device('late')
    await runSync(a.ctx)
    const villageId = (a.ctx.db.$client.prepare('SELECT id FROM villages ORDER BY id LIMIT 1').get() as { id: string }).id
    const keep = await a.call('customers.create', { name: '黄建国', category: 'commerce', villageId, phone: '13900001111' })
    const drop = await a.call('customers.create', { name: '黄建国（旧档）', category: 'commerce', villageId, phone: '13900002222' })
    await runSync(a.ctx)
    expect((await runSync(late.ctx)).checkpoint).toBe('ok') // holds both customers, then stays away
    await a.call('customers.merge', { keepId: keep.id, dropId: drop.id })
    expect((await runSync(a.ctx)).checkpoint).toBe('ok')
    expect((await runSync(b.ctx)).checkpoint).toBe('ok')
    const tombstone = (d: Device) =>
      d.ctx.db.$client.prepare('SELECT deleted_at FROM key_customers WHERE id = ?').get(drop.id) as { deleted_at: string | null } | undefined
    expect(tombstone(b)?.deleted_at).toBeTruthy()

    // The running checksum in the aggregates equals a scan of live rows.
    expect(await scopeChecksum(hq.store.db, '*')).toEqual(await checkpoint(hq.store.db, '*', Number.MAX_SAFE_INTEGER))

    // Too young to purge; then aged past the retention.
    expect((await purgeTombstones(hq.store.db)).purged).toBe(0)
    await expect(purgeTombstones(hq.store.db, 30)).rejects.toThrow(/at least 180 days/)
    await hq.store.db.execute(sql`UPDATE rows SET updated_at = now() - interval '200 days' WHERE deleted`)
    const out = await runAdmin(['purge-tombstones'], hq.store.db)
    expect(out.code).toBe(0)
    expect(JSON.parse(out.out)).toMatchObject({ purged: 1 })
    expect(await query(hq.store.db, sql`SELECT 1 FROM rows WHERE row_id = ${drop.id}`)).toEqual([])

    // Devices that saw the delete: nothing to do, checkpoint still ok, no refetch.
    for (const d of [a, b]) {
      const r = await runSync(d.ctx)
      expect(r).toMatchObject({ checkpoint: 'ok', refetched: false, pulledRows: 0 })
    }
    // The device that last synced before the delete refetches and no longer holds the customer.
    const r = await runSync(late.ctx)
    expect(r).toMatchObject({ refetched: true, checkpoint: 'ok' })
    expect(tombstone(late)).toBeUndefined()
    expect(late.ctx.db.$client.prepare('SELECT count(*) AS n FROM key_customers WHERE id = ?').get(keep.id)).toEqual({ n: 1 })
    // A new device never sees it.
    const fresh = await device('fresh')
    expect((await runSync(fresh.ctx)).checkpoint).toBe('ok')
    expect(tombstone(fresh)).toBeUndefined()
  })
})
