// The grid layout check (turf): neighbouring grids that overlap, gaps between grids (inside the
// county outline, or holes enclosed by grids when there is none), and villages whose point lies in
// no grid, in two, or in another grid than the one they are assigned to.
import * as turf from '@turf/turf'
import type { BBox, Feature, MultiPolygon, Polygon } from 'geojson'
import type { GridCheck, GridCheckIssue } from '../../../shared/api/map'

interface GridShape {
  id: string
  code: string
  name: string
  feature: Feature<Polygon | MultiPolygon>
  bbox: BBox
}

export interface LayoutInput {
  grids: { id: string; code: string; name: string; boundary: string }[]
  countyBoundary: string | null
  villages: { id: string; code: string; name: string; gridId: string | null; lon: number; lat: number }[]
}

const bboxesTouch = (a: BBox, b: BBox) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
const where = (feature: Feature<Polygon | MultiPolygon>): [number, number] => turf.pointOnFeature(feature).geometry.coordinates as [number, number]
/** Splits a (multi)polygon into its parts, so each overlap or gap is reported where it is. */
const parts = (feature: Feature<Polygon | MultiPolygon>): Feature<Polygon>[] =>
  feature.geometry.type === 'Polygon' ? [feature as Feature<Polygon>] : feature.geometry.coordinates.map((rings) => turf.polygon(rings))

export function checkGridLayout(input: LayoutInput, minAreaM2: number): GridCheck {
  const issues: GridCheckIssue[] = []
  const shapes: GridShape[] = []
  for (const g of input.grids) {
    try {
      const geometry = JSON.parse(g.boundary) as Polygon | MultiPolygon
      if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') continue
      const feature = turf.feature(geometry) as Feature<Polygon | MultiPolygon>
      shapes.push({ id: g.id, code: g.code, name: g.name, feature, bbox: turf.bbox(feature) })
    } catch {
      // An unreadable boundary draws nothing; the import refuses such files, so skip it here.
    }
  }
  const ref = (s: GridShape) => ({ id: s.id, code: s.code, name: s.name })

  // Overlaps: every pair whose boxes touch.
  for (let i = 0; i < shapes.length; i++)
    for (let j = i + 1; j < shapes.length; j++) {
      const a = shapes[i]!
      const b = shapes[j]!
      if (!bboxesTouch(a.bbox, b.bbox)) continue
      const common = turf.intersect(turf.featureCollection([a.feature, b.feature]))
      if (!common) continue
      for (const part of parts(common)) {
        const areaM2 = turf.area(part)
        if (areaM2 >= minAreaM2) issues.push({ kind: 'overlap', grids: [ref(a), ref(b)], village: null, areaM2: Math.round(areaM2), at: where(part) })
      }
    }

  // Gaps: the county not covered by any grid; without a county outline, holes inside the union.
  if (shapes.length > 0) {
    const union = shapes.length === 1 ? shapes[0]!.feature : turf.union(turf.featureCollection(shapes.map((s) => s.feature)))
    let gaps: Feature<Polygon>[] = []
    const county = input.countyBoundary ? (turf.feature(JSON.parse(input.countyBoundary)) as Feature<Polygon | MultiPolygon>) : null
    if (union && county) {
      const uncovered = turf.difference(turf.featureCollection([county, union]))
      gaps = uncovered ? parts(uncovered) : []
    } else if (union) {
      gaps = parts(union).flatMap((p) => p.geometry.coordinates.slice(1).map((hole) => turf.polygon([hole])))
    }
    for (const gap of gaps) {
      const areaM2 = turf.area(gap)
      if (areaM2 < minAreaM2) continue
      // The grids the gap borders: those whose box touches it (a cheap, good enough "neighbours").
      const box = turf.bbox(gap)
      const neighbours = shapes.filter((s) => bboxesTouch(s.bbox, box) && turf.booleanIntersects(turf.buffer(gap, 0.05, { units: 'kilometers' })!, s.feature))
      issues.push({ kind: 'gap', grids: neighbours.map(ref), village: null, areaM2: Math.round(areaM2), at: where(gap) })
    }
  }

  // Villages: in how many grids does the point lie, and is it the grid it is assigned to?
  for (const v of shapes.length > 0 ? input.villages : []) {
    const point = turf.point([v.lon, v.lat])
    const inside = shapes.filter(
      (s) => v.lon >= s.bbox[0] && v.lon <= s.bbox[2] && v.lat >= s.bbox[1] && v.lat <= s.bbox[3] && turf.booleanPointInPolygon(point, s.feature),
    )
    const village = { id: v.id, code: v.code, name: v.name }
    const base = { village, areaM2: null, at: [v.lon, v.lat] as [number, number] }
    if (inside.length === 0) issues.push({ kind: 'village_outside', grids: [], ...base })
    else if (inside.length > 1) issues.push({ kind: 'village_multiple', grids: inside.map(ref), ...base })
    else if (v.gridId && inside[0]!.id !== v.gridId) {
      const assigned = shapes.find((s) => s.id === v.gridId)
      // Only when the assigned grid has a boundary: a grid without one cannot be checked.
      if (assigned) issues.push({ kind: 'village_other_grid', grids: [ref(assigned), ref(inside[0]!)], ...base })
    }
  }
  return { issues, grids: shapes.length, villages: input.villages.length, minAreaM2 }
}
