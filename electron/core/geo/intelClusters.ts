// The map page's rival intel valid on a day, clustered in the core for one view (pointClusters.ts):
// as 2,000 pins of a 100,000-customer county, the first screen received 330 KB of JSON.
import { INTEL_CLUSTER_MAX_ZOOM, type MapIntelView } from '../../../shared/api/map'
import type { IntelPin } from '../../../shared/api/intel'
import type { Db } from '../db/client'
import { intelPins } from '../db/repos/intel'
import { pointClusters } from './pointClusters'

type LocatedPin = IntelPin & { lon: number; lat: number }

const inView = pointClusters<LocatedPin, MapIntelView['items'][number]>({ radius: 40, maxZoom: INTEL_CLUSTER_MAX_ZOOM, point: (p) => ({ kind: 'pin', ...p }) })

export async function intelInView(db: Db, validOn: string, bbox: [number, number, number, number], zoom: number): Promise<MapIntelView> {
  // Every located record valid that day (intel.pins: newest first), for the index.
  // LIMIT -1: SQLite's no limit.
  return inView(db, () => intelPins(db, validOn, -1) as LocatedPin[], bbox, zoom, validOn)
}
