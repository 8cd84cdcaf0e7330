// The map's key customers as clusters for one view, computed in the core: the page asks for its
// box and zoom and gets a few hundred bubbles and dots, never every customer as JSON (20,000 of
// them were 2 MB per map load). A supercluster index over every customer with a position is built
// on the first call (supercluster loads then) and again after the store changed.
import type Supercluster from 'supercluster'
import { CUSTOMER_CLUSTER_MAX_ZOOM, type MapCustomer, type MapCustomersView } from '../../../shared/api/map'
import type { Db } from '../db/client'
import { mapCustomers, storeVersion } from '../db/repos/mapLayers'

interface CustomerIndex {
  version: string
  points: MapCustomer[]
  index: Supercluster<{ i: number }>
}

// Per connection: a restored store is a new connection, with its own index.
const indexes = new WeakMap<object, CustomerIndex>()

/** Radius in pixels of a 256-pixel tile (supercluster's default extent is 512): as the map drew them before. */
const CLUSTER_RADIUS = 56

async function customerIndex(db: Db): Promise<CustomerIndex> {
  const version = storeVersion(db)
  const kept = indexes.get(db.$client)
  if (kept?.version === version) return kept
  const { default: SuperclusterIndex } = await import('supercluster')
  const points = mapCustomers(db)
  const index = new SuperclusterIndex<{ i: number }>({ radius: CLUSTER_RADIUS, maxZoom: CUSTOMER_CLUSTER_MAX_ZOOM })
  index.load(points.map((p, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { i } })))
  const built = { version, points, index }
  indexes.set(db.$client, built)
  return built
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6

export async function customersInView(db: Db, bbox: [number, number, number, number], zoom: number): Promise<MapCustomersView> {
  const { points, index } = await customerIndex(db)
  const items: MapCustomersView['items'] = []
  for (const feature of index.getClusters(bbox, zoom)) {
    const [lon, lat] = feature.geometry.coordinates as [number, number]
    const props = feature.properties as { cluster?: boolean; cluster_id?: number; point_count?: number; i?: number }
    if (props.cluster)
      items.push({
        kind: 'cluster',
        key: props.cluster_id!,
        count: props.point_count!,
        lon: round6(lon),
        lat: round6(lat),
        expansionZoom: index.getClusterExpansionZoom(props.cluster_id!),
      })
    else items.push({ kind: 'customer', ...points[props.i!]! })
  }
  return { total: points.length, items }
}
