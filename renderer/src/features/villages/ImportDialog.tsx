// The import dialog: villages (CSV/XLSX) or grid boundaries (GeoJSON/KML). Choosing a file or an
// option runs import.preview; the problems are listed row by row and can be saved as CSV; Import
// (import.commit, all or nothing) is possible only when the preview found no problem.
import { Alert, Badge, Button, Group, Loader, Modal, ScrollArea, SegmentedControl, Select, Stack, Table, Text } from '@mantine/core'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { crsList, type ImportInput, type ImportIssue, type ImportPreview, type ImportResult } from '../../../../shared/api/imports'
import { AppError } from '../../../../shared/errors'
import type { Language } from '../../../../shared/i18n'
import { formatImportIssue } from '../../../../shared/i18n/importIssues'
import { call } from '../../api/client'
import { ErrorAlert } from '../../shell/errors'
import { currentLanguage } from '../../shell/i18n'

type Kind = ImportInput['kind']
type Encoding = ImportInput['encoding']

const accept: Record<Kind, string> = { villages: '.csv,.txt,.xlsx', grids: '.geojson,.json,.kml,.zip' }

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''))
    reader.onerror = () => reject(reader.error ?? new Error('read failed'))
    reader.readAsDataURL(file)
  })
}

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
  const [source, setSource] = useState<{ fileName: string; base64: string }>()
  const [preview, setPreview] = useState<ImportPreview>()
  const [issues, setIssues] = useState<{ list: ImportIssue[]; more: number }>({ list: [], more: 0 })
  const [busy, setBusy] = useState<'reading' | 'committing' | null>(null)
  const [result, setResult] = useState<ImportResult>()
  const [error, setError] = useState<unknown>()

  // Any change of file or option checks the file again.
  useEffect(() => {
    if (!source) return
    let current = true
    setBusy('reading')
    setError(undefined)
    setResult(undefined)
    call('import.preview', { kind, source, encoding, crs }).then(
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
  }, [kind, source, encoding, crs])

  const reset = () => {
    setSource(undefined)
    setPreview(undefined)
    setIssues({ list: [], more: 0 })
    setResult(undefined)
    setError(undefined)
    if (fileInput.current) fileInput.current.value = ''
  }

  const pickFile = async (file: File | undefined) => {
    if (!file) return
    reset()
    try {
      setSource({ fileName: file.name, base64: await readAsBase64(file) })
    } catch (e) {
      setError(e)
    }
  }

  const commit = async () => {
    if (!source) return
    setBusy('committing')
    setError(undefined)
    try {
      const value = await call('import.commit', { kind, source, encoding, crs })
      setResult(value)
      onImported(value)
    } catch (e) {
      const reported = e instanceof AppError ? (e.details?.importIssues as ImportIssue[] | undefined) : undefined
      if (reported?.length) setIssues({ list: reported, more: Number(e instanceof AppError ? (e.details?.moreIssues ?? 0) : 0) })
      setError(e)
    } finally {
      setBusy(null)
    }
  }

  const fieldLabel = (field: string) => t([`fields.${field}`, `villages.field.${field}`, field])
  const problem = (issue: ImportIssue) => t(`importIssues.${issue.code}`, { ...issue.params, defaultValue: issue.code })

  const saveReport = () => {
    if (!preview && !source) return
    const header = ['file', 'row', 'field', 'problem', 'message'].map((c) => (c === 'message' ? 'message' : t(`villageImport.col.${c}`)))
    const csv = issuesCsv(issues.list, lang, header, fieldLabel, problem)
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }))
    const link = document.createElement('a')
    link.href = url
    link.download = `${(source?.fileName ?? 'import').replace(/\.[^.]+$/, '')}-${t('villageImport.reportSuffix')}.csv`
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
          <input ref={fileInput} type="file" accept={accept[kind]} hidden onChange={(e) => void pickFile(e.currentTarget.files?.[0])} data-testid="import-file" />
          <Button variant="default" onClick={() => fileInput.current?.click()}>{t('villageImport.pickFile')}</Button>
          <Text size="sm" c={source ? undefined : 'dimmed'} data-testid="import-file-name">{source?.fileName ?? t('villageImport.noFile')}</Text>
          {busy === 'reading' && <Group gap={6}><Loader size="xs" /><Text size="sm" c="dimmed">{t('villageImport.reading')}</Text></Group>}
        </Group>

        {preview && (
          <Stack gap={6} data-testid="import-preview">
            <Group gap="xs">
              {preview.encoding && <Badge variant="light" tt="none">{t('villageImport.detected', { encoding: preview.encoding })}</Badge>}
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
                    <Table.Th>{t('villageImport.col.file')}</Table.Th>
                    <Table.Th>{t('villageImport.col.row')}</Table.Th>
                    <Table.Th>{t('villageImport.col.field')}</Table.Th>
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

function formatCell(value: unknown, t: (key: string) => string): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? t('villages.yes') : t('villages.no')
  return String(value)
}
