// What HQ's basemap routes answer (server/basemaps.ts), read by the device's prefetch.
import type { BasemapCrs } from '../api/map'
import type { Box } from '../tiles'

export interface HqBasemap {
  id: string
  name: string
  /** png, jpg, webp, or pbf (vector). */
  format: string
  vector: boolean
  minzoom: number
  maxzoom: number
  bounds: Box | null
  attribution: string | null
  crs: BasemapCrs
  tiles: number
  /** Size of the whole archive at HQ. */
  bytes: number
  addedAt: string
}

export interface HqBasemapList {
  /** The box the device may fetch tiles in (its regions plus a margin); null: everywhere (HQ roles) or nowhere (see hasArea). */
  box: Box | null
  /** False when the user has no regions with outlines: HQ sends no tiles. */
  hasArea: boolean
  basemaps: HqBasemap[]
}

export interface HqEstimate {
  /** Per zoom: tiles in the box, their mean size measured on a sample, and the estimated bytes. */
  zooms: { z: number; tiles: number; meanBytes: number; bytes: number }[]
  tiles: number
  bytes: number
}

export type PrefetchState = 'running' | 'waiting_sync' | 'paused' | 'done' | 'failed'
/** Why a prefetch stopped: paused by the user, the link, the budget; or failed. */
export type PrefetchReason = 'user' | 'slowLink' | 'budget' | 'network' | 'hq' | 'restart'

export interface PrefetchStatus {
  state: PrefetchState
  reason: PrefetchReason | null
  message: string | null
  hqId: string
  name: string
  minzoom: number
  maxzoom: number
  tilesDone: number
  tilesTotal: number
  bytes: number
  bytesEstimated: number
  budgetBytes: number | null
  /** Measured over this run, bytes per second; null before the first tiles. */
  bytesPerSecond: number | null
  /** Seconds left at the measured rate; null until measured. */
  secondsLeft: number | null
  /** The local basemap once done. */
  basemapId: string | null
}
