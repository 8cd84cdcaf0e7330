// What every file import dialog shares (villages and grids, key customers): choosing the file
// (Electron's native dialog gives a path; browser mode uploads the file first, POST /upload, with
// progress), the progress bar, the row-level problem table with its CSV report, and the
// hand-made column mapping (the preview lists the file's headers; a change checks the file again).
import { Alert, Button, Group, Progress, ScrollArea, Select, SimpleGrid, Stack, Table, Text } from '@mantine/core'
import { useEffect, useRef, useState, type ReactElement } from 'react'
import { useTranslation } from 'react-i18next'
import type { ImportInput, ImportIssue, ImportJobProgress, ImportPreview, ImportResult } from '../../../../shared/api/imports'
import { AppError } from '../../../../shared/errors'
import type { Language } from '../../../../shared/i18n'
import { formatImportIssue } from '../../../../shared/i18n/importIssues'
import { csvLine } from '../../../../shared/spreadsheet'
import { pickImportFile, uploadFile, type ChosenFile, type ImportFileKind } from '../../api/client'
import { ErrorAlert } from '../../shell/errors'
import { currentLanguage } from '../../shell/i18n'

/** What the bar shows: an upload (browser mode) or a job's phase. */
export type Step =
  | { phase: 'uploading'; done: number; total: number; unit: 'bytes'; background: false }
  | Pick<ImportJobProgress, 'phase' | 'done' | 'total' | 'unit' | 'background'>

/** The labels an import speaks in: a target field's name, and a problem in words. */
export function useImportLabels() {
  const { t, i18n } = useTranslation()
  return {
    lang: currentLanguage(i18n),
    fieldLabel: (field: string) => t([`fields.${field}`, `villages.field.${field}`, field]),
    problem: (issue: ImportIssue) => t(`importIssues.${issue.code}`, { ...issue.params, defaultValue: issue.code }),
  }
}

export interface ImportFile {
  /** The file to import, by path (chosen in Electron's dialog, or kept by the local server after upload). */
  chosen: ChosenFile | undefined
  /** Bytes sent so far while uploading (browser mode). */
  upload: { done: number; total: number } | undefined
  error: unknown
  /** Opens the native dialog, or the browser's file picker (which then uploads). */
  choose(): Promise<void>
  /** Forgets the file; stops following an upload under way. */
  clear(): void
  /** The hidden <input type=file> of browser mode; render it once. */
  input: ReactElement
}

/** Choosing an import file; onNewFile runs as a new file starts to arrive (the dialog clears the last one's results). */
export function useImportFile(kind: ImportFileKind, accept: string, testId: string, onNewFile: () => void): ImportFile {
  const fileInput = useRef<HTMLInputElement>(null)
  const [chosen, setChosen] = useState<ChosenFile>()
  const [upload, setUpload] = useState<{ done: number; total: number }>()
  const [error, setError] = useState<unknown>()
  const running = useRef<AbortController | null>(null)
  useEffect(() => () => running.current?.abort(), [])

  const clear = () => {
    running.current?.abort()
    running.current = null
    setChosen(undefined)
    setUpload(undefined)
    setError(undefined)
    if (fileInput.current) fileInput.current.value = ''
  }
  const uploadFrom = async (file: File | undefined) => {
    if (!file) return
    clear()
    onNewFile()
    const controller = new AbortController()
    running.current = controller
    setUpload({ done: 0, total: file.size })
    try {
      const uploaded = await uploadFile(file, (done, total) => !controller.signal.aborted && setUpload({ done, total }))
      if (!controller.signal.aborted) setChosen(uploaded)
    } catch (e) {
      if (!controller.signal.aborted) setError(e)
    } finally {
      if (!controller.signal.aborted) setUpload(undefined)
    }
  }
  const choose = async () => {
    if (!pickImportFile) return fileInput.current?.click()
    try {
      const file = await pickImportFile(kind)
      if (file) {
        clear()
        onNewFile()
        setChosen(file)
      }
    } catch (e) {
      setError(e)
    }
  }
  const input = <input ref={fileInput} type="file" accept={accept} hidden onChange={(e) => void uploadFrom(e.currentTarget.files?.[0])} data-testid={testId} />
  return { chosen, upload, error, choose, clear, input }
}

/** The row-level report a failed commit carries (VALIDATION with details.importIssues), if any. */
export function reportedIssues(error: unknown): { list: ImportIssue[]; more: number } | null {
  const list = error instanceof AppError ? (error.details?.importIssues as ImportIssue[] | undefined) : undefined
  return list?.length ? { list, more: Number((error as AppError).details?.moreIssues ?? 0) } : null
}

/**
 * How the last step ended: an error (a failed commit's report is in the problem table, so only
 * "nothing was changed" is said here), or the counts of a finished import.
 */
