// The import dialog: villages (CSV/XLSX) or grid boundaries (GeoJSON/KML/zipped Shapefile).
// Choosing a file or an option checks it (an import job in preview mode); the problems are listed
// row by row and can be saved as CSV; Import (a commit job, all or nothing) is possible only when
// the check found no problem. Jobs report their progress, shown as a bar: a large file is read,
// checked and written in the background and the window stays usable. The file goes by path:
// Electron's native dialog gives one; browser mode uploads the file first (POST /upload).
import { Alert, Badge, Button, Group, Modal, Progress, ScrollArea, SegmentedControl, Select, Stack, Table, Text } from '@mantine/core'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { crsList, type ImportInput, type ImportIssue, type ImportJobProgress, type ImportPreview, type ImportResult } from '../../../../shared/api/imports'
import { AppError } from '../../../../shared/errors'
import type { Language } from '../../../../shared/i18n'
import { formatImportIssue } from '../../../../shared/i18n/importIssues'
import { pickImportFile, uploadFile, type ChosenFile } from '../../api/client'
import { ErrorAlert } from '../../shell/errors'
import { currentLanguage } from '../../shell/i18n'
import { runImportJob } from './importJob'

type Kind = ImportInput['kind']
type Encoding = ImportInput['encoding']
/** What the bar shows: an upload (browser mode) or a job's phase. */
type Step = { phase: 'uploading'; done: number; total: number; unit: 'bytes'; background: false } | Pick<ImportJobProgress, 'phase' | 'done' | 'total' | 'unit' | 'background'>

const accept: Record<Kind, string> = { villages: '.csv,.txt,.xlsx', grids: '.geojson,.json,.kml,.zip' }

