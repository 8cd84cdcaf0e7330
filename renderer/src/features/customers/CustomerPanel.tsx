// One key customer beside the list: facts, funnel stage with move buttons (each move recorded
// with its date), products, possible duplicates with merge, and the timeline of visits, stage
// moves and intel seen in the customer's village.
import { ActionIcon, Badge, Box, Button, Divider, Group, Loader, Paper, ScrollArea, Stack, Text, Timeline, Title, UnstyledButton } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Route } from '../../shell/route'
import { TargetActions } from '../visits/TargetActions'
import { VisitDetailDrawer } from '../visits/VisitDetailDrawer'
import type { TimelineEntry } from '../../../../shared/api/customers'
import { dayOf } from '../../../../shared/dates'
import { funnelStages, type FunnelStage } from '../../../../shared/domain'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { useMoneyFormat } from '../../shell/format'
import { toastUndo } from '../../shell/toasts'
import { CustomerForm } from './CustomerForm'

export const tierColour = { A: 'red', B: 'orange', C: 'gray' } as const

export function CustomerPanel({
  customerId,
  onClose,
  onChanged,
  onNavigate,
}: {
  customerId: string
  onClose: () => void
  onChanged: () => void
  onNavigate?: (route: Route) => void
}) {
  const { t } = useTranslation()
  const money = useMoneyFormat()
  const detail = useCall('customers.get', { id: customerId })
  const duplicates = useCall('customers.duplicates', { id: customerId })
  const [editing, setEditing] = useState(false)
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState<string>()
  const [openVisitId, setOpenVisitId] = useState<string | null>(null)
  const c = detail.value

  const act = async (key: string, fn: () => Promise<unknown>) => {
    setBusy(key)
    setError(undefined)
    try {
      await fn()
      detail.reload()
      duplicates.reload()
      onChanged()
      return true
    } catch (e) {
      setError(e)
      return false
    } finally {
      setBusy(undefined)
    }
  }

  // A stage move offers undo: moving back is itself a recorded (and synced) move.
  const moveStage = async (stage: FunnelStage) => {
    if (!c) return
    const from = c.funnelStage
    const moved = await act(stage, () => call('customers.moveStage', { id: c.id, toStage: stage }))
    if (!moved) return
    toastUndo(
      t,
      t('field.undo.stageMoved', { name: c.name, stage: t(`customers.stage.${stage}`) }),
      () => call('customers.moveStage', { id: c.id, toStage: from }),
      () => {
        detail.reload()
        onChanged()
      },
    )
  }

  if (detail.error !== undefined) return <ErrorAlert error={detail.error} onRetry={detail.reload} />
  if (!c || c.id !== customerId)
    return (
      <Paper withBorder p="md" h="100%">
        <Loader size="sm" />
      </Paper>
    )
  const stageIndex = funnelStages.indexOf(c.funnelStage)
  const none = t('customers.none')

  return (
    <Paper
      withBorder
      radius="md"
      h="100%"
      style={{ display: 'flex', flexDirection: 'column', minHeight: 0 }}
      data-testid="customer-panel"
      data-customer-id={c.id}
    >
      <Group justify="space-between" p="sm" pb={4} wrap="nowrap" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap={6} wrap="nowrap">
            <Title order={3} size="h4" data-testid="customer-name">
              {c.name}
            </Title>
            {c.tier && (
              <Badge
                color={tierColour[c.tier]}
                variant="filled"
                radius="sm"
                title={c.tierOverride ? t('customers.tierOverridden', { computed: c.valueTier ?? none }) : undefined}
              >
                {t('customers.tierLabel', { tier: c.tier })}
              </Badge>
            )}
            <Badge variant="light" radius="sm">
              {t(`customers.category.${c.category}`)}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed" truncate>
            {[c.role, c.organisation, c.villageName].filter(Boolean).join(' · ') || none}
          </Text>
        </Stack>
        <Group gap={4} wrap="nowrap">
          <Button size="xs" variant="light" onClick={() => setEditing(true)} data-testid="customer-edit">
            {t('customers.panel.edit')}
          </Button>
          <ActionIcon variant="subtle" color="gray" onClick={onClose} aria-label={t('customers.close')}>
            ✕
          </ActionIcon>
        </Group>
      </Group>
      {onNavigate && (
        <Box px="sm" pb={6}>
          <TargetActions target={{ kind: 'customer', id: c.id, name: c.name, gridId: c.gridId }} actions={['log', 'plan', 'map']} onNavigate={onNavigate} />
        </Box>
      )}
      <ScrollArea style={{ flex: 1, minHeight: 0 }} px="sm" pb="sm">
        <Stack gap="sm">
          <Box fz="sm">
            <Fact label={t('customers.col.phone')} value={c.phone ?? none} />
            <Fact label={t('customers.col.influence')} value={c.influence ? '★'.repeat(c.influence) : none} />
            <Fact label={t('customers.col.monthlyRevenue')} value={c.monthlyRevenue === null ? none : money(c.monthlyRevenue)} />
            <Fact label={t('customers.col.contractExpiry')} value={c.contractExpiry ?? none} />
            <Fact label={t('customers.filters.rival')} value={c.rivalUsed ? t(`customers.rival.${c.rivalUsed}`) : none} />
            <Fact label={t('customers.col.nextFollowUp')} value={c.nextFollowUp ?? none} />
            <Fact label={t('customers.panel.owner')} value={c.ownerName ?? none} />
            <Fact label={t('customers.panel.grid')} value={c.gridName ?? none} />
            {c.tags.length > 0 && (
              <Group gap={4} mt={4}>
                {c.tags.map((tag) => (
                  <Badge key={tag} size="sm" variant="outline" tt="none">
                    {tag}
                  </Badge>
                ))}
              </Group>
            )}
            {c.notes && (
              <Text size="sm" mt={4} style={{ whiteSpace: 'pre-wrap' }}>
                {c.notes}
              </Text>
            )}
          </Box>

          <Divider label={t('customers.panel.stage')} labelPosition="left" />
          <Group gap={4} data-testid="stage-steps">
            {funnelStages.map((stage, i) => (
              <Button
                key={stage}
                size="compact-sm"
                variant={i === stageIndex ? 'filled' : i < stageIndex ? 'light' : 'default'}
                aria-current={i === stageIndex ? 'step' : undefined}
                loading={busy === stage}
                title={
                  i > stageIndex
                    ? t('customers.panel.moveTo', { stage: t(`customers.stage.${stage}`) })
                    : t('customers.panel.moveBack', { stage: t(`customers.stage.${stage}`) })
                }
                onClick={() => i !== stageIndex && void moveStage(stage)}
                data-stage={stage}
                data-current={i === stageIndex}
              >
                {t(`customers.stage.${stage}`)}
              </Button>
            ))}
          </Group>
          {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}

          <Divider label={t('customers.panel.products')} labelPosition="left" />
          {c.products.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('customers.panel.noProducts')}
            </Text>
          ) : (
            <Group gap={4}>
              {c.products.map((p) => (
                <Badge key={p.id} variant="light" color="teal" tt="none" title={p.since ?? undefined}>
                  {p.productName}
                </Badge>
              ))}
            </Group>
          )}

          <Divider label={t('customers.panel.duplicates')} labelPosition="left" />
          <Stack gap={4} data-testid="duplicates">
            {(duplicates.value ?? []).length === 0 && (
              <Text size="sm" c="dimmed">
                {t('customers.panel.noDuplicates')}
              </Text>
            )}
            {(duplicates.value ?? []).map((d) => (
              <Group key={d.id} justify="space-between" wrap="nowrap" gap="xs" data-duplicate-id={d.id}>
                <Text size="sm" truncate>
                  {d.name} · {d.phone ?? none} · {d.villageName ?? none}{' '}
                  <Badge size="xs" color="orange" variant="light">
                    {t(d.reason === 'phone' ? 'customers.panel.reasonPhone' : 'customers.panel.reasonNameVillage')}
                  </Badge>
                </Text>
                <Button
                  size="compact-xs"
                  variant="light"
                  color="orange"
                  loading={busy === `merge-${d.id}`}
                  onClick={() => {
                    if (window.confirm(t('customers.panel.mergeConfirm', { name: d.name })))
                      void act(`merge-${d.id}`, () => call('customers.merge', { keepId: c.id, dropId: d.id }))
                  }}
                  data-testid="merge"
                >
                  {t('customers.panel.merge')}
                </Button>
              </Group>
            ))}
          </Stack>

          <Divider label={t('customers.panel.timeline')} labelPosition="left" />
          {c.timeline.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('customers.panel.noTimeline')}
            </Text>
          ) : (
            <Timeline bulletSize={14} lineWidth={2} data-testid="timeline">
              {c.timeline.slice(0, 60).map((e) => (
                <TimelineItem key={`${e.kind}-${e.id}`} entry={e} onOpenVisit={setOpenVisitId} />
              ))}
            </Timeline>
          )}
        </Stack>
      </ScrollArea>
      <VisitDetailDrawer
        visitId={openVisitId}
        onClose={() => setOpenVisitId(null)}
        onChanged={() => {
          detail.reload()
          onChanged()
        }}
        onNavigate={onNavigate}
      />
      <CustomerForm
        opened={editing}
        customer={c}
        onClose={() => setEditing(false)}
        onSaved={() => {
          setEditing(false)
          detail.reload()
          duplicates.reload()
          onChanged()
        }}
      />
    </Paper>
  )
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Text span size="sm" c="dimmed" w={84} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text span size="sm" truncate>
        {value}
      </Text>
    </Group>
  )
}

