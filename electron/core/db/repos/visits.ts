// SQL of visits (拜访): targets to pick in a grid, a visit with its children, the visit list, the
// objection library with how often each answer worked, the facts the next-up ranking weighs, and
// funnel moves over a period.
import { sql } from 'drizzle-orm'
import type { ObjectionRow, VisitDetail, VisitHistoryEntry, VisitListRow, VisitTargetKind, VisitTargetRow } from '../../../../shared/api/visits'
import type { FunnelStage, ValueTier } from '../../../../shared/domain'
import type { Db } from '../client'
import { storeVersion } from './mapLayers'
import { customerIdsSql, villageIdsSql } from './search'

type Reader = Pick<Db, 'all' | 'get'>

export function visitTargets(db: Reader, q: { gridId: string; search?: string; kind?: VisitTargetKind; limit: number }): VisitTargetRow[] {
  const search = q.search?.trim() ? q.search : null
  const customers =
    q.kind === 'village'
      ? []
      : db.all<VisitTargetRow>(sql`
    SELECT 'customer' AS kind, k.id, k.name, trim(coalesce(k.role, '') || ' ' || coalesce(k.organisation, '')) AS detail, v.name AS villageName,
      coalesce(k.tier_override, k.value_tier) AS tier, k.funnel_stage AS funnelStage, k.lon, k.lat,
      (SELECT c.last_at FROM customer_last_visit c WHERE c.customer_id = k.id) AS lastVisitAt
    FROM key_customers k LEFT JOIN villages v ON v.id = k.village_id
    WHERE k.grid_id = ${q.gridId} AND k.deleted_at IS NULL
      ${search ? sql`AND k.id IN (${customerIdsSql(search)})` : sql``}
    ORDER BY CASE coalesce(k.tier_override, k.value_tier) WHEN 'A' THEN 0 WHEN 'B' THEN 1 ELSE 2 END, (SELECT s.pinyin FROM customer_search s WHERE s.customer_id = k.id), k.name
    LIMIT ${q.limit}`)
  const villages =
    q.kind === 'customer'
      ? []
      : db.all<VisitTargetRow>(sql`
    SELECT 'village' AS kind, v.id, v.name, t.name AS detail, v.name AS villageName, NULL AS tier, NULL AS funnelStage, v.lon, v.lat,
      (SELECT max(s.checked_in_at) FROM visits s WHERE s.village_id = v.id AND s.customer_id IS NULL AND s.status = 'done' AND s.deleted_at IS NULL) AS lastVisitAt
    FROM villages v LEFT JOIN divisions t ON t.code = v.township_code
    WHERE v.grid_id = ${q.gridId} AND v.deleted_at IS NULL ${search ? sql`AND v.id IN (${villageIdsSql(search)})` : sql``}
    ORDER BY (SELECT p.pinyin FROM place_search p WHERE p.ref_id = v.id), v.name LIMIT ${q.limit}`)
  return [...customers, ...villages]
}

export interface TargetFacts {
  kind: VisitTargetKind
  id: string
  name: string
  lon: number | null
  lat: number | null
  gridId: string | null
  villageId: string | null
  customerId: string | null
  category: string | null
  funnelStage: FunnelStage | null
}

export function targetFacts(db: Reader, kind: VisitTargetKind, id: string): TargetFacts | undefined {
  if (kind === 'customer')
    return db.get<TargetFacts>(sql`
      SELECT 'customer' AS kind, k.id, k.name, coalesce(k.lon, v.lon) AS lon, coalesce(k.lat, v.lat) AS lat, coalesce(k.grid_id, v.grid_id) AS gridId,
        k.village_id AS villageId, k.id AS customerId, k.category, k.funnel_stage AS funnelStage
      FROM key_customers k LEFT JOIN villages v ON v.id = k.village_id WHERE k.id = ${id} AND k.deleted_at IS NULL`)
  return db.get<TargetFacts>(sql`
    SELECT 'village' AS kind, v.id, v.name, v.lon, v.lat, v.grid_id AS gridId, v.id AS villageId, NULL AS customerId, NULL AS category, NULL AS funnelStage
    FROM villages v WHERE v.id = ${id} AND v.deleted_at IS NULL`)
}

