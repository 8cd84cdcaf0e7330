// One village's profile beside the list: completeness (and what is missing), the edit form
// (villages.update; the core validates, per-field problems come back as codes or in the user's
// language) with the age structure, rivals' ports and shares and the key persons, and the edit history.
import {
  ActionIcon,
  Alert,
  Autocomplete,
  Badge,
  Box,
  Button,
  Divider,
  Group,
  Loader,
  Paper,
  Progress,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core'
import { useEffect, useMemo, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { VillagePatch, VillageProfile } from '../../../../shared/api/contract'
import type { VillageHistoryEntry } from '../../../../shared/api/villages'
import { dateTimeOf } from '../../../../shared/dates'
import { signalQualities } from '../../../../shared/domain'
import {
  ageFields,
  ageSharesAddUp,
  missingProfileFields,
  parseKeyPersons,
  parseRivalPorts,
  profileFields,
  profileRivals,
  shareAgainst,
  type KeyPerson,
} from '../../../../shared/profile'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedGuard } from '../../shell/unsaved'
import { fieldErrors as issuesByField } from '../customers/fieldErrors'
import { useOnSynced } from '../sync/useOnSynced'
import { completenessColor } from './completeness'
import type { Route } from '../../shell/route'
import { TargetActions } from '../visits/TargetActions'

type ScalarField = Exclude<keyof VillagePatch, 'rivalPorts' | 'shareVsRivals' | 'keyPersons'>
type FieldKind = 'number' | 'text' | 'longText' | 'bool' | 'signal'

const sections: { key: 'basics' | 'network'; fields: [ScalarField, FieldKind][] }[] = [
  {
    key: 'basics',
    fields: [
      ['population', 'number'],
      ['households', 'number'],
      ['migrantAwayPct', 'number'],
      ['educationLevel', 'text'],
      ['mainEconomy', 'text'],
      ['marketDays', 'text'],
      ['festivals', 'longText'],
    ],
  },
  {
    key: 'network',
    fields: [
      ['fibreCovered', 'bool'],
      ['ourPorts', 'number'],
      ['signal4g', 'signal'],
      ['signal5g', 'signal'],
      ['ourMobileSubs', 'number'],
      ['ourBroadbandSubs', 'number'],
      ['penetrationPct', 'number'],
    ],
  },
]
const kindOf = new Map<ScalarField, FieldKind>([...sections.flatMap((s) => s.fields), ...ageFields.map((f) => [f, 'number'] as const), ['notes', 'longText']])
const rivalGroups = ['rivalPorts', 'shareVsRivals'] as const
const rolePresets = ['secretary', 'head', 'accountant', 'shopOwner', 'principal', 'doctor', 'coopHead'] as const

interface PersonForm {
  /** React key only. */
  key: number
  name: string
  role: string
  phone: string
  notes: string
}

/** Every input as text: scalar fields by name, rivals' figures as `rivalPorts.telecom`, key persons as a list. */
interface FormValues {
  fields: Record<string, string>
  persons: PersonForm[]
}

let personKey = 0
const personForm = (p?: KeyPerson): PersonForm => ({ key: ++personKey, name: p?.name ?? '', role: p?.role ?? '', phone: p?.phone ?? '', notes: p?.notes ?? '' })

function toForm(profile: VillageProfile): FormValues {
  const fields: Record<string, string> = {}
  for (const [field, kind] of kindOf) {
    const value = profile[field]
    fields[field] = value === null || value === undefined ? '' : kind === 'bool' ? (value ? 'yes' : 'no') : String(value)
  }
  for (const group of rivalGroups)
    for (const rival of profileRivals) {
      const value = profile[group]?.[rival]
      fields[`${group}.${rival}`] = value === null || value === undefined ? '' : String(value)
    }
  return { fields, persons: profile.keyPersons.map(personForm) }
}

/** A number that does not parse is sent as typed so the core's validation names it. */
const numberOrText = (text: string) => (text === '' ? null : Number.isFinite(Number(text)) ? Number(text) : text)

const isBlank = (p: PersonForm) => !p.name.trim() && !p.role.trim() && !p.phone.trim() && !p.notes.trim()
/** The rows the user filled in (blank rows are not sent). */
const personsOf = (persons: PersonForm[]) =>
  persons
    .filter((p) => !isBlank(p))
    .map((p) => ({ name: p.name.trim(), role: p.role.trim() || null, phone: p.phone.trim() || null, notes: p.notes.trim() || null }))

/** Issue keys name the n-th person sent; the form's row of it skips the blank rows. */
function toFormRows(byField: Record<string, string>, persons: PersonForm[]): Record<string, string> {
  const rows = persons.flatMap((p, i) => (isBlank(p) ? [] : [i]))
  return Object.fromEntries(
    Object.entries(byField).map(([key, message]) => [key.replace(/^keyPersons\.(\d+)\./, (_, n: string) => `keyPersons.${rows[Number(n)] ?? n}.`), message]),
  )
}

/** The changed fields as patch values. The age shares go together (the core checks their sum), so do each rival group's figures. */
function toPatch(initial: FormValues, current: FormValues): Record<string, unknown> {
  const patch: Record<string, unknown> = {}
  const text = (values: FormValues, key: string) => (values.fields[key] ?? '').trim()
  const changed = (key: string) => text(current, key) !== text(initial, key)
  for (const [field, kind] of kindOf) {
    if ((ageFields as readonly string[]).includes(field) || !changed(field)) continue
    const value = text(current, field)
    if (value === '') patch[field] = null
    else if (kind === 'number') patch[field] = numberOrText(value)
    else if (kind === 'bool') patch[field] = value === 'yes'
    else patch[field] = value
  }
  if (ageFields.some(changed)) for (const f of ageFields) patch[f] = numberOrText(text(current, f))
  for (const group of rivalGroups) {
    if (!profileRivals.some((r) => changed(`${group}.${r}`))) continue
    const figures = Object.fromEntries(profileRivals.map((r) => [r, numberOrText(text(current, `${group}.${r}`))]))
    patch[group] = Object.values(figures).every((v) => v === null) ? null : figures
  }
  const persons = personsOf(current.persons)
  if (JSON.stringify(persons) !== JSON.stringify(personsOf(initial.persons))) patch.keyPersons = persons.length > 0 ? persons : null
  return patch
}

/** The profile's id among the unsaved forms: the villages page asks with it before it shows another village. */
export const VILLAGE_PROFILE_FORM = 'village-profile'

export interface VillageProfilePanelProps {
  villageId: string
  onClose: () => void
  /** Called after a change is saved (the list reloads its completeness). */
  onSaved: () => void
  /** Where its actions go (记录拜访, 加入计划, 在地图上显示); none without it. */
  onNavigate?: (route: Route) => void
}

export function VillageProfilePanel({ villageId, onClose, onSaved, onNavigate }: VillageProfilePanelProps) {
  const { t } = useTranslation()
  const profile = useCall('villages.get', { id: villageId })
  const history = useCall('villages.history', { id: villageId })
  const village = profile.value?.id === villageId ? profile.value : undefined
  const initial = useMemo<FormValues>(() => (village ? toForm(village) : { fields: {}, persons: [] }), [village])
  const [values, setValues] = useState<FormValues>({ fields: {}, persons: [] })
  const [fieldErrors, setFieldErrors] = useState<Record<string, string | undefined>>({})
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
      toastSaved(t('field.undo.saved'))
      profile.reload()
      history.reload()
      onSaved()
    } catch (error) {
      const byField = toFormRows(issuesByField(t, error, ['patch'], 'villages.fieldError'), values.persons)
      setFieldErrors(byField)
      setStatus(Object.keys(byField).length > 0 ? { kind: 'invalid' } : { kind: 'error', error })
    } finally {
      setSaving(false)
    }
  }

  /** Sets one input; its error (and those it is checked with) goes. */
  const setField = (key: string, next: string | null) => {
    setValues((v) => ({ ...v, fields: { ...v.fields, [key]: next ?? '' } }))
    const related = (ageFields as readonly string[]).includes(key) ? [...ageFields] : [key, key.split('.')[0]!]
    setFieldErrors((e) => ({ ...e, ...Object.fromEntries(related.map((k) => [k, undefined])) }))
  }
  const setPersons = (update: (persons: PersonForm[]) => PersonForm[]) => {
    setValues((v) => ({ ...v, persons: update(v.persons) }))
    // Indices shift when a row goes: the key persons' errors are cleared together.
    setFieldErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'keyPersons' && !k.startsWith('keyPersons.'))))
  }

  const input = (field: string, kind: FieldKind, label = t(`villages.field.${field}`), error: ReactNode = fieldErrors[field]) => {
    const common = {
      key: field,
      label,
      error,
      size: 'xs' as const,
      'data-field': field,
    }
    const value = values.fields[field] ?? ''
    const set = (next: string | null) => setField(field, next)
    if (kind === 'bool')
      return (
        <Select
          {...common}
          clearable
          placeholder={t('villages.unknown')}
          value={value || null}
          onChange={set}
          data={[
            { value: 'yes', label: t('villages.yes') },
            { value: 'no', label: t('villages.no') },
          ]}
        />
      )
    if (kind === 'signal')
      return (
        <Select
          {...common}
          clearable
          placeholder={t('villages.unknown')}
          value={value || null}
          onChange={set}
          data={signalQualities.map((q) => ({ value: q, label: t(`villages.signal.${q}`) }))}
        />
      )
    if (kind === 'longText')
      return (
        <Textarea {...common} autosize minRows={1} maxRows={4} value={value} onChange={(e) => set(e.currentTarget.value)} style={{ gridColumn: '1 / -1' }} />
      )
    return <TextInput {...common} inputMode={kind === 'number' ? 'decimal' : undefined} value={value} onChange={(e) => set(e.currentTarget.value)} />
  }

  const ageTexts = ageFields.map((f) => (values.fields[f] ?? '').trim())
  const ageSum = ageTexts.every((a) => a !== '' && Number.isFinite(Number(a))) ? Math.round(ageTexts.reduce((s, a) => s + Number(a), 0) * 10) / 10 : null
  const ageOff = ageSum !== null && !ageSharesAddUp(ageTexts.map(Number))
  const ageSumError = t('villages.fieldError.age_sum')
  const sectionTitle = (key: string, extra?: ReactNode) => (
    <Group justify="space-between" gap="xs" wrap="nowrap">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase">
        {t(`villages.profile.${key}`)}
      </Text>
      {extra}
    </Group>
  )
  const missing = village ? missingProfileFields(village) : []

  const dirty = village !== undefined && Object.keys(toPatch(initial, values)).length > 0
  // Closing the panel, another page or another village (the page asks through the same id) asks first.
  const { dialog, guard } = useUnsavedGuard(VILLAGE_PROFILE_FORM, dirty)
  const pct = village ? Math.round(village.completeness * 100) : 0
  // After a sync: the history's "synced" marks, and the profile unless the user is editing it.
  useOnSynced(() => {
    history.reload()
    if (!dirty) profile.reload()
  })

  return (
    <>
      {dialog}
      <Paper
        withBorder
        radius="md"
        p="md"
        h="100%"
        data-testid="village-profile"
        aria-busy={profile.loading}
        style={{ display: 'flex', flexDirection: 'column', minHeight: 0 }}
      >
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
          <div>
            <Title order={3} size="h4" lh={1.35} data-testid="village-profile-name">
              {village?.name ?? ''}
            </Title>
            {village && (
              <Text size="xs" c="dimmed">
                <Text span ff="monospace" size="xs">
                  {village.divisionCode}
                </Text>{' '}
                · {village.townshipName ?? t('grid.none')} · {village.gridName ?? t('grid.none')}
              </Text>
            )}
            {village && onNavigate && (
              <Box mt={4}>
                <TargetActions
                  target={{ kind: 'village', id: village.id, name: village.name, gridId: village.gridId }}
                  actions={['log', 'plan', 'map']}
                  onNavigate={onNavigate}
                />
              </Box>
            )}
          </div>
          <ActionIcon variant="subtle" color="gray" onClick={() => guard(onClose)} aria-label={t('villages.profile.close')} title={t('villages.profile.close')}>
            <span aria-hidden style={{ fontSize: 20, lineHeight: 1 }}>
              ×
            </span>
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
                <Text size="sm" fw={600}>
                  {t('villages.profile.completeness')}
                </Text>
                <Text size="sm" data-testid="village-completeness" data-value={pct}>
                  {pct}% ·{' '}
                  {t('villages.profile.completenessHint', { filled: Math.round(village.completeness * profileFields.length), total: profileFields.length })}
                </Text>
              </Group>
              <Progress value={pct} color={completenessColor(pct)} size="md" />
              {missing.length > 0 && (
                <Text size="xs" c="dimmed" data-testid="village-missing" lineClamp={2}>
                  {t('villages.profile.missing', { fields: missing.map((f) => t(`reports.profileField.${f}`)).join(t('villages.profile.listSeparator')) })}
                </Text>
              )}
            </Stack>
            <ScrollArea type="auto" offsetScrollbars style={{ flex: 1, minHeight: 0 }} mt="xs">
              <Stack gap="sm">
                {sections.map((section) => (
                  <Stack key={section.key} gap="sm">
                    <Stack gap={6}>
                      {sectionTitle(section.key)}
                      <SimpleGrid cols={2} spacing="xs" verticalSpacing={6}>
                        {section.fields.map(([field, kind]) => input(field, kind))}
                      </SimpleGrid>
                    </Stack>
                    {section.key === 'basics' && (
                      <Stack gap={6} data-testid="village-age">
                        {sectionTitle(
                          'ageStructure',
                          ageSum !== null && (
                            <Text size="xs" c={ageOff ? 'red' : 'dimmed'} fw={ageOff ? 600 : undefined} data-testid="village-age-sum">
                              {t('villages.profile.ageSum', { sum: ageSum })}
                            </Text>
                          ),
                        )}
                        <SimpleGrid cols={3} spacing="xs" verticalSpacing={6}>
                          {/* A wrong sum is said once, under the row; each share is marked. */}
                          {ageFields.map((f) => input(f, 'number', t(`villages.ageBand.${f}`), fieldErrors[f] === ageSumError ? true : fieldErrors[f]))}
                        </SimpleGrid>
                        {ageFields.some((f) => fieldErrors[f] === ageSumError) && (
                          <Text size="xs" c="red" data-testid="village-age-error">
                            {ageSumError}
                          </Text>
                        )}
                      </Stack>
                    )}
                  </Stack>
                ))}
                <Stack gap={6} data-testid="village-rivals">
                  {sectionTitle('rivals')}
                  <Text size="xs" fw={500}>
                    {t('villages.profile.rivalPorts')}
                  </Text>
                  <SimpleGrid cols={3} spacing="xs" verticalSpacing={6}>
                    {profileRivals.map((r) => input(`rivalPorts.${r}`, 'number', t(`villages.rival.${r}`)))}
                  </SimpleGrid>
                  <Group gap={6} wrap="wrap" align="baseline">
                    <Text size="xs" fw={500}>
                      {t('villages.profile.shareVsRivals')}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t('villages.profile.shareHint')}
                    </Text>
                  </Group>
                  <SimpleGrid cols={3} spacing="xs" verticalSpacing={6}>
                    {profileRivals.map((r) => input(`shareVsRivals.${r}`, 'number', t(`villages.rival.${r}`)))}
                  </SimpleGrid>
                </Stack>
                <Stack gap={6} data-testid="village-key-persons">
                  {sectionTitle(
                    'keyPersons',
                    <Button size="compact-xs" variant="light" onClick={() => setPersons((ps) => [...ps, personForm()])} data-testid="village-add-person">
                      {t('villages.profile.addPerson')}
                    </Button>,
                  )}
                  {values.persons.length === 0 && (
                    <Text size="sm" c="dimmed">
                      {t('villages.profile.noPersons')}
                    </Text>
                  )}
                  {fieldErrors.keyPersons && !Object.keys(fieldErrors).some((k) => k.startsWith('keyPersons.') && fieldErrors[k]) && (
                    <Text size="xs" c="red" data-testid="village-key-persons-error">
                      {fieldErrors.keyPersons}
                    </Text>
                  )}
                  {values.persons.map((person, i) => (
                    <PersonRow
                      key={person.key}
                      index={i}
                      person={person}
                      errors={fieldErrors}
                      onChange={(patch) => setPersons((ps) => ps.map((p, j) => (j === i ? { ...p, ...patch } : p)))}
                      onRemove={() => setPersons((ps) => ps.filter((_, j) => j !== i))}
                    />
                  ))}
                </Stack>
                <SimpleGrid cols={2} spacing="xs">
                  {input('notes', 'longText')}
                </SimpleGrid>
                <Divider />
                <Title order={4} size="h6">
                  {t('villages.profile.history')}
                </Title>
                <History entries={history.value} error={history.error} />
              </Stack>
            </ScrollArea>
            <Stack gap={6} pt="xs">
              {status?.kind === 'saved' && (
                <Alert color="teal" variant="light" p="xs" data-testid="village-saved">
                  {t('villages.profile.saved')}
                </Alert>
              )}
              {status?.kind === 'noChanges' && (
                <Text size="sm" c="dimmed">
                  {t('villages.profile.noChanges')}
                </Text>
              )}
              {status?.kind === 'invalid' && (
                <Alert color="red" variant="light" p="xs" role="alert">
                  {t('villages.profile.fixErrors')}
                </Alert>
              )}
              {status?.kind === 'error' && <ErrorAlert error={status.error} onClose={() => setStatus(null)} />}
              <Group justify="flex-end" gap="xs">
                <Button
                  variant="default"
                  size="xs"
                  disabled={!dirty || saving}
                  onClick={() => {
                    setValues(initial)
                    setFieldErrors({})
                    setStatus(null)
                  }}
                >
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
    </>
  )
}

