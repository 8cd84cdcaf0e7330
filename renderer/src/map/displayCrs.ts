// Data is stored in WGS-84; a basemap declared GCJ-02 or BD-09 draws the same place elsewhere
// (hundreds of metres in China). So the map draws in the basemap's CRS: every data layer is
// converted into it here (gcoord), once per basemap change, and positions read from the map (a
// click, the saved view) are in that CRS too. With no basemap or a WGS-84 one nothing changes.
import gcoord from 'gcoord'
import type { BasemapCrs } from '../../../shared/api/map'

const CRS = { 'WGS-84': gcoord.WGS84, 'GCJ-02': gcoord.GCJ02, 'BD-09': gcoord.BD09 } as const

/** A GeoJSON geometry/feature/collection converted from WGS-84 (a copy; the input is kept). */
export function geoJsonToDisplay<T>(geojson: T, crs: BasemapCrs): T {
  if (crs === 'WGS-84' || geojson === null || geojson === undefined) return geojson
  return gcoord.transform(structuredClone(geojson) as never, gcoord.WGS84, CRS[crs]) as T
}

/** [lon, lat] in WGS-84 → [lat, lng] for Leaflet, in the display CRS. */
export function pointToDisplay(lon: number, lat: number, crs: BasemapCrs): [number, number] {
  if (crs === 'WGS-84') return [lat, lon]
  const [x, y] = gcoord.transform([lon, lat], gcoord.WGS84, CRS[crs]) as [number, number]
  return [y, x]
}
