// The map's own layers: indicator values per village and per grid (choropleth), key customers'
// positions (clustered layer), and the geometry the grid layout check reads.
import { sql } from 'drizzle-orm'
import type { MapChoropleth, MapCustomer, MapMetric, MapUnit, MapUnitFacts } from '../../../../shared/api/map'
import { shareAgainst } from '../../../../shared/profile'
import type { Db } from '../client'
import { DAY_MS } from './grids'
import { completenessSql, gridCompleteness } from './villages'

const rivalMetric = { telecom: 'shareVsTelecom', unicom: 'shareVsUnicom', broadnet: 'shareVsBroadnet' } as const

const emptyFacts = (): MapUnitFacts => ({
  keyCustomers: 0,
  aTierNotVisited30: 0,
  visitsLast30: 0,
  population: null,
  lastVisitAt: null,
  incompleteVillages: null,
})
const round1 = (n: number) => Math.round(n * 10) / 10
const daysSince = (iso: string | null, nowMillis: number) => (iso ? Math.max(0, Math.floor((nowMillis - Date.parse(iso)) / DAY_MS)) : null)

export function mapChoropleth(db: Db, nowMillis: number): MapChoropleth {
  const cutoff = new Date(nowMillis - 30 * DAY_MS).toISOString()
  const villages = db.all<{
    id: string
    code: string
    name: string
    gridId: string | null
    boundary: string | null
    households: number | null
    population: number | null
    penetration: number | null
    share: string | null
    completeness: number
  }>(sql`
    SELECT v.id, v.division_code AS code, v.name, v.grid_id AS gridId, v.boundary, v.households, v.population,
      v.penetration_pct AS penetration, v.share_vs_rivals AS share, ${completenessSql} AS completeness
    FROM villages v WHERE v.deleted_at IS NULL ORDER BY v.division_code`)
  const grids = db.all<{ id: string; code: string; name: string }>(sql`
    SELECT id, code, name FROM org_units WHERE level = 'grid' AND deleted_at IS NULL ORDER BY code`)
  // Visits from the rollups the triggers keep (migration 0011): per unit, the latest day's last
  // check-in and the days after the cutoff's day; the cutoff's own day is counted from its visits.
  const cutoffDay = cutoff.slice(0, 10)
  const visitsByUnit = db.all<{ unitId: string; lastAt: string | null; last30: number | null }>(sql`
    SELECT u.id AS unitId,
      (SELECT r.last_at FROM visit_rollup r WHERE r.unit_id = u.id ORDER BY r.day DESC LIMIT 1) AS lastAt,
      (SELECT sum(r.n) FROM visit_rollup r WHERE r.unit_id = u.id AND r.day > ${cutoffDay}) AS last30
    FROM (SELECT id FROM villages WHERE deleted_at IS NULL UNION ALL SELECT id FROM org_units WHERE level = 'grid' AND deleted_at IS NULL) u`)
  const edgeDay = db.all<{ villageId: string | null; gridId: string | null }>(sql`
    SELECT coalesce(s.village_id, k.village_id) AS villageId, s.grid_id AS gridId
    FROM visits s LEFT JOIN key_customers k ON k.id = s.customer_id
    WHERE s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at >= ${cutoff} AND s.checked_in_at < ${`${cutoffDay}U`}`)
  // Key customers per village and grid off the (grid, village, id) index (no customer row read),
  // and the A tier not visited in 30 days off the tier index: at 100,000 customers one pass over
  // every customer row with its last visit took 370–420 ms, the two 50 ms.
  const placeKey = (villageId: string | null, gridId: string | null) => `${villageId ?? ''}|${gridId ?? ''}`
  const aNotVisited = new Map(
    db
      .all<{ villageId: string | null; gridId: string | null; n: number }>(
        sql`
    SELECT k.village_id AS villageId, k.grid_id AS gridId, count(*) AS n
    FROM key_customers k LEFT JOIN customer_last_visit c ON c.customer_id = k.id
    WHERE k.deleted_at IS NULL AND coalesce(k.tier_override, k.value_tier) = 'A' AND coalesce(c.last_at, '') < ${cutoff}
    GROUP BY k.village_id, k.grid_id`,
      )
      .map((r) => [placeKey(r.villageId, r.gridId), r.n]),
  )
  const customers = db
    .all<{ villageId: string | null; gridId: string | null; n: number }>(
      sql`
    SELECT village_id AS villageId, grid_id AS gridId, count(*) AS n FROM key_customers INDEXED BY key_customers_grid_village_idx
    WHERE deleted_at IS NULL GROUP BY grid_id, village_id`,
    )
    .map((c) => ({ ...c, aNotVisited: aNotVisited.get(placeKey(c.villageId, c.gridId)) ?? 0 }))

  const villageFacts = new Map<string, MapUnitFacts>()
  const gridFacts = new Map<string, MapUnitFacts>(grids.map((g) => [g.id, emptyFacts()]))
  const factsOf = (map: Map<string, MapUnitFacts>, id: string) => map.get(id) ?? map.set(id, emptyFacts()).get(id)!
  for (const u of visitsByUnit) {
    if (u.lastAt === null) continue
    Object.assign(gridFacts.get(u.unitId) ?? factsOf(villageFacts, u.unitId), { lastVisitAt: u.lastAt, visitsLast30: u.last30 ?? 0 })
  }
  for (const e of edgeDay) {
    if (e.villageId) factsOf(villageFacts, e.villageId).visitsLast30++
    const g = e.gridId ? gridFacts.get(e.gridId) : undefined
    if (g) g.visitsLast30++
  }
  for (const c of customers) {
    if (c.villageId) {
      const f = factsOf(villageFacts, c.villageId)
      f.keyCustomers += c.n
      f.aTierNotVisited30 += c.aNotVisited
    }
    const g = c.gridId ? gridFacts.get(c.gridId) : undefined
    if (g) {
      g.keyCustomers += c.n
      g.aTierNotVisited30 += c.aNotVisited
    }
  }

  // Grid values: sums, and population-weighted means of the village percentages.
  const gridAgg = new Map<string, { households: number; population: number; weighted: Partial<Record<MapMetric, [number, number]>> }>()
  const completenessOf = new Map(gridCompleteness(db).map((g) => [g.gridId, g]))
  const villageUnits: MapChoropleth['villages'] = villages.map((v) => {
    const share = shareAgainst(v.share)
    const facts = { ...(villageFacts.get(v.id) ?? emptyFacts()), population: v.population }
    const metrics: Record<MapMetric, number | null> = {
      penetration: v.penetration,
      shareVsTelecom: share.telecom,
      shareVsUnicom: share.unicom,
      shareVsBroadnet: share.broadnet,
      households: v.households,
      daysSinceVisit: daysSince(facts.lastVisitAt, nowMillis),
      completeness: Math.round(v.completeness * 1000) / 10,
    }
    if (v.gridId) {
      const agg = gridAgg.get(v.gridId) ?? gridAgg.set(v.gridId, { households: 0, population: 0, weighted: {} }).get(v.gridId)!
      agg.households += v.households ?? 0
      agg.population += v.population ?? 0
      const weight = v.population ?? v.households ?? 1
      for (const key of ['penetration', ...Object.values(rivalMetric)] as MapMetric[]) {
        const value = metrics[key]
        if (value === null) continue
        const [sum, w] = agg.weighted[key] ?? [0, 0]
        agg.weighted[key] = [sum + value * weight, w + weight]
      }
    }
    let boundary: MapChoropleth['villages'][number]['boundary'] = null
    try {
      boundary = v.boundary ? JSON.parse(v.boundary) : null
    } catch {
      boundary = null
    }
    return { id: v.id, code: v.code, name: v.name, gridId: v.gridId, metrics, facts, boundary }
  })
  const gridUnits: MapUnit[] = grids.map((g) => {
    const agg = gridAgg.get(g.id)
    const completeness = completenessOf.get(g.id)
    const facts = { ...gridFacts.get(g.id)!, population: agg ? agg.population : null, incompleteVillages: completeness ? completeness.incomplete : null }
    const mean = (key: MapMetric) => {
      const pair = agg?.weighted[key]
      return pair && pair[1] > 0 ? round1(pair[0] / pair[1]) : null
    }
    return {
      id: g.id,
      code: g.code,
      name: g.name,
      gridId: null,
      facts,
      metrics: {
        penetration: mean('penetration'),
        shareVsTelecom: mean('shareVsTelecom'),
        shareVsUnicom: mean('shareVsUnicom'),
        shareVsBroadnet: mean('shareVsBroadnet'),
        households: agg ? agg.households : null,
        daysSinceVisit: daysSince(facts.lastVisitAt, nowMillis),
        // The same mean as the grid summary's (villages.ts gridCompleteness), as a percentage.
        completeness: completeness ? round1(completeness.mean * 100) : null,
      },
    }
  })
  return { villages: villageUnits, grids: gridUnits, asOf: new Date(nowMillis).toISOString() }
}