export function gridExists(db: Reader, id: string): boolean {
  return Boolean(db.get(sql`SELECT 1 AS one FROM org_units WHERE id = ${id} AND level = 'grid' AND deleted_at IS NULL`))
}

export function visitStatus(db: Reader, id: string): { status: string } | undefined {
  return db.get(sql`SELECT status FROM visits WHERE id = ${id} AND deleted_at IS NULL`)
}

export function visitDetail(db: Reader, id: string): (Omit<VisitDetail, 'distanceM'> & { targetLon: number | null; targetLat: number | null }) | undefined {
  const visit = db.get<
    Omit<VisitDetail, 'distanceM' | 'participants' | 'products' | 'objections' | 'intel' | 'workOrders' | 'funnelMoves' | 'photos'> & {
      targetLon: number | null
      targetLat: number | null
    }
  >(sql`
    SELECT s.id, s.status, s.target_kind AS targetKind, s.customer_id AS customerId, k.name AS customerName, s.village_id AS villageId, v.name AS villageName,
      s.grid_id AS gridId, s.planned_for AS plannedFor, s.checked_in_at AS checkedInAt, s.check_in_lon AS checkInLon, s.check_in_lat AS checkInLat,
      s.check_in_source AS checkInSource, s.purpose, s.outcome, s.next_action AS nextAction, s.next_action_due AS nextActionDue,
      coalesce(k.lon, v.lon) AS targetLon, coalesce(k.lat, v.lat) AS targetLat
    FROM visits s LEFT JOIN key_customers k ON k.id = s.customer_id LEFT JOIN villages v ON v.id = s.village_id
    WHERE s.id = ${id} AND s.deleted_at IS NULL`)
  if (!visit) return undefined
  const live = sql`visit_id = ${id} AND deleted_at IS NULL`
  return {
    ...visit,
    participants: db.all(sql`SELECT name, role FROM visit_participants WHERE ${live} ORDER BY created_at, id`),
    products: db.all(sql`SELECT product, outcome, quantity FROM visit_products WHERE ${live} ORDER BY created_at, id`),
    objections: db
      .all<{ code: string; detail: string | null; answer: string | null; worked: number | null }>(
        sql`
      SELECT objection_code AS code, detail, answer, answer_worked AS worked FROM visit_objections WHERE ${live} ORDER BY created_at, id`,
      )
      .map((o) => ({ ...o, worked: o.worked === null ? null : Boolean(o.worked) })),
    intel: db.all(sql`SELECT id, rival, kind, title FROM competitor_intel WHERE from_visit_id = ${id} AND deleted_at IS NULL ORDER BY created_at`),
    workOrders: db.all(sql`SELECT id, title, due_at AS dueAt, status FROM work_orders WHERE ${live} ORDER BY created_at`),
    funnelMoves: visit.customerId
      ? db.all(
          sql`SELECT from_stage AS fromStage, to_stage AS toStage, moved_at AS movedAt FROM funnel_moves WHERE customer_id = ${visit.customerId} AND deleted_at IS NULL ORDER BY moved_at`,
        )
      : [],
    photos: db.all(sql`
      SELECT id, file_name AS fileName, sha256, mime, bytes, thumb_sha256 AS thumbSha256 FROM attachments
      WHERE owner_table = 'visits' AND owner_id = ${id} AND deleted_at IS NULL ORDER BY created_at`),
  }
}

