// The store's backups on the sync page: the ones the app keeps (daily, before upgrades, before the
// demo is cleared), "back up now", restore one (the replaced data file is kept), and the full
// integrity check on demand — with the result of the check after an unclean shutdown.
import { Alert, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { BackupInfo, StoreCheck } from '../../../../shared/api/store'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { dateTimeOf } from '../../../../shared/dates'
import { formatBytes } from './format'

export function BackupsCard({ onRestored }: { onRestored?: () => void }) {
  const { t, i18n } = useTranslation()
  const language = i18n.resolvedLanguage ?? 'zh-CN'
  const backups = useCall('store.backups', {})
  const [busy, setBusy] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(undefined)

  const act = async (what: string, run: () => Promise<string>) => {
    setBusy(what)
    setDone(null)
    setError(undefined)
    try {
      setDone(await run())
      backups.reload()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(null)
    }
  }
  const checkText = (check: StoreCheck) => {
    const result = check.problems.length ? t('store.checkFailed', { count: check.problems.length }) : t('store.checkOk')
    return check.afterUncleanShutdown ? t('store.uncleanShutdown', { result }) : t('backups.checked', { result })
  }
  const restore = (backup: BackupInfo) => {
    if (!window.confirm(t('backups.restoreConfirm', { at: dateTimeOf(backup.at) }))) return
    void act(`restore-${backup.file}`, async () => {
      const result = await call('store.restore', { file: backup.file })
      onRestored?.()
      return t('backups.restored', { file: result.restored.file, kept: result.keptAside ?? '-' })
    })
  }
  const list = backups.value?.backups ?? []
  const lastCheck = backups.value?.lastCheck

  return (
    <Paper withBorder radius="md" p="md" data-testid="store-backups">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={3} size="h5">
          {t('backups.title')}
        </Title>
        <Group gap={4} wrap="nowrap">
          <Button
            size="compact-xs"
            variant="default"
            loading={busy === 'backup'}
            onClick={() => void act('backup', async () => t('backups.created', { file: (await call('store.backup', {})).file }))}
            data-testid="store-backup-now"
          >
            {t('backups.create')}
          </Button>
          <Button
            size="compact-xs"
            variant="default"
            loading={busy === 'check'}
            onClick={() => void act('check', async () => checkText(await call('store.check', {})))}
            data-testid="store-check"
          >
            {t('backups.check')}
          </Button>
        </Group>
      </Group>
      <Stack gap="xs">
        <Text size="xs" c="dimmed">
          {t('backups.hint', { keep: backups.value?.keep ?? 7 })}
        </Text>
        {lastCheck?.afterUncleanShutdown && !done && (
          <Alert color={lastCheck.problems.length ? 'red' : 'blue'} variant="light" p="xs" data-testid="store-unclean">
            {checkText(lastCheck)}
          </Alert>
        )}
        {done && (
          <Alert color="teal" variant="light" p="xs" data-testid="store-done">
            {done}
          </Alert>
        )}
        {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
        {backups.error !== undefined && <ErrorAlert error={backups.error} onRetry={backups.reload} />}
        {list.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('backups.empty')}
          </Text>
        ) : (
          <Table fz="xs" verticalSpacing={2} data-testid="store-backup-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('backups.col.at')}</Table.Th>
                <Table.Th>{t('backups.col.reason')}</Table.Th>
                <Table.Th>{t('backups.col.size')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((backup) => (
                <Table.Tr key={backup.file} data-testid="store-backup">
                  <Table.Td>{dateTimeOf(backup.at)}</Table.Td>
                  <Table.Td>{t(`backups.reason.${backup.reason}`)}</Table.Td>
                  <Table.Td>{formatBytes(backup.bytes, language)}</Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="orange"
                      loading={busy === `restore-${backup.file}`}
                      onClick={() => restore(backup)}
                      data-testid="store-restore"
                    >
                      {t('backups.restore')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  )
}
