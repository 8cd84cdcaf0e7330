import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openTestCore, REPO_ROOT } from '../testing'
import { openDatabase } from './client'

const journal = JSON.parse(readFileSync(join(REPO_ROOT, 'migrations', 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] }

describe('migrations', () => {
  let core: ReturnType<typeof openTestCore> | undefined
  afterEach(() => core?.dispose())

  it('build the whole schema from an empty database, with WAL and foreign keys on', () => {
    core = openTestCore()
    const sqlite = core.ctx.db.$client
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name)
    for (const table of ['divisions', 'org_units', 'users', 'user_regions', 'villages', 'key_customers', 'customer_products', 'funnel_moves', 'competitor_intel', 'visits', 'visit_participants', 'visit_objections', 'visit_products', 'objections', 'attachments', 'indicators', 'targets', 'actuals', 'work_orders', 'outbox', 'field_versions', 'sync_state', 'sync_conflicts'])
      expect(tables).toContain(table)
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(core.ctx.change.schemaVersion).toBe(journal.entries.length)
  })

  it('are applied once: reopening a migrated store changes nothing and keeps the device id', async () => {
    core = openTestCore()
    const { deviceId } = await core.call('app.info', {})
    const file = join(core.dataDir, 'griddesk.sqlite')
    core.close()
    const db = openDatabase(file, { migrationsDir: join(REPO_ROOT, 'migrations') })
    const applied = db.$client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
    expect(applied.n).toBe(journal.entries.length)
    const stored = db.$client.prepare("SELECT value FROM sync_state WHERE key = 'device_id'").get() as { value: string }
    expect(stored.value).toBe(deviceId)
    db.$client.close()
    core = undefined
  })
})