export function listVisits(
  db: Reader,
  q: { gridId?: string; customerId?: string; from?: string; to?: string; status?: 'planned' | 'done'; limit: number },
): VisitListRow[] {
  // Planned visits are dated by planned_for, done ones by checked_in_at (dates compared as text prefixes).
  const at = sql`coalesce(s.checked_in_at, s.planned_for)`
  return db.all<VisitListRow>(sql`
    SELECT s.id, s.status, s.target_kind AS targetKind, coalesce(k.name, v.name) AS targetName, v.name AS villageName, s.grid_id AS gridId,
      ${at} AS at, s.purpose, s.outcome,
      (SELECT count(*) FROM visit_objections o WHERE o.visit_id = s.id AND o.deleted_at IS NULL) AS objections,
      (SELECT count(*) FROM visit_products p WHERE p.visit_id = s.id AND p.outcome = 'sold' AND p.deleted_at IS NULL) AS sold
    FROM visits s LEFT JOIN key_customers k ON k.id = s.customer_id LEFT JOIN villages v ON v.id = s.village_id
    WHERE s.deleted_at IS NULL AND s.status IN ('planned', 'done')
      ${q.gridId ? sql`AND s.grid_id = ${q.gridId}` : sql``}
      ${q.customerId ? sql`AND s.customer_id = ${q.customerId}` : sql``}
      ${q.status ? sql`AND s.status = ${q.status}` : sql``}
      ${q.from ? sql`AND ${at} >= ${q.from}` : sql``}
      ${q.to ? sql`AND ${at} < ${q.to + 'T99'}` : sql``}
    ORDER BY ${at} DESC LIMIT ${q.limit}`)
}

export type VisitChildTable = 'visit_participants' | 'visit_products' | 'visit_objections'

export function visitChildIds(db: Reader, table: VisitChildTable, visitId: string): string[] {
  return db
    .all<{ id: string }>(sql`SELECT id FROM ${sql.identifier(table)} WHERE visit_id = ${visitId} AND deleted_at IS NULL ORDER BY created_at, id`)
    .map((r) => r.id)
}

/** This device's outbox entries for a visit and its lists, newest first: its history. */
export function visitHistory(db: Reader, visitId: string, limit: number): VisitHistoryEntry[] {
  const rows = db.all<{ at: string; op: VisitHistoryEntry['op']; tableName: string; fields: string; pushedAt: string | null }>(sql`
    SELECT o.created_at AS at, o.op, o.table_name AS tableName, o.fields, o.pushed_at AS pushedAt FROM outbox o
    WHERE (o.table_name = 'visits' AND o.row_id = ${visitId})
      OR (o.table_name IN ('visit_participants', 'visit_products', 'visit_objections') AND o.row_id IN (
        SELECT id FROM visit_participants WHERE visit_id = ${visitId} UNION ALL SELECT id FROM visit_products WHERE visit_id = ${visitId}
        UNION ALL SELECT id FROM visit_objections WHERE visit_id = ${visitId}))
    ORDER BY o.device_seq DESC LIMIT ${limit}`)
  return rows.map((r) => ({
    at: r.at,
    op: r.op,
    table: r.tableName,
    synced: r.pushedAt !== null,
    changes: Object.entries(JSON.parse(r.fields) as Record<string, unknown>).map(([field, value]) => ({ field, value })),
  }))
}

// ---- The objection library.

export function listObjections(db: Reader): ObjectionRow[] {
  return db.all<ObjectionRow>(sql`
    SELECT o.id, o.code, o.name_zh AS nameZh, o.name_en AS nameEn, o.suggested_answer AS suggestedAnswer,
      count(vo.id) AS heard, coalesce(sum(vo.answer_worked), 0) AS worked
    FROM objections o LEFT JOIN visit_objections vo ON vo.objection_code = o.code AND vo.deleted_at IS NULL
    WHERE o.deleted_at IS NULL GROUP BY o.id ORDER BY heard DESC, o.code`)
}

export function objectionById(db: Reader, id: string): ObjectionRow | undefined {
  return listObjections(db).find((o) => o.id === id)
}

export function objectionCodes(db: Reader): Set<string> {
  return new Set(db.all<{ code: string }>(sql`SELECT code FROM objections WHERE deleted_at IS NULL`).map((r) => r.code))
}

export function objectionCodeTaken(db: Reader, code: string): boolean {
  return Boolean(db.get(sql`SELECT 1 AS one FROM objections WHERE code = ${code}`))
}

