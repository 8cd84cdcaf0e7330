// "Clear demo data" without enrolling: the demo county goes (demo.clear), after the changes the
// user typed into it are offered for export (the same JSON file enrolment offers); the app then
// shows the first-run screen again.
import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { call } from '../../api/client'
import { ErrorAlert } from '../../shell/errors'

/** Saves the changes typed into the demo as a JSON file (a download). */
export async function downloadDemoEdits(): Promise<void> {
  const file = await call('demo.edits', {})
  const link = document.createElement('a')
  link.href = URL.createObjectURL(new Blob([file.content], { type: 'application/json' }))
  link.download = file.fileName
  link.click()
  URL.revokeObjectURL(link.href)
}

export function DemoCard({ onCleared }: { onCleared: () => void }) {
  const { t } = useTranslation()
  /** Set while the user confirms: how many changes they typed, and whether they saved them. */
  const [confirming, setConfirming] = useState<{ edits: number; exported: boolean }>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()

  const run = async (step: () => Promise<void>) => {
    setBusy(true)
    setError(undefined)
    try {
      await step()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }
  const ask = () => run(async () => setConfirming({ edits: (await call('demo.edits', {})).changes, exported: false }))
  const exportEdits = () => run(async () => (await downloadDemoEdits(), setConfirming((c) => c && { ...c, exported: true })))
  const clear = () =>
    run(async () => {
      await call('demo.clear', {})
      setConfirming(undefined)
      onCleared()
    })

  return (
    <Paper withBorder radius="md" p="md" data-testid="sync-demo">
      <Title order={3} size="h5" mb="xs">
        {t('sync.demo.title')}
      </Title>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('sync.demo.intro')}
        </Text>
        {error !== undefined && <ErrorAlert error={error} />}
        {confirming ? (
          <Alert color="red" variant="light" p="xs" data-testid="sync-demo-confirm">
            <Stack gap="xs">
              <Text size="sm">{confirming.edits > 0 ? t('sync.demo.confirm', { count: confirming.edits }) : t('sync.demo.confirmNone')}</Text>
              <Group gap="xs">
                {confirming.edits > 0 && (
                  <Button size="xs" variant="default" onClick={() => void exportEdits()} disabled={busy} data-testid="sync-demo-clear-export">
                    {confirming.exported ? t('sync.enrol.demoExported') : t('sync.enrol.demoExport')}
                  </Button>
                )}
                <Button size="xs" color="red" loading={busy} onClick={() => void clear()} data-testid="sync-demo-clear-confirm">
                  {t('sync.demo.confirmClear')}
                </Button>
                <Button size="xs" variant="subtle" onClick={() => setConfirming(undefined)} disabled={busy}>
                  {t('sync.demo.cancel')}
                </Button>
              </Group>
            </Stack>
          </Alert>
        ) : (
          <Button variant="default" color="red" loading={busy} onClick={() => void ask()} style={{ alignSelf: 'flex-start' }} data-testid="sync-demo-clear">
            {t('sync.demo.clear')}
          </Button>
        )}
      </Stack>
    </Paper>
  )
}
