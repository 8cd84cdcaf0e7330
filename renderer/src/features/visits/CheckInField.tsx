// The visit's check-in: by the device's location, else a point picked on the map (the map zooms
// to the target and the check-in point: the grid is too wide to pick a point in), with the
// distance to the target against the check-in radius.
import { Alert, Box, Button, Group, NumberInput, Paper, Text } from '@mantine/core'
import { useMemo, type Dispatch, type SetStateAction } from 'react'
import { useTranslation } from 'react-i18next'
import type { Feature } from '../../../../shared/api/contract'
import { DEFAULT_CHECK_IN_RADIUS_M, type VisitTargetRow } from '../../../../shared/api/visits'
import { dateTimeOf } from '../../../../shared/dates'
import { haversineM } from '../../../../shared/route'
import { RouteMap, type MapPoint } from './RouteMap'
import type { VisitForm } from './visitForm'

type CheckIn = NonNullable<VisitForm['checkIn']>

/** What the check-in panel and its map share: picking a point on the map, and a note when the device has no location. */
interface CheckInProps {
  value: VisitForm['checkIn']
  targetRow: VisitTargetRow | undefined
  picking: boolean
  setPicking: Dispatch<SetStateAction<boolean>>
  setNote: (note: string | null) => void
  /** A check-in taken (the panel also clears the field's message). */
  onCheckIn: (checkIn: CheckIn) => void
}

export function CheckInField({
  value,
  targetRow,
  picking,
  setPicking,
  note,
  setNote,
  onCheckIn,
  radius,
  error,
}: CheckInProps & { note: string | null; radius: number; error: string | undefined }) {
  const { t } = useTranslation()
  const distanceM = useMemo(() => {
    const c = value
    if (!c || c.lon === undefined || c.lat === undefined || !targetRow || targetRow.lon === null || targetRow.lat === null) return null
    return Math.round(haversineM({ lon: c.lon, lat: c.lat }, { lon: targetRow.lon, lat: targetRow.lat }))
  }, [value, targetRow])

  const checkInByDevice = () => {
    setNote(null)
    if (!navigator.geolocation) return setNote(t('visits.log.noDeviceLocation'))
    navigator.geolocation.getCurrentPosition(
      (p) => {
        onCheckIn({
          at: new Date().toISOString(),
          lon: Math.round(p.coords.longitude * 1e6) / 1e6,
          lat: Math.round(p.coords.latitude * 1e6) / 1e6,
          source: 'device',
        })
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

  return (
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
      <Text size="xs" c={error ? 'red' : 'dimmed'} mt={4} data-testid="checkin-status">
        {picking
          ? t('visits.log.checkInPicking')
          : value?.lon !== undefined
            ? t('visits.log.checkInAtPoint', {
                source: t(`visits.log.source.${value.source}`),
                time: dateTimeOf(value.at),
                lon: value.lon.toFixed(5),
                lat: value.lat!.toFixed(5),
              })
            : (error ?? t('visits.log.checkInNone'))}
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
  )
}

export function CheckInMap({
  value,
  targetRow,
  picking,
  setPicking,
  setNote,
  onCheckIn,
  grid,
  radius,
  onRadiusChange,
}: CheckInProps & { grid: Feature | null; radius: number; onRadiusChange: (radius: number) => void }) {
  const { t } = useTranslation()
  const points = useMemo<MapPoint[]>(() => {
    const list: MapPoint[] = []
    if (targetRow && targetRow.lon !== null && targetRow.lat !== null)
      list.push({ key: 'target', kind: 'target', lon: targetRow.lon, lat: targetRow.lat, label: targetRow.name })
    if (value?.lon !== undefined && value.lat !== undefined)
      list.push({ key: 'checkIn', kind: 'checkIn', lon: value.lon, lat: value.lat, label: t('visits.log.checkIn') })
    return list
  }, [targetRow, value, t])

  // The map zooms to the target (and the check-in point): the grid is too wide to pick a point in.
  const focus = useMemo(() => points.map((p) => ({ lon: p.lon, lat: p.lat })), [points])
  return (
    <>
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
                  onCheckIn({ at: new Date().toISOString(), lon: p.lon, lat: p.lat, source: 'map' })
                  setPicking(false)
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
          onRadiusChange(Number(v) || DEFAULT_CHECK_IN_RADIUS_M)
        }}
      />
    </>
  )
}
