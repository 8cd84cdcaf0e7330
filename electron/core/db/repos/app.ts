// Whole-store facts for the app's start screen.
import { sql } from 'drizzle-orm'
import type { CountSet } from '../../../../shared/api/contract'
import type { Db } from '../client'

export function countAll(db: Db): CountSet {
  return db.get<CountSet>(sql`
    SELECT
      (SELECT count(*) FROM org_units WHERE level = 'grid' AND deleted_at IS NULL) AS grids,
      (SELECT count(*) FROM villages WHERE deleted_at IS NULL) AS villages,
      (SELECT count(*) FROM key_customers WHERE deleted_at IS NULL) AS keyCustomers,
      (SELECT count(*) FROM visits WHERE deleted_at IS NULL) AS visits,
      (SELECT count(*) FROM competitor_intel WHERE deleted_at IS NULL) AS competitorIntel`)!
}
