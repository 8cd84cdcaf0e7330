// Sync reliability, each case from a reproduction: oversized changes and batches never block the
// outbox, refused changes are set aside (kept, listed, never silently reverted or deleted),
// an HQ restored from a backup loses no acknowledged work, refetches resume, conflicts at HQ are
// one per field, a silent link fails in time.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { updateSynced, insertSynced } from '../electron/core/db/repos/changes'
import { pendingCount, rejectedChanges } from '../electron/core/db/repos/sync'
import { enrol, runSync } from '../electron/core/sync/engine'
import type { FetchLike } from '../electron/core/sync/hqClient'
import { asOlderRelease, openTestCore } from '../electron/core/testing'
import { assignRegion, createUser, issueEnrolCode } from './accounts'
import { compareDeviceWithHq, outboxArrivedOnce } from './faults/compare'
import { copyDir, startDirHq, type DirHq } from './faults/hq'
import { importDemoCounty } from './masterData'
import { startTestHq, type TestHq } from './testing'

type Device = ReturnType<typeof openTestCore>
const COUNTY = '451022'
const GRID = `${COUNTY}-G03`
const villagesOf = (d: Device, n: number) =>
  (d.ctx.db.$client.prepare('SELECT id FROM villages WHERE deleted_at IS NULL ORDER BY id LIMIT ?').all(n) as { id: string }[]).map((r) => r.id)
const edit = (d: Device, table: 'villages' | 'org_units', id: string, patch: Record<string, unknown>) =>
  d.ctx.db.transaction((tx) => updateSynced(tx, d.ctx.change, table, id, patch))
/**
 * A change queued by an app version before today's value rules (the outbox refuses it now):
 * recorded as an edit to `column`, then given the old version's value in the outbox.
 */
const legacyEdit = (d: Device, id: string, column: 'notes' | 'market_days', value: string) => {
  edit(d, 'villages', id, { [column === 'notes' ? 'notes' : 'marketDays']: 'legacy' })
  d.ctx.db.$client
    .prepare('UPDATE outbox SET fields = json_set(fields, ?, ?) WHERE device_seq = (SELECT max(device_seq) FROM outbox)')
    .run(`$.${column}`, value)
}
const hqRows = async <T>(hq: { store: { db: TestHq['store']['db'] } }, statement: string) =>
  ((await hq.store.db.execute(statement)) as unknown as { rows: T[] }).rows

