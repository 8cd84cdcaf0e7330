// The SQL behind regional reports: a region's grids and every figure a report section needs,
// read for a set of grid ids (passed as JSON and expanded with json_each).
import { sql } from 'drizzle-orm'
import type { Db } from '../client'
import type { IntelRow } from '../../../../shared/api/reports'

export interface RegionRow {
  id: string
  code: string
  name: string
  level: 'county' | 'center' | 'grid' | 'microgrid'
  parentName: string | null
}

export function findRegion(db: Db, code: string): RegionRow | undefined {
  return db.get<RegionRow>(sql`
    SELECT o.id, o.code, o.name, o.level, p.name AS parentName FROM org_units o
    LEFT JOIN org_units p ON p.id = o.parent_id
    WHERE o.code = ${code} AND o.deleted_at IS NULL`)
}

export interface GridRow {
  id: string
  code: string
  name: string
  boundary: string | null
  geometrySource: string | null
}

/** The grids at or under an org unit. */
export function gridsUnder(db: Db, orgUnitId: string): GridRow[] {
  return db.all<GridRow>(sql`
    WITH RECURSIVE tree(id) AS (
      SELECT ${orgUnitId}
      UNION ALL SELECT o.id FROM org_units o JOIN tree t ON o.parent_id = t.id WHERE o.deleted_at IS NULL
    )
    SELECT g.id, g.code, g.name, g.boundary, g.geometry_source AS geometrySource
    FROM org_units g JOIN tree t ON t.id = g.id
    WHERE g.level = 'grid' AND g.deleted_at IS NULL ORDER BY g.code`)
}

const ids = (gridIds: string[]) => sql`(SELECT value FROM json_each(${JSON.stringify(gridIds)}))`

export interface IndicatorRow {
  code: string
  nameZh: string
  nameEn: string
  unit: string
  direction: 'higher_better' | 'lower_better'
  yellowBelowPp: number
  redBelowPp: number
}
export function listIndicators(db: Db): IndicatorRow[] {
  return db.all<IndicatorRow>(sql`
    SELECT code, name_zh AS nameZh, name_en AS nameEn, unit, direction, yellow_below_pp AS yellowBelowPp,
      red_below_pp AS redBelowPp
    FROM indicators WHERE deleted_at IS NULL ORDER BY rowid`)
}

export interface PeriodValueRow {
  indicatorCode: string
  gridId: string
  period: string
  value: number
}

/** Targets of the grids for the given periods (the report's period and its months). */
export function targetsFor(db: Db, gridIds: string[], periods: string[]): PeriodValueRow[] {
  return db.all<PeriodValueRow>(sql`
    SELECT indicator_code AS indicatorCode, org_unit_id AS gridId, period, value FROM targets
    WHERE deleted_at IS NULL AND org_unit_id IN ${ids(gridIds)}
      AND period IN (SELECT value FROM json_each(${JSON.stringify(periods)}))`)
}

/** Actuals of the grids for the given periods: the latest as_of of each wins (history is kept). */
export function actualsFor(db: Db, gridIds: string[], periods: string[]): PeriodValueRow[] {
  return db.all<PeriodValueRow>(sql`
    SELECT indicatorCode, gridId, period, value FROM (
      SELECT indicator_code AS indicatorCode, org_unit_id AS gridId, period, value,
        row_number() OVER (PARTITION BY indicator_code, org_unit_id, period ORDER BY as_of DESC, created_at DESC) AS rn
      FROM actuals
      WHERE deleted_at IS NULL AND org_unit_id IN ${ids(gridIds)}
        AND period IN (SELECT value FROM json_each(${JSON.stringify(periods)})))
    WHERE rn = 1`)
}

export interface VisitCountRow {
  gridId: string
  purpose: string | null
  planned: number
  plannedDone: number
  done: number
  sold: number
}

/** Visits per grid and purpose: planned in the period, and done (checked in) in the period. */
/**
 * Visits per grid and purpose: done ones checked in within [startIso, endIso); planned ones whose
 * plan day (planned_for: a local date, or a timestamp in older rows) falls within [startDay, endDay]
 * and, of those, the ones done.
 */