function TimelineItem({ entry, onOpenVisit }: { entry: TimelineEntry; onOpenVisit: (id: string) => void }) {
  const { t } = useTranslation()
  const day = dayOf(entry.at)
  if (entry.kind === 'move')
    return (
      <Timeline.Item
        color="blue"
        title={
          <Text size="sm" fw={600}>
            {t('customers.panel.move')} · {day}
          </Text>
        }
        data-kind="move"
      >
        <Text size="sm">
          {t('customers.panel.moveText', {
            from: entry.fromStage ? t(`customers.stage.${entry.fromStage as FunnelStage}`) : '—',
            to: t(`customers.stage.${entry.toStage}`),
          })}
        </Text>
      </Timeline.Item>
    )
  if (entry.kind === 'intel')
    return (
      <Timeline.Item
        color="red"
        title={
          <Text size="sm" fw={600}>
            {t('customers.panel.intel')} · {day}
          </Text>
        }
        data-kind="intel"
      >
        <Text size="sm">
          {t(`customers.rival.${entry.rival}`)} · {entry.title}
          {entry.threatLevel ? ` · ${t('intel.threat', { level: entry.threatLevel })}` : ''}
        </Text>
      </Timeline.Item>
    )
  if (entry.status === 'planned')
    return (
      <Timeline.Item
        color="gray"
        lineVariant="dashed"
        title={
          <Text size="sm" fw={600} c="dimmed">
            {t('customers.panel.plannedVisit')} · {entry.plannedFor ?? day}
          </Text>
        }
        data-kind="visit"
        data-status="planned"
      >
        {entry.purpose && <Text size="sm">{entry.purpose}</Text>}
      </Timeline.Item>
    )
  return (
    <Timeline.Item
      color="teal"
      title={
        <UnstyledButton onClick={() => onOpenVisit(entry.id)} data-open-visit={entry.id} title={t('customers.panel.openVisit')}>
          <Text size="sm" fw={600} c="blue.8" td="underline">
            {t('customers.panel.visit')} · {day}
          </Text>
        </UnstyledButton>
      }
      data-kind="visit"
      data-status="done"
    >
      <Text size="sm">{[entry.purpose, entry.outcome, entry.nextAction].filter(Boolean).join(' · ')}</Text>
    </Timeline.Item>
  )
}
