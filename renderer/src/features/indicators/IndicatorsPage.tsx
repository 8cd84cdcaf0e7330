// The 指标 page: region and period on top, then tabs — the 时间进度 dashboard (a coloured light
// per center, grid and indicator), the map choropleth, target decomposition, work orders and the
// module-3 analysis. A red cell leads to its analysis and to a work order from the alert.
import { Badge, Box, Button, Group, Loader, ScrollArea, Select, Stack, Table, Tabs, Text, Title, Tooltip } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { PeriodSelect } from '../../shell/PeriodSelect'
import type { DashboardRow, IndicatorRow, KpiCell } from '../../../../shared/api/indicators'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { ActualsImportModal, ActualRecordModal } from './ActualsDialogs'
import { AnalysisPanel } from './AnalysisPanel'
import { LightBadge, PERIOD, pct, useIndicatorName, useIndicatorUnit } from './LightBadge'
import { KpiMap } from './KpiMap'
import { TargetSplitEditor } from './TargetSplitEditor'
import { ThresholdsModal } from './ThresholdsModal'
import { AlertWorkOrderModal, WorkOrderList } from './WorkOrders'

export { WorkOrderList } from './WorkOrders'

export { lightColor } from './LightBadge'

function thisMonth(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}

function LightCell({ cell, indicator }: { cell: KpiCell | undefined; indicator: IndicatorRow }) {
  const { t } = useTranslation()
  if (!cell) return <Table.Td />
  const label = `${t(`indicators.light.${cell.light}`)} · ${t('indicators.col.target')} ${cell.target ?? '—'} · ${t('indicators.col.actual')} ${cell.actual ?? '—'} · ${t('indicators.col.gap')} ${cell.gapPp ?? '—'}`
  return (
    <Table.Td data-indicator={indicator.code} data-light={cell.light}>
      <Tooltip label={label} withinPortal>
        <Group gap={6} wrap="nowrap">
          <LightBadge light={cell.light} size="sm" />
          <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums' }}>
            {pct(cell.completion)}
          </Text>
        </Group>
      </Tooltip>
    </Table.Td>
  )
}

export interface AlertTarget {
  row: DashboardRow
  indicatorCode: string
}

