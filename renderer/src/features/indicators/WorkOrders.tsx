// 工单: the list with its SLA light and the overdue filter, the create/edit form (errors per field,
// from the form's own checks and from the core's validation issues), and a work order from a
// dashboard alert (the core writes its title and description from the figures).
import { Alert, Button, Checkbox, Group, Modal, NumberInput, ScrollArea, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { workOrderStatuses, type WorkOrderRow, type WorkOrderStatus } from '../../../../shared/api/indicators'
import { AppError } from '../../../../shared/errors'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { shownCompletion } from '../../../../shared/kpi'
import { dateTimeOf, dueDayOf, endOfDay } from '../../../../shared/dates'
import { DateField } from '../../shell/DateField'
import { ErrorAlert, errorMessage } from '../../shell/errors'
import { toastSaved, toastUndo } from '../../shell/toasts'
import { useUnsavedGuard } from '../../shell/unsaved'
import type { AlertTarget } from './IndicatorsPage'
import { LightBadge, pct, useIndicatorName } from './LightBadge'

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone

/** A due instant in local time; one at the end of its day (a due day) reads as the day alone. */
export function dueText(dueAt: string): string {
  const at = dateTimeOf(dueAt)
  return at.endsWith(' 23:59') ? at.slice(0, 10) : at
}

export function WorkOrderList({ region, highlightId }: { region?: string; highlightId?: string }) {
  const { t } = useTranslation()
  const [overdueOnly, setOverdueOnly] = useState(false)
  const [editing, setEditing] = useState<WorkOrderRow | 'new' | null>(null)
  const list = useCall('workOrders.list', { region: region || undefined, overdueOnly })
  const rows = list.value ?? []
  return (
    <Stack gap="xs" h="100%" style={{ minHeight: 0 }}>
      <Group justify="space-between">
        <Group gap="md">
          <Text fw={600}>{t('indicators.workOrders')}</Text>
          <Checkbox
            label={t('indicators.overdueOnly')}
            checked={overdueOnly}
            onChange={(e) => setOverdueOnly(e.currentTarget.checked)}
            data-testid="wo-overdue"
          />
        </Group>
        <Button onClick={() => setEditing('new')} data-testid="wo-new">
          {t('indicators.wo.new')}
        </Button>
      </Group>
      {list.error !== undefined && <ErrorAlert error={list.error} onRetry={list.reload} />}
      {list.value && rows.length === 0 && <Text c="dimmed">{t('indicators.noWorkOrders')}</Text>}
      <ScrollArea style={{ flex: 1 }}>
        <Table verticalSpacing={4} fz="sm" data-testid="wo-table" stickyHeader highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('indicators.wo.status')}</Table.Th>
              <Table.Th>{t('indicators.woCol.title')}</Table.Th>
              <Table.Th>{t('indicators.wo.colOrigin')}</Table.Th>
              <Table.Th>{t('indicators.woCol.unit')}</Table.Th>
              <Table.Th>{t('indicators.woCol.assignee')}</Table.Th>
              <Table.Th>{t('indicators.woCol.due')}</Table.Th>
              <Table.Th ta="right">{t('indicators.woCol.left')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((w) => (
              <Table.Tr key={w.id} data-wo={w.id} data-light={w.light} data-origin={w.origin} bg={w.id === highlightId ? 'yellow.0' : undefined}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Group gap={6} wrap="nowrap">
                    <LightBadge light={w.light} size="xs" />
                    <Text size="sm">{w.overdue ? t('indicators.wo.light.red') : t(`indicators.woStatus.${w.status}`)}</Text>
                  </Group>
                </Table.Td>
                <Table.Td>{w.title}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{t(`indicators.wo.origin.${w.origin}`)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{w.orgUnitName ?? '—'}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{w.assigneeName ?? '—'}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{dueText(w.dueAt)}</Table.Td>
                <Table.Td ta="right" c={w.overdue ? 'red.7' : undefined}>
                  {w.light === 'none' ? '—' : w.overdue ? `−${Math.max(1, Math.round(-w.hoursLeft))}` : Math.round(w.hoursLeft)}
                </Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="subtle" onClick={() => setEditing(w)}>
                    {t('indicators.wo.edit')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {editing !== null && (
        <WorkOrderForm
          region={region}
          workOrder={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            list.reload()
          }}
          onUndone={list.reload}
        />
      )}
    </Stack>
  )
}

type Field = 'title' | 'description' | 'orgUnitCode' | 'assigneeUserId' | 'dueAt' | 'slaHours' | 'status'

function WorkOrderForm({
  region,
  workOrder,
  onClose,
  onSaved,
  onUndone,
}: {
  region?: string
  workOrder: WorkOrderRow | null
  onClose: () => void
  onSaved: () => void
  onUndone: () => void
}) {
  const { t } = useTranslation()
  const assignees = useCall('workOrders.assignees', { region: region || undefined })
  const grids = useCall('grids.list', { search: '', limit: 1000 })
  const [title, setTitle] = useState(workOrder?.title ?? '')
  const [description, setDescription] = useState(workOrder?.description ?? '')
  const [unit, setUnit] = useState<string | null>(null)
  const [assignee, setAssignee] = useState<string | null>(workOrder?.assigneeUserId ?? null)
  const initialDue = workOrder ? dueDayOf(workOrder.dueAt, localZone()) : ''
  const [due, setDue] = useState(initialDue)
  const [sla, setSla] = useState<number | string>(workOrder?.slaHours ?? '')
  const [status, setStatus] = useState<WorkOrderStatus>(workOrder?.status ?? 'open')
  const [touched, setTouched] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const local: Partial<Record<Field, string>> = {}
  if (!title.trim()) local.title = t('indicators.wo.required')
  if (sla !== '' && (typeof sla !== 'number' || !Number.isInteger(sla) || sla < 1 || sla > 8760)) local.slaHours = t('indicators.wo.slaRange')
  const dirty =
    title !== (workOrder?.title ?? '') ||
    description !== (workOrder?.description ?? '') ||
    unit !== null ||
    assignee !== (workOrder?.assigneeUserId ?? null) ||
    due !== initialDue ||
    sla !== (workOrder?.slaHours ?? '') ||
    status !== (workOrder?.status ?? 'open')
  // Esc, a click outside, × and 取消 ask first when something was typed.
  const { dialog, guard } = useUnsavedGuard('work-order-form', dirty)
  const close = () => guard(onClose)
  // The core's validation issues name the field they belong to (path[0], or patch.<field>).
  const remote = (field: Field) => {
    if (!(error instanceof AppError) || !error.issues) return undefined
    const issue = error.issues.find((i) => i.path[0] === field || (i.path[0] === 'patch' && i.path[1] === field))
    return issue?.message
  }
  const fieldError = (field: Field) => (touched ? local[field] : undefined) ?? remote(field)
  const unclaimed =
    error !== null && !(['title', 'description', 'orgUnitCode', 'assigneeUserId', 'dueAt', 'slaHours', 'status'] as Field[]).some((f) => remote(f))

  async function save() {
    setTouched(true)
    if (Object.keys(local).length) return
    setBusy(true)
    setError(null)
    // A due day is the end of that day here; an unchanged day keeps the stored time.
    const dueAt = due && due !== initialDue ? endOfDay(due, localZone()) : undefined
    const slaHours = typeof sla === 'number' ? sla : undefined
    try {
      if (workOrder) {
        await call('workOrders.update', {
          id: workOrder.id,
          patch: {
            title: title.trim(),
            description: description || null,
            assigneeUserId: assignee,
            ...(dueAt ? { dueAt } : {}),
            slaHours: slaHours ?? null,
            status,
          },
        })
        // Done or cancelled takes the order off the open list: that can be undone for a moment.
        if (status !== workOrder.status) {
          const before = workOrder.status
          toastUndo(
            t,
            t('field.undo.woStatus', { title: title.trim(), status: t(`indicators.woStatus.${status}`) }),
            () => call('workOrders.update', { id: workOrder.id, patch: { status: before } }),
            onUndone,
          )
        } else toastSaved(t('indicators.wo.saved'))
      } else {
        await call('workOrders.create', {
          title: title.trim(),
          description: description || undefined,
          orgUnitCode: unit ?? undefined,
          assigneeUserId: assignee ?? undefined,
          dueAt,
          slaHours,
        })
        toastSaved(t('indicators.wo.saved'))
      }
      onSaved()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      {dialog}
      <Modal opened onClose={close} title={workOrder ? t('indicators.wo.edit') : t('indicators.wo.new')} size="lg" data-testid="wo-form">
        <Stack gap="sm">
          <TextInput
            label={t('indicators.wo.title')}
            withAsterisk
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={fieldError('title')}
            data-testid="wo-title"
          />
          <Textarea
            label={t('indicators.wo.description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={2}
            maxRows={5}
            error={fieldError('description')}
          />
          <Group grow align="flex-start">
            {!workOrder && (
              <Select
                label={t('indicators.wo.unit')}
                data={(grids.value ?? []).map((g) => ({ value: g.code, label: g.name }))}
                value={unit}
                onChange={setUnit}
                searchable
                clearable
                error={fieldError('orgUnitCode')}
                data-testid="wo-unit"
              />
            )}
            <Select
              label={t('indicators.wo.assignee')}
              data={(assignees.value ?? []).map((a) => ({ value: a.id, label: a.name }))}
              value={assignee}
              onChange={setAssignee}
              searchable
              clearable
              error={fieldError('assigneeUserId')}
            />
          </Group>
          <Group grow align="flex-start">
            <DateField size="sm" label={t('woEdit.due')} value={due} onChange={setDue} error={fieldError('dueAt')} data-testid="wo-due" />
            <NumberInput
              label={t('indicators.wo.sla')}
              value={sla}
              onChange={setSla}
              allowDecimal={false}
              error={fieldError('slaHours')}
              data-testid="wo-sla"
            />
            {workOrder && (
              <Select
                label={t('indicators.wo.status')}
                data={workOrderStatuses.map((s) => ({ value: s, label: t(`indicators.woStatus.${s}`) }))}
                value={status}
                onChange={(v) => v && setStatus(v as WorkOrderStatus)}
                allowDeselect={false}
                error={fieldError('status')}
              />
            )}
          </Group>
          {unclaimed && <ErrorAlert error={error} />}
          {error !== null && !unclaimed && (
            <Text size="sm" c="red.7">
              {errorMessage(t, error)}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('indicators.wo.cancel')}
            </Button>
            <Button onClick={() => void save()} loading={busy} data-testid="wo-save">
              {t('indicators.wo.save')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}

/** A red grid on the dashboard or the map → a work order whose text the core writes from the figures. */
export function AlertWorkOrderModal({
  alert,
  period,
  onClose,
  onCreated,
}: {
  alert: AlertTarget | null
  period: string
  onClose: () => void
  onCreated: (id: string) => void
}) {
  const { t } = useTranslation()
  const nameOf = useIndicatorName()
  const indicators = useCall('indicators.list', alert ? {} : null)
  const assignees = useCall('workOrders.assignees', alert ? { region: alert.row.code } : null)
  const [indicator, setIndicator] = useState<string | null>(null)
  const [assignee, setAssignee] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [title, setTitle] = useState('')
  const [description, setDescription] = useState('')
  const [dueDay, setDueDay] = useState('')
  // Worst first: the indicator furthest behind its pace is the default.
  const behind = (indicators.value ?? [])
    .filter((i) => alert && ['red', 'yellow'].includes(alert.row.cells[i.code]?.light ?? ''))
    .sort((a, b) => (alert!.row.cells[a.code]!.gapPp ?? 0) - (alert!.row.cells[b.code]!.gapPp ?? 0))
  const code = indicator ?? behind[0]?.code ?? alert?.indicatorCode ?? null
  const cell = alert && code ? alert.row.cells[code] : undefined
  const chosen = indicators.value?.find((i) => i.code === code)

  const { dialog, guard } = useUnsavedGuard('alert-work-order', alert !== null && (title !== '' || description !== '' || dueDay !== '' || assignee !== null))
  const close = () =>
    guard(() => {
      setIndicator(null)
      setAssignee(null)
      setTitle('')
      setDescription('')
      setDueDay('')
      setError(null)
      onClose()
    })

  async function create() {
    if (!alert || !code) return
    setBusy(true)
    setError(null)
    try {
      // Title, description and due day as typed; left empty, the core writes them from the alert.
      const created = await call('workOrders.create', {
        fromAlert: { indicatorCode: code, orgUnitCode: alert.row.code, period },
        assigneeUserId: assignee ?? undefined,
        ...(title.trim() ? { title: title.trim() } : {}),
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(dueDay ? { dueAt: new Date(`${dueDay}T18:00:00`).toISOString() } : {}),
      })
      setIndicator(null)
      setAssignee(null)
      setTitle('')
      setDescription('')
      setDueDay('')
      onCreated(created.id)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      {dialog}
      <Modal opened={alert !== null} onClose={close} title={t('indicators.wo.fromAlert')} size="lg" data-testid="alert-wo">
        {alert && (
          <Stack gap="sm">
            <Select
              label={t('indicators.wo.alertIndicator')}
              data={behind.map((i) => ({ value: i.code, label: `${nameOf(i)} · ${t(`indicators.lightWord.${alert.row.cells[i.code]!.light}`)}` }))}
              value={code}
              onChange={setIndicator}
              allowDeselect={false}
            />
            {cell && (
              <Alert color={cell.light === 'red' ? 'red' : 'yellow'} data-testid="alert-summary">
                {t('indicators.wo.fromAlertHint', {
                  unit: alert.row.name,
                  indicator: nameOf(indicators.value?.find((i) => i.code === code)),
                  period,
                  completion: pct(chosen ? shownCompletion(cell.actual, cell.target, chosen.direction) : cell.completion),
                  gap: cell.gapPp ?? '—',
                })}
              </Alert>
            )}
            <TextInput
              label={t('woEdit.title')}
              placeholder={t('woEdit.auto')}
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              maxLength={200}
              data-testid="alert-wo-title"
            />
            <Textarea
              label={t('woEdit.description')}
              placeholder={t('woEdit.auto')}
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
              autosize
              minRows={2}
              maxLength={5000}
              data-testid="alert-wo-description"
            />
            <DateField
              size="sm"
              clearable
              label={t('woEdit.due')}
              description={t('woEdit.dueHint')}
              value={dueDay}
              onChange={setDueDay}
              data-testid="alert-wo-due"
            />
            <Select
              label={t('indicators.wo.assignee')}
              placeholder={t('indicators.wo.none')}
              data={(assignees.value ?? []).map((a) => ({ value: a.id, label: a.name }))}
              value={assignee}
              onChange={setAssignee}
              clearable
            />
            {error !== null && <ErrorAlert error={error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('indicators.wo.cancel')}
              </Button>
              <Button color="red" onClick={() => void create()} loading={busy} disabled={!code} data-testid="alert-wo-create">
                {t('indicators.actions.createWo')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  )
}
