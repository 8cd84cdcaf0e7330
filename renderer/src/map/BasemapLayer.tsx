// The offline basemap under the data layers, on the map page and in the boundary editor: raster
// tiles as a Leaflet tile layer, vector tiles drawn by protomaps-leaflet (loaded only when a vector
// basemap is shown) in a sober grey theme that the choropleth reads well over. Tiles come from the
// local archive through the app's tile path (griddesk-tiles: in Electron, /tiles/ in browser
// mode); nothing is fetched from elsewhere. Which basemap is shown is the map page's choice, kept
// with its settings; the CRS the basemap is drawn in decides how data layers are shifted.
import * as Leaflet from 'leaflet'
import type { GridLayer } from 'leaflet'
import { useEffect, useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { TileLayer, useMap } from 'react-leaflet'
import type { Basemap, BasemapCrs } from '../../../shared/api/map'
import { isElectron } from '../api/client'
import { useCall } from '../api/useCall'

/** Where the map page keeps its settings (the chosen basemap among them). */
export const MAP_SETTINGS_KEY = 'griddesk.map.settings'

export const tileUrl = (id: string) => (isElectron() ? `griddesk-tiles://${id}/{z}/{x}/{y}` : `/tiles/${id}/{z}/{x}/{y}`)

/** The basemap the map page shows (its saved choice), read once per mount. */
export function savedBasemapId(): string | null {
  try {
    const id = (JSON.parse(localStorage.getItem(MAP_SETTINGS_KEY) ?? '{}') as { basemapId?: unknown }).basemapId
    return typeof id === 'string' ? id : null
  } catch {
    return null
  }
}

/** The local basemap with this id (null while loading, or when it is gone) and the CRS to draw in. */
export function useBasemap(id: string | null): { basemap: Basemap | null; crs: BasemapCrs; basemaps: ReturnType<typeof useCall<'basemaps.list'>> } {
  const basemaps = useCall('basemaps.list', {})
  const basemap = basemaps.value?.find((b) => b.id === id) ?? null
  return { basemap, crs: basemap?.crs ?? 'WGS-84', basemaps }
}

/** Vector style: Protomaps' grayscale flavour, labels in the UI language. */
export const VECTOR_FLAVOR = 'grayscale'

const leafletBounds = (b: Basemap['bounds']): [[number, number], [number, number]] | undefined =>
  b
    ? [
        [b[1], b[0]],
        [b[3], b[2]],
      ]
    : undefined

export function BasemapLayer({ basemap }: { basemap: Basemap }) {
  if (basemap.format === 'pbf') return <VectorBasemap key={basemap.id} basemap={basemap} />
  return (
    <TileLayer
      key={basemap.id}
      url={tileUrl(basemap.id)}
      minNativeZoom={basemap.minzoom}
      maxNativeZoom={basemap.maxzoom}
      bounds={leafletBounds(basemap.bounds)}
      zIndex={1}
      className="basemap-tiles"
    />
  )
}

function VectorBasemap({ basemap }: { basemap: Basemap }) {
  const map = useMap()
  const { i18n } = useTranslation()
  const lang = i18n.language.startsWith('zh') ? 'zh' : 'en'
  const bounds = useMemo(() => leafletBounds(basemap.bounds), [basemap.bounds])
  useEffect(() => {
    let layer: GridLayer | undefined
    let cancelled = false
    // protomaps-leaflet extends the global `L` (as Geoman does, see geoman.ts).
    const global = globalThis as { L?: typeof Leaflet }
    global.L ??= { ...Leaflet }
    void import('protomaps-leaflet').then(({ leafletLayer }) => {
      if (cancelled) return
      layer = leafletLayer({
        url: tileUrl(basemap.id),
        flavor: VECTOR_FLAVOR,
        lang,
        // Deeper zooms draw the deepest tiles the archive holds, over-zoomed.
        maxDataZoom: basemap.maxzoom,
        bounds,
        attribution: basemap.attribution ?? '',
        zIndex: 1,
        className: 'basemap-tiles basemap-vector',
      } as never) as unknown as GridLayer
      layer.addTo(map)
    })
    return () => {
      cancelled = true
      layer?.remove()
    }
  }, [map, basemap.id, basemap.maxzoom, basemap.attribution, bounds, lang])
  return null
}