describe('refused and oversized changes never block the outbox', () => {
  let hq: TestHq
  let device: Device
  beforeAll(async () => {
    hq = await startTestHq()
    device = openTestCore()
    await enrol(device.ctx, hq.url, await hq.userWithCode('grid-a', 'grid_manager', [GRID]), 'laptop')
    expect((await runSync(device.ctx)).checkpoint).toBe('ok')
  }, 240_000)
  afterAll(async () => {
    device?.dispose()
    await hq?.close()
  })

  it("a change queued by an older version over HQ's per-field limit is set aside with its reason; the edits after it reach HQ", async () => {
    const [big, next] = villagesOf(device, 2)
    legacyEdit(device, big!, 'notes', 'x'.repeat(273_320))
    edit(device, 'villages', next!, { households: 777 })
    const report = await runSync(device.ctx)
    expect(report.results.rejected).toBe(1)
    expect(report.results.applied).toBe(1)
    expect(pendingCount(device.ctx.db.$client)).toBe(0)
    const aside = rejectedChanges(device.ctx.db.$client)
    expect(aside[0]).toMatchObject({ table: 'villages', rowId: big, reason: expect.stringMatching(/^invalid_value/) })
    expect((aside[0]!.fields as { notes: string }).notes).toHaveLength(273_320)
    expect(report.warnings.map((w) => w.code)).toContain('changes_set_aside')
    const [row] = await hqRows<{ households: number }>(hq, `SELECT (fields->>'households')::int AS households FROM rows WHERE row_id = '${next}'`)
    expect(row!.households).toBe(777)
    // A later sync does not send it again and nothing waits.
    expect((await runSync(device.ctx)).pushed).toBe(0)
  })

  it('a batch over the body limit (413) is halved until it fits; a single change over it is set aside', async () => {
    const ids = villagesOf(device, 12)
    for (const id of ids) edit(device, 'villages', id, { notes: `村${id}`.repeat(100) })
    const lone = ids[0]!
    legacyEdit(device, lone, 'market_days', '1,4,7'.padEnd(3000, ' '))
    // A proxy in front of HQ with a small body limit: 413 above 8 KB (inflated), as fastify answers.
    let refused = 0
    const limited: FetchLike = async (url, init) => {
      if (init.body && gunzipSync(init.body).byteLength > 8_000) {
        refused++
        return new Response(JSON.stringify({ error: { code: 'BODY_TOO_LARGE', message: 'too large' } }), {
          status: 413,
          headers: { 'content-type': 'application/json' },
        })
      }
      if (init.body && init.method === 'POST' && gunzipSync(init.body).includes(Buffer.from('1,4,7'))) {
        return new Response(JSON.stringify({ error: { code: 'BODY_TOO_LARGE', message: 'the request body exceeds the limit' } }), {
          status: 413,
          headers: { 'content-type': 'application/json' },
        })
      }
      return fetch(url, init as RequestInit)
    }
    const report = await runSync(device.ctx, { fetch: limited })
    expect(refused).toBeGreaterThan(0)
    expect(report.results.applied).toBe(12)
    expect(report.results.rejected).toBe(1)
    expect(rejectedChanges(device.ctx.db.$client)[0]).toMatchObject({ rowId: lone, reason: expect.stringMatching(/^too_large/) })
    expect(pendingCount(device.ctx.db.$client)).toBe(0)
    const { problems } = await outboxArrivedOnce(device, hq.store.db)
    expect(problems).toEqual([])
  })

  it("a grid manager's grid rename and new micro-grid (read_only_table) are set aside, shown as refused, not silently reverted or deleted", async () => {
    const sqlite = device.ctx.db.$client
    const grid = sqlite.prepare('SELECT id, name, parent_id FROM org_units WHERE code = ?').get(GRID) as { id: string; name: string; parent_id: string }
    // Queued by an older release (this one refuses them on the device, read_only_table).
    const micro = await asOlderRelease(device, () => {
      edit(device, 'org_units', grid.id, { name: '改过的网格名' })
      return device.ctx.db.transaction((tx) =>
        insertSynced(tx, device.ctx.change, 'org_units', { code: `${GRID}-M1`, name: '微网格一', level: 'grid', parentId: grid.id }),
      )
    })
    const report = await runSync(device.ctx)
    expect(report.results.rejected).toBe(2)
    expect(report.warnings.map((w) => w.code)).toContain('changes_set_aside')
    // The device shows what HQ holds (the refusal is listed with the refused values) …
    expect((sqlite.prepare('SELECT name FROM org_units WHERE id = ?').get(grid.id) as { name: string }).name).toBe(grid.name)
    expect(sqlite.prepare('SELECT 1 FROM org_units WHERE id = ?').get(micro)).toBeUndefined()
    const aside = rejectedChanges(sqlite)
    expect(aside.find((c) => c.rowId === grid.id)).toMatchObject({ reason: expect.stringMatching(/^read_only_table/), fields: { name: '改过的网格名' } })
    expect(aside.find((c) => c.rowId === micro)).toMatchObject({ op: 'insert', fields: { name: '微网格一', code: `${GRID}-M1` } })
    // … and the device and HQ agree, so no refetch follows; a forced one keeps the refused changes.
    expect(report.checkpoint).toBe('ok')
    sqlite.prepare("UPDATE sync_state SET value = '1' WHERE key = 'refetch'").run()
    sqlite.prepare("INSERT INTO sync_state (key, value) VALUES ('refetch', '1') ON CONFLICT (key) DO UPDATE SET value = '1'").run()
    sqlite.prepare("UPDATE sync_state SET value = '0' WHERE key = 'pull_cursor'").run()
    const again = await runSync(device.ctx)
    expect(again.refetched).toBe(true)
    expect(again.dropped).toBe(0)
    expect(rejectedChanges(sqlite).map((c) => c.rowId)).toEqual(expect.arrayContaining([grid.id, micro]))
    expect(await compareDeviceWithHq(device, hq.store.db)).toEqual([])
  })

  it('the sync page lists every set-aside change with its values and reason; export, copy and discard are explicit', async () => {
    const listed = await device.call('sync.rejected', {})
    expect(listed.map((c) => c.reasonCode).sort()).toEqual(['invalid_value', 'read_only_table', 'read_only_table', 'too_large'])
    const status = await device.call('sync.status', {})
    expect(status.rejectedCount).toBe(4)
    expect(status.pendingChanges).toBe(0)
    const micro = listed.find((c) => c.op === 'insert')!
    expect(micro).toMatchObject({ table: 'org_units', rowLabel: '微网格一', copyable: false })
    const csv = await device.call('sync.rejectedExport', { format: 'csv' })
    expect(csv.content).toContain('微网格一')
    const json = JSON.parse((await device.call('sync.rejectedExport', { format: 'json' })).content) as { fields: Record<string, unknown> }[]
    expect(json).toHaveLength(4)
    // A village (its code is its identity) or a grid is not copied into a new record; customers, visits and work orders are.
    expect(listed.find((c) => c.reasonCode === 'too_large')!.copyable).toBe(false)
    await expect(device.call('sync.rejectedCopy', { deviceSeq: micro.deviceSeq })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect((await device.call('sync.rejectedDiscard', { deviceSeq: micro.deviceSeq })).discarded).toBe(true)
    expect((await device.call('sync.rejected', {})).map((c) => c.deviceSeq)).not.toContain(micro.deviceSeq)
    expect((await device.call('sync.status', {})).rejectedCount).toBe(3)
    // Discarded changes are still in the outbox, so HQ's sequence of this device stays whole.
    expect((await runSync(device.ctx)).pushed).toBe(0)
    expect((await outboxArrivedOnce(device, hq.store.db)).problems).toEqual([])
  })
})

describe('conflicts at HQ are one per field', () => {
  let hq: TestHq
  const devices: Device[] = []
  beforeAll(async () => {
    hq = await startTestHq()
    for (const name of ['c1', 'c2']) {
      const d = openTestCore()
      await enrol(d.ctx, hq.url, await hq.userWithCode(name, 'grid_manager', [GRID]), name)
      await runSync(d.ctx)
      devices.push(d)
    }
  }, 240_000)
  afterAll(async () => {
    for (const d of devices) d.dispose()
    await hq?.close()
  })

  it('the same field conflicting over and over is one open conflict, with the latest values', async () => {
    const [a, b] = devices as [Device, Device]
    const [id] = villagesOf(a, 1)
    edit(a, 'villages', id!, { notes: 'A0' })
    await runSync(a.ctx)
    for (let i = 1; i <= 5; i++) {
      // b never pulls in between: each of its edits is based on a version HQ no longer holds.
      edit(b, 'villages', id!, { notes: `B${i}`, households: 100 + i })
    }
    await runSync(b.ctx)
    edit(b, 'villages', id!, { notes: 'B6' })
    await runSync(b.ctx)
    const open = await hqRows<{ field: string; device_value: unknown }>(
      hq,
      `SELECT field, device_value FROM conflicts WHERE row_id = '${id}' AND resolved_at IS NULL`,
    )
    expect(open.map((c) => c.field).sort()).toEqual(['notes'])
    // The last conflicting change's value; B6 was based on HQ's value (adopted), so it applied.
    expect(open[0]!.device_value).toBe('B5')
  })
})

describe('derived values are never synced as data', () => {
  let hq: TestHq
  const devices: Device[] = []
  beforeAll(async () => {
    // With the users: a customer names its owner.
    hq = await startTestHq({ keyCustomers: 0, visits: 0, tables: ['org_units', 'users', 'villages'] })
    const grid = openTestCore()
    await enrol(grid.ctx, hq.url, await hq.userWithCode('tier-grid', 'grid_manager', [GRID]), 'grid')
    const county = openTestCore()
    await enrol(county.ctx, hq.url, await hq.userWithCode('tier-county', 'county_manager', [COUNTY]), 'county')
    for (const d of [grid, county]) {
      await runSync(d.ctx)
      devices.push(d)
    }
  }, 240_000)
  afterAll(async () => {
    for (const d of devices) d.dispose()
    await hq?.close()
  })

  it("a grid manager's and a county manager's devices both creating customers: no value_tier in any outbox, no conflict anywhere", async () => {
    const [grid, county] = devices as [Device, Device]
    // Both hold the grid's villages; the county device also the rest of the county, so the 80/20
    // tier each computes over the customers it holds differs.
    const shared = villagesOf(grid, 6)
    const countyOnly = (
      county.ctx.db.$client
        .prepare('SELECT v.id FROM villages v WHERE v.deleted_at IS NULL AND v.id NOT IN (SELECT value FROM json_each(?)) LIMIT 6')
        .all(JSON.stringify(villagesOf(grid, 10_000))) as { id: string }[]
    ).map((r) => r.id)
    expect(countyOnly.length).toBeGreaterThan(0)
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) {
        await grid.call('customers.create', {
          name: `网格客户${round}-${i}`,
          category: 'commerce',
          villageId: shared[i]!,
          monthlyRevenue: 50 + 400 * i + round,
        })
        await county.call('customers.create', {
          name: `县客户${round}-${i}`,
          category: 'commerce',
          villageId: (i % 2 ? countyOnly : shared)[i]!,
          monthlyRevenue: 3000 * (i + 1) + round,
        })
      }
      for (const d of [grid, county, grid]) {
        const report = await runSync(d.ctx)
        expect(report.results).toMatchObject({ rejected: 0, conflict: 0 })
        expect(report.pullConflicts).toBe(0)
      }
    }
    for (const d of [grid, county]) {
      const sqlite = d.ctx.db.$client
      const tierChanges = sqlite
        .prepare("SELECT count(*) AS n FROM outbox WHERE table_name = 'key_customers' AND json_extract(fields, '$.value_tier') IS NOT NULL")
        .get() as {
        n: number
      }
      expect(tierChanges.n).toBe(0)
      // One create per customer this device made, nothing else: no update flipping a tier.
      expect(sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE table_name = 'key_customers' AND op <> 'insert'").get()).toEqual({ n: 0 })
      expect(sqlite.prepare('SELECT count(*) AS n FROM sync_conflicts').get()).toEqual({ n: 0 })
    }
    expect(await hqRows<{ n: string }>(hq, 'SELECT count(*)::text AS n FROM conflicts')).toEqual([{ n: '0' }])
    expect(await hqRows<{ n: string }>(hq, "SELECT count(*)::text AS n FROM rows WHERE table_name = 'key_customers' AND fields ? 'value_tier'")).toEqual([
      { n: '0' },
    ])
  }, 240_000)
})

