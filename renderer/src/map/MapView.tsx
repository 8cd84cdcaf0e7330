// Small pieces that live inside the map: the remembered view (centre and zoom kept in
// localStorage, restored on the next visit) and a handle on the Leaflet map for controls outside
// it (search, warnings).
import type { Map as LeafletMap } from 'leaflet'
import { useEffect } from 'react'
import { useMap } from 'react-leaflet'

export interface SavedView {
  lat: number
  lng: number
  zoom: number
}

export function readSavedView(key: string): SavedView | null {
  try {
    const view = JSON.parse(localStorage.getItem(key) ?? 'null') as SavedView | null
    return view && [view.lat, view.lng, view.zoom].every(Number.isFinite) ? view : null
  } catch {
    return null
  }
}

/** Restores the saved view once, then saves it after every move. */
export function ViewMemory({ storageKey }: { storageKey: string }) {
  const map = useMap()
  useEffect(() => {
    const saved = readSavedView(storageKey)
    if (saved) map.setView([saved.lat, saved.lng], saved.zoom, { animate: false })
    const save = () => {
      const c = map.getCenter()
      localStorage.setItem(storageKey, JSON.stringify({ lat: +c.lat.toFixed(6), lng: +c.lng.toFixed(6), zoom: map.getZoom() }))
    }
    map.on('moveend', save)
    return () => {
      map.off('moveend', save)
    }
  }, [map, storageKey])
  return null
}

export function MapHandle({ onMap }: { onMap: (map: LeafletMap | null) => void }) {
  const map = useMap()
  useEffect(() => {
    onMap(map)
    return () => onMap(null)
  }, [map, onMap])
  return null
}
