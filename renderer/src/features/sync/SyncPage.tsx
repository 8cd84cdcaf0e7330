// The sync page: enrolment with HQ, the device's sync status in words, "sync now" with
// a progress bar of changes and bytes, the per-change results of the last run, and the conflicts
// to review (mine / theirs / another value → sync.resolve, a new change).
import { Alert, Badge, Button, Group, Loader, Paper, Progress, ScrollArea, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { SyncConflict, SyncLastRun, SyncRejectedChange, SyncStatus } from '../../../../shared/api/sync'
import { AppError } from '../../../../shared/errors'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert, ErrorDetails, technicalDetail } from '../../shell/errors'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedGuard } from '../../shell/unsaved'
import { BackupsCard } from './BackupsCard'
import { DemoCard, downloadDemoEdits } from './DemoCard'
import { fieldLabel, formatBytes, formatTime, formatValue, lastErrorMessage, syncErrorMessage } from './format'
import { pokeAutoSync, refreshLastRun, refreshStatus, syncNow, useSyncSnapshot } from './syncStore'

/** `demoLoaded`: the device holds the demo county (it can be cleared here); `onDemoCleared`: it was. */
export function SyncPage({ onSynced, demoLoaded, onDemoCleared }: { onSynced?: () => void; demoLoaded?: boolean; onDemoCleared?: () => void }) {
  const { t } = useTranslation()
  const { status, statusError, lastRun } = useSyncSnapshot()
  const conflicts = useCall('sync.conflicts', {})
  const rejected = useCall('sync.rejected', {})
  const [enrolling, setEnrolling] = useState(false)

  useEffect(() => {
    void refreshStatus()
    void refreshLastRun()
    // Opening the page checks the connection now (and syncs if HQ just came back with changes waiting).
    pokeAutoSync()
  }, [])
  const openConflicts = status?.openConflicts
  const reloadConflicts = conflicts.reload
  // A sync (manual or automatic) may bring or settle conflicts.
  useEffect(() => reloadConflicts(), [openConflicts, status?.lastSyncAt, reloadConflicts])
  const reloadRejected = rejected.reload
  useEffect(() => reloadRejected(), [status?.rejectedCount, status?.lastSyncAt, reloadRejected])

  if (!status) return statusError !== undefined ? <ErrorAlert error={statusError} onRetry={() => void refreshStatus()} /> : <Loader />

  return (
    <ScrollArea h="100%" data-page="sync" offsetScrollbars>
      <Title order={2} size="h3" mb="sm">
        {t('sync.title')}
      </Title>
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(360px, 420px) minmax(0, 1fr)', gap: 'var(--mantine-spacing-md)', alignItems: 'start' }}>
        <Stack gap="md">
          {status.enrolled && !enrolling ? (
            <>
              <StatusCard status={status} onEnrolAgain={() => setEnrolling(true)} />
              <RunCard status={status} onSynced={onSynced} />
            </>
          ) : (
            <EnrolCard
              again={status.enrolled}
              onCancel={status.enrolled ? () => setEnrolling(false) : undefined}
              onEnrolled={() => {
                setEnrolling(false)
                void refreshStatus()
              }}
            />
          )}
          {demoLoaded && !status.enrolled && (
            <DemoCard
              onCleared={() => {
                void refreshStatus()
                onDemoCleared?.()
              }}
            />
          )}
          <BackupsCard
            onRestored={() => {
              void refreshStatus()
              onSynced?.()
            }}
          />
        </Stack>
        <Stack gap="md">
          <ConflictsCard
            conflicts={conflicts.value}
            error={conflicts.error}
            onChanged={() => {
              conflicts.reload()
              void refreshStatus()
            }}
          />
          {rejected.value && rejected.value.length > 0 && (
            <RejectedCard
              changes={rejected.value}
              onChanged={() => {
                rejected.reload()
                void refreshStatus()
              }}
            />
          )}
          {lastRun && <ResultsCard run={lastRun} />}
        </Stack>
      </div>
    </ScrollArea>
  )
}

