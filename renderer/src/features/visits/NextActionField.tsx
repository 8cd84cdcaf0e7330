// The next action agreed on the visit and when it is due (becomes a work order).
import { Group, TextInput } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import { DateField } from '../../shell/DateField'
import type { FieldChange, FieldErrors } from './fields'
import type { VisitForm } from './visitForm'

type NextAction = VisitForm['next']

export function NextActionField({ value, onChange, err, clearError }: { value: NextAction; onChange: FieldChange<NextAction> } & FieldErrors) {
  const { t } = useTranslation()
  return (
    <Group gap={4} align="flex-start" wrap="nowrap" data-field="nextAction">
      <TextInput
        size="xs"
        style={{ flex: 1 }}
        label={t('visits.log.nextAction')}
        value={value.action}
        error={err('nextAction.action')}
        onChange={(e) => {
          const action = e.currentTarget.value
          onChange((n) => ({ ...n, action }))
          clearError('nextAction.action')
        }}
        data-testid="next-action"
      />
      <DateField
        w={150}
        clearable
        label={t('visits.log.nextActionDue')}
        value={value.due}
        error={err('nextAction.due')}
        onChange={(due) => {
          onChange((n) => ({ ...n, due }))
          clearError('nextAction.due')
        }}
        data-testid="next-due"
      />
    </Group>
  )
}
