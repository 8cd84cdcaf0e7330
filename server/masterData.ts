// Imports HQ master data into the server. For now the source is the demo county generator (the
// same one the device's demo uses); file imports (organisation, grids, indicators, targets,
// actuals) are the next step of issue 6.
import { getTableColumns } from 'drizzle-orm'
import { generateDemoCounty, type DemoCounty } from '../electron/core/demo/generate'
import { readDemoDivisions } from '../electron/core/demo/load'
import { REPO_ROOT } from '../electron/core/resources'
import { formatHlc } from '../electron/core/sync/hlc'
import { syncedTables } from '../electron/core/db/schema'
import type { HqDb } from './db/client'
import { BOOKKEEPING_COLUMNS } from './deviceSchema'
import { upsertMasterRows } from './sync'

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
  return counts
}