function Card({ title, children, testId, right }: { title: string; children: ReactNode; testId: string; right?: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md" data-testid={testId}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={3} size="h5">
          {title}
        </Title>
        {right}
      </Group>
      {children}
    </Paper>
  )
}

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Group justify="space-between" gap="sm" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
        {label}
      </Text>
      <Text size="sm" ta="right" data-testid={testId} style={{ wordBreak: 'break-all' }}>
        {children}
      </Text>
    </Group>
  )
}

function StatusCard({ status, onEnrolAgain }: { status: SyncStatus; onEnrolAgain: () => void }) {
  const { t } = useTranslation()
  const connection = status.reachable === null ? t('sync.status.unknown') : status.reachable ? t('sync.status.online') : t('sync.status.offline')
  return (
    <Card
      title={t('sync.status.title')}
      testId="sync-status"
      right={
        <Button size="compact-xs" variant="subtle" onClick={onEnrolAgain} data-testid="sync-enrol-again">
          {t('sync.enrol.again')}
        </Button>
      }
    >
      <Stack gap={6}>
        <Row label={t('sync.status.server')}>{status.server}</Row>
        <Row label={t('sync.status.user')}>{status.user?.name ?? '—'}</Row>
        <Row label={t('sync.status.regions')}>{status.regions.join('、') || '—'}</Row>
        <Row label={t('sync.status.connection')} testId="sync-connection">
          <Text span size="sm" c={status.reachable === false ? 'orange.8' : status.reachable ? 'teal.8' : 'dimmed'} data-reachable={String(status.reachable)}>
            {connection}
          </Text>
          {status.reachableCheckedAt && (
            <Text span size="xs" c="dimmed">
              {' '}
              {t('sync.status.checkedAt', { time: formatTime(status.reachableCheckedAt) })}
            </Text>
          )}
        </Row>
        <Row label={t('sync.status.lastSync')} testId="sync-last">
          {status.lastSyncAt ? formatTime(status.lastSyncAt) : t('sync.status.never')}
        </Row>
        <Row label={t('sync.status.pending')} testId="sync-pending">
          {status.pendingChanges}
        </Row>
        <Row label={t('sync.status.conflicts')} testId="sync-conflict-count">
          <Text span size="sm" c={status.openConflicts > 0 ? 'red.7' : undefined} fw={status.openConflicts > 0 ? 600 : undefined}>
            {status.openConflicts}
          </Text>
        </Row>
        {status.rejectedCount > 0 && <Row label={t('sync.status.rejected')}>{status.rejectedCount}</Row>}
        {status.lastErrorCode && (
          <Alert
            color={status.lastErrorCode === 'NETWORK' ? 'orange' : 'red'}
            variant="light"
            p="xs"
            title={t('sync.status.lastError')}
            data-testid="sync-last-error"
            data-code={status.lastErrorCode}
          >
            <Text size="sm">{lastErrorMessage(t, status.lastErrorCode)}</Text>
            {status.lastError && <ErrorDetails detail={status.lastError} />}
          </Alert>
        )}
      </Stack>
    </Card>
  )
}

