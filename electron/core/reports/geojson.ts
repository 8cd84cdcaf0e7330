// GeoJSON writer: the region's grids (polygons) with their KPI figures as properties, and its
// villages (points) with their profile figures. RFC 7946: WGS-84 lon/lat, no crs member.
import type { FeatureCollection } from '../../../shared/api/contract'
import type { ReportModel } from '../../../shared/api/reports'

export function reportGeoJson(model: ReportModel): FeatureCollection {
  const kpiOf = (gridCode: string) => {
    const props: Record<string, number | string | null> = {}
    for (const r of model.kpi.byGrid.filter((k) => k.gridCode === gridCode)) {
      props[`${r.indicatorCode}_target`] = r.target
      props[`${r.indicatorCode}_actual`] = r.actual
      props[`${r.indicatorCode}_completion`] = r.completion === null ? null : Math.round(r.completion * 10000) / 10000
      props[`${r.indicatorCode}_light`] = r.light
    }
    return props
  }
  const visits = new Map(model.visits.byGrid.map((v) => [v.gridCode, v]))
  const coverage = new Map(model.coverage.byGrid.map((c) => [c.gridCode, c]))
  const profiles = new Map(model.profiles.rows.map((p) => [p.divisionCode, p]))
  return {
    type: 'FeatureCollection',
    features: [
      ...model.map.grids.map((g) => ({
        type: 'Feature' as const,
        geometry: g.geometry,
        properties: {
          kind: 'grid', code: g.code, name: g.name, region: model.region.code, period: model.period, asOf: model.asOf,
          visitsDone: visits.get(g.code)?.done ?? 0, visitsPlanned: visits.get(g.code)?.planned ?? 0,
          aTierCustomers: coverage.get(g.code)?.aTier ?? 0, aTierVisited30d: coverage.get(g.code)?.visited30d ?? 0,
          ...kpiOf(g.code),
        },
      })),
      ...model.map.villages.map((v) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point', coordinates: [v.lon, v.lat] },
        properties: {
          kind: 'village', code: v.divisionCode, name: v.name, households: v.households, penetrationPct: v.penetrationPct,
          profileCompleteness: profiles.has(v.divisionCode) ? Math.round(profiles.get(v.divisionCode)!.completeness * 1000) / 1000 : null,
        },
      })),
    ],
  }
}

export function writeGeoJson(model: ReportModel): Buffer {
  return Buffer.from(JSON.stringify(reportGeoJson(model)), 'utf8')
}
