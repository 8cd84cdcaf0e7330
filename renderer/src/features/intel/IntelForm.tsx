// Record or edit competitor intel: rival, kind, where (a village and/or a point picked on the map),
// when and how long valid, source and reliability, the structured price fields, threat and
// response. An edit sends only the fields that changed (intel.update, through the outbox), so a
// colleague's edit of another field is not overwritten. The core validates; problems show under
// their fields, translated, and nothing is stored.
import { Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useMap, useMapEvents, CircleMarker } from 'react-leaflet'
import type { IntelDetail } from '../../../../shared/api/intel'
import { intelKinds, rivals } from '../../../../shared/domain'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { CountyMap } from '../../map/CountyMap'
import { dayOf } from '../../../../shared/dates'
import { DateField } from '../../shell/DateField'
import { ErrorAlert } from '../../shell/errors'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedGuard } from '../../shell/unsaved'
import { useSearchSelect } from '../../shell/useSearch'
import { fieldErrors } from '../customers/fieldErrors'

type Num = number | string
const numberFields = ['monthlyFee', 'dataGb', 'voiceMinutes', 'broadbandMbps', 'contractMonths', 'deviceSubsidy'] as const

interface Draft {
  rival: string | null
  kind: string | null
  title: string
  description: string
  villageId: string | null
  lon: Num
  lat: Num
  seenAt: string
  validFrom: string
  validTo: string
  source: string
  reliability: Num
  threatLevel: Num
  suggestedResponse: string
  monthlyFee: Num
  dataGb: Num
  voiceMinutes: Num
  broadbandMbps: Num
  contractMonths: Num
  deviceSubsidy: Num
}

const today = () => dayOf(new Date())

function draftOf(intel?: IntelDetail): Draft {
  if (!intel)
    return {
      rival: 'telecom',
      kind: 'price',
      title: '',
      description: '',
      villageId: null,
      lon: '',
      lat: '',
      seenAt: today(),
      validFrom: today(),
      validTo: '',
      source: '',
      reliability: 3,
      threatLevel: 3,
      suggestedResponse: '',
      monthlyFee: '',
      dataGb: '',
      voiceMinutes: '',
      broadbandMbps: '',
      contractMonths: '',
      deviceSubsidy: '',
    }
  return {
    rival: intel.rival,
    kind: intel.kind,
    title: intel.title,
    description: intel.description ?? '',
    villageId: intel.villageId,
    lon: intel.lon ?? '',
    lat: intel.lat ?? '',
    // The date input shows the day; an unchanged day leaves the stored time of day alone (not in the patch).
    seenAt: dayOf(intel.seenAt),
    validFrom: intel.validFrom ?? '',
    validTo: intel.validTo ?? '',
    source: intel.source ?? '',
    reliability: intel.reliability ?? '',
    threatLevel: intel.threatLevel ?? '',
    suggestedResponse: intel.suggestedResponse ?? '',
    ...(Object.fromEntries(numberFields.map((f) => [f, intel[f] ?? ''])) as Record<(typeof numberFields)[number], Num>),
  }
}

const n = (v: Num) => (v === '' ? null : Number(v))
const s = (v: string) => (v.trim() === '' ? null : v.trim())

/** The draft as the contract's fields (what create takes; an edit sends those that differ). */
function fieldsOf(d: Draft): Record<string, unknown> {
  return {
    rival: d.rival ?? undefined,
    kind: d.kind ?? undefined,
    title: d.title,
    description: s(d.description),
    villageId: d.villageId,
    lon: n(d.lon),
    lat: n(d.lat),
    seenAt: d.seenAt,
    validFrom: s(d.validFrom),
    validTo: s(d.validTo),
    source: s(d.source),
    reliability: n(d.reliability),
    threatLevel: n(d.threatLevel),
    suggestedResponse: s(d.suggestedResponse),
    ...Object.fromEntries(numberFields.map((f) => [f, n(d[f])])),
  }
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])))
}

/** Errors an edit clears besides its own field's: where is one question, and so is the validity range. */
const clearedBy: Partial<Record<keyof Draft, string[]>> = {
  villageId: ['villageId', 'lon', 'lat'],
  lon: ['villageId', 'lon', 'lat'],
  lat: ['villageId', 'lon', 'lat'],
  validFrom: ['validFrom', 'validTo'],
}

