// Key customers as a clustered layer. The core clusters them (map.customers): on every move the
// page asks for the clusters in view at the zoom and draws them as plain Leaflet markers (a count
// bubble per cluster, a small dot coloured by tier per customer). The page never holds every
// customer: a county's 20,000 were 2 MB of JSON and a second index in the page.
import { circleMarker, divIcon, layerGroup, marker, type Map as LeafletMap } from 'leaflet'
import { useEffect, useRef } from 'react'
import { useMap } from 'react-leaflet'
import type { BasemapCrs, MapCustomer, MapCustomersView } from '../../../shared/api/map'
import { call } from '../api/client'
import { pointFromDisplay, pointToDisplay } from './displayCrs'
import { NO_TIER_COLOUR, TIER_COLOURS } from './symbols'

export type ClusterPoint = Pick<MapCustomer, 'id' | 'name' | 'tier'>

function textElement(text: string): HTMLElement {
  const span = document.createElement('span')
  span.textContent = text
  return span
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n))

/** The view, padded by a fifth, as [west, south, east, north] in WGS-84. */
function viewBox(map: LeafletMap, crs: BasemapCrs): [number, number, number, number] {
  const b = map.getBounds().pad(0.2)
  const [west, south] = pointFromDisplay(b.getSouth(), b.getWest(), crs)
  const [east, north] = pointFromDisplay(b.getNorth(), b.getEast(), crs)
  return [clamp(west, -180, 180), clamp(south, -90, 90), clamp(east, -180, 180), clamp(north, -90, 90)]
}

export function CustomerClusters({
  crs,
  label,
  reloadKey,
  onDrawn,
}: {
  crs: BasemapCrs
  label: (point: ClusterPoint) => string
  /** Changes when the customers may have changed (after a sync): the view is asked again. */
  reloadKey?: number
  /** Called after each drawing of an answer (the map page's first-render measure waits for the first). */
  onDrawn?: () => void
}) {
  const map = useMap()
  const drawn = useRef(onDrawn)
  drawn.current = onDrawn

  useEffect(() => {
    if (!map.getPane('customers')) map.createPane('customers').style.zIndex = '460'
    const group = layerGroup().addTo(map)
    // Only the answer to the latest view is drawn: a slow answer to an earlier one is dropped.
    let asked = 0
    let closed = false
    // What is drawn: an answer that is the same (a move within the padded view, a resize) leaves
    // the markers in place, so a tooltip under the pointer stays open.
    let shown = ''
    const draw = (view: MapCustomersView) => {
      const key = view.items.map((item) => (item.kind === 'cluster' ? `c${item.key}:${item.count}` : item.id)).join(',')
      if (key === shown) return drawn.current?.()
      shown = key
      group.clearLayers()
      for (const item of view.items) {
        const at = pointToDisplay(item.lon, item.lat, crs)
        if (item.kind === 'cluster') {
          const count = item.count
          const size = count < 10 ? 26 : count < 100 ? 32 : count < 1000 ? 38 : 44
          const bubble = marker(at, {
            pane: 'customers',
            icon: divIcon({ className: 'customer-cluster', html: `<span>${count}</span>`, iconSize: [size, size] }),
            keyboard: false,
          })
          bubble.on('click', () => map.flyTo(at, Math.min(item.expansionZoom, 17), { duration: 0.4 }))
          group.addLayer(bubble)
        } else {
          const dot = circleMarker(at, {
            pane: 'customers',
            radius: 5,
            color: '#ffffff',
            weight: 1.5,
            fillColor: item.tier ? TIER_COLOURS[item.tier] : NO_TIER_COLOUR,
            fillOpacity: 0.95,
            // The id in the class finds one customer's dot (tests, and a page that points at one).
            className: `customer-point customer-${item.id}`,
          })
          // A DOM node, never a string: Leaflet sets string content as innerHTML, and names arrive
          // from other devices through sync.
          dot.bindTooltip(() => textElement(label(item)), { direction: 'top', offset: [0, -4] })
          group.addLayer(dot)
        }
      }
      drawn.current?.()
    }
    const ask = () => {
      const turn = ++asked
      call('map.customers', { bbox: viewBox(map, crs), zoom: clamp(Math.round(map.getZoom()), 0, 22) })
        .then((view) => {
          if (!closed && turn === asked) draw(view)
        })
        // The layer keeps what it shows; the next move asks again.
        .catch(() => undefined)
    }
    ask()
    map.on('moveend', ask)
    return () => {
      closed = true
      map.off('moveend', ask)
      group.remove()
    }
  }, [map, crs, label, reloadKey])
  return null
}
