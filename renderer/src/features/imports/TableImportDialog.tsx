// Importing a table (CSV/XLSX) of key customers or indicator actuals, by the village import's rules
// and through its import jobs: the file goes by path (Electron's native dialog, or an upload in
// browser mode with progress); choosing it previews it (mapping, sample, every problem by row and
// field, translated); the mapping can be set by hand (a change previews again); the problems can
// be saved as a CSV report; Import writes all rows or none. The parts shared with the village
// dialog are in ImportParts.
import { Badge, Button, Group, Modal, Stack, Text } from '@mantine/core'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ImportInput, ImportIssue, ImportPreview, ImportResult } from '../../../../shared/api/imports'
import { call } from '../../api/client'
import { toastSaved } from '../../shell/toasts'
import { useUnsavedGuard } from '../../shell/unsaved'
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
  type Step,
} from './ImportParts'

export interface TableImportDialogProps {
  kind: Extract<ImportInput['kind'], 'customers' | 'actuals'>
  opened: boolean
  onClose: () => void
  onImported: (r: ImportResult) => void
  title: string
  hint: string
  /** Prefix of every test id in the dialog (`${testId}-file`, `${testId}-commit` …). */
  testId: string
  /** Fields that only place a row (a village's code or name): not shown in the sample. */
  hiddenColumns?: string[]
  /** A sample value as the user knows it (coded values translated). */
  sampleCell?: (column: string, value: unknown) => string
}

const plainCell = (_column: string, value: unknown) => (value == null ? '' : String(value))

export function TableImportDialog({
  kind,
  opened,
  onClose,
  onImported,
  title,
  hint,
  testId,
  hiddenColumns = [],
  sampleCell = plainCell,
}: TableImportDialogProps) {
  const { t } = useTranslation()
  const [encoding, setEncoding] = useState<ImportInput['encoding']>('auto')
  /** Target field → column, set by hand ('' = leave out); the rest are mapped by header. */
  const [override, setOverride] = useState<Record<string, string>>({})
  const [preview, setPreview] = useState<ImportPreview>()
  const [issues, setIssues] = useState<{ list: ImportIssue[]; more: number }>({ list: [], more: 0 })
  const [busy, setBusy] = useState<'reading' | 'committing' | null>(null)
  const [result, setResult] = useState<ImportResult>()
  const [error, setError] = useState<unknown>()
  const clearResults = () => {
    setOverride({})
    setPreview(undefined)
    setIssues({ list: [], more: 0 })
    setResult(undefined)
    setError(undefined)
    setBusy(null)
  }
  const file = useImportFile('customers', '.csv,.txt,.xlsx', `${testId}-file`, clearResults)
  const chosen = file.chosen

  // Any change of file, encoding or mapping checks the file again.
  useEffect(() => {
    if (!chosen) return
    let current = true
    setBusy('reading')
    setError(undefined)
    setResult(undefined)
    call('import.preview', { kind, source: { path: chosen.path }, encoding, mapping: override }).then(
      (value) => {
        if (!current) return
        setPreview(value)
        setIssues({ list: value.issues, more: value.moreIssues })
        setBusy(null)
      },
      (e: unknown) => {
        if (!current) return
        setPreview(undefined)
        setError(e)
        setBusy(null)
      },
    )
    return () => {
      current = false
    }
  }, [kind, chosen, encoding, override])

  // Columns mapped by hand and not imported yet are work the user would lose: closing asks first
  // (a file merely chosen is chosen again in a moment).
  const { dialog, guard } = useUnsavedGuard(`${testId}-dialog`, opened && !!chosen && !result && Object.keys(override).length > 0)
  const close = () => {
    clearResults()
    file.clear()
    onClose()
  }
  const commit = async () => {
    if (!chosen) return
    setBusy('committing')
    try {
      const value = await call('import.commit', { kind, source: { path: chosen.path }, encoding, mapping: override })
      setResult(value)
      toastSaved(t('villageImport.done', { inserted: value.inserted, updated: value.updated, unchanged: value.unchanged, millis: value.millis }))
      onImported(value)
    } catch (e) {
      const reported = reportedIssues(e)
      if (reported) setIssues(reported)
      setError(e)
    } finally {
      setBusy(null)
    }
  }
  const columns = preview ? Object.keys(preview.mapping).filter((f) => !hiddenColumns.includes(f)) : []
  const canCommit = !!preview && issues.list.length === 0 && issues.more === 0 && preview.totalRows > 0 && !result && busy === null
  const step: Step | undefined = file.upload
    ? { phase: 'uploading', ...file.upload, unit: 'bytes', background: false }
    : busy
      ? { phase: busy === 'reading' ? 'validating' : 'writing', done: 0, total: 0, unit: 'rows', background: false }
      : undefined
  return (
    <>
      {dialog}
      <Modal opened={opened} onClose={() => guard(close)} title={title} size="xl" data-testid={`${testId}-dialog`}>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {hint}
          </Text>
          <Group gap="sm" align="flex-end">
            {file.input}
            <Button variant="default" onClick={() => void file.choose()} disabled={busy === 'committing'}>
              {t('villageImport.pickFile')}
            </Button>
            <EncodingSelect width={150} value={encoding} onChange={setEncoding} />
            <Text size="sm" c={chosen ? undefined : 'dimmed'} data-testid={`${testId}-file-name`}>
              {chosen?.fileName ?? t('villageImport.noFile')}
            </Text>
          </Group>
          {/* An upload can be cancelled; a check or an import of a table takes a moment and is not. */}
          {step && <ImportProgress step={step} onCancel={file.upload ? file.clear : undefined} />}
          {preview && (
            <Stack gap={6} data-testid={`${testId}-preview`}>
              <Group gap="xs">
                {preview.encoding && (
                  <Badge variant="light" tt="none">
                    {t('villageImport.detected', { encoding: preview.encoding })}
                  </Badge>
                )}
                <Badge variant="light" color="gray" tt="none" data-testid={`${testId}-rows`}>
                  {t('villageImport.rows', { count: preview.totalRows })}
                </Badge>
              </Group>
              <MappingEditor preview={preview} override={override} onChange={setOverride} />
              {preview.sample.length > 0 && (
                <SampleTable
                  sample={preview.sample}
                  columns={columns}
                  cell={sampleCell}
                  maxHeight={issues.list.length > 0 ? 110 : 150}
                  testId={`${testId}-sample`}
                />
              )}
            </Stack>
          )}
          <IssuesTable issues={issues.list} more={issues.more} testId={`${testId}-issues`} />
          {preview && issues.list.length === 0 && !result && (
            <Text size="sm" c="teal" data-testid={`${testId}-ok`}>
              {t('villageImport.noIssues')}
            </Text>
          )}
          <ImportOutcome
            error={error ?? file.error}
            onCloseError={() => (error === undefined ? file.clear() : setError(undefined))}
            result={result}
            testId={`${testId}-done`}
          />
          <Group justify="space-between">
            <SaveReportButton issues={issues.list} fileName={chosen?.fileName} testId={`${testId}-save-report`} />
            <Group gap="xs">
              <Button variant="default" onClick={() => guard(close)}>
                {t('villageImport.close')}
              </Button>
              <Button disabled={!canCommit} loading={busy === 'committing'} onClick={() => void commit()} data-testid={`${testId}-commit`}>
                {t('villageImport.commit', { count: preview?.totalRows ?? 0 })}
              </Button>
            </Group>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}