describe('an HQ restored from a backup', () => {
  let hqDir: string
  let backupDir: string
  let hq: DirHq | undefined
  let device: Device
  beforeAll(async () => {
    hqDir = mkdtempSync(join(tmpdir(), 'griddesk-hq-restore-'))
    backupDir = `${hqDir}-backup`
    hq = await startDirHq(hqDir)
    await importDemoCounty(hq.store.db, { keyCustomers: 0, visits: 0, tables: ['org_units', 'users', 'villages'] })
    await createUser(hq.store.db, 'restore-cm', 'county_manager')
    await assignRegion(hq.store.db, 'restore-cm', COUNTY)
    const code = (await issueEnrolCode(hq.store.db, 'restore-cm')).code
    device = openTestCore()
    await enrol(device.ctx, hq.url, code, 'laptop')
    expect((await runSync(device.ctx)).checkpoint).toBe('ok')
  }, 240_000)
  afterAll(async () => {
    device?.dispose()
    await hq?.close()
    rmSync(hqDir, { recursive: true, force: true })
    rmSync(backupDir, { recursive: true, force: true })
  })

  it('is detected; the device re-sends what HQ lost, deletes nothing, and both sides agree row by row', async () => {
    const port = hq!.port
    const before = villagesOf(device, 20)
    edit(device, 'villages', before[0]!, { notes: 'before the backup' })
    await runSync(device.ctx)
    await hq!.close()
    copyDir(hqDir, backupDir)
    hq = await startDirHq(hqDir, port)
    // Work HQ acknowledges after the backup: 5 customers and 10 village edits.
    const customers: string[] = []
    for (let i = 0; i < 5; i++)
      customers.push((await device.call('customers.create', { name: `客户${i}`, category: 'commerce', villageId: before[i]!, monthlyRevenue: 100 * i })).id)
    for (const id of before.slice(5, 15)) edit(device, 'villages', id, { households: 900 })
    const pushed = await runSync(device.ctx)
    expect(pushed.results.rejected).toBe(0)
    // HQ dies and is restored from the backup.
    await hq!.close()
    copyDir(backupDir, hqDir)
    hq = await startDirHq(hqDir, port)
    const report = await runSync(device.ctx)
    expect(report.warnings.map((w) => w.code)).toContain('hq_restored')
    expect(report.dropped).toBe(0)
    expect(report.checkpoint).toBe('ok')
    for (const id of customers) expect(device.ctx.db.$client.prepare('SELECT 1 FROM key_customers WHERE id = ?').get(id)).toBeDefined()
    const held = await hqRows<{ n: string }>(
      hq!,
      `SELECT count(*)::text AS n FROM rows WHERE table_name = 'key_customers' AND row_id IN (${customers.map((c) => `'${c}'`).join(',')})`,
    )
    expect(Number(held[0]!.n)).toBe(5)
    expect(await compareDeviceWithHq(device, hq!.store.db)).toEqual([])
    expect((await outboxArrivedOnce(device, hq!.store.db)).problems).toEqual([])
  }, 240_000)
})

