// One grid at a glance (grids.summary): shown beside the map and beside the grid list.
import { ActionIcon, Badge, Button, Divider, Group, Loader, Paper, Progress, ScrollArea, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core'
import { useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { valueTiers } from '../../../../shared/domain'
import { INCOMPLETE_BELOW } from '../../../../shared/profile'
import { dayOf } from '../../../../shared/dates'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import type { Route } from '../../shell/route'
import { ErrorAlert, errorMessage } from '../../shell/errors'
import { toastError } from '../../shell/toasts'
import { useNumberFormat } from '../../shell/format'
import { useOnSynced } from '../sync/useOnSynced'
import { completenessColor } from '../villages/completeness'

export interface GridSummaryPanelProps {
  gridId: string
  onClose: () => void
  /** When given, a button takes the user to the map with this grid selected. */
  onViewOnMap?: (gridId: string) => void
  /** When given, a button opens the boundary editor (draw or edit the grid's boundary). */
  onEditBoundary?: (gridId: string) => void
  /** When given: the grid's 拜访 page, and per village 记录拜访 / 加入计划 / 打开档案. */
  onNavigate?: (route: Route) => void
}

export function GridSummaryPanel({ gridId, onClose, onViewOnMap, onEditBoundary, onNavigate }: GridSummaryPanelProps) {
  const { t } = useTranslation()
  const formatNumber = useNumberFormat()
  const { value, error, loading, reload } = useCall('grids.summary', { id: gridId })
  useOnSynced(reload)
  const summary = value?.id === gridId ? value : undefined
  const none = t('grid.none')
  const [note, setNote] = useState<string | null>(null)

  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      h="100%"
      data-testid="grid-summary"
      aria-busy={loading}
      style={{ display: 'flex', flexDirection: 'column', minHeight: 0 }}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
        <Title order={3} size="h4" lh={1.35} data-testid="grid-summary-name">
          {summary?.name ?? ''}
        </Title>
        <ActionIcon variant="subtle" color="gray" onClick={onClose} aria-label={t('grid.close')} title={t('grid.close')}>
          <span aria-hidden style={{ fontSize: 20, lineHeight: 1 }}>
            ×
          </span>
        </ActionIcon>
      </Group>
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      {!summary && error === undefined && (
        <Group justify="center" py="xl">
          <Loader size="sm" />
        </Group>
      )}
      {summary && (
        <ScrollArea type="auto" offsetScrollbars style={{ flex: 1, minHeight: 0 }}>
          <Stack gap="sm" pt={4}>
            <Group gap="xs">
              <Badge variant="light" size="lg" radius="sm" tt="none">
                {t(`gridKind.${summary.kind ?? 'unknown'}`)}
              </Badge>
              <Text size="sm" c="dimmed" ff="monospace">
                {summary.code}
              </Text>
            </Group>
            <Facts>
              <Fact label={t('grid.center')}>{summary.centerName ?? none}</Fact>
              <Fact label={t('grid.manager')}>{summary.managerName ?? none}</Fact>
            </Facts>
            <Divider />
            <SimpleGrid cols={3} spacing="xs" verticalSpacing="sm">
              <Figure label={t('grid.villages')} value={formatNumber(summary.villages)} testId="grid-summary-villages" />
              <Figure label={t('grid.households')} value={formatNumber(summary.households)} />
              <Figure label={t('grid.population')} value={formatNumber(summary.population)} />
              <Figure label={t('grid.keyCustomers')} value={formatNumber(summary.keyCustomers)} />
              <Figure label={t('grid.visits30')} value={formatNumber(summary.visitsLast30Days)} />
              <Figure label={t('grid.intel30')} value={formatNumber(summary.intelLast30Days)} />
            </SimpleGrid>
            <Group gap={6} wrap="wrap">
              <Text size="sm" c="dimmed">
                {t('grid.byTier')}
              </Text>
              {valueTiers.map((tier) => (
                <Badge key={tier} variant="outline" color={tier === 'A' ? 'red' : tier === 'B' ? 'orange' : 'gray'} radius="sm">
                  {tier} {formatNumber(summary.keyCustomersByTier[tier])}
                </Badge>
              ))}
            </Group>
            <ProfileCompleteness mean={summary.profileCompleteness} incomplete={summary.incompleteVillages} />
            <Divider />
            {onNavigate && (
              <Button
                size="compact-xs"
                variant="light"
                onClick={() => onNavigate({ page: 'visits', gridId })}
                data-testid="grid-visits"
                style={{ alignSelf: 'flex-start' }}
              >
                {t('visits.title')} · {t('visits.tabs.plan')}
              </Button>
            )}
            <Text size="sm" fw={600}>
              {t('grid.topVillages')}
            </Text>
            {note && (
              <Text size="xs" c="green.8">
                {note}
              </Text>
            )}
            <Table verticalSpacing={4} fz="sm">
              <Table.Tbody>
                {summary.topVillages.map((village) => (
                  <Table.Tr key={village.id}>
                    <Table.Td>
                      {village.name}
                      {onNavigate && (
                        <Group gap={2} mt={2} wrap="nowrap">
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            px={4}
                            onClick={() => onNavigate({ page: 'visits', gridId, target: `village:${village.id}` })}
                            data-village-log={village.id}
                          >
                            {t('field.actions.logVisit')}
                          </Button>
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            px={4}
                            data-village-plan={village.id}
                            onClick={() =>
                              void call('dayPlans.add', { date: dayOf(new Date()), target: { kind: 'village', id: village.id } }).then(
                                (r) =>
                                  setNote(
                                    t(r.added ? 'field.actions.addedToPlan' : 'field.actions.alreadyInPlan', { date: dayOf(new Date()), name: village.name }),
                                  ),
                                (error: unknown) => toastError(t('field.actions.planFailed', { name: village.name, reason: errorMessage(t, error) })),
                              )
                            }
                          >
                            {t('field.actions.addToPlan')}
                          </Button>
                          <Button size="compact-xs" variant="subtle" px={4} onClick={() => onNavigate({ page: 'villages', select: `village:${village.id}` })}>
                            {t('field.actions.openProfile')}
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                    <Table.Td ta="right" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      {t('grid.householdsUnit', { value: formatNumber(village.households) })}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        </ScrollArea>
      )}
      {summary && (onViewOnMap || onEditBoundary) && (
        <Group mt="sm" gap="xs" grow>
          {onViewOnMap && (
            <Button variant="light" onClick={() => onViewOnMap(summary.id)}>
              {t('grid.viewOnMap')}
            </Button>
          )}
          {onEditBoundary && (
            <Button variant="light" onClick={() => onEditBoundary(summary.id)} data-testid="grid-edit-boundary">
              {t('boundary.edit')}
            </Button>
          )}
        </Group>
      )}
    </Paper>
  )
}

/** The mean completeness of the grid's village profiles, and how many are below the threshold. */
function ProfileCompleteness({ mean, incomplete }: { mean: number | null; incomplete: number }) {
  const { t } = useTranslation()
  if (mean === null) return null
  const pct = Math.round(mean * 100)
  const threshold = Math.round(INCOMPLETE_BELOW * 100)
  return (
    <Stack gap={4} data-testid="grid-summary-completeness" data-value={pct} data-incomplete={incomplete}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" c="dimmed">
          {t('grid.completeness')}
        </Text>
        <Text size="sm" fw={600}>
          {pct}%
        </Text>
      </Group>
      <Progress value={pct} color={completenessColor(pct)} size="sm" aria-hidden />
      <Text size="xs" c={incomplete > 0 ? 'red.7' : 'dimmed'}>
        {incomplete > 0 ? t('grid.incompleteVillages', { count: incomplete, pct: threshold }) : t('grid.allComplete', { pct: threshold })}
      </Text>
    </Stack>
  )
}

function Facts({ children }: { children: ReactNode }) {
  return <Stack gap={4}>{children}</Stack>
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="sm" wrap="nowrap" align="baseline">
      <Text size="sm" c="dimmed" w={112} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </Group>
  )
}

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" lh={1.3} style={{ overflowWrap: 'anywhere' }}>
        {label}
      </Text>
      <Text size="lg" fw={600} data-testid={testId}>
        {value}
      </Text>
    </Stack>
  )
}
