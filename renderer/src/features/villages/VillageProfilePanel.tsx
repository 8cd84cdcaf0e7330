// One village's profile beside the list: completeness, the edit form (villages.update; the core
// validates and its per-field messages come back in the user's language) and the edit history.
import { ActionIcon, Alert, Badge, Button, Divider, Group, Loader, Paper, Progress, ScrollArea, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { VillagePatch, VillageProfile } from '../../../../shared/api/contract'
import type { VillageHistoryEntry } from '../../../../shared/api/villages'
import { signalQualities } from '../../../../shared/domain'
import { AppError } from '../../../../shared/errors'
import { profileFields } from '../../../../shared/profile'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { completenessColor } from './VillagesPage'

type PatchField = keyof VillagePatch
type FieldKind = 'number' | 'text' | 'longText' | 'bool' | 'signal'

const sections: { key: 'basics' | 'network'; fields: [PatchField, FieldKind][] }[] = [
  {
    key: 'basics',
    fields: [
      ['population', 'number'], ['households', 'number'], ['migrantAwayPct', 'number'], ['educationLevel', 'text'],
      ['mainEconomy', 'text'], ['marketDays', 'text'], ['festivals', 'longText'],
    ],
  },
  {
    key: 'network',
    fields: [
      ['fibreCovered', 'bool'], ['ourPorts', 'number'], ['signal4g', 'signal'], ['signal5g', 'signal'],
      ['ourMobileSubs', 'number'], ['ourBroadbandSubs', 'number'], ['penetrationPct', 'number'], ['notes', 'longText'],
    ],
  },
]
const kindOf = new Map(sections.flatMap((s) => s.fields))

type FormValues = Partial<Record<PatchField, string>>

function toForm(profile: VillageProfile): FormValues {
  const values: FormValues = {}
  for (const [field, kind] of kindOf) {
    const value = profile[field]
    values[field] = value === null || value === undefined ? '' : kind === 'bool' ? (value ? 'yes' : 'no') : String(value)
  }
  return values
}

/** The changed fields as patch values. A number that does not parse is sent as typed so the core's validation names it. */
function toPatch(initial: FormValues, current: FormValues): Record<string, unknown> {
  const patch: Record<string, unknown> = {}
  for (const [field, kind] of kindOf) {
    const text = (current[field] ?? '').trim()
    if (text === (initial[field] ?? '').trim()) continue
    if (text === '') patch[field] = null
    else if (kind === 'number') patch[field] = Number.isFinite(Number(text)) ? Number(text) : text
    else if (kind === 'bool') patch[field] = text === 'yes'
    else patch[field] = text
  }
  return patch
}

export interface VillageProfilePanelProps {
  villageId: string
  onClose: () => void
  /** Called after a change is saved (the list reloads its completeness). */
  onSaved: () => void
}

export function VillageProfilePanel({ villageId, onClose, onSaved }: VillageProfilePanelProps) {
  const { t } = useTranslation()
  const profile = useCall('villages.get', { id: villageId })
  const history = useCall('villages.history', { id: villageId })
  const village = profile.value?.id === villageId ? profile.value : undefined
  const initial = useMemo(() => (village ? toForm(village) : {}), [village])
  const [values, setValues] = useState<FormValues>({})
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<PatchField, string>>>({})
  const [status, setStatus] = useState<{ kind: 'saved' | 'noChanges' | 'invalid' } | { kind: 'error'; error: unknown } | null>(null)
  const [saving, setSaving] = useState(false)

  useEffect(() => {
    setValues(initial)
    setFieldErrors({})
  }, [initial])
  useEffect(() => setStatus(null), [villageId])

  const save = async () => {
    const patch = toPatch(initial, values)
    if (Object.keys(patch).length === 0) return setStatus({ kind: 'noChanges' })
    setSaving(true)
    setStatus(null)
    try {
      await call('villages.update', { id: villageId, patch: patch as VillagePatch })
      setFieldErrors({})
      setStatus({ kind: 'saved' })
      profile.reload()
      history.reload()
      onSaved()
    } catch (error) {
      const issues = error instanceof AppError && error.code === 'VALIDATION' ? (error.issues ?? []) : []
      const byField: Partial<Record<PatchField, string>> = {}
      for (const issue of issues) if (issue.path[0] === 'patch' && typeof issue.path[1] === 'string') byField[issue.path[1] as PatchField] ??= issue.message
      setFieldErrors(byField)
      setStatus(Object.keys(byField).length > 0 ? { kind: 'invalid' } : { kind: 'error', error })
    } finally {
      setSaving(false)
    }
  }

  const input = (field: PatchField, kind: FieldKind) => {
    const common = {
      key: field,
      label: t(`villages.field.${field}`),
      error: fieldErrors[field],
      size: 'xs' as const,
      'data-field': field,
    }
    const value = values[field] ?? ''
    const set = (next: string | null) => {
      setValues((v) => ({ ...v, [field]: next ?? '' }))
      setFieldErrors((e) => ({ ...e, [field]: undefined }))
    }
    if (kind === 'bool')
      return <Select {...common} clearable placeholder={t('villages.unknown')} value={value || null} onChange={set} data={[{ value: 'yes', label: t('villages.yes') }, { value: 'no', label: t('villages.no') }]} />
    if (kind === 'signal')
      return <Select {...common} clearable placeholder={t('villages.unknown')} value={value || null} onChange={set} data={signalQualities.map((q) => ({ value: q, label: t(`villages.signal.${q}`) }))} />
    if (kind === 'longText') return <Textarea {...common} autosize minRows={1} maxRows={4} value={value} onChange={(e) => set(e.currentTarget.value)} style={{ gridColumn: '1 / -1' }} />
    return <TextInput {...common} inputMode={kind === 'number' ? 'decimal' : undefined} value={value} onChange={(e) => set(e.currentTarget.value)} />
  }

  const dirty = village !== undefined && Object.keys(toPatch(initial, values)).length > 0
  const pct = village ? Math.round(village.completeness * 100) : 0

  return (
    <Paper withBorder radius="md" p="md" h="100%" data-testid="village-profile" aria-busy={profile.loading} style={{ display: 'flex', flexDirection: 'column', minHeight: 0 }}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
        <div>
          <Title order={3} size="h4" lh={1.35} data-testid="village-profile-name">
            {village?.name ?? ''}
          </Title>
          {village && (
            <Text size="xs" c="dimmed">
              <Text span ff="monospace" size="xs">{village.divisionCode}</Text> · {village.townshipName ?? t('grid.none')} · {village.gridName ?? t('grid.none')}
            </Text>
          )}
        </div>
        <ActionIcon variant="subtle" color="gray" onClick={onClose} aria-label={t('villages.profile.close')} title={t('villages.profile.close')}>
          <span aria-hidden style={{ fontSize: 20, lineHeight: 1 }}>×</span>
        </ActionIcon>
      </Group>
      {profile.error !== undefined && <ErrorAlert error={profile.error} onRetry={profile.reload} />}
      {!village && profile.error === undefined && (
        <Group justify="center" py="xl">
          <Loader size="sm" />
        </Group>
      )}
      {village && (
        <>
          <Stack gap={4} mt="xs">
            <Group justify="space-between">
              <Text size="sm" fw={600}>{t('villages.profile.completeness')}</Text>
              <Text size="sm" data-testid="village-completeness" data-value={pct}>
                {pct}% · {t('villages.profile.completenessHint', { filled: Math.round(village.completeness * profileFields.length), total: profileFields.length })}
              </Text>
            </Group>
            <Progress value={pct} color={completenessColor(pct)} size="md" />
          </Stack>
          <ScrollArea type="auto" offsetScrollbars style={{ flex: 1, minHeight: 0 }} mt="xs">
            <Stack gap="sm">
              {sections.map((section) => (
                <Stack key={section.key} gap={6}>
                  <Text size="xs" fw={700} c="dimmed" tt="uppercase">{t(`villages.profile.${section.key}`)}</Text>
                  <SimpleGrid cols={2} spacing="xs" verticalSpacing={6}>
                    {section.fields.map(([field, kind]) => input(field, kind))}
                  </SimpleGrid>
                </Stack>
              ))}
              <Divider />
              <Title order={4} size="h6">{t('villages.profile.history')}</Title>
              <History entries={history.value} error={history.error} />
            </Stack>
          </ScrollArea>
          <Stack gap={6} pt="xs">
            {status?.kind === 'saved' && <Alert color="teal" variant="light" p="xs" data-testid="village-saved">{t('villages.profile.saved')}</Alert>}
            {status?.kind === 'noChanges' && <Text size="sm" c="dimmed">{t('villages.profile.noChanges')}</Text>}
            {status?.kind === 'invalid' && <Alert color="red" variant="light" p="xs" role="alert">{t('villages.profile.fixErrors')}</Alert>}
            {status?.kind === 'error' && <ErrorAlert error={status.error} onClose={() => setStatus(null)} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" size="xs" disabled={!dirty || saving} onClick={() => { setValues(initial); setFieldErrors({}); setStatus(null) }}>
                {t('villages.profile.reset')}
              </Button>
              <Button size="xs" loading={saving} disabled={!dirty} onClick={() => void save()} data-testid="village-save">
                {t('villages.profile.save')}
              </Button>
            </Group>
          </Stack>
        </>
      )}
    </Paper>
  )
}

// Bookkeeping the user did not type: not worth a line in the history.
const hiddenInHistory = new Set(['divisionCode', 'townshipCode', 'kind', 'geometrySource', 'sourceCrs', 'microGridId', 'boundary', 'deletedAt'])

function History({ entries, error }: { entries: VillageHistoryEntry[] | undefined; error: unknown }) {
  const { t, i18n } = useTranslation()
  const grids = useCall('grids.list', { limit: 1000 })
  if (error !== undefined) return <ErrorAlert error={error} />
  if (!entries) return <Loader size="xs" />
  if (entries.length === 0) return <Text size="sm" c="dimmed">{t('villages.profile.historyEmpty')}</Text>
  const fieldLabel = (field: string) => t([`villages.field.${field}`, field])
  const gridName = new Map((grids.value ?? []).map((g) => [g.id, g.name]))
  const valueText = (field: string, value: unknown) => {
    if (value === null || value === '') return t('villages.profile.cleared')
    if (typeof value === 'boolean') return value ? t('villages.yes') : t('villages.no')
    if (field === 'signal4g' || field === 'signal5g') return t(`villages.signal.${String(value)}`)
    if (field === 'gridId') return gridName.get(String(value)) ?? String(value)
    const text = String(value)
    return text.length > 40 ? `${text.slice(0, 40)}…` : text
  }
  const [colon, semicolon] = i18n.resolvedLanguage === 'en' ? [': ', '; '] : ['：', '；']
  const time = new Intl.DateTimeFormat(i18n.resolvedLanguage ?? 'zh-CN', { dateStyle: 'short', timeStyle: 'short' })
  return (
    <Stack gap={6} data-testid="village-history">
      {entries.map((entry, i) => (
        <div key={i} data-history-op={entry.op}>
          <Group gap={6}>
            <Text size="xs" c="dimmed">{time.format(new Date(entry.at))}</Text>
            <Badge size="xs" variant="light" color={entry.op === 'insert' ? 'teal' : 'blue'}>{t(`villages.profile.historyOp.${entry.op}`)}</Badge>
            <Badge size="xs" variant="outline" color={entry.synced ? 'gray' : 'orange'}>{entry.synced ? t('villages.profile.synced') : t('villages.profile.pending')}</Badge>
          </Group>
          <Text size="sm">
            {entry.changes.filter((c) => !hiddenInHistory.has(c.field)).map((c) => `${fieldLabel(c.field)}${colon}${valueText(c.field, c.value)}`).join(semicolon)}
          </Text>
        </div>
      ))}
    </Stack>
  )
}