export function visitCounts(db: Db, gridIds: string[], startIso: string, endIso: string, startDay: string, endDay: string): VisitCountRow[] {
  // Two index range scans (grid, checked_in_at) and a planned_for filter, not one OR over all visits.
  return db.all<VisitCountRow>(sql`
    SELECT gridId, purpose, sum(planned) AS planned, sum(plannedDone) AS plannedDone, sum(done) AS done, sum(sold) AS sold FROM (
      SELECT v.grid_id AS gridId, v.purpose, 0 AS planned, 0 AS plannedDone, count(*) AS done,
        sum(EXISTS (SELECT 1 FROM visit_products p WHERE p.visit_id = v.id AND p.outcome = 'sold' AND p.deleted_at IS NULL)) AS sold
      FROM json_each(${JSON.stringify(gridIds)}) g CROSS JOIN visits v ON v.grid_id = g.value
      WHERE v.checked_in_at >= ${startIso} AND v.checked_in_at < ${endIso}
        AND v.status = 'done' AND v.deleted_at IS NULL
      GROUP BY v.grid_id, v.purpose
      UNION ALL
      SELECT v.grid_id, v.purpose, sum(v.status <> 'cancelled'), sum(v.status = 'done'), 0, 0
      FROM visits v
      WHERE v.grid_id IN ${ids(gridIds)} AND v.planned_for >= ${startDay} AND v.planned_for < ${endDay + 'T99'} AND v.deleted_at IS NULL -- 'T99': the end day's timestamps sort below it
      GROUP BY v.grid_id, v.purpose)
    GROUP BY gridId, purpose`)
}

export interface CoverageCountRow {
  gridId: string
  aTier: number
  visited: number
}

/** A-tier key customers per grid and how many had a done visit in [sinceIso, untilIso). */
export function aTierCoverage(db: Db, gridIds: string[], sinceIso: string, untilIso: string): CoverageCountRow[] {
  return db.all<CoverageCountRow>(sql`
    SELECT k.grid_id AS gridId, count(*) AS aTier,
      sum(EXISTS (SELECT 1 FROM visits v WHERE v.customer_id = k.id AND v.deleted_at IS NULL AND v.status = 'done'
        AND v.checked_in_at >= ${sinceIso} AND v.checked_in_at < ${untilIso})) AS visited
    FROM key_customers k
    WHERE k.deleted_at IS NULL AND coalesce(k.tier_override, k.value_tier) = 'A' AND k.grid_id IN ${ids(gridIds)}
    GROUP BY k.grid_id`)
}

export function funnelCounts(db: Db, gridIds: string[], startIso: string, endIso: string): { stage: string; current: number; movedIn: number }[] {
  const current = db.all<{ stage: string; n: number }>(sql`
    SELECT funnel_stage AS stage, count(*) AS n FROM key_customers
    WHERE deleted_at IS NULL AND grid_id IN ${ids(gridIds)} GROUP BY funnel_stage`)
  const moved = db.all<{ stage: string; n: number }>(sql`
    SELECT m.to_stage AS stage, count(*) AS n FROM funnel_moves m JOIN key_customers k ON k.id = m.customer_id
    WHERE m.deleted_at IS NULL AND k.deleted_at IS NULL AND m.moved_at >= ${startIso} AND m.moved_at < ${endIso}
      AND k.grid_id IN ${ids(gridIds)}
    GROUP BY m.to_stage`)
  const stages = new Set([...current, ...moved].map((r) => r.stage))
  return [...stages].map((stage) => ({ stage, current: current.find((r) => r.stage === stage)?.n ?? 0, movedIn: moved.find((r) => r.stage === stage)?.n ?? 0 }))
}

export type IntelDbRow = Omit<IntelRow, 'rivalName'>

/** Competitor intel seen in the period, newest first. */
export function intelSeen(db: Db, gridIds: string[], startIso: string, endIso: string): IntelDbRow[] {
  return db.all<IntelDbRow>(sql`
    SELECT i.seen_at AS seenAt, i.rival, i.kind, i.title, v.name AS villageName, g.name AS gridName,
      i.monthly_fee AS monthlyFee, i.data_gb AS dataGb, i.voice_minutes AS voiceMinutes, i.broadband_mbps AS broadbandMbps,
      i.contract_months AS contractMonths, i.device_subsidy AS deviceSubsidy, i.threat_level AS threatLevel,
      i.suggested_response AS suggestedResponse
    FROM competitor_intel i
    LEFT JOIN villages v ON v.id = i.village_id
    LEFT JOIN org_units g ON g.id = i.grid_id
    WHERE i.deleted_at IS NULL AND i.grid_id IN ${ids(gridIds)} AND i.seen_at >= ${startIso} AND i.seen_at < ${endIso}
    ORDER BY i.seen_at DESC`)
}

