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
  export function zip(
    geojson: FeatureCollection,
    options?: { outputType?: 'nodebuffer' | 'uint8array' | 'base64'; compression?: 'STORE' | 'DEFLATE'; prj?: string; types?: Record<string, string> },
  ): Promise<Buffer>
}

// jsts 2.7 ships no types: the validity check GridDesk uses (operation.valid.IsValidOp on a geometry read from GeoJSON).
declare module 'jsts' {
  interface Coordinate {
    x: number
    y: number
  }
  interface TopologyValidationError {
    getErrorType(): number
    getMessage(): string
    getCoordinate(): Coordinate | null
  }
  interface JstsGeometry {
    isValid(): boolean
  }
  const jsts: {
    io: { GeoJSONReader: new () => { read(geometry: object): JstsGeometry } }
    operation: {
      valid: {
        IsValidOp: new (geometry: JstsGeometry) => { isValid(): boolean; getValidationError(): TopologyValidationError | null }
      }
    }
  }
  export default jsts
}