/**
 * Changes whenever the store may have changed: a write on this connection (total_changes) or a
 * commit on another one (data_version: the import worker's, a backup restore's). What the core
 * derives from many rows and keeps (the customers' cluster index) is rebuilt when it moves.
 */
export function storeVersion(db: Db): string {
  const changes = db.$client.prepare('SELECT total_changes() AS n').get() as { n: number }
  return `${String(db.$client.pragma('data_version', { simple: true }))}:${changes.n}`
}

export function mapCustomers(db: Db): MapCustomer[] {
  return db.all<MapCustomer>(sql`
    SELECT id, name, coalesce(tier_override, value_tier) AS tier, lon, lat FROM key_customers
    WHERE deleted_at IS NULL AND lon IS NOT NULL AND lat IS NOT NULL`)
}

/** What the grid layout check reads: grid boundaries, the county outline, village points. */
export function gridLayout(db: Db) {
  const grids = db.all<{ id: string; code: string; name: string; boundary: string }>(sql`
    SELECT id, code, name, boundary FROM org_units WHERE level = 'grid' AND deleted_at IS NULL AND boundary IS NOT NULL ORDER BY code`)
  const county = db.get<{ boundary: string | null }>(sql`
    SELECT boundary FROM org_units WHERE level = 'county' AND deleted_at IS NULL ORDER BY code LIMIT 1`)
  const villages = db.all<{ id: string; code: string; name: string; gridId: string | null; lon: number; lat: number }>(sql`
    SELECT id, division_code AS code, name, grid_id AS gridId, lon, lat FROM villages
    WHERE deleted_at IS NULL AND lon IS NOT NULL AND lat IS NOT NULL ORDER BY division_code`)
  return { grids, countyBoundary: county?.boundary ?? null, villages }
}
