// Village boundaries as one Leaflet GeoJSON layer in their own pane (above the grids, below the
// village points), filled by the choropleth. Colours change by setStyle on the existing paths —
// never by re-creating them — and the time from the indicator change to the next frame is
// recorded as the `griddesk:recolour` performance measure (bench/map.ts reads it).
import { GeoJSON as LeafletGeoJSON, type Layer, type Path } from 'leaflet'
import { useEffect, useRef } from 'react'
import { useMap } from 'react-leaflet'
import type { Feature } from 'geojson'

export interface VillageArea {
  id: string
  code: string
  geometry: { type: string; coordinates: unknown }
}

export interface VillageAreasProps {
  areas: VillageArea[]
  /** Fill colour by village id; missing ids get `fallback`. */
  fills: Record<string, string>
  fallback: string
  /** Popup content for a village, built when it opens. */
  popup: (id: string) => HTMLElement
}

export const RECOLOUR_START = 'griddesk:recolour-start'

export function VillageAreas({ areas, fills, fallback, popup }: VillageAreasProps) {
  const map = useMap()
  const layers = useRef(new Map<string, Path>())
  const popupRef = useRef(popup)
  popupRef.current = popup

  useEffect(() => {
    if (!map.getPane('village-areas')) map.createPane('village-areas').style.zIndex = '420'
    const byId = new Map<string, Path>()
    const group = new LeafletGeoJSON(undefined, {
      pane: 'village-areas',
      style: () => ({ color: '#ffffff', weight: 0.8, fillOpacity: 0.78, fillColor: fallback }),
    })
    for (const area of areas) {
      const feature = { type: 'Feature', geometry: area.geometry, properties: { id: area.id, code: area.code } } as Feature
      group.addData(feature)
    }
    group.eachLayer((layer: Layer) => {
      const { id, code } = (layer as Layer & { feature?: Feature }).feature?.properties as { id: string; code: string }
      const path = layer as Path
      byId.set(id, path)
      // Kept clear of the map page's control panel (260 px on the right).
      path.bindPopup(() => popupRef.current(id), { maxWidth: 280, autoPanPaddingBottomRight: [290, 10] })
      path.on('add', () => {
        const element = path.getElement()
        element?.setAttribute('data-village-id', id)
        element?.classList.add(`village-area-${code}`)
      })
    })
    group.addTo(map)
    layers.current = byId
    return () => {
      group.remove()
      layers.current = new Map()
    }
    // Re-created only when the geometry changes (another basemap CRS, new data); fills recolour.
  }, [map, areas, fallback])

  useEffect(() => {
    for (const [id, path] of layers.current) path.setStyle({ fillColor: fills[id] ?? fallback })
  }, [fills, fallback, areas])
  return null
}

/** Records the time from RECOLOUR_START (the indicator changed) to the frame after the new fills were painted. */
export function useRecolourMeasure(fills: unknown) {
  useEffect(() => {
    if (performance.getEntriesByName(RECOLOUR_START).length === 0) return
    // Two frames: the second starts after the recoloured one was painted.
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        performance.measure('griddesk:recolour', RECOLOUR_START)
        performance.clearMarks(RECOLOUR_START)
      })
    })
    return () => cancelAnimationFrame(frame)
  }, [fills])
}
