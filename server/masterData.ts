// Imports HQ master data into the server: the demo county (the generator the device's demo uses),
// and files — grid boundaries, villages, actuals — read and checked by the device's own importers
// (the same encodings, column mapping, CRS and row-level errors as the app) on a scratch replica,
// whose outbox is then applied as one all-or-nothing batch.
import { getTableColumns, sql } from 'drizzle-orm'
import { generateDemoCounty, type DemoCounty } from '../electron/core/demo/generate'
import { readDemoDivisions } from '../electron/core/demo/load'
import { REPO_ROOT } from '../electron/core/resources'
import { formatHlc } from '../electron/core/sync/hlc'
import { syncedTables } from '../electron/core/db/schema'
import type { HqDb } from './db/client'
import { BOOKKEEPING_COLUMNS, splitVersions } from '../shared/sync/kernel'
import { BatchRejectedError, push, query, upsertMasterRows } from './sync'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { openCore } from '../electron/core/app'
import { parseArgs } from 'node:util'
import { errorText } from '../shared/i18n/errorText'
import { parseColumnMapping } from '../shared/api/imports'
import { applyPulledRows, pendingChanges } from '../electron/core/db/repos/sync'
import type { ChangeResult } from '../shared/sync/protocol'

const order: [keyof DemoCounty, keyof typeof syncedTables][] = [
  ['orgUnits', 'org_units'],
  ['users', 'users'],
  ['objections', 'objections'],
  ['indicators', 'indicators'],
  ['villages', 'villages'],
  ['keyCustomers', 'key_customers'],
  ['customerProducts', 'customer_products'],
  ['funnelMoves', 'funnel_moves'],
  ['competitorIntel', 'competitor_intel'],
  ['visits', 'visits'],
  ['visitParticipants', 'visit_participants'],
  ['visitObjections', 'visit_objections'],
  ['visitProducts', 'visit_products'],
  ['targets', 'targets'],
  ['actuals', 'actuals'],
  ['workOrders', 'work_orders'],
]

/** A device row (drizzle property names) as the wire's column → value map. */
export function toColumnFields(table: keyof typeof syncedTables, row: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const [prop, column] of Object.entries(getTableColumns(syncedTables[table].table))) {
    if (BOOKKEEPING_COLUMNS.has(column.name)) continue
    const value = row[prop]
    if (value !== undefined) fields[column.name] = value
  }
  return fields
}

export interface ImportOptions {
  seed?: number
  keyCustomers?: number
  visits?: number
  /** Only these tables (default: all). */
  tables?: string[]
}

export async function importDemoCounty(db: HqDb, options: ImportOptions = {}): Promise<Record<string, number>> {
  const county = generateDemoCounty(readDemoDivisions(REPO_ROOT), {
    seed: options.seed ?? 451022,
    keyCustomers: options.keyCustomers ?? 360,
    visits: options.visits ?? 2400,
    now: new Date(),
  })
  const hlc = formatHlc({ millis: Date.now(), counter: 0, node: 'hq-import' })
  const counts: Record<string, number> = {}
  for (const [key, table] of order) {
    if (options.tables && !options.tables.includes(table)) continue
    const list = (county[key] as Record<string, unknown>[]).map((r) => ({ id: r.id as string, fields: toColumnFields(table, r) }))
    counts[table] = await upsertMasterRows(db, table, list, hlc)
  }
  await settleAfterBulkWrite(db)
  return counts
}

/**
 * After a bulk import: VACUUM sets the rows' hint bits and visibility map and ANALYZE the
 * planner's statistics. PGlite runs no autovacuum, so without it the first devices to pull would
 * pay for that (each page read writing its hint bits back: half the time of a county's first sync).
 */
export async function settleAfterBulkWrite(db: HqDb): Promise<void> {
  await db.execute(sql`VACUUM (ANALYZE) rows`)
}

