// First run: the data directory is empty; offer the demo county, saying plainly what is real
// (NBS division names) and what is generated (geometry, content).
import { Button, Center, List, Paper, Stack, Text, Title } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { call } from '../../api/client'
import { ErrorAlert } from '../../shell/errors'

export function WelcomePanel({ onLoaded }: { onLoaded: () => void }) {
  const { t } = useTranslation()
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<unknown>()

  const loadDemo = async () => {
    setLoading(true)
    setError(undefined)
    try {
      await call('demo.load', {})
      onLoaded()
    } catch (failure) {
      setError(failure)
      setLoading(false)
    }
  }

  return (
    <Center h="100%" data-page="welcome">
      <Paper withBorder radius="md" p="xl" maw={620} shadow="sm">
        <Stack gap="md">
          <Title order={2}>{t('welcome.title')}</Title>
          <Text>{t('welcome.empty')}</Text>
          <Text>{t('welcome.demoIntro')}</Text>
          <List spacing={6} size="sm" withPadding>
            <List.Item>{t('welcome.demoNames')}</List.Item>
            <List.Item>{t('welcome.demoGenerated')}</List.Item>
            <List.Item>{t('welcome.demoContent')}</List.Item>
          </List>
          {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
          <Button size="md" onClick={loadDemo} loading={loading} data-testid="load-demo" style={{ alignSelf: 'flex-start' }}>
            {t('welcome.load')}
          </Button>
          {loading && (
            <Text size="sm" c="dimmed" aria-live="polite">
              {t('welcome.loading')}
            </Text>
          )}
        </Stack>
      </Paper>
    </Center>
  )
}
