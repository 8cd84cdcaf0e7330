// Contract of the map's own layers: the choropleth of grids or villages by an indicator,
// key customers for the clustered layer, the grid layout check, and offline basemaps (MBTiles).
// map.overview stays in contract.ts.
import { z } from 'zod'
import type { HqBasemapList, HqEstimate, PrefetchStatus } from '../sync/basemaps'
import { out, type PathFields } from './define'
import type { IntelPin } from './intel'
import { isDay } from '../rules'

/** Numeric indicators a choropleth can colour by. shareVs*: our share against that rival, percent. */
export const mapMetrics = ['penetration', 'shareVsTelecom', 'shareVsUnicom', 'shareVsBroadnet', 'households', 'daysSinceVisit', 'completeness'] as const
export type MapMetric = (typeof mapMetrics)[number]
/** Indicators where a higher value is worse (the legend uses the red ramp). */
export const worseWhenHigher: readonly MapMetric[] = ['daysSinceVisit']

export interface MapUnitFacts {
  keyCustomers: number
  /** A-tier key customers with no done visit in the last 30 days. */
  aTierNotVisited30: number
  visitsLast30: number
  population: number | null
  lastVisitAt: string | null
  /** Grids: villages whose profile completeness is below INCOMPLETE_BELOW (shared/profile.ts); villages: null. */
  incompleteVillages: number | null
}

/** One village or grid of the choropleth: its indicator values and the facts its popup shows. */
export interface MapUnit {
  id: string
  code: string
  name: string
  /** Villages: the grid they belong to; grids: null. */
  gridId: string | null
  metrics: Record<MapMetric, number | null>
  facts: MapUnitFacts
}

export interface MapChoropleth {
  /** Villages with their boundary (GeoJSON geometry, WGS-84); a village without one has none. */
  villages: (MapUnit & { boundary: { type: string; coordinates: unknown } | null })[]
  /** Grids: the geometry is in map.overview. */
  grids: MapUnit[]
  /** When "days since" and "last 30 days" were counted from. */
  asOf: string
}

export interface MapCustomer {
  id: string
  name: string
  tier: 'A' | 'B' | 'C' | null
  lon: number
  lat: number
}

/** Key customers close together at a zoom, as one bubble; clicking it zooms to `expansionZoom`. */
/** Points that are close at a zoom, as one bubble (key customers, rival intel). */
export interface MapCluster {
  kind: 'cluster'
  /** Stable for this zoom and data. */
  key: number
  count: number
  lon: number
  lat: number
  /** The zoom at which the cluster falls apart. */
  expansionZoom: number
}

/**
 * The customers layer for one view: clusters and single customers in the box at the zoom,
 * clustered in the core (never every customer as JSON), positions in WGS-84.
 */
export interface MapCustomersView {
  /** Key customers with a position, in the whole store. */
  total: number
  items: (MapCluster | (MapCustomer & { kind: 'customer' }))[]
}

/** The rival intel valid on a day in a view of the map page: clusters and single pins. */
export interface MapIntelView {
  /** Located intel valid that day, in the whole store. */
  total: number
  items: (MapCluster | (IntelPin & { kind: 'pin' }))[]
}

/** Highest zoom at which intel pins are clustered; above it every pin is its own. */
export const INTEL_CLUSTER_MAX_ZOOM = 14

/** Highest zoom at which customers are clustered; above it every customer is its own dot. */
export const CUSTOMER_CLUSTER_MAX_ZOOM = 16

export const gridCheckKinds = ['overlap', 'gap', 'village_outside', 'village_multiple', 'village_other_grid'] as const
export type GridCheckKind = (typeof gridCheckKinds)[number]

/** One warning about the grid layout; `at` ([lon, lat], WGS-84) is where to look. */
export interface GridCheckIssue {
  kind: GridCheckKind
  grids: { id: string; code: string; name: string }[]
  village: { id: string; code: string; name: string } | null
  /** Overlaps and gaps: their area in square metres. */
  areaM2: number | null
  at: [number, number]
}

