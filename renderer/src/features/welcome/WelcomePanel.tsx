// First run: the data directory is empty. Three ways in, each ending on the map of the user's area:
// connect to HQ (enrol, then the first sync pulls the user's regions), import the county's own
// files (grid boundaries first, then the village list), or load the demo county — saying plainly
// what in it is real (NBS division names) and what is generated (geometry, content).
import { Button, Card, Center, List, ScrollArea, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { call } from '../../api/client'
import { ErrorAlert } from '../../shell/errors'
import { ImportDialog } from '../villages/ImportDialog'

export function WelcomePanel({ onLoaded, onConnect }: { onLoaded: () => void; onConnect: () => void }) {
  const { t } = useTranslation()
  const [loading, setLoading] = useState(false)
  const [importing, setImporting] = useState(false)
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
    <ScrollArea h="100%">
      <Center mih="100%" p="lg" data-page="welcome">
        <Stack gap="md" maw={1100}>
          <Title order={2}>{t('welcome.title')}</Title>
          <Text>{t('welcome.empty')}</Text>
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
            <Card withBorder radius="md" padding="lg" data-testid="welcome-connect">
              <Stack gap="sm" h="100%">
                <Title order={4}>{t('welcome.connectTitle')}</Title>
                <Text size="sm" style={{ flex: 1 }}>
                  {t('welcome.connectText')}
                </Text>
                <Button onClick={onConnect} data-testid="welcome-connect-button">
                  {t('welcome.connect')}
                </Button>
              </Stack>
            </Card>
            <Card withBorder radius="md" padding="lg" data-testid="welcome-import">
              <Stack gap="sm" h="100%">
                <Title order={4}>{t('welcome.importTitle')}</Title>
                <List type="ordered" size="sm" spacing={4} style={{ flex: 1 }}>
                  <List.Item>{t('welcome.importStep1')}</List.Item>
                  <List.Item>{t('welcome.importStep2')}</List.Item>
                  <List.Item>{t('welcome.importStep3')}</List.Item>
                </List>
                <Button variant="light" onClick={() => setImporting(true)} data-testid="welcome-import-button">
                  {t('welcome.import')}
                </Button>
              </Stack>
            </Card>
            <Card withBorder radius="md" padding="lg" data-testid="welcome-demo">
              <Stack gap="sm" h="100%">
                <Title order={4}>{t('welcome.demoTitle')}</Title>
                <Text size="sm">{t('welcome.demoIntro')}</Text>
                <List spacing={4} size="sm" withPadding style={{ flex: 1 }}>
                  <List.Item>{t('welcome.demoNames')}</List.Item>
                  <List.Item>{t('welcome.demoGenerated')}</List.Item>
                  <List.Item>{t('welcome.demoContent')}</List.Item>
                </List>
                <Button variant="default" onClick={loadDemo} loading={loading} data-testid="load-demo">
                  {t('welcome.load')}
                </Button>
                {loading && (
                  <Text size="sm" c="dimmed" aria-live="polite">
                    {t('welcome.loading')}
                  </Text>
                )}
              </Stack>
            </Card>
          </SimpleGrid>
          {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
        </Stack>
      </Center>
      {/* Grids first: once the store holds grids the app opens on their map. */}
      <ImportDialog opened={importing} initialKind="grids" onClose={() => setImporting(false)} onImported={onLoaded} />
    </ScrollArea>
  )
}
