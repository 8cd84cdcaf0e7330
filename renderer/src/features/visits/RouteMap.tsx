// A grid's map for the visits page: the grid outline, points (targets, the route's numbered
// stops, the start, a check-in point), the route line; a click reports where (to pick a start or
// a check-in point). No basemap tiles: the app is offline.
import { divIcon, latLngBounds, type LeafletMouseEvent } from 'leaflet'
import { useEffect, useMemo } from 'react'
import { CircleMarker, MapContainer, Marker, Polygon, Polyline, Tooltip, useMap, useMapEvents } from 'react-leaflet'
import type { Feature } from '../../../../shared/api/contract'
import { featuresBounds, polygonPositions } from '../../map/geometry'

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

export function RouteMap({ grid, points, route, onPick, picking }: { grid: Feature | null; points: MapPoint[]; route?: [number, number][]; onPick?: (p: { lon: number; lat: number }) => void; picking?: boolean }) {
  const bounds = useMemo(() => {
    const b = grid ? featuresBounds([grid]) : null
    const all = b ?? latLngBounds([])
    for (const p of points) all.extend([p.lat, p.lon])
    return all.isValid() ? all : null
  }, [grid, points])
  const rings = useMemo(() => (grid ? polygonPositions(grid) : null), [grid])
  if (!bounds) return null
  return (
    <MapContainer bounds={bounds} boundsOptions={{ padding: [20, 20] }} zoomSnap={0.25} attributionControl={false} style={{ height: '100%', width: '100%', background: '#eef2f5', cursor: picking ? 'crosshair' : undefined }}>
      <FitTo bounds={bounds} />
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
              p.kind === 'start' ? { color: '#fff', weight: 2, fillColor: '#2b8a3e', fillOpacity: 1 }
              : p.kind === 'checkIn' ? { color: '#fff', weight: 2, fillColor: '#c92a2a', fillOpacity: 1 }
              : { color: '#fff', weight: 1, fillColor: '#1c7ed6', fillOpacity: 0.9 }
            }
          >
            <Tooltip direction="top" offset={[0, -6]} permanent={p.kind !== 'target'}>{p.label}</Tooltip>
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

/** Follows the grid (and the container's size) when they change after the map was made. */
function FitTo({ bounds }: { bounds: ReturnType<typeof latLngBounds> }) {
  const map = useMap()
  const key = bounds.toBBoxString()
  useEffect(() => {
    map.fitBounds(bounds, { padding: [20, 20], animate: false })
    // Refit when the box changes, not on every new bounds object.
  }, [map, key])
  useEffect(() => {
    const observer = new ResizeObserver(() => map.invalidateSize({ animate: false }))
    observer.observe(map.getContainer())
    return () => observer.disconnect()
  }, [map])
  return null
}