export interface VillageProfileRow {
  divisionCode: string
  name: string
  gridId: string | null
  gridName: string | null
  lon: number | null
  lat: number | null
  population: number | null
  households: number | null
  migrantAwayPct: number | null
  mainEconomy: string | null
  marketDays: string | null
  festivals: string | null
  educationLevel: string | null
  fibreCovered: number | null
  ourPorts: number | null
  signal4g: string | null
  signal5g: string | null
  ourMobileSubs: number | null
  ourBroadbandSubs: number | null
  penetrationPct: number | null
  keyPersons: string | null
  ageUnder18Pct: number | null
  age18To60Pct: number | null
  ageOver60Pct: number | null
  rivalPorts: string | null
  shareVsRivals: string | null
}

export function villageProfiles(db: Db, gridIds: string[]): VillageProfileRow[] {
  return db.all<VillageProfileRow>(sql`
    SELECT v.division_code AS divisionCode, v.name, v.grid_id AS gridId, g.name AS gridName, v.lon, v.lat,
      v.population, v.households, v.migrant_away_pct AS migrantAwayPct, v.main_economy AS mainEconomy,
      v.market_days AS marketDays, v.festivals, v.education_level AS educationLevel, v.fibre_covered AS fibreCovered,
      v.our_ports AS ourPorts, v.signal_4g AS signal4g, v.signal_5g AS signal5g, v.our_mobile_subs AS ourMobileSubs,
      v.our_broadband_subs AS ourBroadbandSubs, v.penetration_pct AS penetrationPct, v.key_persons AS keyPersons,
      v.age_under_18_pct AS ageUnder18Pct, v.age_18_to_60_pct AS age18To60Pct, v.age_over_60_pct AS ageOver60Pct,
      v.rival_ports AS rivalPorts, v.share_vs_rivals AS shareVsRivals
    FROM villages v LEFT JOIN org_units g ON g.id = v.grid_id
    WHERE v.deleted_at IS NULL AND v.grid_id IN ${ids(gridIds)}
    ORDER BY v.division_code`)
}

export interface ObjectionCountRow {
  code: string
  nameZh: string
  nameEn: string
  answer: string | null
  heard: number
  answered: number
  worked: number
}

/** Objections heard on visits done in the period, per objection and answer given. */
export function objectionCounts(db: Db, gridIds: string[], startIso: string, endIso: string): ObjectionCountRow[] {
  return db.all<ObjectionCountRow>(sql`
    SELECT o.objection_code AS code, coalesce(l.name_zh, o.objection_code) AS nameZh, coalesce(l.name_en, o.objection_code) AS nameEn,
      o.answer, count(*) AS heard, sum(o.answer IS NOT NULL AND o.answer <> '') AS answered, sum(coalesce(o.answer_worked, 0)) AS worked
    FROM json_each(${JSON.stringify(gridIds)}) g
    CROSS JOIN visits v ON v.grid_id = g.value
    CROSS JOIN visit_objections o ON o.visit_id = v.id
    LEFT JOIN objections l ON l.code = o.objection_code
    WHERE o.deleted_at IS NULL AND v.deleted_at IS NULL AND v.status = 'done'
      AND v.checked_in_at >= ${startIso} AND v.checked_in_at < ${endIso}
    GROUP BY o.objection_code, o.answer`)
}

export interface WorkOrderDbRow {
  title: string
  gridCode: string | null
  gridName: string | null
  customerName: string | null
  assignee: string | null
  status: string
  dueAt: string
}

/**
 * Work orders as of a moment: open then (created by it, not closed by it, not cancelled) and, of
 * those, overdue then (due before it). Reopened or cancelled orders carry no history here: a
 * cancelled order counts as never open; a done one was open until its closed_at.
 */
export function overdueWorkOrders(db: Db, gridIds: string[], asOfIso: string): { open: number; rows: WorkOrderDbRow[] } {
  const openThen = sql`w.deleted_at IS NULL AND w.org_unit_id IN ${ids(gridIds)} AND w.created_at < ${asOfIso} AND w.status <> 'cancelled'
    AND (w.status IN ('open', 'in_progress') OR (w.closed_at IS NOT NULL AND w.closed_at >= ${asOfIso}))`
  const open = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM work_orders w WHERE ${openThen}`)!.n
  const rows = db.all<WorkOrderDbRow>(sql`
    SELECT w.title, g.code AS gridCode, g.name AS gridName, k.name AS customerName, u.name AS assignee,
      CASE WHEN w.status = 'done' THEN 'open' ELSE w.status END AS status, w.due_at AS dueAt
    FROM work_orders w
    LEFT JOIN org_units g ON g.id = w.org_unit_id
    LEFT JOIN key_customers k ON k.id = w.customer_id
    LEFT JOIN users u ON u.id = w.assignee_user_id
    WHERE ${openThen} AND w.due_at < ${asOfIso}
    ORDER BY w.due_at, w.id`)
  return { open, rows }
}
