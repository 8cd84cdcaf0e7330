// Points clustered in the core for one view of the map (the key customers, today's rival intel):
// the page asks for its box and zoom and gets a few hundred bubbles and points, never every record
// as JSON. A supercluster index over every point is built on the first call (supercluster loads
// then) and again once its key changes (the store changed, or another day's intel is asked for).
import type Supercluster from 'supercluster'
import type { MapCluster } from '../../../shared/api/map'
import type { Db } from '../db/client'
import { storeVersion } from '../db/repos/mapLayers'

interface PointIndex<P> {
  key: string
  points: P[]
  index: Supercluster<{ i: number }>
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6

/**
 * A clustered layer: `inView(db, load, bbox, zoom, key)` answers the clusters and points in the box
 * at the zoom; `load` reads every point, called when the store (or `key`) changed since the last
 * index. Indexes are kept per connection: a restored store is a new connection, with its own.
 */
export function pointClusters<P extends { lon: number; lat: number }, T>(options: { radius: number; maxZoom: number; point: (p: P) => T }) {
  const indexes = new WeakMap<object, PointIndex<P>>()
  const indexOf = async (db: Db, load: () => P[], key: string): Promise<PointIndex<P>> => {
    const version = `${storeVersion(db)}|${key}`
    const kept = indexes.get(db.$client)
    if (kept?.key === version) return kept
    const { default: SuperclusterIndex } = await import('supercluster')
    const points = load()
    const index = new SuperclusterIndex<{ i: number }>({ radius: options.radius, maxZoom: options.maxZoom })
    index.load(points.map((p, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { i } })))
    const built = { key: version, points, index }
    indexes.set(db.$client, built)
    return built
  }
  return async (
    db: Db,
    load: () => P[],
    bbox: [number, number, number, number],
    zoom: number,
    key = '',
  ): Promise<{ total: number; items: (MapCluster | T)[] }> => {
    const { points, index } = await indexOf(db, load, key)
    const items: (MapCluster | T)[] = []
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
      else items.push(options.point(points[props.i!]!))
    }
    return { total: points.length, items }
  }
}
