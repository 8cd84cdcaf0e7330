// Everything the map page adds on top of the county map: the choropleth of grids or
// villages with its legend, popups with the few facts that matter, key customers clustered, the
// offline basemap (and the shift of data into its CRS), search, the remembered view, the grid
// layout warnings. MapPage renders `layers` inside CountyMap and `overlays` beside it.
import type { Map as LeafletMap } from 'leaflet'
import { GeoJSON as LeafletGeoJSON, popup as leafletPopup } from 'leaflet'
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { GeoJSON, Pane } from 'react-leaflet'
import { useTranslation } from 'react-i18next'
import type { Route } from '../../shell/route'
import { targetActionElements } from '../visits/TargetActions'
import type { TFunction } from 'i18next'
import type { MapOverview } from '../../../../shared/api/contract'
import type { CustomerDetail } from '../../../../shared/api/customers'
import type { MapMetric, MapUnit } from '../../../../shared/api/map'
import { AppError } from '../../../../shared/errors'
import { INCOMPLETE_BELOW } from '../../../../shared/profile'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { BasemapLayer, useBasemap } from '../../map/BasemapLayer'
import { CustomerClusters, type ClusterPoint } from '../../map/CustomerClusters'
import { geoJsonToDisplay, pointToDisplay } from '../../map/displayCrs'
import { MapHandle, ViewMemory } from '../../map/MapView'
import { useRecolourMeasure, VillageAreas } from '../../map/VillageAreas'
import '../../map/map.css'
import { useOnSynced } from '../sync/useOnSynced'
import { BasemapManager } from './BasemapManager'
import { colourUnits, NO_DATA_COLOUR, useMapSettings, VIEW_KEY } from './mapLayers'
import { GridWarnings, MapPanel, metricText, TOWNSHIP_STYLE } from './MapPanel'

/** Flies to a place; a map not laid out yet (no size: a flight would compute NaN) jumps there instead. */
function goTo(map: LeafletMap, at: [number, number], minZoom: number): void {
  const zoom = Math.max(map.getZoom(), minZoom)
  const size = map.invalidateSize(false).getSize()
  if (size.x > 0 && size.y > 0) map.flyTo(at, zoom, { duration: 0.6 })
  else map.setView(at, zoom, { animate: false })
}

interface Fact {
  label: string
  value: string
  warn?: boolean
}

function unitFacts(t: TFunction, unit: MapUnit, metric: MapMetric): Fact[] {
  const f = unit.facts
  const days = unit.metrics.daysSinceVisit
  return [
    { label: t(`mapView.metric.${metric}`), value: metricText(t, metric, unit.metrics[metric]) },
    { label: t('mapView.metric.households'), value: metricText(t, 'households', unit.metrics.households) },
    { label: t('mapView.metric.penetration'), value: unit.metrics.penetration === null ? '—' : `${unit.metrics.penetration.toFixed(1)}%` },
    { label: t('mapView.fact.keyCustomers'), value: String(f.keyCustomers) },
    { label: t('mapView.fact.aTierNotVisited30'), value: String(f.aTierNotVisited30), warn: f.aTierNotVisited30 > 0 },
    { label: t('mapView.fact.visitsLast30'), value: String(f.visitsLast30) },
    {
      label: t('mapView.fact.lastVisit'),
      value: days === null ? t('mapWords.neverVisited') : days === 0 ? t('mapWords.today') : t('mapView.fact.daysAgo', { count: days }),
      warn: days === null || days > 30,
    },
    // Grids coloured by completeness: how many of their villages lag behind.
    ...(metric === 'completeness' && f.incompleteVillages !== null
      ? [
          {
            label: t('mapView.fact.incompleteVillages', { pct: Math.round(INCOMPLETE_BELOW * 100) }),
            value: String(f.incompleteVillages),
            warn: f.incompleteVillages > 0,
          },
        ]
      : []),
  ].filter((fact, i) => i === 0 || fact.label !== t(`mapView.metric.${metric}`))
}

function customerFacts(t: TFunction, customer: CustomerDetail): Fact[] {
  const days = customer.lastVisitAt ? Math.max(0, Math.floor((Date.now() - Date.parse(customer.lastVisitAt)) / 86_400_000)) : null
  return [
    { label: t('mapView.customerPopup.tier'), value: customer.tier ? t('mapView.tier', { tier: customer.tier }) : '—' },
    { label: t('mapView.customerPopup.role'), value: [customer.role, customer.organisation].filter(Boolean).join(' · ') || '—' },
    { label: t('mapView.customerPopup.village'), value: customer.villageName ?? '—' },
    { label: t('mapView.customerPopup.stage'), value: t(`customers.stage.${customer.funnelStage}`) },
    {
      label: t('mapView.fact.lastVisit'),
      value: days === null ? t('mapWords.neverVisited') : days === 0 ? t('mapWords.today') : t('mapView.fact.daysAgo', { count: days }),
      warn: days === null || (customer.tier === 'A' && days > 30),
    },
  ]
}

