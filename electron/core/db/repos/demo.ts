// Bulk insert of a generated demo county. The demo is a sandbox dataset standing in for HQ's
// master data: it is written without outbox entries, so it is never pushed to a real HQ.
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { DemoCounty } from '../../demo/generate'
import type { Tx } from '../client'
import * as schema from '../schema'

const order: [keyof DemoCounty, SQLiteTable][] = [
  ['divisions', schema.divisions],
  ['orgUnits', schema.orgUnits],
  ['users', schema.users],
  ['villages', schema.villages],
  ['keyCustomers', schema.keyCustomers],
  ['customerProducts', schema.customerProducts],
  ['funnelMoves', schema.funnelMoves],
  ['objections', schema.objections],
  ['competitorIntel', schema.competitorIntel],
  ['visits', schema.visits],
  ['visitParticipants', schema.visitParticipants],
  ['visitObjections', schema.visitObjections],
  ['visitProducts', schema.visitProducts],
  ['indicators', schema.indicators],
  ['targets', schema.targets],
  ['actuals', schema.actuals],
  ['workOrders', schema.workOrders],
]

export function insertDemoCounty(tx: Tx, county: DemoCounty): void {
  for (const [key, table] of order) {
    const rows = county[key] as Record<string, unknown>[]
    // SQLite allows 32766 bound parameters per statement: chunk by the widest row.
    const width = Math.max(1, ...rows.slice(0, 1).map((r) => Object.keys(r).length))
    const chunk = Math.max(1, Math.floor(32_000 / width))
    for (let i = 0; i < rows.length; i += chunk) {
      if (key === 'divisions') tx.insert(table).values(rows.slice(i, i + chunk) as never).onConflictDoNothing().run()
      else tx.insert(table).values(rows.slice(i, i + chunk) as never).run()
    }
  }
}
