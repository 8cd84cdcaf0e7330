// The import dialog: villages (CSV/XLSX) or grid boundaries (GeoJSON/KML/zipped Shapefile).
// Choosing a file or an option checks it (an import job in preview mode); the problems are listed
// row by row and can be saved as CSV; Import (a commit job, all or nothing) is possible only when
// the check found no problem. Jobs report their progress, shown as a bar: a large file is read,
// checked and written in the background and the window stays usable. The file goes by path:
// Electron's native dialog gives one; browser mode uploads the file first (POST /upload). The
// column mapping can be set by hand (a change checks the file again). The parts every import
// dialog shares are in ../imports/ImportParts.
import { Alert, Badge, Button, Group, Modal, SegmentedControl, Select, Stack, Text } from '@mantine/core'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { crsList, type ImportInput, type ImportIssue, type ImportPreview, type ImportResult } from '../../../../shared/api/imports'
import { EncodingSelect, ImportOutcome, ImportProgress, IssuesTable, MappingEditor, reportedIssues, SampleTable, SaveReportButton, useImportFile, useImportLabels, type Step } from '../imports/ImportParts'
import { runImportJob } from './importJob'

type Kind = ImportInput['kind']
type Encoding = ImportInput['encoding']

const BOUNDARY_FILES = '.geojson,.json,.kml,.zip'
const accept: Record<Kind, string> = { villages: '.csv,.txt,.xlsx', grids: BOUNDARY_FILES, county: BOUNDARY_FILES, townships: BOUNDARY_FILES }

export interface ImportDialogProps {
  opened: boolean
  onClose: () => void
  onImported: (result: ImportResult) => void
}

export function ImportDialog({ opened, onClose, onImported }: ImportDialogProps) {
  const { t } = useTranslation()
  const { lang } = useImportLabels()
  const [kind, setKind] = useState<Kind>('villages')
  const [encoding, setEncoding] = useState<Encoding>('auto')
  const [crs, setCrs] = useState<ImportInput['crs']>('WGS-84')
  /** Target field → column, set by hand ('' = leave out); the rest are mapped by header. */
  const [override, setOverride] = useState<Record<string, string>>({})
  const [preview, setPreview] = useState<ImportPreview>()
  const [issues, setIssues] = useState<{ list: ImportIssue[]; more: number }>({ list: [], more: 0 })
  const [busy, setBusy] = useState<'reading' | 'committing' | null>(null)
  const [jobStep, setJobStep] = useState<Step>()
  const [result, setResult] = useState<ImportResult>()
  const [cancelled, setCancelled] = useState(false)
  const [error, setError] = useState<unknown>()
  /** Stops the running job (closing the dialog, choosing another file, Cancel). */
  const running = useRef<AbortController | null>(null)
  const stop = () => {
    running.current?.abort()
    running.current = null
  }
  useEffect(() => stop, [])
  const clearResults = () => {
    stop()
    setOverride({})
    setPreview(undefined)
    setIssues({ list: [], more: 0 })
    setResult(undefined)
    setError(undefined)
    setCancelled(false)
    setJobStep(undefined)
    setBusy(null)
  }
  // Every boundary kind is a boundary file to the native file chooser.
  const file = useImportFile(kind === 'villages' ? 'villages' : 'grids', accept[kind], 'import-file', clearResults)
  const chosen = file.chosen
  const step: Step | undefined = file.upload ? { phase: 'uploading', ...file.upload, unit: 'bytes', background: false } : jobStep

  // Any change of file or option checks the file again.
  useEffect(() => {
    if (!chosen) return
    const controller = new AbortController()
    running.current = controller
    setBusy('reading')
    setError(undefined)
    setResult(undefined)
    setCancelled(false)
    setJobStep(undefined)
    runImportJob({ kind, source: { path: chosen.path }, encoding, crs, mapping: override, mode: 'preview' }, setJobStep, controller.signal).then(
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
  }, [kind, chosen, encoding, crs, override])

  const reset = () => {
    clearResults()
    file.clear()
  }

  const commit = async () => {
    if (!chosen) return
    const controller = new AbortController()
    running.current = controller
    setBusy('committing')
    setError(undefined)
    setJobStep(undefined)
    try {
      const job = await runImportJob({ kind, source: { path: chosen.path }, encoding, crs, mapping: override, mode: 'commit' }, setJobStep, controller.signal)
      if (job?.phase === 'cancelled') setCancelled(true)
      if (job?.result) {
        setResult(job.result)
        onImported(job.result)
      }
    } catch (e) {
      if (controller.signal.aborted) return
      const reported = reportedIssues(e)
      if (reported) setIssues(reported)
      setError(e)
    } finally {
      if (!controller.signal.aborted) setBusy(null)
    }
  }

  const cancel = () => {
    if (file.upload) file.clear()
    stop()
    setBusy(null)
    setJobStep(undefined)
    setCancelled(true)
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
          <EncodingSelect width={140} value={encoding} onChange={setEncoding} />
          <Select w={120} label={t('villageImport.crs')} value={crs} allowDeselect={false} onChange={(v) => setCrs((v ?? 'WGS-84') as ImportInput['crs'])}
            data={crsList.map((c) => ({ value: c, label: c }))} />
        </Group>
        <Group gap="sm">
          {file.input}
          <Button variant="default" onClick={() => void file.choose()} disabled={busy === 'committing'}>{t('villageImport.pickFile')}</Button>
          <Text size="sm" c={chosen ? undefined : 'dimmed'} data-testid="import-file-name">{chosen?.fileName ?? t('villageImport.noFile')}</Text>
        </Group>
        {(busy !== null || file.upload) && <ImportProgress step={step} onCancel={cancel} />}
        {cancelled && busy === null && !result && <Alert color="gray" variant="light" p="xs" data-testid="import-cancelled">{t('villageImport.cancelled')}</Alert>}

        {preview && (
          <Stack gap={6} data-testid="import-preview">
            <Group gap="xs">
              {preview.encoding && <Badge variant="light" tt="none">{t('villageImport.detected', { encoding: preview.encoding })}</Badge>}
              {preview.sheet && <Badge variant="light" color="gray" tt="none" data-testid="import-sheet">{t('villageImport.sheet', { sheet: preview.sheet })}</Badge>}
              <Badge variant="light" color="gray" tt="none" data-testid="import-rows">{t('villageImport.rows', { count: preview.totalRows })}</Badge>
            </Group>
            {kind === 'villages' && <MappingEditor preview={preview} override={override} onChange={setOverride} />}
            {preview.sample.length > 0 && (
              <>
                <Text size="sm" fw={600}>{t('villageImport.sample')}</Text>
                <SampleTable sample={preview.sample} columns={sampleColumns} maxHeight={160} testId="import-sample"
                  cell={(c, value) => (c === 'kind' && value ? t(`gridKind.${String(value)}`) : formatCell(value, t))} />
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
        <IssuesTable issues={issues.list} more={issues.more} testId="import-issues" />
        {preview && issues.list.length === 0 && !result && <Text size="sm" c="teal" data-testid="import-ok">{t('villageImport.noIssues')}</Text>}
        <ImportOutcome error={error ?? file.error} onCloseError={() => (error === undefined ? file.clear() : setError(undefined))} result={result} testId="import-done" />

        <Group justify="space-between">
          <SaveReportButton issues={issues.list} fileName={chosen?.fileName} testId="import-save-report" />
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

function formatCell(value: unknown, t: (key: string) => string): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? t('villages.yes') : t('villages.no')
  return String(value)
}
