// shpjs 6 ships no types (and @types/shpjs describes v3): the one entry GridDesk uses.
declare module 'shpjs' {
  import type { FeatureCollection } from 'geojson'
  interface ShapefileParts {
    shp: Uint8Array | ArrayBuffer
    dbf?: Uint8Array | ArrayBuffer
    prj?: string
    cpg?: string
  }
  export default function shp(input: ShapefileParts | Uint8Array | ArrayBuffer): Promise<FeatureCollection>
}

// @mapbox/shp-write (dev only: the Shapefile import test writes its input with it).
declare module '@mapbox/shp-write' {
  import type { FeatureCollection } from 'geojson'
  export function zip(geojson: FeatureCollection, options?: { outputType?: 'nodebuffer' | 'uint8array' | 'base64'; compression?: 'STORE' | 'DEFLATE'; prj?: string; types?: Record<string, string> }): Promise<Buffer>
}
