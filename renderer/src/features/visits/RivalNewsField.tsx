// Rival news heard on the visit (becomes an intel item): which rival, what kind, a title, the
// monthly fee and the threat level.
import { Checkbox, Group, Paper, Select, Stack, TextInput } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import { intelKinds, rivals, type IntelKind, type Rival } from '../../../../shared/domain'
import type { FieldChange, FieldErrors } from './fields'
import type { VisitForm } from './visitForm'

type RivalNews = VisitForm['rival']

export function RivalNewsField({ value, onChange, err, clearError }: { value: RivalNews; onChange: FieldChange<RivalNews> } & FieldErrors) {
  const { t } = useTranslation()
  return (
    <Paper withBorder p="xs" radius="sm" data-field="rivalNews">
      <Checkbox
        size="xs"
        label={t('visits.log.rivalNews')}
        checked={value.on}
        onChange={(e) => {
          const on = e.currentTarget.checked
          onChange((r) => ({ ...r, on }))
        }}
        data-testid="rival-on"
      />
      {value.on && (
        <Stack gap={4} mt={6}>
          <Group gap={4} grow>
            <Select
              size="xs"
              data={rivals.map((r) => ({ value: r, label: t(`visits.rival.${r}`) }))}
              value={value.rival}
              allowDeselect={false}
              onChange={(v) => v && onChange((r) => ({ ...r, rival: v as Rival }))}
              aria-label="rival"
            />
            <Select
              size="xs"
              data={intelKinds.map((k) => ({ value: k, label: t(`visits.intelKind.${k}`) }))}
              value={value.kind}
              allowDeselect={false}
              onChange={(v) => v && onChange((r) => ({ ...r, kind: v as IntelKind }))}
              aria-label={t('visits.log.rivalKind')}
            />
          </Group>
          <TextInput
            size="xs"
            placeholder={t('visits.log.rivalTitle')}
            value={value.title}
            error={err('rivalNews.title')}
            onChange={(e) => {
              const title = e.currentTarget.value
              onChange((r) => ({ ...r, title }))
              clearError('rivalNews.title')
            }}
            data-testid="rival-title"
          />
          <Group gap={4} grow align="flex-start">
            <TextInput
              size="xs"
              label={t('visits.log.monthlyFee')}
              value={value.monthlyFee}
              error={err('rivalNews.monthlyFee')}
              onChange={(e) => {
                const monthlyFee = e.currentTarget.value
                onChange((r) => ({ ...r, monthlyFee }))
                clearError('rivalNews.monthlyFee')
              }}
              data-testid="rival-fee"
            />
            <TextInput
              size="xs"
              label={t('visits.log.threat')}
              value={value.threat}
              error={err('rivalNews.threatLevel')}
              onChange={(e) => {
                const threat = e.currentTarget.value
                onChange((r) => ({ ...r, threat }))
                clearError('rivalNews.threatLevel')
              }}
            />
          </Group>
        </Stack>
      )}
    </Paper>
  )
}
