// The visit log: target, check-in (device location, else a point picked on the map) with the
// distance to the target, co-visitors, purpose, outcome and funnel move, products, objections
// from the library with the answer given, rival news → intel, next action → work order, photos.
// Every change is saved as a draft (debounced) and the newest draft comes back when the page
// opens again; the core validates and its per-field messages show beside the fields.
import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Checkbox,
  CloseButton,
  Divider,
  FileButton,
  Group,
  Image,
  MultiSelect,
  NumberInput,
  Paper,
  ScrollArea,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
  Autocomplete,
} from '@mantine/core'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Feature } from '../../../../shared/api/contract'
import { DEFAULT_CHECK_IN_RADIUS_M, participantRoles, type ParticipantRole, type VisitCompleteResult } from '../../../../shared/api/visits'
import { funnelStages, intelKinds, rivals, type FunnelStage, type IntelKind, type Rival } from '../../../../shared/domain'
import { AppError } from '../../../../shared/errors'
import { haversineM } from '../../../../shared/route'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { useConfirmLeave } from '../../shell/unsaved'
import { dateTimeOf, dueDayOf, listTimeOf } from '../../../../shared/dates'
import { DateField } from '../../shell/DateField'
import { RouteMap, type MapPoint } from './RouteMap'
import { useVisitDraft } from './useVisitDraft'
import { emptyForm, OUTCOMES, PRODUCTS, PURPOSES, toVisitInput, type VisitForm } from './visitForm'
import type { TargetRef } from './VisitsPage'

const RADIUS_KEY = 'griddesk.visits.radiusM'

