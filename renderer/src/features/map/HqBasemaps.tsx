// Basemaps from HQ in the basemap manager: what HQ offers for the user's regions, the size at the
// chosen zoom levels (estimated before anything is downloaded), a disk budget, and the download
// with its progress (tiles, megabytes, time left), pause and resume. The download runs in the core
// after a data sync; this panel polls its status.
import { Alert, Button, Checkbox, Group, NumberInput, Progress, RangeSlider, Select, Stack, Text } from '@mantine/core'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { HqBasemapList, HqEstimate, PrefetchStatus } from '../../../../shared/sync/basemaps'
import { call } from '../../api/client'

const mb = (bytes: number) => (bytes / 1e6).toFixed(1)
const live = (s: PrefetchStatus | null) => s?.state === 'running' || s?.state === 'waiting_sync'

export function HqBasemaps({ describe, onDone }: { describe: (e: unknown) => string; onDone: (basemapId: string) => void }) {
  const { t } = useTranslation()
  const [list, setList] = useState<HqBasemapList>()
  const [failure, setFailure] = useState<string>()
  const [id, setId] = useState<string | null>(null)
  const [zooms, setZooms] = useState<[number, number]>([8, 15])
  const [budget, setBudget] = useState<number | string>(500)
  const [slowOk, setSlowOk] = useState(false)
  const [estimate, setEstimate] = useState<HqEstimate>()
  const [status, setStatus] = useState<PrefetchStatus | null>(null)
  const [error, setError] = useState<string>()

  useEffect(() => {
    call('basemaps.hq.list', {})
      .then((l) => {
        setList(l)
        setStatus(l.prefetch)
        const first = l.basemaps.find((b) => b.id === l.prefetch?.hqId) ?? l.basemaps[0]
        if (first) {
          setId(first.id)
          setZooms(l.prefetch ? [l.prefetch.minzoom, l.prefetch.maxzoom] : [first.minzoom, Math.min(first.maxzoom, Math.max(first.minzoom, 15))])
        }
      })
      .catch((e: unknown) => setFailure(describe(e)))
  }, [describe])
  const offer = list?.basemaps.find((b) => b.id === id)

  useEffect(() => {
    if (!offer) return
    setEstimate(undefined)
    const timer = setTimeout(() => {
      call('basemaps.hq.estimate', { id: offer.id, minzoom: zooms[0], maxzoom: zooms[1] })
        .then(setEstimate)
        .catch((e: unknown) => setError(describe(e)))
    }, 250)
    return () => clearTimeout(timer)
  }, [offer, zooms, describe])

  const running = live(status)
  useEffect(() => {
    if (!running) return
    const timer = setInterval(() => {
      void call('basemaps.hq.status', {}).then((s) => {
        setStatus(s)
        if (s?.state === 'done' && s.basemapId) onDone(s.basemapId)
      })
    }, 500)
    return () => clearInterval(timer)
  }, [running, onDone])

  const start = async () => {
    if (!offer) return
    setError(undefined)
    try {
      const budgetBytes = typeof budget === 'number' && budget > 0 ? Math.round(budget * 1e6) : null
      setStatus(await call('basemaps.hq.fetch', { id: offer.id, minzoom: zooms[0], maxzoom: zooms[1], budgetBytes, allowSlowLink: slowOk }))
    } catch (e) {
      setError(describe(e))
    }
  }
  const act = async (name: 'basemaps.hq.pause' | 'basemaps.hq.discard') => {
    try {
      if (name === 'basemaps.hq.pause') setStatus(await call(name, {}))
      else {
        await call(name, {})
        setStatus(null)
      }
    } catch (e) {
      setError(describe(e))
    }
  }

  if (failure)
    return (
      <Alert color="gray" variant="light" data-testid="hq-basemaps-unavailable">
        {t('mapView.hq.unavailable', { message: failure })}
      </Alert>
    )
  if (!list)
    return (
      <Text size="xs" c="dimmed">
        {t('mapView.hq.loading')}
      </Text>
    )
  if (list.basemaps.length === 0 || !list.hasArea)
    return (
      <Text size="xs" c="dimmed" data-testid="hq-basemaps-none">
        {list.hasArea ? t('mapView.hq.none') : t('mapView.basemapErrors.noArea')}
      </Text>
    )
  const resumable = status && !live(status) && status.state !== 'done' && status.hqId === id && status.minzoom === zooms[0] && status.maxzoom === zooms[1]
  const pct = status && status.tilesTotal ? (status.tilesDone / status.tilesTotal) * 100 : 0
  return (
    <Stack gap="xs" data-testid="hq-basemaps">
      <Group grow align="flex-end">
        <Select
          size="xs"
          label={t('mapView.hq.basemap')}
          allowDeselect={false}
          value={id}
          onChange={setId}
          disabled={running}
          data={list.basemaps.map((b) => ({ value: b.id, label: b.vector ? `${b.name}（${t('mapView.hq.vector')}）` : b.name }))}
          comboboxProps={{ zIndex: 1300 }}
        />
        <NumberInput size="xs" label={t('mapView.hq.budget')} min={1} value={budget} onChange={setBudget} disabled={running} data-testid="hq-budget" />
      </Group>
      {offer && (
        <div>
          <Text size="xs">{t('mapView.hq.zooms', { from: zooms[0], to: zooms[1] })}</Text>
          <RangeSlider
            size="sm"
            min={offer.minzoom}
            max={offer.maxzoom}
            minRange={0}
            step={1}
            value={zooms}
            onChange={setZooms}
            disabled={running}
            label={null}
            data-testid="hq-zooms"
          />
        </div>
      )}
      <Text size="xs" c="dimmed" data-testid="hq-estimate">
        {estimate ? t('mapView.hq.estimate', { tiles: estimate.tiles.toLocaleString(), mb: mb(estimate.bytes) }) : t('mapView.hq.estimating')}
      </Text>
      <Group>
        {running ? (
          <Button size="xs" variant="default" onClick={() => void act('basemaps.hq.pause')} data-testid="hq-pause">
            {t('mapView.hq.pause')}
          </Button>
        ) : (
          <Button size="xs" onClick={() => void start()} disabled={!offer || !estimate} data-testid="hq-download">
            {resumable ? t('mapView.hq.resume') : t('mapView.hq.download')}
          </Button>
        )}
        {status && !running && status.state !== 'done' && (
          <Button size="xs" variant="subtle" color="red" onClick={() => void act('basemaps.hq.discard')}>
            {t('mapView.hq.discard')}
          </Button>
        )}
        <Checkbox size="xs" label={t('mapView.hq.slowOk')} checked={slowOk} onChange={(e) => setSlowOk(e.currentTarget.checked)} disabled={running} />
      </Group>
      {status && (
        <div data-testid="hq-progress" data-state={status.state}>
          <Progress value={pct} size="sm" animated={running} />
          <Text size="xs" mt={4}>
            {status.state === 'done'
              ? t('mapView.hq.done', { name: status.name })
              : status.state === 'waiting_sync'
                ? t('mapView.hq.waitingSync')
                : t('mapView.hq.progress', {
                    done: status.tilesDone.toLocaleString(),
                    total: status.tilesTotal.toLocaleString(),
                    mb: mb(status.bytes),
                    estimate: mb(status.bytesEstimated),
                    left:
                      status.secondsLeft === null
                        ? '—'
                        : status.secondsLeft >= 60
                          ? t('mapView.hq.minutes', { n: Math.ceil(status.secondsLeft / 60) })
                          : t('mapView.hq.seconds', { n: status.secondsLeft }),
                  })}
            {status.reason && ` · ${t(`mapView.hq.reason.${status.reason}`)}`}
          </Text>
        </div>
      )}
      {error && (
        <Alert color="red" variant="light" role="alert" data-testid="hq-error">
          {error}
        </Alert>
      )}
    </Stack>
  )
}