/** Popup body as DOM (Leaflet popups of the village layer are built outside React). */
function popupElement(title: string, subtitle: string, facts: Fact[]): HTMLElement {
  const root = document.createElement('div')
  root.className = 'map-popup'
  const heading = document.createElement('strong')
  heading.textContent = title
  const sub = document.createElement('div')
  sub.style.color = '#666'
  sub.textContent = subtitle
  const list = document.createElement('dl')
  for (const fact of facts) {
    const dt = document.createElement('dt')
    dt.textContent = fact.label
    const dd = document.createElement('dd')
    dd.textContent = fact.value
    if (fact.warn) dd.className = 'warn'
    list.append(dt, dd)
  }
  root.append(heading, sub, list)
  return root
}

export function useMapLayers(
  overview: MapOverview | undefined,
  onSelectGrid: (gridId: string) => void,
  onNavigate?: (route: Route) => void,
  /** A target to fly to and open once the map is up (`customer:<id>` or `village:<id>`, from 在地图上显示). */
  select?: string,
) {
  const { t } = useTranslation()
  const [settings, update] = useMapSettings()
  const choropleth = useCall('map.choropleth', {})
  // The customers layer asks the core for its view's clusters itself; a sync makes it ask again.
  const [customersKey, setCustomersKey] = useState(0)
  const [customersDrawn, setCustomersDrawn] = useState(false)
  const [warningsOpen, setWarningsOpen] = useState(false)
  const check = useCall('grids.check', warningsOpen ? {} : null)
  const [managerOpen, setManagerOpen] = useState(false)
  const [map, setMap] = useState<LeafletMap | null>(null)
  const [searchNotice, setSearchNotice] = useState<string | null>(null)
  // After a sync the indicators and the customers may have changed.
  useOnSynced(() => {
    choropleth.reload()
    setCustomersKey((k) => k + 1)
  })

  const { basemap, crs, basemaps } = useBasemap(settings.basemapId)
  const displayOverview = useMemo(() => (overview ? geoJsonToDisplay(overview, crs) : undefined), [overview, crs])
  const colouring = useMemo(() => (choropleth.value ? colourUnits(choropleth.value, settings) : null), [choropleth.value, settings])
  const villageAreas = useMemo(
    () => (choropleth.value?.villages ?? []).flatMap((v) => (v.boundary ? [{ id: v.id, code: v.code, geometry: geoJsonToDisplay(v.boundary, crs) }] : [])),
    [choropleth.value, crs],
  )
  const units = useMemo(() => {
    const byId = new Map<string, MapUnit>()
    for (const u of choropleth.value?.villages ?? []) byId.set(u.id, u)
    for (const u of choropleth.value?.grids ?? []) byId.set(u.id, u)
    return byId
  }, [choropleth.value])
  const gridNames = useMemo(() => new Map((choropleth.value?.grids ?? []).map((g) => [g.id, g.name])), [choropleth.value])
  const customerLabel = useCallback((p: ClusterPoint) => `${p.name}${p.tier ? ` · ${t('mapView.tier', { tier: p.tier })}` : ''}`, [t])

  const villagePopup = useCallback(
    (id: string) => {
      const unit = units.get(id)
      if (!unit) return document.createElement('div')
      const body = popupElement(unit.name, `${unit.code}${unit.gridId ? ` · ${gridNames.get(unit.gridId) ?? ''}` : ''}`, unitFacts(t, unit, settings.metric))
      body.classList.add('village-popup')
      body.dataset.villageId = unit.id
      if (onNavigate)
        body.append(
          targetActionElements(t, { kind: 'village', id: unit.id, name: unit.name, gridId: unit.gridId ?? null }, ['log', 'plan', 'profile'], onNavigate),
        )
      return body
    },
    [units, gridNames, t, settings.metric, onNavigate],
  )
  const gridPopup = useCallback(
    (id: string): ReactNode => {
      const unit = units.get(id)
      if (!unit) return null
      return (
        <div className="map-popup" data-testid="grid-popup">
          <strong>{unit.name}</strong>
          <div style={{ color: '#666' }}>{unit.code}</div>
          <dl>
            {unitFacts(t, unit, settings.metric).map((fact) => [
              <dt key={`${fact.label}-t`}>{fact.label}</dt>,
              <dd key={`${fact.label}-d`} className={fact.warn ? 'warn' : undefined}>
                {fact.value}
              </dd>,
            ])}
          </dl>
          {onNavigate && (
            <div className="map-popup-actions">
              <button type="button" data-action="visits" onClick={() => onNavigate({ page: 'visits', gridId: id })}>
                {t('visits.title')}
              </button>
              <button type="button" data-action="profile" onClick={() => onNavigate({ page: 'grids', gridId: id })}>
                {t('field.actions.openProfile')}
              </button>
            </div>
          )}
        </div>
      )
    },
    [units, t, settings.metric, onNavigate],
  )

  // Search: villages and grids by name or code, key customers through the core; flying uses display coordinates.
  const searchOptions = useMemo(
    () => ({
      grids: (choropleth.value?.grids ?? []).map((g) => ({ value: `grid:${g.id}`, label: `${g.name} · ${g.code}` })),
      villages: (choropleth.value?.villages ?? []).map((v) => ({ value: `village:${v.id}`, label: `${v.name} · ${v.code}` })),
    }),
    [choropleth.value],
  )
  const flyToCustomer = useCallback(
    async (id: string) => {
      if (!map || !displayOverview) return
      const customer = await call('customers.get', { id })
      // Its own point, else its village's.
      const village = customer.villageId ? displayOverview.villages.features.find((f) => f.properties.id === customer.villageId) : undefined
      const at: [number, number] | null =
        customer.lon !== null && customer.lat !== null
          ? pointToDisplay(customer.lon, customer.lat, crs)
          : village
            ? [(village.geometry.coordinates as [number, number])[1], (village.geometry.coordinates as [number, number])[0]]
            : null
      if (!at) return setSearchNotice(t('mapView.customerNoPlace', { name: customer.name }))
      goTo(map, at, 15)
      const body = popupElement(
        customer.name,
        [t(`customers.category.${customer.category}`), customer.gridName].filter(Boolean).join(' · '),
        customerFacts(t, customer),
      )
      body.classList.add('customer-popup')
      body.dataset.customerId = customer.id
      if (onNavigate)
        body.append(
          targetActionElements(t, { kind: 'customer', id: customer.id, name: customer.name, gridId: customer.gridId }, ['log', 'plan', 'profile'], onNavigate),
        )
      // Opened at once, without panning: the popup rides along with the flight.
      leafletPopup({ autoPan: false, offset: [0, -4] })
        .setLatLng(at)
        .setContent(body)
        .openOn(map)
    },
    [map, displayOverview, crs, t, onNavigate],
  )
  const flyToVillage = useCallback(
    (id: string) => {
      if (!map || !displayOverview) return
      const point = displayOverview.villages.features.find((f) => f.properties.id === id)
      if (!point) return setSearchNotice(t('mapView.villageNoPlace', { name: units.get(id)?.name ?? '' }))
      const [lon, lat] = point.geometry.coordinates as [number, number]
      goTo(map, [lat, lon], 14)
      // Its facts and actions, as when its area is clicked; opened at once and carried by the flight.
      leafletPopup({ autoPan: false, offset: [0, -4], maxWidth: 280 })
        .setLatLng([lat, lon])
        .setContent(villagePopup(id))
        .openOn(map)
    },
    [map, displayOverview, villagePopup, units, t],
  )
  const onSearch = useCallback(
    (value: string) => {
      if (!map || !displayOverview) return
      setSearchNotice(null)
      const [kind, id] = value.split(':') as ['grid' | 'village' | 'customer', string]
      if (kind === 'customer') {
        flyToCustomer(id).catch((error: unknown) => setSearchNotice(t(`errors.${error instanceof AppError ? error.code : 'INTERNAL'}`)))
        return
      }
      if (kind === 'grid') {
        const feature = displayOverview.grids.features.find((f) => f.properties.id === id)
        if (feature) map.flyToBounds(new LeafletGeoJSON(feature as never).getBounds(), { padding: [24, 24], duration: 0.6 })
        onSelectGrid(id)
        return
      }
      flyToVillage(id)
    },
    [map, displayOverview, onSelectGrid, flyToCustomer, flyToVillage, t],
  )
  // 在地图上显示 from elsewhere: once per target, when the map, its data and the popups' facts are in.
  const shownSelect = useRef<string | undefined>(undefined)
  const unitsReady = !!choropleth.value
  useEffect(() => {
    if (!select || shownSelect.current === select || !map || !displayOverview || !unitsReady) return
    shownSelect.current = select
    const [kind, id] = select.split(':') as [string, string]
    if (kind === 'customer') flyToCustomer(id).catch((error: unknown) => setSearchNotice(t(`errors.${error instanceof AppError ? error.code : 'INTERNAL'}`)))
    else if (kind === 'village') flyToVillage(id)
  }, [select, map, displayOverview, unitsReady, flyToCustomer, flyToVillage, t])
  const locate = useCallback(
    (at: [number, number]) => {
      if (map) map.flyTo(pointToDisplay(at[0], at[1], crs), Math.max(map.getZoom(), 13), { duration: 0.6 })
    },
    [map, crs],
  )

  // Data and first drawing: a measure for the bench, from data in hand to the frame after.
  // Marked in render (once) so the measure covers React, the Leaflet layers and the next paint.
  // The customers' clusters come per view, once the map is up: the measure ends after they are drawn too.
  const dataReady = !!overview && !!choropleth.value
  const layersDrawn = dataReady && (!settings.customers || customersDrawn)
  const onCustomersDrawn = useCallback(() => setCustomersDrawn(true), [])
  const layersMarked = useRef(false)
  if (dataReady && !layersMarked.current) {
    layersMarked.current = true
    performance.mark('griddesk:layers-start')
  }
  useEffect(() => {
    if (!layersDrawn) return
    // Two frames: the second starts after the first one was painted.
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        if (performance.getEntriesByName('griddesk:layers').length === 0) performance.measure('griddesk:layers', 'griddesk:layers-start')
      })
    })
    return () => cancelAnimationFrame(frame)
  }, [layersDrawn])
  const fills = settings.layer === 'villages' ? colouring?.villageFills : colouring?.gridFills
  useRecolourMeasure(fills)

  const layers = (
    <>
      {basemap && <BasemapLayer basemap={basemap} />}
      {settings.townships && displayOverview && displayOverview.townships.features.length > 0 && (
        // Township outlines: thin dashed lines over the grid colours and under the grid outlines, not clickable.
        <Pane name="township-outlines" style={{ zIndex: 425, pointerEvents: 'none' }}>
          <GeoJSON
            key={`${crs}:${displayOverview.townships.features.length}`}
            data={displayOverview.townships as never}
            interactive={false}
            style={(feature) => ({ ...TOWNSHIP_STYLE, className: `township-outline township-${(feature?.properties as { code: string }).code}` })}
          />
        </Pane>
      )}
      {settings.layer === 'villages' && displayOverview && (
        // Village colours cover the grids: their outlines are drawn again on top, not clickable.
        <Pane name="grid-outlines" style={{ zIndex: 430, pointerEvents: 'none' }}>
          <GeoJSON key={crs} data={displayOverview.grids as never} interactive={false} style={{ color: '#263238', weight: 2.2, fill: false, opacity: 0.85 }} />
        </Pane>
      )}
      {settings.layer === 'villages' && colouring && (
        <VillageAreas areas={villageAreas} fills={colouring.villageFills} fallback={NO_DATA_COLOUR} popup={villagePopup} />
      )}
      {settings.customers && <CustomerClusters crs={crs} label={customerLabel} reloadKey={customersKey} onDrawn={onCustomersDrawn} />}
      <ViewMemory storageKey={VIEW_KEY} />
      <MapHandle onMap={setMap} />
    </>
  )

  const overlays = (
    <>
      <MapPanel
        settings={settings}
        onChange={update}
        colouring={colouring}
        searchOptions={searchOptions}
        onSearch={onSearch}
        searchNotice={searchNotice}
        basemaps={basemaps.value ?? []}
        onManageBasemaps={() => setManagerOpen(true)}
        warningsOpen={warningsOpen}
        onToggleWarnings={() => setWarningsOpen((o) => !o)}
        townships={overview?.townships.features.length ?? 0}
      />
      {warningsOpen && (
        <GridWarnings
          check={check.value}
          loading={check.loading}
          error={check.error}
          onRetry={check.reload}
          onLocate={locate}
          onClose={() => setWarningsOpen(false)}
        />
      )}
      {basemap?.attribution && (
        <div
          className="map-attribution"
          data-testid="basemap-attribution"
          style={{
            position: 'absolute',
            right: 0,
            bottom: 0,
            zIndex: 1000,
            background: 'rgba(255,255,255,0.8)',
            padding: '1px 6px',
            fontSize: 11,
            color: '#333',
          }}
        >
          {basemap.attribution}
          {basemap.crs !== 'WGS-84' && ` · ${t('mapView.shiftedShort', { crs: basemap.crs })}`}
        </div>
      )}
      <BasemapManager
        opened={managerOpen}
        onClose={() => setManagerOpen(false)}
        basemaps={basemaps.value ?? []}
        onChanged={basemaps.reload}
        onUse={(id) => update({ basemapId: id })}
      />
    </>
  )

  return {
    overview: displayOverview,
    gridFills: colouring?.gridFills,
    gridPopup,
    layers,
    overlays,
    error: choropleth.error,
    reload: choropleth.reload,
    settingsKey: `${settings.layer}:${settings.metric}`,
  }
}
