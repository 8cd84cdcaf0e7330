import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openTestCore, REPO_ROOT } from '../testing'
import { openDatabase } from './client'
import { SYNC_SCHEMA_VERSION } from '../../../shared/sync/versions'

const journal = JSON.parse(readFileSync(join(REPO_ROOT, 'migrations', 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] }

describe('migrations', () => {
  let core: ReturnType<typeof openTestCore> | undefined
  afterEach(() => core?.dispose())

  it('build the whole schema from an empty database, with WAL and foreign keys on', () => {
    core = openTestCore()
    const sqlite = core.ctx.db.$client
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name)
    for (const table of [
      'divisions',
      'org_units',
      'users',
      'user_regions',
      'villages',
      'key_customers',
      'customer_products',
      'funnel_moves',
      'competitor_intel',
      'visits',
      'visit_participants',
      'visit_objections',
      'visit_products',
      'objections',
      'attachments',
      'indicators',
      'targets',
      'actuals',
      'work_orders',
      'outbox',
      'field_versions',
      'sync_state',
      'sync_conflicts',
    ])
      expect(tables).toContain(table)
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(core.ctx.change.schemaVersion).toBe(SYNC_SCHEMA_VERSION)
  })

  it('are applied once: reopening a migrated store changes nothing and keeps the device id', async () => {
    core = openTestCore()
    const { deviceId } = await core.call('app.info', {})
    const file = join(core.dataDir, 'griddesk.sqlite')
    core.close()
    const db = openDatabase(file, { migrationsDir: join(REPO_ROOT, 'migrations'), key: core.ctx.dbKey })
    const applied = db.$client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
    expect(applied.n).toBe(journal.entries.length)
    const stored = db.$client.prepare("SELECT value FROM sync_state WHERE key = 'device_id'").get() as { value: string }
    expect(stored.value).toBe(deviceId)
    db.$client.close()
    core = undefined
  })
})

