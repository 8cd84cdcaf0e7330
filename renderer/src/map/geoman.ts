// Leaflet-Geoman (drawing and vertex editing) loads on first use, when a boundary editor opens:
// it is a few hundred kB and patches Leaflet's classes, so the map pages start without it. Its
// stylesheet comes as a file of its own (style-src 'self'), not an injected <style>.
import * as Leaflet from 'leaflet'
import type { Map as LeafletMap } from 'leaflet'

let loading: Promise<typeof Leaflet> | undefined

/**
 * Geoman reads and extends a global `L`; the ES module namespace of 'leaflet' cannot be extended,
 * so it gets a plain object with the same classes (hooks it adds to L.Polygon etc. reach every
 * Leaflet layer). Opt-in mode: only layers created with `pmIgnore: false` become editable, so the
 * map's thousands of other layers get no editing handles.
 */
export function loadGeoman(): Promise<typeof Leaflet> {
  loading ??= (async () => {
    const global = globalThis as { L?: typeof Leaflet }
    global.L ??= { ...Leaflet }
    await Promise.all([import('@geoman-io/leaflet-geoman-free'), import('@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css')])
    global.L.PM.setOptIn(true)
    return global.L
  })()
  loading.catch(() => (loading = undefined))
  return loading
}

/** Gives a map made before Geoman loaded its `map.pm` (maps made later get it from Geoman's hook). */
export function enableGeoman(L: typeof Leaflet, map: LeafletMap, language: string): void {
  if (!map.pm) {
    map.options.pmIgnore = false
    L.PM.reInitLayer(map as unknown as Leaflet.Layer)
  }
  map.pm.setLang(language.startsWith('zh') ? 'zh' : 'en')
}
