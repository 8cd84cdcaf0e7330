// What a completed visit made: the intel and work orders, the funnel move, and a warning when the
// check-in was far from the target.
import { Alert, Stack, Text } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import type { VisitCompleteResult } from '../../../../shared/api/visits'
import { dueDayOf } from '../../../../shared/dates'
import type { FunnelStage } from '../../../../shared/domain'

export function VisitDoneAlert({ result, radius, onClose }: { result: VisitCompleteResult; radius: number; onClose: () => void }) {
  const { t } = useTranslation()
  const stageName = (s: FunnelStage | null) => (s ? t(`visits.stage.${s}`) : '—')
  return (
    <Alert variant="light" color="green" p="xs" data-testid="visit-done" withCloseButton onClose={onClose}>
      <Stack gap={2}>
        <Text size="sm" fw={600}>
          {t('visits.log.done')}
        </Text>
        {result.visit.intel.map((i) => (
          <Text key={i.id} size="sm" data-testid="done-intel">
            {t('visits.log.doneIntel', { title: i.title })}
          </Text>
        ))}
        {result.visit.workOrders.map((w) => (
          <Text key={w.id} size="sm" data-testid="done-wo">
            {t('visits.log.doneWo', { title: w.title, due: dueDayOf(w.dueAt) })}
          </Text>
        ))}
        {result.visit.funnelMoves
          .filter((m) => m.movedAt === result.visit.checkedInAt)
          .map((m) => (
            <Text key={m.movedAt} size="sm" data-testid="done-funnel">
              {t('visits.log.doneFunnel', { name: result.visit.customerName, from: stageName(m.fromStage), to: stageName(m.toStage) })}
            </Text>
          ))}
        {result.farFromTarget && (
          <Text size="sm" c="orange.8">
            {t('visits.log.far', { m: result.visit.distanceM, radius })}
          </Text>
        )}
      </Stack>
    </Alert>
  )
}
