import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enrol, runSync } from '../electron/core/sync/engine'
import { asOlderRelease, openTestCore } from '../electron/core/testing'
import { HqClient, type FetchLike } from '../electron/core/sync/hqClient'
import { splitVersions } from '../shared/sync/kernel'
import { fromWire, type EnrolResponse, type PulledRowV1, type PullResponse } from '../shared/sync/protocol'
import { listConflicts } from './accounts'
import { readsByRegion, regionOf } from './sync'
import { backends, startTestHq, type TestHq } from './testing'

type Device = ReturnType<typeof openTestCore>
const villagesOf = (d: Device) =>
  d.ctx.db.$client.prepare('SELECT id, name, grid_id, households, notes, market_days, fibre_covered FROM villages ORDER BY id').all() as Record<
    string,
    unknown
  >[]
const serverRow = async (hq: TestHq, id: string) =>
  (
    (await hq.store.db.execute(`SELECT fields, versions FROM rows WHERE table_name = 'villages' AND row_id = '${id}'`)) as unknown as {
      rows: { fields: Record<string, unknown>; versions: Record<string, string> }[]
    }
  ).rows[0]!
const serverConflicts = async (hq: TestHq) => ((await hq.store.db.execute('SELECT * FROM conflicts')) as unknown as { rows: Record<string, unknown>[] }).rows