function RunCard({ status, onSynced }: { status: SyncStatus; onSynced?: () => void }) {
  const { t, i18n } = useTranslation()
  const language = i18n.resolvedLanguage ?? 'zh-CN'
  const { running, runResult, runError } = useSyncSnapshot()
  const live = status.running
  const busy = running || live !== null
  const bytes = (n: number) => formatBytes(n, language)
  const pushFraction = live && live.pendingAtStart > 0 && live.phase === 'push' ? Math.min(1, live.pushed / live.pendingAtStart) : null
  const pullFraction = live && (live.phase === 'pull' || live.phase === 'refetch') && live.pullTotal ? Math.min(1, live.pulled / live.pullTotal) : null
  const fraction = pushFraction ?? pullFraction

  return (
    <Card title={t('sync.run.title')} testId="sync-run">
      <Stack gap="sm">
        <Button
          onClick={() => void syncNow().then((r) => r && onSynced?.())}
          loading={busy}
          disabled={busy}
          data-testid="sync-now"
          style={{ alignSelf: 'flex-start' }}
        >
          {t('sync.run.now')}
        </Button>
        {live && (
          <Stack gap={4} data-testid="sync-progress" data-phase={live.phase} aria-live="polite">
            <Text size="sm">{t(`sync.run.phase.${live.phase}`)}</Text>
            {fraction !== null ? (
              <Progress value={fraction * 100} size="lg" aria-label={t('sync.run.running')} data-testid="sync-progress-bar" />
            ) : (
              <Progress value={100} size="lg" striped animated aria-label={t('sync.run.running')} />
            )}
            <Text size="xs" c="dimmed">
              {t('sync.run.pushed', { pushed: live.pushed, total: live.pendingAtStart })} ·{' '}
              {live.pullTotal
                ? t('sync.run.pulledOf', { count: live.pulled, total: live.pullTotal, percent: Math.floor((pullFraction ?? 0) * 100) })
                : t('sync.run.pulled', { count: live.pulled })}{' '}
              · {t('sync.run.bytes', { sent: bytes(live.bytesSent), received: bytes(live.bytesReceived) })}
            </Text>
          </Stack>
        )}
        {!busy && runResult && (
          <Alert color="teal" variant="light" p="xs" data-testid="sync-done">
            {t('sync.run.done', {
              pushed: runResult.pushed,
              pulled: runResult.pulledRows,
              sent: bytes(runResult.bytesSent),
              received: bytes(runResult.bytesReceived),
              seconds: (runResult.millis / 1000).toFixed(1),
            })}
          </Alert>
        )}
        {!busy && runError !== undefined && (
          <Alert
            color={runError instanceof AppError && runError.details?.server === 'NETWORK' ? 'orange' : 'red'}
            variant="light"
            p="xs"
            role="alert"
            data-testid="sync-run-error"
          >
            {syncErrorMessage(t, runError)}
            <ErrorDetails detail={technicalDetail(runError)} />
          </Alert>
        )}
        <Text size="xs" c="dimmed">
          {t('sync.run.auto')}
        </Text>
      </Stack>
    </Card>
  )
}

