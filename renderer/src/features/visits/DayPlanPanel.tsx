// The day plan: tick targets (key customers or villages of the grid), set a start, and get the
// suggested route order with its straight-line distance, drawn on the map with numbered stops.
// A saved plan is the grid's plan for that day: it comes back when the day is opened again (in
// its order, with its start and which stops were visited), saving again replaces it, and the
// stops not visited can be moved to another day.
import { dayOf } from '../../../../shared/dates'
import { Alert, Badge, Box, Button, Checkbox, Group, Paper, Popover, ScrollArea, SegmentedControl, Stack, Text, TextInput } from '@mantine/core'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Feature } from '../../../../shared/api/contract'
import type { DayPlan, VisitTargetKind, VisitTargetRow } from '../../../../shared/api/visits'
import { haversineM } from '../../../../shared/route'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { DateField } from '../../shell/DateField'
import { RouteMap, type MapPoint } from './RouteMap'
import type { TargetRef } from './VisitsPage'

const keyOf = (t: { kind: VisitTargetKind; id: string }) => `${t.kind}:${t.id}`

const rowOfStop = (s: { kind: VisitTargetKind; id: string; name: string; lon?: number; lat?: number }): VisitTargetRow => ({
  kind: s.kind,
  id: s.id,
  name: s.name,
  detail: null,
  villageName: null,
  tier: null,
  funnelStage: null,
  lon: s.lon ?? null,
  lat: s.lat ?? null,
  lastVisitAt: null,
})

