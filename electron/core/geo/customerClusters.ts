// The map's key customers as clusters for one view, computed in the core (pointClusters.ts):
// 20,000 customers were 2 MB of JSON per map load.
import { CUSTOMER_CLUSTER_MAX_ZOOM, type MapCustomer, type MapCustomersView } from '../../../shared/api/map'
import type { Db } from '../db/client'
import { mapCustomers } from '../db/repos/mapLayers'
import { pointClusters } from './pointClusters'

/** Radius in pixels of a 256-pixel tile (supercluster's default extent is 512): as the map drew them before. */
const CLUSTER_RADIUS = 56

const inView = pointClusters<MapCustomer, MapCustomersView['items'][number]>({
  radius: CLUSTER_RADIUS,
  maxZoom: CUSTOMER_CLUSTER_MAX_ZOOM,
  point: (p) => ({ kind: 'customer', ...p }),
})

export async function customersInView(db: Db, bbox: [number, number, number, number], zoom: number): Promise<MapCustomersView> {
  return inView(db, () => mapCustomers(db), bbox, zoom)
}
