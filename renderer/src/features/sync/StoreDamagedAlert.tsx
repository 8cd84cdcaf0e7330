// The store found damaged while the app runs (the background check of a large store): said at once
// above every page, with the way to the backups. The core refuses writes from then on.
import { Alert, Button, Group, Text } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import { useSyncSnapshot } from './syncStore'

export function StoreDamagedAlert({ onOpen }: { onOpen: () => void }) {
  const { t } = useTranslation()
  const damaged = useSyncSnapshot().status?.storeDamaged
  if (!damaged) return null
  return (
    <Alert color="red" variant="filled" radius={0} p="xs" title={t('store.title')} data-testid="store-damaged" role="alert">
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Text size="sm">{t('store.damagedNow', { count: damaged.problems })}</Text>
        <Button size="compact-sm" variant="white" color="red" onClick={onOpen} data-testid="store-damaged-open">
          {t('store.openBackups')}
        </Button>
      </Group>
    </Alert>
  )
}
