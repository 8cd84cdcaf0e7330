// Draw or edit a grid's boundary on the map: move, add and delete vertices of the stored
// polygon, or draw a new one, with edges snapping to the neighbours. Every change is checked
// (grids.setBoundary dryRun) for overlaps, gaps and villages left in no grid or in two; Save
// stores it through the outbox, Cancel leaves everything as it was. Geoman loads only here. The
// map page's basemap lies under it, the boundaries shifted into its CRS as there; edits are WGS-84.
import { Alert, Box, Button, Group, Loader, Paper, ScrollArea, Stack, Text, Title, UnstyledButton } from '@mantine/core'
import type { TFunction } from 'i18next'
import type { Map as LeafletMap, Polygon as LeafletPolygon } from 'leaflet'
import { GeoJSON as LeafletGeoJSON } from 'leaflet'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedGuard } from '../../shell/unsaved'
import { useTranslation } from 'react-i18next'
import { CircleMarker, Polygon, Tooltip, useMap } from 'react-leaflet'
import type { MapOverview } from '../../../../shared/api/contract'
import type { BoundaryGeometry, GridBoundaryResult } from '../../../../shared/api/grids'
import type { GridCheckIssue } from '../../../../shared/api/map'
import { AppError } from '../../../../shared/errors'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import type { BasemapCrs } from '../../../../shared/api/map'
import { BasemapLayer, savedBasemapId, useBasemap } from '../../map/BasemapLayer'
import { CountyMap } from '../../map/CountyMap'
import { geoJsonToDisplay, geometryFromDisplay, pointToDisplay } from '../../map/displayCrs'
import { enableGeoman, loadGeoman } from '../../map/geoman'
import { polygonPositions } from '../../map/geometry'
import { MapHandle } from '../../map/MapView'
import { ErrorAlert, errorMessage } from '../../shell/errors'
import { FitGrid } from './VillageAssignment'

type Mode = 'view' | 'edit' | 'draw'
type Notice = 'saved' | 'unchanged' | 'cancelled'

const EDIT_STYLE = { color: '#e8590c', weight: 3, fillColor: '#fd7e14', fillOpacity: 0.25, className: 'boundary-editing' }
const EDIT_OPTIONS = { snappable: true, snapDistance: 14, allowSelfIntersection: true, removeVertexOn: 'contextmenu' as const }

export interface BoundaryEditorProps {
  gridId: string
  onClose: () => void
}

