// A grid's villages: tick the ones that belong to it (filter by township), apply, and the grid's
// outline is rebuilt from them (org.assignVillages / org.unassignVillages); a small map shows it.
import { Badge, Box, Button, Checkbox, Group, Loader, ScrollArea, Select, Stack, Text, Title } from '@mantine/core'
import { useEffect, useMemo, useState } from 'react'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedChanges } from '../../shell/unsaved'
import { useMap } from 'react-leaflet'
import { useTranslation } from 'react-i18next'
import type { MapOverview } from '../../../../shared/api/contract'
import type { OrgTreeNode } from '../../../../shared/api/org'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { CountyMap } from '../../map/CountyMap'
import { featuresBounds } from '../../map/geometry'
import { ErrorAlert } from '../../shell/errors'
import { orgFieldErrors } from './orgErrors'

export function VillageAssignment({ grid, onApplied }: { grid: OrgTreeNode; onApplied: () => void }) {
  const { t } = useTranslation()
  const villages = useCall('villages.list', { limit: 5000, sort: 'name' })
  const overview = useCall('map.overview', {})
  const rows = useMemo(() => villages.value?.rows ?? [], [villages.value])
  const inGrid = useMemo(() => new Set(rows.filter((r) => r.gridId === grid.id).map((r) => r.id)), [rows, grid.id])
  const [checked, setChecked] = useState<Set<string>>(new Set())
  useEffect(() => setChecked(new Set(inGrid)), [inGrid])
  const [township, setTownship] = useState<string | null>(null)
  const townships = useMemo(() => [...new Set(rows.map((r) => r.townshipName).filter((n): n is string => !!n))].sort(), [rows])
  // Start with the township most of the grid's villages are in.
  useEffect(() => {
    if (township !== null || inGrid.size === 0) return
    const counts = new Map<string, number>()
    for (const r of rows) if (inGrid.has(r.id) && r.townshipName) counts.set(r.townshipName, (counts.get(r.townshipName) ?? 0) + 1)
    const top = [...counts].sort((a, b) => b[1] - a[1])[0]
    if (top) setTownship(top[0])
  }, [inGrid, rows, township])
  const shown = rows.filter((r) => !township || r.townshipName === township)
  const add = [...checked].filter((id) => !inGrid.has(id))
  const remove = [...inGrid].filter((id) => !checked.has(id))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const [done, setDone] = useState<number | undefined>()
  const issues = orgFieldErrors(t, error)
  // Ticks not applied yet: another page or another unit asks first.
  useUnsavedChanges('village-assignment', !busy && (add.length > 0 || remove.length > 0))

  const apply = async () => {
    setBusy(true)
    setError(undefined)
    setDone(undefined)
    try {
      let moved = 0
      if (add.length) moved += (await call('org.assignVillages', { gridId: grid.id, villageIds: add })).moved
      if (remove.length) moved += (await call('org.unassignVillages', { gridId: grid.id, villageIds: remove })).moved
      setDone(moved)
      toastSaved(t('field.undo.saved'))
      villages.reload()
      overview.reload()
      onApplied()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Box style={{ display: 'flex', gap: 'var(--mantine-spacing-md)', flex: 1, minHeight: 0 }} data-testid="village-assignment">
      <Stack gap="xs" w={340} style={{ flexShrink: 0, minHeight: 0 }}>
        <Title order={4} size="h5">
          {t('org.assignTitle')}
        </Title>
        <Text size="xs" c="dimmed">
          {t('org.assignHint')}
        </Text>
        <Select
          size="xs"
          label={t('org.township')}
          placeholder={t('org.allTownships')}
          data={townships}
          value={township}
          onChange={setTownship}
          clearable
          data-testid="assign-township"
        />
        <ScrollArea type="auto" style={{ flex: 1, minHeight: 0 }} data-testid="assign-list">
          {villages.loading && !villages.value && <Loader size="sm" />}
          <Stack gap={4} pr="xs">
            {shown.map((v) => (
              <Checkbox
                key={v.id}
                size="xs"
                data-village={v.name}
                checked={checked.has(v.id)}
                onChange={(e) => {
                  const on = e.currentTarget.checked
                  setChecked((s) => {
                    const next = new Set(s)
                    if (on) next.add(v.id)
                    else next.delete(v.id)
                    return next
                  })
                }}
                label={
                  <Group gap={6} wrap="nowrap">
                    <span>{v.name}</span>
                    {v.gridId !== grid.id && (
                      <Text span size="xs" c="dimmed">
                        {v.gridName ? t('org.otherGrid', { grid: v.gridName }) : t('org.unassigned')}
                      </Text>
                    )}
                  </Group>
                }
              />
            ))}
          </Stack>
        </ScrollArea>
        {error !== undefined &&
          (Object.keys(issues).length ? (
            <Text c="red" size="sm">
              {Object.values(issues)[0]}
            </Text>
          ) : (
            <ErrorAlert error={error} onClose={() => setError(undefined)} />
          ))}
        {done !== undefined && (
          <Text size="sm" c="teal" data-testid="assign-done">
            {t('org.applied', { count: done })}
          </Text>
        )}
        <Button onClick={() => void apply()} loading={busy} disabled={add.length + remove.length === 0} data-testid="assign-apply">
          {t('org.apply', { add: add.length, remove: remove.length })}
        </Button>
      </Stack>
      <Stack gap={4} style={{ flex: 1, minWidth: 0, minHeight: 0 }}>
        <Group gap="xs">
          <Text size="sm" fw={500}>
            {t('org.preview')}
          </Text>
          {grid.geometrySource === 'derived:villages' && (
            <Badge size="xs" variant="light" color="teal">
              {t('org.derived')}
            </Badge>
          )}
        </Group>
        <Box style={{ flex: 1, minHeight: 240, borderRadius: 4, overflow: 'hidden' }} data-testid="org-map">
          {overview.value && (
            <CountyMap overview={overview.value} selectedGridId={grid.id} onSelectGrid={() => undefined}>
              <FitGrid overview={overview.value} gridId={grid.id} />
            </CountyMap>
          )}
        </Box>
      </Stack>
    </Box>
  )
}

/** Zooms the preview to the grid and its surroundings (once per grid, not on every redraw). */
export function FitGrid({ overview, gridId }: { overview: MapOverview; gridId: string }) {
  const map = useMap()
  const [fitted, setFitted] = useState<string>()
  useEffect(() => {
    if (fitted === gridId) return
    const feature = overview.grids.features.find((f) => f.properties.id === gridId)
    const bounds = feature ? featuresBounds([feature]) : null
    if (bounds) {
      map.fitBounds(bounds.pad(0.6), { animate: false })
      setFitted(gridId)
    }
  }, [map, overview, gridId, fitted])
  return null
}
