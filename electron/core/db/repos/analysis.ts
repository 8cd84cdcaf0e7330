// SQL behind the customer-side analyses of module 3: key customers' value (80/20), the products
// they hold (Boston matrix) and their funnel stages, for the grids under a region.
import { sql } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { FunnelStage } from '../../../../shared/domain'
import type { Db } from '../client'

type Reader = Pick<Db, 'all' | 'get'>

const gridsUnder = (region: string) => sql`
  WITH RECURSIVE sub(id) AS (
    SELECT id FROM org_units WHERE code = ${region} AND deleted_at IS NULL
    UNION ALL SELECT o.id FROM org_units o JOIN sub ON o.parent_id = sub.id WHERE o.deleted_at IS NULL
  )`

export interface CustomerValueRow {
  id: string
  name: string
  gridCode: string | null
  monthlyRevenue: number
  funnelStage: FunnelStage
}

const dialect = new SQLiteSyncDialect()
const valueSql = sql`max(0, coalesce(k.monthly_revenue, 0))`

/** The region's key customers' values (monthly revenue, 0 for none), largest first, as numbers only. */
export function valuesUnder(db: Db, region: string): Float64Array {
  const { sql: text, params } = dialect.sqlToQuery(sql`
    ${gridsUnder(region)}
    SELECT ${valueSql} FROM key_customers k INDEXED BY key_customers_grid_revenue_idx WHERE k.deleted_at IS NULL AND k.grid_id IN (SELECT id FROM sub)`)
  return Float64Array.from(
    db.$client
      .prepare(text)
      .pluck()
      .all(...params) as number[],
  )
    .sort()
    .reverse()
}

/**
 * The region's `limit` most valuable key customers, largest first: chosen on the grid-by-revenue
 * index (migrations/0013, no row read), then only they are read for their names.
 */
export function topCustomersUnder(db: Reader, region: string, limit: number): (Omit<CustomerValueRow, 'monthlyRevenue' | 'funnelStage'> & { value: number })[] {
  return db.all(sql`
    ${gridsUnder(region)},
    top AS (
      SELECT k.id, ${valueSql} AS value FROM key_customers k INDEXED BY key_customers_grid_revenue_idx
      WHERE k.deleted_at IS NULL AND k.grid_id IN (SELECT id FROM sub)
      ORDER BY value DESC, k.id LIMIT ${limit})
    SELECT k.id, k.name, g.code AS gridCode, top.value
    FROM top JOIN key_customers k ON k.id = top.id LEFT JOIN org_units g ON g.id = k.grid_id
    ORDER BY top.value DESC, k.id`)
}

/** How many of the region's key customers are at each funnel stage. */
export function stagesUnder(db: Reader, region: string): { stage: FunnelStage; n: number }[] {
  return db.all(sql`
    ${gridsUnder(region)}
    SELECT k.funnel_stage AS stage, count(*) AS n FROM key_customers k
    WHERE k.deleted_at IS NULL AND k.grid_id IN (SELECT id FROM sub) GROUP BY k.funnel_stage`)
}

/** Per product: key customers holding it now, and those who held it by `yearAgo` (by `since`). */
export function productHoldings(db: Reader, region: string, asOf: string, yearAgo: string): { product: string; holders: number; holdersYearAgo: number }[] {
  return db.all(sql`
    ${gridsUnder(region)}
    SELECT p.product_name AS product,
      count(DISTINCT CASE WHEN (p.since IS NULL OR p.since <= ${asOf}) AND (p.expiry IS NULL OR p.expiry > ${asOf}) THEN p.customer_id END) AS holders,
      count(DISTINCT CASE WHEN p.since <= ${yearAgo} AND (p.expiry IS NULL OR p.expiry > ${yearAgo}) THEN p.customer_id END) AS holdersYearAgo
    FROM customer_products p JOIN key_customers k ON k.id = p.customer_id
    WHERE p.deleted_at IS NULL AND k.deleted_at IS NULL AND k.grid_id IN (SELECT id FROM sub)
    GROUP BY p.product_name ORDER BY holders DESC, p.product_name`)
}
