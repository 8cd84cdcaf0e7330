// The visit's purpose, its outcome (typed, or a preset that also suggests a later funnel stage)
// and the funnel move for a customer.
import { Autocomplete, Badge, Box, Group, Select, SimpleGrid, Textarea } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import type { VisitTargetRow } from '../../../../shared/api/visits'
import { funnelStages, type FunnelStage } from '../../../../shared/domain'
import type { FieldErrors, FormUpdate } from './fields'
import { OUTCOMES, PURPOSES, type VisitForm } from './visitForm'

export function OutcomeField({
  value,
  update,
  targetRow,
  err,
  clearError,
}: {
  value: Pick<VisitForm, 'purpose' | 'outcome' | 'funnelTo'>
  update: FormUpdate
  targetRow: VisitTargetRow | undefined
} & FieldErrors) {
  const { t } = useTranslation()
  const stageName = (s: FunnelStage | null) => (s ? t(`visits.stage.${s}`) : '—')
  return (
    <>
      <SimpleGrid cols={2} spacing="xs">
        <Autocomplete
          size="xs"
          label={t('visits.log.purpose')}
          data={PURPOSES}
          value={value.purpose}
          onChange={(v) => {
            update({ purpose: v })
            clearError('purpose')
          }}
          error={err('purpose')}
          data-field="purpose"
        />
        <Select
          size="xs"
          label={t('visits.log.funnelTo')}
          disabled={targetRow?.kind !== 'customer'}
          data={[
            { value: '', label: t('visits.log.funnelKeep', { stage: stageName(targetRow?.funnelStage ?? null) }) },
            ...funnelStages.filter((s) => s !== targetRow?.funnelStage).map((s) => ({ value: s, label: t(`visits.stage.${s}`) })),
          ]}
          value={value.funnelTo}
          onChange={(v) => {
            update({ funnelTo: (v ?? '') as FunnelStage | '' })
            clearError('funnelTo')
          }}
          error={err('funnelTo')}
          data-field="funnelTo"
        />
      </SimpleGrid>
      <Box>
        <Textarea
          size="xs"
          label={t('visits.log.outcome')}
          autosize
          minRows={2}
          maxRows={4}
          value={value.outcome}
          onChange={(e) => {
            update({ outcome: e.currentTarget.value })
            clearError('outcome')
          }}
          error={err('outcome')}
          data-field="outcome"
        />
        <Group gap={4} mt={4}>
          {OUTCOMES.map((o) => (
            <Badge
              key={o.text}
              data-preset={o.text}
              variant="outline"
              color="gray"
              style={{ cursor: 'pointer', textTransform: 'none' }}
              onClick={() => {
                update((f) => ({
                  outcome: o.text,
                  funnelTo:
                    o.stage &&
                    targetRow?.kind === 'customer' &&
                    o.stage !== targetRow.funnelStage &&
                    funnelStages.indexOf(o.stage) > funnelStages.indexOf(targetRow.funnelStage!)
                      ? o.stage
                      : f.funnelTo,
                }))
                clearError('outcome')
              }}
            >
              {o.text}
            </Badge>
          ))}
        </Group>
      </Box>
    </>
  )
}
