// Who to see next in the grid: customers ranked by urgency, each with the reasons in words.
import { dayOf } from '../../../../shared/dates'
import { Badge, Box, Button, Group, Loader, ScrollArea, Stack, Table, Text } from '@mantine/core'
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import type { NextUpRow } from '../../../../shared/api/visits'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import type { TargetRef } from './VisitsPage'

const reasonColour = {
  a_tier_stale: 'red',
  contract_expiring: 'orange',
  rival_intel_near: 'grape',
  follow_up_overdue: 'blue',
  work_order_overdue: 'pink',
} as const

export function ReasonBadge({ reason }: { reason: NextUpRow['reasons'][number] }) {
  const { t } = useTranslation()
  const p = reason.params
  const text =
    reason.code === 'a_tier_stale' && p.days === null
      ? t('visits.reason.a_tier_stale_never')
      : reason.code === 'rival_intel_near'
        ? t('visits.reason.rival_intel_near', { ...p, rival: t(`visits.rival.${String(p.rival)}`) })
        : t(`visits.reason.${reason.code}`, p as Record<string, string>)
  return (
    <Badge variant="light" color={reasonColour[reason.code]} radius="sm" style={{ textTransform: 'none', maxWidth: '100%' }} data-reason={reason.code}>
      {text}
    </Badge>
  )
}

export function NextUpPanel({ gridId, refresh, onLogVisit }: { gridId: string; refresh: number; onLogVisit: (t: TargetRef) => void }) {
  const { t } = useTranslation()
  const ranked = useCall('visits.nextUp', { gridId, limit: 100 })
  const { reload } = ranked
  useEffect(() => {
    if (refresh) reload()
  }, [refresh, reload])
  return (
    <Stack gap="xs" h="100%">
      <Group gap="xs">
        <Text size="sm" c="dimmed">
          {t('visits.nextUp.intro')}
        </Text>
        {ranked.loading && <Loader size="xs" />}
      </Group>
      {ranked.error !== undefined && <ErrorAlert error={ranked.error} onRetry={ranked.reload} />}
      {ranked.value?.length === 0 && <Text size="sm">{t('visits.nextUp.empty')}</Text>}
      <Box style={{ flex: 1, minHeight: 0 }}>
        <ScrollArea h="100%" type="auto">
          <Table striped highlightOnHover stickyHeader verticalSpacing={4} data-testid="next-up">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={36}>{t('visits.nextUp.rank')}</Table.Th>
                <Table.Th w={230}>{t('visits.nextUp.customer')}</Table.Th>
                <Table.Th w={70}>{t('visits.nextUp.stage')}</Table.Th>
                <Table.Th w={96}>{t('visits.nextUp.lastVisit')}</Table.Th>
                <Table.Th w={56}>{t('visits.nextUp.score')}</Table.Th>
                <Table.Th>{t('visits.nextUp.reasons')}</Table.Th>
                <Table.Th w={70} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(ranked.value ?? []).map((row, i) => (
                <Table.Tr key={row.customerId} data-customer={row.customerId}>
                  <Table.Td>{i + 1}</Table.Td>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Text size="sm" fw={500}>
                        {row.name}
                      </Text>
                      {row.tier && (
                        <Badge size="xs" variant="light" color={row.tier === 'A' ? 'red' : row.tier === 'B' ? 'orange' : 'gray'}>
                          {row.tier}
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed" truncate maw={220}>
                      {[row.role, row.organisation, row.villageName].filter(Boolean).join(' · ')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t(`visits.stage.${row.funnelStage}`)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{row.lastVisitAt ? dayOf(row.lastVisitAt) : t('visits.nextUp.never')}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {Math.round(row.score)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {row.reasons.map((r) => (
                        <ReasonBadge key={r.code} reason={r} />
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Button size="compact-xs" variant="light" onClick={() => onLogVisit({ kind: 'customer', id: row.customerId })}>
                      {t('visits.nextUp.visit')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Box>
    </Stack>
  )
}
