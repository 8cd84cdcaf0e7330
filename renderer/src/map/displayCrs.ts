// Data is stored in WGS-84; a basemap declared GCJ-02 or BD-09 draws the same place elsewhere
// (hundreds of metres in China). So the map draws in the basemap's CRS: every data layer is
// converted into it here (gcoord), once per basemap change, and positions read from the map (a
// click, the saved view) are in that CRS too. With no basemap or a WGS-84 one nothing changes.
import gcoord from 'gcoord'
import type { BasemapCrs } from '../../../shared/api/map'

const CRS = { 'WGS-84': gcoord.WGS84, 'GCJ-02': gcoord.GCJ02, 'BD-09': gcoord.BD09 } as const

type GeoJsonLike = { type?: string; geometry?: unknown; features?: unknown[]; coordinates?: unknown }

/**
 * A GeoJSON geometry/feature/collection converted from WGS-84 (a copy; the input is kept), or an
 * object of them (the map overview: county, grids, villages, townships), each converted. Features
 * without a geometry stay as they are.
 */
export function geoJsonToDisplay<T>(geojson: T, crs: BasemapCrs): T {
  if (crs === 'WGS-84' || geojson === null || typeof geojson !== 'object') return geojson
  const value = geojson as GeoJsonLike
  if (value.type === 'FeatureCollection') return { ...value, features: (value.features ?? []).map((f) => geoJsonToDisplay(f, crs)) } as T
  if (value.type === 'Feature') return { ...value, geometry: geoJsonToDisplay(value.geometry ?? null, crs) } as T
  if (typeof value.type === 'string' && 'coordinates' in value) return gcoord.transform(structuredClone(value) as never, gcoord.WGS84, CRS[crs]) as T
  if (value.type === undefined && !Array.isArray(geojson)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, geoJsonToDisplay(v, crs)])) as T
  return geojson
}

/** [lon, lat] in WGS-84 → [lat, lng] for Leaflet, in the display CRS. */
export function pointToDisplay(lon: number, lat: number, crs: BasemapCrs): [number, number] {
  if (crs === 'WGS-84') return [lat, lon]
  const [x, y] = gcoord.transform([lon, lat], gcoord.WGS84, CRS[crs]) as [number, number]
  return [y, x]
}

type Position = [number, number]
const key = ([x, y]: Position) => `${x.toFixed(6)},${y.toFixed(6)}`
const round6 = (v: number) => Math.round(v * 1e6) / 1e6

function eachPosition(coords: unknown, fn: (p: Position) => Position): unknown {
  if (!Array.isArray(coords)) return coords
  if (typeof coords[0] === 'number') return fn(coords as Position)
  return coords.map((c) => eachPosition(c, fn))
}

/** A display-CRS [lon, lat] back in WGS-84: gcoord's inverse, refined until the forward shift lands on it. */
function positionFromDisplay([x, y]: Position, crs: Exclude<BasemapCrs, 'WGS-84'>): Position {
  let [lon, lat] = gcoord.transform([x, y], CRS[crs], gcoord.WGS84) as Position
  for (let i = 0; i < 4; i++) {
    const [fx, fy] = gcoord.transform([lon, lat], gcoord.WGS84, CRS[crs]) as Position
    lon += x - fx
    lat += y - fy
  }
  return [round6(lon), round6(lat)]
}

/**
 * A geometry edited on a map drawn in `crs`, back in WGS-84 (the CRS data is stored in). Vertices
 * of `original` (the stored WGS-84 geometry, shifted for display) that were not moved come back
 * exactly as stored; moved and new vertices are converted.
 */
export function geometryFromDisplay<G extends { type: string; coordinates: unknown }>(geometry: G, crs: BasemapCrs, original?: G | null): G {
  if (crs === 'WGS-84') return geometry
  const stored = new Map<string, Position>()
  if (original) eachPosition(original.coordinates, (p) => (stored.set(key(pointToDisplay(p[0], p[1], crs).reverse() as Position), p), p))
  return { ...geometry, coordinates: eachPosition(geometry.coordinates, (p) => stored.get(key(p)) ?? positionFromDisplay(p, crs)) }
}

/** Leaflet's [lat, lng] in the display CRS → [lon, lat] in WGS-84 (what the core stores and is asked in). */
export function pointFromDisplay(lat: number, lng: number, crs: BasemapCrs): [number, number] {
  if (crs === 'WGS-84') return [lng, lat]
  return gcoord.transform([lng, lat], CRS[crs], gcoord.WGS84) as [number, number]
}
