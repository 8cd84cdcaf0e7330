// The funnel of a grid (or all grids) over a period: customers per stage now and at the start,
// who entered each stage, who moved on, and the conversion between stages.
import { Box, Group, Input, Paper, Progress, SegmentedControl, Stack, Table, Text } from '@mantine/core'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { dayOf } from '../../../../shared/dates'
import { DateField } from '../../shell/DateField'

const ALL = '__all__'
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)

export function FunnelPanel({ gridId, refresh }: { gridId: string; refresh: number }) {
  const { t } = useTranslation()
  const [scope, setScope] = useState<string>('grid')
  const [from, setFrom] = useState(() => dayOf(new Date(Date.now() - 89 * 86_400_000)))
  const [to, setTo] = useState(() => dayOf(new Date()))
  const report = useCall('funnel.get', { gridId: scope === ALL ? undefined : gridId, from, to })
  const { reload } = report
  useEffect(() => {
    if (refresh) reload()
  }, [refresh, reload])
  const f = report.value
  const max = Math.max(1, ...(f?.stages.map((s) => Math.max(s.current, s.atStart + s.entered)) ?? [1]))
  return (
    <Stack gap="sm" maw={980}>
      <Group gap="sm" align="flex-end">
        {/* The grid itself is chosen once, at the top of the visits page; here only this grid or all. */}
        <Input.Wrapper label={t('visits.funnel.scope')}>
          <SegmentedControl
            size="xs"
            display="flex"
            data-testid="funnel-scope"
            data={[
              { value: 'grid', label: t('visits.funnel.thisGrid') },
              { value: ALL, label: t('visits.funnel.wholeCounty') },
            ]}
            value={scope}
            onChange={setScope}
          />
        </Input.Wrapper>
        <DateField label={t('visits.funnel.from')} value={from} onChange={(day) => day && setFrom(day)} w={150} data-testid="funnel-from" />
        <DateField label={t('visits.funnel.to')} value={to} onChange={(day) => day && setTo(day)} w={150} data-testid="funnel-to" />
      </Group>
      {report.error !== undefined && <ErrorAlert error={report.error} />}
      {f && (
        <Paper withBorder p="sm" radius="md">
          <Text fw={600} mb="xs" data-testid="funnel-overall">
            {t('visits.funnel.overall', { pct: pct(f.overall), moves: f.moves })}
          </Text>
          <Table verticalSpacing={6} data-testid="funnel-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={80}>{t('visits.funnel.stage')}</Table.Th>
                <Table.Th w={90}>{t('visits.funnel.current')}</Table.Th>
                <Table.Th w={70}>{t('visits.funnel.atStart')}</Table.Th>
                <Table.Th w={80}>{t('visits.funnel.entered')}</Table.Th>
                <Table.Th w={80}>{t('visits.funnel.movedOn')}</Table.Th>
                <Table.Th w={80}>{t('visits.funnel.conversion')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {f.stages.map((s) => (
                <Table.Tr key={s.stage} data-stage={s.stage}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {t(`visits.stage.${s.stage}`)}
                    </Text>
                  </Table.Td>
                  <Table.Td data-col="current">{s.current}</Table.Td>
                  <Table.Td>{s.atStart}</Table.Td>
                  <Table.Td data-col="entered">{s.entered}</Table.Td>
                  <Table.Td>{s.movedOn}</Table.Td>
                  <Table.Td data-col="conversion">{pct(s.conversion)}</Table.Td>
                  <Table.Td>
                    <Box>
                      <Progress.Root size={14}>
                        <Progress.Section value={(s.current / max) * 100} color="blue" />
                      </Progress.Root>
                      {s.conversion !== null && (
                        <Progress.Root size={6} mt={3}>
                          <Progress.Section value={s.conversion * 100} color="teal" />
                        </Progress.Root>
                      )}
                    </Box>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  )
}
