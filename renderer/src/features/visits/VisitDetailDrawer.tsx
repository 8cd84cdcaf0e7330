// A past visit opened: check-in (time, how, distance), co-visitors, purpose and outcome,
// products, objections, rival news, photos, next action and its work order, stage moves. A recent
// visit can be corrected (through the outbox, so HQ gets it) and shows its history.
import { Alert, Badge, Button, Divider, Drawer, Group, MultiSelect, Stack, Text, TextInput, Textarea } from '@mantine/core'
import { useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { VISIT_CORRECTION_DAYS, type VisitDetail } from '../../../../shared/api/visits'
import { dateTimeOf, dueDayOf } from '../../../../shared/dates'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { DateField } from '../../shell/DateField'
import { ErrorAlert } from '../../shell/errors'
import type { Route } from '../../shell/route'
import { useConfirmLeave, useUnsavedChanges } from '../../shell/unsaved'
import { correctionOf, sameCorrection, type CorrectionForm } from './visitForm'

const DAY_MS = 86_400_000

export function VisitDetailDrawer({
  visitId,
  onClose,
  onChanged,
  onNavigate,
}: {
  visitId: string | null
  onClose: () => void
  onChanged: () => void
  onNavigate?: (route: Route) => void
}) {
  const { t, i18n } = useTranslation()
  const [detail, setDetail] = useState<VisitDetail | null>(null)
  const [error, setError] = useState<unknown>()
  const [editing, setEditing] = useState<CorrectionForm | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const history = useCall('visits.history', visitId ? { id: visitId, limit: 50 } : null)
  const library = useCall('objections.list', {})
  const leave = useConfirmLeave()
  const dirty = editing !== null && detail !== null && !sameCorrection(editing, correctionOf(detail))
  useUnsavedChanges('visit-correction', dirty)

  useEffect(() => {
    setDetail(null)
    setEditing(null)
    setNote(null)
    setError(undefined)
    if (!visitId) return
    let live = true
    call('visits.get', { id: visitId }).then(
      (d) => live && setDetail(d),
      (e: unknown) => live && setError(e),
    )
    return () => {
      live = false
    }
  }, [visitId])

  const close = () =>
    leave.ask(dirty, () => {
      setEditing(null)
      onClose()
    })
  const recent = detail?.checkedInAt ? Date.now() - Date.parse(detail.checkedInAt) <= VISIT_CORRECTION_DAYS * DAY_MS : false
  const save = async () => {
    if (!detail || !editing) return
    setError(undefined)
    try {
      const base = correctionOf(detail)
      const patch: Record<string, unknown> = {}
      if (editing.purpose !== base.purpose) patch.purpose = editing.purpose
      if (editing.outcome !== base.outcome) patch.outcome = editing.outcome
      if (editing.objections.join(',') !== base.objections.join(',')) patch.objections = editing.objections.map((code) => ({ code }))
      if (editing.nextAction !== base.nextAction || editing.nextDue !== base.nextDue)
        patch.nextAction = editing.nextAction.trim() ? { action: editing.nextAction.trim(), due: editing.nextDue } : null
      const updated = await call('visits.correct', { id: detail.id, patch, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone })
      setDetail(updated)
      setEditing(null)
      setNote(t('field.detail.saved'))
      history.reload()
      onChanged()
    } catch (e) {
      setError(e)
    }
  }
  const objectionName = (code: string) => {
    const o = library.value?.find((x) => x.code === code)
    return o ? (i18n.resolvedLanguage === 'en' ? o.nameEn : o.nameZh) : code
  }
  const target = detail ? (detail.customerName ?? detail.villageName ?? '—') : ''
  // Lists and asides read in the UI language's punctuation (、：（） in Chinese, commas and colons in English).
  const sep =
    i18n.resolvedLanguage === 'en'
      ? { list: ', ', items: '; ', colon: ': ', open: ' (', close: ')' }
      : { list: '、', items: '；', colon: '：', open: '（', close: '）' }

  return (
    <>
      {leave.dialog}
      <Drawer
        opened={visitId !== null}
        onClose={close}
        position="right"
        size={460}
        title={
          <Text fw={600}>
            {t('field.detail.title')} · {target}
          </Text>
        }
        zIndex={2000}
        data-testid="visit-detail"
      >
        {error !== undefined && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
        {note && (
          <Alert color="green" variant="light" p="xs" mb="xs" data-testid="correction-saved">
            {note}
          </Alert>
        )}
        {detail && (
          <Stack gap={6}>
            <Group gap="xs">
              {detail.customerId && onNavigate && (
                <Button
                  size="compact-xs"
                  variant="light"
                  onClick={() => onNavigate({ page: 'customers', select: `customer:${detail.customerId}`, gridId: detail.gridId ?? undefined })}
                >
                  {t('field.detail.openTarget')}
                </Button>
              )}
              {!detail.customerId && detail.villageId && onNavigate && (
                <Button size="compact-xs" variant="light" onClick={() => onNavigate({ page: 'villages', select: `village:${detail.villageId}` })}>
                  {t('field.detail.openTarget')}
                </Button>
              )}
              {onNavigate && detail.gridId && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() =>
                    onNavigate({
                      page: 'map',
                      gridId: detail.gridId!,
                      select: detail.customerId ? `customer:${detail.customerId}` : `village:${detail.villageId}`,
                    })
                  }
                >
                  {t('field.detail.showOnMap')}
                </Button>
              )}
            </Group>
            <Row label={t('field.detail.checkIn')}>
              {detail.checkedInAt
                ? detail.distanceM !== null
                  ? t('field.detail.checkInAt', {
                      time: dateTimeOf(detail.checkedInAt),
                      source: t(`visits.log.source.${detail.checkInSource ?? 'none'}`),
                      m: detail.distanceM,
                    })
                  : t('field.detail.checkInNoDistance', {
                      time: dateTimeOf(detail.checkedInAt),
                      source: t(`visits.log.source.${detail.checkInSource ?? 'none'}`),
                    })
                : t('field.detail.notCheckedIn')}
              {detail.plannedFor && (
                <Badge size="xs" variant="light" ml={6}>
                  {t('field.detail.planned', { date: detail.plannedFor })}
                </Badge>
              )}
            </Row>
            <Row label={t('field.detail.participants')}>
              {detail.participants.map((p) => `${p.name}${sep.open}${t(`visits.role.${p.role}`)}${sep.close}`).join(sep.list) || t('field.detail.none')}
            </Row>
            {editing ? (
              <Stack gap={6} data-testid="correction-form">
                <TextInput
                  size="xs"
                  label={t('field.detail.purpose')}
                  value={editing.purpose}
                  onChange={(e) => {
                    const purpose = e.currentTarget.value
                    setEditing((f) => f && { ...f, purpose })
                  }}
                  data-testid="correct-purpose"
                />
                <Textarea
                  size="xs"
                  label={t('field.detail.outcome')}
                  autosize
                  minRows={2}
                  value={editing.outcome}
                  onChange={(e) => {
                    const outcome = e.currentTarget.value
                    setEditing((f) => f && { ...f, outcome })
                  }}
                  data-testid="correct-outcome"
                />
                <MultiSelect
                  size="xs"
                  label={t('field.detail.objections')}
                  data={(library.value ?? []).map((o) => ({ value: o.code, label: objectionName(o.code) }))}
                  value={editing.objections}
                  onChange={(objections) => setEditing((f) => f && { ...f, objections })}
                  comboboxProps={{ zIndex: 3000 }}
                />
                <Group gap={4} align="flex-end" wrap="nowrap">
                  <TextInput
                    size="xs"
                    style={{ flex: 1 }}
                    label={t('field.detail.nextAction')}
                    value={editing.nextAction}
                    onChange={(e) => {
                      const nextAction = e.currentTarget.value
                      setEditing((f) => f && { ...f, nextAction })
                    }}
                    data-testid="correct-next"
                  />
                  <DateField
                    value={editing.nextDue}
                    onChange={(nextDue) => setEditing((f) => f && { ...f, nextDue })}
                    w={130}
                    aria-label={t('visits.log.nextActionDue')}
                  />
                </Group>
                <Group justify="flex-end" gap="xs">
                  <Button size="xs" variant="default" onClick={() => leave.ask(dirty, () => setEditing(null))}>
                    {t('field.detail.cancel')}
                  </Button>
                  <Button
                    size="xs"
                    onClick={() => void save()}
                    disabled={!dirty || !editing.purpose.trim() || !editing.outcome.trim()}
                    data-testid="correct-save"
                  >
                    {t('field.detail.save')}
                  </Button>
                </Group>
              </Stack>
            ) : (
              <>
                <Row label={t('field.detail.purpose')}>{detail.purpose ?? '—'}</Row>
                <Row label={t('field.detail.outcome')}>
                  <span data-testid="detail-outcome">{detail.outcome ?? '—'}</span>
                </Row>
                <Row label={t('field.detail.objections')}>
                  {detail.objections.map((o) => objectionName(o.code) + (o.detail ? `${sep.colon}${o.detail}` : '')).join(sep.list) || t('field.detail.none')}
                </Row>
                <Row label={t('field.detail.nextAction')}>
                  {detail.nextAction ? t('field.detail.due', { action: detail.nextAction, date: detail.nextActionDue }) : t('field.detail.none')}
                </Row>
              </>
            )}
            <Row label={t('field.detail.products')}>
              {detail.products
                .map(
                  (p) =>
                    `${p.product}${sep.open}${t(p.outcome === 'sold' ? 'visits.log.sold' : 'visits.log.pitched')}${p.quantity && p.quantity > 1 ? ` ×${p.quantity}` : ''}${sep.close}`,
                )
                .join(sep.list) || t('field.detail.none')}
            </Row>
            <Row label={t('field.detail.rivalNews')}>
              {detail.intel.map((i) => `${t(`visits.rival.${i.rival}`)} · ${i.title}`).join(sep.items) || t('field.detail.none')}
            </Row>
            <Row label={t('field.detail.workOrders')}>
              {detail.workOrders.map((w) => `${w.title}${w.dueAt ? `${sep.open}${dueDayOf(w.dueAt)}${sep.close}` : ''}`).join(sep.items) ||
                t('field.detail.none')}
            </Row>
            <Row label={t('field.detail.funnel')}>
              {detail.funnelMoves
                .slice(-3)
                .map((m) => `${m.fromStage ? t(`visits.stage.${m.fromStage}`) : '—'} → ${t(`visits.stage.${m.toStage}`)}`)
                .join(sep.items) || t('field.detail.none')}
            </Row>
            <Row label={t('field.detail.photos')}>{detail.photos.map((p) => p.fileName).join(sep.list) || t('field.detail.none')}</Row>
            {!editing &&
              (recent ? (
                <Group justify="space-between" mt={4}>
                  <Text size="xs" c="dimmed" style={{ flex: 1 }}>
                    {t('field.detail.correctHint', { days: VISIT_CORRECTION_DAYS })}
                  </Text>
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() => {
                      setNote(null)
                      setEditing(correctionOf(detail))
                    }}
                    data-testid="visit-correct"
                  >
                    {t('field.detail.correct')}
                  </Button>
                </Group>
              ) : (
                detail.status === 'done' && (
                  <Text size="xs" c="dimmed">
                    {t('field.detail.tooOld', { days: VISIT_CORRECTION_DAYS })}
                  </Text>
                )
              ))}
            <Divider label={t('field.detail.history')} labelPosition="left" mt="xs" />
            <Stack gap={2} data-testid="visit-history">
              {(history.value ?? []).slice(0, 20).map((h, i) => (
                <Text key={i} size="xs" c="dimmed">
                  {t('field.detail.historyEntry', {
                    time: dateTimeOf(h.at),
                    what: `${t(`field.detail.op.${h.op}`)} ${t(`field.detail.table.${h.table}`, { defaultValue: h.table })}${
                      h.table === 'visits'
                        ? `${sep.colon}${[
                            ...new Set(
                              h.changes
                                .map((c) => c.field)
                                .filter((f) => !['id', 'status', 'deleted_at'].includes(f))
                                .map((f) => t(`field.detail.fieldNames.${f}`, { defaultValue: f })),
                            ),
                          ]
                            .slice(0, 4)
                            .join(sep.list)}`
                        : ''
                    }`,
                  })}
                  {' · '}
                  {h.synced ? t('field.detail.synced') : t('field.detail.pending')}
                </Text>
              ))}
            </Stack>
          </Stack>
        )}
      </Drawer>
    </>
  )
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap={6} wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" w={76} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" style={{ flex: 1, minWidth: 0, wordBreak: 'break-word' }}>
        {children}
      </Text>
    </Group>
  )
}
