// The always-visible sync status in the header: connection state, changes waiting, conflicts and
// the last sync time; a click opens the sync page. Mounting it keeps the status fresh and runs the
// auto-sync scheduler.
import { Badge, Group, Loader, Text, UnstyledButton } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import type { SyncStatus } from '../../../../shared/api/sync'
import { formatTime } from './format'
import { useSyncBackground, useSyncSnapshot } from './syncStore'

export type IndicatorState = 'unknown' | 'notEnrolled' | 'running' | 'offline' | 'error' | 'ok' | 'never'

export function indicatorState(status: SyncStatus | undefined, running: boolean): IndicatorState {
  if (!status) return 'unknown'
  if (!status.enrolled) return 'notEnrolled'
  if (running || status.running) return 'running'
  // HQ's database restarting is like a link down for a moment: the changes wait, auto-sync retries.
  if (status.reachable === false || status.lastErrorCode === 'NETWORK' || status.lastErrorCode === 'HQ_UNAVAILABLE') return 'offline'
  if (status.lastErrorCode) return 'error'
  return status.lastSyncAt ? 'ok' : 'never'
}

const dotColor: Record<IndicatorState, string> = {
  unknown: 'gray.5',
  notEnrolled: 'gray.5',
  running: 'blue.6',
  offline: 'orange.6',
  error: 'red.6',
  ok: 'teal.6',
  never: 'gray.5',
}

export function SyncIndicator({ onOpen }: { onOpen: () => void }) {
  const { t } = useTranslation()
  useSyncBackground()
  const { status, running } = useSyncSnapshot()
  const state = indicatorState(status, running)
  if (state === 'unknown') return null
  const label =
    state === 'notEnrolled'
      ? t('sync.indicator.notEnrolled')
      : state === 'running'
        ? t('sync.indicator.running')
        : state === 'offline'
          ? t('sync.indicator.offline')
          : state === 'error'
            ? t('sync.indicator.error')
            : status!.lastSyncAt
              ? t('sync.indicator.syncedAt', { time: formatTime(status!.lastSyncAt) })
              : t('sync.indicator.never')
  const pending = status?.pendingChanges ?? 0
  const conflicts = status?.openConflicts ?? 0
  return (
    <UnstyledButton
      onClick={onOpen}
      aria-label={t('sync.indicator.open', { state: label })}
      title={t('sync.indicator.open', { state: label })}
      data-testid="sync-indicator"
      data-state={state}
      data-pending={pending}
      data-conflicts={conflicts}
      px={8}
      py={4}
      style={{ borderRadius: 'var(--mantine-radius-sm)', border: '1px solid var(--mantine-color-gray-3)' }}
    >
      <Group gap={6} wrap="nowrap">
        {state === 'running' ? (
          <Loader size={10} />
        ) : (
          <span
            aria-hidden
            style={{
              width: 9,
              height: 9,
              borderRadius: '50%',
              background: `var(--mantine-color-${dotColor[state].replace('.', '-')})`,
              display: 'inline-block',
            }}
          />
        )}
        <Text
          size="sm"
          c={state === 'offline' ? 'orange.8' : state === 'error' ? 'red.8' : undefined}
          style={{ whiteSpace: 'nowrap' }}
          data-testid="sync-indicator-label"
        >
          {label}
        </Text>
        {pending > 0 && (
          <Badge size="sm" variant="light" color="blue" radius="sm" tt="none" data-testid="sync-indicator-pending">
            {t('sync.indicator.pending', { count: pending })}
          </Badge>
        )}
        {conflicts > 0 && (
          <Badge size="sm" variant="filled" color="red" radius="sm" tt="none" data-testid="sync-indicator-conflicts">
            {t('sync.indicator.conflicts', { count: conflicts })}
          </Badge>
        )}
      </Group>
    </UnstyledButton>
  )
}