export function IndicatorDashboard({
  region,
  period,
  onAnalyse,
  onCreateWorkOrder,
}: {
  region: string
  period: string
  onAnalyse?: (gridCode: string, indicatorCode: string | undefined) => void
  onCreateWorkOrder?: (alert: AlertTarget) => void
}) {
  const { t, i18n } = useTranslation()
  const nameOf = useIndicatorName()
  const unitOf = useIndicatorUnit()
  const en = i18n.resolvedLanguage === 'en'
  const dashboard = useCall('dashboard.get', PERIOD.test(period) && region ? { region, period } : null)
  const d = dashboard.value
  const worstIndicator = (row: DashboardRow) =>
    d?.indicators
      .map((i) => ({ code: i.code, cell: row.cells[i.code] }))
      .filter((c) => c.cell && c.cell.light === row.worst && row.worst !== 'none')
      .sort((a, b) => (a.cell!.gapPp ?? 0) - (b.cell!.gapPp ?? 0))[0]?.code
  return (
    <Stack gap="xs" style={{ minHeight: 0, flex: 1 }}>
      {dashboard.error !== undefined && <ErrorAlert error={dashboard.error} onRetry={dashboard.reload} />}
      {d && (
        <Group gap="md">
          <Text size="sm" c="dimmed" data-testid="kpi-time-progress">
            {t('indicators.timeProgress', { value: pct(d.timeProgress), asOf: d.asOf })}
          </Text>
          <Group gap={8}>
            {(['green', 'yellow', 'red', 'none'] as const).map((light) => (
              <Group key={light} gap={4} wrap="nowrap">
                <LightBadge light={light} size="xs" />
                <Text size="xs" c="dimmed">
                  {t(`indicators.light.${light}`).split('：')[1] ?? t(`indicators.light.${light}`)}
                </Text>
              </Group>
            ))}
          </Group>
          {dashboard.loading && <Loader size="xs" />}
        </Group>
      )}
      <ScrollArea type="auto" style={{ flex: 1 }}>
        <Table stickyHeader verticalSpacing={4} horizontalSpacing={8} fz="sm" data-testid="kpi-table" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('grids.col.name')}</Table.Th>
              {d?.indicators.map((i) => (
                <Table.Th key={i.code} style={{ whiteSpace: 'nowrap' }}>
                  <Tooltip
                    label={`${t(`indicators.direction.${i.direction}`)} · ${t('indicators.thresholds.yellow')} ${i.yellowBelowPp} · ${t('indicators.thresholds.red')} ${i.redBelowPp}`}
                  >
                    <span>
                      {nameOf(i)}
                      <Text span size="xs" c="dimmed">
                        {en ? ` (${unitOf(i.unit)})` : `（${unitOf(i.unit)}）`}
                      </Text>
                    </span>
                  </Tooltip>
                </Table.Th>
              ))}
              <Table.Th>{t('indicators.rowActions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {d?.rows.map((row) => (
              <Table.Tr
                key={row.orgUnitId}
                data-code={row.code}
                data-worst={row.worst}
                fw={row.level === 'grid' ? undefined : 600}
                bg={row.level === 'grid' ? undefined : 'gray.0'}
              >
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Group gap={6} wrap="nowrap">
                    <Badge size="xs" variant="light" color={row.level === 'grid' ? 'blue' : 'grape'} style={{ flexShrink: 0 }}>
                      {t(`indicators.level.${row.level}`)}
                    </Badge>
                    <Text size="sm" fw="inherit">
                      {row.name}
                    </Text>
                  </Group>
                </Table.Td>
                {d.indicators.map((i) => (
                  <LightCell key={i.code} cell={row.cells[i.code]} indicator={i} />
                ))}
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {row.level === 'grid' && (
                    <Group gap={4} wrap="nowrap">
                      {onAnalyse && (
                        <Button size="compact-xs" variant="light" onClick={() => onAnalyse(row.code, worstIndicator(row))} data-action="analyse">
                          {t('indicators.actions.analyse')}
                        </Button>
                      )}
                      {onCreateWorkOrder && row.worst === 'red' && (
                        <Button
                          size="compact-xs"
                          color="red"
                          variant="light"
                          onClick={() => onCreateWorkOrder({ row, indicatorCode: worstIndicator(row)! })}
                          data-action="create-wo"
                        >
                          {t('indicators.actions.createWo')}
                        </Button>
                      )}
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
    </Stack>
  )
}

type Tab = 'dashboard' | 'map' | 'targets' | 'workOrders' | 'analysis'

export function IndicatorsPage({ defaultRegion }: { defaultRegion?: string }) {
  const { t } = useTranslation()
  const orgUnits = useCall('orgUnits.list', {})
  const units = (orgUnits.value ?? []).filter((u) => u.level !== 'microgrid')
  const county = units.find((u) => u.level === 'county')?.code
  const [region, setRegion] = useState<string | null>(defaultRegion ?? null)
  useEffect(() => {
    if (!region && county) setRegion(county)
  }, [county, region])
  const [period, setPeriod] = useState(thisMonth())
  const [debouncedPeriod] = useDebouncedValue(period.trim(), 300)
  const [tab, setTab] = useState<Tab>('dashboard')
  // Bumped after anything that changes the figures (import, hand entry, thresholds, split): remounts the views.
  const [version, setVersion] = useState(0)
  const bump = () => setVersion((v) => v + 1)
  const [dialog, setDialog] = useState<'import' | 'record' | 'thresholds' | null>(null)
  const [alert, setAlert] = useState<AlertTarget | null>(null)
  const [focus, setFocus] = useState<{ grid?: string; indicator?: string }>({})
  const [createdWorkOrder, setCreatedWorkOrder] = useState<string | null>(null)

  const options = units.map((u) => ({ value: u.code, label: `${t(`indicators.level.${u.level}`)} ${u.name}（${u.code}）` }))
  const validPeriod = PERIOD.test(debouncedPeriod)
  const regionCode = region ?? ''

  const analyse = (grid: string, indicator: string | undefined) => {
    setFocus({ grid, indicator })
    setTab('analysis')
  }

  return (
    <Box data-page="indicators" h="100%" style={{ display: 'flex', flexDirection: 'column', gap: 'var(--mantine-spacing-xs)', minHeight: 0 }}>
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <Group align="flex-end" gap="sm" wrap="nowrap">
          <Title order={2} size="h3" style={{ whiteSpace: 'nowrap' }}>
            {t('indicators.title')}
          </Title>
          <Select
            w={300}
            label={t('indicators.region')}
            data={options}
            value={region}
            onChange={(v) => v && setRegion(v)}
            searchable
            allowDeselect={false}
            data-testid="kpi-region"
          />
          <PeriodSelect width={170} label={t('indicators.period')} value={period} onChange={setPeriod} testId="kpi-period" />
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Button variant="filled" onClick={() => setDialog('import')} data-testid="open-import">
            {t('indicators.actions.import')}
          </Button>
          <Button variant="default" onClick={() => setDialog('record')} data-testid="open-record">
            {t('indicators.actions.record')}
          </Button>
          <Button variant="default" onClick={() => setDialog('thresholds')} data-testid="open-thresholds">
            {t('indicators.actions.thresholds')}
          </Button>
        </Group>
      </Group>
      <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)} keepMounted={false} style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
        <Tabs.List>
          {(['dashboard', 'map', 'targets', 'workOrders', 'analysis'] as const).map((key) => (
            <Tabs.Tab key={key} value={key} data-tab={key} fz="md">
              {t(`indicators.tabs.${key}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Box pt="xs" style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
          {orgUnits.error !== undefined && <ErrorAlert error={orgUnits.error} onRetry={orgUnits.reload} />}
          {region && validPeriod && (
            <>
              <Tabs.Panel value="dashboard" style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
                <IndicatorDashboard key={version} region={regionCode} period={debouncedPeriod} onAnalyse={analyse} onCreateWorkOrder={setAlert} />
              </Tabs.Panel>
              <Tabs.Panel value="map" style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
                <KpiMap key={version} region={regionCode} period={debouncedPeriod} onAnalyse={analyse} onCreateWorkOrder={setAlert} />
              </Tabs.Panel>
              <Tabs.Panel value="targets" style={{ flex: 1, minHeight: 0 }}>
                <TargetSplitEditor region={regionCode} period={debouncedPeriod} units={units} onSaved={bump} />
              </Tabs.Panel>
              <Tabs.Panel value="workOrders" style={{ flex: 1, minHeight: 0 }}>
                <WorkOrderList key={version} region={regionCode} highlightId={createdWorkOrder ?? undefined} />
              </Tabs.Panel>
              <Tabs.Panel value="analysis" style={{ flex: 1, minHeight: 0 }}>
                <AnalysisPanel key={version} region={regionCode} period={debouncedPeriod} focus={focus} onFocus={setFocus} />
              </Tabs.Panel>
            </>
          )}
        </Box>
      </Tabs>
      <ActualsImportModal opened={dialog === 'import'} onClose={() => setDialog(null)} onImported={bump} />
      <ActualRecordModal opened={dialog === 'record'} onClose={() => setDialog(null)} onRecorded={bump} units={units} period={debouncedPeriod} />
      <ThresholdsModal opened={dialog === 'thresholds'} onClose={() => setDialog(null)} onSaved={bump} />
      <AlertWorkOrderModal
        alert={alert}
        period={debouncedPeriod}
        onClose={() => setAlert(null)}
        onCreated={(id) => {
          setAlert(null)
          setCreatedWorkOrder(id)
          bump()
          setTab('workOrders')
        }}
      />
    </Box>
  )
}
