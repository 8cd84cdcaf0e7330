// Repairing the everyday defects of published boundary files with real geometry libraries: JSTS
// (the JavaScript port of JTS) says whether a polygon is valid and, if not, what is wrong and
// where; polyclip-ts (a robust polygon overlay) rebuilds an invalid polygon as the union of
// itself, which splits rings that touch or cross themselves into valid parts. Repeated points are
// dropped and rings turned to the right-hand rule (RFC 7946). A repair must keep the area within
// 1% of what the file draws; otherwise it is refused, saying where and by how much.
import * as turf from '@turf/turf'
import jsts from 'jsts'
import * as polyclip from 'polyclip-ts'
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson'

/** A piece a crossing ring was split into is cut off only when it is a sliver: under 1 ha and under 1% of the largest piece. */
const SLIVER_M2 = 10_000
const SLIVER_SHARE = 0.01
/** The most a repair may change the area by (a share of the area as the file draws it). */
export const MAX_AREA_CHANGE = 0.01

export type RepairKind = 'duplicate_points' | 'orientation' | 'self_touch' | 'self_intersection' | 'sliver' | 'other'

export interface GeometryRepair {
  kinds: RepairKind[]
  /** Area as the file draws it (shoelace, as GIS software measures an invalid polygon) and after the repair, m². */
  areaBeforeM2: number
  areaAfterM2: number
  /** Area of the sliver pieces cut off, m². */
  droppedM2: number
  duplicatePoints: number
  /** Where the first defect is (lon, lat), when there is a place to name. */
  at: [number, number] | null
}

export type RepairOutcome =
  | { ok: true; geometry: Polygon | MultiPolygon; repair: GeometryRepair | null }
  | { ok: false; reason: 'area_change' | 'too_few_points' | 'not_repairable'; repair: GeometryRepair }

type Area = Polygon | MultiPolygon

const reader = new jsts.io.GeoJSONReader()
/** JTS TopologyValidationError types (jsts does not export the class's constants). */
const JTS_ERROR = { REPEATED_POINT: 1, SELF_INTERSECTION: 5, RING_SELF_INTERSECTION: 6 } as const

/** What JSTS finds wrong with a geometry, or null when it is valid. */
export function validityError(geometry: Area): { kind: RepairKind; at: [number, number] | null; message: string } | null {
  let error
  try {
    error = new jsts.operation.valid.IsValidOp(reader.read(geometry)).getValidationError()
  } catch (e) {
    return { kind: 'other', at: null, message: (e as Error).message }
  }
  if (!error) return null
  const c = error.getCoordinate()
  const at: [number, number] | null = c && Number.isFinite(c.x) && Number.isFinite(c.y) ? [round6(c.x), round6(c.y)] : null
  const type = error.getErrorType()
  const kind: RepairKind =
    type === JTS_ERROR.RING_SELF_INTERSECTION
      ? 'self_touch'
      : type === JTS_ERROR.SELF_INTERSECTION
        ? 'self_intersection'
        : type === JTS_ERROR.REPEATED_POINT
          ? 'duplicate_points'
          : 'other'
  return { kind, at, message: error.getMessage() }
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6
const area = (geometry: Area) => turf.area(turf.feature(geometry) as Feature<Area>)
const polygonsOf = (geometry: Area): Position[][][] => (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates)
const fromPolygons = (polygons: Position[][][]): Area =>
  polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons }

/** Signed area of a ring in degrees² (positive: counter-clockwise). */
function signedArea(ring: Position[]): number {
  let sum = 0
  for (let i = 0; i < ring.length - 1; i++) sum += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!
  return sum / 2
}

/** Whether every outer ring runs counter-clockwise and every hole clockwise (RFC 7946). */
const rightHanded = (geometry: Area) => polygonsOf(geometry).every((rings) => rings.every((ring, i) => (i === 0 ? signedArea(ring) > 0 : signedArea(ring) < 0)))

