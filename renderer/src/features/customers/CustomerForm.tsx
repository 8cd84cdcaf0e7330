// Create or edit a key customer. The core validates (shared zod schema); a rejected save shows
// each problem under its field, translated, and nothing is stored.
import { Button, Group, Modal, NumberInput, Select, SimpleGrid, TagsInput, Text, TextInput, Textarea } from '@mantine/core'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { CustomerDetail } from '../../../../shared/api/customers'
import { customerCategories, funnelStages, rivals, valueTiers, type CustomerCategory } from '../../../../shared/domain'
import { call } from '../../api/client'
import { useCall } from '../../api/useCall'
import { DateField } from '../../shell/DateField'
import { ErrorAlert } from '../../shell/errors'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedGuard } from '../../shell/unsaved'
import { useSearchSelect } from '../../shell/useSearch'
import { fieldErrors } from './fieldErrors'

interface Draft {
  name: string
  category: CustomerCategory | null
  role: string
  organisation: string
  villageId: string | null
  phone: string
  influence: number | string
  monthlyRevenue: number | string
  tierOverride: string | null
  contractExpiry: string
  rivalUsed: string | null
  nextFollowUp: string
  tags: string[]
  notes: string
  funnelStage: string
}

const fromCustomer = (c?: CustomerDetail): Draft => ({
  name: c?.name ?? '',
  category: c?.category ?? null,
  role: c?.role ?? '',
  organisation: c?.organisation ?? '',
  villageId: c?.villageId ?? null,
  phone: c?.phone ?? '',
  influence: c?.influence ?? '',
  monthlyRevenue: c?.monthlyRevenue ?? '',
  tierOverride: c?.tierOverride ?? null,
  contractExpiry: c?.contractExpiry ?? '',
  rivalUsed: c?.rivalUsed ?? null,
  nextFollowUp: c?.nextFollowUp ?? '',
  tags: c?.tags ?? [],
  notes: c?.notes ?? '',
  funnelStage: 'potential',
})

const text = (s: string) => (s.trim() === '' ? null : s.trim())
const num = (v: number | string) => (v === '' || v === null ? null : Number(v))