describe.each(backends)('sync between two devices through the HQ server (%s)', (backend) => {
  let hq: TestHq
  let a: Device
  let b: Device
  let villageId: string
  beforeAll(async () => {
    hq = await startTestHq(undefined, { backend })
    a = openTestCore()
    b = openTestCore()
    await enrol(a.ctx, hq.url, await hq.userWithCode('lisi', 'grid_manager', ['451022-G03']), 'laptop A')
    await enrol(b.ctx, hq.url, await hq.userWithCode('wangwu', 'county_manager', ['451022']), 'laptop B')
  })
  afterAll(async () => {
    a?.dispose()
    b?.dispose()
    await hq?.close()
  })

  it('pulls only the regions assigned: a grid manager gets their grid, the county manager the county', async () => {
    const totals: (number | null)[] = []
    const pulls: string[] = []
    const counting: FetchLike = (address, init) => {
      const url = new URL(address)
      if (url.pathname === '/v1/pull') pulls.push(url.searchParams.get('cursor')!)
      return fetch(address, init as RequestInit)
    }
    const ra = await runSync(a.ctx, { pullLimit: 5, fetch: counting, onProgress: (p) => totals.push(p.pullTotal) })
    const rb = await runSync(b.ctx)
    // The first page said how many rows were coming: the progress bar's 100% is what arrived.
    expect(ra.pages).toBeGreaterThan(1)
    // Each page asked for once: the next page's prefetch is the request the pull then uses.
    expect(pulls).toHaveLength(ra.pages)
    expect(new Set(pulls).size).toBe(pulls.length)
    expect(totals.at(-1)).toBe(ra.pulledRows)
    expect(ra.checkpoint).toBe('ok')
    expect(rb.checkpoint).toBe('ok')
    const gridsA = new Set(villagesOf(a).map((v) => v.grid_id))
    expect(gridsA.size).toBe(1)
    expect(villagesOf(a).length).toBeGreaterThan(5)
    expect(villagesOf(b).length).toBe(173)
    villageId = villagesOf(a)[0]!.id as string
  })

  it('round-trips an edit from A to B with its field versions', async () => {
    await a.call('villages.update', { id: villageId, patch: { households: 777, notes: '新开电信代理点' } })
    const push = await runSync(a.ctx)
    expect(push.results).toEqual({ applied: 1, superseded: 0, conflict: 0, rejected: 0 })
    const pull = await runSync(b.ctx)
    expect(pull.pulledRows).toBe(1)
    const v = await b.call('villages.get', { id: villageId })
    expect(v).toMatchObject({ households: 777, notes: '新开电信代理点' })
    expect((await runSync(a.ctx)).checkpoint).toBe('ok')
  })

  it('identical edits on both devices are no conflict', async () => {
    await a.call('villages.update', { id: villageId, patch: { marketDays: '农历逢三、六、九' } })
    await b.call('villages.update', { id: villageId, patch: { marketDays: '农历逢三、六、九' } })
    await runSync(a.ctx)
    const rb = await runSync(b.ctx)
    expect(rb.results.conflict).toBe(0)
    expect(await b.call('sync.conflicts', {})).toHaveLength(0)
    await runSync(a.ctx)
    expect(villagesOf(a)).toEqual(villagesOf(b).filter((v) => v.grid_id === villagesOf(a)[0]!.grid_id))
  })

  it('edits of different fields of one village merge', async () => {
    await a.call('villages.update', { id: villageId, patch: { households: 800 } })
    await b.call('villages.update', { id: villageId, patch: { notes: '集市日人流大' } })
    await runSync(a.ctx)
    expect((await runSync(b.ctx)).results).toEqual({ applied: 1, superseded: 0, conflict: 0, rejected: 0 })
    await runSync(a.ctx)
    for (const d of [a, b]) expect(await d.call('villages.get', { id: villageId })).toMatchObject({ households: 800, notes: '集市日人流大' })
    expect(await serverConflicts(hq)).toHaveLength(0)
  })

  it('the same field edited to different values gives exactly one conflict, on the device and the server, with both values', async () => {
    await a.call('villages.update', { id: villageId, patch: { households: 810 } })
    await b.call('villages.update', { id: villageId, patch: { households: 820 } })
    expect((await runSync(a.ctx)).results.applied).toBe(1)
    const rb = await runSync(b.ctx)
    expect(rb.results.conflict).toBe(1)
    await runSync(a.ctx)
    await runSync(b.ctx)
    const onServer = await serverConflicts(hq)
    expect(onServer).toHaveLength(1)
    expect(onServer[0]).toMatchObject({ field: 'households', server_value: 810, device_value: 820 })
    expect(await a.call('sync.conflicts', {})).toHaveLength(0)
    const onB = await b.call('sync.conflicts', {})
    expect(onB).toHaveLength(1)
    expect(onB[0]).toMatchObject({ field: 'households', mine: 820, theirs: 810 })
    // Both devices hold the server's value until the conflict is resolved.
    expect((await b.call('villages.get', { id: villageId })).households).toBe(810)
    expect((await serverRow(hq, villageId)).fields.households).toBe(810)
    // The admin's list: both values, who made the edit, still open.
    expect(await listConflicts(hq.store.db, { openOnly: true })).toEqual([
      expect.objectContaining({
        table: 'villages',
        rowId: villageId,
        field: 'households',
        serverValue: 810,
        deviceValue: 820,
        nowValue: 810,
        user: 'wangwu',
        device: 'laptop B',
        open: true,
      }),
    ])

    // Resolving with "mine" is a new change that wins cleanly everywhere.
    await b.call('sync.resolve', { id: onB[0]!.id, choice: 'mine' })
    expect((await runSync(b.ctx)).results).toEqual({ applied: 1, superseded: 0, conflict: 0, rejected: 0 })
    await runSync(a.ctx)
    expect((await a.call('villages.get', { id: villageId })).households).toBe(820)
    expect(await b.call('sync.conflicts', {})).toHaveLength(0)
    expect(await listConflicts(hq.store.db, { openOnly: true })).toEqual([])
    expect(await listConflicts(hq.store.db)).toEqual([expect.objectContaining({ nowValue: 820, open: false })])
    expect((await runSync(a.ctx)).checkpoint).toBe('ok')
    expect((await runSync(b.ctx)).checkpoint).toBe('ok')
  })

  it('replaying a pushed batch changes nothing and answers the same results', async () => {
    await a.call('villages.update', { id: villageId, patch: { notes: 'replay me' } })
    const pending = a.ctx.db.$client.prepare('SELECT * FROM outbox WHERE pushed_at IS NULL').all() as Record<string, unknown>[]
    expect(pending).toHaveLength(1)
    await runSync(a.ctx)
    const before = await serverRow(hq, villageId)
    const seqBefore = ((await hq.store.db.execute('SELECT max(server_seq)::int AS m FROM rows')) as unknown as { rows: { m: number }[] }).rows[0]!.m
    // Mark it pending again, as if the response had been lost.
    a.ctx.db.$client.prepare('UPDATE outbox SET pushed_at = NULL, result = NULL WHERE device_seq = ?').run(pending[0]!.device_seq)
    const replay = await runSync(a.ctx)
    expect(replay.changes).toEqual([expect.objectContaining({ deviceSeq: pending[0]!.device_seq, status: 'applied' })])
    expect(await serverRow(hq, villageId)).toEqual(before)
    const seqAfter = ((await hq.store.db.execute('SELECT max(server_seq)::int AS m FROM rows')) as unknown as { rows: { m: number }[] }).rows[0]!.m
    expect(seqAfter).toBe(seqBefore)
  })

  it("packs each row's versions in SQL exactly as splitVersions does, and still answers protocol 1 devices with a version per field", async () => {
    // After the edits above, this village carries several versions.
    const stored = await serverRow(hq, villageId)
    expect(new Set(Object.values(stored.versions)).size).toBeGreaterThan(1)
    const all = (
      (await hq.store.db.execute('SELECT versions, packed_versions FROM rows')) as unknown as {
        rows: { versions: Record<string, string>; packed_versions: [string | null, Record<string, string>] }[]
      }
    ).rows
    for (const r of all) {
      const split = splitVersions(r.versions)
      expect(r.packed_versions).toEqual([split.version || null, split.versions])
    }
    // Pushes send their rows packed, the other writes are packed by the trigger: either way every
    // row's packing and its stored wire text are what the database builds from its columns.
    const stale = (await hq.store.db.execute(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE wire IS DISTINCT FROM row_wire(table_name, row_id, fields, pack_versions(versions)))::int AS wire,
         count(*) FILTER (WHERE packed_versions IS DISTINCT FROM pack_versions(versions))::int AS packed FROM rows`,
    )) as unknown as { rows: { n: number; wire: number; packed: number }[] }
    expect(stale.rows[0]).toEqual({ n: all.length, wire: 0, packed: 0 })
    const token = await hq
      .userWithCode('v1user', 'county_manager', ['451022'])
      .then((code) => new HqClient(hq.url).request<EnrolResponse>('POST', '/v1/enrol', { code, deviceName: 'old app' }))
    const client = new HqClient(hq.url, token.token)
    const v1 = await client.request<{ rows: PulledRowV1[]; has_more: boolean }>(
      'GET',
      `/v1/pull?cursor=0&limit=10000&protocol_version=1&schema_version=${a.ctx.change.schemaVersion}`,
    )
    const v2 = await client.request<PullResponse & { must_refetch: false }>(
      'GET',
      `/v1/pull?cursor=0&limit=10000&protocol_version=2&schema_version=${a.ctx.change.schemaVersion}`,
    )
    expect(v1.rows.map((r) => r.row_id)).toEqual(v2.rows.map(([, id]) => id))
    const old = v1.rows.find((r) => r.row_id === villageId)!
    const now = fromWire(v2.rows.find(([, id]) => id === villageId)!)
    expect(old.versions).toEqual(stored.versions)
    expect(now.fields).toEqual(old.fields)
    // Every field's version is the row's, unless listed.
    expect(Object.fromEntries(Object.keys(old.versions).map((f) => [f, now.versions[f] ?? now.version]))).toEqual(old.versions)
  })

  it('a grid manager cannot change the organisation (refused with the reason); a county manager can, and it reaches the others', async () => {
    const grid = a.ctx.db.$client.prepare("SELECT id, name FROM org_units WHERE level = 'grid' LIMIT 1").get() as { id: string; name: string }
    // This release refuses the edit on the device, in words, recording nothing …
    const pending = a.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox').get()
    await expect(a.call('org.update', { id: grid.id, patch: { name: `${grid.name}（网格经理改）` } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'read_only_table', table: 'org_units' },
    })
    expect(a.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual(pending)
    expect((a.ctx.db.$client.prepare('SELECT name FROM org_units WHERE id = ?').get(grid.id) as { name: string }).name).toBe(grid.name)
    // … and HQ refuses one an older release queued.
    await asOlderRelease(a, () => a.call('org.update', { id: grid.id, patch: { name: `${grid.name}（网格经理改）` } }))
    const refused = await runSync(a.ctx)
    expect(refused.changes).toEqual([expect.objectContaining({ table: 'org_units', status: 'rejected', reason: expect.stringMatching(/^read_only_table/) })])
    await b.call('org.update', { id: grid.id, patch: { name: `${grid.name}（县经理改）` } })
    expect((await runSync(b.ctx)).results).toEqual({ applied: 1, superseded: 0, conflict: 0, rejected: 0 })
    const onServer = (
      (await hq.store.db.execute(`SELECT fields->>'name' AS name FROM rows WHERE table_name = 'org_units' AND row_id = '${grid.id}'`)) as unknown as {
        rows: { name: string }[]
      }
    ).rows[0]!
    expect(onServer.name).toBe(`${grid.name}（县经理改）`)
  })

  it('an HQ analyst reads every region but changes nothing: the edit is refused at push (read_only_role) and set aside on the device', async () => {
    const c = openTestCore()
    try {
      await enrol(c.ctx, hq.url, await hq.userWithCode('zhaoliu', 'hq_analyst', []), 'analyst laptop')
      expect((await runSync(c.ctx)).checkpoint).toBe('ok')
      await c.call('villages.update', { id: villageId, patch: { notes: '分析员改' } })
      const report = await runSync(c.ctx)
      expect(report.changes).toEqual([expect.objectContaining({ table: 'villages', status: 'rejected', reason: expect.stringMatching(/^read_only_role/) })])
      expect((await c.call('sync.rejected', {})).map((r) => r.reasonCode)).toEqual(['read_only_role'])
      expect((await serverRow(hq, villageId)).fields.notes).not.toBe('分析员改')
    } finally {
      c.dispose()
    }
  })

  it("a table the registry does not describe has no region: in no device's scope", async () => {
    expect(await regionOf('no_such_table', { grid_id: 'x', code: '451022' }, async () => ({ region: '451022' }))).toBeUndefined()
    expect(await regionOf('indicators', {}, async () => undefined)).toBeNull()
  })
})

describe('a pull reads its regions by region or walks the store in order, whichever reads fewer rows per row sent', () => {
  // Live rows per region key: a county of ten grids (one of them with two micro-grids) and its global rows.
  const sizes = new Map<string, number>([
    ['(global)', 15],
    ['451022', 1],
    ...Array.from({ length: 10 }, (_, i) => [`451022-G${String(i + 1).padStart(2, '0')}`, 50_000] as [string, number]),
    ['451022-G01-M1', 2_000],
    ['451022-G01-M2', 0],
  ])
  const county = [...sizes.keys()].filter((k) => k !== '(global)')
  it('a county’s device in its county’s store walks (its regions hold nearly every row)', () => {
    expect(readsByRegion(county, sizes)).toBe(false)
    expect(readsByRegion('*', sizes)).toBe(false)
  })
  it('a grid’s device reads its regions (a tenth of the store, in three regions)', () => {
    expect(readsByRegion(['451022-G01', '451022-G01-M1', '451022-G01-M2'], sizes)).toBe(true)
    expect(readsByRegion(['451022-G05'], sizes)).toBe(true)
  })
  it('half the county in five regions walks; regions with no rows do not count; an empty scope reads its global rows by region', () => {
    const half = ['451022-G01', '451022-G02', '451022-G03', '451022-G04', '451022-G05']
    expect(readsByRegion(half, sizes)).toBe(false)
    expect(readsByRegion(['451022-G01-M2', '451022-G01'], sizes)).toBe(true)
    expect(readsByRegion([], new Map())).toBe(true)
  })
})
