// Web-Mercator tile arithmetic shared by HQ (which tiles a device may have) and the device (which
// tiles to fetch, how many): XYZ numbering, y = 0 at the north edge, as Leaflet asks for them.

/** [west, south, east, north] in degrees. */
export type Box = [number, number, number, number]

const MAX_LAT = 85.0511287798

export const lonToTileX = (lon: number, z: number) => Math.min(2 ** z - 1, Math.max(0, Math.floor(((lon + 180) / 360) * 2 ** z)))
export const latToTileY = (lat: number, z: number) => {
  const r = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180
  return Math.min(2 ** z - 1, Math.max(0, Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z)))
}

/** The tiles of zoom z that touch the box: inclusive x and y ranges. */
export function tileRange(box: Box, z: number): { x0: number; x1: number; y0: number; y1: number } {
  const [west, south, east, north] = box
  return { x0: lonToTileX(west, z), x1: lonToTileX(east, z), y0: latToTileY(north, z), y1: latToTileY(south, z) }
}

export function tileCount(box: Box, z: number): number {
  const r = tileRange(box, z)
  return (r.x1 - r.x0 + 1) * (r.y1 - r.y0 + 1)
}

export function tileInBox(box: Box, z: number, x: number, y: number): boolean {
  const r = tileRange(box, z)
  return x >= r.x0 && x <= r.x1 && y >= r.y0 && y <= r.y1
}

/** Every tile of the box from minzoom to maxzoom, zoom by zoom, row by row: the fetch order. */
export function* tilesOf(box: Box, minzoom: number, maxzoom: number): Generator<[number, number, number]> {
  for (let z = minzoom; z <= maxzoom; z++) {
    const r = tileRange(box, z)
    for (let y = r.y0; y <= r.y1; y++) for (let x = r.x0; x <= r.x1; x++) yield [z, x, y]
  }
}

/** The box grown on every side by `fraction` of its size, and at least `minDegrees`. */
export function growBox(box: Box, fraction: number, minDegrees: number): Box {
  const dx = Math.max((box[2] - box[0]) * fraction, minDegrees)
  const dy = Math.max((box[3] - box[1]) * fraction, minDegrees)
  return [Math.max(-180, box[0] - dx), Math.max(-MAX_LAT, box[1] - dy), Math.min(180, box[2] + dx), Math.min(MAX_LAT, box[3] + dy)]
}

/** The box of GeoJSON geometries (any nesting of coordinate arrays), or null when they hold none. */
export function boxOfGeometries(geometries: Iterable<{ coordinates?: unknown }>): Box | null {
  const box: Box = [Infinity, Infinity, -Infinity, -Infinity]
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      box[0] = Math.min(box[0], c[0])
      box[1] = Math.min(box[1], c[1])
      box[2] = Math.max(box[2], c[0])
      box[3] = Math.max(box[3], c[1])
    } else for (const child of c) walk(child)
  }
  for (const g of geometries) walk(g.coordinates)
  return Number.isFinite(box[0]) ? box : null
}

/** Parses a zoom range "8-15" or "12". */
export function parseZoomRange(text: string): { minzoom: number; maxzoom: number } | null {
  const m = /^(\d{1,2})(?:-(\d{1,2}))?$/.exec(text.trim())
  if (!m) return null
  const minzoom = Number(m[1])
  const maxzoom = Number(m[2] ?? m[1])
  return minzoom <= maxzoom && maxzoom <= 22 ? { minzoom, maxzoom } : null
}