export function CustomerForm({
  opened,
  customer,
  onClose,
  onSaved,
}: {
  opened: boolean
  customer?: CustomerDetail
  onClose: () => void
  onSaved: (c: CustomerDetail) => void
}) {
  const { t } = useTranslation()
  const [draft, setDraft] = useState<Draft>(() => fromCustomer(customer))
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const villages = useCall('villages.list', opened ? { limit: 5000, sort: 'name' } : null)
  const villageOptions = useMemo(() => (villages.value?.rows ?? []).map((v) => ({ value: v.id, label: v.name })), [villages.value])
  const villageSearch = useSearchSelect({ kinds: ['village'], options: villageOptions, value: draft.villageId })
  const tags = useCall('customers.tags', opened ? {} : null)
  useEffect(() => {
    if (opened) {
      setDraft(fromCustomer(customer))
      setError(undefined)
    }
  }, [opened, customer])

  // A field's error goes away once the field is edited; the rest stay until the next save.
  const [edited, setEdited] = useState<Set<string>>(new Set())
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }))
    setEdited((e) => new Set(e).add(key))
  }
  // Unsaved while the form differs from what it opened with; every way out (Esc, a click outside,
  // ×, 取消, another page) asks first.
  const dirty = opened && JSON.stringify(draft) !== JSON.stringify(fromCustomer(customer))
  const { dialog, guard } = useUnsavedGuard('customer-form', dirty)
  const close = () => guard(onClose)
  const allErrors = fieldErrors(t, error, customer ? ['patch'] : [])
  const errors = Object.fromEntries(Object.entries(allErrors).filter(([f]) => !edited.has(f)))

  const save = async () => {
    setBusy(true)
    setError(undefined)
    setEdited(new Set())
    const fields = {
      name: draft.name,
      category: draft.category ?? undefined,
      role: text(draft.role),
      organisation: text(draft.organisation),
      villageId: draft.villageId,
      phone: text(draft.phone),
      influence: num(draft.influence),
      monthlyRevenue: num(draft.monthlyRevenue),
      tierOverride: draft.tierOverride as never,
      contractExpiry: text(draft.contractExpiry),
      rivalUsed: draft.rivalUsed as never,
      nextFollowUp: text(draft.nextFollowUp),
      tags: draft.tags,
      notes: text(draft.notes),
    }
    try {
      const saved = customer
        ? await call('customers.update', { id: customer.id, patch: fields as never })
        : await call('customers.create', { ...(fields as Record<string, unknown>), funnelStage: draft.funnelStage } as never)
      toastSaved(t('field.undo.saved'))
      onSaved(saved)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }

  const option = (prefix: string) => (v: string) => ({ value: v, label: t(`${prefix}.${v}`) })
  const hasFieldErrors = Object.keys(allErrors).length > 0

  return (
    <>
      {dialog}
      <Modal
        opened={opened}
        onClose={close}
        title={t(customer ? 'customers.form.editTitle' : 'customers.form.createTitle')}
        size="xl"
        data-testid="customer-form"
      >
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void save()
          }}
          noValidate
        >
          <SimpleGrid cols={3} spacing="sm" verticalSpacing={6}>
            <TextInput
              label={t('customers.form.name')}
              required
              value={draft.name}
              onChange={(e) => set('name', e.currentTarget.value)}
              error={errors.name}
              data-field="name"
            />
            <Select
              label={t('customers.form.category')}
              required
              allowDeselect={false}
              value={draft.category}
              onChange={(v) => set('category', v as CustomerCategory | null)}
              data={customerCategories.map(option('customers.category'))}
              error={errors.category}
              data-field="category"
            />
            <TextInput label={t('customers.form.role')} value={draft.role} onChange={(e) => set('role', e.currentTarget.value)} error={errors.role} />
            <TextInput
              label={t('customers.form.organisation')}
              value={draft.organisation}
              onChange={(e) => set('organisation', e.currentTarget.value)}
              error={errors.organisation}
            />
            <Select
              label={t('customers.form.village')}
              {...villageSearch}
              clearable
              value={draft.villageId}
              onChange={(v) => set('villageId', v)}
              error={errors.villageId}
              limit={50}
              data-field="villageId"
            />
            <TextInput
              label={t('customers.form.phone')}
              value={draft.phone}
              onChange={(e) => set('phone', e.currentTarget.value)}
              error={errors.phone}
              inputMode="tel"
              data-field="phone"
            />
            <NumberInput
              label={t('customers.form.influence')}
              value={draft.influence}
              onChange={(v) => set('influence', v)}
              error={errors.influence}
              allowDecimal={false}
              data-field="influence"
            />
            <NumberInput
              label={t('customers.form.monthlyRevenue')}
              value={draft.monthlyRevenue}
              onChange={(v) => set('monthlyRevenue', v)}
              error={errors.monthlyRevenue}
              min={0}
              thousandSeparator=","
            />
            <Select
              label={t('customers.form.tierOverride')}
              clearable
              placeholder={t('customers.form.tierAuto')}
              value={draft.tierOverride}
              onChange={(v) => set('tierOverride', v)}
              data={valueTiers.map((v) => ({ value: v, label: t('customers.tierLabel', { tier: v }) }))}
            />
            <Select
              label={t('customers.form.rivalUsed')}
              clearable
              value={draft.rivalUsed}
              onChange={(v) => set('rivalUsed', v)}
              data={rivals.map(option('customers.rival'))}
            />
            <DateField
              size="sm"
              clearable
              label={t('customers.form.contractExpiry')}
              value={draft.contractExpiry}
              onChange={(v) => set('contractExpiry', v)}
              error={errors.contractExpiry}
              data-field="contractExpiry"
            />
            <DateField
              size="sm"
              clearable
              label={t('customers.form.nextFollowUp')}
              value={draft.nextFollowUp}
              onChange={(v) => set('nextFollowUp', v)}
              error={errors.nextFollowUp}
              data-field="nextFollowUp"
            />
            {!customer && (
              <Select
                label={t('customers.form.funnelStage')}
                value={draft.funnelStage}
                allowDeselect={false}
                onChange={(v) => set('funnelStage', v ?? 'potential')}
                data={funnelStages.map(option('customers.stage'))}
              />
            )}
            <TagsInput
              label={t('customers.form.tags')}
              description={t('customers.form.tagsHint')}
              value={draft.tags}
              onChange={(v) => set('tags', v)}
              data={tags.value ?? []}
              error={errors.tags}
            />
          </SimpleGrid>
          <Textarea
            mt={6}
            label={t('customers.form.notes')}
            autosize
            minRows={2}
            maxRows={5}
            value={draft.notes}
            onChange={(e) => set('notes', e.currentTarget.value)}
            error={errors.notes}
          />
          {Object.keys(errors).length > 0 && (
            <Text c="red" size="sm" mt="xs" role="alert" data-testid="form-invalid">
              {t('customers.form.invalid')}
            </Text>
          )}
          {error !== undefined && !hasFieldErrors && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={close} data-testid="customer-cancel">
              {t('customers.form.cancel')}
            </Button>
            <Button type="submit" loading={busy} data-testid="customer-save">
              {t('customers.form.save')}
            </Button>
          </Group>
        </form>
      </Modal>
    </>
  )
}