describe('upgrading a store made by the previous release', () => {
  it('keeps every row and adds what the later migrations add', async () => {
    const { cpSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    // A migrations folder as the first release shipped it: only 0000.
    const dir = mkdtempSync(join(tmpdir(), 'griddesk-upgrade-'))
    const first = join(dir, 'migrations-v1')
    cpSync(join(REPO_ROOT, 'migrations'), first, { recursive: true })
    writeFileSync(join(first, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }))
    const { openCore } = await import('../app')
    const { generateDemoCounty } = await import('../demo/generate')
    const { readDemoDivisions } = await import('../demo/load')
    const { insertDemoCounty } = await import('./repos/demo')
    const file = join(dir, 'griddesk.sqlite')
    const old = openDatabase(file, { migrationsDir: first })
    const county = generateDemoCounty(readDemoDivisions(REPO_ROOT), { seed: 3, keyCustomers: 30, visits: 60, now: new Date('2026-11-01T00:00:00Z') })
    old.transaction(() => insertDemoCounty(old, county))
    const countsBefore = old.$client
      .prepare('SELECT (SELECT count(*) FROM villages) v, (SELECT count(*) FROM visits) s, (SELECT count(*) FROM key_customers) k')
      .get()
    old.$client.close()

    const core = openCore({ dataDir: dir, resourcesDir: REPO_ROOT })
    const sqlite = core.ctx.db.$client
    expect(sqlite.prepare('SELECT (SELECT count(*) FROM villages) v, (SELECT count(*) FROM visits) s, (SELECT count(*) FROM key_customers) k').get()).toEqual(
      countsBefore,
    )
    expect(core.ctx.change.schemaVersion).toBe(SYNC_SCHEMA_VERSION)
    const indexes = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]).map((i) => i.name)
    expect(indexes).toContain('visits_grid_live_idx')
    expect(indexes).toEqual(expect.arrayContaining(['villages_name_uq', 'key_customers_village_live_idx']))
    expect(await core.call('grids.list', {})).toHaveLength(12)
    core.close()
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('0005 sparse field versions', () => {
  it('keeps every field version of a store that recorded one per field, and drops the redundant ones', async () => {
    const { cpSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'griddesk-sparse-'))
    const before = join(dir, 'migrations-0004')
    cpSync(join(REPO_ROOT, 'migrations'), before, { recursive: true })
    const upTo = journal.entries.findIndex((e) => e.tag.startsWith('0005_'))
    writeFileSync(join(before, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }))
    const { generateDemoCounty } = await import('../demo/generate')
    const { readDemoDivisions } = await import('../demo/load')
    const { insertDemoCounty } = await import('./repos/demo')
    const file = join(dir, 'griddesk.sqlite')
    const old = openDatabase(file, { migrationsDir: before })
    old.transaction(() =>
      insertDemoCounty(old, generateDemoCounty(readDemoDivisions(REPO_ROOT), { seed: 3, keyCustomers: 30, visits: 60, now: new Date('2026-11-01T00:00:00Z') })),
    )
    // As the previous release kept them: a version per field, the row's hlc at its last edit.
    const village = old.$client.prepare('SELECT id FROM villages ORDER BY id LIMIT 1').get() as { id: string }
    const h1 = '2026-11-02T00:00:00.000Z-0000-dev'
    const h2 = '2026-11-03T00:00:00.000Z-0000-dev'
    const h3 = '2026-11-04T00:00:00.000Z-0000-hq'
    const put = old.$client.prepare("INSERT INTO field_versions (table_name, row_id, field, hlc) VALUES ('villages', ?, ?, ?)")
    put.run(village.id, 'name', h1)
    put.run(village.id, 'households', h1)
    put.run(village.id, 'notes', h3) // a field adopted from the server, newer than the row's hlc
    put.run(village.id, 'population', h2)
    old.$client.prepare('UPDATE villages SET hlc = ? WHERE id = ?').run(h2, village.id)
    old.$client.prepare("INSERT INTO sync_state (key, value) VALUES ('checksum', '1:42')").run()
    old.$client.close()

    const migrated = openDatabase(file, { migrationsDir: join(REPO_ROOT, 'migrations') })
    const sqlite = migrated.$client
    const hlc = (sqlite.prepare('SELECT hlc FROM villages WHERE id = ?').get(village.id) as { hlc: string }).hlc
    const listed = Object.fromEntries(
      (
        sqlite.prepare("SELECT field, hlc FROM field_versions WHERE table_name = 'villages' AND row_id = ?").all(village.id) as { field: string; hlc: string }[]
      ).map((v) => [v.field, v.hlc]),
    )
    const versionOf = (field: string) => listed[field] ?? hlc
    expect([versionOf('name'), versionOf('households'), versionOf('population'), versionOf('notes')]).toEqual([h1, h1, h2, h3])
    expect(hlc).toBe(h3) // the row's version: the greatest of its fields'
    expect(Object.keys(listed).sort()).toEqual(['households', 'name', 'population'])
    expect(sqlite.prepare("SELECT value FROM sync_state WHERE key = 'checksum'").get()).toBeUndefined()
    sqlite.close()
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('stores written by earlier releases (fixtures/)', () => {
  it('0.1.0: the demo county and 1,810 queued changes survive the upgrade, byte for byte', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { gunzipSync } = await import('node:zlib')
    const { openCore } = await import('../app')
    const dir = mkdtempSync(join(tmpdir(), 'griddesk-release-'))
    const file = join(dir, 'griddesk.sqlite')
    writeFileSync(file, gunzipSync(readFileSync(join(import.meta.dirname, 'fixtures', 'store-0.1.0-c875b0b.sqlite.gz'))))
    // What the old release stored, read with no migration applied.
    const { default: Database } = await import('better-sqlite3')
    const old = new Database(file, { readonly: true })
    const outboxBefore = old.prepare('SELECT * FROM outbox ORDER BY device_seq').all()
    const deviceId = old.prepare("SELECT value FROM sync_state WHERE key = 'device_id'").pluck().get()
    const tables = ['villages', 'key_customers', 'visits', 'funnel_moves', 'field_versions', 'org_units', 'work_orders']
    const rowsBefore = Object.fromEntries(tables.map((t) => [t, old.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]))
    old.close()
    expect(outboxBefore).toHaveLength(1810)

    const core = openCore({ dataDir: dir, resourcesDir: REPO_ROOT })
    const sqlite = core.ctx.db.$client
    expect(sqlite.prepare('SELECT * FROM outbox ORDER BY device_seq').all()).toEqual(outboxBefore)
    expect(core.ctx.change.deviceId).toBe(deviceId)
    for (const t of tables) {
      const after = sqlite.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() as Record<string, unknown>[]
      // Later migrations may add columns; every column the old release wrote keeps its value.
      expect(
        after.map((row, i) => Object.fromEntries(Object.keys((rowsBefore[t] as Record<string, unknown>[])[i]!).map((k) => [k, row[k]]))),
        t,
      ).toEqual(rowsBefore[t])
    }
    // The upgraded store works: the edits are there and a new change continues the sequence.
    const created = await core.call('customers.list', { search: '测试客户299' } as never)
    expect(JSON.stringify(created)).toContain('测试客户299')
    const village = sqlite.prepare('SELECT id FROM villages ORDER BY division_code LIMIT 1').pluck().get() as string
    await core.call('villages.update', { id: village, patch: { households: 4242 } } as never)
    expect(sqlite.prepare('SELECT max(device_seq) FROM outbox').pluck().get()).toBe(
      Math.max(...outboxBefore.map((o) => (o as { device_seq: number }).device_seq)) + 1,
    )
    core.close()
    rmSync(dir, { recursive: true, force: true })
  })
})
