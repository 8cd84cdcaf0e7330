// Competitor intel as pins inside a CountyMap (intel page, map page): one circle per record with a
// location, coloured by rival and sized by threat; the tooltip says who, what and when. The pins
// are plain Leaflet circles in one layer, not a React component each: the map page draws up to
// 2,000 of them on its first screen, and their tooltips are written only when one is shown.
import { circleMarker, layerGroup, type CircleMarker as LeafletCircleMarker } from 'leaflet'
import { useEffect, useMemo, useRef } from 'react'
import { useMap } from 'react-leaflet'
import { useTranslation } from 'react-i18next'
import { dayOf } from '../../../../shared/dates'
import type { IntelPin } from '../../../../shared/api/intel'
import { useCall } from '../../api/useCall'
import { RIVAL_COLOURS } from '../../map/symbols'

const EMPTY: IntelPin[] = []

function pinStyle(selected: boolean) {
  return { color: selected ? '#000' : '#fff', weight: selected ? 2.5 : 2 }
}

export function IntelPins({ rows, selectedId, onSelect }: { rows?: IntelPin[]; selectedId?: string; onSelect?: (id: string) => void }) {
  const { t } = useTranslation()
  const map = useMap()
  // Without rows given (the map page), the intel valid today, as pins (a few fields each, not whole records).
  const own = useCall('intel.pins', rows ? null : { validOn: dayOf(new Date()), limit: 2000 })
  const source = rows ?? own.value ?? EMPTY
  const pins = useMemo(() => source.filter((r) => r.lon !== null && r.lat !== null), [source])
  const byId = useRef(new Map<string, LeafletCircleMarker>())
  // The latest of these for the handlers bound once per pin.
  const current = useRef({ t, onSelect })
  current.current = { t, onSelect }
  const selected = useRef(selectedId)

  useEffect(() => {
    if (!map.getPane('intel')) map.createPane('intel').style.zIndex = '460'
    const group = layerGroup()
    const layers = new Map<string, LeafletCircleMarker>()
    for (const r of pins) {
      const pin = circleMarker([r.lat!, r.lon!], {
        pane: 'intel',
        radius: 4 + (r.threatLevel ?? 1) * 1.2,
        className: `intel-pin intel-${r.id}`,
        ...pinStyle(r.id === selected.current),
        fillColor: RIVAL_COLOURS[r.rival],
        fillOpacity: 0.9,
      })
      pin.on('click', () => current.current.onSelect?.(r.id))
      // A DOM node, never a string (Leaflet sets strings as innerHTML; titles come from other devices).
      pin.bindTooltip(
        () => {
          const span = document.createElement('span')
          span.textContent = `${current.current.t(`customers.rival.${r.rival}`)} · ${r.title} · ${dayOf(r.seenAt)}`
          return span
        },
        { direction: 'top', offset: [0, -6] },
      )
      layers.set(r.id, pin)
      group.addLayer(pin)
    }
    group.addTo(map)
    byId.current = layers
    return () => {
      group.remove()
      byId.current = new Map()
    }
  }, [map, pins])

  useEffect(() => {
    const before = selected.current
    selected.current = selectedId
    if (before === selectedId) return
    if (before) byId.current.get(before)?.setStyle(pinStyle(false))
    if (selectedId) byId.current.get(selectedId)?.setStyle(pinStyle(true))?.bringToFront()
  }, [selectedId, pins])
  return null
}
