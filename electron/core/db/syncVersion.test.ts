// The sync schema version (shared/sync/versions.ts) follows the synced columns: this test fails
// when a synced table or column (its type, nullability or allowed values) changes without a bump.
// Indexes, device-local tables and the migration count play no part, so index-only migrations
// never change it. After a bump (and a new step in versionSteps):
//   UPDATE_SYNC_SNAPSHOT=1 npx vitest run --project unit electron/core/db/syncVersion.test.ts
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getTableColumns } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { BOOKKEEPING_COLUMNS } from '../../../shared/sync/kernel'
import { syncRegistry } from '../../../shared/sync/registry'
import { MIN_SYNC_SCHEMA_VERSION, SYNC_SCHEMA_VERSION, versionSteps } from '../../../shared/sync/versions'
import { REPO_ROOT } from '../testing'
import { syncedTables } from './schema'

const SNAPSHOT = join(REPO_ROOT, 'shared', 'sync', 'synced-columns.json')

/** Every synced column as the wire carries it: type, not null, allowed values. */
function syncedColumns(): Record<string, Record<string, string>> {
  const tables: Record<string, Record<string, string>> = {}
  for (const name of Object.keys(syncedTables).sort()) {
    const columns = Object.values(getTableColumns(syncedTables[name as keyof typeof syncedTables].table))
      .filter((c) => !BOOKKEEPING_COLUMNS.has(c.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
    tables[name] = Object.fromEntries(
      columns.map((c) => [c.name, [c.columnType, c.notNull ? 'not null' : '', c.enumValues?.length ? c.enumValues.join('|') : ''].filter(Boolean).join(' ')]),
    )
  }
  return tables
}

function differences(before: Record<string, Record<string, string>>, after: Record<string, Record<string, string>>): string[] {
  const out: string[] = []
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)]))
    for (const column of new Set([...Object.keys(before[table] ?? {}), ...Object.keys(after[table] ?? {})])) {
      const [was, now] = [before[table]?.[column], after[table]?.[column]]
      if (was !== now) out.push(`${table}.${column}: ${was ?? '(none)'} → ${now ?? '(none)'}`)
    }
  return out
}

describe('sync schema version', () => {
  if (process.env.UPDATE_SYNC_SNAPSHOT === '1')
    writeFileSync(SNAPSHOT, `${JSON.stringify({ version: SYNC_SCHEMA_VERSION, tables: syncedColumns() }, null, 2)}\n`)
  const stored = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as { version: number; tables: Record<string, Record<string, string>> }

  it('synced columns change only with a bump of SYNC_SCHEMA_VERSION (and a fresh snapshot)', () => {
    const changed = differences(stored.tables, syncedColumns())
    const bumped = SYNC_SCHEMA_VERSION > stored.version
    const advice = bumped
      ? `SYNC_SCHEMA_VERSION is bumped to ${SYNC_SCHEMA_VERSION}: refresh the snapshot (UPDATE_SYNC_SNAPSHOT=1)`
      : `bump SYNC_SCHEMA_VERSION (shared/sync/versions.ts, now ${SYNC_SCHEMA_VERSION}), add a step to versionSteps saying how older devices are served, then refresh the snapshot (UPDATE_SYNC_SNAPSHOT=1)`
    expect(changed, `synced columns changed:\n  ${changed.join('\n  ')}\n${advice}`).toEqual([])
    expect(stored.version, 'the snapshot belongs to another version: refresh it (UPDATE_SYNC_SNAPSHOT=1)').toBe(SYNC_SCHEMA_VERSION)
  })

  it('the steps run from this version down to the oldest served, one by one, and name synced tables', () => {
    expect(versionSteps[0]!.version).toBe(SYNC_SCHEMA_VERSION)
    expect(versionSteps.map((s) => s.version)).toEqual(Array.from({ length: versionSteps.length }, (_, i) => SYNC_SCHEMA_VERSION - i))
    expect(MIN_SYNC_SCHEMA_VERSION).toBeLessThanOrEqual(SYNC_SCHEMA_VERSION - 2)
    for (const step of versionSteps) for (const table of step.addedTables ?? []) expect(Object.keys(syncRegistry)).toContain(table)
  })

  it('a change of a column is found, with the table and column named', () => {
    const now = syncedColumns()
    const renamed = { ...now, visits: Object.fromEntries(Object.entries(now.visits!).map(([c, t]) => [c === 'purpose' ? 'aim' : c, t])) }
    expect(differences(now, renamed).sort()).toEqual([`visits.aim: (none) → ${now.visits!.purpose}`, `visits.purpose: ${now.visits!.purpose} → (none)`])
  })
})
