// The visit log: target, check-in (device location, else a point picked on the map) with the
// distance to the target, co-visitors, purpose, outcome and funnel move, products, objections
// from the library with the answer given, rival news → intel, next action → work order, photos.
// Every change is saved as a draft (debounced) and the newest draft comes back when the page
// opens again; the core validates and its per-field messages show beside the fields. The fields
// are their own components; this panel holds the form, its messages and the completion.
import { Alert, Box, Button, Divider, Group, ScrollArea, Select, Stack, Text } from '@mantine/core'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Feature } from '../../../../shared/api/contract'
import { DEFAULT_CHECK_IN_RADIUS_M, type VisitCompleteResult } from '../../../../shared/api/visits'
import { AppError } from '../../../../shared/errors'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { useConfirmLeave } from '../../shell/unsaved'
import { dateTimeOf, listTimeOf } from '../../../../shared/dates'
import { CheckInField, CheckInMap } from './CheckInField'
import type { FormUpdate } from './fields'
import { NextActionField } from './NextActionField'
import { ObjectionsField } from './ObjectionsField'
import { OutcomeField } from './OutcomeField'
import { ParticipantsField } from './ParticipantsField'
import { PhotosField } from './PhotosField'
import { ProductsField } from './ProductsField'
import { RecentVisits } from './RecentVisits'
import { RivalNewsField } from './RivalNewsField'
import { useVisitDraft } from './useVisitDraft'
import { VisitDoneAlert } from './VisitDoneAlert'
import { emptyForm, toVisitInput, type VisitForm } from './visitForm'
import type { TargetRef } from './VisitsPage'

const RADIUS_KEY = 'griddesk.visits.radiusM'

