// The import dialog: villages (CSV/XLSX) or grid boundaries (GeoJSON/KML/zipped Shapefile).
// Choosing a file or an option checks it (an import job in preview mode); the problems are listed
// row by row and can be saved as CSV; Import (a commit job, all or nothing) is possible only when
// the check found no problem. Jobs report their progress, shown as a bar: a large file is read,
// checked and written in the background and the window stays usable. The file goes by path:
// Electron's native dialog gives one; browser mode uploads the file first (POST /upload). The
// column mapping can be set by hand (a change checks the file again). The parts every import
// dialog shares are in ../imports/ImportParts.
import { Alert, Badge, Button, Checkbox, Group, Menu, Modal, SegmentedControl, Select, Stack, Text } from '@mantine/core'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { crsList, type ImportInput, type ImportIssue, type ImportPreview, type ImportResult } from '../../../../shared/api/imports'
import {
  EncodingSelect,
  ImportOutcome,
  ImportProgress,
  IssuesTable,
  MappingEditor,
  reportedIssues,
  SampleTable,
  SaveReportButton,
  useImportFile,
  useImportLabels,
  type Step,
} from '../imports/ImportParts'
import { call } from '../../api/client'
import { runImportJob } from './importJob'

type Kind = ImportInput['kind']
type Encoding = ImportInput['encoding']

const BOUNDARY_FILES = '.geojson,.json,.kml,.zip'
const accept: Record<Kind, string> = {
  villages: '.csv,.txt,.xlsx',
  customers: '.csv,.txt,.xlsx',
  actuals: '.csv,.txt,.xlsx',
  grids: BOUNDARY_FILES,
  county: BOUNDARY_FILES,
  townships: BOUNDARY_FILES,
}

export interface ImportDialogProps {
  opened: boolean
  /** What the dialog starts on (villages unless said). */
  initialKind?: Kind
  onClose: () => void
  onImported: (result: ImportResult) => void
}

