// SQL of indicators: the indicator catalogue, org-unit subtrees, targets and actuals (latest as_of
// wins, history kept), and their writes through the outbox.
import { sql, type SQL } from 'drizzle-orm'
import type { ActualRow, IndicatorRow, TargetRow } from '../../../../shared/api/indicators'
import type { GridKind, OrgLevel } from '../../../../shared/domain'
import type { Db, Tx } from '../client'
import { insertSynced, updateSynced, type ChangeContext } from './changes'

type Reader = Pick<Db, 'all' | 'get'>

const list = (values: readonly string[]): SQL =>
  values.length
    ? sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      )
    : sql`NULL`

export function listIndicators(db: Reader, codes?: readonly string[]): IndicatorRow[] {
  return db.all<IndicatorRow>(sql`
    SELECT code, name_zh AS nameZh, name_en AS nameEn, unit, direction, yellow_below_pp AS yellowBelowPp, red_below_pp AS redBelowPp
    FROM indicators WHERE deleted_at IS NULL ${codes ? sql`AND code IN (${list(codes)})` : sql``}
    ORDER BY rowid`)
}

export function indicatorIdByCode(db: Reader, code: string): string | undefined {
  return db.get<{ id: string }>(sql`SELECT id FROM indicators WHERE code = ${code} AND deleted_at IS NULL`)?.id
}

export interface OrgUnitRow {
  id: string
  code: string
  name: string
  level: OrgLevel
  parentId: string | null
  parentCode: string | null
  gridKind: GridKind | null
  /** Households covered: the unit's own figure, else its villages' (grids) or its children's. */
  households: number
}

/** An org unit and everything below it, parents before children. */
export function orgSubtree(db: Reader, rootCode: string): OrgUnitRow[] {
  const rows = db.all<Omit<OrgUnitRow, 'households'> & { ownHouseholds: number | null; villageHouseholds: number | null; depth: number }>(sql`
    WITH RECURSIVE sub(id, depth) AS (
      SELECT id, 0 FROM org_units WHERE code = ${rootCode} AND deleted_at IS NULL
      UNION ALL
      SELECT o.id, sub.depth + 1 FROM org_units o JOIN sub ON o.parent_id = sub.id WHERE o.deleted_at IS NULL
    )
    SELECT u.id, u.code, u.name, u.level, u.parent_id AS parentId, p.code AS parentCode, u.grid_kind AS gridKind,
      u.households AS ownHouseholds, sub.depth,
      CASE u.level
        WHEN 'grid' THEN (SELECT sum(v.households) FROM villages v WHERE v.grid_id = u.id AND v.deleted_at IS NULL)
        WHEN 'microgrid' THEN (SELECT sum(v.households) FROM villages v WHERE v.micro_grid_id = u.id AND v.deleted_at IS NULL)
      END AS villageHouseholds
    FROM sub JOIN org_units u ON u.id = sub.id LEFT JOIN org_units p ON p.id = u.parent_id
    ORDER BY sub.depth, u.code`)
  // Roll households up from the leaves: deepest first.
  const households = new Map<string, number>()
  for (const r of [...rows].reverse()) {
    const fromChildren = rows.filter((c) => c.parentId === r.id).reduce((a, c) => a + (households.get(c.id) ?? 0), 0)
    households.set(r.id, r.ownHouseholds ?? (r.level === 'grid' || r.level === 'microgrid' ? (r.villageHouseholds ?? fromChildren) : fromChildren))
  }
  return rows.map(({ ownHouseholds: _o, villageHouseholds: _v, depth: _d, ...r }) => ({ ...r, households: households.get(r.id) ?? 0 }))
}

export function orgUnitIdsByCode(db: Reader): Map<string, string> {
  return new Map(db.all<{ id: string; code: string }>(sql`SELECT id, code FROM org_units WHERE deleted_at IS NULL`).map((r) => [r.code, r.id]))
}

export interface MeasureRow {
  indicatorCode: string
  orgUnitId: string
  period: string
  value: number
}

/** Targets of a subtree for the given indicators and periods. */
export function subtreeTargets(db: Reader, rootCode: string, indicatorCodes: readonly string[], periods: readonly string[]): MeasureRow[] {
  return db.all<MeasureRow>(sql`
    WITH RECURSIVE sub(id) AS (
      SELECT id FROM org_units WHERE code = ${rootCode} AND deleted_at IS NULL
      UNION ALL SELECT o.id FROM org_units o JOIN sub ON o.parent_id = sub.id WHERE o.deleted_at IS NULL
    )
    SELECT t.indicator_code AS indicatorCode, t.org_unit_id AS orgUnitId, t.period, t.value
    FROM targets t JOIN sub ON sub.id = t.org_unit_id
    WHERE t.deleted_at IS NULL AND t.indicator_code IN (${list(indicatorCodes)}) AND t.period IN (${list(periods)})`)
}

