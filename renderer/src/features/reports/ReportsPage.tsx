// Regional reports: pick a region (grid, center, county) and a period, preview the
// sections as tables, export to XLSX / PDF / CSV / GeoJSON: into the exports folder, or (in the desktop
// app) wherever the native 另存为 dialog says.
import { dayOf, dueDayOf } from '../../../../shared/dates'
import { Alert, Button, Checkbox, Group, Loader, ScrollArea, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { PeriodSelect } from '../../shell/PeriodSelect'
import type { ReportExportResult, ReportFormat, ReportModel } from '../../../../shared/api/reports'
import { call, pickSaveFile } from '../../api/client'

import { useCall } from '../../api/useCall'
import { SavedReports } from './SavedReports'
import { ErrorAlert } from '../../shell/errors'

/** The last part of a path, with either separator. */
const basename = (path: string) => path.split(/[\\/]/).pop() ?? path

const LIGHT_COLOURS = { green: '#2E9E44', yellow: '#F2C230', red: '#D93A2B', none: '#BFBFBF' } as const
/** The month before this one, here (not in UTC: on the 1st before 08:00 in Beijing UTC is still last month). */
const lastMonth = () => {
  const d = new Date()
  return dayOf(new Date(d.getFullYear(), d.getMonth() - 1, 1)).slice(0, 7)
}
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)