export function ImportDialog({ opened, initialKind = 'villages', onClose, onImported }: ImportDialogProps) {
  const { t } = useTranslation()
  const { lang } = useImportLabels()
  const [kind, setKind] = useState<Kind>(initialKind)
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
  const [skipInvalid, setSkipInvalid] = useState(false)
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
    setSkipInvalid(false)
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
      const job = await runImportJob(
        { kind, source: { path: chosen.path }, encoding, crs, mapping: override, mode: 'commit', ...(skipping ? { onInvalid: 'skip' as const } : {}) },
        setJobStep,
        controller.signal,
      )
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
  /** "Import the valid rows, report the rest": an explicit choice; all or nothing stays the default. */
  const skipping = skipInvalid && !!preview && (preview.validRows ?? 0) > 0 && (issues.list.length > 0 || issues.more > 0)
  const canCommit = !!preview && (skipping || (issues.list.length === 0 && issues.more === 0)) && preview.totalRows > 0 && !result && busy === null

  return (
    <Modal
      opened={opened}
      onClose={() => {
        reset()
        onClose()
      }}
      title={t('villageImport.title')}
      size="xl"
      data-testid="import-dialog"
    >
      <Stack gap="sm">
        <Group align="flex-end" gap="sm" wrap="wrap">
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('villageImport.kind')}
            </Text>
            <SegmentedControl
              value={kind}
              onChange={(value) => {
                reset()
                setKind(value as Kind)
              }}
              data={(['villages', 'grids', 'county', 'townships'] as const).map((k) => ({ value: k, label: t(`villageImport.kindShort.${k}`) }))}
              data-testid="import-kind"
            />
            <Text size="xs" c="dimmed">
              {t(kind === 'villages' ? 'villageImport.formatsTable' : 'villageImport.formatsBoundary')}
            </Text>
          </Stack>
          <EncodingSelect width={140} value={encoding} onChange={setEncoding} />
          <Select
            w={120}
            label={t('villageImport.crs')}
            value={crs}
            allowDeselect={false}
            onChange={(v) => setCrs((v ?? 'WGS-84') as ImportInput['crs'])}
            data={crsList.map((c) => ({ value: c, label: c }))}
          />
        </Group>
        <Group gap="sm">
          {file.input}
          <Button variant="default" onClick={() => void file.choose()} disabled={busy === 'committing'}>
            {t('villageImport.pickFile')}
          </Button>
          <Text size="sm" c={chosen ? undefined : 'dimmed'} data-testid="import-file-name">
            {chosen?.fileName ?? t('villageImport.noFile')}
          </Text>
        </Group>
        {(busy !== null || file.upload) && <ImportProgress step={step} onCancel={cancel} />}
        {cancelled && busy === null && !result && (
          <Alert color="gray" variant="light" p="xs" data-testid="import-cancelled">
            {t('villageImport.cancelled')}
          </Alert>
        )}

        {preview && (
          <Stack gap={6} data-testid="import-preview">
            <Group gap="xs">
              {preview.encoding && (
                <Badge variant="light" tt="none">
                  {t('villageImport.detected', { encoding: preview.encoding })}
                </Badge>
              )}
              {preview.sheet && (
                <Badge variant="light" color="gray" tt="none" data-testid="import-sheet">
                  {t('villageImport.sheet', { sheet: preview.sheet })}
                </Badge>
              )}
              <Badge variant="light" color="gray" tt="none" data-testid="import-rows">
                {t('villageImport.rows', { count: preview.totalRows })}
              </Badge>
            </Group>
            {kind === 'villages' && <MappingEditor preview={preview} override={override} onChange={setOverride} />}
            {kind !== 'villages' && preview.properties && preview.properties.length > 0 && (
              <BoundaryMapping preview={preview} override={override} onChange={setOverride} />
            )}
            {preview.sample.length > 0 && (
              <>
                <Text size="sm" fw={600}>
                  {t('villageImport.sample')}
                </Text>
                <SampleTable
                  sample={preview.sample}
                  columns={sampleColumns}
                  maxHeight={160}
                  testId="import-sample"
                  cell={(c, value) => (c === 'kind' && value ? t(`gridKind.${String(value)}`) : formatCell(value, t))}
                />
              </>
            )}
          </Stack>
        )}

        {preview?.repairs && preview.repairs.length > 0 && (
          <Alert color="yellow" variant="light" p="xs" data-testid="import-repairs">
            <Text size="sm">{t('villageImport.repairsTitle', { count: preview.repairs.length })}</Text>
            {preview.repairs.slice(0, 5).map((r) => (
              <Text size="xs" key={r.row}>
                {t('villageImport.repair', { row: r.row, code: r.code ?? '', droppedM2: r.droppedM2.toLocaleString(lang), duplicatePoints: r.duplicatePoints })}
                {r.areaBeforeM2 !== undefined &&
                  r.areaAfterM2 !== undefined &&
                  ` ${t('villageImport.repairArea', { before: km2(r.areaBeforeM2, lang), after: km2(r.areaAfterM2, lang) })}`}
              </Text>
            ))}
          </Alert>
        )}
        <IssuesTable issues={issues.list} more={issues.more} testId="import-issues" />
        {preview && issues.list.length === 0 && !result && (
          <Text size="sm" c="teal" data-testid="import-ok">
            {t('villageImport.noIssues')}
          </Text>
        )}
        <ImportOutcome
          error={error ?? file.error}
          onCloseError={() => (error === undefined ? file.clear() : setError(undefined))}
          result={result}
          testId="import-done"
        />

        {preview && !result && (issues.list.length > 0 || issues.more > 0) && (preview.validRows ?? 0) > 0 && (
          <Checkbox
            checked={skipInvalid}
            onChange={(e) => setSkipInvalid(e.currentTarget.checked)}
            label={t('villageImport.skipInvalid', { count: preview.validRows ?? 0, bad: preview.totalRows - (preview.validRows ?? 0) })}
            data-testid="import-skip-invalid"
          />
        )}
        <Group justify="space-between">
          <Group gap="xs">
            <SaveReportButton issues={issues.list} fileName={chosen?.fileName} testId="import-save-report" />
            {kind === 'villages' && <TemplateMenu />}
          </Group>
          <Group gap="xs">
            <Button
              variant="default"
              onClick={() => {
                reset()
                onClose()
              }}
            >
              {t('villageImport.close')}
            </Button>
            <Button disabled={!canCommit} loading={busy === 'committing'} onClick={() => void commit()} data-testid="import-commit">
              {t('villageImport.commit', { count: skipping ? (preview?.validRows ?? 0) : (preview?.totalRows ?? 0) })}
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

const km2 = (m2: number, lang: string) => (m2 / 1e6).toLocaleString(lang, { maximumFractionDigits: 3 })

/** Which feature properties hold the code and the name (detected by themselves when left alone). */
function BoundaryMapping({
  preview,
  override,
  onChange,
}: {
  preview: ImportPreview
  override: Record<string, string>
  onChange: (override: Record<string, string>) => void
}) {
  const { t } = useTranslation()
  const keys = [...new Set((preview.properties ?? []).flatMap((p) => Object.keys(p)))]
  const example = (key: string) => String((preview.properties ?? []).find((p) => p[key] !== undefined && p[key] !== null)?.[key] ?? '').slice(0, 24)
  const options = keys.map((k) => ({ value: k, label: example(k) ? `${k}（${t('villageImport.eg')} ${example(k)}）` : k }))
  return (
    <Group gap="sm" data-testid="boundary-mapping">
      {(['code', 'name'] as const).map((field) => (
        <Select
          key={field}
          w={260}
          size="xs"
          label={t(`villageImport.boundaryField.${field}`)}
          data={options}
          value={override[field] ?? preview.mapping[field] ?? null}
          allowDeselect={false}
          onChange={(v) => v && onChange({ ...override, [field]: v })}
          data-testid={`boundary-map-${field}`}
        />
      ))}
    </Group>
  )
}

/** An empty village file headed with the app's labels, as CSV or Excel. */
function TemplateMenu() {
  const { t, i18n } = useTranslation()
  const download = async (format: 'csv' | 'xlsx') => {
    const { fileName, base64 } = await call('import.template', { kind: 'villages', format, language: i18n.language === 'en' ? 'en' : 'zh-CN' })
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
    const url = URL.createObjectURL(
      new Blob([bytes], { type: format === 'csv' ? 'text/csv;charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
    )
    const link = document.createElement('a')
    link.href = url
    link.download = fileName
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }
  return (
    <Menu position="top-start" withinPortal>
      <Menu.Target>
        <Button variant="subtle" data-testid="import-template">
          {t('villageTemplate.download')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => void download('xlsx')} data-testid="import-template-xlsx">
          Excel (.xlsx)
        </Menu.Item>
        <Menu.Item onClick={() => void download('csv')} data-testid="import-template-csv">
          CSV (.csv)
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  )
}