describe('an interrupted refetch resumes from its last page', () => {
  let hq: TestHq
  let device: Device
  beforeAll(async () => {
    hq = await startTestHq()
    device = openTestCore()
    await enrol(device.ctx, hq.url, await hq.userWithCode('resume-cm', 'county_manager', [COUNTY]), 'laptop')
    await runSync(device.ctx)
  }, 240_000)
  afterAll(async () => {
    device?.dispose()
    await hq?.close()
  })

  it('a cut after some pages, and a restart of the device, go on from the stored cursor', async () => {
    const sqlite = device.ctx.db.$client
    sqlite.prepare("UPDATE sync_state SET value = '1' WHERE key = 'refetch'").run()
    sqlite.prepare("INSERT INTO sync_state (key, value) VALUES ('refetch', '1') ON CONFLICT (key) DO UPDATE SET value = '1'").run()
    sqlite.prepare("UPDATE sync_state SET value = '0' WHERE key = 'pull_cursor'").run()
    let pages = 0
    const cutAfter3: FetchLike = async (url, init) => {
      if (url.includes('/v1/pull') && ++pages > 3) throw new TypeError('terminated')
      return fetch(url, init as RequestInit)
    }
    await expect(runSync(device.ctx, { fetch: cutAfter3, pullLimit: 5 })).rejects.toMatchObject({ code: 'NETWORK' })
    const cursor = Number((sqlite.prepare("SELECT value FROM sync_state WHERE key = 'pull_cursor'").get() as { value: string }).value)
    expect(cursor).toBeGreaterThan(0)
    const cursors: number[] = []
    const watch: FetchLike = async (url, init) => {
      if (url.includes('/v1/pull')) cursors.push(Number(new URL(url).searchParams.get('cursor')))
      return fetch(url, init as RequestInit)
    }
    const report = await runSync(device.ctx, { fetch: watch, pullLimit: 5 })
    expect(cursors[0]).toBe(cursor)
    expect(report.refetched).toBe(true)
    expect(report.checkpoint).toBe('ok')
    expect(report.dropped).toBe(0)
    expect(await compareDeviceWithHq(device, hq.store.db)).toEqual([])
  })

  it('a silent HQ fails the sync in its deadline (no 300 s hang)', async () => {
    const silent: FetchLike = (_url, init) =>
      new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
    const started = Date.now()
    await expect(runSync(device.ctx, { fetch: silent, timeouts: { firstByteMs: 300 } })).rejects.toMatchObject({
      code: 'NETWORK',
      details: { network: 'timeout_first_byte' },
    })
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})
