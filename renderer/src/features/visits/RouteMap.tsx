// A grid's map for the visits page: the grid outline, points (targets, the route's numbered
// stops, the start, a check-in point), the route line; a click reports where (to pick a start or
// a check-in point). No basemap tiles: the app is offline.
import { divIcon, latLngBounds, type LeafletMouseEvent } from 'leaflet'
import { useEffect, useMemo, useRef } from 'react'
import { CircleMarker, MapContainer, Marker, Polygon, Polyline, Tooltip, useMap, useMapEvents } from 'react-leaflet'
import type { Feature } from '../../../../shared/api/contract'
import { featuresBounds, polygonPositions } from '../../map/geometry'
import { useShownOnce } from '../../map/useShownOnce'
import { ErrorBoundary } from '../../shell/ErrorBoundary'

export interface MapPoint {
  key: string
  lon: number
  lat: number
  label: string
  /** stop: numbered route stop; target: a picked target not yet routed; start / checkIn: the user's points. */
  kind: 'stop' | 'target' | 'start' | 'checkIn'
  seq?: number
}

const numberIcon = (n: number) =>
  divIcon({
    className: 'route-stop',
    // Inline style: the marker is the only place this look is used.
    html: `<span style="display:flex;align-items:center;justify-content:center;width:24px;height:24px;border-radius:50%;background:#e8590c;color:#fff;font:600 12px/1 sans-serif;border:2px solid #fff;box-shadow:0 1px 3px rgba(0,0,0,.4)">${n}</span>`,
    iconSize: [24, 24],
    iconAnchor: [12, 12],
  })

export interface RouteMapProps {
  grid: Feature | null
  points: MapPoint[]
  route?: [number, number][]
  onPick?: (p: { lon: number; lat: number }) => void
  picking?: boolean
  /** Points to zoom to (e.g. the visit's target) instead of the whole grid. */
  focus?: { lon: number; lat: number }[]
}

export function RouteMap(props: RouteMapProps) {
  const box = useRef<HTMLDivElement>(null)
  const shown = useShownOnce(box)
  return (
    <div ref={box} style={{ height: '100%', width: '100%' }}>
      <ErrorBoundary scope="map" name="route">
        {shown && <RouteMapView {...props} />}
      </ErrorBoundary>
    </div>
  )
}

function RouteMapView({ grid, points, route, onPick, picking, focus }: RouteMapProps) {
  const bounds = useMemo(() => {
    const b = grid ? featuresBounds([grid]) : null
    const all = b ?? latLngBounds([])
    for (const p of points) all.extend([p.lat, p.lon])
    return all.isValid() ? all : null
  }, [grid, points])
  const focusBounds = useMemo(() => {
    if (!focus?.length) return null
    const b = latLngBounds(focus.map((p) => [p.lat, p.lon] as [number, number]))
    // A single point: about 600 m around it, close enough to pick a check-in point.
    return b.isValid()
      ? b
          .pad(0)
          .extend([b.getSouth() - 0.003, b.getWest() - 0.003])
          .extend([b.getNorth() + 0.003, b.getEast() + 0.003])
      : null
  }, [focus])
  const rings = useMemo(() => (grid ? polygonPositions(grid) : null), [grid])
  if (!bounds) return null
  return (
    <MapContainer
      bounds={bounds}
      boundsOptions={{ padding: [20, 20] }}
      // Without tiles Leaflet has no top zoom: bounds of one point would fit at an infinite zoom (NaN).
      maxZoom={19}
      zoomSnap={0.25}
      attributionControl={false}
      style={{ height: '100%', width: '100%', background: '#eef2f5', cursor: picking ? 'crosshair' : undefined }}
    >
      <FitTo bounds={focusBounds ?? bounds} />
      {rings && <Polygon positions={rings} interactive={false} pathOptions={{ color: '#4e79a7', weight: 2, fillOpacity: 0.08 }} />}
      {route && route.length > 1 && <Polyline positions={route} pathOptions={{ color: '#e8590c', weight: 3, dashArray: '6 5' }} />}
      {points.map((p) =>
        p.kind === 'stop' ? (
          <Marker key={p.key} position={[p.lat, p.lon]} icon={numberIcon(p.seq ?? 0)}>
            <Tooltip direction="top" offset={[0, -10]}>{`${p.seq}. ${p.label}`}</Tooltip>
          </Marker>
        ) : (
          <CircleMarker
            key={p.key}
            center={[p.lat, p.lon]}
            radius={p.kind === 'target' ? 5 : 7}
            className={`map-point-${p.kind}`}
            pathOptions={
              p.kind === 'start'
                ? { color: '#fff', weight: 2, fillColor: '#2b8a3e', fillOpacity: 1 }
                : p.kind === 'checkIn'
                  ? { color: '#fff', weight: 2, fillColor: '#c92a2a', fillOpacity: 1 }
                  : { color: '#fff', weight: 1, fillColor: '#1c7ed6', fillOpacity: 0.9 }
            }
          >
            <Tooltip direction="top" offset={[0, -6]} permanent={p.kind !== 'target'}>
              {p.label}
            </Tooltip>
          </CircleMarker>
        ),
      )}
      {onPick && <ClickToPick onPick={onPick} />}
    </MapContainer>
  )
}

function ClickToPick({ onPick }: { onPick: (p: { lon: number; lat: number }) => void }) {
  useMapEvents({ click: (e: LeafletMouseEvent) => onPick({ lon: Math.round(e.latlng.lng * 1e6) / 1e6, lat: Math.round(e.latlng.lat * 1e6) / 1e6 }) })
  return null
}

/** Follows the grid (and the container's size) when they change after the map was made. A map
 * in a hidden tab has no size: the fit waits until it is shown (a fit at size 0 gives NaN). */
function FitTo({ bounds }: { bounds: ReturnType<typeof latLngBounds> }) {
  const map = useMap()
  const key = bounds.toBBoxString()
  const pending = useRef<ReturnType<typeof latLngBounds> | null>(null)
  useEffect(() => {
    const size = map.getSize()
    if (size.x > 0 && size.y > 0) {
      map.fitBounds(bounds, { padding: [20, 20], animate: false })
      pending.current = null
    } else pending.current = bounds
    // Refit when the box changes, not on every new bounds object.
  }, [map, key])
  useEffect(() => {
    const observer = new ResizeObserver(() => {
      map.invalidateSize({ animate: false })
      const size = map.getSize()
      if (pending.current && size.x > 0 && size.y > 0) {
        map.fitBounds(pending.current, { padding: [20, 20], animate: false })
        pending.current = null
      }
    })
    observer.observe(map.getContainer())
    return () => observer.disconnect()
  }, [map])
  return null
}