export function BoundaryEditor({ gridId, onClose }: BoundaryEditorProps) {
  const { t } = useTranslation()
  const overview = useCall('map.overview', {})
  const feature = overview.value?.grids.features.find((f) => f.properties.id === gridId)
  const stored = (feature?.geometry as BoundaryGeometry | undefined) ?? null
  const summary = useCall('grids.summary', { id: gridId })
  // The map page's basemap under the grids; boundaries are drawn shifted into its CRS and edits come back in WGS-84.
  const [basemapId] = useState(savedBasemapId)
  const { basemap, crs } = useBasemap(basemapId)
  const grid = summary.value
  const [mode, setMode] = useState<Mode>('view')
  const [started, setStarted] = useState(false)
  const [editorReady, setEditorReady] = useState(false)
  const [draft, setDraft] = useState<BoundaryGeometry | null>(null)
  const [check, setCheck] = useState<{ result?: GridBoundaryResult; error?: unknown; geometry: BoundaryGeometry } | null>(null)
  const [saved, setSaved] = useState<{ notice: Notice; result?: GridBoundaryResult } | null>(null)
  const [saveError, setSaveError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [map, setMap] = useState<LeafletMap | null>(null)
  // Bumped by every start, so "draw anew" while drawing starts a fresh drawing.
  const [attempt, setAttempt] = useState(0)
  // A drawn or moved outline not saved yet: back, another page and the window's close ask.
  const { dialog, guard } = useUnsavedGuard('boundary-editor', mode !== 'view' && draft !== null)

  // Editing starts at once: vertices when the grid has a boundary, drawing when it has none.
  useEffect(() => {
    if (started || !overview.value) return
    setStarted(true)
    setMode(stored ? 'edit' : 'draw')
  }, [started, overview.value, stored])

  const start = (next: Mode) => {
    setSaved(null)
    setSaveError(undefined)
    setDraft(null)
    setCheck(null)
    setEditorReady(false)
    setAttempt((n) => n + 1)
    setMode(next)
  }

  // Dry-run check of what is on the map (stored boundary included), the last answer wins.
  const checked = draft ?? (mode === 'edit' ? stored : null)
  const sequence = useRef(0)
  useEffect(() => {
    if (mode === 'view' || !checked) return
    const mine = ++sequence.current
    const timer = setTimeout(() => {
      call('grids.setBoundary', { gridId, geometry: checked, dryRun: true }).then(
        (result) => mine === sequence.current && setCheck({ result, geometry: checked }),
        (error: unknown) => mine === sequence.current && setCheck({ error, geometry: checked }),
      )
    }, 250)
    return () => clearTimeout(timer)
  }, [mode, checked, gridId])

  const save = async () => {
    if (!draft) return
    setBusy(true)
    setSaveError(undefined)
    try {
      const result = await call('grids.setBoundary', { gridId, geometry: draft })
      setSaved({ notice: result.saved ? 'saved' : 'unchanged', result })
      if (result.saved) toastSaved(t('boundary.saved'))
      setMode('view')
      setDraft(null)
      setCheck(null)
      overview.reload()
      summary.reload()
    } catch (error) {
      setSaveError(error)
    } finally {
      setBusy(false)
    }
  }

  const cancel = () => {
    setMode('view')
    setDraft(null)
    setCheck(null)
    setSaveError(undefined)
    setSaved({ notice: 'cancelled' })
  }

  // While editing, the grid is drawn by the editor, not by the county map.
  const displayed = useMemo(() => (overview.value ? geoJsonToDisplay(overview.value, crs) : undefined), [overview.value, crs])
  const shown = useMemo<MapOverview | undefined>(
    () =>
      displayed && mode !== 'view'
        ? { ...displayed, grids: { ...displayed.grids, features: displayed.grids.features.filter((f) => f.properties.id !== gridId) } }
        : displayed,
    [displayed, mode, gridId],
  )
  const ghost = useMemo(() => {
    const shownFeature = displayed?.grids.features.find((f) => f.properties.id === gridId)
    return mode === 'draw' && shownFeature ? polygonPositions(shownFeature) : null
  }, [mode, displayed, gridId])
  const current = check && check.geometry === checked ? check : null
  const warnings = mode === 'view' ? (saved?.result?.warnings ?? []) : (current?.result?.warnings ?? [])
  const areaM2 = mode === 'view' ? (saved?.result?.areaM2 ?? null) : (current?.result?.areaM2 ?? null)
  const invalid = current?.error !== undefined
  const name = grid?.id === gridId ? grid.name : (feature?.properties.name ?? '')
  const flyTo = useCallback((at: [number, number]) => map?.flyTo(pointToDisplay(at[0], at[1], crs), Math.max(map.getZoom(), 13), { duration: 0.5 }), [map, crs])

  return (
    <Stack h="100%" gap="sm" style={{ minHeight: 0 }} data-testid="boundary-editor" data-mode={mode} data-editor-ready={editorReady ? 'true' : 'false'}>
      <Group justify="space-between" wrap="nowrap">
        <Group gap="sm" align="baseline" wrap="nowrap" style={{ minWidth: 0 }}>
          <Title order={2} size="h3" style={{ whiteSpace: 'nowrap' }}>
            {t('boundary.title', { name })}
          </Title>
          <Text size="sm" c="dimmed" ff="monospace">
            {feature?.properties.code ?? grid?.code ?? ''}
          </Text>
          {grid?.geometrySource && mode === 'view' && (
            <Text size="sm" c="dimmed">
              · {t(`boundary.source.${sourceKey(grid.geometrySource)}`)}
            </Text>
          )}
        </Group>
        {dialog}
        <Button variant="default" size="xs" onClick={() => guard(onClose)} data-testid="boundary-back">
          {t('boundary.back')}
        </Button>
      </Group>
      <Box style={{ flex: 1, display: 'flex', gap: 'var(--mantine-spacing-md)', minHeight: 0 }}>
        <Box
          data-testid="boundary-map"
          style={{ flex: 1, minWidth: 0, borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden', border: '1px solid var(--mantine-color-gray-3)' }}
        >
          {overview.error !== undefined && <ErrorAlert error={overview.error} onRetry={overview.reload} />}
          {shown && (
            <CountyMap overview={shown} selectedGridId={mode === 'view' ? gridId : undefined} onSelectGrid={() => undefined}>
              {basemap && <BasemapLayer basemap={basemap} />}
              {displayed && <FitGrid overview={displayed} gridId={gridId} />}
              <MapHandle onMap={setMap} />
              {ghost && <Polygon positions={ghost} interactive={false} pathOptions={{ color: '#495057', weight: 2, dashArray: '5 5', fill: false }} />}
              {mode !== 'view' && (
                <EditableBoundary
                  key={`${mode}-${gridId}-${attempt}-${crs}`}
                  mode={mode}
                  geometry={mode === 'edit' ? stored : null}
                  crs={crs}
                  onChange={setDraft}
                  onReady={() => setEditorReady(true)}
                />
              )}
              {warnings.map((w, i) => (
                <CircleMarker
                  key={i}
                  center={pointToDisplay(w.at[0], w.at[1], crs)}
                  radius={7}
                  className="boundary-warning-marker"
                  pathOptions={{ color: '#c92a2a', weight: 2, fillColor: '#ff8787', fillOpacity: 0.9 }}
                >
                  <Tooltip direction="top" offset={[0, -6]}>
                    {warningText(t, w, gridId)}
                  </Tooltip>
                </CircleMarker>
              ))}
            </CountyMap>
          )}
        </Box>
        <Paper
          withBorder
          radius="md"
          p="md"
          w={340}
          style={{ flexShrink: 0, display: 'flex', flexDirection: 'column', gap: 'var(--mantine-spacing-sm)', minHeight: 0 }}
          data-testid="boundary-panel"
        >
          {mode === 'view' ? (
            <Group gap="xs" grow>
              <Button variant="light" onClick={() => start('edit')} disabled={!stored} data-testid="boundary-mode-edit">
                {t('boundary.modeEdit')}
              </Button>
              <Button variant="light" onClick={() => start('draw')} data-testid="boundary-mode-draw">
                {t('boundary.modeDraw')}
              </Button>
            </Group>
          ) : (
            <>
              <Text size="sm" c="dimmed" data-testid="boundary-hint">
                {!editorReady
                  ? t('boundary.loadingEditor')
                  : mode === 'edit'
                    ? t('boundary.hintEdit')
                    : draft
                      ? t('boundary.hintDrawn')
                      : stored
                        ? t('boundary.hintDraw')
                        : t('boundary.noBoundary')}
              </Text>
              <Group gap="xs" grow>
                <Button onClick={() => void save()} loading={busy} disabled={!draft || invalid || !current} data-testid="boundary-save">
                  {t('boundary.save')}
                </Button>
                <Button variant="default" onClick={cancel} data-testid="boundary-cancel">
                  {t('boundary.cancel')}
                </Button>
              </Group>
              {mode === 'edit' && (
                <Button variant="subtle" size="xs" onClick={() => start('draw')} data-testid="boundary-switch-draw">
                  {t('boundary.modeDraw')}
                </Button>
              )}
            </>
          )}
          {saved && (
            <Alert color={saved.notice === 'saved' ? 'teal' : 'gray'} variant="light" p="xs" data-testid="boundary-notice" data-notice={saved.notice}>
              {t(`boundary.${saved.notice}`)}
            </Alert>
          )}
          {saveError !== undefined && (
            <Alert color="red" variant="light" p="xs" role="alert">
              {boundaryError(t, saveError)}
            </Alert>
          )}
          {areaM2 !== null && (
            <Text size="sm" data-testid="boundary-area">
              {t('boundary.area', { km2: km2(areaM2) })}
            </Text>
          )}
          {(mode !== 'view' ? current?.result?.repair : saved?.result?.repair) && (
            <Alert color="yellow" variant="light" p="xs" data-testid="boundary-repaired">
              {repairText(t, (mode !== 'view' ? current?.result?.repair : saved?.result?.repair)!)}
            </Alert>
          )}
          {mode !== 'view' && current?.error !== undefined && (
            <Alert color="red" variant="light" p="xs" role="alert" data-testid="boundary-invalid">
              {boundaryError(t, current.error)}
            </Alert>
          )}
          {mode !== 'view' && checked && !current && (
            <Group gap="xs">
              <Loader size="xs" />
              <Text size="sm" c="dimmed">
                {t('boundary.checking')}
              </Text>
            </Group>
          )}
          {(mode === 'view' ? saved?.result : current?.result) && (
            <WarningList warnings={warnings} gridId={gridId} title={mode === 'view' ? 'savedWarningsTitle' : 'warningsTitle'} onPick={flyTo} />
          )}
          {/* Boundaries are organisation data: HQ refuses them from an enrolled device, as other org edits. */}
          <Text size="xs" c="yellow.9" mt="auto" data-testid="boundary-hq-note">
            {t('org.hqNote')}
          </Text>
        </Paper>
      </Box>
    </Stack>
  )
}

function WarningList({
  warnings,
  gridId,
  title,
  onPick,
}: {
  warnings: GridCheckIssue[]
  gridId: string
  title: 'warningsTitle' | 'savedWarningsTitle'
  onPick: (at: [number, number]) => void
}) {
  const { t } = useTranslation()
  if (warnings.length === 0)
    return (
      <Text size="sm" c="teal" data-testid="boundary-no-warnings">
        {t('boundary.noWarnings')}
      </Text>
    )
  return (
    <Stack gap={4} style={{ minHeight: 0, flex: 1 }}>
      <Text size="sm" fw={600} c="red.8">
        {t(`boundary.${title}`, { count: warnings.length })}
      </Text>
      <Text size="xs" c="dimmed">
        {t('boundary.warningsHint')}
      </Text>
      <ScrollArea type="auto" style={{ flex: 1, minHeight: 0 }}>
        <Stack gap={2} data-testid="boundary-warnings">
          {warnings.map((w, i) => (
            <UnstyledButton
              key={i}
              onClick={() => onPick(w.at)}
              data-kind={w.kind}
              px={6}
              py={4}
              style={{ borderRadius: 4, borderLeft: '3px solid var(--mantine-color-red-6)', background: 'var(--mantine-color-red-0)' }}
            >
              <Text size="sm">{warningText(t, w, gridId)}</Text>
            </UnstyledButton>
          ))}
        </Stack>
      </ScrollArea>
    </Stack>
  )
}

/** The editable polygon (Geoman, loaded on mount): the stored boundary's vertices, or a new drawing. */
function EditableBoundary({
  mode,
  geometry,
  crs,
  onChange,
  onReady,
}: {
  mode: 'edit' | 'draw'
  /** The stored boundary, in WGS-84. */
  geometry: BoundaryGeometry | null
  /** The CRS the map is drawn in (the basemap's): the polygon is shown in it, edits come back in WGS-84. */
  crs: BasemapCrs
  onChange: (g: BoundaryGeometry) => void
  onReady: () => void
}) {
  const map = useMap()
  const { i18n } = useTranslation()
  // Callbacks by ref: the layer is made once per mount, not on every render of the parent.
  const handlers = useRef({ onChange, onReady })
  handlers.current = { onChange, onReady }
  const initial = useRef(geometry)
  const displayCrs = useRef(crs)
  const language = useRef(i18n.language)
  language.current = i18n.language

  useEffect(() => {
    let cancelled = false
    let layer: LeafletPolygon | undefined
    const emit = () =>
      layer && handlers.current.onChange(geometryFromDisplay(layer.toGeoJSON(6).geometry as BoundaryGeometry, displayCrs.current, initial.current))
    const editable = (l: LeafletPolygon) => {
      layer = l
      l.pm.enable(EDIT_OPTIONS)
      l.on('pm:edit', emit)
    }
    void loadGeoman().then((L) => {
      if (cancelled) return
      enableGeoman(L, map, language.current)
      // Edges snap to the neighbouring grids and the county outline (the map's other polygons).
      map.eachLayer((l) => {
        if (l instanceof L.Polygon) l.options.snapIgnore = false
      })
      const stored = initial.current && geoJsonToDisplay(initial.current, displayCrs.current)
      if (mode === 'edit' && stored) {
        const nesting = stored.type === 'Polygon' ? 1 : 2
        editable(L.polygon(LeafletGeoJSON.coordsToLatLngs(stored.coordinates as never, nesting) as never, { ...EDIT_STYLE, pmIgnore: false }).addTo(map))
      } else {
        map.once('pm:create', (event) => {
          if (cancelled) return event.layer.remove()
          editable(event.layer as LeafletPolygon)
          emit()
        })
        map.pm.enableDraw('Polygon', {
          ...EDIT_OPTIONS,
          pathOptions: { ...EDIT_STYLE, pmIgnore: false },
          templineStyle: { color: '#e8590c' },
          hintlineStyle: { color: '#e8590c', dashArray: '5 5' },
        })
      }
      handlers.current.onReady()
    })
    return () => {
      cancelled = true
      if (map.pm) map.pm.disableDraw()
      layer?.pm.disable()
      layer?.off('pm:edit', emit)
      layer?.remove()
    }
  }, [map, mode])
  useEffect(() => {
    if (map.pm) map.pm.setLang(i18n.language.startsWith('zh') ? 'zh' : 'en')
  }, [map, i18n.language])
  return null
}

const sourceKey = (source: string) =>
  source === 'drawn' ? 'drawn' : source === 'derived:villages' ? 'derived' : source === 'generated' ? 'generated' : 'imported'

const km2 = (m2: number) => (m2 / 1e6).toFixed(m2 < 100_000 ? 3 : 2)

export function warningText(t: TFunction, w: GridCheckIssue, gridId: string): string {
  const others = w.grids.filter((g) => g.id !== gridId).map((g) => g.name)
  const area = t('boundary.km2', { value: km2(w.areaM2 ?? 0) })
  const village = w.village?.name ?? ''
  switch (w.kind) {
    case 'overlap':
      return t('boundary.warning.overlap', { grids: others.join(t('boundary.sep')), area })
    case 'gap':
      return others.length ? t('boundary.warning.gap', { grids: others.join(t('boundary.sep')), area }) : t('boundary.warning.gapAlone', { area })
    case 'village_outside':
      return t('boundary.warning.village_outside', { village })
    case 'village_multiple':
      return t('boundary.warning.village_multiple', { village, grids: w.grids.map((g) => g.name).join(t('boundary.sep')) })
    case 'village_other_grid':
      return t('boundary.warning.village_other_grid', { village, assigned: w.grids[0]?.name ?? '', inside: w.grids[1]?.name ?? '' })
  }
}

function repairText(t: TFunction, repair: NonNullable<GridBoundaryResult['repair']>): string {
  const parts = [
    ...(repair.droppedM2 > 0 ? [t('boundary.repairDropped', { m2: repair.droppedM2 })] : []),
    ...(repair.duplicatePoints > 0 ? [t('boundary.repairDuplicates', { count: repair.duplicatePoints })] : []),
  ]
  return `${t('boundary.repaired')}${parts.join(t('boundary.sep'))}`
}

/** A rejected boundary in words: our issue codes through `boundary.error.*`, zod's own as written. */
export function boundaryError(t: TFunction, error: unknown): string {
  if (!(error instanceof AppError) || error.code !== 'VALIDATION' || !error.issues?.length) return errorMessage(t, error)
  const { lon, lat } = (error.details ?? {}) as { lon?: number; lat?: number }
  return error.issues
    .map((issue) => {
      if (issue.message === 'self_intersection')
        return lon !== undefined && lat !== undefined
          ? t('boundary.error.self_intersection', { lon: lon.toFixed(5), lat: lat.toFixed(5) })
          : t('boundary.error.self_intersection_plain')
      return t([`boundary.error.${issue.message}`, '__none__'], { defaultValue: issue.message })
    })
    .filter((line, i, all) => all.indexOf(line) === i)
    .join(' ')
}
