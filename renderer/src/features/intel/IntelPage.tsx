// Competitor intel: the list with filters (rival, kind, grid, valid on a date, threat), the pins
// on the county map beside it, and the selected record with its comparison against our offers
// and the flyer photos (thumbnails drawn here on a canvas; the core only stores files). A record
// opens for editing from its row, from the detail panel (also reached from its map pin).
import { dayOf } from '../../../../shared/dates'
import { DateField } from '../../shell/DateField'
import {
  ActionIcon,
  Badge,
  Box,
  Button,
  Group,
  Image,
  Loader,
  NumberInput,
  Paper,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { IntelDetail, IntelRow } from '../../../../shared/api/intel'
import { intelKinds, rivals, type IntelKind, type Rival } from '../../../../shared/domain'
import type { OfferMetrics } from '../../../../shared/offers'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { CountyMap } from '../../map/CountyMap'
import { ErrorAlert } from '../../shell/errors'
import { currentLanguage } from '../../shell/i18n'
import { IntelForm } from './IntelForm'
import { IntelPins } from './IntelPins'
import { RIVAL_COLOURS } from '../../map/symbols'

export function IntelPage() {
  const { t } = useTranslation()
  const [filters, setFilters] = useState<{ rival?: Rival; kind?: IntelKind; gridId?: string; validOn?: string; minThreat?: number }>({})
  const [selectedId, setSelectedId] = useState<string>()
  // One form for both: opened with no record to create, with a record to edit (kept while it closes).
  const [formOpen, setFormOpen] = useState(false)
  const [editing, setEditing] = useState<IntelDetail>()
  const openForm = (intel?: IntelDetail) => {
    setEditing(intel)
    setFormOpen(true)
  }
  /** Bumped after an edit so the detail panel and its comparison are read again. */
  const [version, setVersion] = useState(0)
  const [openError, setOpenError] = useState<unknown>()
  const edit = (id: string) => {
    setOpenError(undefined)
    call('intel.get', { id }).then(openForm, setOpenError)
  }
  const grids = useCall('grids.list', { limit: 1000 })
  const list = useCall('intel.list', { ...filters, limit: 500 })
  const overview = useCall('map.overview', {})
  const rows = list.value?.rows ?? []
  const set = <K extends keyof typeof filters>(k: K, v: (typeof filters)[K] | undefined) =>
    setFilters((f) => {
      const next = { ...f }
      if (v === undefined || v === null || v === '') delete next[k]
      else next[k] = v
      return next
    })

  return (
    <Box data-page="intel" h="100%" style={{ display: 'flex', gap: 'var(--mantine-spacing-md)', minHeight: 0 }}>
      <Stack gap="xs" style={{ flex: 1, minWidth: 0, minHeight: 0 }}>
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h3">
            {t('intel.title')}
          </Title>
          <Button onClick={() => openForm()} data-testid="new-intel">
            {t('intel.new')}
          </Button>
        </Group>
        <Group gap={6} wrap="wrap">
          <Select
            size="xs"
            w={110}
            clearable
            placeholder={t('intel.filters.rival')}
            aria-label={t('intel.filters.rival')}
            value={filters.rival ?? null}
            onChange={(v) => set('rival', (v ?? undefined) as Rival)}
            data={rivals.map((r) => ({ value: r, label: t(`customers.rival.${r}`) }))}
            data-testid="intel-filter-rival"
          />
          <Select
            size="xs"
            w={130}
            clearable
            placeholder={t('intel.filters.kind')}
            aria-label={t('intel.filters.kind')}
            value={filters.kind ?? null}
            onChange={(v) => set('kind', (v ?? undefined) as IntelKind)}
            data={intelKinds.map((k) => ({ value: k, label: t(`intel.kind.${k}`) }))}
          />
          <Select
            size="xs"
            w={150}
            clearable
            searchable
            placeholder={t('intel.filters.grid')}
            aria-label={t('intel.filters.grid')}
            value={filters.gridId ?? null}
            onChange={(v) => set('gridId', v ?? undefined)}
            data={(grids.value ?? []).map((g) => ({ value: g.id, label: g.name }))}
          />
          <DateField
            w={140}
            clearable
            aria-label={t('intel.filters.validOn')}
            value={filters.validOn ?? ''}
            onChange={(day) => set('validOn', day || undefined)}
          />
          <NumberInput
            size="xs"
            w={90}
            min={1}
            max={5}
            placeholder={t('intel.filters.threat')}
            aria-label={t('intel.filters.threat')}
            value={filters.minThreat ?? ''}
            onChange={(v) => set('minThreat', v === '' ? undefined : Number(v))}
          />
        </Group>
        {list.error !== undefined && <ErrorAlert error={list.error} onRetry={list.reload} />}
        {openError !== undefined && <ErrorAlert error={openError} onClose={() => setOpenError(undefined)} />}
        <Text size="sm" c="dimmed" data-testid="intel-count">
          {list.value ? t('intel.count', { count: list.value.total }) : t('shell.loading')}
        </Text>
        <ScrollArea type="auto" style={{ flex: 1, minHeight: 0 }}>
          <Table highlightOnHover stickyHeader verticalSpacing={5} fz="sm" data-testid="intel-table">
            <Table.Thead>
              <Table.Tr>
                {(['seenAt', 'rival', 'kind', 'title', 'where', 'fee', 'threat'] as const).map((c) => (
                  <Table.Th key={c} style={{ whiteSpace: 'nowrap' }}>
                    {t(`intel.col.${c}`)}
                  </Table.Th>
                ))}
                <Table.Th w={36}>
                  <VisuallyHidden>{t('intel.col.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr
                  key={r.id}
                  data-intel-id={r.id}
                  onClick={() => setSelectedId(r.id)}
                  onDoubleClick={() => edit(r.id)}
                  style={{ cursor: 'pointer' }}
                  bg={r.id === selectedId ? 'var(--mantine-primary-color-light)' : undefined}
                  aria-selected={r.id === selectedId}
                >
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{dayOf(r.seenAt)}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" radius="sm" color={RIVAL_COLOURS[r.rival]} variant="light">
                      {t(`customers.rival.${r.rival}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{t(`intel.kind.${r.kind}`)}</Table.Td>
                  <Table.Td data-testid="intel-row-title">{r.title}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{where(t, r)}</Table.Td>
                  <Table.Td ta="right">{r.monthlyFee ?? '—'}</Table.Td>
                  <Table.Td>
                    <Threat level={r.threatLevel} />
                  </Table.Td>
                  <Table.Td p={0}>
                    <ActionIcon
                      size="sm"
                      variant="subtle"
                      color="gray"
                      aria-label={t('intel.editRecord', { title: r.title })}
                      title={t('intel.edit')}
                      onClick={(e) => {
                        e.stopPropagation()
                        setSelectedId(r.id)
                        edit(r.id)
                      }}
                      data-testid="intel-row-edit"
                    >
                      ✎
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {list.value && rows.length === 0 && (
            <Text c="dimmed" ta="center" py="xl">
              {t('intel.empty')}
            </Text>
          )}
        </ScrollArea>
      </Stack>
      <Stack w={400} gap="sm" style={{ flexShrink: 0, minHeight: 0 }}>
        <Box
          h={selectedId ? 200 : '100%'}
          style={{ borderRadius: 8, overflow: 'hidden', border: '1px solid var(--mantine-color-gray-3)', flexShrink: 0, isolation: 'isolate' }}
          data-testid="intel-map"
        >
          {overview.value && overview.value.grids.features.length > 0 && (
            <CountyMap overview={overview.value} onSelectGrid={(gridId) => set('gridId', gridId)}>
              <IntelPins rows={rows} selectedId={selectedId} onSelect={setSelectedId} />
            </CountyMap>
          )}
        </Box>
        {selectedId && (
          <IntelDetailPanel
            key={`${selectedId}:${version}`}
            id={selectedId}
            onClose={() => setSelectedId(undefined)}
            onChanged={list.reload}
            onEdit={openForm}
          />
        )}
      </Stack>
      <IntelForm
        opened={formOpen}
        intel={editing}
        onClose={() => setFormOpen(false)}
        onSaved={(i) => {
          setFormOpen(false)
          list.reload()
          setSelectedId(i.id)
          setVersion((v) => v + 1)
        }}
      />
    </Box>
  )
}

const where = (t: (k: string, o?: Record<string, unknown>) => string, r: IntelRow) =>
  r.villageName ?? (r.lon !== null && r.lat !== null ? t('intel.mapPoint', { lon: r.lon.toFixed(3), lat: r.lat.toFixed(3) }) : '—')

function Threat({ level }: { level: number | null }) {
  if (level === null) return <>—</>
  return (
    <Badge size="sm" radius="sm" variant={level >= 4 ? 'filled' : 'light'} color={level >= 4 ? 'red' : level >= 3 ? 'orange' : 'gray'}>
      {level}
    </Badge>
  )
}

const metricKeys: (keyof OfferMetrics)[] = ['feePerGb', 'feePerMbps', 'contractMonths', 'deviceSubsidy', 'totalCost']

/** A JPEG thumbnail (longest side 320 px) drawn on a canvas; none if the browser cannot decode it. */
async function thumbnail(file: File): Promise<string | undefined> {
  try {
    const bitmap = await createImageBitmap(file)
    const scale = Math.min(1, 320 / Math.max(bitmap.width, bitmap.height))
    const canvas = document.createElement('canvas')
    canvas.width = Math.max(1, Math.round(bitmap.width * scale))
    canvas.height = Math.max(1, Math.round(bitmap.height * scale))
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    return canvas.toDataURL('image/jpeg', 0.8).replace(/^data:[^,]*,/, '')
  } catch {
    return undefined
  }
}

function IntelDetailPanel({
  id,
  onClose,
  onChanged,
  onEdit,
}: {
  id: string
  onClose: () => void
  onChanged: () => void
  onEdit: (intel: IntelDetail) => void
}) {
  const { t, i18n } = useTranslation()
  const en = currentLanguage(i18n) === 'en'
  const detail = useCall('intel.get', { id })
  const offers = useCall('intel.offers', {})
  const [offerCode, setOfferCode] = useState<string | null>(null)
  const comparison = useCall('intel.compare', { id, ...(offerCode ? { offerCode } : {}) })
  const [error, setError] = useState<unknown>()
  const [uploading, setUploading] = useState(false)
  const fileInput = useRef<HTMLInputElement>(null)
  useEffect(() => setOfferCode(null), [id])
  const d = detail.value

  const addPhoto = async (file: File | undefined) => {
    if (!file) return
    setUploading(true)
    setError(undefined)
    try {
      const base64 = await new Promise<string>((resolve, reject) => {
        const reader = new FileReader()
        reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''))
        reader.onerror = () => reject(reader.error ?? new Error('read failed'))
        reader.readAsDataURL(file)
      })
      const thumb = await thumbnail(file)
      await call('intel.addPhoto', { intelId: id, fileName: file.name, mime: file.type as never, base64, ...(thumb ? { thumbBase64: thumb } : {}) })
      detail.reload()
      onChanged()
    } catch (e) {
      setError(e)
    } finally {
      setUploading(false)
      if (fileInput.current) fileInput.current.value = ''
    }
  }

  if (detail.error !== undefined) return <ErrorAlert error={detail.error} onRetry={detail.reload} />
  if (!d || d.id !== id) return <Loader size="sm" />
  const c = comparison.value
  return (
    <Paper withBorder radius="md" style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }} data-testid="intel-detail">
      <Group justify="space-between" p="sm" pb={0} wrap="nowrap" align="flex-start">
        <Stack gap={0} style={{ minWidth: 0 }}>
          <Text fw={700} truncate>
            {d.title}
          </Text>
          <Text size="xs" c="dimmed">
            {t(`customers.rival.${d.rival}`)} · {t(`intel.kind.${d.kind}`)} · {where(t, d)} · {d.validFrom ?? '…'} – {d.validTo ?? '…'}
          </Text>
        </Stack>
        <Group gap={4} wrap="nowrap">
          <Button size="compact-xs" variant="light" onClick={() => onEdit(d)} data-testid="intel-edit">
            {t('intel.edit')}
          </Button>
          <Button size="compact-xs" variant="subtle" color="gray" onClick={onClose} aria-label={t('customers.close')}>
            ✕
          </Button>
        </Group>
      </Group>
      <ScrollArea style={{ flex: 1, minHeight: 0 }} p="sm">
        <Stack gap="xs">
          <Text size="sm">
            {t('intel.detail.source')}: {d.source ?? '—'} · {t('intel.detail.reliability')}: {d.reliability ?? '—'} · <Threat level={d.threatLevel} />
          </Text>
          {d.suggestedResponse && (
            <Text size="sm">
              {t('intel.detail.response')}: {d.suggestedResponse}
            </Text>
          )}
          <Group justify="space-between" align="flex-end" mt={4}>
            <Text size="sm" fw={600}>
              {t('intel.detail.compare')}
            </Text>
            <Select
              size="xs"
              w={210}
              aria-label={t('intel.detail.ourOffer')}
              value={offerCode ?? c?.ours.code ?? null}
              allowDeselect={false}
              onChange={setOfferCode}
              data={(offers.value ?? []).map((o) => ({ value: o.code, label: en ? o.nameEn : o.nameZh }))}
            />
          </Group>
          {c && (
            <Table fz="xs" verticalSpacing={2} withTableBorder data-testid="intel-compare">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('intel.detail.metric')}</Table.Th>
                  <Table.Th ta="right">{t('intel.detail.rival')}</Table.Th>
                  <Table.Th ta="right">{t('intel.detail.ours')}</Table.Th>
                  <Table.Th>{t('intel.detail.better')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {metricKeys.map((k) => (
                  <Table.Tr key={k} data-metric={k} data-better={c.better[k] ?? ''}>
                    <Table.Td>{t(`intel.detail.${k}`)}</Table.Td>
                    <Table.Td ta="right">{c.rivalMetrics[k] ?? '—'}</Table.Td>
                    <Table.Td ta="right">{c.ourMetrics[k] ?? '—'}</Table.Td>
                    <Table.Td>
                      {c.better[k] === null ? (
                        '—'
                      ) : (
                        <Badge size="xs" variant="light" color={c.better[k] === 'ours' ? 'teal' : c.better[k] === 'rival' ? 'red' : 'gray'}>
                          {t(c.better[k] === 'ours' ? 'intel.detail.sideOurs' : c.better[k] === 'rival' ? 'intel.detail.sideRival' : 'intel.detail.sideEven')}
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Group justify="space-between" mt={4}>
            <Text size="sm" fw={600}>
              {t('intel.detail.photos')}
            </Text>
            <input
              ref={fileInput}
              type="file"
              accept="image/jpeg,image/png,image/webp,image/gif"
              hidden
              onChange={(e) => void addPhoto(e.currentTarget.files?.[0])}
              data-testid="intel-photo-file"
            />
            <Button size="compact-xs" variant="light" loading={uploading} onClick={() => fileInput.current?.click()}>
              {t('intel.detail.addPhoto')}
            </Button>
          </Group>
          {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
          {d.photos.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('intel.detail.noPhotos')}
            </Text>
          ) : (
            <SimpleGrid cols={3} spacing={6}>
              {d.photos.map((p) => (
                <PhotoThumb key={p.id} id={p.id} name={p.fileName} />
              ))}
            </SimpleGrid>
          )}
        </Stack>
      </ScrollArea>
    </Paper>
  )
}

function PhotoThumb({ id, name }: { id: string; name: string }) {
  const photo = useCall('intel.photo', { id, thumb: true })
  return photo.value ? (
    <Image src={`data:${photo.value.mime};base64,${photo.value.base64}`} alt={name} title={name} radius="sm" h={80} fit="cover" data-testid="intel-photo" />
  ) : (
    <Loader size="xs" />
  )
}
