// The grid's most recent completed visits; one opens in the detail drawer.
import { Group, Paper, ScrollArea, Stack, Text } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import type { VisitListRow } from '../../../../shared/api/visits'
import { listTimeOf } from '../../../../shared/dates'

export function RecentVisits({ visits, onOpenVisit }: { visits: VisitListRow[]; onOpenVisit: (visitId: string) => void }) {
  const { t } = useTranslation()
  return (
    <>
      <Text size="sm" fw={500}>
        {t('visits.log.recent')}
      </Text>
      <ScrollArea style={{ flex: 1 }} type="auto">
        <Stack gap={4} data-testid="recent-visits">
          {visits.length === 0 && (
            <Text size="xs" c="dimmed">
              {t('visits.log.noRecent')}
            </Text>
          )}
          {visits.map((v) => (
            <Paper
              key={v.id}
              withBorder
              p={6}
              radius="sm"
              component="button"
              type="button"
              onClick={() => onOpenVisit(v.id)}
              data-recent={v.id}
              style={{ cursor: 'pointer', textAlign: 'left', width: '100%', background: 'var(--mantine-color-body)' }}
            >
              <Group justify="space-between" wrap="nowrap">
                <Text size="sm" fw={500} truncate>
                  {v.targetName}
                </Text>
                <Text size="xs" c="dimmed">
                  {v.at ? listTimeOf(v.at) : ''}
                </Text>
              </Group>
              <Text size="xs" c="dimmed" truncate>
                {[v.purpose, v.outcome].filter(Boolean).join(' · ')}
              </Text>
            </Paper>
          ))}
        </Stack>
      </ScrollArea>
    </>
  )
}
