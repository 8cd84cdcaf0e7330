// The county map: outline, grid polygons (coloured, labelled, clickable), village points. With no
// offline basemap chosen (map/BasemapLayer, passed as a child) the container's plain background is the ground.
import type { Polygon as LeafletPolygon } from 'leaflet'
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { CircleMarker, MapContainer, Pane, Polygon, Popup, Tooltip, useMap } from 'react-leaflet'
import type { MapOverview } from '../../../shared/api/contract'
import { ErrorBoundary } from '../shell/ErrorBoundary'
import { useShownOnce } from './useShownOnce'
import { featuresBounds, gridColour, labelPosition, pointPosition, polygonPositions } from './geometry'

export interface CountyMapProps {
  overview: MapOverview
  selectedGridId?: string
  onSelectGrid: (gridId: string) => void
  /** Called once the grid polygons are on the map. */
  onReady?: () => void
  /** Choropleth: fill colour by grid code (e.g. a traffic light); grids left out keep their own colour. */
  fillByGridCode?: Record<string, string>
  /** Popup content for a clicked grid (the map page's few facts); none when absent. */
  gridPopup?: (gridId: string) => ReactNode
  /** More layers inside the map (basemap, choropleth, clusters, view memory...). */
  children?: ReactNode
}

export function CountyMap(props: CountyMapProps) {
  const box = useRef<HTMLDivElement>(null)
  const shown = useShownOnce(box)
  return (
    <div ref={box} style={{ height: '100%', width: '100%' }}>
      <ErrorBoundary scope="map" name="county">
        {shown && <CountyMapView {...props} />}
      </ErrorBoundary>
    </div>
  )
}

function CountyMapView({ overview, selectedGridId, onSelectGrid, onReady, fillByGridCode, gridPopup, children }: CountyMapProps) {
  const bounds = useMemo(() => featuresBounds(overview.county ? [overview.county] : overview.grids.features), [overview])
  const countyRings = useMemo(() => (overview.county ? polygonPositions(overview.county) : null), [overview])
  const grids = useMemo(
    () =>
      overview.grids.features.flatMap((feature, index) => {
        const positions = polygonPositions(feature)
        return positions ? [{ ...feature.properties, positions, label: labelPosition(feature) ?? undefined, colour: gridColour(index) }] : []
      }),
    [overview],
  )
  const villages = useMemo(
    () =>
      overview.villages.features.flatMap((feature) => {
        const position = pointPosition(feature)
        return position ? [{ ...feature.properties, position }] : []
      }),
    [overview],
  )

  // The selected grid's heavy outline goes on top of its neighbours' edges.
  const gridLayers = useRef(new Map<string, LeafletPolygon>())
  const [drawn, setDrawn] = useState(false)
  useEffect(() => {
    if (drawn && selectedGridId) gridLayers.current.get(selectedGridId)?.bringToFront()
  }, [drawn, selectedGridId])
  const markDrawn = useCallback(() => {
    setDrawn(true)
    onReady?.()
  }, [onReady])

  if (!bounds) return null
  return (
    <MapContainer
      bounds={bounds}
      boundsOptions={{ padding: [16, 16] }}
      zoomSnap={0.25}
      attributionControl={false}
      style={{ height: '100%', width: '100%', background: '#eef2f5' }}
    >
      <FollowContainerSize />
      {countyRings && <Polygon positions={countyRings} interactive={false} pathOptions={{ color: '#37474f', weight: 2.5, fill: false, dashArray: '6 4' }} />}
      {grids.map((grid) => {
        const selected = grid.id === selectedGridId
        const fill = fillByGridCode?.[grid.code]
        const colour = fill ?? grid.colour
        return (
          <Polygon
            key={grid.id}
            ref={(layer) => {
              if (layer) gridLayers.current.set(grid.id, layer)
              else gridLayers.current.delete(grid.id)
            }}
            positions={grid.positions}
            // className is read when the SVG path is created, so it goes here, not in pathOptions.
            className={`grid-${grid.code}`}
            pathOptions={{
              color: selected ? '#1a1b1e' : fill ? '#ffffff' : colour,
              weight: selected ? 3.5 : fill ? 2 : 1.5,
              fillColor: colour,
              // A choropleth must read at a glance: stronger fill than the plain grid colours.
              fillOpacity: fill ? (selected ? 0.85 : 0.6) : selected ? 0.55 : selectedGridId ? 0.15 : 0.28,
            }}
            eventHandlers={{ click: () => onSelectGrid(grid.id) }}
          >
            <Tooltip permanent direction="center" position={grid.label} className="grid-label" interactive={false}>
              {grid.name}
            </Tooltip>
            {/* Kept clear of the map page's control panel (260 px on the right). */}
            {gridPopup && (
              <Popup maxWidth={280} autoPanPaddingBottomRight={[290, 10]}>
                {gridPopup(grid.id)}
              </Popup>
            )}
          </Polygon>
        )
      })}
      <Pane name="villages" style={{ zIndex: 450 }}>
        {villages.map((village) => (
          <CircleMarker
            key={village.id}
            center={village.position}
            radius={3.5}
            className="village-marker"
            pathOptions={{ color: '#ffffff', weight: 1, fillColor: '#263238', fillOpacity: 0.85 }}
            // A click on a village opens the grid it belongs to, like a click beside it would.
            eventHandlers={{ click: () => village.gridId && onSelectGrid(village.gridId) }}
          >
            <Tooltip direction="top" offset={[0, -4]}>
              {village.name}
            </Tooltip>
          </CircleMarker>
        ))}
      </Pane>
      {children}
      <ReadySignal onReady={markDrawn} />
    </MapContainer>
  )
}

/** Sibling effects run in order, so this one runs after the polygons above added themselves. */
function ReadySignal({ onReady }: { onReady?: () => void }) {
  const fired = useRef(false)
  useEffect(() => {
    if (fired.current) return
    fired.current = true
    onReady?.()
  }, [onReady])
  return null
}

/** Leaflet only watches the window; the summary panel opening beside the map resizes it too
 * (the view stays centred, so the county stays in sight). */
function FollowContainerSize() {
  const map = useMap()
  useEffect(() => {
    const observer = new ResizeObserver(() => map.invalidateSize({ animate: false }))
    observer.observe(map.getContainer())
    return () => observer.disconnect()
  }, [map])
  return null
}
