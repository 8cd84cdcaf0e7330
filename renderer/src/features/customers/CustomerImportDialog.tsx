// Import key customers from CSV/XLSX, by the village import's rules: choosing a file previews it
// (mapping, sample, every problem by row and field, translated); Import writes all rows or none.
import { Alert, Badge, Button, Group, Loader, Modal, ScrollArea, Select, Stack, Table, Text } from '@mantine/core'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { CustomerImportInput } from '../../../../shared/api/customers'
import type { ImportIssue, ImportPreview, ImportResult } from '../../../../shared/api/imports'
import { AppError } from '../../../../shared/errors'
import { formatImportIssue } from '../../../../shared/i18n/importIssues'
import { call } from '../../api/client'
import { ErrorAlert } from '../../shell/errors'
import { currentLanguage } from '../../shell/i18n'

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''))
    reader.onerror = () => reject(reader.error ?? new Error('read failed'))
    reader.readAsDataURL(file)
  })
}

export function CustomerImportDialog({ opened, onClose, onImported }: { opened: boolean; onClose: () => void; onImported: (r: ImportResult) => void }) {
  const { t, i18n } = useTranslation()
  const lang = currentLanguage(i18n)
  const fileInput = useRef<HTMLInputElement>(null)
  const [encoding, setEncoding] = useState<CustomerImportInput['encoding']>('auto')
  const [source, setSource] = useState<{ fileName: string; base64: string }>()
  const [preview, setPreview] = useState<ImportPreview>()
  const [issues, setIssues] = useState<ImportIssue[]>([])
  const [busy, setBusy] = useState<'reading' | 'committing' | null>(null)
  const [result, setResult] = useState<ImportResult>()
  const [error, setError] = useState<unknown>()

  useEffect(() => {
    if (!source) return
    let current = true
    setBusy('reading')
    setError(undefined)
    setResult(undefined)
    call('customers.importPreview', { source, encoding }).then(
      (value) => {
        if (!current) return
        setPreview(value)
        setIssues(value.issues)
        setBusy(null)
      },
      (e: unknown) => {
        if (!current) return
        setError(e)
        setBusy(null)
      },
    )
    return () => {
      current = false
    }
  }, [source, encoding])

  const reset = () => {
    setSource(undefined)
    setPreview(undefined)
    setIssues([])
    setResult(undefined)
    setError(undefined)
    if (fileInput.current) fileInput.current.value = ''
  }
  const close = () => {
    reset()
    onClose()
  }
  const commit = async () => {
    if (!source) return
    setBusy('committing')
    try {
      const value = await call('customers.import', { source, encoding })
      setResult(value)
      onImported(value)
    } catch (e) {
      const reported = e instanceof AppError ? (e.details?.importIssues as ImportIssue[] | undefined) : undefined
      if (reported?.length) setIssues(reported)
      setError(e)
    } finally {
      setBusy(null)
    }
  }
  const fieldLabel = (field: string) => t([`fields.${field}`, field])
  const columns = preview ? Object.keys(preview.mapping).filter((f) => f !== 'villageCode' && f !== 'villageName') : []
  const canCommit = !!preview && issues.length === 0 && preview.totalRows > 0 && !result && busy === null

  return (
    <Modal opened={opened} onClose={close} title={t('customers.importDialog.title')} size="xl" data-testid="customer-import-dialog">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">{t('customers.importDialog.hint')}</Text>
        <Group gap="sm" align="flex-end">
          <input ref={fileInput} type="file" accept=".csv,.txt,.xlsx" hidden onChange={(e) => {
            const file = e.currentTarget.files?.[0]
            if (!file) return
            reset()
            readAsBase64(file).then((base64) => setSource({ fileName: file.name, base64 }), setError)
          }} data-testid="customer-import-file" />
          <Button variant="default" onClick={() => fileInput.current?.click()}>{t('villageImport.pickFile')}</Button>
          <Select w={150} label={t('villageImport.encoding')} value={encoding} allowDeselect={false} onChange={(v) => setEncoding((v ?? 'auto') as CustomerImportInput['encoding'])}
            data={[{ value: 'auto', label: t('villageImport.encodingAuto') }, { value: 'utf-8', label: 'UTF-8' }, { value: 'gb18030', label: 'GB18030 / GBK' }]} />
          <Text size="sm" c={source ? undefined : 'dimmed'}>{source?.fileName ?? t('villageImport.noFile')}</Text>
          {busy === 'reading' && <Loader size="xs" />}
        </Group>
        {preview && (
          <Stack gap={6}>
            <Group gap="xs">
              {preview.encoding && <Badge variant="light" tt="none">{t('villageImport.detected', { encoding: preview.encoding })}</Badge>}
              <Badge variant="light" color="gray" tt="none">{t('villageImport.rows', { count: preview.totalRows })}</Badge>
            </Group>
            {preview.sample.length > 0 && (
              <ScrollArea type="auto" mah={150}>
                <Table fz="xs" verticalSpacing={2} withTableBorder striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('villageImport.col.row')}</Table.Th>
                      {columns.map((c) => <Table.Th key={c} style={{ whiteSpace: 'nowrap' }}>{fieldLabel(c)}</Table.Th>)}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {preview.sample.slice(0, 5).map((row, i) => (
                      <Table.Tr key={i}>
                        <Table.Td>{String(row.row ?? i + 1)}</Table.Td>
                        {columns.map((c) => <Table.Td key={c} style={{ whiteSpace: 'nowrap' }}>{row[c] == null ? '' : String(row[c])}</Table.Td>)}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea>
            )}
          </Stack>
        )}
        {issues.length > 0 && (
          <Stack gap={6} data-testid="customer-import-issues">
            <Alert color="red" variant="light" p="xs" role="alert">{t('villageImport.issuesTitle', { count: issues.length })}</Alert>
            <ScrollArea type="auto" mah={200}>
              <Table fz="xs" verticalSpacing={2} withTableBorder>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('villageImport.col.row')}</Table.Th>
                    <Table.Th>{t('villageImport.col.field')}</Table.Th>
                    <Table.Th>{t('villageImport.col.problem')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {issues.map((issue, i) => (
                    <Table.Tr key={i} data-issue-row={issue.row ?? ''} data-issue-code={issue.code} title={formatImportIssue(issue, lang)}>
                      <Table.Td>{issue.row ?? '—'}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{issue.field ? fieldLabel(issue.field) : '—'}</Table.Td>
                      <Table.Td>{t(`importIssues.${issue.code}`, { ...issue.params, defaultValue: issue.code })}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          </Stack>
        )}
        {preview && issues.length === 0 && !result && <Text size="sm" c="teal">{t('villageImport.noIssues')}</Text>}
        {error !== undefined && !(error instanceof AppError && error.details?.importIssues) && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
        {result && (
          <Alert color="teal" variant="light" p="xs" data-testid="customer-import-done">
            {t('villageImport.done', { inserted: result.inserted, updated: result.updated, unchanged: result.unchanged, millis: result.millis })}
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={close}>{t('villageImport.close')}</Button>
          <Button disabled={!canCommit} loading={busy === 'committing'} onClick={() => void commit()} data-testid="customer-import-commit">
            {t('villageImport.commit', { count: preview?.totalRows ?? 0 })}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
