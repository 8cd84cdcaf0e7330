// The objections the customer raised, picked from the library, each with its detail, the answer
// given (the library's suggested answer to start with) and whether it worked.
import { Badge, Box, Checkbox, Group, MultiSelect, Paper, Stack, TextInput } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import type { ObjectionRow } from '../../../../shared/api/visits'
import type { FieldChange } from './fields'
import type { VisitForm } from './visitForm'

type Objections = VisitForm['objections']

export function ObjectionsField({
  value,
  onChange,
  library,
  err,
}: {
  value: Objections
  onChange: FieldChange<Objections>
  library: ObjectionRow[]
  err: (key: string) => string | undefined
}) {
  const { t, i18n } = useTranslation()
  const en = i18n.resolvedLanguage === 'en'
  const libraryByCode = new Map(library.map((o) => [o.code, o]))
  return (
    <Box data-field="objections">
      <MultiSelect
        size="xs"
        label={t('visits.log.objections')}
        placeholder={value.length ? undefined : t('visits.log.objectionsPlaceholder')}
        data={library.map((o) => ({ value: o.code, label: en ? o.nameEn : o.nameZh }))}
        value={value.map((o) => o.code)}
        onChange={(codes) =>
          onChange((os) =>
            codes.map((code) => os.find((o) => o.code === code) ?? { code, detail: '', answer: libraryByCode.get(code)?.suggestedAnswer ?? '', worked: false }),
          )
        }
        searchable
        data-testid="objections"
      />
      {value.map((o, i) => (
        <Paper key={o.code} withBorder p={6} mt={4} radius="sm" data-objection={o.code}>
          <Group gap={6} wrap="nowrap" align="flex-start">
            <Badge variant="light" style={{ flexShrink: 0 }} mt={4}>
              {(en ? libraryByCode.get(o.code)?.nameEn : libraryByCode.get(o.code)?.nameZh) ?? o.code}
            </Badge>
            <Stack gap={4} style={{ flex: 1 }}>
              <TextInput
                size="xs"
                placeholder={t('visits.log.detail')}
                value={o.detail}
                onChange={(e) => {
                  const detail = e.currentTarget.value
                  onChange((os) => os.map((x, j) => (j === i ? { ...x, detail } : x)))
                }}
              />
              <Group gap={6} wrap="nowrap">
                <TextInput
                  size="xs"
                  style={{ flex: 1 }}
                  placeholder={t('visits.log.answer')}
                  value={o.answer}
                  error={err(`objections.${i}.code`)}
                  onChange={(e) => {
                    const answer = e.currentTarget.value
                    onChange((os) => os.map((x, j) => (j === i ? { ...x, answer } : x)))
                  }}
                />
                <Checkbox
                  size="xs"
                  label={t('visits.log.answerWorked')}
                  checked={o.worked}
                  onChange={(e) => {
                    const worked = e.currentTarget.checked
                    onChange((os) => os.map((x, j) => (j === i ? { ...x, worked } : x)))
                  }}
                />
              </Group>
            </Stack>
          </Group>
        </Paper>
      ))}
    </Box>
  )
}