export function ReportsPage() {
  const { t } = useTranslation()
  const orgUnits = useCall('orgUnits.list', {})
  const info = useCall('app.info', {})
  const [region, setRegion] = useState<string | null>(null)
  const [period, setPeriod] = useState(lastMonth())
  const [path, setPath] = useState('')
  const [overwrite, setOverwrite] = useState(false)
  const [busy, setBusy] = useState<ReportFormat | null>(null)
  const [exported, setExported] = useState<ReportExportResult | null>(null)
  const [exportError, setExportError] = useState<unknown>(null)
  const preview = useCall('reports.preview', region && /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/.test(period) ? { region, period } : null)

  // Region choices: the county, its centers, then every grid.
  const units = (orgUnits.value ?? []).filter((u) => u.level !== 'microgrid')
  const options = units.map((u) => ({ value: u.code, label: `${t(`reports.level.${u.level}`)} ${u.name}（${u.code}）` }))
  const county = units.find((u) => u.level === 'county')?.code
  useEffect(() => {
    if (!region && county) setRegion(county)
  }, [county, region])
  const defaultPath = (format: ReportFormat) => `${info.value?.dataDir ?? ''}/exports/${region ?? 'report'}_${period}.${format}`

  async function exportAs(format: ReportFormat) {
    if (!region) return
    setBusy(format)
    setExportError(null)
    setExported(null)
    try {
      const target = path.trim() ? path.trim().replace(/\.(xlsx|pdf|csv|geojson)$/i, `.${format}`) : defaultPath(format)
      setExported(await call('reports.export', { region, period, format, path: target, overwrite }))
    } catch (error) {
      setExportError(error)
    } finally {
      setBusy(null)
    }
  }

  const m: ReportModel | undefined = preview.value
  return (
    <Stack data-page="reports" gap="sm" h="100%" style={{ minHeight: 0 }}>
      <Title order={2} size="h3">{t('reports.title')}</Title>
      <Group align="flex-end" wrap="wrap">
        <Select label={t('reports.ui.regionLabel')} data={options} value={region} onChange={setRegion} searchable w={320} data-testid="report-region" />
        <PeriodSelect label={t('reports.ui.periodLabel')} description={t('reports.ui.periodHint')} value={period} onChange={setPeriod} width={220} testId="report-period" />
      </Group>
      <Group align="flex-end" wrap="wrap">
        <TextInput label={t('reports.ui.pathLabel')} placeholder={defaultPath('xlsx')} value={path} onChange={(e) => setPath(e.currentTarget.value)} w={420} data-testid="report-path"
          rightSectionWidth={pickSaveFile ? 72 : undefined}
          rightSection={pickSaveFile ? <Button size="compact-xs" variant="subtle" onClick={async () => setPath((await pickSaveFile!(basename(path || defaultPath('xlsx')))) ?? path)}>{t('reports.ui.saveAs')}</Button> : undefined} />
        <Checkbox label={t('reports.ui.overwrite')} checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />
        {(['xlsx', 'pdf', 'csv', 'geojson'] as const).map((f) => (
          <Button key={f} onClick={() => exportAs(f)} loading={busy === f} disabled={!region || busy !== null} data-export={f}>
            {f.toUpperCase()}
          </Button>
        ))}
      </Group>
      {busy && <Text size="sm">{t('reports.ui.exporting')}</Text>}
      {exported && <Alert color="green">{t('reports.ui.exported', { path: exported.path, bytes: exported.bytes })}</Alert>}
      {exportError !== null && <ErrorAlert error={exportError} />}
      {preview.error !== undefined && <ErrorAlert error={preview.error} />}
      {preview.loading && <Loader size="sm" />}
      <ScrollArea style={{ flex: 1 }}>
        <Stack gap="md">
          <SavedReports region={region} defaultFolder={`${info.value?.dataDir ?? ''}/exports`} />
          {m && (<>
            <Text>{`${m.region.name}（${m.region.code}） · ${m.period}（${m.periodStart} — ${m.periodEnd}） · ${t('reports.asOf')} ${m.asOf}`}</Text>
            <Section name="kpi" empty={m.kpi.rows.length === 0} cols={['indicator', 'target', 'actual', 'completion', 'timeProgress', 'light']}
              rows={m.kpi.rows.map((r) => [r.indicatorName, r.target ?? '—', r.actual ?? '—', pct(r.completion), pct(r.timeProgress),
                <Text key="l" span fw={700} style={{ background: LIGHT_COLOURS[r.light], color: r.light === 'yellow' || r.light === 'none' ? '#000' : '#fff', padding: '0 6px', borderRadius: 3 }}>{t(`reports.light.${r.light}`)}</Text>])} />
            <Section name="visits" empty={m.visits.done + m.visits.planned === 0} cols={['grid', 'planned', 'plannedDone', 'done']}
              rows={m.visits.byGrid.map((g) => [g.gridName, g.planned, g.plannedDone, g.done])} />
            <Section name="coverage" empty={m.coverage.aTier === 0} cols={['grid', 'aTier', 'visited30d', 'coverage']}
              rows={m.coverage.byGrid.map((g) => [g.gridName, g.aTier, g.visited30d, pct(g.coverage)])} />
            <Section name="funnel" empty={m.funnel.customers === 0} cols={['stage', 'current', 'reached', 'conversion']}
              rows={m.funnel.rows.map((r) => [r.stageName, r.current, r.reached, pct(r.conversion)])} />
            <Section name="prices" empty={m.intel.prices.length === 0} cols={['rival', 'offers', 'minFee', 'avgFee', 'feePerGb']}
              rows={m.intel.prices.map((p) => [p.rivalName, p.offers, p.minMonthlyFee ?? '—', p.avgMonthlyFee ?? '—', p.avgFeePerGb ?? '—'])} />
            <Section name="intel" empty={m.intel.rows.length === 0} cols={['seenAt', 'rival', 'titleCol', 'village', 'monthlyFee']}
              rows={m.intel.rows.slice(0, 50).map((r) => [dayOf(r.seenAt), r.rivalName, r.title, r.villageName ?? '—', r.monthlyFee ?? '—'])} />
            <Section name="profiles" empty={m.profiles.villages === 0} cols={['field', 'filled', 'villages', 'share']}
              rows={m.profiles.byField.map((f) => [f.fieldName, f.filled, f.villages, pct(f.share)])} />
            <Section name="objections" empty={m.objections.rows.length === 0} cols={['objection', 'heard', 'workedRate', 'bestAnswer']}
              rows={m.objections.rows.map((o) => [o.name, o.heard, pct(o.workedRate), o.bestAnswer ?? '—'])} />
            <Section name="workOrders" empty={m.workOrders.overdue.length === 0} cols={['titleWo', 'grid', 'dueAt', 'daysOverdue']}
              rows={m.workOrders.overdue.map((w) => [w.title, w.gridName ?? '—', dueDayOf(w.dueAt), w.daysOverdue])} />
          </>)}
        </Stack>
      </ScrollArea>
    </Stack>
  )
}

/** One report section: its name and column headers are keys under reports.section / reports.col. */
function Section({ name, cols, rows, empty }: { name: string; cols: string[]; rows: React.ReactNode[][]; empty: boolean }) {
  const { t } = useTranslation()
  const title = t(`reports.section.${name}`)
  const head = cols.map((c) => t(`reports.col.${c}`))
  return (
    <Stack gap={4} data-section={title}>
      <Title order={3} size="h5">{title}</Title>
      {empty ? <Text c="dimmed" size="sm">{t('reports.noData')}</Text> : (
        <Table striped withTableBorder>
          <Table.Thead><Table.Tr>{head.map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr></Table.Thead>
          <Table.Tbody>{rows.map((r, i) => <Table.Tr key={i}>{r.map((c, j) => <Table.Td key={j}>{c}</Table.Td>)}</Table.Tr>)}</Table.Tbody>
        </Table>
      )}
    </Stack>
  )
}
