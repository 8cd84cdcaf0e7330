// SQL of day plans (今日计划): the live plan of a grid and day, its planned visits, the planned
// visits a completed visit closes, and the plan dates to show.
import { sql } from 'drizzle-orm'
import type { VisitTargetKind } from '../../../../shared/api/visits'
import type { Db, Tx } from '../client'

type Reader = Pick<Db, 'all' | 'get'> | Pick<Tx, 'all' | 'get'>

export interface DayPlanRow {
  id: string
  gridId: string
  planDate: string
  targets: string
  startLon: number | null
  startLat: number | null
  startName: string | null
}

/** The newest live plan of a grid and day (two devices may each have made one before a sync). */
export function dayPlanOf(db: Reader, gridId: string, date: string): DayPlanRow | undefined {
  return db.get<DayPlanRow>(sql`
    SELECT id, grid_id AS gridId, plan_date AS planDate, targets, start_lon AS startLon, start_lat AS startLat, start_name AS startName
    FROM day_plans WHERE grid_id = ${gridId} AND plan_date = ${date} AND deleted_at IS NULL
    ORDER BY updated_at DESC, id DESC LIMIT 1`)
}

/** Other live plans of the same grid and day (left by a merge): replaced along with the newest. */
export function otherDayPlans(db: Reader, gridId: string, date: string, keepId: string): string[] {
  return db
    .all<{ id: string }>(sql`SELECT id FROM day_plans WHERE grid_id = ${gridId} AND plan_date = ${date} AND deleted_at IS NULL AND id <> ${keepId}`)
    .map((r) => r.id)
}

export interface PlannedVisitRow {
  id: string
  kind: VisitTargetKind
  targetId: string
  status: 'planned' | 'done' | 'cancelled' | 'draft'
  plannedFor: string | null
  checkedInAt: string | null
}

const targetOf = sql`CASE WHEN s.customer_id IS NOT NULL THEN 'customer' ELSE 'village' END AS kind, coalesce(s.customer_id, s.village_id) AS targetId`

/** Visits of a grid planned for a day (any status but cancelled). */
export function plannedVisitsOf(db: Reader, gridId: string, date: string): PlannedVisitRow[] {
  return db.all<PlannedVisitRow>(sql`
    SELECT s.id, ${targetOf}, s.status, s.planned_for AS plannedFor, s.checked_in_at AS checkedInAt
    FROM visits s WHERE s.grid_id = ${gridId} AND s.planned_for = ${date} AND s.deleted_at IS NULL AND s.status <> 'cancelled'
    ORDER BY s.created_at, s.id`)
}

/** Open planned visits of a target up to a day, the newest planned day first. */
export function openPlannedVisitsOf(db: Reader, kind: VisitTargetKind, id: string, upTo: string): PlannedVisitRow[] {
  const match = kind === 'customer' ? sql`s.customer_id = ${id}` : sql`s.village_id = ${id} AND s.customer_id IS NULL`
  return db.all<PlannedVisitRow>(sql`
    SELECT s.id, ${targetOf}, s.status, s.planned_for AS plannedFor, s.checked_in_at AS checkedInAt
    FROM visits s WHERE ${match} AND s.status = 'planned' AND s.deleted_at IS NULL AND s.planned_for <= ${upTo}
    ORDER BY s.planned_for DESC, s.created_at DESC`)
}

/** Days from `from` on with a live plan in the grid, with how many of its visits are planned / done. */
export function planDates(db: Reader, gridId: string, from: string, limit: number): { date: string; planned: number; done: number }[] {
  return db.all(sql`
    SELECT p.plan_date AS date,
      (SELECT count(*) FROM visits s WHERE s.grid_id = p.grid_id AND s.planned_for = p.plan_date AND s.status = 'planned' AND s.deleted_at IS NULL) AS planned,
      (SELECT count(*) FROM visits s WHERE s.grid_id = p.grid_id AND s.planned_for = p.plan_date AND s.status = 'done' AND s.deleted_at IS NULL) AS done
    FROM day_plans p WHERE p.grid_id = ${gridId} AND p.plan_date >= ${from} AND p.deleted_at IS NULL
    GROUP BY p.plan_date ORDER BY p.plan_date LIMIT ${limit}`)
}
