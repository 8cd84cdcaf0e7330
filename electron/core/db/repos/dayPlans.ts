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

/**
 * The live plan of a grid and day: the one saved last by the sync clock (HLC, then id). When two
 * devices each made one before a sync, every device picks the same one (updated_at is local).
 */
export function dayPlanOf(db: Reader, gridId: string, date: string): DayPlanRow | undefined {
  return db.get<DayPlanRow>(sql`
    SELECT id, grid_id AS gridId, plan_date AS planDate, targets, start_lon AS startLon, start_lat AS startLat, start_name AS startName
    FROM day_plans WHERE grid_id = ${gridId} AND plan_date = ${date} AND deleted_at IS NULL
    ORDER BY hlc DESC, id DESC LIMIT 1`)
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

/**
 * Days from `from` on with a live plan in the grid, with how many of its targets are still
 * planned / done. Counted over the day's plan (as dayPlanOf picks it) and its current
 * targets, one per target: two devices that each saved a plan for the same day before a sync
 * leave two plans and two sets of planned visits, and neither doubles the count.
 */
export function planDates(db: Reader, gridId: string, from: string, limit: number): { date: string; planned: number; done: number }[] {
  return db.all(sql`
    WITH ranked AS (
      SELECT p.plan_date, p.targets, row_number() OVER (PARTITION BY p.plan_date ORDER BY p.hlc DESC, p.id DESC) AS n
      FROM day_plans p WHERE p.grid_id = ${gridId} AND p.plan_date >= ${from} AND p.deleted_at IS NULL
    ),
    plans AS (SELECT plan_date, targets FROM ranked WHERE n = 1 ORDER BY plan_date LIMIT ${limit}),
    targets AS (
      SELECT plans.plan_date AS date, json_extract(t.value, '$.kind') AS kind, json_extract(t.value, '$.id') AS id
      FROM plans, json_each(plans.targets) t
    ),
    states AS (
      SELECT g.date, g.kind, g.id, max(s.status = 'done') AS done, max(s.status = 'planned') AS planned
      FROM targets g JOIN visits s ON s.grid_id = ${gridId} AND s.planned_for = g.date AND s.deleted_at IS NULL
        AND (CASE WHEN g.kind = 'customer' THEN s.customer_id = g.id ELSE s.village_id = g.id AND s.customer_id IS NULL END)
      GROUP BY g.date, g.kind, g.id
    )
    SELECT plans.plan_date AS date,
      (SELECT count(*) FROM states WHERE states.date = plans.plan_date AND states.planned AND NOT states.done) AS planned,
      (SELECT count(*) FROM states WHERE states.date = plans.plan_date AND states.done) AS done
    FROM plans ORDER BY plans.plan_date`)
}