export interface GridCheck {
  issues: GridCheckIssue[]
  grids: number
  villages: number
  /** Overlaps and gaps smaller than this (default 1 ha) are digitising slivers, not a mistake. */
  minAreaM2: number
}

export const basemapCrsList = ['WGS-84', 'GCJ-02', 'BD-09'] as const
export type BasemapCrs = (typeof basemapCrsList)[number]

export interface Basemap {
  id: string
  name: string
  /** Tile image format from the metadata (png, jpg, webp). */
  format: string
  minzoom: number
  maxzoom: number
  /** [west, south, east, north] in the basemap's own CRS, when the file says. */
  bounds: [number, number, number, number] | null
  attribution: string | null
  /** The CRS the tiles are drawn in; data layers are shifted into it when it is not WGS-84. */
  crs: BasemapCrs
  tiles: number
  bytes: number
  addedAt: string
  /** Prefetched from HQ (the HQ basemap's id), or imported from a file (absent). */
  source?: { hq: string }
}

const source = z.union([
  z.object({ path: z.string().min(1).max(4096) }).strict(),
  z.object({ fileName: z.string().min(1).max(255), base64: z.string().max(80 * 1024 * 1024) }).strict(),
])

const hqId = z.string().regex(/^[0-9a-f-]{36}$/)
const zooms = { minzoom: z.number().int().min(0).max(22), maxzoom: z.number().int().min(0).max(22) }

export const mapApi = {
  'map.choropleth': { input: z.object({}).strict(), output: out<MapChoropleth>() },
  'map.customers': {
    input: z
      .object({
        /** [west, south, east, north] in WGS-84 degrees. */
        bbox: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)]),
        zoom: z.number().int().min(0).max(22),
      })
      .strict(),
    output: out<MapCustomersView>(),
  },
  /** The map page's intel pins for a view: clustered in the core below INTEL_CLUSTER_MAX_ZOOM. */
  'map.intel': {
    input: z
      .object({
        validOn: z
          .string()
          .trim()
          .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isDay(s), { error: 'date_format' }),
        bbox: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)]),
        zoom: z.number().int().min(0).max(22),
      })
      .strict(),
    output: out<MapIntelView>(),
  },
  'grids.check': {
    input: z.object({ minAreaM2: z.number().min(0).max(1e9).default(10_000) }).strict(),
    output: out<GridCheck>(),
  },
  'basemaps.list': { input: z.object({}).strict(), output: out<Basemap[]>() },
  'basemaps.add': {
    input: z
      .object({
        source,
        name: z.string().trim().min(1).max(100).optional(),
        /** Declared CRS of the tiles; by default the file's metadata `crs`, else WGS-84. */
        crs: z.enum(basemapCrsList).optional(),
      })
      .strict(),
    output: out<Basemap>(),
    paths: { read: ['source.path'] } satisfies PathFields,
  },
  'basemaps.remove': { input: z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/) }).strict(), output: out<{ removed: boolean }>() },
  /** What HQ offers, the device's box, and the prefetch left paused or running. */
  'basemaps.hq.list': { input: z.object({}).strict(), output: out<HqBasemapList & { prefetch: PrefetchStatus | null }>() },
  'basemaps.hq.estimate': { input: z.object({ id: hqId, ...zooms }).strict(), output: out<HqEstimate>() },
  /** Starts or resumes the prefetch (sync first); answers at once, the download runs on. */
  'basemaps.hq.fetch': {
    input: z
      .object({
        id: hqId,
        ...zooms,
        /** Disk budget in bytes for the tiles. */
        budgetBytes: z.number().int().min(1).max(1e13).nullable().optional(),
        /** Download even over a slow link. */
        allowSlowLink: z.boolean().optional(),
      })
      .strict(),
    output: out<PrefetchStatus>(),
  },
  'basemaps.hq.status': { input: z.object({}).strict(), output: out<PrefetchStatus | null>() },
  'basemaps.hq.pause': { input: z.object({}).strict(), output: out<PrefetchStatus | null>() },
  /** Forgets a paused prefetch and the tiles it had received. */
  'basemaps.hq.discard': { input: z.object({}).strict(), output: out<{ discarded: true }>() },
} as const
