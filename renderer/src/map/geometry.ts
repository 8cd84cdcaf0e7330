// GeoJSON (WGS-84, [lon, lat]) from map.overview turned into what Leaflet draws, and the colours
// that tell grids apart.
import { area, booleanPointInPolygon, centerOfMass, pointOnFeature, polygon } from '@turf/turf'
import { GeoJSON as LeafletGeoJSON, latLngBounds, type LatLngBounds, type LatLngExpression } from 'leaflet'
import type { Feature as GeoJsonFeature } from 'geojson'
import type { Feature } from '../../../shared/api/contract'

type Rings = LatLngExpression[][]

/** Polygon → rings, MultiPolygon → list of polygons' rings; anything else draws nothing. */
export function polygonPositions(feature: Feature): Rings | Rings[] | null {
  const { type, coordinates } = feature.geometry
  if (type === 'Polygon') return LeafletGeoJSON.coordsToLatLngs(coordinates as number[][][], 1) as Rings
  if (type === 'MultiPolygon') return LeafletGeoJSON.coordsToLatLngs(coordinates as number[][][][], 2) as Rings[]
  return null
}

export function pointPosition(feature: Feature): [number, number] | null {
  if (feature.geometry.type !== 'Point') return null
  const [lon, lat] = feature.geometry.coordinates as [number, number]
  return [lat, lon]
}

/**
 * Where a grid's name goes: inside its largest part (generated grids can be MultiPolygons with
 * small outlying pieces, and Leaflet would label the first piece, wherever it is).
 */
export function labelPosition(feature: Feature): [number, number] | null {
  const { type, coordinates } = feature.geometry
  const parts = type === 'Polygon' ? [coordinates as number[][][]] : type === 'MultiPolygon' ? (coordinates as number[][][][]) : []
  let largest: ReturnType<typeof polygon> | undefined
  let largestArea = -1
  for (const rings of parts) {
    const part = polygon(rings)
    const partArea = area(part)
    if (partArea > largestArea) [largest, largestArea] = [part, partArea]
  }
  if (!largest) return null
  let point = centerOfMass(largest)
  if (!booleanPointInPolygon(point, largest)) point = pointOnFeature(largest)
  const [lon, lat] = point.geometry.coordinates as [number, number]
  return [lat, lon]
}

export function featuresBounds(features: Feature[]): LatLngBounds | null {
  const bounds = latLngBounds([])
  for (const feature of features) bounds.extend(new LeafletGeoJSON(feature as GeoJsonFeature).getBounds())
  return bounds.isValid() ? bounds : null
}

// Twelve distinguishable hues (Tableau-like), readable on the light background.
const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#2f8f9d', '#8cd17d', '#d37295']

export const gridColour = (index: number) => palette[index % palette.length]!
