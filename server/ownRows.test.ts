// A device's own writes are not pulled back to it (bench: 20 KB of a day's 29 KB were the echo),
// unless the server's row is not exactly what the device holds; and the checkpoint aggregates the
// triggers keep equal a full scan, on the server and on the device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localCheckpoint, storedChecksum } from '../electron/core/db/repos/sync'
import { enrol, runSync } from '../electron/core/sync/engine'
import { openTestCore } from '../electron/core/testing'
import { checkpoint, query, scopeChecksum } from './sync'
import { backends, startTestHq, type TestHq } from './testing'
import { sql } from 'drizzle-orm'

type Device = ReturnType<typeof openTestCore>
const REGION = '451022-G03'
const villageIn = (d: Device, n: number) =>
  (
    d.ctx.db.$client
      .prepare('SELECT v.id FROM villages v JOIN org_units g ON g.id = v.grid_id WHERE g.code = ? ORDER BY v.id LIMIT 1 OFFSET ?')
      .get(REGION, n) as { id: string }
  ).id
const notesOf = (d: Device, id: string) =>
  d.ctx.db.$client.prepare('SELECT notes, households FROM villages WHERE id = ?').get(id) as { notes: string | null; households: number | null }

describe.each(backends)('own writes are not echoed (%s)', (backend) => {
  let hq: TestHq
  let a: Device
  let b: Device
  beforeAll(async () => {
    hq = await startTestHq(undefined, { backend })
    a = openTestCore()
    b = openTestCore()
    await enrol(a.ctx, hq.url, await hq.userWithCode('lisi', 'grid_manager', [REGION]), 'laptop A')
    await enrol(b.ctx, hq.url, await hq.userWithCode('wangwu', 'county_manager', ['451022']), 'laptop B')
    expect((await runSync(a.ctx)).checkpoint).toBe('ok')
    expect((await runSync(b.ctx)).checkpoint).toBe('ok')
  })
  afterAll(async () => {
    a?.dispose()
    b?.dispose()
    await hq?.close()
  })

  const checksumsAgree = async () => {
    for (const scope of ['*' as const, [REGION], ['451022', REGION]]) {
      const max = Number((await query<{ m: string }>(hq.store.db, sql`SELECT coalesce(max(server_seq), 0)::text AS m FROM rows`))[0]!.m)
      expect(await scopeChecksum(hq.store.db, scope)).toEqual(await checkpoint(hq.store.db, scope, max))
    }
    for (const d of [a, b]) expect(storedChecksum(d.ctx.db.$client)).toEqual(localCheckpoint(d.ctx.db.$client))
  }

  it('a sync that only pushed pulls nothing back: my edits and my new rows stay home', async () => {
    const id = villageIn(a, 0)
    await a.call('villages.update', { id, patch: { households: 501, notes: 'mine' } })
    await a.call('villages.update', { id: villageIn(a, 1), patch: { households: 502 } })
    const report = await runSync(a.ctx)
    expect(report.results).toEqual({ applied: 2, superseded: 0, conflict: 0, rejected: 0 })
    expect(report.pulledRows).toBe(0)
    expect(report.checkpoint).toBe('ok')
    expect(report.warnings).toEqual([])
    // The other device still receives them.
    const rb = await runSync(b.ctx)
    expect(rb.pulledRows).toBe(2)
    expect(notesOf(b, id)).toEqual({ notes: 'mine', households: 501 })
    await checksumsAgree()
  })

  it('a row another device changed after my write is sent to me', async () => {
    const id = villageIn(a, 2)
    await a.call('villages.update', { id, patch: { households: 610 } })
    expect((await runSync(a.ctx)).pulledRows).toBe(0)
    await runSync(b.ctx)
    await b.call('villages.update', { id, patch: { notes: 'from B' } })
    await runSync(b.ctx)
    const ra = await runSync(a.ctx)
    expect(ra.pulledRows).toBe(1)
    expect(notesOf(a, id)).toEqual({ notes: 'from B', households: 610 })
    expect(ra.checkpoint).toBe('ok')
    await checksumsAgree()
  })

  it("my write merged with another device's field I had not pulled yet is sent to me", async () => {
    const id = villageIn(a, 3)
    await b.call('villages.update', { id, patch: { notes: 'B first' } })
    // A later row of B's: A's pull pages past B's write of this village before reaching A's own.
    await b.call('villages.update', { id: villageIn(a, 7), patch: { notes: 'B second' } })
    await runSync(b.ctx)
    // A edits another field without having pulled B's edit: the server's row is B's notes + A's households.
    await a.call('villages.update', { id, patch: { households: 620 } })
    const ra = await runSync(a.ctx, { pullLimit: 1 })
    expect(ra.results.applied).toBe(1)
    expect(ra.pulledRows).toBe(2)
    expect(notesOf(a, id)).toEqual({ notes: 'B first', households: 620 })
    expect(ra.checkpoint).toBe('ok')
    // My next write on top of that merged row is mine alone again: not echoed.
    await a.call('villages.update', { id, patch: { households: 621 } })
    expect((await runSync(a.ctx)).pulledRows).toBe(0)
    await checksumsAgree()
  })

  it("conflicting and identical edits: I end with the server's row and no echo is needed", async () => {
    const id = villageIn(a, 4)
    await a.call('villages.update', { id, patch: { households: 700, notes: 'same words' } })
    await b.call('villages.update', { id, patch: { households: 701, notes: 'same words' } })
    await runSync(b.ctx)
    const ra = await runSync(a.ctx)
    expect(ra.results.conflict).toBe(1)
    expect(notesOf(a, id)).toEqual({ notes: 'same words', households: 701 })
    expect(ra.checkpoint).toBe('ok')
    expect(ra.warnings).toEqual([])
    await checksumsAgree()
  })

  it('a rejected change of mine means the row is sent back even after a later clean write', async () => {
    const id = villageIn(a, 5)
    const before = notesOf(a, id)
    await a.call('villages.update', { id, patch: { notes: 'refused' } })
    // Make the server refuse it (as if validation rules differed): an unknown field.
    a.ctx.db.$client
      .prepare(`UPDATE outbox SET fields = json_set(fields, '$.no_such_field', 1), base = json_set(base, '$.no_such_field', NULL) WHERE pushed_at IS NULL`)
      .run()
    // A clean write in the same batch makes the row's version mine on both sides: the checkpoint
    // alone would not notice the refused value, so the row must come back.
    await a.call('villages.update', { id, patch: { households: 630 } })
    const ra = await runSync(a.ctx)
    expect(ra.results).toEqual({ applied: 1, superseded: 0, conflict: 0, rejected: 1 })
    expect(ra.refetched).toBe(false)
    expect(ra.pulledRows).toBe(1)
    expect(notesOf(a, id)).toEqual({ notes: before.notes, households: 630 })
    expect(ra.checkpoint).toBe('ok')
  })

  it('a refetch receives my own rows too (nothing of mine is swept away)', async () => {
    const id = villageIn(a, 6)
    await a.call('villages.update', { id, patch: { households: 640, notes: 'kept through refetch' } })
    await runSync(a.ctx)
    const rows = (a.ctx.db.$client.prepare('SELECT count(*) AS n FROM villages').get() as { n: number }).n
    a.ctx.db.$client.prepare("INSERT INTO sync_state (key, value) VALUES ('refetch', '1') ON CONFLICT (key) DO UPDATE SET value = '1'").run()
    const ra = await runSync(a.ctx)
    expect(ra.refetched).toBe(true)
    expect(ra.dropped).toBe(0)
    expect((a.ctx.db.$client.prepare('SELECT count(*) AS n FROM villages').get() as { n: number }).n).toBe(rows)
    expect(notesOf(a, id)).toEqual({ notes: 'kept through refetch', households: 640 })
    expect(ra.checkpoint).toBe('ok')
    await checksumsAgree()
  })

  it('a running checksum gone wrong is rebuilt by a full scan, not a refetch', async () => {
    a.ctx.db.$client.prepare("UPDATE sync_state SET value = '1:1' WHERE key = 'checksum'").run()
    const ra = await runSync(a.ctx)
    expect(ra.refetched).toBe(false)
    expect(ra.checkpoint).toBe('ok')
    expect(ra.warnings.map((w) => w.code)).toEqual(['checksum_rebuilt'])
    expect(storedChecksum(a.ctx.db.$client)).toEqual(localCheckpoint(a.ctx.db.$client))
  })
})