export type MasterFileKind = 'grids' | 'county' | 'villages' | 'actuals'

export interface MasterFileResult {
  ok: boolean
  /** The importer's report (row-level problems on failure), as the device CLI prints it. */
  report: string
  changes: number
  results?: Record<ChangeResult['status'], number>
}

/**
 * Imports a master-data file. A scratch device store gets the server's organisation, villages and
 * indicators (what the importers check codes against), runs the device's import handler (validation,
 * all or nothing), and its outbox is pushed in one transaction as the admin; a rejected change
 * rolls everything back. `args`: the device CLI's options (--encoding, --crs, --map, --skip-invalid).
 */
export async function importMasterFile(db: HqDb, kind: MasterFileKind, file: string, args: string[] = [], adminUserId = 'hq-admin'): Promise<MasterFileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'griddesk-hq-import-'))
  try {
    // A scratch replica that never outlives the import: its key is random and never stored.
    const replica = openCore({ dataDir: dir, resourcesDir: REPO_ROOT, version: 'hq-import', key: { kind: 'ephemeral' } })
    const held = await query<{ table_name: string; row_id: string; fields: Record<string, unknown>; versions: Record<string, string> }>(
      db,
      sql`SELECT table_name, row_id, fields, versions FROM rows WHERE table_name IN ('org_units', 'villages', 'indicators') AND NOT deleted`,
    )
    const sqlite = replica.ctx.db.$client
    sqlite.pragma('foreign_keys = OFF')
    sqlite.transaction(() =>
      applyPulledRows(
        sqlite,
        held.map((r) => ({ table_name: r.table_name, row_id: r.row_id, fields: r.fields, ...splitVersions(r.versions) })),
        new Date().toISOString(),
        (h) => replica.ctx.change.clock.receive(h),
      ),
    )()
    sqlite.pragma('foreign_keys = ON')
    const deviceId = replica.ctx.change.deviceId
    // The device's own import handler (validation, all or nothing) on the replica: the same path as
    // `npm run cli -- import`, without going through the CLI.
    const { values } = parseArgs({
      args,
      options: { encoding: { type: 'string' }, crs: { type: 'string' }, map: { type: 'string' }, 'skip-invalid': { type: 'boolean' } },
    })
    const source = { path: resolve(file) }
    const envelope = await replica.dispatch(
      'import.commit',
      {
        kind,
        source,
        encoding: values.encoding,
        crs: values.crs,
        mapping: parseColumnMapping(values.map),
        ...(values['skip-invalid'] ? { onInvalid: 'skip' as const } : {}),
      },
      'en',
    )
    const changes = envelope.ok ? pendingChanges(replica.ctx.db.$client, Number.MAX_SAFE_INTEGER) : []
    replica.close()
    if (!envelope.ok) return { ok: false, report: errorText('en', envelope), changes: 0 }
    const report = JSON.stringify(envelope.value, null, 2)
    const principal = { deviceId, userId: adminUserId, role: 'admin' as const }
    try {
      const { results } = await push(db, principal, { changes }, undefined, { atomic: true })
      await settleAfterBulkWrite(db)
      const counts = { applied: 0, superseded: 0, conflict: 0, rejected: 0 }
      for (const r of results) counts[r.status]++
      return { ok: true, report, changes: changes.length, results: counts }
    } catch (error) {
      if (!(error instanceof BatchRejectedError)) throw error
      const rejected = error.results.filter((r) => r.status === 'rejected')
      const bySeq = new Map(changes.map((c) => [c.device_seq, c]))
      const lines = rejected.slice(0, 50).map((r) => `${bySeq.get(r.device_seq)?.table_name} ${bySeq.get(r.device_seq)?.row_id}: ${r.reason}`)
      return {
        ok: false,
        report: [`${rejected.length} of ${changes.length} change(s) refused by the server; nothing was imported`, ...lines].join('\n'),
        changes: 0,
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
