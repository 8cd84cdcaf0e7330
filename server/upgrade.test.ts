// A field laptop of release 0.1.0, enrolled and then offline for a long while, is updated: its
// store (1,870 queued changes: village edits, new key customers and their funnel moves, customer
// edits, merges) goes through today's migrations, and it syncs with its HQ, itself upgraded from
// the same release's database. Every queued change reaches HQ once, with its values and versions;
// a colleague's edits made meanwhile reach the laptop. Both fixtures were written by the release
// itself (electron/core/db/fixtures/README.md says how).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openCore, type Core } from '../electron/core/app'
import { setState } from '../electron/core/db/repos/syncState'
import { sameValue } from '../shared/sync/kernel'
import { isDerived } from '../shared/sync/protocol'
import { enrol, runSync } from '../electron/core/sync/engine'
import { openTestCore, REPO_ROOT } from '../electron/core/testing'
import { backfillWire } from './sync'
import { backends, startTestHq, type TestHq } from './testing'

const FIXTURES = join(REPO_ROOT, 'electron', 'core', 'db', 'fixtures')
const GRID = '451022-G03'

interface OutboxRow {
  device_seq: number
  change_id: string
  hlc: string
  table_name: string
  row_id: string
  op: 'insert' | 'update' | 'delete'
  fields: string
  pushed_at: string | null
}

/** What HQ must hold after the sync: per row, each field's last queued value and its version. */
function expectedFrom(queued: OutboxRow[]) {
  const rows = new Map<string, { table: string; id: string; fields: Map<string, { value: unknown; hlc: string }>; deleted: boolean }>()
  for (const change of queued) {
    const key = `${change.table_name}/${change.row_id}`
    const row = rows.get(key) ?? { table: change.table_name, id: change.row_id, fields: new Map(), deleted: false }
    for (const [field, value] of Object.entries(JSON.parse(change.fields) as Record<string, unknown>)) {
      // An equal value keeps the version HQ holds (the kernel's 'same'): the first write of it counts.
      const held = row.fields.get(field)
      if (!isDerived(change.table_name, field)) row.fields.set(field, held && sameValue(held.value, value) ? held : { value, hlc: change.hlc })
    }
    if (change.op === 'delete') row.deleted = true
    rows.set(key, row)
  }
  return [...rows.values()]
}

/** A row's version of one field on a device: its field_versions entry, else the row's hlc. */
function fieldVersion(core: Core, table: string, id: string, field: string): string {
  const sqlite = core.ctx.db.$client
  const listed = sqlite.prepare('SELECT hlc FROM field_versions WHERE table_name = ? AND row_id = ? AND field = ?').pluck().get(table, id, field) as
    | string
    | undefined
  return listed ?? (sqlite.prepare(`SELECT hlc FROM ${table} WHERE id = ?`).pluck().get(id) as string)
}

const comparable = (value: unknown) => (typeof value === 'boolean' ? Number(value) : value)

