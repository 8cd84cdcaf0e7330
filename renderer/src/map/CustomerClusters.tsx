// Key customers as a clustered layer: supercluster indexes the points once; on every move the
// clusters in view are drawn as plain Leaflet markers (a count bubble per cluster, a small dot
// coloured by tier per customer). No markercluster plugin: nothing depends on React-Leaflet's
// internals, and 20k points cost one index build.
import { circleMarker, divIcon, layerGroup, marker } from 'leaflet'
import { useEffect, useMemo } from 'react'
import { useMap } from 'react-leaflet'
import Supercluster from 'supercluster'
import { NO_TIER_COLOUR, TIER_COLOURS } from './symbols'

export interface ClusterPoint {
  id: string
  name: string
  tier: 'A' | 'B' | 'C' | null
  /** [lat, lng] in the display CRS. */
  position: [number, number]
}

function textElement(text: string): HTMLElement {
  const span = document.createElement('span')
  span.textContent = text
  return span
}

export function CustomerClusters({ points, label }: { points: ClusterPoint[]; label: (point: ClusterPoint) => string }) {
  const map = useMap()
  const index = useMemo(() => {
    const cluster = new Supercluster<{ i: number }>({ radius: 56, maxZoom: 16 })
    cluster.load(points.map((p, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.position[1], p.position[0]] }, properties: { i } })))
    return cluster
  }, [points])

  useEffect(() => {
    if (!map.getPane('customers')) map.createPane('customers').style.zIndex = '460'
    const group = layerGroup().addTo(map)
    const draw = () => {
      group.clearLayers()
      const b = map.getBounds().pad(0.2)
      const zoom = Math.round(map.getZoom())
      for (const feature of index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom)) {
        const [lng, lat] = feature.geometry.coordinates as [number, number]
        const props = feature.properties as { cluster?: boolean; cluster_id?: number; point_count?: number; i?: number }
        if (props.cluster) {
          const count = props.point_count!
          const size = count < 10 ? 26 : count < 100 ? 32 : count < 1000 ? 38 : 44
          const bubble = marker([lat, lng], {
            pane: 'customers',
            icon: divIcon({ className: 'customer-cluster', html: `<span>${count}</span>`, iconSize: [size, size] }),
            keyboard: false,
          })
          bubble.on('click', () => map.flyTo([lat, lng], Math.min(index.getClusterExpansionZoom(props.cluster_id!), 17), { duration: 0.4 }))
          group.addLayer(bubble)
        } else {
          const point = points[props.i!]!
          const dot = circleMarker([lat, lng], {
            pane: 'customers',
            radius: 5,
            color: '#ffffff',
            weight: 1.5,
            fillColor: point.tier ? TIER_COLOURS[point.tier] : NO_TIER_COLOUR,
            fillOpacity: 0.95,
            className: 'customer-point',
          })
          // A DOM node, never a string: Leaflet sets string content as innerHTML, and names arrive
          // from other devices through sync.
          dot.bindTooltip(() => textElement(label(point)), { direction: 'top', offset: [0, -4] })
          group.addLayer(dot)
        }
      }
    }
    draw()
    map.on('moveend', draw)
    return () => {
      map.off('moveend', draw)
      group.remove()
    }
  }, [map, index, points, label])
  return null
}
