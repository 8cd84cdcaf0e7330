// The county report's heaviest statements read index entries only: a month's visits (about 17,000
// in a county) fetched row by row from the encrypted store cost the report most of its SQL time.
// EXPLAIN QUERY PLAN of the statements the repo really runs, on a migrated store.
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { SQL } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestCore } from '../../testing'
import type { Db } from '../client'
import * as reports from './reports'

describe('report statements on covering indexes', () => {
  let core: ReturnType<typeof openTestCore>
  beforeAll(() => {
    core = openTestCore()
  })
  afterAll(() => core.dispose())

  /** The plan lines of every statement a repo call runs (the call itself runs too). */
  function plansOf(call: (db: Db) => unknown): string[][] {
    const db = core.ctx.db
    const dialect = new SQLiteSyncDialect()
    const plans: string[][] = []
    const recording = new Proxy(db, {
      get(target, key, receiver) {
        if (key !== 'all' && key !== 'get') return Reflect.get(target, key, receiver) as unknown
        return (query: SQL) => {
          const { sql: text, params } = dialect.sqlToQuery(query)
          plans.push((db.$client.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as { detail: string }[]).map((r) => r.detail))
          return key === 'all' ? db.all(query) : db.get(query)
        }
      },
    })
    call(recording)
    return plans
  }
  const grids = ['g1', 'g2']
  const [start, end] = ['2026-09-30T16:00:00.000Z', '2026-10-31T16:00:00.000Z']

  it('counts visits per purpose and plans off visits_grid_live_idx and visits_planned_idx alone', () => {
    const [plan] = plansOf((db) => reports.visitCounts(db, grids, start, end, '2026-10-01', '2026-10-31'))
    expect(plan).toContainEqual(
      expect.stringMatching(/^SEARCH v USING COVERING INDEX visits_grid_live_idx \(grid_id=\? AND status=\? AND checked_in_at>\? AND checked_in_at<\?\)/),
    )
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH v USING COVERING INDEX visits_planned_idx/))
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH p USING COVERING INDEX visit_products_sold_idx/))
  })

  it('counts objections heard off the visits and objections indexes alone', () => {
    const [plan] = plansOf((db) => reports.objectionCounts(db, grids, start, end))
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH v USING COVERING INDEX visits_grid_live_idx/))
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH o USING COVERING INDEX visit_objections_visit_idx \(visit_id=\?/))
  })

  it("checks an A-tier customer's visits and counts funnel moves without reading visit or move rows", () => {
    const [coverage] = plansOf((db) => reports.aTierCoverage(db, grids, start, end))
    expect(coverage).toContainEqual(
      expect.stringMatching(/^SEARCH v USING COVERING INDEX visits_customer_idx \(customer_id=\? AND checked_in_at>\? AND checked_in_at<\?\)/),
    )
    const [, moved] = plansOf((db) => reports.funnelCounts(db, grids, start, end))
    expect(moved).toContainEqual(
      expect.stringMatching(/^SEARCH m USING COVERING INDEX funnel_moves_customer_idx \(customer_id=\? AND moved_at>\? AND moved_at<\?\)/),
    )
  })
})