function EnrolCard({ again, onCancel, onEnrolled }: { again: boolean; onCancel?: () => void; onEnrolled: () => void }) {
  const { t } = useTranslation()
  const [server, setServer] = useState('')
  const [code, setCode] = useState('')
  const [name, setName] = useState('')
  const [fieldErrors, setFieldErrors] = useState<{ server?: string; code?: string; deviceName?: string }>({})
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<SyncStatus>()
  // The address, code or name typed and not enrolled yet: another page and 取消 ask first.
  const { dialog, guard } = useUnsavedGuard('sync-enrol', !busy && (server.trim() !== '' || code.trim() !== '' || name.trim() !== ''))

  /** The device holds the demo county: enrolling clears it, after the user's changes are offered for export. */
  const [demo, setDemo] = useState<{ edits: number; exported: boolean }>()
  const exportEdits = async () => {
    try {
      await downloadDemoEdits()
      setDemo((d) => d && { ...d, exported: true })
    } catch (failure) {
      setError(failure)
    }
  }

  const submit = async (clearDemo = false) => {
    const errors: typeof fieldErrors = {}
    const url = server.trim()
    if (!url) errors.server = t('sync.enrol.serverRequired')
    else if (!/^https?:\/\/[^\s/]+/i.test(url)) errors.server = t('sync.enrol.serverFormat')
    if (!code.trim()) errors.code = t('sync.enrol.codeRequired')
    else if (code.trim().length < 4) errors.code = t('sync.enrol.codeFormat')
    setFieldErrors(errors)
    setError(undefined)
    if (Object.keys(errors).length) return
    setBusy(true)
    try {
      const status = await call('sync.enrol', {
        server: url,
        code: code.trim(),
        ...(name.trim() ? { deviceName: name.trim() } : {}),
        ...(clearDemo ? { clearDemo: true } : {}),
      })
      setDemo(undefined)
      setDone(status)
      setServer('')
      setCode('')
      setName('')
      toastSaved(t('field.undo.saved'))
      onEnrolled()
    } catch (failure) {
      // The core's field issues go under their fields; anything else is one sentence.
      if (failure instanceof AppError && failure.code === 'DEMO_DATA') setDemo({ edits: Number(failure.details?.edits ?? 0), exported: false })
      else if (failure instanceof AppError && failure.code === 'VALIDATION' && failure.issues?.length) {
        const byField: typeof fieldErrors = {}
        for (const issue of failure.issues) {
          const field = issue.path[0]
          if (field === 'server') byField.server = t('sync.enrol.serverFormat')
          else if (field === 'code') byField.code = t('sync.enrol.codeFormat')
          else if (field === 'deviceName') byField.deviceName = issue.message
        }
        if (Object.keys(byField).length) setFieldErrors(byField)
        else setError(failure)
      } else setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card title={again ? t('sync.enrol.again') : t('sync.enrol.title')} testId="sync-enrol">
      {dialog}
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void submit()
        }}
        noValidate
      >
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {t('sync.enrol.intro')}
          </Text>
          <TextInput
            label={t('sync.enrol.server')}
            placeholder={t('sync.enrol.serverPlaceholder')}
            value={server}
            onChange={(e) => setServer(e.currentTarget.value)}
            error={fieldErrors.server}
            data-testid="sync-server"
            autoComplete="url"
          />
          <TextInput
            label={t('sync.enrol.code')}
            placeholder={t('sync.enrol.codePlaceholder')}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={fieldErrors.code}
            data-testid="sync-code"
            autoComplete="off"
          />
          <TextInput
            label={t('sync.enrol.name')}
            placeholder={t('sync.enrol.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldErrors.deviceName}
            data-testid="sync-device-name"
          />
          {error !== undefined && (
            <Alert
              color="red"
              variant="light"
              p="xs"
              role="alert"
              data-testid="sync-enrol-error"
              data-reason={error instanceof AppError ? String(error.details?.server ?? error.code) : ''}
            >
              {syncErrorMessage(t, error, 'enrol')}
            </Alert>
          )}
          {demo && (
            <Alert color="yellow" variant="light" p="xs" data-testid="sync-demo-warning">
              <Stack gap="xs">
                <Text size="sm">{t('sync.enrol.demo', { count: demo.edits })}</Text>
                <Group gap="xs">
                  {demo.edits > 0 && (
                    <Button size="xs" variant="default" onClick={() => void exportEdits()} data-testid="sync-demo-export">
                      {demo.exported ? t('sync.enrol.demoExported') : t('sync.enrol.demoExport')}
                    </Button>
                  )}
                  <Button size="xs" color="red" loading={busy} onClick={() => void submit(true)} data-testid="sync-demo-clear-enrol">
                    {t('sync.enrol.demoClearEnrol')}
                  </Button>
                </Group>
              </Stack>
            </Alert>
          )}
          {done && (
            <Alert color="teal" variant="light" p="xs" data-testid="sync-enrolled">
              {t('sync.enrol.done', { user: done.user?.name ?? '', regions: done.regions.join('、') })}
            </Alert>
          )}
          <Group gap="sm">
            <Button type="submit" loading={busy} data-testid="sync-enrol-submit">
              {t('sync.enrol.submit')}
            </Button>
            {onCancel && (
              <Button variant="default" onClick={() => guard(onCancel)}>
                {t('sync.enrol.cancel')}
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Card>
  )
}

function ConflictsCard({ conflicts, error, onChanged }: { conflicts: SyncConflict[] | undefined; error: unknown; onChanged: () => void }) {
  const { t } = useTranslation()
  return (
    <Card
      title={t('sync.conflicts.title')}
      testId="sync-conflicts"
      right={
        conflicts && conflicts.length > 0 ? (
          <Badge color="red" variant="filled" radius="sm">
            {conflicts.length}
          </Badge>
        ) : undefined
      }
    >
      {error !== undefined && <ErrorAlert error={error} />}
      {conflicts && conflicts.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="sync-no-conflicts">
          {t('sync.conflicts.empty')}
        </Text>
      )}
      {conflicts && conflicts.length > 0 && (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {t('sync.conflicts.intro')}
          </Text>
          {conflicts.map((conflict) => (
            <ConflictItem key={conflict.id} conflict={conflict} onResolved={onChanged} />
          ))}
        </Stack>
      )}
    </Card>
  )
}

function ConflictItem({ conflict, onResolved }: { conflict: SyncConflict; onResolved: () => void }) {
  const { t, i18n } = useTranslation()
  const language = i18n.resolvedLanguage ?? 'zh-CN'
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState('')
  const [fieldError, setFieldError] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState<'mine' | 'theirs' | 'edit'>()
  const field = fieldLabel(t, conflict.tableName, conflict.field, conflict.fieldProp)
  const numeric = typeof conflict.mine === 'number' || typeof conflict.theirs === 'number'
  const startValue = conflict.mine == null ? '' : String(conflict.mine)
  // Another value typed and not saved: its 取消 and another page ask first.
  const { dialog, guard } = useUnsavedGuard(`sync-conflict-${conflict.id}`, editing && draft !== startValue && busy === undefined)

  const resolve = async (choice: 'mine' | 'theirs' | 'edit') => {
    let value: string | number | boolean | null | undefined
    if (choice === 'edit') {
      const text = draft.trim()
      if (text === '') value = null
      else if (numeric) {
        if (!Number.isFinite(Number(text))) return setFieldError(t('sync.conflicts.notNumber'))
        value = Number(text)
      } else if (typeof conflict.mine === 'boolean' || typeof conflict.theirs === 'boolean') value = text === t('sync.conflicts.yes') || text === 'true'
      else value = text
    }
    setBusy(choice)
    setError(undefined)
    setFieldError(undefined)
    try {
      await call('sync.resolve', choice === 'edit' ? { id: conflict.id, choice, value } : { id: conflict.id, choice })
      toastSaved(t('field.undo.saved'))
      onResolved()
    } catch (failure) {
      if (failure instanceof AppError && failure.code === 'VALIDATION' && failure.issues?.some((i) => i.path[0] === 'value'))
        setFieldError(
          t('sync.conflicts.badValue', {
            field,
            detail: (failure.details?.messages as Record<string, string> | undefined)?.[language] ?? failure.issues.map((i) => i.message).join('; '),
          }),
        )
      else setError(failure)
    } finally {
      setBusy(undefined)
    }
  }

  const side = (which: 'mine' | 'theirs') => (
    <Paper withBorder radius="sm" p="sm" bg={which === 'mine' ? 'blue.0' : 'gray.0'} data-testid={`conflict-${which}`}>
      <Text size="xs" c="dimmed">
        {which === 'mine' ? t('sync.conflicts.mine') : t('sync.conflicts.theirs')}
      </Text>
      <Text size="lg" fw={600} my={4} data-testid={`conflict-${which}-value`} style={{ wordBreak: 'break-word' }}>
        {formatValue(t, conflict[which], conflict.fieldProp)}
      </Text>
      <Button
        size="xs"
        variant={which === 'mine' ? 'filled' : 'default'}
        loading={busy === which}
        disabled={busy !== undefined}
        onClick={() => void resolve(which)}
        data-testid={`conflict-keep-${which}`}
      >
        {which === 'mine' ? t('sync.conflicts.keepMine') : t('sync.conflicts.keepTheirs')}
      </Button>
    </Paper>
  )

  return (
    <Paper withBorder radius="md" p="sm" data-testid="conflict" data-conflict-id={conflict.id} data-field={conflict.field}>
      {dialog}
      <Group justify="space-between" mb={6} wrap="nowrap">
        <Text size="sm" fw={600}>
          {t([`sync.tables.${conflict.tableName}`], { defaultValue: conflict.tableName })} · {conflict.rowLabel ?? conflict.rowId} · {field}
        </Text>
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {t('sync.conflicts.detectedAt', { time: formatTime(conflict.detectedAt) })}
        </Text>
      </Group>
      <SimpleGrid cols={2} spacing="sm">
        {side('mine')}
        {side('theirs')}
      </SimpleGrid>
      {!editing ? (
        <Button
          size="xs"
          variant="subtle"
          mt={6}
          px={4}
          onClick={() => {
            setEditing(true)
            setDraft(startValue)
          }}
          disabled={busy !== undefined}
          data-testid="conflict-edit"
        >
          {t('sync.conflicts.edit')}
        </Button>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void resolve('edit')
          }}
        >
          <Group gap="xs" mt={6} align="flex-start" wrap="nowrap">
            <TextInput
              size="xs"
              aria-label={t('sync.conflicts.editValue')}
              placeholder={t('sync.conflicts.editValue')}
              value={draft}
              onChange={(e) => setDraft(e.currentTarget.value)}
              error={fieldError}
              inputMode={numeric ? 'decimal' : undefined}
              style={{ flex: 1 }}
              data-testid="conflict-edit-value"
            />
            <Button size="xs" type="submit" loading={busy === 'edit'} data-testid="conflict-edit-save">
              {t('sync.conflicts.save')}
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() =>
                guard(() => {
                  setEditing(false)
                  setFieldError(undefined)
                })
              }
            >
              {t('sync.conflicts.cancel')}
            </Button>
          </Group>
        </form>
      )}
      {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
    </Paper>
  )
}

