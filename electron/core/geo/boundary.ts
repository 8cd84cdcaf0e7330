// A grid boundary drawn by hand: checked by the grid importer's own validation (validateGrids,
// passed in), self-intersections repaired when that is safe (repairKinks, which the importer
// uses too), and the layout warnings (checkGridLayout) the new boundary would cause. Pure: the
// handler reads and writes.
import * as turf from '@turf/turf'
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson'
import type { BoundaryGeometry, GridBoundaryResult } from '../../../shared/api/grids'
import type { GridCheckIssue } from '../../../shared/api/map'
import type { ImportIssue } from '../../../shared/api/imports'
// Type only: the importer imports repairKinks from here, so the function comes in as an argument.
import type { validateGrids as ValidateGrids } from '../import/grids'
import { checkGridLayout, type LayoutInput } from './gridCheck'

/**
 * A twisted loop is cut off only when it is a sliver: under 1 ha and under 1% of what is kept.
 * Anything larger (a bow-tie, a vertex dragged across the far side) could mean either half, so it
 * is refused and the user fixes it.
 */
const SLIVER_M2 = 10_000
const SLIVER_SHARE = 0.01

type Repair = NonNullable<GridBoundaryResult['repair']>

export type PreparedBoundary =
  | { ok: true; geometry: BoundaryGeometry; areaM2: number; repair: Repair | null }
  | { ok: false; issues: ImportIssue[]; at: [number, number] | null }

/** Validates as the grid importer does (closing rings, China, kinks repaired where safe; 6 decimals). */
export function prepareBoundary(validateGrids: typeof ValidateGrids, grid: { code: string; name: string }, geometry: BoundaryGeometry): PreparedBoundary {
  const plain = withoutAltitude(geometry)
  const feature: Feature = { type: 'Feature', properties: { code: grid.code, name: grid.name }, geometry: plain }
  const checked = validateGrids('boundary', [feature], 'WGS-84', { repair: true })
  const valid = checked.grids[0]
  if (!valid) {
    const kink = checked.issues.some((i) => i.code === 'self_intersection')
      ? turf.kinks(turf.feature(plain) as Feature<Polygon | MultiPolygon>).features[0]
      : undefined
    return { ok: false, issues: checked.issues, at: kink ? (kink.geometry.coordinates.map((n) => +n.toFixed(6)) as [number, number]) : null }
  }
  const repaired = checked.repairs[0]
  return {
    ok: true,
    geometry: valid.geometry as BoundaryGeometry,
    areaM2: Math.round(turf.area(turf.feature(valid.geometry))),
    repair: repaired ? { droppedM2: repaired.droppedM2, duplicatePoints: repaired.duplicatePoints } : null,
  }
}

function withoutAltitude(geometry: BoundaryGeometry): Polygon | MultiPolygon {
  const rings = (polygon: Position[][]) => polygon.map((ring) => ring.map((p) => [p[0]!, p[1]!]))
  return geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: rings(geometry.coordinates) }
    : { type: 'MultiPolygon', coordinates: geometry.coordinates.map(rings) }
}

/**
 * The buffer(0)-like repair, ring by ring (unkinking a whole polygon would turn its holes into
 * parts): repeated points are dropped; a ring that still crosses itself is split at its crossings
 * (turf.unkinkPolygon) and only its largest piece kept, when the pieces cut off are slivers.
 * Null when a ring cannot be repaired safely.
 */
export function repairKinks(geometry: Polygon | MultiPolygon): { geometry: Polygon | MultiPolygon; repair: Repair } | null {
  const repair: Repair = { droppedM2: 0, duplicatePoints: 0 }
  const fixRing = (ring: Position[]): Position[] | null => {
    const deduped = ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1]![0] || p[1] !== ring[i - 1]![1])
    repair.duplicatePoints += ring.length - deduped.length
    if (deduped.length < 4) return null
    const shape = turf.polygon([deduped])
    if (turf.kinks(shape).features.length === 0) return deduped
    let pieces: Feature<Polygon>[]
    try {
      pieces = turf.unkinkPolygon(shape).features
    } catch {
      return null
    }
    const areas = pieces.map((p) => turf.area(p)).sort((a, b) => b - a)
    const kept = pieces.find((p) => turf.area(p) === areas[0])
    const dropped = areas.slice(1).reduce((sum, a) => sum + a, 0)
    if (!kept || dropped > SLIVER_M2 || dropped > areas[0]! * SLIVER_SHARE) return null
    repair.droppedM2 += dropped
    return kept.geometry.coordinates[0]!
  }
  const fixPolygon = (rings: Position[][]): Position[][] | null => {
    const fixed = rings.map(fixRing)
    return fixed.every((r) => r !== null) ? (fixed as Position[][]) : null
  }
  const coordinates = geometry.type === 'Polygon' ? fixPolygon(geometry.coordinates) : geometry.coordinates.map(fixPolygon)
  if (coordinates === null || (Array.isArray(coordinates) && coordinates.some((p) => p === null))) return null
  repair.droppedM2 = Math.round(repair.droppedM2)
  return {
    geometry:
      geometry.type === 'Polygon'
        ? { type: 'Polygon', coordinates: coordinates as Position[][] }
        : { type: 'MultiPolygon', coordinates: coordinates as Position[][][] },
    repair,
  }
}

/**
 * The grid layout check with this grid's boundary replaced: warnings that involve the grid
 * (its overlaps, the gaps it borders) and any other warning that was not there before (a village
 * it let go of that now lies in no grid).
 */
export function boundaryWarnings(
  layout: LayoutInput,
  grid: { id: string; code: string; name: string },
  geometry: BoundaryGeometry,
  minAreaM2: number,
): GridCheckIssue[] {
  const key = (i: GridCheckIssue) =>
    `${i.kind}|${i.village?.id ?? ''}|${i.grids
      .map((g) => g.id)
      .sort()
      .join('+')}`
  const before = new Set(checkGridLayout(layout, minAreaM2).issues.map(key))
  const boundary = JSON.stringify(geometry)
  const grids = layout.grids.some((g) => g.id === grid.id)
    ? layout.grids.map((g) => (g.id === grid.id ? { ...g, boundary } : g))
    : [...layout.grids, { ...grid, boundary }]
  const after = checkGridLayout({ ...layout, grids }, minAreaM2).issues
  return after.filter((i) => i.grids.some((g) => g.id === grid.id) || !before.has(key(i)))
}