export function ImportOutcome({
  error,
  onCloseError,
  result,
  testId,
}: {
  error: unknown
  onCloseError: () => void
  result: ImportResult | undefined
  testId: string
}) {
  const { t } = useTranslation()
  return (
    <>
      {error !== undefined &&
        (reportedIssues(error) ? (
          <Alert color="red" variant="light" p="xs">
            {t('villageImport.failed')}
          </Alert>
        ) : (
          <ErrorAlert error={error} onClose={onCloseError} />
        ))}
      {result && (
        <Alert color="teal" variant="light" p="xs" data-testid={testId}>
          {t('villageImport.done', { inserted: result.inserted, updated: result.updated, unchanged: result.unchanged, millis: result.millis })}
        </Alert>
      )}
    </>
  )
}

/** The text encoding of a CSV: detected, or said by the user. */
export function EncodingSelect({
  value,
  onChange,
  width,
}: {
  value: ImportInput['encoding']
  onChange: (encoding: ImportInput['encoding']) => void
  width: number
}) {
  const { t } = useTranslation()
  return (
    <Select
      w={width}
      label={t('villageImport.encoding')}
      value={value}
      allowDeselect={false}
      onChange={(v) => onChange((v ?? 'auto') as ImportInput['encoding'])}
      data={[
        { value: 'auto', label: t('villageImport.encodingAuto') },
        { value: 'utf-8', label: 'UTF-8' },
        { value: 'gb18030', label: 'GB18030 / GBK' },
      ]}
    />
  )
}