const rewound = (geometry: Area): Area =>
  fromPolygons(polygonsOf(geometry).map((rings) => rings.map((ring, i) => ((i === 0) === signedArea(ring) > 0 ? ring : [...ring].reverse()))))

/**
 * Repairs a polygon or multipolygon (closed rings of finite lon/lat in WGS-84). A valid geometry
 * with its rings the right way round comes back unchanged (repair null).
 */
export function repairGeometry(input: Area): RepairOutcome {
  let duplicatePoints = 0
  const deduped = polygonsOf(input).map((rings) =>
    rings.map((ring) => {
      const kept = ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1]![0] || p[1] !== ring[i - 1]![1])
      duplicatePoints += ring.length - kept.length
      return kept
    }),
  )
  const areaBeforeM2 = Math.round(area(input))
  const repair = (kinds: RepairKind[], after: number, droppedM2 = 0, at: [number, number] | null = null): GeometryRepair => ({
    kinds: duplicatePoints > 0 && !kinds.includes('duplicate_points') ? ['duplicate_points', ...kinds] : kinds,
    areaBeforeM2,
    areaAfterM2: Math.round(after),
    droppedM2: Math.round(droppedM2),
    duplicatePoints,
    at,
  })
  if (deduped.some((rings) => rings.some((ring) => ring.length < 4))) return { ok: false, reason: 'too_few_points', repair: repair(['other'], 0) }
  const geometry = fromPolygons(deduped)
  const invalid = validityError(geometry)
  if (!invalid) {
    if (rightHanded(geometry))
      return { ok: true, geometry: duplicatePoints > 0 ? geometry : input, repair: duplicatePoints > 0 ? repair([], areaBeforeM2) : null }
    return { ok: true, geometry: rewound(geometry), repair: repair(['orientation'], areaBeforeM2) }
  }
  // Each part rebuilt as the union of itself; the slivers a crossing cut off are dropped.
  let droppedM2 = 0
  const kinds = new Set<RepairKind>([invalid.kind])
  const kept: Position[][][] = []
  try {
    for (const rings of deduped) {
      const pieces = polyclip.union(rings as polyclip.Geom) as Position[][][]
      const areas = pieces.map((p) => area({ type: 'Polygon', coordinates: p }))
      const largest = Math.max(0, ...areas)
      pieces.forEach((piece, i) => {
        if (pieces.length > 1 && areas[i]! < largest && areas[i]! < SLIVER_M2 && areas[i]! < largest * SLIVER_SHARE) {
          droppedM2 += areas[i]!
          kinds.add('sliver')
        } else kept.push(piece)
      })
    }
  } catch {
    return { ok: false, reason: 'not_repairable', repair: repair([...kinds], 0, 0, invalid.at) }
  }
  // Parts that overlap one another become one.
  const merged = kept.length > 1 ? (polyclip.union(kept[0] as polyclip.Geom, ...(kept.slice(1) as polyclip.Geom[])) as Position[][][]) : kept
  if (merged.length === 0) return { ok: false, reason: 'not_repairable', repair: repair([...kinds], 0, droppedM2, invalid.at) }
  const fixed = fromPolygons(merged)
  const after = area(fixed)
  const result = repair([...kinds], after, droppedM2, invalid.at)
  const base = areaBeforeM2 > 0 ? areaBeforeM2 : after
  if (base <= 0 || Math.abs(after - areaBeforeM2) / base > MAX_AREA_CHANGE) return { ok: false, reason: 'area_change', repair: result }
  if (validityError(fixed)) return { ok: false, reason: 'not_repairable', repair: result }
  return { ok: true, geometry: fixed, repair: result }
}

/** The change of area a repair made, in percent of the area before (1 decimal). */
export const areaChangePct = (r: Pick<GeometryRepair, 'areaBeforeM2' | 'areaAfterM2'>) =>
  Math.round((Math.abs(r.areaAfterM2 - r.areaBeforeM2) / Math.max(r.areaBeforeM2 || r.areaAfterM2, 1)) * 1000) / 10