const csvCell = (value: string | number | null) => {
  const text = value === null ? '' : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** The problem report as CSV, UTF-8 with BOM so Excel opens the Chinese text correctly. */
export function issuesCsv(issues: ImportIssue[], lang: Language, header: string[], fieldLabel: (field: string) => string, problem: (issue: ImportIssue) => string): string {
  const lines = [header, ...issues.map((i) => [i.file, i.row, i.field ? fieldLabel(i.field) : '', problem(i), formatImportIssue(i, lang)])]
  return `\uFEFF${lines.map((line) => line.map(csvCell).join(',')).join('\r\n')}\r\n`
}

export interface ImportDialogProps {
  opened: boolean
  onClose: () => void
  onImported: (result: ImportResult) => void
}

export function ImportDialog({ opened, onClose, onImported }: ImportDialogProps) {
  const { t, i18n } = useTranslation()
  const lang = currentLanguage(i18n)
  const fileInput = useRef<HTMLInputElement>(null)
  const [kind, setKind] = useState<Kind>('villages')
  const [encoding, setEncoding] = useState<Encoding>('auto')
  const [crs, setCrs] = useState<ImportInput['crs']>('WGS-84')
  const [chosen, setChosen] = useState<ChosenFile>()
  const [preview, setPreview] = useState<ImportPreview>()
  const [issues, setIssues] = useState<{ list: ImportIssue[]; more: number }>({ list: [], more: 0 })
  const [busy, setBusy] = useState<'uploading' | 'reading' | 'committing' | null>(null)
  const [step, setStep] = useState<Step>()
  const [result, setResult] = useState<ImportResult>()
  const [cancelled, setCancelled] = useState(false)
  const [error, setError] = useState<unknown>()
  /** Stops the running upload's follow-up or job (closing the dialog, choosing another file, Cancel). */
  const running = useRef<AbortController | null>(null)
  const stop = () => {
    running.current?.abort()
    running.current = null
  }
  useEffect(() => stop, [])

  // Any change of file or option checks the file again.
  useEffect(() => {
    if (!chosen) return
    const controller = new AbortController()
    running.current = controller
    setBusy('reading')
    setError(undefined)
    setResult(undefined)
    setCancelled(false)
    setStep(undefined)
    runImportJob({ kind, source: { path: chosen.path }, encoding, crs, mode: 'preview' }, setStep, controller.signal).then(
      (job) => {
        if (controller.signal.aborted || !job) return
        if (job.phase === 'cancelled') setCancelled(true)
        if (job.preview) {
          setPreview(job.preview)
          setIssues({ list: job.preview.issues, more: job.preview.moreIssues })
        }
        setBusy(null)
      },
      (e: unknown) => {
        if (controller.signal.aborted) return
        setPreview(undefined)
        setError(e)
        setBusy(null)
      },
    )
    return () => controller.abort()
  }, [kind, chosen, encoding, crs])

  const reset = () => {
    stop()
    setChosen(undefined)
    setPreview(undefined)
    setIssues({ list: [], more: 0 })
    setResult(undefined)
    setError(undefined)
    setCancelled(false)
    setStep(undefined)
    setBusy(null)
    if (fileInput.current) fileInput.current.value = ''
  }

  const choose = async () => {
    if (!pickImportFile) return fileInput.current?.click()
    try {
      const file = await pickImportFile(kind)
      if (file) {
        reset()
        setChosen(file)
      }
    } catch (e) {
      setError(e)
    }
  }

  const upload = async (file: File | undefined) => {
    if (!file) return
    reset()
    const controller = new AbortController()
    running.current = controller
    setBusy('uploading')
    setStep({ phase: 'uploading', done: 0, total: file.size, unit: 'bytes', background: false })
    try {
      const uploaded = await uploadFile(file, (done, total) => setStep({ phase: 'uploading', done, total, unit: 'bytes', background: false }))
      if (!controller.signal.aborted) setChosen(uploaded)
    } catch (e) {
      if (!controller.signal.aborted) {
        setError(e)
        setBusy(null)
      }
    }
  }

  const commit = async () => {
    if (!chosen) return
    const controller = new AbortController()
    running.current = controller
    setBusy('committing')
    setError(undefined)
    setStep(undefined)
    try {
      const job = await runImportJob({ kind, source: { path: chosen.path }, encoding, crs, mode: 'commit' }, setStep, controller.signal)
      if (job?.phase === 'cancelled') setCancelled(true)
      if (job?.result) {
        setResult(job.result)
        onImported(job.result)
      }
    } catch (e) {
      if (controller.signal.aborted) return
      const reported = e instanceof AppError ? (e.details?.importIssues as ImportIssue[] | undefined) : undefined
      if (reported?.length) setIssues({ list: reported, more: Number(e instanceof AppError ? (e.details?.moreIssues ?? 0) : 0) })
      setError(e)
    } finally {
      if (!controller.signal.aborted) setBusy(null)
    }
  }

  const cancel = () => {
    stop()
    setBusy(null)
    setStep(undefined)
    if (busy === 'uploading') setChosen(undefined)
    setCancelled(true)
  }

  const fieldLabel = (field: string) => t([`fields.${field}`, `villages.field.${field}`, field])
  const problem = (issue: ImportIssue) => t(`importIssues.${issue.code}`, { ...issue.params, defaultValue: issue.code })

  const saveReport = () => {
    if (!preview && !chosen) return
    const header = ['file', 'row', 'field', 'problem', 'message'].map((c) => (c === 'message' ? 'message' : t(`villageImport.col.${c}`)))
    const csv = issuesCsv(issues.list, lang, header, fieldLabel, problem)
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }))
    const link = document.createElement('a')
    link.href = url
    link.download = `${(chosen?.fileName ?? 'import').replace(/\.[^.]+$/, '')}-${t('villageImport.reportSuffix')}.csv`
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }

  const sampleColumns = preview ? (kind === 'villages' ? Object.keys(preview.mapping) : ['code', 'name', 'kind', 'geometryType']) : []
  const canCommit = !!preview && issues.list.length === 0 && issues.more === 0 && preview.totalRows > 0 && !result && busy === null

  return (
    <Modal opened={opened} onClose={() => { reset(); onClose() }} title={t('villageImport.title')} size="xl" data-testid="import-dialog">
      <Stack gap="sm">
        <Group align="flex-end" gap="sm" wrap="wrap">
          <Stack gap={4}>
            <Text size="sm" fw={500}>{t('villageImport.kind')}</Text>
            <SegmentedControl
              value={kind}
              onChange={(value) => {
                reset()
                setKind(value as Kind)
              }}
              data={[
                { value: 'villages', label: t('villageImport.kindVillages') },
                { value: 'grids', label: t('villageImport.kindGrids') },
              ]}
              data-testid="import-kind"
            />
          </Stack>
          <Select w={140} label={t('villageImport.encoding')} value={encoding} allowDeselect={false} onChange={(v) => setEncoding((v ?? 'auto') as Encoding)}
            data={[{ value: 'auto', label: t('villageImport.encodingAuto') }, { value: 'utf-8', label: 'UTF-8' }, { value: 'gb18030', label: 'GB18030 / GBK' }]} />
          <Select w={120} label={t('villageImport.crs')} value={crs} allowDeselect={false} onChange={(v) => setCrs((v ?? 'WGS-84') as ImportInput['crs'])}
            data={crsList.map((c) => ({ value: c, label: c }))} />
        </Group>
        <Group gap="sm">
          <input ref={fileInput} type="file" accept={accept[kind]} hidden onChange={(e) => void upload(e.currentTarget.files?.[0])} data-testid="import-file" />
          <Button variant="default" onClick={() => void choose()} disabled={busy === 'committing'}>{t('villageImport.pickFile')}</Button>
          <Text size="sm" c={chosen ? undefined : 'dimmed'} data-testid="import-file-name">{chosen?.fileName ?? t('villageImport.noFile')}</Text>
        </Group>
        {busy !== null && <ImportProgress step={step} onCancel={cancel} />}
        {cancelled && busy === null && !result && <Alert color="gray" variant="light" p="xs" data-testid="import-cancelled">{t('villageImport.cancelled')}</Alert>}

        {preview && (
          <Stack gap={6} data-testid="import-preview">
            <Group gap="xs">
              {preview.encoding && <Badge variant="light" tt="none">{t('villageImport.detected', { encoding: preview.encoding })}</Badge>}
              {preview.sheet && <Badge variant="light" color="gray" tt="none" data-testid="import-sheet">{t('villageImport.sheet', { sheet: preview.sheet })}</Badge>}
              <Badge variant="light" color="gray" tt="none" data-testid="import-rows">{t('villageImport.rows', { count: preview.totalRows })}</Badge>
            </Group>
            {kind === 'villages' && Object.keys(preview.mapping).length > 0 && (
              <Text size="sm">
                <Text span fw={600}>{t('villageImport.mapping')}{lang === 'en' ? ': ' : '：'}</Text>
                {Object.entries(preview.mapping).map(([field, column]) => `${fieldLabel(field)} ← ${column}`).join(lang === 'en' ? ', ' : '，')}
              </Text>
            )}
            {preview.sample.length > 0 && (
              <>
                <Text size="sm" fw={600}>{t('villageImport.sample')}</Text>
                <ScrollArea type="auto" mah={160}>
                  <Table fz="xs" verticalSpacing={2} withTableBorder striped data-testid="import-sample">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('villageImport.col.row')}</Table.Th>
                        {sampleColumns.map((c) => <Table.Th key={c} style={{ whiteSpace: 'nowrap' }}>{fieldLabel(c)}</Table.Th>)}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {preview.sample.slice(0, 5).map((row, i) => (
                        <Table.Tr key={i}>
                          <Table.Td>{String(row.row ?? i + 1)}</Table.Td>
                          {sampleColumns.map((c) => <Table.Td key={c} style={{ whiteSpace: 'nowrap' }}>{c === 'kind' && row[c] ? t(`gridKind.${String(row[c])}`) : formatCell(row[c], t)}</Table.Td>)}
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollArea>
              </>
            )}
          </Stack>
        )}

        {preview?.repairs && preview.repairs.length > 0 && (
          <Alert color="yellow" variant="light" p="xs" data-testid="import-repairs">
            <Text size="sm">{t('villageImport.repairsTitle', { count: preview.repairs.length })}</Text>
            {preview.repairs.slice(0, 5).map((r) => (
              <Text size="xs" key={r.row}>{t('villageImport.repair', { row: r.row, code: r.code ?? '', droppedM2: r.droppedM2.toLocaleString(lang), duplicatePoints: r.duplicatePoints })}</Text>
            ))}
          </Alert>
        )}
        {issues.list.length > 0 && (
          <Stack gap={6} data-testid="import-issues">
            <Alert color="red" variant="light" p="xs" role="alert">
              {t('villageImport.issuesTitle', { count: issues.list.length + issues.more })}
              {issues.more > 0 && ` ${t('villageImport.moreIssues', { count: issues.more })}`}
            </Alert>
            <ScrollArea type="auto" mah={200}>
              <Table fz="xs" verticalSpacing={2} withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th style={{ whiteSpace: 'nowrap' }}>{t('villageImport.col.file')}</Table.Th>
                    <Table.Th style={{ whiteSpace: 'nowrap' }}>{t('villageImport.col.row')}</Table.Th>
                    <Table.Th style={{ whiteSpace: 'nowrap' }}>{t('villageImport.col.field')}</Table.Th>
                    <Table.Th>{t('villageImport.col.problem')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {issues.list.map((issue, i) => (
                    <Table.Tr key={i} data-issue-row={issue.row ?? ''} data-issue-field={issue.field ?? ''} data-issue-code={issue.code} title={formatImportIssue(issue, lang)}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{issue.file}</Table.Td>
                      <Table.Td>{issue.row ?? '—'}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{issue.field ? fieldLabel(issue.field) : '—'}</Table.Td>
                      <Table.Td>{problem(issue)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          </Stack>
        )}
        {preview && issues.list.length === 0 && !result && <Text size="sm" c="teal" data-testid="import-ok">{t('villageImport.noIssues')}</Text>}
        {error !== undefined && !(error instanceof AppError && error.details?.importIssues) && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
        {error instanceof AppError && !!error.details?.importIssues && <Alert color="red" variant="light" p="xs">{t('villageImport.failed')}</Alert>}
        {result && (
          <Alert color="teal" variant="light" p="xs" data-testid="import-done">
            {t('villageImport.done', { inserted: result.inserted, updated: result.updated, unchanged: result.unchanged, millis: result.millis })}
          </Alert>
        )}

        <Group justify="space-between">
          <Button variant="subtle" disabled={issues.list.length === 0} onClick={saveReport} data-testid="import-save-report">
            {t('villageImport.saveReport')}
          </Button>
          <Group gap="xs">
            <Button variant="default" onClick={() => { reset(); onClose() }}>{t('villageImport.close')}</Button>
            <Button disabled={!canCommit} loading={busy === 'committing'} onClick={() => void commit()} data-testid="import-commit">
              {t('villageImport.commit', { count: preview?.totalRows ?? 0 })}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  )
}

/** The bar under the file: the phase, its counts (MB or rows), and Cancel. */
function ImportProgress({ step, onCancel }: { step: Step | undefined; onCancel: () => void }) {
  const { t, i18n } = useTranslation()
  const lang = currentLanguage(i18n)
  const phase = step?.phase ?? 'queued'
  const known = !!step && step.total > 0 && phase !== 'queued'
  const pct = known ? Math.min(100, (step.done / step.total) * 100) : 100
  const mb = (n: number) => (n / 1024 / 1024).toLocaleString(lang, { maximumFractionDigits: 1, minimumFractionDigits: 1 })
  const label = !known
    ? t(`villageImport.phase.${phase}`)
    : step.unit === 'bytes'
      ? t('villageImport.progressBytes', { phase: t(`villageImport.phase.${phase}`), done: mb(step.done), total: mb(step.total) })
      : t('villageImport.progressRows', { phase: t(`villageImport.phase.${phase}`), done: step.done.toLocaleString(lang), total: step.total.toLocaleString(lang) })
  return (
    <Stack gap={4} data-testid="import-progress" data-phase={phase}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" data-testid="import-progress-label">{label}</Text>
        <Button size="compact-xs" variant="subtle" color="gray" onClick={onCancel} data-testid="import-cancel">{t('villageImport.cancel')}</Button>
      </Group>
      {/* One bar per phase: a new phase starts from its own 0, not by sliding back from the last one's 100%. */}
      <Progress key={phase} value={pct} striped animated={!known || phase === 'writing'} size="lg" transitionDuration={200} aria-label={label} />
      {step?.background && <Text size="xs" c="dimmed">{t('villageImport.background')}</Text>}
    </Stack>
  )
}

function formatCell(value: unknown, t: (key: string) => string): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? t('villages.yes') : t('villages.no')
  return String(value)
}