/** Clicks on the map pick the point; a record that has one opens the map zoomed in on it. */
function PickPoint({ at, onPick }: { at: [number, number] | null; onPick: (lon: number, lat: number) => void }) {
  const map = useMap()
  const [start] = useState(at)
  useEffect(() => {
    if (start) map.setView(start, 13, { animate: false })
  }, [map, start])
  useMapEvents({ click: (e) => onPick(Math.round(e.latlng.lng * 1e6) / 1e6, Math.round(e.latlng.lat * 1e6) / 1e6) })
  return null
}

export interface IntelFormProps {
  opened: boolean
  /** The record to edit; none to record a new one. */
  intel?: IntelDetail
  onClose: () => void
  onSaved: (intel: IntelDetail) => void
}

export function IntelForm({ opened, intel, onClose, onSaved }: IntelFormProps) {
  const { t } = useTranslation()
  const [d, setD] = useState<Draft>(() => draftOf(intel))
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [picking, setPicking] = useState(false)
  // A field's error goes away once the field is edited; the rest stay until the next save.
  const [edited, setEdited] = useState<Set<string>>(new Set())
  const villages = useCall('villages.list', opened ? { limit: 5000, sort: 'name' } : null)
  const overview = useCall('map.overview', opened && picking ? {} : null)
  const villageOptions = useMemo(() => (villages.value?.rows ?? []).map((v) => ({ value: v.id, label: v.name })), [villages.value])
  const villageSearch = useSearchSelect({ kinds: ['village'], options: villageOptions, value: d.villageId })
  useEffect(() => {
    if (!opened) return
    setD(draftOf(intel))
    setError(undefined)
    setEdited(new Set())
    setPicking(false)
  }, [opened, intel])

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setD((x) => ({ ...x, [k]: v }))
    setEdited((e) => new Set([...e, ...(clearedBy[k] ?? [k])]))
  }
  // Unsaved while the form differs from what it opened with; Esc, a click outside, × and 取消 ask first.
  const dirty = opened && JSON.stringify(d) !== JSON.stringify(draftOf(intel))
  const { dialog, guard } = useUnsavedGuard('intel-form', dirty)
  const close = () => guard(onClose)
  const allErrors = fieldErrors(t, error, intel ? ['patch'] : [])
  const errors = Object.fromEntries(Object.entries(allErrors).filter(([f]) => !edited.has(f)))

  const save = async () => {
    setBusy(true)
    setError(undefined)
    setEdited(new Set())
    try {
      let saved: IntelDetail
      if (intel) {
        const patch = changedFields(fieldsOf(draftOf(intel)), fieldsOf(d))
        // Nothing changed: nothing to send (an empty patch is refused by the contract).
        saved = Object.keys(patch).length === 0 ? intel : await call('intel.update', { id: intel.id, patch: patch as never })
      } else {
        saved = await call('intel.create', fieldsOf(d) as never)
      }
      toastSaved(t('field.undo.saved'))
      onSaved(saved)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const hasFieldErrors = Object.keys(allErrors).length > 0

  return (
    <>
      {dialog}
      <Modal
        opened={opened}
        onClose={close}
        title={t(intel ? 'intel.form.editTitle' : 'intel.form.createTitle')}
        size="xl"
        data-testid="intel-form"
        data-mode={intel ? 'edit' : 'create'}
      >
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void save()
          }}
          noValidate
        >
          <Stack gap={6}>
            <SimpleGrid cols={3} spacing="sm" verticalSpacing={6}>
              <Select
                label={t('intel.form.rival')}
                required
                allowDeselect={false}
                value={d.rival}
                onChange={(v) => set('rival', v)}
                data={rivals.map((r) => ({ value: r, label: t(`customers.rival.${r}`) }))}
                error={errors.rival}
                data-field="rival"
              />
              <Select
                label={t('intel.form.kind')}
                required
                allowDeselect={false}
                value={d.kind}
                onChange={(v) => set('kind', v)}
                data={intelKinds.map((k) => ({ value: k, label: t(`intel.kind.${k}`) }))}
                error={errors.kind}
                data-field="kind"
              />
              <DateField
                size="sm"
                required
                label={t('intel.form.seenAt')}
                value={d.seenAt}
                onChange={(v) => set('seenAt', v)}
                error={errors.seenAt}
                data-field="seenAt"
              />
            </SimpleGrid>
            <TextInput
              label={t('intel.form.title')}
              required
              value={d.title}
              onChange={(e) => set('title', e.currentTarget.value)}
              error={errors.title}
              data-field="title"
            />
            <Group align="flex-start" gap="sm" wrap="nowrap">
              <Select
                style={{ flex: 1 }}
                label={t('intel.form.village')}
                {...villageSearch}
                clearable
                limit={50}
                value={d.villageId}
                onChange={(v) => set('villageId', v)}
                error={errors.villageId}
                data-field="villageId"
              />
              <NumberInput
                w={130}
                label={t('intel.form.lon')}
                value={d.lon}
                onChange={(v) => set('lon', v)}
                decimalScale={6}
                error={errors.lon}
                data-field="lon"
              />
              <NumberInput
                w={130}
                label={t('intel.form.lat')}
                value={d.lat}
                onChange={(v) => set('lat', v)}
                decimalScale={6}
                error={errors.lat}
                data-field="lat"
              />
              <Button mt={25} variant={picking ? 'filled' : 'light'} onClick={() => setPicking((p) => !p)} data-testid="intel-pick-point">
                {t(picking ? 'intel.form.pickDone' : 'intel.form.wherePoint')}
              </Button>
            </Group>
            <Text size="xs" c="dimmed" mt={-4}>
              {t(picking ? 'intel.form.pickHint' : 'intel.form.whereHint')}
            </Text>
            {picking && overview.value && (
              <div style={{ height: 200, borderRadius: 6, overflow: 'hidden', border: '1px solid var(--mantine-color-gray-3)' }}>
                <CountyMap overview={overview.value} onSelectGrid={() => {}}>
                  <PickPoint
                    at={d.lon !== '' && d.lat !== '' ? [Number(d.lat), Number(d.lon)] : null}
                    onPick={(lon, lat) => {
                      set('lon', lon)
                      set('lat', lat)
                    }}
                  />
                  {d.lon !== '' && d.lat !== '' && (
                    <CircleMarker center={[Number(d.lat), Number(d.lon)]} radius={7} pathOptions={{ color: '#000', fillColor: '#ff9800', fillOpacity: 1 }} />
                  )}
                </CountyMap>
              </div>
            )}
            <SimpleGrid cols={4} spacing="sm" verticalSpacing={6}>
              <DateField
                size="sm"
                clearable
                label={t('intel.form.validFrom')}
                value={d.validFrom}
                onChange={(v) => set('validFrom', v)}
                error={errors.validFrom}
                data-field="validFrom"
              />
              <DateField
                size="sm"
                clearable
                label={t('intel.form.validTo')}
                value={d.validTo}
                onChange={(v) => set('validTo', v)}
                error={errors.validTo}
                data-field="validTo"
              />
              <TextInput
                label={t('intel.form.source')}
                value={d.source}
                onChange={(e) => set('source', e.currentTarget.value)}
                error={errors.source}
                data-field="source"
              />
              <NumberInput
                label={t('intel.form.reliability')}
                min={1}
                max={5}
                clampBehavior="none"
                allowDecimal={false}
                value={d.reliability}
                onChange={(v) => set('reliability', v)}
                error={errors.reliability}
                data-field="reliability"
              />
            </SimpleGrid>
            <Text size="sm" fw={600} mt={4}>
              {t('intel.form.prices')}
            </Text>
            <SimpleGrid cols={6} spacing="xs" verticalSpacing={6}>
              {numberFields.map((f) => (
                <NumberInput
                  key={f}
                  label={t(`intel.form.${f}`)}
                  min={0}
                  clampBehavior="none"
                  value={d[f]}
                  onChange={(v) => set(f, v)}
                  error={errors[f]}
                  data-field={f}
                />
              ))}
            </SimpleGrid>
            <SimpleGrid cols={2} spacing="sm" verticalSpacing={6}>
              <NumberInput
                label={t('intel.form.threatLevel')}
                min={1}
                max={5}
                clampBehavior="none"
                allowDecimal={false}
                value={d.threatLevel}
                onChange={(v) => set('threatLevel', v)}
                error={errors.threatLevel}
                data-field="threatLevel"
              />
              <TextInput
                label={t('intel.form.suggestedResponse')}
                value={d.suggestedResponse}
                onChange={(e) => set('suggestedResponse', e.currentTarget.value)}
                error={errors.suggestedResponse}
              />
            </SimpleGrid>
            <Textarea
              label={t('intel.form.description')}
              autosize
              minRows={1}
              maxRows={4}
              value={d.description}
              onChange={(e) => set('description', e.currentTarget.value)}
              error={errors.description}
            />
            {Object.keys(errors).length > 0 && (
              <Text c="red" size="sm" role="alert" data-testid="intel-form-invalid">
                {t('customers.form.invalid')}
              </Text>
            )}
            {error !== undefined && !hasFieldErrors && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={close} data-testid="intel-cancel">
                {t('intel.form.cancel')}
              </Button>
              <Button type="submit" loading={busy} data-testid="intel-save">
                {t('intel.form.save')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  )
}
