// Record competitor intel: rival, kind, where (a village, or a point picked on the map), when and
// how long valid, source and reliability, the structured price fields, threat and response. The
// core validates; problems show under their fields, translated, and nothing is stored.
import { Button, Group, Modal, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useMapEvents, CircleMarker } from 'react-leaflet'
import type { IntelDetail } from '../../../../shared/api/intel'
import { intelKinds, rivals } from '../../../../shared/domain'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { CountyMap } from '../../map/CountyMap'
import { ErrorAlert } from '../../shell/errors'
import { fieldErrors } from '../customers/fieldErrors'

type Num = number | string
const numberFields = ['monthlyFee', 'dataGb', 'voiceMinutes', 'broadbandMbps', 'contractMonths', 'deviceSubsidy'] as const

function PickPoint({ onPick }: { onPick: (lon: number, lat: number) => void }) {
  useMapEvents({ click: (e) => onPick(Math.round(e.latlng.lng * 1e6) / 1e6, Math.round(e.latlng.lat * 1e6) / 1e6) })
  return null
}

export function IntelForm({ opened, onClose, onSaved }: { opened: boolean; onClose: () => void; onSaved: (i: IntelDetail) => void }) {
  const { t } = useTranslation()
  const today = new Date().toISOString().slice(0, 10)
  const empty = () => ({
    rival: 'telecom' as string | null, kind: 'price' as string | null, title: '', description: '', where: 'village' as 'village' | 'point', villageId: null as string | null,
    lon: '' as Num, lat: '' as Num, seenAt: today, validFrom: today, validTo: '', source: '', reliability: 3 as Num, threatLevel: 3 as Num, suggestedResponse: '',
    monthlyFee: '' as Num, dataGb: '' as Num, voiceMinutes: '' as Num, broadbandMbps: '' as Num, contractMonths: '' as Num, deviceSubsidy: '' as Num,
  })
  const [d, setD] = useState(empty)
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const villages = useCall('villages.list', opened ? { limit: 5000, sort: 'name' } : null)
  const overview = useCall('map.overview', opened && d.where === 'point' ? {} : null)
  // A field's error goes away once the field is edited; the rest stay until the next save.
  const [edited, setEdited] = useState<Set<string>>(new Set())
  const set = <K extends keyof ReturnType<typeof empty>>(k: K, v: ReturnType<typeof empty>[K]) => {
    setD((x) => ({ ...x, [k]: v }))
    setEdited((e) => new Set(e).add(k).add(k === 'lon' || k === 'lat' || k === 'where' ? 'villageId' : k))
  }
  const allErrors = fieldErrors(t, error)
  const errors = Object.fromEntries(Object.entries(allErrors).filter(([f]) => !edited.has(f)))
  const n = (v: Num) => (v === '' ? null : Number(v))
  const s = (v: string) => (v.trim() === '' ? null : v.trim())

  const save = async () => {
    setBusy(true)
    setError(undefined)
    setEdited(new Set())
    try {
      const saved = await call('intel.create', {
        rival: (d.rival ?? undefined) as never, kind: (d.kind ?? undefined) as never, title: d.title, description: s(d.description),
        ...(d.where === 'village' ? { villageId: d.villageId } : { lon: n(d.lon), lat: n(d.lat) }),
        seenAt: d.seenAt, validFrom: s(d.validFrom), validTo: s(d.validTo), source: s(d.source), reliability: n(d.reliability), threatLevel: n(d.threatLevel),
        suggestedResponse: s(d.suggestedResponse), ...Object.fromEntries(numberFields.map((f) => [f, n(d[f])])),
      })
      setD(empty())
      onSaved(saved)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const hasFieldErrors = Object.keys(allErrors).length > 0

  return (
    <Modal opened={opened} onClose={onClose} title={t('intel.form.createTitle')} size="xl" data-testid="intel-form">
      <form onSubmit={(e) => { e.preventDefault(); void save() }} noValidate>
        <Stack gap={6}>
          <SimpleGrid cols={3} spacing="sm" verticalSpacing={6}>
            <Select label={t('intel.form.rival')} required value={d.rival} onChange={(v) => set('rival', v)} data={rivals.map((r) => ({ value: r, label: t(`customers.rival.${r}`) }))} error={errors.rival} />
            <Select label={t('intel.form.kind')} required value={d.kind} onChange={(v) => set('kind', v)} data={intelKinds.map((k) => ({ value: k, label: t(`intel.kind.${k}`) }))} error={errors.kind} />
            <TextInput label={t('intel.form.seenAt')} type="date" required value={d.seenAt} onChange={(e) => set('seenAt', e.currentTarget.value)} error={errors.seenAt} />
          </SimpleGrid>
          <TextInput label={t('intel.form.title')} required value={d.title} onChange={(e) => set('title', e.currentTarget.value)} error={errors.title} data-field="title" />
          <Group align="flex-end" gap="sm">
            <SegmentedControl value={d.where} onChange={(v) => set('where', v as 'village' | 'point')} data={[{ value: 'village', label: t('intel.form.whereVillage') }, { value: 'point', label: t('intel.form.wherePoint') }]} />
            {d.where === 'village' ? (
              <Select style={{ flex: 1 }} label={t('intel.form.village')} searchable clearable limit={50} value={d.villageId} onChange={(v) => set('villageId', v)} data={(villages.value?.rows ?? []).map((v) => ({ value: v.id, label: v.name }))} error={errors.villageId} data-field="villageId" />
            ) : (
              <>
                <NumberInput w={130} label={t('intel.form.lon')} value={d.lon} onChange={(v) => set('lon', v)} decimalScale={6} error={errors.lon ?? errors.villageId} />
                <NumberInput w={130} label={t('intel.form.lat')} value={d.lat} onChange={(v) => set('lat', v)} decimalScale={6} error={errors.lat} />
                <Text size="xs" c="dimmed">{t('intel.form.pickHint')}</Text>
              </>
            )}
          </Group>
          {d.where === 'point' && overview.value && (
            <div style={{ height: 200, borderRadius: 6, overflow: 'hidden', border: '1px solid var(--mantine-color-gray-3)' }}>
              <CountyMap overview={overview.value} onSelectGrid={() => {}}>
                <PickPoint onPick={(lon, lat) => setD((x) => ({ ...x, lon, lat }))} />
                {d.lon !== '' && d.lat !== '' && <CircleMarker center={[Number(d.lat), Number(d.lon)]} radius={7} pathOptions={{ color: '#000', fillColor: '#ff9800', fillOpacity: 1 }} />}
              </CountyMap>
            </div>
          )}
          <SimpleGrid cols={4} spacing="sm" verticalSpacing={6}>
            <TextInput label={t('intel.form.validFrom')} type="date" value={d.validFrom} onChange={(e) => set('validFrom', e.currentTarget.value)} error={errors.validFrom} />
            <TextInput label={t('intel.form.validTo')} type="date" value={d.validTo} onChange={(e) => set('validTo', e.currentTarget.value)} error={errors.validTo} data-field="validTo" />
            <TextInput label={t('intel.form.source')} value={d.source} onChange={(e) => set('source', e.currentTarget.value)} error={errors.source} />
            <NumberInput label={t('intel.form.reliability')} min={1} max={5} value={d.reliability} onChange={(v) => set('reliability', v)} error={errors.reliability} />
          </SimpleGrid>
          <Text size="sm" fw={600} mt={4}>{t('intel.form.prices')}</Text>
          <SimpleGrid cols={6} spacing="xs" verticalSpacing={6}>
            {numberFields.map((f) => <NumberInput key={f} label={t(`intel.form.${f}`)} min={0} value={d[f]} onChange={(v) => set(f, v)} error={errors[f]} data-field={f} />)}
          </SimpleGrid>
          <SimpleGrid cols={2} spacing="sm" verticalSpacing={6}>
            <NumberInput label={t('intel.form.threatLevel')} min={1} max={5} value={d.threatLevel} onChange={(v) => set('threatLevel', v)} error={errors.threatLevel} />
            <TextInput label={t('intel.form.suggestedResponse')} value={d.suggestedResponse} onChange={(e) => set('suggestedResponse', e.currentTarget.value)} error={errors.suggestedResponse} />
          </SimpleGrid>
          <Textarea label={t('intel.form.description')} autosize minRows={1} maxRows={4} value={d.description} onChange={(e) => set('description', e.currentTarget.value)} error={errors.description} />
          {Object.keys(errors).length > 0 && <Text c="red" size="sm" role="alert" data-testid="intel-form-invalid">{t('customers.form.invalid')}</Text>}
          {error !== undefined && !hasFieldErrors && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('intel.form.cancel')}</Button>
            <Button type="submit" loading={busy} data-testid="intel-save">{t('intel.form.save')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
