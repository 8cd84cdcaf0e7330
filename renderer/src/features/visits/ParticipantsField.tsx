// The visit's co-visitors: a name and a role each.
import { Box, Button, CloseButton, Group, Select, Text, TextInput } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import { participantRoles, type ParticipantRole } from '../../../../shared/api/visits'
import type { FieldChange } from './fields'
import type { VisitForm } from './visitForm'

type Participants = VisitForm['participants']

export function ParticipantsField({ value, onChange }: { value: Participants; onChange: FieldChange<Participants> }) {
  const { t } = useTranslation()
  return (
    <Box data-field="participants">
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {t('visits.log.participants')}
        </Text>
        <Button size="compact-xs" variant="subtle" onClick={() => onChange((ps) => [...ps, { name: '', role: 'customer_manager' }])}>
          + {t('visits.log.addParticipant')}
        </Button>
      </Group>
      {value.map((p, i) => (
        <Group key={i} gap={4} wrap="nowrap" mt={4}>
          <TextInput
            size="xs"
            style={{ flex: 1 }}
            placeholder={t('visits.log.participantName')}
            value={p.name}
            onChange={(e) => {
              const name = e.currentTarget.value
              onChange((ps) => ps.map((x, j) => (j === i ? { ...x, name } : x)))
            }}
          />
          <Select
            size="xs"
            w={150}
            data={participantRoles.map((r) => ({ value: r, label: t(`visits.role.${r}`) }))}
            value={p.role}
            allowDeselect={false}
            onChange={(v) => v && onChange((ps) => ps.map((x, j) => (j === i ? { ...x, role: v as ParticipantRole } : x)))}
          />
          <CloseButton size="sm" onClick={() => onChange((ps) => ps.filter((_, j) => j !== i))} />
        </Group>
      ))}
    </Box>
  )
}