async function fileToBase64(file: Blob): Promise<string> {
  const buffer = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  for (let i = 0; i < buffer.length; i += 0x8000) binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** A 96-px JPEG thumbnail drawn by the browser's canvas (no native image library); null if the file is not an image it can read. */
async function thumbnailOf(file: File): Promise<string | null> {
  if (!file.type.startsWith('image/')) return null
  try {
    const bitmap = await createImageBitmap(file)
    const scale = 96 / Math.max(bitmap.width, bitmap.height)
    const canvas = document.createElement('canvas')
    canvas.width = Math.max(1, Math.round(bitmap.width * Math.min(1, scale)))
    canvas.height = Math.max(1, Math.round(bitmap.height * Math.min(1, scale)))
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    return canvas.toDataURL('image/jpeg', 0.7)
  } catch {
    return null
  }
}

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
  const { t, i18n } = useTranslation()
  const en = i18n.resolvedLanguage === 'en'
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

  const update = useCallback((patch: Partial<VisitForm> | ((f: VisitForm) => Partial<VisitForm>)) => {
    dirty.current = true
    setForm((f) => ({ ...f, ...(typeof patch === 'function' ? patch(f) : patch) }))
  }, [])
  const clearError = (key: string) => setErrors((e) => (key in e ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== key)) : e))

  const distanceM = useMemo(() => {
    const c = form.checkIn
    if (!c || c.lon === undefined || c.lat === undefined || !targetRow || targetRow.lon === null || targetRow.lat === null) return null
    return Math.round(haversineM({ lon: c.lon, lat: c.lat }, { lon: targetRow.lon, lat: targetRow.lat }))
  }, [form.checkIn, targetRow])

  const checkInByDevice = () => {
    setNote(null)
    if (!navigator.geolocation) return setNote(t('visits.log.noDeviceLocation'))
    navigator.geolocation.getCurrentPosition(
      (p) => {
        update({
          checkIn: {
            at: new Date().toISOString(),
            lon: Math.round(p.coords.longitude * 1e6) / 1e6,
            lat: Math.round(p.coords.latitude * 1e6) / 1e6,
            source: 'device',
          },
        })
        clearError('checkIn')
        setNote(null)
        setPicking(false)
      },
      () => {
        setNote(t('visits.log.noDeviceLocation'))
        setPicking(true)
      },
      { timeout: 5000, enableHighAccuracy: true },
    )
  }

  const addPhotos = async (files: File[]) => {
    for (const file of files) {
      try {
        const preview = await thumbnailOf(file)
        const stored = await call('visits.addPhoto', {
          fileName: file.name,
          base64: await fileToBase64(file),
          thumbBase64: preview ? preview.split(',')[1] : undefined,
        })
        update((f) => ({ photos: [...f.photos, { ...stored, preview: preview ?? undefined }] }))
      } catch (e) {
        setErrors((x) => ({ ...x, photos: messageOf(e) }))
      }
    }
  }

  const messageOf = (e: unknown) => {
    const issue = e instanceof AppError ? e.issues?.[0] : undefined
    return issue ? t(`visits.err.${issue.message}`, { defaultValue: issue.message }) : t('errors.INTERNAL')
  }

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

  const points = useMemo<MapPoint[]>(() => {
    const list: MapPoint[] = []
    if (targetRow && targetRow.lon !== null && targetRow.lat !== null)
      list.push({ key: 'target', kind: 'target', lon: targetRow.lon, lat: targetRow.lat, label: targetRow.name })
    if (form.checkIn?.lon !== undefined && form.checkIn.lat !== undefined)
      list.push({ key: 'checkIn', kind: 'checkIn', lon: form.checkIn.lon, lat: form.checkIn.lat, label: t('visits.log.checkIn') })
    return list
  }, [targetRow, form.checkIn, t])

  // The map zooms to the target (and the check-in point): the grid is too wide to pick a point in.
  const focus = useMemo(() => points.map((p) => ({ lon: p.lon, lat: p.lat })), [points])
  useEffect(() => {
    if (refresh > 0) recent.reload()
  }, [refresh])
  const err = (key: string) => errors[key]
  const errorCount = Object.keys(errors).length
  const libraryByCode = new Map((library.value ?? []).map((o) => [o.code, o]))
  const stageName = (s: FunnelStage | null) => (s ? t(`visits.stage.${s}`) : '—')

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
          {result && (
            <Alert variant="light" color="green" p="xs" data-testid="visit-done" withCloseButton onClose={() => setResult(null)}>
              <Stack gap={2}>
                <Text size="sm" fw={600}>
                  {t('visits.log.done')}
                </Text>
                {result.visit.intel.map((i) => (
                  <Text key={i.id} size="sm" data-testid="done-intel">
                    {t('visits.log.doneIntel', { title: i.title })}
                  </Text>
                ))}
                {result.visit.workOrders.map((w) => (
                  <Text key={w.id} size="sm" data-testid="done-wo">
                    {t('visits.log.doneWo', { title: w.title, due: dueDayOf(w.dueAt) })}
                  </Text>
                ))}
                {result.visit.funnelMoves
                  .filter((m) => m.movedAt === result.visit.checkedInAt)
                  .map((m) => (
                    <Text key={m.movedAt} size="sm" data-testid="done-funnel">
                      {t('visits.log.doneFunnel', { name: result.visit.customerName, from: stageName(m.fromStage), to: stageName(m.toStage) })}
                    </Text>
                  ))}
                {result.farFromTarget && (
                  <Text size="sm" c="orange.8">
                    {t('visits.log.far', { m: result.visit.distanceM, radius })}
                  </Text>
                )}
              </Stack>
            </Alert>
          )}
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

          <Paper withBorder p="xs" radius="sm" data-field="checkIn">
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm" fw={500}>
                {t('visits.log.checkIn')}
              </Text>
              <Group gap={4}>
                <Button size="compact-xs" variant="light" onClick={checkInByDevice} data-testid="checkin-device">
                  {t('visits.log.checkInDevice')}
                </Button>
                <Button size="compact-xs" variant={picking ? 'filled' : 'light'} onClick={() => setPicking((p) => !p)} data-testid="checkin-map">
                  {t('visits.log.checkInMap')}
                </Button>
              </Group>
            </Group>
            <Text size="xs" c={err('checkIn') ? 'red' : 'dimmed'} mt={4} data-testid="checkin-status">
              {picking
                ? t('visits.log.checkInPicking')
                : form.checkIn?.lon !== undefined
                  ? t('visits.log.checkInAtPoint', {
                      source: t(`visits.log.source.${form.checkIn.source}`),
                      time: dateTimeOf(form.checkIn.at),
                      lon: form.checkIn.lon.toFixed(5),
                      lat: form.checkIn.lat!.toFixed(5),
                    })
                  : (err('checkIn') ?? t('visits.log.checkInNone'))}
            </Text>
            {distanceM !== null &&
              (distanceM > radius ? (
                <Alert color="orange" variant="light" p={6} mt={4} data-testid="checkin-far">
                  {t('visits.log.far', { m: distanceM, radius })}
                </Alert>
              ) : (
                <Text size="xs" c="green.8" mt={2} data-testid="checkin-distance">
                  {t('visits.log.distance', { m: distanceM })}
                </Text>
              ))}
            {note && (
              <Text size="xs" c="orange.8">
                {note}
              </Text>
            )}
          </Paper>

          <Box data-field="participants">
            <Group justify="space-between">
              <Text size="sm" fw={500}>
                {t('visits.log.participants')}
              </Text>
              <Button
                size="compact-xs"
                variant="subtle"
                onClick={() => update((f) => ({ participants: [...f.participants, { name: '', role: 'customer_manager' }] }))}
              >
                + {t('visits.log.addParticipant')}
              </Button>
            </Group>
            {form.participants.map((p, i) => (
              <Group key={i} gap={4} wrap="nowrap" mt={4}>
                <TextInput
                  size="xs"
                  style={{ flex: 1 }}
                  placeholder={t('visits.log.participantName')}
                  value={p.name}
                  onChange={(e) => {
                    const name = e.currentTarget.value
                    update((f) => ({ participants: f.participants.map((x, j) => (j === i ? { ...x, name } : x)) }))
                  }}
                />
                <Select
                  size="xs"
                  w={150}
                  data={participantRoles.map((r) => ({ value: r, label: t(`visits.role.${r}`) }))}
                  value={p.role}
                  allowDeselect={false}
                  onChange={(v) => v && update((f) => ({ participants: f.participants.map((x, j) => (j === i ? { ...x, role: v as ParticipantRole } : x)) }))}
                />
                <CloseButton size="sm" onClick={() => update((f) => ({ participants: f.participants.filter((_, j) => j !== i) }))} />
              </Group>
            ))}
          </Box>

          <SimpleGrid cols={2} spacing="xs">
            <Autocomplete
              size="xs"
              label={t('visits.log.purpose')}
              data={PURPOSES}
              value={form.purpose}
              onChange={(v) => {
                update({ purpose: v })
                clearError('purpose')
              }}
              error={err('purpose')}
              data-field="purpose"
            />
            <Select
              size="xs"
              label={t('visits.log.funnelTo')}
              disabled={targetRow?.kind !== 'customer'}
              data={[
                { value: '', label: t('visits.log.funnelKeep', { stage: stageName(targetRow?.funnelStage ?? null) }) },
                ...funnelStages.filter((s) => s !== targetRow?.funnelStage).map((s) => ({ value: s, label: t(`visits.stage.${s}`) })),
              ]}
              value={form.funnelTo}
              onChange={(v) => {
                update({ funnelTo: (v ?? '') as FunnelStage | '' })
                clearError('funnelTo')
              }}
              error={err('funnelTo')}
              data-field="funnelTo"
            />
          </SimpleGrid>
          <Box>
            <Textarea
              size="xs"
              label={t('visits.log.outcome')}
              autosize
              minRows={2}
              maxRows={4}
              value={form.outcome}
              onChange={(e) => {
                update({ outcome: e.currentTarget.value })
                clearError('outcome')
              }}
              error={err('outcome')}
              data-field="outcome"
            />
            <Group gap={4} mt={4}>
              {OUTCOMES.map((o) => (
                <Badge
                  key={o.text}
                  data-preset={o.text}
                  variant="outline"
                  color="gray"
                  style={{ cursor: 'pointer', textTransform: 'none' }}
                  onClick={() => {
                    update((f) => ({
                      outcome: o.text,
                      funnelTo:
                        o.stage &&
                        targetRow?.kind === 'customer' &&
                        o.stage !== targetRow.funnelStage &&
                        funnelStages.indexOf(o.stage) > funnelStages.indexOf(targetRow.funnelStage!)
                          ? o.stage
                          : f.funnelTo,
                    }))
                    clearError('outcome')
                  }}
                >
                  {o.text}
                </Badge>
              ))}
            </Group>
          </Box>

          <Box data-field="products">
            <Group justify="space-between">
              <Text size="sm" fw={500}>
                {t('visits.log.products')}
              </Text>
              <Button
                size="compact-xs"
                variant="subtle"
                onClick={() => update((f) => ({ products: [...f.products, { product: '', outcome: 'pitched', quantity: '1' }] }))}
              >
                + {t('visits.log.addProduct')}
              </Button>
            </Group>
            {form.products.map((p, i) => (
              <Group key={i} gap={4} wrap="nowrap" mt={4} align="flex-start">
                <Autocomplete
                  size="xs"
                  style={{ flex: 1 }}
                  placeholder={t('visits.log.product')}
                  data={PRODUCTS}
                  value={p.product}
                  error={err(`products.${i}.product`)}
                  onChange={(v) => {
                    update((f) => ({ products: f.products.map((x, j) => (j === i ? { ...x, product: v } : x)) }))
                    clearError(`products.${i}.product`)
                  }}
                />
                <SegmentedControl
                  size="xs"
                  data={[
                    { value: 'pitched', label: t('visits.log.pitched') },
                    { value: 'sold', label: t('visits.log.sold') },
                  ]}
                  value={p.outcome}
                  onChange={(v) => update((f) => ({ products: f.products.map((x, j) => (j === i ? { ...x, outcome: v as 'pitched' | 'sold' } : x)) }))}
                />
                <TextInput
                  size="xs"
                  w={60}
                  aria-label={t('visits.log.quantity')}
                  value={p.quantity}
                  error={err(`products.${i}.quantity`)}
                  onChange={(e) => {
                    const quantity = e.currentTarget.value
                    update((f) => ({ products: f.products.map((x, j) => (j === i ? { ...x, quantity } : x)) }))
                    clearError(`products.${i}.quantity`)
                  }}
                />
                <CloseButton size="sm" onClick={() => update((f) => ({ products: f.products.filter((_, j) => j !== i) }))} />
              </Group>
            ))}
          </Box>

          <Box data-field="objections">
            <MultiSelect
              size="xs"
              label={t('visits.log.objections')}
              placeholder={form.objections.length ? undefined : t('visits.log.objectionsPlaceholder')}
              data={(library.value ?? []).map((o) => ({ value: o.code, label: en ? o.nameEn : o.nameZh }))}
              value={form.objections.map((o) => o.code)}
              onChange={(codes) =>
                update((f) => ({
                  objections: codes.map(
                    (code) =>
                      f.objections.find((o) => o.code === code) ?? { code, detail: '', answer: libraryByCode.get(code)?.suggestedAnswer ?? '', worked: false },
                  ),
                }))
              }
              searchable
              data-testid="objections"
            />
            {form.objections.map((o, i) => (
              <Paper key={o.code} withBorder p={6} mt={4} radius="sm" data-objection={o.code}>
                <Group gap={6} wrap="nowrap" align="flex-start">
                  <Badge variant="light" style={{ flexShrink: 0 }} mt={4}>
                    {(en ? libraryByCode.get(o.code)?.nameEn : libraryByCode.get(o.code)?.nameZh) ?? o.code}
                  </Badge>
                  <Stack gap={4} style={{ flex: 1 }}>
                    <TextInput
                      size="xs"
                      placeholder={t('visits.log.detail')}
                      value={o.detail}
                      onChange={(e) => {
                        const detail = e.currentTarget.value
                        update((f) => ({ objections: f.objections.map((x, j) => (j === i ? { ...x, detail } : x)) }))
                      }}
                    />
                    <Group gap={6} wrap="nowrap">
                      <TextInput
                        size="xs"
                        style={{ flex: 1 }}
                        placeholder={t('visits.log.answer')}
                        value={o.answer}
                        error={err(`objections.${i}.code`)}
                        onChange={(e) => {
                          const answer = e.currentTarget.value
                          update((f) => ({ objections: f.objections.map((x, j) => (j === i ? { ...x, answer } : x)) }))
                        }}
                      />
                      <Checkbox
                        size="xs"
                        label={t('visits.log.answerWorked')}
                        checked={o.worked}
                        onChange={(e) => {
                          const worked = e.currentTarget.checked
                          update((f) => ({ objections: f.objections.map((x, j) => (j === i ? { ...x, worked } : x)) }))
                        }}
                      />
                    </Group>
                  </Stack>
                </Group>
              </Paper>
            ))}
          </Box>

          <Paper withBorder p="xs" radius="sm" data-field="rivalNews">
            <Checkbox
              size="xs"
              label={t('visits.log.rivalNews')}
              checked={form.rival.on}
              onChange={(e) => {
                const on = e.currentTarget.checked
                update((f) => ({ rival: { ...f.rival, on } }))
              }}
              data-testid="rival-on"
            />
            {form.rival.on && (
              <Stack gap={4} mt={6}>
                <Group gap={4} grow>
                  <Select
                    size="xs"
                    data={rivals.map((r) => ({ value: r, label: t(`visits.rival.${r}`) }))}
                    value={form.rival.rival}
                    allowDeselect={false}
                    onChange={(v) => v && update((f) => ({ rival: { ...f.rival, rival: v as Rival } }))}
                    aria-label="rival"
                  />
                  <Select
                    size="xs"
                    data={intelKinds.map((k) => ({ value: k, label: t(`visits.intelKind.${k}`) }))}
                    value={form.rival.kind}
                    allowDeselect={false}
                    onChange={(v) => v && update((f) => ({ rival: { ...f.rival, kind: v as IntelKind } }))}
                    aria-label={t('visits.log.rivalKind')}
                  />
                </Group>
                <TextInput
                  size="xs"
                  placeholder={t('visits.log.rivalTitle')}
                  value={form.rival.title}
                  error={err('rivalNews.title')}
                  onChange={(e) => {
                    const title = e.currentTarget.value
                    update((f) => ({ rival: { ...f.rival, title } }))
                    clearError('rivalNews.title')
                  }}
                  data-testid="rival-title"
                />
                <Group gap={4} grow align="flex-start">
                  <TextInput
                    size="xs"
                    label={t('visits.log.monthlyFee')}
                    value={form.rival.monthlyFee}
                    error={err('rivalNews.monthlyFee')}
                    onChange={(e) => {
                      const monthlyFee = e.currentTarget.value
                      update((f) => ({ rival: { ...f.rival, monthlyFee } }))
                      clearError('rivalNews.monthlyFee')
                    }}
                    data-testid="rival-fee"
                  />
                  <TextInput
                    size="xs"
                    label={t('visits.log.threat')}
                    value={form.rival.threat}
                    error={err('rivalNews.threatLevel')}
                    onChange={(e) => {
                      const threat = e.currentTarget.value
                      update((f) => ({ rival: { ...f.rival, threat } }))
                      clearError('rivalNews.threatLevel')
                    }}
                  />
                </Group>
              </Stack>
            )}
          </Paper>

          <Group gap={4} align="flex-start" wrap="nowrap" data-field="nextAction">
            <TextInput
              size="xs"
              style={{ flex: 1 }}
              label={t('visits.log.nextAction')}
              value={form.next.action}
              error={err('nextAction.action')}
              onChange={(e) => {
                const action = e.currentTarget.value
                update((f) => ({ next: { ...f.next, action } }))
                clearError('nextAction.action')
              }}
              data-testid="next-action"
            />
            <DateField
              w={150}
              clearable
              label={t('visits.log.nextActionDue')}
              value={form.next.due}
              error={err('nextAction.due')}
              onChange={(due) => {
                update((f) => ({ next: { ...f.next, due } }))
                clearError('nextAction.due')
              }}
              data-testid="next-due"
            />
          </Group>

          <Box data-field="photos">
            <Group justify="space-between">
              <Text size="sm" fw={500}>
                {t('visits.log.photos')}
              </Text>
              <FileButton onChange={(files) => void addPhotos(files)} accept="image/*,application/pdf" multiple>
                {(props) => (
                  <Button size="compact-xs" variant="subtle" {...props}>
                    + {t('visits.log.addPhotos')}
                  </Button>
                )}
              </FileButton>
            </Group>
            {err('photos') && (
              <Text size="xs" c="red">
                {err('photos')}
              </Text>
            )}
            <Group gap={6} mt={4}>
              {form.photos.map((p, i) => (
                <Box key={p.sha256} pos="relative" data-photo={p.sha256}>
                  {p.preview ? (
                    <Image src={p.preview} w={64} h={64} radius="sm" fit="cover" alt={p.fileName} />
                  ) : (
                    <Paper withBorder w={64} h={64} p={4}>
                      <Text size="xs" truncate>
                        {p.fileName}
                      </Text>
                    </Paper>
                  )}
                  <ActionIcon
                    size="xs"
                    color="gray"
                    variant="filled"
                    pos="absolute"
                    top={2}
                    right={2}
                    aria-label="remove"
                    onClick={() => update((f) => ({ photos: f.photos.filter((_, j) => j !== i) }))}
                  >
                    ×
                  </ActionIcon>
                </Box>
              ))}
            </Group>
          </Box>

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
        <Box
          pos="relative"
          h={330}
          style={{ borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden', border: '1px solid var(--mantine-color-gray-3)', flexShrink: 0 }}
          data-testid="checkin-mapbox"
        >
          <RouteMap
            grid={grid}
            points={points}
            picking={picking}
            onPick={
              picking
                ? (p) => {
                    update({ checkIn: { at: new Date().toISOString(), lon: p.lon, lat: p.lat, source: 'map' } })
                    setPicking(false)
                    clearError('checkIn')
                    setNote(null)
                  }
                : undefined
            }
            focus={focus}
          />
        </Box>
        <NumberInput
          size="xs"
          label={t('visits.log.radius')}
          value={radius}
          min={10}
          max={100000}
          step={50}
          w={160}
          onChange={(v) => {
            const n = Number(v) || DEFAULT_CHECK_IN_RADIUS_M
            setRadius(n)
            localStorage.setItem(RADIUS_KEY, String(n))
          }}
        />
        <Text size="sm" fw={500}>
          {t('visits.log.recent')}
        </Text>
        <ScrollArea style={{ flex: 1 }} type="auto">
          <Stack gap={4} data-testid="recent-visits">
            {(recent.value ?? []).length === 0 && (
              <Text size="xs" c="dimmed">
                {t('visits.log.noRecent')}
              </Text>
            )}
            {(recent.value ?? []).map((v) => (
              <Paper
                key={v.id}
                withBorder
                p={6}
                radius="sm"
                component="button"
                type="button"
                onClick={() => onOpenVisit(v.id)}
                data-recent={v.id}
                style={{ cursor: 'pointer', textAlign: 'left', width: '100%', background: 'var(--mantine-color-body)' }}
              >
                <Group justify="space-between" wrap="nowrap">
                  <Text size="sm" fw={500} truncate>
                    {v.targetName}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {v.at ? listTimeOf(v.at) : ''}
                  </Text>
                </Group>
                <Text size="xs" c="dimmed" truncate>
                  {[v.purpose, v.outcome].filter(Boolean).join(' · ')}
                </Text>
              </Paper>
            ))}
          </Stack>
        </ScrollArea>
      </Stack>
    </Box>
  )
}