export function VisitLogPanel({
  gridId,
  grid,
  target,
  onTargetUsed,
  onCompleted,
  onOpenVisit,
  refresh,
}: {
  gridId: string
  grid: Feature | null
  target: TargetRef | null
  onTargetUsed: () => void
  onCompleted: () => void
  onOpenVisit: (visitId: string) => void
  refresh: number
}) {
  const { t } = useTranslation()
  const targets = useCall('visits.targets', { gridId, limit: 2000 })
  const library = useCall('objections.list', {})
  const recent = useCall('visits.list', { gridId, status: 'done', limit: 8 })
  const [form, setForm] = useState<VisitForm>(emptyForm)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [failure, setFailure] = useState<unknown>()
  const [result, setResult] = useState<VisitCompleteResult | null>(null)
  const [picking, setPicking] = useState(false)
  const [note, setNote] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [radius, setRadius] = useState<number>(() => Number(localStorage.getItem(RADIUS_KEY)) || DEFAULT_CHECK_IN_RADIUS_M)
  const formViewport = useRef<HTMLDivElement>(null)
  // The outcome of a completion (or what to fix) is shown at the top of the form.
  useEffect(() => {
    if (result) formViewport.current?.scrollTo({ top: 0 })
  }, [result])

  const rows = targets.value ?? []
  const targetRow = useMemo(() => rows.find((r) => `${r.kind}:${r.id}` === form.target), [rows, form.target])
  const { draftId, setDraftId, draftState, setDraftState, dirty } = useVisitDraft(form, setForm, targetRow?.name ?? null, setFailure)

  // A visit being typed is kept as a draft; starting another one over it, or discarding it, asks first.
  const leave = useConfirmLeave()
  const typed = useRef(false)
  typed.current = JSON.stringify({ ...form, target: null }) !== JSON.stringify(emptyForm())
  const formNow = useRef(form)
  formNow.current = form

  // A target handed over from the plan or the next-up list starts a fresh form.
  useEffect(() => {
    if (!target) return
    const value = `${target.kind}:${target.id}`
    onTargetUsed()
    if (formNow.current.target === value) return
    leave.ask(typed.current, () => {
      setForm((f) => (f.target === value ? f : { ...emptyForm(), target: value }))
      dirty.current = true
      setResult(null)
    })
  }, [target, onTargetUsed])

  const update = useCallback<FormUpdate>((patch) => {
    dirty.current = true
    setForm((f) => ({ ...f, ...(typeof patch === 'function' ? patch(f) : patch) }))
  }, [])
  const clearError = (key: string) => setErrors((e) => (key in e ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== key)) : e))

  const toInput = () => toVisitInput(form, { draftId, radiusM: radius, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone })

  const complete = async () => {
    setFailure(undefined)
    setResult(null)
    const { input, local } = toInput()
    if (Object.keys(local).length > 0 || !input) {
      formViewport.current?.scrollTo({ top: 0 })
      return setErrors(Object.fromEntries(Object.entries(local).map(([k, m]) => [k, t(`visits.err.${m}`)])))
    }
    setBusy(true)
    try {
      const done = await call('visits.complete', input)
      setResult(done)
      setErrors({})
      dirty.current = false
      setForm(emptyForm())
      setDraftId(null)
      setDraftState(null)
      recent.reload()
      targets.reload()
      library.reload()
      onCompleted()
    } catch (e) {
      const issues = e instanceof AppError && e.code === 'VALIDATION' ? (e.issues ?? []) : []
      if (issues.length === 0) setFailure(e)
      const byField: Record<string, string> = {}
      for (const issue of issues) {
        const path = issue.path.map(String)
        const key =
          path[0] === 'target' || path[0] === 'checkIn' || path[0] === 'photos'
            ? path[0]
            : path.slice(0, path[0] === 'rivalNews' || path[0] === 'nextAction' ? 2 : 3).join('.')
        byField[key] ??= t(`visits.err.${issue.message}`, { defaultValue: issue.message })
      }
      setErrors(byField)
    } finally {
      setBusy(false)
    }
  }

  const discard = () => leave.ask(typed.current, () => void discardNow())
  const discardNow = async () => {
    if (draftId) await call('visits.discardDraft', { id: draftId }).catch(() => undefined)
    dirty.current = false
    setForm(emptyForm())
    setDraftId(null)
    setDraftState(null)
    setErrors({})
  }

  useEffect(() => {
    if (refresh > 0) recent.reload()
  }, [refresh])
  const err = (key: string) => errors[key]
  const errorCount = Object.keys(errors).length
  const checkIn = {
    value: form.checkIn,
    targetRow,
    picking,
    setPicking,
    setNote,
    onCheckIn: (checkIn: NonNullable<VisitForm['checkIn']>) => {
      update({ checkIn })
      clearError('checkIn')
    },
  }

  return (
    <Box style={{ height: '100%', display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) 400px', gap: 'var(--mantine-spacing-sm)' }} data-testid="visit-log">
      {leave.dialog}
      <ScrollArea h="100%" type="auto" offsetScrollbars viewportRef={formViewport}>
        <Stack gap="xs" pr="xs" pb="md">
          {draftState?.kind === 'restored' && (
            <Alert variant="light" color="blue" p="xs" data-testid="draft-restored">
              {t('visits.log.restored', { time: dateTimeOf(draftState.at) })}
            </Alert>
          )}
          {result && <VisitDoneAlert result={result} radius={radius} onClose={() => setResult(null)} />}
          {errorCount > 0 && (
            <Alert color="red" variant="light" p="xs" data-testid="form-errors">
              {t('visits.log.fixErrors', { count: errorCount })}
            </Alert>
          )}
          {failure !== undefined && <ErrorAlert error={failure} onClose={() => setFailure(undefined)} />}

          <Select
            size="xs"
            label={t('visits.log.target')}
            placeholder={t('visits.log.targetPlaceholder')}
            searchable
            data={rows.map((r) => ({
              value: `${r.kind}:${r.id}`,
              label: `${r.name}${r.kind === 'village' ? `（${t('visits.kind.village')}）` : r.villageName ? ` · ${r.villageName}` : ''}`,
            }))}
            value={form.target}
            onChange={(v) => {
              update({ target: v, funnelTo: '' })
              clearError('target')
            }}
            error={err('target')}
            data-field="target"
            limit={200}
          />

          <CheckInField {...checkIn} note={note} radius={radius} error={err('checkIn')} />
          <ParticipantsField value={form.participants} onChange={(change) => update((f) => ({ participants: change(f.participants) }))} />
          <OutcomeField value={form} update={update} targetRow={targetRow} err={err} clearError={clearError} />
          <ProductsField value={form.products} onChange={(change) => update((f) => ({ products: change(f.products) }))} err={err} clearError={clearError} />
          <ObjectionsField
            value={form.objections}
            onChange={(change) => update((f) => ({ objections: change(f.objections) }))}
            library={library.value ?? []}
            err={err}
          />
          <RivalNewsField value={form.rival} onChange={(change) => update((f) => ({ rival: change(f.rival) }))} err={err} clearError={clearError} />
          <NextActionField value={form.next} onChange={(change) => update((f) => ({ next: change(f.next) }))} err={err} clearError={clearError} />
          <PhotosField
            value={form.photos}
            onChange={(change) => update((f) => ({ photos: change(f.photos) }))}
            error={err('photos')}
            onError={(message) => setErrors((x) => ({ ...x, photos: message }))}
          />

          <Divider />
          <Group justify="space-between">
            <Text size="xs" c="dimmed" data-testid="draft-state">
              {draftState?.kind === 'saving' ? t('visits.log.draftSaving') : draftState ? t('visits.log.draftSaved', { time: listTimeOf(draftState.at) }) : ''}
            </Text>
            <Group gap="xs">
              <Button size="xs" variant="subtle" color="gray" onClick={discard} disabled={!draftId && !dirty.current}>
                {t('visits.log.discard')}
              </Button>
              <Button size="xs" onClick={() => void complete()} loading={busy} data-testid="visit-complete">
                {t('visits.log.complete')}
              </Button>
            </Group>
          </Group>
        </Stack>
      </ScrollArea>

      <Stack gap="xs" style={{ minHeight: 0 }}>
        <CheckInMap
          {...checkIn}
          grid={grid}
          radius={radius}
          onRadiusChange={(n) => {
            setRadius(n)
            localStorage.setItem(RADIUS_KEY, String(n))
          }}
        />
        <RecentVisits visits={recent.value ?? []} onOpenVisit={onOpenVisit} />
      </Stack>
    </Box>
  )
}
