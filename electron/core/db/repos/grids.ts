// Grid cells (org units of level 'grid'): list, summary, map layers.
import { sql } from 'drizzle-orm'
import type { FeatureCollection, GridListRow, GridSummary, MapOverview, OrgUnitRow } from '../../../../shared/api/contract'
import type { GridKind } from '../../../../shared/domain'
import { allCached, getCached, type Db, type Tx } from '../client'
import { orgUnitIdsSql } from './search'
import { gridCompleteness } from './villages'

export const DAY_MS = 86_400_000

/** Grids matching the one search (name, pinyin, initials, code) by themselves or their center, in code order. */
export function listGrids(db: Db, search: string | undefined, limit: number): GridListRow[] {
  const found = search ? orgUnitIdsSql(search) : null
  return allCached<GridListRow>(
    db,
    sql`
    SELECT g.id, g.code, g.name, g.grid_kind AS kind, c.name AS centerName,
      (SELECT count(*) FROM villages v WHERE v.grid_id = g.id AND v.deleted_at IS NULL) AS villages,
      (SELECT coalesce(sum(v.households), 0) FROM villages v WHERE v.grid_id = g.id AND v.deleted_at IS NULL) AS households,
      (SELECT count(*) FROM key_customers k WHERE k.grid_id = g.id AND k.deleted_at IS NULL) AS keyCustomers
    FROM org_units g LEFT JOIN org_units c ON c.id = g.parent_id
    WHERE g.level = 'grid' AND g.deleted_at IS NULL
      ${found ? sql`AND (g.id IN (${found}) OR g.parent_id IN (${found}))` : sql``}
    ORDER BY g.code
    LIMIT ${limit}`,
  )
}

export function gridSummary(db: Db, id: string, nowMillis: number): GridSummary | undefined {
  const grid = getCached<Omit<GridSummary, 'keyCustomersByTier' | 'topVillages' | 'profileCompleteness' | 'incompleteVillages'> & { kind: GridKind | null }>(
    db,
    sql`
    SELECT g.id, g.code, g.name, g.grid_kind AS kind, c.name AS centerName, u.name AS managerName,
      g.geometry_source AS geometrySource,
      (SELECT count(*) FROM villages v WHERE v.grid_id = g.id AND v.deleted_at IS NULL) AS villages,
      (SELECT coalesce(sum(v.households), 0) FROM villages v WHERE v.grid_id = g.id AND v.deleted_at IS NULL) AS households,
      (SELECT coalesce(sum(v.population), 0) FROM villages v WHERE v.grid_id = g.id AND v.deleted_at IS NULL) AS population,
      (SELECT count(*) FROM key_customers k WHERE k.grid_id = g.id AND k.deleted_at IS NULL) AS keyCustomers,
      (SELECT count(*) FROM visits s WHERE s.grid_id = g.id AND s.deleted_at IS NULL AND s.status = 'done'
         AND s.checked_in_at >= ${new Date(nowMillis - 30 * DAY_MS).toISOString()}) AS visitsLast30Days,
      (SELECT count(*) FROM competitor_intel i WHERE i.grid_id = g.id AND i.deleted_at IS NULL
         AND i.seen_at >= ${new Date(nowMillis - 30 * DAY_MS).toISOString()}) AS intelLast30Days
    FROM org_units g
    LEFT JOIN org_units c ON c.id = g.parent_id
    LEFT JOIN users u ON u.id = g.manager_user_id
    WHERE g.id = ${id} AND g.level = 'grid' AND g.deleted_at IS NULL`,
  )
  if (!grid) return undefined
  const tiers = allCached<{ tier: 'A' | 'B' | 'C'; n: number }>(
    db,
    sql`
    SELECT coalesce(tier_override, value_tier) AS tier, count(*) AS n FROM key_customers
    WHERE grid_id = ${id} AND deleted_at IS NULL GROUP BY 1`,
  )
  const keyCustomersByTier = { A: 0, B: 0, C: 0 }
  for (const t of tiers) if (t.tier in keyCustomersByTier) keyCustomersByTier[t.tier] = t.n
  const topVillages = allCached<{ id: string; name: string; households: number }>(
    db,
    sql`
    SELECT id, name, coalesce(households, 0) AS households FROM villages
    WHERE grid_id = ${id} AND deleted_at IS NULL ORDER BY households DESC, name LIMIT 8`,
  )
  const completeness = gridCompleteness(db, id)[0]
  return { ...grid, keyCustomersByTier, topVillages, profileCompleteness: completeness?.mean ?? null, incompleteVillages: completeness?.incomplete ?? 0 }
}