// ---- Who to see next: the facts, per grid. The ranking itself is in the handler.

export interface RankingCustomer {
  id: string
  name: string
  role: string | null
  organisation: string | null
  villageId: string | null
  villageName: string | null
  tier: ValueTier | null
  influence: number | null
  funnelStage: FunnelStage
  contractExpiry: string | null
  nextFollowUp: string | null
  lon: number | null
  lat: number | null
  lastVisitAt: string | null
}

/**
 * The grid's customers with what the ranking weighs (all of them, or those of `ids`); the last
 * visit from customer_last_visit (kept by triggers, migration 0011). Given ids, only their rows
 * are read (the list drives the join, not the grid's index).
 */
export function rankingCustomers(db: Reader, gridId: string, ids?: string[]): RankingCustomer[] {
  return db.all<RankingCustomer>(sql`
    SELECT k.id, k.name, k.role, k.organisation, k.village_id AS villageId, v.name AS villageName, coalesce(k.tier_override, k.value_tier) AS tier,
      k.influence, k.funnel_stage AS funnelStage, k.contract_expiry AS contractExpiry, k.next_follow_up AS nextFollowUp,
      coalesce(k.lon, v.lon) AS lon, coalesce(k.lat, v.lat) AS lat, c.last_at AS lastVisitAt
    FROM ${ids ? sql`json_each(${JSON.stringify(ids)}) j CROSS JOIN key_customers k ON k.id = j.value` : sql`key_customers k`}
      LEFT JOIN villages v ON v.id = k.village_id LEFT JOIN customer_last_visit c ON c.customer_id = k.id
    WHERE k.grid_id = ${gridId} AND k.deleted_at IS NULL`)
}

/** The ranking's dates: as of a day, a last visit before `staleBefore` is stale; contracts expiring up to `expiryHorizon` count. */
export interface RankingDays {
  asOf: string
  staleBefore: string
  expiryHorizon: string
}

/**
 * An upper bound of each grid customer's score from the reasons kept on the row (an A-tier
 * customer not visited lately, a contract expiring, a follow-up overdue) plus influence — the
 * formula of handlers/visits.ts rankNextUp, without rival intel and overdue work orders. Read off
 * one narrow covering index (key_customers_rank_idx, migration 0012) and the kept last visits,
 * so no customer row is read. Either the `top` highest, or all with a bound of at least `atLeast`.
 * A date that does not parse counts its reason at its most.
 */
export function rankingBounds(db: Reader, gridId: string, d: RankingDays, cut: { top: number } | { atLeast: number }): string[] {
  const bound = sql`(CASE WHEN coalesce(k.tier_override, k.value_tier) = 'A' THEN coalesce((
        SELECT CASE WHEN c.last_at >= ${d.staleBefore} THEN 0 ELSE 30 + min(30, (julianday(${d.asOf}) - julianday(substr(c.last_at, 1, 10)) - 30) / 2.0) END
        FROM customer_last_visit c WHERE c.customer_id = k.id AND c.last_at IS NOT NULL), 60) ELSE 0 END
      + CASE WHEN k.contract_expiry >= ${d.asOf} AND k.contract_expiry <= ${d.expiryHorizon}
        THEN coalesce(25 + (60 - (julianday(substr(k.contract_expiry, 1, 10)) - julianday(${d.asOf}))) / 3.0, 45) ELSE 0 END
      + CASE WHEN k.next_follow_up < ${d.asOf} THEN coalesce(20 + min(20, julianday(${d.asOf}) - julianday(substr(k.next_follow_up, 1, 10))), 40) ELSE 0 END
      + 2 * coalesce(k.influence, 1))`
  return db
    .all<{ id: string }>(
      'top' in cut
        ? sql`SELECT k.id FROM key_customers k INDEXED BY key_customers_rank_idx WHERE k.grid_id = ${gridId} AND k.deleted_at IS NULL
            ORDER BY ${bound} DESC LIMIT ${cut.top}`
        : sql`SELECT k.id FROM key_customers k INDEXED BY key_customers_rank_idx WHERE k.grid_id = ${gridId} AND k.deleted_at IS NULL
            AND ${bound} >= ${cut.atLeast}`,
    )
    .map((r) => r.id)
}

