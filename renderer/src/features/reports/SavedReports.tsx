// Saved reports: keep a region's report settings and regenerate every chosen format into a folder
// with one click each week. Existing files are never overwritten without asking.
import { Alert, Button, Checkbox, Group, Progress, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { periodRules, reportFormats, type ReportDefinition, type ReportFormat, type ReportRunResult } from '../../../../shared/api/reports'
import { call, pickFolder } from '../../api/client'
import { useCall } from '../../api/useCall'
import { dateTimeOf } from '../../../../shared/dates'
import { ErrorAlert } from '../../shell/errors'
import { toastUndo } from '../../shell/toasts'

export function SavedReports({ region, defaultFolder }: { region: string | null; defaultFolder: string }) {
  const { t, i18n } = useTranslation()
  const definitions = useCall('reports.definitions.list', {})
  const [name, setName] = useState('')
  const [rule, setRule] = useState<string>('previous_month')
  const [formats, setFormats] = useState<ReportFormat[]>(['xlsx', 'pdf'])
  const [folder, setFolder] = useState('')
  const [running, setRunning] = useState<string | null>(null)
  const [result, setResult] = useState<ReportRunResult | null>(null)
  const [error, setError] = useState<unknown>(null)

  // A deleted definition can be brought back from the toast: saved again under the same id.
  async function remove(d: ReportDefinition) {
    setError(null)
    try {
      await call('reports.definitions.delete', { id: d.id })
      definitions.reload()
      const { id, name, region, periodRule, formats, folder, csvEncoding, lang } = d
      toastUndo(t, t('field.undo.reportDeleted', { name }), () => call('reports.definitions.save', { id, name, region, periodRule, formats, folder, csvEncoding, lang }), definitions.reload)
    } catch (e) {
      setError(e)
    }
  }

  async function save() {
    if (!region) return
    setError(null)
    try {
      await call('reports.definitions.save', { name, region, periodRule: rule, formats, folder: folder.trim() || defaultFolder, lang: i18n.language === 'en' ? 'en' : 'zh-CN' })
      setName('')
      definitions.reload()
    } catch (e) {
      setError(e)
    }
  }

  async function run(id: string, overwrite = false) {
    setRunning(id)
    setError(null)
    setResult(null)
    try {
      setResult(await call('reports.definitions.run', { id, overwrite }))
      definitions.reload()
    } catch (e) {
      setError(e)
    } finally {
      setRunning(null)
    }
  }

  const ruleLabel = (r: string) => ((periodRules as readonly string[]).includes(r) ? t(`reports.saved.rules.${r}`) : r)
  return (
    <Stack gap="xs" data-testid="saved-reports">
      <Title order={3} size="h5">{t('reports.saved.title')}</Title>
      <Text size="sm" c="dimmed">{t('reports.saved.hint')}</Text>
      <Group align="flex-end" wrap="wrap" gap="sm">
        <TextInput label={t('reports.saved.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} w={160} data-testid="saved-name" />
        <Select label={t('reports.saved.periodRule')} value={rule} onChange={(v) => v && setRule(v)} w={120}
          data={periodRules.map((r) => ({ value: r, label: t(`reports.saved.rules.${r}`) }))} allowDeselect={false} />
        <Checkbox.Group label={t('reports.saved.formats')} value={formats} onChange={(v) => setFormats(v as ReportFormat[])}>
          <Group gap={8} mt={6}>{reportFormats.map((f) => <Checkbox key={f} value={f} label={f.toUpperCase()} />)}</Group>
        </Checkbox.Group>
        <TextInput label={t('reports.saved.folder')} placeholder={defaultFolder} value={folder} onChange={(e) => setFolder(e.currentTarget.value)} w={300} data-testid="saved-folder"
          rightSectionWidth={pickFolder ? 64 : undefined}
          rightSection={pickFolder ? <Button size="compact-xs" variant="subtle" onClick={async () => setFolder((await pickFolder!()) ?? folder)}>{t('reports.saved.pick')}</Button> : undefined} />
        <Button onClick={save} disabled={!region || !name.trim() || formats.length === 0} data-testid="saved-save">{t('reports.saved.save')}</Button>
      </Group>
      {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}
      {running && (
        <Stack gap={2}>
          <Text size="sm">{t('reports.saved.running')}</Text>
          <Progress value={100} animated striped aria-label={t('reports.saved.running')} />
        </Stack>
      )}
      {result && (
        <Alert color={result.files.some((f) => f.status === 'exists') ? 'yellow' : 'green'} data-testid="saved-result">
          <Text size="sm">{t('reports.saved.done', { period: result.period, millis: result.millis })}</Text>
          {result.files.map((f) => (
            <Text key={f.format} size="sm">{`${f.format.toUpperCase()} · ${t(`reports.saved.${f.status}`)} · ${f.path}`}</Text>
          ))}
          {result.files.some((f) => f.status === 'exists') && (
            <Button mt={6} size="xs" color="orange" onClick={() => run(result.definitionId, true)}>{t('reports.saved.overwriteAll')}</Button>
          )}
        </Alert>
      )}
      {definitions.value && definitions.value.length === 0 && <Text size="sm" c="dimmed">{t('reports.saved.empty')}</Text>}
      {definitions.value && definitions.value.length > 0 && (
        <Table withTableBorder striped>
          <Table.Thead>
            <Table.Tr>
              {[t('reports.saved.name'), t('reports.ui.regionLabel'), t('reports.saved.periodRule'), t('reports.saved.formats'), t('reports.saved.folder'), t('reports.saved.lastRun'), ''].map((h, i) => <Table.Th key={i}>{h}</Table.Th>)}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {definitions.value.map((d) => (
              <Table.Tr key={d.id} data-saved-report={d.name}>
                <Table.Td>{d.name}</Table.Td>
                <Table.Td>{d.region}</Table.Td>
                <Table.Td>{ruleLabel(d.periodRule)}</Table.Td>
                <Table.Td>{d.formats.map((f) => f.toUpperCase()).join(' ')}</Table.Td>
                <Table.Td style={{ wordBreak: 'break-all' }}>{d.folder}</Table.Td>
                <Table.Td>{d.lastRunAt ? dateTimeOf(d.lastRunAt) : t('reports.saved.never')}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-sm" onClick={() => run(d.id)} loading={running === d.id} disabled={running !== null}>{t('reports.saved.run')}</Button>
                    <Button size="compact-sm" variant="subtle" color="red" onClick={() => void remove(d)} data-testid="saved-report-delete">{t('reports.saved.delete')}</Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  )
}
