// Competitor intel as pins inside a CountyMap (intel page, map page): one circle per record with a
// location, coloured by rival and sized by threat; the tooltip says who, what and when.
import { dayOf } from '../../../../shared/dates'
import { CircleMarker, Pane, Tooltip } from 'react-leaflet'
import { useTranslation } from 'react-i18next'
import type { IntelPin } from '../../../../shared/api/intel'
import { useCall } from '../../api/useCall'
import { RIVAL_COLOURS } from '../../map/symbols'

export function IntelPins({ rows, selectedId, onSelect }: { rows?: IntelPin[]; selectedId?: string; onSelect?: (id: string) => void }) {
  const { t } = useTranslation()
  // Without rows given (the map page), the intel valid today, as pins (a few fields each, not whole records).
  const own = useCall('intel.pins', rows ? null : { validOn: dayOf(new Date()), limit: 2000 })
  const pins = (rows ?? own.value ?? []).filter((r) => r.lon !== null && r.lat !== null)
  return (
    <Pane name="intel" style={{ zIndex: 460 }}>
      {pins.map((r) => (
        <CircleMarker
          key={r.id}
          center={[r.lat!, r.lon!]}
          radius={4 + (r.threatLevel ?? 1) * 1.2}
          className={`intel-pin intel-${r.id}`}
          pathOptions={{
            color: r.id === selectedId ? '#000' : '#fff',
            weight: r.id === selectedId ? 2.5 : 2,
            fillColor: RIVAL_COLOURS[r.rival],
            fillOpacity: 0.9,
          }}
          eventHandlers={{ click: () => onSelect?.(r.id) }}
        >
          <Tooltip direction="top" offset={[0, -6]}>
            {t(`customers.rival.${r.rival}`)} · {r.title} · {dayOf(r.seenAt)}
          </Tooltip>
        </CircleMarker>
      ))}
    </Pane>
  )
}
