// Competitor intel as pins inside a CountyMap (intel page, map page): one circle per record with a
// location, coloured by rival and sized by threat; the tooltip says who, what and when. The pins
// are plain Leaflet circles in one layer, not a React component each, and their tooltips are
// written only when one is shown. The intel page gives its rows; the map page asks the core for
// the intel valid today in its view (map.intel), clustered below INTEL_CLUSTER_MAX_ZOOM: a county's
// 2,000 pins were 330 KB on every map load.
import { circleMarker, divIcon, layerGroup, marker, type CircleMarker as LeafletCircleMarker, type Map as LeafletMap } from 'leaflet'
import { useEffect, useMemo, useRef } from 'react'
import { useMap } from 'react-leaflet'
import { useTranslation } from 'react-i18next'
import type { TFunction } from 'i18next'
import { dayOf } from '../../../../shared/dates'
import type { IntelPin } from '../../../../shared/api/intel'
import type { MapIntelView } from '../../../../shared/api/map'
import { call } from '../../api/client'
import { RIVAL_COLOURS } from '../../map/symbols'

function pinStyle(selected: boolean) {
  return { color: selected ? '#000' : '#fff', weight: selected ? 2.5 : 2 }
}

function intelPane(map: LeafletMap): void {
  if (!map.getPane('intel')) map.createPane('intel').style.zIndex = '460'
}

/** One record's circle; `live` holds the latest translation and click handler. */
function pinOf(r: IntelPin & { lon: number; lat: number }, selected: boolean, live: { current: { t: TFunction; onSelect?: (id: string) => void } }) {
  const pin = circleMarker([r.lat, r.lon], {
    pane: 'intel',
    radius: 4 + (r.threatLevel ?? 1) * 1.2,
    className: `intel-pin intel-${r.id}`,
    ...pinStyle(selected),
    fillColor: RIVAL_COLOURS[r.rival],
    fillOpacity: 0.9,
  })
  pin.on('click', () => live.current.onSelect?.(r.id))
  // A DOM node, never a string (Leaflet sets strings as innerHTML; titles come from other devices).
  pin.bindTooltip(
    () => {
      const span = document.createElement('span')
      span.textContent = `${live.current.t(`customers.rival.${r.rival}`)} · ${r.title} · ${dayOf(r.seenAt)}`
      return span
    },
    { direction: 'top', offset: [0, -6] },
  )
  return pin
}

const located = (r: IntelPin): r is IntelPin & { lon: number; lat: number } => r.lon !== null && r.lat !== null

export function IntelPins({ rows, selectedId, onSelect }: { rows?: IntelPin[]; selectedId?: string; onSelect?: (id: string) => void }) {
  const { t } = useTranslation()
  const live = useRef({ t, onSelect })
  live.current = { t, onSelect }
  return rows ? <RowPins rows={rows} selectedId={selectedId} live={live} /> : <ViewPins live={live} />
}

/** The intel page: its rows as pins, the selected one outlined. */
function RowPins({ rows, selectedId, live }: { rows: IntelPin[]; selectedId?: string; live: Parameters<typeof pinOf>[2] }) {
  const map = useMap()
  const pins = useMemo(() => rows.filter(located), [rows])
  const byId = useRef(new Map<string, LeafletCircleMarker>())
  const selected = useRef(selectedId)

  useEffect(() => {
    intelPane(map)
    const group = layerGroup()
    const layers = new Map<string, LeafletCircleMarker>()
    for (const r of pins) {
      const pin = pinOf(r, r.id === selected.current, live)
      layers.set(r.id, pin)
      group.addLayer(pin)
    }
    group.addTo(map)
    byId.current = layers
    return () => {
      group.remove()
      byId.current = new Map()
    }
  }, [map, pins, live])

  useEffect(() => {
    const before = selected.current
    selected.current = selectedId
    if (before === selectedId) return
    if (before) byId.current.get(before)?.setStyle(pinStyle(false))
    if (selectedId) byId.current.get(selectedId)?.setStyle(pinStyle(true))?.bringToFront()
  }, [selectedId, pins])
  return null
}

/** The map page: today's intel in the view, asked again after every move; only the latest answer is drawn. */
function ViewPins({ live }: { live: Parameters<typeof pinOf>[2] }) {
  const map = useMap()
  useEffect(() => {
    intelPane(map)
    const group = layerGroup().addTo(map)
    let asked = 0
    let shown = ''
    const draw = (view: MapIntelView) => {
      const key = view.items.map((item) => (item.kind === 'cluster' ? `c${item.key}:${item.count}` : item.id)).join(',')
      if (key === shown) return
      shown = key
      group.clearLayers()
      for (const item of view.items) {
        if (item.kind === 'pin') {
          group.addLayer(pinOf(item as IntelPin & { lon: number; lat: number }, false, live))
          continue
        }
        const size = item.count < 10 ? 20 : item.count < 100 ? 24 : 28
        const bubble = marker([item.lat, item.lon], {
          pane: 'intel',
          icon: divIcon({ className: 'intel-cluster', html: `<span>${item.count}</span>`, iconSize: [size, size] }),
          keyboard: false,
        })
        bubble.on('click', () => map.flyTo([item.lat, item.lon], Math.min(item.expansionZoom, 17), { duration: 0.4 }))
        group.addLayer(bubble)
      }
    }
    const ask = () => {
      const turn = ++asked
      const b = map.getBounds().pad(0.2)
      const bbox: [number, number, number, number] = [
        Math.max(-180, b.getWest()),
        Math.max(-90, b.getSouth()),
        Math.min(180, b.getEast()),
        Math.min(90, b.getNorth()),
      ]
      call('map.intel', { validOn: dayOf(new Date()), bbox, zoom: Math.min(22, Math.max(0, Math.round(map.getZoom()))) })
        .then((view) => {
          if (turn === asked) draw(view)
        })
        // The layer keeps what it shows; the next move asks again.
        .catch(() => undefined)
    }
    ask()
    map.on('moveend', ask)
    return () => {
      asked = -1
      map.off('moveend', ask)
      group.remove()
    }
  }, [map, live])
  return null
}