export function mapOverview(db: Db): MapOverview {
  const county = db.get<{ code: string; name: string; boundary: string | null; geometrySource: string | null }>(sql`
    SELECT code, name, boundary, geometry_source AS geometrySource FROM org_units
    WHERE level = 'county' AND deleted_at IS NULL ORDER BY code LIMIT 1`)
  const grids = db.all<{ id: string; code: string; name: string; kind: string | null; boundary: string; geometrySource: string | null }>(sql`
    SELECT id, code, name, grid_kind AS kind, boundary, geometry_source AS geometrySource FROM org_units
    WHERE level = 'grid' AND deleted_at IS NULL AND boundary IS NOT NULL ORDER BY code`)
  const villages = db.all<{
    id: string
    name: string
    households: number | null
    gridId: string | null
    lon: number
    lat: number
    geometrySource: string | null
  }>(sql`
    SELECT id, name, households, grid_id AS gridId, lon, lat, geometry_source AS geometrySource FROM villages
    WHERE deleted_at IS NULL AND lon IS NOT NULL AND lat IS NOT NULL ORDER BY division_code`)
  const townships = db.all<{ code: string; name: string; boundary: string }>(sql`
    SELECT code, name, boundary FROM divisions WHERE level = 'township' AND boundary IS NOT NULL ORDER BY code`)
  const gridFeatures: MapOverview['grids'] = {
    type: 'FeatureCollection',
    features: grids.map((g) => ({
      type: 'Feature',
      geometry: JSON.parse(g.boundary),
      properties: { id: g.id, code: g.code, name: g.name, kind: g.kind },
    })),
  }
  const villageFeatures: FeatureCollection<{ id: string; name: string; households: number | null; gridId: string | null }> = {
    type: 'FeatureCollection',
    features: villages.map((v) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [v.lon, v.lat] },
      properties: { id: v.id, name: v.name, households: v.households, gridId: v.gridId },
    })),
  }
  const generatedGeometry =
    county?.geometrySource === 'generated' || grids.some((g) => g.geometrySource === 'generated') || villages.some((v) => v.geometrySource === 'generated')
  return {
    county: county?.boundary
      ? {
          type: 'Feature',
          geometry: JSON.parse(county.boundary),
          properties: { code: county.code, name: county.name, geometrySource: county.geometrySource },
        }
      : null,
    grids: gridFeatures,
    villages: villageFeatures,
    townships: {
      type: 'FeatureCollection',
      features: townships.map((d) => ({ type: 'Feature', geometry: JSON.parse(d.boundary), properties: { code: d.code, name: d.name } })),
    },
    generatedGeometry,
  }
}

/** Org unit ids by code, for one level. */
export function orgUnitIdsByCode(db: Db, level: 'county' | 'center' | 'grid' | 'microgrid'): Map<string, string> {
  const rows = db.all<{ code: string; id: string }>(sql`SELECT code, id FROM org_units WHERE level = ${level} AND deleted_at IS NULL`)
  return new Map(rows.map((r) => [r.code, r.id]))
}

/** Centers and grids with no parent (made before their county), with their outline. */
export function orphanOrgUnits(db: Db | Tx): { id: string; level: 'center' | 'grid'; boundary: string | null }[] {
  return db.all(sql`SELECT id, level, boundary FROM org_units WHERE level IN ('center', 'grid') AND parent_id IS NULL AND deleted_at IS NULL ORDER BY code`)
}

/** The organisation tree, top down: county, centers, grids, micro-grids. */
export function listOrgUnits(db: Db): OrgUnitRow[] {
  return db.all<OrgUnitRow>(sql`
    SELECT id, code, name, level, parent_id AS parentId FROM org_units WHERE deleted_at IS NULL
    ORDER BY CASE level WHEN 'county' THEN 0 WHEN 'center' THEN 1 WHEN 'grid' THEN 2 ELSE 3 END, code`)
}