/** The first rows as the import read them: one column per target field, values as `cell` words them. */
export function SampleTable({
  sample,
  columns,
  cell,
  maxHeight,
  testId,
}: {
  sample: Record<string, unknown>[]
  columns: string[]
  cell: (column: string, value: unknown) => string
  maxHeight: number
  testId: string
}) {
  const { t } = useTranslation()
  const { fieldLabel } = useImportLabels()
  return (
    <ScrollArea type="auto" mah={maxHeight}>
      <Table fz="xs" verticalSpacing={2} withTableBorder striped data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('villageImport.col.row')}</Table.Th>
            {columns.map((c) => (
              <Table.Th key={c} style={{ whiteSpace: 'nowrap' }} data-column={c}>
                {fieldLabel(c)}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sample.slice(0, 5).map((row, i) => (
            <Table.Tr key={i}>
              <Table.Td>{String(row.row ?? i + 1)}</Table.Td>
              {columns.map((c) => (
                <Table.Td key={c} style={{ whiteSpace: 'nowrap' }} data-column={c}>
                  {cell(c, row[c])}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  )
}

/** The problem report as CSV, UTF-8 with BOM so Excel opens the Chinese text correctly. */
export function issuesCsv(
  issues: ImportIssue[],
  lang: Language,
  header: string[],
  fieldLabel: (field: string) => string,
  problem: (issue: ImportIssue) => string,
): string {
  const lines = [header, ...issues.map((i) => [i.file, i.row, i.field ? fieldLabel(i.field) : '', problem(i), formatImportIssue(i, lang)])]
  return `\uFEFF${lines.map(csvLine).join('\r\n')}\r\n`
}

/** The problems of one file, listed row by row, with the button that saves them as a CSV report. */
export function IssuesTable({ issues, more, testId }: { issues: ImportIssue[]; more: number; testId: string }) {
  const { t } = useTranslation()
  const { lang, fieldLabel, problem } = useImportLabels()
  if (issues.length === 0) return null
  return (
    <Stack gap={6} data-testid={testId}>
      <Alert color="red" variant="light" p="xs" role="alert">
        {t('villageImport.issuesTitle', { count: issues.length + more })}
        {more > 0 && ` ${t('villageImport.moreIssues', { count: more })}`}
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
            {issues.map((issue, i) => (
              <Table.Tr
                key={i}
                data-issue-row={issue.row ?? ''}
                data-issue-field={issue.field ?? ''}
                data-issue-code={issue.code}
                title={formatImportIssue(issue, lang)}
              >
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
  )
}

/** Saves the listed problems as `<file>-问题报告.csv` (a browser download; Electron asks where). */
export function SaveReportButton({ issues, fileName, testId }: { issues: ImportIssue[]; fileName: string | undefined; testId: string }) {
  const { t } = useTranslation()
  const { lang, fieldLabel, problem } = useImportLabels()
  const save = () => {
    const header = [...['file', 'row', 'field', 'problem'].map((c) => t(`villageImport.col.${c}`)), t('problemReport.message')]
    const url = URL.createObjectURL(new Blob([issuesCsv(issues, lang, header, fieldLabel, problem)], { type: 'text/csv;charset=utf-8' }))
    const link = document.createElement('a')
    link.href = url
    link.download = `${(fileName ?? 'import').replace(/\.[^.]+$/, '')}-${t('villageImport.reportSuffix')}.csv`
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }
  return (
    <Button variant="subtle" disabled={issues.length === 0} onClick={save} data-testid={testId}>
      {t('villageImport.saveReport')}
    </Button>
  )
}

const NONE = '\u0000none'
const fileLevel = new Set(['missing_column', 'no_matching_sheet'])

/**
 * The mapping the preview used (field ← column), and a hand-made one: a column (or none) per
 * target field. `override` holds only the fields set by hand; the rest the core maps by header.
 * Opens by itself when a required column was not found.
 */
export function MappingEditor({
  preview,
  override,
  onChange,
}: {
  preview: ImportPreview
  override: Record<string, string>
  onChange: (override: Record<string, string>) => void
}) {
  const { t } = useTranslation()
  const { lang, fieldLabel } = useImportLabels()
  const needed = preview.issues.some((i) => fileLevel.has(i.code))
  const [open, setOpen] = useState(needed)
  useEffect(() => {
    if (needed) setOpen(true)
  }, [needed])
  const fields = preview.fields ?? []
  if (fields.length === 0 || preview.headers.length === 0) return null
  const sep = lang === 'en' ? ', ' : '，'
  const used = new Set(Object.values(preview.mapping))
  const unused = preview.headers.filter((h) => !used.has(h))
  const columns = [{ value: NONE, label: t('villageImport.mappingNone') }, ...preview.headers.filter((h) => h !== '').map((h) => ({ value: h, label: h }))]
  return (
    <Stack gap={4} data-testid="import-mapping">
      <Group gap="xs" wrap="nowrap" align="flex-start" justify="space-between">
        <Text size="sm" style={{ minWidth: 0 }}>
          <Text span fw={600}>
            {t('villageImport.mapping')}
            {lang === 'en' ? ': ' : '：'}
          </Text>
          {Object.entries(preview.mapping)
            .map(([field, column]) => `${fieldLabel(field)} ← ${column}`)
            .join(sep) || '—'}
          {unused.length > 0 && (
            <Text span c="dimmed" data-testid="import-unused-columns">
              {lang === 'en' ? '. ' : '。'}
              {t('villageImport.unusedColumns', { columns: unused.join(sep) })}
            </Text>
          )}
        </Text>
        <Group gap={4} wrap="nowrap">
          {Object.keys(override).length > 0 && (
            <Button size="compact-xs" variant="subtle" color="gray" onClick={() => onChange({})} data-testid="import-mapping-reset">
              {t('villageImport.mappingReset')}
            </Button>
          )}
          <Button size="compact-xs" variant="light" onClick={() => setOpen((o) => !o)} data-testid="import-mapping-toggle">
            {t(open ? 'villageImport.mappingHide' : 'villageImport.mappingEdit')}
          </Button>
        </Group>
      </Group>
      {open && (
        <>
          <Text size="xs" c="dimmed">
            {t('villageImport.mappingHint')}
          </Text>
          <SimpleGrid cols={4} spacing="xs" verticalSpacing={4}>
            {fields.map((f) => (
              <Select
                key={f.name}
                size="xs"
                label={fieldLabel(f.name)}
                withAsterisk={f.required}
                allowDeselect={false}
                value={override[f.name] === '' ? NONE : (override[f.name] ?? preview.mapping[f.name] ?? NONE)}
                onChange={(v) => onChange({ ...override, [f.name]: v === NONE || v === null ? '' : v })}
                data={columns}
                comboboxProps={{ withinPortal: true }}
                data-testid={`mapping-${f.name}`}
                data-overridden={f.name in override}
              />
            ))}
          </SimpleGrid>
        </>
      )}
    </Stack>
  )
}

/** The bar under the file: the phase, its counts (MB or rows), and Cancel where the step can be cancelled. */
export function ImportProgress({ step, onCancel }: { step: Step | undefined; onCancel?: () => void }) {
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
      : t('villageImport.progressRows', {
          phase: t(`villageImport.phase.${phase}`),
          done: step.done.toLocaleString(lang),
          total: step.total.toLocaleString(lang),
        })
  return (
    <Stack gap={4} data-testid="import-progress" data-phase={phase}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" data-testid="import-progress-label">
          {label}
        </Text>
        {onCancel && (
          <Button size="compact-xs" variant="subtle" color="gray" onClick={onCancel} data-testid="import-cancel">
            {t('villageImport.cancel')}
          </Button>
        )}
      </Group>
      {/* One bar per phase: a new phase starts from its own 0, not by sliding back from the last one's 100%. */}
      <Progress key={phase} value={pct} striped animated={!known || phase === 'writing'} size="lg" transitionDuration={200} aria-label={label} />
      {step?.background && (
        <Text size="xs" c="dimmed">
          {t('villageImport.background')}
        </Text>
      )}
    </Stack>
  )
}