const statusColor: Record<string, string> = { applied: 'teal', superseded: 'gray', conflict: 'red', rejected: 'orange' }

function ResultsCard({ run }: { run: SyncLastRun }) {
  const { t, i18n } = useTranslation()
  const language = i18n.resolvedLanguage ?? 'zh-CN'
  const bytes = (n: number) => formatBytes(n, language)
  return (
    <Card
      title={t('sync.results.title')}
      testId="sync-results"
      right={
        <Text size="xs" c="dimmed">
          {t('sync.results.finishedAt', { time: formatTime(run.finishedAt) })}
        </Text>
      }
    >
      <Stack gap="xs">
        <Text size="sm" data-testid="sync-results-summary">
          {t('sync.results.summary', {
            pushed: run.pushed,
            applied: run.results.applied,
            superseded: run.results.superseded,
            conflict: run.results.conflict,
            rejected: run.results.rejected,
            pulled: run.pulledRows,
            sent: bytes(run.bytesSent),
            received: bytes(run.bytesReceived),
          })}
        </Text>
        {run.changes.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('sync.results.empty')}
          </Text>
        ) : (
          <ScrollArea.Autosize mah={260}>
            <Table fz="sm" verticalSpacing={4} striped withTableBorder stickyHeader data-testid="sync-results-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('sync.results.col.seq')}</Table.Th>
                  <Table.Th>{t('sync.results.col.table')}</Table.Th>
                  <Table.Th>{t('sync.results.col.record')}</Table.Th>
                  <Table.Th>{t('sync.results.col.status')}</Table.Th>
                  <Table.Th>{t('sync.results.col.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {run.changes.map((change) => (
                  <Table.Tr key={change.deviceSeq} data-change-status={change.status}>
                    <Table.Td>#{change.deviceSeq}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{t([`sync.tables.${change.table}`], { defaultValue: change.table })}</Table.Td>
                    <Table.Td title={change.rowId}>{change.label ?? (change.rowId.length > 14 ? `…${change.rowId.slice(-12)}` : change.rowId)}</Table.Td>
                    <Table.Td>
                      <Badge size="sm" variant="light" color={statusColor[change.status] ?? 'gray'} radius="sm" tt="none">
                        {t([`sync.results.status.${change.status}`], { defaultValue: change.status })}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{change.reason ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
        )}
        {run.changesOmitted > 0 && (
          <Text size="xs" c="dimmed">
            {t('sync.results.omitted', { count: run.changesOmitted })}
          </Text>
        )}
        {run.warnings.length > 0 && (
          <Alert color="yellow" variant="light" p="xs" title={t('sync.results.warnings')}>
            {run.warnings.map((w) => (
              <Text key={w.message} size="xs">
                {t(`sync.warnings.${w.code}`, w.params)}
              </Text>
            ))}
          </Alert>
        )}
      </Stack>
    </Card>
  )
}

const shortValue = (text: string) => (text.length > 120 ? `${text.slice(0, 117)}… (${text.length})` : text)

/**
 * Changes HQ refused or this device set aside: kept here with the record, the refused values and
 * the reason in words, until the user copies them into a new record, exports or discards them.
 */
function RejectedCard({ changes, onChanged }: { changes: SyncRejectedChange[]; onChanged: () => void }) {
  const { t } = useTranslation()
  const [error, setError] = useState<unknown>()
  const [done, setDone] = useState<string>()
  const act = async (fn: () => Promise<string | undefined>) => {
    setError(undefined)
    setDone(undefined)
    try {
      setDone(await fn())
      onChanged()
    } catch (e) {
      setError(e)
    }
  }
  const exportAs = (format: 'json' | 'csv') =>
    act(async () => {
      const file = await call('sync.rejectedExport', { format })
      const url = URL.createObjectURL(new Blob([file.content], { type: file.mime }))
      const link = document.createElement('a')
      link.href = url
      link.download = file.fileName
      link.click()
      setTimeout(() => URL.revokeObjectURL(url), 1000)
      return undefined
    })
  return (
    <Card
      title={t('sync.rejected.title', { count: changes.length })}
      testId="sync-rejected"
      right={
        <Group gap={4} wrap="nowrap">
          <Button size="compact-xs" variant="default" onClick={() => void exportAs('csv')} data-testid="sync-rejected-export-csv">
            {t('sync.rejected.exportCsv')}
          </Button>
          <Button size="compact-xs" variant="default" onClick={() => void exportAs('json')} data-testid="sync-rejected-export-json">
            {t('sync.rejected.exportJson')}
          </Button>
        </Group>
      }
    >
      <Stack gap="sm">
        <Text size="sm">{t('sync.rejected.intro')}</Text>
        {done && (
          <Alert color="teal" variant="light" p="xs">
            {done}
          </Alert>
        )}
        {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
        {changes.map((change) => (
          <Paper
            key={change.deviceSeq}
            withBorder
            radius="sm"
            p="xs"
            data-testid="sync-rejected-item"
            data-device-seq={change.deviceSeq}
            data-reason={change.reasonCode}
          >
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div>
                <Text size="sm" fw={600}>
                  {t([`sync.tables.${change.table}`], { defaultValue: change.table })} · {change.rowLabel ?? `…${change.rowId.slice(-12)}`}
                </Text>
                <Text size="xs" c="dimmed">
                  {t(`sync.rejected.op.${change.op}`)} · #{change.deviceSeq} · {formatTime(change.createdAt)}
                </Text>
              </div>
              <Group gap={4} wrap="nowrap">
                {change.copyable && (
                  <Button
                    size="compact-xs"
                    variant="light"
                    data-testid="sync-rejected-copy"
                    onClick={() => void act(async () => (await call('sync.rejectedCopy', { deviceSeq: change.deviceSeq }), t('sync.rejected.copied')))}
                  >
                    {t('sync.rejected.copy')}
                  </Button>
                )}
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  data-testid="sync-rejected-discard"
                  onClick={() => {
                    if (window.confirm(t('sync.rejected.confirmDiscard')))
                      void act(async () => (await call('sync.rejectedDiscard', { deviceSeq: change.deviceSeq }), t('sync.rejected.discarded')))
                  }}
                >
                  {t('sync.rejected.discard')}
                </Button>
              </Group>
            </Group>
            <Alert color="orange" variant="light" p={6} mt={6}>
              <Text size="sm">{t([`sync.rejected.reasons.${change.reasonCode}`, 'sync.rejected.reasons.unknown'])}</Text>
              {change.reason && (
                <Text size="xs" c="dimmed">
                  {t('sync.status.technical', { detail: shortValue(change.reason) })}
                </Text>
              )}
            </Alert>
            <Table fz="xs" verticalSpacing={2} mt={4}>
              <Table.Tbody>
                {change.fields.map((f) => (
                  <Table.Tr key={f.field}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }} c="dimmed">
                      {fieldLabel(t, change.table, f.field, f.prop)}
                    </Table.Td>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{shortValue(formatValue(t, f.value, f.prop))}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        ))}
      </Stack>
    </Card>
  )
}