/** The latest actual (by as_of, then HLC) per indicator, unit and period, recorded up to `cutoff`. */
export function subtreeActuals(db: Reader, rootCode: string, indicatorCodes: readonly string[], periods: readonly string[], cutoff: string): MeasureRow[] {
  return db.all<MeasureRow>(sql`
    WITH RECURSIVE sub(id) AS (
      SELECT id FROM org_units WHERE code = ${rootCode} AND deleted_at IS NULL
      UNION ALL SELECT o.id FROM org_units o JOIN sub ON o.parent_id = sub.id WHERE o.deleted_at IS NULL
    )
    SELECT indicatorCode, orgUnitId, period, value FROM (
      SELECT a.indicator_code AS indicatorCode, a.org_unit_id AS orgUnitId, a.period, a.value,
        row_number() OVER (PARTITION BY a.indicator_code, a.org_unit_id, a.period ORDER BY a.as_of DESC, a.hlc DESC) AS rn
      FROM actuals a JOIN sub ON sub.id = a.org_unit_id
      WHERE a.deleted_at IS NULL AND a.indicator_code IN (${list(indicatorCodes)}) AND a.period IN (${list(periods)})
        AND a.as_of <= ${cutoff}
    ) WHERE rn = 1`)
}

export function listTargets(db: Reader, rootCode: string, period: string, indicatorCode?: string): TargetRow[] {
  return db.all<TargetRow>(sql`
    WITH RECURSIVE sub(id) AS (
      SELECT id FROM org_units WHERE code = ${rootCode} AND deleted_at IS NULL
      UNION ALL SELECT o.id FROM org_units o JOIN sub ON o.parent_id = sub.id WHERE o.deleted_at IS NULL
    )
    SELECT t.id, t.indicator_code AS indicatorCode, u.code AS orgUnitCode, t.period, t.value, t.split_method AS splitMethod
    FROM targets t JOIN sub ON sub.id = t.org_unit_id JOIN org_units u ON u.id = t.org_unit_id
    WHERE t.deleted_at IS NULL AND t.period = ${period} ${indicatorCode ? sql`AND t.indicator_code = ${indicatorCode}` : sql``}
    ORDER BY t.indicator_code, u.code`)
}

export function getTarget(db: Reader, indicatorCode: string, orgUnitId: string, period: string): TargetRow | undefined {
  return db.get<TargetRow>(sql`
    SELECT t.id, t.indicator_code AS indicatorCode, u.code AS orgUnitCode, t.period, t.value, t.split_method AS splitMethod
    FROM targets t JOIN org_units u ON u.id = t.org_unit_id
    WHERE t.indicator_code = ${indicatorCode} AND t.org_unit_id = ${orgUnitId} AND t.period = ${period} AND t.deleted_at IS NULL`)
}

/**
 * Sets a unit's target for a period: updates the row the unique index allows (reviving a
 * tombstone) or inserts one. Recorded in the outbox either way.
 */
export function upsertTarget(
  tx: Tx,
  cx: ChangeContext,
  t: { indicatorCode: string; orgUnitId: string; period: string; value: number; splitMethod: string | null },
): string {
  const existing = tx.get<{ id: string; deletedAt: string | null }>(sql`
    SELECT id, deleted_at AS deletedAt FROM targets WHERE indicator_code = ${t.indicatorCode} AND org_unit_id = ${t.orgUnitId} AND period = ${t.period}`)
  if (!existing) return insertSynced(tx, cx, 'targets', t)
  updateSynced(tx, cx, 'targets', existing.id, { value: t.value, splitMethod: t.splitMethod, deletedAt: null })
  return existing.id
}

export function insertActual(
  tx: Tx,
  cx: ChangeContext,
  a: { indicatorCode: string; orgUnitId: string; period: string; value: number; asOf: string; source: string },
): string {
  return insertSynced(tx, cx, 'actuals', a)
}

export function actualHistory(db: Reader, indicatorCode: string, orgUnitId: string, period: string): ActualRow[] {
  return db.all<ActualRow>(sql`
    SELECT a.id, a.indicator_code AS indicatorCode, u.code AS orgUnitCode, a.period, a.value, a.as_of AS asOf, a.source
    FROM actuals a JOIN org_units u ON u.id = a.org_unit_id
    WHERE a.indicator_code = ${indicatorCode} AND a.org_unit_id = ${orgUnitId} AND a.period = ${period} AND a.deleted_at IS NULL
    ORDER BY a.as_of DESC, a.hlc DESC`)
}

export function getActual(db: Reader, id: string): ActualRow | undefined {
  return db.get<ActualRow>(sql`
    SELECT a.id, a.indicator_code AS indicatorCode, u.code AS orgUnitCode, a.period, a.value, a.as_of AS asOf, a.source
    FROM actuals a JOIN org_units u ON u.id = a.org_unit_id WHERE a.id = ${id}`)
}