export interface FreshIntel {
  id: string
  rival: string
  title: string
  villageId: string | null
  lon: number | null
  lat: number | null
  seenAt: string
  threatLevel: number | null
}

/** Intel seen since `since` anywhere (a rival's move near the grid's edge counts too): few rows. */
export function freshIntel(db: Reader, since: string): FreshIntel[] {
  return db.all<FreshIntel>(sql`
    SELECT i.id, i.rival, i.title, i.village_id AS villageId, coalesce(i.lon, v.lon) AS lon, coalesce(i.lat, v.lat) AS lat, i.seen_at AS seenAt, i.threat_level AS threatLevel
    FROM competitor_intel i LEFT JOIN villages v ON v.id = i.village_id
    WHERE i.deleted_at IS NULL AND i.seen_at >= ${since}`)
}

const keptIntel = new WeakMap<Db['$client'], { key: string; rows: readonly FreshIntel[] }>()

/**
 * freshIntel kept until the store changes (mapLayers.ts storeVersion): every grid's ranking asks
 * for the same county-wide rows (3,200 at 100,000 customers: 40 ms to read), and a grid manager
 * opens grid after grid. The rows are shared: read them, do not change them.
 */
export function freshIntelKept(db: Db, since: string): readonly FreshIntel[] {
  const key = `${storeVersion(db)}|${since}`
  const kept = keptIntel.get(db.$client)
  if (kept?.key === key) return kept.rows
  const rows = freshIntel(db, since)
  keptIntel.set(db.$client, { key, rows })
  return rows
}

export function overdueVisitWorkOrders(db: Reader, gridId: string, now: string): { customerId: string; title: string; dueAt: string }[] {
  return db.all(sql`
    SELECT w.customer_id AS customerId, w.title, w.due_at AS dueAt FROM work_orders w JOIN key_customers k ON k.id = w.customer_id
    WHERE k.grid_id = ${gridId} AND w.deleted_at IS NULL AND w.origin = 'visit' AND w.status IN ('open', 'in_progress') AND w.due_at < ${now}
    ORDER BY w.due_at`)
}

// ---- Funnel over a period.

export function funnelFacts(db: Reader, q: { gridId?: string; from: string; toExclusive: string }) {
  const inGrid = q.gridId ? sql`AND k.grid_id = ${q.gridId}` : sql``
  const current = db.all<{ stage: FunnelStage; n: number }>(sql`
    SELECT k.funnel_stage AS stage, count(*) AS n FROM key_customers k WHERE k.deleted_at IS NULL ${inGrid} GROUP BY 1`)
  // Each customer's stage when the period began: the target of their last move before it.
  const atStart = db
    .all<{ customerId: string; stage: FunnelStage }>(
      sql`
    SELECT k.id AS customerId,
      (SELECT m.to_stage FROM funnel_moves m WHERE m.customer_id = k.id AND m.deleted_at IS NULL AND m.moved_at < ${q.from} ORDER BY m.moved_at DESC LIMIT 1) AS stage
    FROM key_customers k WHERE k.deleted_at IS NULL ${inGrid}`,
    )
    .filter((r) => r.stage !== null)
  const moves = db.all<{ customerId: string; fromStage: FunnelStage | null; toStage: FunnelStage; movedAt: string }>(sql`
    SELECT m.customer_id AS customerId, m.from_stage AS fromStage, m.to_stage AS toStage, m.moved_at AS movedAt
    FROM funnel_moves m JOIN key_customers k ON k.id = m.customer_id
    WHERE m.deleted_at IS NULL AND k.deleted_at IS NULL ${inGrid} AND m.moved_at >= ${q.from} AND m.moved_at < ${q.toExclusive}
    ORDER BY m.moved_at`)
  return { current, atStart, moves }
}