export function DayPlanPanel({
  gridId,
  grid,
  onLogVisit,
  onOpenVisit,
  refresh,
}: {
  gridId: string
  grid: Feature | null
  onLogVisit: (t: TargetRef) => void
  onOpenVisit: (visitId: string) => void
  refresh: number
}) {
  const { t } = useTranslation()
  const [search, setSearch] = useState('')
  const [kind, setKind] = useState<'all' | VisitTargetKind>('all')
  const targets = useCall('visits.targets', { gridId, search: search.trim() || undefined, kind: kind === 'all' ? undefined : kind, limit: 300 })
  const [picked, setPicked] = useState<Map<string, VisitTargetRow>>(new Map())
  const [date, setDate] = useState(() => dayOf(new Date()))
  const [start, setStart] = useState<{ lon: number; lat: number; name: string | null } | null>(null)
  const [pickingStart, setPickingStart] = useState(false)
  const [plan, setPlan] = useState<DayPlan | null>(null)
  const [error, setError] = useState<unknown>()
  const [note, setNote] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const today = dayOf(new Date())
  const dates = useCall('dayPlans.dates', { gridId, from: today })
  const [carryTo, setCarryTo] = useState('')
  const [carryOpen, setCarryOpen] = useState(false)

  // The saved plan of the day comes back whenever the day (or the grid) is opened.
  const loadPlan = useCallback(
    async (day: string, announce: boolean) => {
      try {
        const saved = await call('dayPlans.get', { gridId, date: day })
        setPlan(saved)
        setPicked(new Map(saved ? [...saved.stops, ...saved.unplaced].map((s) => [keyOf(s), rowOfStop(s)] as const) : []))
        setStart(saved?.start ? { ...saved.start, name: saved.startName } : null)
        if (saved && announce) {
          const all = [...saved.stops, ...saved.unplaced]
          setNote(t('field.plan.loaded', { date: day, count: all.length, done: all.filter((x) => x.visitStatus === 'done').length }))
        }
      } catch (e) {
        setError(e)
      }
    },
    [gridId, t],
  )
  useEffect(() => {
    setNote(null)
    void loadPlan(date, true)
  }, [loadPlan, date])
  // A visit logged elsewhere marks its stop done.
  useEffect(() => {
    if (refresh > 0) {
      void loadPlan(date, true)
      dates.reload()
    }
  }, [refresh])

  const toggle = (row: VisitTargetRow) => {
    setPicked((m) => {
      const next = new Map(m)
      if (next.has(keyOf(row))) next.delete(keyOf(row))
      else next.set(keyOf(row), row)
      return next
    })
    setPlan(null)
  }
  const run = async (save: boolean) => {
    setBusy(true)
    setError(undefined)
    setNote(null)
    try {
      const replacing = save && (dates.value ?? []).some((d) => d.date === date)
      const result = await call('visits.plan', {
        date,
        gridId,
        start: start ? { lon: start.lon, lat: start.lat } : undefined,
        startName: start?.name ?? undefined,
        targets: [...picked.values()].map((r) => ({ kind: r.kind, id: r.id })),
        save,
      })
      setPlan(result)
      if (save) {
        const count = result.stops.length + result.unplaced.length
        setNote(t(replacing ? 'field.plan.replaced' : 'field.plan.savedPlan', { date, count }))
        dates.reload()
      }
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const carry = async () => {
    if (!carryTo) return
    setError(undefined)
    try {
      const before = plan ? [...plan.stops, ...plan.unplaced].filter((s) => s.visitStatus !== 'done').length : 0
      await call('dayPlans.carry', { gridId, from: date, to: carryTo })
      setCarryOpen(false)
      dates.reload()
      const to = carryTo
      setDate(to)
      setCarryTo('')
      setTimeout(() => setNote(t('field.plan.carried', { count: before, date: to })), 50)
    } catch (e) {
      setError(e)
    }
  }
  /** The start's name: the nearest village of the grid ("XX村附近"). */
  const nameOf = (p: { lon: number; lat: number }) => {
    let best: { name: string; m: number } | null = null
    for (const r of targets.value ?? []) {
      if (r.kind !== 'village' || r.lon === null || r.lat === null) continue
      const m = haversineM(p, { lon: r.lon, lat: r.lat })
      if (!best || m < best.m) best = { name: r.name, m }
    }
    return best ? t('field.plan.near', { name: best.name }) : null
  }
  const useMyLocation = () => {
    setNote(null)
    if (!navigator.geolocation) return setNote(t('visits.plan.noLocation'))
    navigator.geolocation.getCurrentPosition(
      (p) => {
        // Named by the nearest village, like a picked start; the located position clears an earlier "not available".
        const here = { lon: p.coords.longitude, lat: p.coords.latitude }
        const near = nameOf(here)
        setStart({ ...here, name: near ? t('field.plan.myLocationNear', { near }) : t('field.plan.myLocation') })
        setNote(null)
        setPlan(null)
      },
      () => setNote(t('visits.plan.noLocation')),
      { timeout: 5000 },
    )
  }
  const saved = plan?.planId ? plan : null
  const openLeft = saved ? [...saved.stops, ...saved.unplaced].filter((s) => s.visitStatus !== 'done').length : 0

  // A start is shown by name: its own, else the nearest village's, never as coordinates.
  const startName = start ? (start.name ?? nameOf(start) ?? t('field.plan.pickedPoint')) : null
  const points = useMemo<MapPoint[]>(() => {
    const list: MapPoint[] = []
    if (start) list.push({ key: 'start', kind: 'start', lon: start.lon, lat: start.lat, label: startName ?? t('visits.plan.start') })
    if (plan) for (const s of plan.stops) list.push({ key: `stop-${s.seq}`, kind: 'stop', seq: s.seq, lon: s.lon, lat: s.lat, label: s.name })
    else
      for (const r of picked.values()) if (r.lon !== null && r.lat !== null) list.push({ key: keyOf(r), kind: 'target', lon: r.lon, lat: r.lat, label: r.name })
    return list
  }, [plan, picked, start, startName, t])
  const line = useMemo(
    () =>
      plan
        ? [...(plan.start ? [[plan.start.lat, plan.start.lon] as [number, number]] : []), ...plan.stops.map((s) => [s.lat, s.lon] as [number, number])]
        : undefined,
    [plan],
  )

  return (
    <Box style={{ height: '100%', display: 'grid', gridTemplateColumns: '360px 1fr', gap: 'var(--mantine-spacing-sm)' }}>
      <Stack gap="xs" style={{ minHeight: 0 }}>
        <Group gap="xs" wrap="nowrap">
          <TextInput
            size="xs"
            style={{ flex: 1 }}
            placeholder={t('visits.plan.search')}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            data-testid="plan-search"
          />
          <SegmentedControl
            size="xs"
            value={kind}
            onChange={(v) => setKind(v as typeof kind)}
            data={[
              { value: 'all', label: t('visits.plan.all') },
              { value: 'customer', label: t('visits.kind.customer') },
              { value: 'village', label: t('visits.kind.village') },
            ]}
          />
        </Group>
        {targets.error !== undefined && <ErrorAlert error={targets.error} onRetry={targets.reload} />}
        <Paper withBorder radius="sm" style={{ flex: 1, minHeight: 0 }}>
          <ScrollArea h="100%" type="auto">
            <Stack gap={0} data-testid="plan-targets">
              {(targets.value ?? []).map((row) => (
                <Group
                  key={keyOf(row)}
                  gap="xs"
                  px="xs"
                  py={5}
                  wrap="nowrap"
                  style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}
                  data-target={row.id}
                >
                  <Checkbox size="xs" checked={picked.has(keyOf(row))} onChange={() => toggle(row)} aria-label={row.name} />
                  <Box style={{ flex: 1, minWidth: 0 }}>
                    <Group gap={6} wrap="nowrap">
                      <Text size="sm" fw={500} truncate>
                        {row.name}
                      </Text>
                      {row.tier && (
                        <Badge size="xs" variant="light" color={row.tier === 'A' ? 'red' : row.tier === 'B' ? 'orange' : 'gray'}>
                          {row.tier}
                        </Badge>
                      )}
                      {row.kind === 'village' && (
                        <Badge size="xs" variant="outline" color="gray">
                          {t('visits.kind.village')}
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed" truncate>
                      {[
                        row.detail,
                        row.kind === 'customer' ? row.villageName : null,
                        row.lastVisitAt ? t('visits.plan.lastVisit', { date: dayOf(row.lastVisitAt) }) : t('visits.plan.neverVisited'),
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </Text>
                  </Box>
                </Group>
              ))}
            </Stack>
          </ScrollArea>
        </Paper>
        <Group gap="xs" justify="space-between">
          <Text size="sm">{t('visits.plan.picked', { count: picked.size })}</Text>
          <Button
            size="compact-xs"
            variant="subtle"
            onClick={() => {
              setPicked(new Map())
              setPlan(null)
            }}
            disabled={picked.size === 0}
          >
            {t('visits.plan.clear')}
          </Button>
        </Group>
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <DateField label={t('visits.plan.date')} value={date} onChange={(d) => d && setDate(d)} w={140} data-testid="plan-date" />
          <Stack gap={2} style={{ flex: 1 }}>
            <Text size="xs" fw={500}>
              {t('visits.plan.start')}
            </Text>
            <Group gap={4} wrap="nowrap">
              <Button size="compact-xs" variant="light" onClick={useMyLocation}>
                {t('visits.plan.startHere')}
              </Button>
              <Button size="compact-xs" variant={pickingStart ? 'filled' : 'light'} onClick={() => setPickingStart((p) => !p)} data-testid="plan-pick-start">
                {t('visits.plan.startPick')}
              </Button>
            </Group>
          </Stack>
        </Group>
        <Text size="xs" c="dimmed">
          {pickingStart ? t('visits.plan.startPicking') : start ? t('field.plan.startAt', { name: startName }) : t('visits.plan.startNone')}
        </Text>
        <Group gap={4} data-testid="plan-days">
          <Text size="xs" c="dimmed">
            {t('field.plan.planDays')}:
          </Text>
          {(dates.value ?? []).length === 0 && (
            <Text size="xs" c="dimmed">
              {t('field.plan.noPlanDays')}
            </Text>
          )}
          {(dates.value ?? []).map((d) => (
            <Badge
              key={d.date}
              size="sm"
              variant={d.date === date ? 'filled' : 'light'}
              style={{ cursor: 'pointer', textTransform: 'none' }}
              onClick={() => setDate(d.date)}
              data-plan-day={d.date}
            >
              {t('field.plan.dayChip', { date: d.date.slice(5), done: d.done, total: d.planned + d.done })}
            </Badge>
          ))}
        </Group>
        <Group gap="xs" grow>
          <Button size="xs" onClick={() => void run(false)} disabled={picked.size === 0} loading={busy} data-testid="plan-route">
            {t('visits.plan.route')}
          </Button>
          <Button size="xs" variant="light" onClick={() => void run(true)} disabled={picked.size === 0} loading={busy} data-testid="plan-save">
            {t('visits.plan.save')}
          </Button>
        </Group>
        {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
        {note && (
          <Alert variant="light" p="xs">
            {note}
          </Alert>
        )}
      </Stack>
      <Box
        pos="relative"
        style={{ minHeight: 0, borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden', border: '1px solid var(--mantine-color-gray-3)' }}
        data-testid="plan-map"
      >
        <RouteMap
          grid={grid}
          points={points}
          route={line}
          picking={pickingStart}
          onPick={
            pickingStart
              ? (p) => {
                  setStart({ ...p, name: nameOf(p) })
                  setPickingStart(false)
                  setPlan(null)
                  setNote(null)
                }
              : undefined
          }
        />
        {plan ? (
          <Paper
            pos="absolute"
            top={10}
            right={10}
            w={290}
            p="sm"
            shadow="md"
            withBorder
            radius="md"
            style={{ zIndex: 1000, maxHeight: 'calc(100% - 20px)', display: 'flex', flexDirection: 'column' }}
            data-testid="plan-result"
          >
            <Text fw={600} size="sm">
              {t('visits.plan.stops', { count: plan.stops.length })}
            </Text>
            <Text size="sm" c="orange.8" fw={600} mb={4} data-testid="plan-total">
              {t('visits.plan.total', { km: plan.totalKm.toFixed(1), picked: plan.pickedOrderKm.toFixed(1) })}
            </Text>
            <ScrollArea style={{ flex: 1 }} type="auto">
              <Stack gap={4}>
                {plan.stops.map((s) => (
                  <Group key={s.seq} gap={6} wrap="nowrap" justify="space-between" data-stop={s.seq}>
                    <Text size="sm" truncate>
                      {s.seq}. {s.name}
                    </Text>
                    <Group gap={4} wrap="nowrap">
                      <Text size="xs" c="dimmed">
                        {t('visits.plan.leg', { km: s.legKm.toFixed(1) })}
                      </Text>
                      {s.visitStatus === 'done' && s.visitId ? (
                        <Button size="compact-xs" variant="light" color="green" onClick={() => onOpenVisit(s.visitId!)} data-stop-done={s.id}>
                          ✓ {t('field.plan.done')}
                        </Button>
                      ) : (
                        <Button size="compact-xs" variant="subtle" onClick={() => onLogVisit({ kind: s.kind, id: s.id })} data-stop-log={s.id}>
                          {t('visits.plan.logVisit')}
                        </Button>
                      )}
                    </Group>
                  </Group>
                ))}
              </Stack>
            </ScrollArea>
            {plan.unplaced.length > 0 && (
              <Text size="xs" c="dimmed" mt={4}>
                {t('visits.plan.unplaced', { names: plan.unplaced.map((u) => u.name).join('、') })}
              </Text>
            )}
            <Text size="xs" c="dimmed" mt={4}>
              {t('field.plan.straightLine')}
            </Text>
            {!saved && (
              <Text size="xs" c="orange.8">
                {t('field.plan.unsaved')}
              </Text>
            )}
            {saved && openLeft > 0 && (
              <Popover opened={carryOpen} onChange={setCarryOpen} position="bottom-end" withinPortal zIndex={2000}>
                <Popover.Target>
                  <Button size="compact-xs" variant="subtle" mt={4} onClick={() => setCarryOpen((o) => !o)} data-testid="plan-carry">
                    {t('field.plan.carry')}
                  </Button>
                </Popover.Target>
                <Popover.Dropdown>
                  <Group gap="xs" align="flex-end">
                    <DateField label={t('field.plan.carryTo')} value={carryTo} onChange={setCarryTo} minDate={today} w={140} data-testid="plan-carry-date" />
                    <Button size="xs" onClick={() => void carry()} disabled={!carryTo || carryTo === date} data-testid="plan-carry-go">
                      {t('field.plan.carryGo')}
                    </Button>
                  </Group>
                </Popover.Dropdown>
              </Popover>
            )}
          </Paper>
        ) : (
          picked.size === 0 && (
            <Paper pos="absolute" top={10} right={10} w={260} p="sm" shadow="sm" withBorder radius="md" style={{ zIndex: 1000 }}>
              <Text size="sm" c="dimmed">
                {t('visits.plan.empty')}
              </Text>
            </Paper>
          )
        )}
      </Box>
    </Box>
  )
}