function PersonRow({
  index,
  person,
  errors,
  onChange,
  onRemove,
}: {
  index: number
  person: PersonForm
  errors: Record<string, string | undefined>
  onChange: (patch: Partial<PersonForm>) => void
  onRemove: () => void
}) {
  const { t } = useTranslation()
  const field = (name: 'name' | 'role' | 'phone' | 'notes') => ({
    size: 'xs' as const,
    placeholder: t(`villages.person.${name}`),
    'aria-label': t(`villages.person.${name}`),
    error: errors[`keyPersons.${index}.${name}`],
    value: person[name],
    'data-field': `keyPersons.${index}.${name}`,
  })
  return (
    <Paper withBorder radius="sm" p={6} pr={30} pos="relative" data-key-person={index}>
      <SimpleGrid cols={2} spacing={6} verticalSpacing={6}>
        <TextInput {...field('name')} onChange={(e) => onChange({ name: e.currentTarget.value })} />
        <Autocomplete
          {...field('role')}
          data={rolePresets.map((r) => t(`villages.person.rolePresets.${r}`))}
          onChange={(role) => onChange({ role })}
          comboboxProps={{ withinPortal: true }}
        />
        <TextInput {...field('phone')} inputMode="tel" onChange={(e) => onChange({ phone: e.currentTarget.value })} />
        <TextInput {...field('notes')} onChange={(e) => onChange({ notes: e.currentTarget.value })} />
      </SimpleGrid>
      <ActionIcon
        pos="absolute"
        top={6}
        right={4}
        size="sm"
        variant="subtle"
        color="gray"
        onClick={onRemove}
        aria-label={t('villages.profile.removePerson')}
        title={t('villages.profile.removePerson')}
        data-testid="village-remove-person"
      >
        <span aria-hidden style={{ fontSize: 16, lineHeight: 1 }}>
          ×
        </span>
      </ActionIcon>
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
  if (entries.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('villages.profile.historyEmpty')}
      </Text>
    )
  const fieldLabel = (field: string) => t([`villages.field.${field}`, field])
  const gridName = new Map((grids.value ?? []).map((g) => [g.id, g.name]))
  const shorten = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text)
  const separator = t('villages.profile.listSeparator')
  const [open, close] = i18n.resolvedLanguage === 'en' ? [' (', ')'] : ['（', '）']
  const valueText = (field: string, value: unknown) => {
    if (value === null || value === '') return t('villages.profile.cleared')
    if (typeof value === 'boolean') return value ? t('villages.yes') : t('villages.no')
    if (field === 'signal4g' || field === 'signal5g') return t(`villages.signal.${String(value)}`)
    if (field === 'gridId') return gridName.get(String(value)) ?? String(value)
    if (field === 'keyPersons') {
      const persons = parseKeyPersons(String(value))
      return persons.length === 0
        ? t('villages.profile.cleared')
        : shorten(persons.map((p) => (p.role ? `${p.name}${open}${p.role}${close}` : p.name)).join(separator))
    }
    if (field === 'rivalPorts' || field === 'shareVsRivals') {
      const figures = field === 'rivalPorts' ? parseRivalPorts(String(value)) : shareAgainst(String(value))
      const known = profileRivals.filter((r) => figures?.[r] !== null && figures?.[r] !== undefined)
      if (known.length === 0) return t('villages.profile.cleared')
      return known.map((r) => `${t(`villages.rival.${r}`)} ${figures![r]}${field === 'shareVsRivals' ? '%' : ''}`).join(separator)
    }
    return shorten(String(value))
  }
  const [colon, semicolon] = i18n.resolvedLanguage === 'en' ? [': ', '; '] : ['：', '；']
  return (
    <Stack gap={6} data-testid="village-history">
      {entries.map((entry, i) => (
        <div key={i} data-history-op={entry.op}>
          <Group gap={6}>
            <Text size="xs" c="dimmed">
              {dateTimeOf(entry.at)}
            </Text>
            <Badge size="xs" variant="light" color={entry.op === 'insert' ? 'teal' : 'blue'}>
              {t(`villages.profile.historyOp.${entry.op}`)}
            </Badge>
            <Badge size="xs" variant="outline" color={entry.synced ? 'gray' : 'orange'}>
              {entry.synced ? t('villages.profile.synced') : t('villages.profile.pending')}
            </Badge>
          </Group>
          <Text size="sm">
            {entry.changes
              .filter((c) => !hiddenInHistory.has(c.field))
              .map((c) => `${fieldLabel(c.field)}${colon}${valueText(c.field, c.value)}`)
              .join(semicolon)}
          </Text>
        </div>
      ))}
    </Stack>
  )
}
