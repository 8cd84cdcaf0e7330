// vt-pbf (a dev dependency: tests make vector tile archives with it) ships no types.
declare module 'vt-pbf' {
  import type { Tile } from 'geojson-vt'
  export function fromGeojsonVt(layers: Record<string, Tile>, options?: { version?: number; extent?: number }): Uint8Array
}