describe.each(backends)('a 0.1.0 field laptop with queued edits, upgraded, syncs with its upgraded HQ (%s)', (backend) => {
  let hq: TestHq
  let dir: string
  let laptop: Core
  let queued: OutboxRow[]
  let pushedBefore: number
  beforeAll(async () => {
    hq = await startTestHq(false, { backend, restore: gunzipSync(readFileSync(join(FIXTURES, 'hq-0.1.0-c875b0b.sql.gz'))).toString('utf8') })
    dir = mkdtempSync(join(tmpdir(), 'griddesk-010-'))
    const file = join(dir, 'griddesk.sqlite')
    writeFileSync(file, gunzipSync(readFileSync(join(FIXTURES, 'store-0.1.0-c875b0b-enrolled.sqlite.gz'))))
    // What the old release left, read before any migration runs.
    const old = new Database(file, { readonly: true })
    const outbox = old.prepare('SELECT * FROM outbox ORDER BY device_seq').all() as OutboxRow[]
    old.close()
    queued = outbox.filter((o) => o.pushed_at === null)
    pushedBefore = outbox.length - queued.length
    laptop = openCore({ dataDir: dir, resourcesDir: REPO_ROOT })
    // The test HQ listens on a port of its own; a real laptop finds its HQ where it left it.
    setState(laptop.ctx.db, 'hq_url', hq.url)
  }, 120_000)
  afterAll(async () => {
    laptop?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
    await hq?.close()
  })

  it('pushes every queued change once, each applied, and its checkpoint agrees with HQ', async () => {
    expect(queued).toHaveLength(1870)
    expect(pushedBefore).toBe(10)
    // 0.1.0 also queued the customers' value tiers it recomputed; those are derived now (computed
    // where shown, never data): HQ answers them superseded and stores nothing. All else applies.
    const derivedOnly = (o: OutboxRow) => Object.keys(JSON.parse(o.fields) as object).every((f) => isDerived(o.table_name, f))
    const tiers = queued.filter(derivedOnly).length
    expect(tiers).toBe(520)
    const report = await runSync(laptop.ctx)
    expect(report.pushed).toBe(queued.length)
    expect(report.results).toEqual({ applied: queued.length - tiers, superseded: tiers, conflict: 0, rejected: 0 })
    // Its rows agree with HQ's at once: no refetch (an old app's tier versions are not left behind).
    expect(report.checkpoint).toBe('ok')
    expect(report.refetched).toBe(false)
    expect(report.pulledRows).toBe(20)
    const outbox = laptop.ctx.db.$client.prepare('SELECT change_id, result FROM outbox WHERE device_seq > ? ORDER BY device_seq').all(pushedBefore)
    expect(outbox).toEqual(queued.map((o) => ({ change_id: o.change_id, result: derivedOnly(o) ? 'superseded' : 'applied' })))
    // Nothing is sent twice: the next sync has nothing to push and nothing new to pull back.
    const again = await runSync(laptop.ctx)
    expect(again.pushed).toBe(0)
    expect(again.checkpoint).toBe('ok')
  }, 120_000)

  it('HQ holds every queued value with its version, no row twice: a laptop enrolled today receives exactly them', async () => {
    const fresh = openTestCore()
    try {
      await enrol(fresh.ctx, hq.url, await hq.code('li'), 'new laptop')
      expect((await runSync(fresh.ctx)).checkpoint).toBe('ok')
      const sqlite = fresh.ctx.db.$client
      const expected = expectedFrom(queued)
      for (const row of expected) {
        const got = sqlite.prepare(`SELECT * FROM ${row.table} WHERE id = ?`).get(row.id) as Record<string, unknown> | undefined
        expect(got, `${row.table}/${row.id}`).toBeDefined()
        expect(got!.deleted_at != null, `${row.table}/${row.id} deleted`).toBe(row.deleted)
        for (const [field, { value, hlc }] of row.fields) {
          expect(comparable(got![field]), `${row.table}/${row.id}.${field}`).toEqual(comparable(value))
          expect(fieldVersion(fresh, row.table, row.id, field), `${row.table}/${row.id}.${field} version`).toBe(hlc)
        }
      }
      // 300 customers created offline, 10 merged away: 290 live, each once.
      const names = sqlite.prepare("SELECT name FROM key_customers WHERE name LIKE '新客户%' AND deleted_at IS NULL").pluck().all() as string[]
      expect(names).toHaveLength(290)
      expect(new Set(names).size).toBe(290)
      // The two laptops hold the same synced rows.
      for (const table of ['villages', 'key_customers', 'funnel_moves']) {
        const dump = (core: Core) => core.ctx.db.$client.prepare(`SELECT id, hlc, deleted_at FROM ${table} ORDER BY id`).all()
        expect(dump(fresh), table).toEqual(dump(laptop))
      }
    } finally {
      fresh.dispose()
    }
  }, 120_000)

  it('the rows the old HQ wrote get their pull text stored in the background, and what devices receive does not change', async () => {
    const read = async () =>
      (
        (await hq.store.db.execute(
          // What pulls sent before the text was stored with the row (the page statement of 0002–0003).
          `SELECT table_name, row_id, server_seq::text AS seq, wire,
             json_build_array(table_name, row_id, packed_versions->0, fields, nullif(packed_versions->1, '{}'::jsonb))::text AS built
           FROM rows ORDER BY table_name, row_id`,
        )) as unknown as { rows: { table_name: string; row_id: string; seq: string; wire: string | null; built: string }[] }
      ).rows
    const all = async (text: string) => ((await hq.store.db.execute(text)) as unknown as { rows: unknown[] }).rows
    const checksums = () => all('SELECT region_key, row_count, hash FROM region_checksums ORDER BY region_key')
    const before = await read()
    const checksumsBefore = await checksums()
    const untouched = before.filter((r) => r.wire === null).length
    // The dump's rows no push rewrote since the upgrade; rows written since carry their text.
    expect(untouched).toBeGreaterThan(100)
    for (const r of before.filter((r) => r.wire !== null)) expect(r.wire, `${r.table_name}/${r.row_id}`).toBe(r.built)
    // In batches smaller than the store (its key order carried from one batch to the next).
    expect(await backfillWire(hq.store.db, { batch: 97 })).toBe(untouched)
    const after = await read()
    expect(after.map(({ table_name, row_id, seq, wire }) => ({ table_name, row_id, seq, wire }))).toEqual(
      before.map(({ table_name, row_id, seq, built }) => ({ table_name, row_id, seq, wire: built })),
    )
    expect(await checksums()).toEqual(checksumsBefore)
    // Done once: HQ's next start does not walk the table again (rows written since carry their text).
    await hq.store.db.execute(`UPDATE rows SET wire = NULL WHERE (table_name, row_id) = (SELECT table_name, row_id FROM rows LIMIT 1)`)
    expect(await backfillWire(hq.store.db)).toBe(0)
    expect(await all('SELECT count(*)::int AS n FROM rows WHERE wire IS NULL')).toEqual([{ n: 1 }])
    await hq.store.db.execute('UPDATE rows SET wire = row_wire(table_name, row_id, fields, packed_versions) WHERE wire IS NULL')
    // A laptop enrolled now receives the stored texts and agrees with HQ.
    const fresh = openTestCore()
    try {
      await enrol(fresh.ctx, hq.url, await hq.code('li'), 'newer laptop')
      expect((await runSync(fresh.ctx)).checkpoint).toBe('ok')
    } finally {
      fresh.dispose()
    }
  }, 120_000)

  it("a colleague's edits made while the laptop was offline reach it, beside its own", async () => {
    const sqlite = laptop.ctx.db.$client
    const gridId = sqlite.prepare('SELECT id FROM org_units WHERE code = ?').pluck().get(GRID) as string
    const villages = sqlite.prepare('SELECT id, population, households, notes FROM villages WHERE grid_id = ? ORDER BY division_code').all(gridId) as {
      population: number
      households: number
      notes: string
    }[]
    // The colleague set populations 5000…5019 over the grid's villages, the laptop households and notes.
    expect(villages.length).toBeGreaterThan(0)
    for (const [i, v] of villages.entries()) {
      const last = Math.max(...[...Array(20).keys()].filter((k) => k % villages.length === i))
      if (Number.isFinite(last)) expect(v.population).toBe(5000 + last)
      const mine = Math.max(...[...Array(400).keys()].filter((k) => k % villages.length === i))
      expect(v).toMatchObject({ households: 100 + mine, notes: `走访记录 ${mine}` })
    }
  })
})
