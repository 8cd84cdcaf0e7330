// The visits page: pick a grid, then plan the day (route on the map), log a visit (autosaved
// draft), see who to see next and the funnel. Going from a route stop or a next-up row to the
// log fills in the target.
import { Box, Group, Select, Tabs, Title } from '@mantine/core'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { VisitTargetKind } from '../../../../shared/api/visits'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { DayPlanPanel } from './DayPlanPanel'
import { FunnelPanel } from './FunnelPanel'
import { NextUpPanel } from './NextUpPanel'
import { VisitDetailDrawer } from './VisitDetailDrawer'
import { VisitLogPanel } from './VisitLogPanel'
import type { Route } from '../../shell/route'

export type VisitsTab = 'plan' | 'log' | 'nextUp' | 'funnel'
export interface TargetRef {
  kind: VisitTargetKind
  id: string
}

const GRID_KEY = 'griddesk.visits.grid'

/** `customer:<id>` / `village:<id>` as a target. */
export const parseTarget = (value: string | undefined): TargetRef | null => {
  const m = value ? /^(customer|village):([0-9a-f-]{36})$/i.exec(value) : null
  return m ? { kind: m[1] as VisitTargetKind, id: m[2]! } : null
}

export function VisitsPage({ initialGridId, target, onNavigate }: { initialGridId?: string; target?: string; onNavigate?: (route: Route) => void }) {
  const { t } = useTranslation()
  const grids = useCall('grids.list', { limit: 1000 })
  const overview = useCall('map.overview', {})
  const [gridId, setGridId] = useState<string | null>(() => initialGridId ?? localStorage.getItem(GRID_KEY))
  const [tab, setTab] = useState<VisitsTab>('plan')
  const [logTarget, setLogTarget] = useState<TargetRef | null>(null)
  const [changes, setChanges] = useState(0)
  const [openVisitId, setOpenVisitId] = useState<string | null>(null)
  // Arriving with a target (a map popup's or a customer page's 记录拜访): straight to the log.
  useEffect(() => {
    const ref = parseTarget(target)
    if (ref) {
      setLogTarget(ref)
      setTab('log')
    }
  }, [target])
  useEffect(() => {
    if (initialGridId) setGridId(initialGridId)
  }, [initialGridId])

  useEffect(() => {
    const first = grids.value?.[0]
    if (first && (!gridId || !grids.value!.some((g) => g.id === gridId))) setGridId(first.id)
  }, [grids.value, gridId])
  useEffect(() => {
    if (gridId) localStorage.setItem(GRID_KEY, gridId)
  }, [gridId])
  const gridFeature = useMemo(() => overview.value?.grids.features.find((f) => f.properties.id === gridId) ?? null, [overview.value, gridId])

  const logVisit = (target: TargetRef) => {
    setLogTarget(target)
    setTab('log')
  }

  return (
    <Box data-page="visits" style={{ height: '100%', display: 'flex', flexDirection: 'column', gap: 'var(--mantine-spacing-xs)' }}>
      <Group justify="space-between" align="flex-end">
        <Group gap="md" align="flex-end">
          <Title order={2} size="h3">
            {t('visits.title')}
          </Title>
          <Select
            size="xs"
            w={220}
            label={t('visits.grid')}
            data={(grids.value ?? []).map((g) => ({ value: g.id, label: `${g.code} ${g.name}` }))}
            value={gridId}
            onChange={(v) => v && setGridId(v)}
            allowDeselect={false}
            searchable
            data-testid="visits-grid"
          />
        </Group>
      </Group>
      {(grids.error ?? overview.error) !== undefined && (
        <ErrorAlert
          error={grids.error ?? overview.error}
          onRetry={() => {
            grids.reload()
            overview.reload()
          }}
        />
      )}
      <Tabs
        value={tab}
        onChange={(v) => v && setTab(v as VisitsTab)}
        keepMounted
        keepMountedMode="display-none"
        style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}
      >
        <Tabs.List>
          {(['plan', 'log', 'nextUp', 'funnel'] as const).map((key) => (
            <Tabs.Tab key={key} value={key} data-tab={key}>
              {t(`visits.tabs.${key}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {gridId && (
          <>
            <Tabs.Panel value="plan" pt="xs" style={{ flex: 1, minHeight: 0 }}>
              <DayPlanPanel gridId={gridId} grid={gridFeature} onLogVisit={logVisit} onOpenVisit={setOpenVisitId} refresh={changes} />
            </Tabs.Panel>
            <Tabs.Panel value="log" pt="xs" style={{ flex: 1, minHeight: 0 }}>
              <VisitLogPanel
                gridId={gridId}
                grid={gridFeature}
                target={logTarget}
                onTargetUsed={() => setLogTarget(null)}
                onCompleted={() => setChanges((n) => n + 1)}
                onOpenVisit={setOpenVisitId}
                refresh={changes}
              />
            </Tabs.Panel>
            <Tabs.Panel value="nextUp" pt="xs" style={{ flex: 1, minHeight: 0 }}>
              {tab === 'nextUp' && <NextUpPanel gridId={gridId} refresh={changes} onLogVisit={logVisit} />}
            </Tabs.Panel>
            <Tabs.Panel value="funnel" pt="xs" style={{ flex: 1, minHeight: 0 }}>
              {tab === 'funnel' && <FunnelPanel gridId={gridId} refresh={changes} />}
            </Tabs.Panel>
          </>
        )}
      </Tabs>
      <VisitDetailDrawer visitId={openVisitId} onClose={() => setOpenVisitId(null)} onChanged={() => setChanges((n) => n + 1)} onNavigate={onNavigate} />
    </Box>
  )
}
