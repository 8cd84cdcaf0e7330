// Errors are values (docs/architecture.md): whatever a call throws, the user reads a plain, translated
// message for its code that says what to do next, with the fields to correct named in words; the
// technical detail (code, the core's English message, issues) sits behind a "details" toggle.
import { Alert, Anchor, Button, Code, Collapse, Group, Stack, Text } from '@mantine/core'
import type { TFunction } from 'i18next'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { AppError, errorCodes, type ErrorCode, type Issue } from '../../../shared/errors'

/** Namespaces that name a field in words, most specific first. */
const fieldNamespaces = ['fields', 'customers.form', 'intel.form', 'villages.col', 'indicators.wo']
/** Namespaces that turn an issue code (required, phone_format…) into words. */
const issueNamespaces = ['customers.fieldError', 'importIssues', 'org.issue']

function fieldName(t: TFunction, issue: Issue): string | null {
  for (const part of [...issue.path].reverse()) {
    if (typeof part !== 'string') continue
    const name = t(
      fieldNamespaces.map((ns) => `${ns}.${part}`),
      { defaultValue: '' },
    )
    if (typeof name === 'string' && name) return name
  }
  return null
}

/** One issue in words: a code through the issue namespaces; a sentence (already plain, from the core) as it is. */
export function issueText(t: TFunction, issue: Issue): string {
  if (/^[a-z][a-z0-9_]*$/.test(issue.message)) {
    const text = t(
      issueNamespaces.map((ns) => `${ns}.${issue.message}`),
      { defaultValue: '' },
    )
    return typeof text === 'string' && text ? text : t('validation.format')
  }
  return issue.message
}

function formatIssues(t: TFunction, issues: Issue[] | undefined): string {
  if (!issues?.length) return ''
  const seen = new Set<string>()
  const parts: string[] = []
  for (const issue of issues) {
    const name = fieldName(t, issue)
    const line = name ? t('validation.fieldIssue', { field: name, issue: issueText(t, issue) }) : issueText(t, issue)
    if (!seen.has(line)) parts.push(line)
    seen.add(line)
  }
  return parts.join(t('validation.joiner'))
}

export function errorMessage(t: TFunction, error: unknown): string {
  if (!(error instanceof AppError)) return t('errors.INTERNAL')
  if (error.details?.network) return t('errors.NETWORK')
  const code: ErrorCode = errorCodes.includes(error.code) ? error.code : 'INTERNAL'
  // A handler may name the precise reason (e.g. reports' fileExists) with its parameters.
  const reason = error.details?.reason
  // The store itself (damaged, newer, read-only, disk full): its own message with what to do.
  if (code === 'STORE' && typeof reason === 'string')
    return t([`store.${reason}`, 'errors.STORE'], { file: 'griddesk.sqlite', ...(error.details as Record<string, string>) })
  if (typeof reason === 'string') return t([`reports.errors.${reason}`, `security.errors.${reason}`, `errors.${code}`], error.details as Record<string, string>)
  if (code === 'VALIDATION') return t('errors.VALIDATION', { detail: formatIssues(t, error.issues) || t('validation.format') })
  return t(`errors.${code}`, { detail: '' })
}

/** What a developer needs, never shown unasked: code, the core's message, issues and details. */
export function technicalDetail(error: unknown): string {
  if (error instanceof AppError) {
    const lines = [`${error.code}: ${error.message}`]
    for (const issue of error.issues ?? []) lines.push(`  ${issue.path.join('.') || '(input)'}: ${issue.message}`)
    if (error.details && Object.keys(error.details).length > 0) lines.push(JSON.stringify(error.details))
    return lines.join('\n')
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** A "details" link that opens the technical text. */
export function ErrorDetails({ detail }: { detail: string }) {
  const { t } = useTranslation()
  const [open, setOpen] = useState(false)
  if (!detail) return null
  return (
    <Stack gap={2}>
      <Anchor component="button" type="button" size="xs" onClick={() => setOpen((o) => !o)} data-testid="error-details-toggle" aria-expanded={open}>
        {open ? t('errorDetails.hide') : t('errorDetails.show')}
      </Anchor>
      <Collapse expanded={open}>
        <Text size="xs" c="dimmed">
          {t('errorDetails.technical')}
        </Text>
        <Code block fz={11} data-testid="error-details">
          {detail}
        </Code>
      </Collapse>
    </Stack>
  )
}

export function ErrorAlert({ error, onRetry, onClose }: { error: unknown; onRetry?: () => void; onClose?: () => void }) {
  const { t } = useTranslation()
  return (
    <Alert color="red" variant="light" role="alert" withCloseButton={!!onClose} onClose={onClose} closeButtonLabel={t('shell.dismiss')}>
      <Stack gap={4}>
        <Group justify="space-between" wrap="nowrap" gap="sm">
          <span>{errorMessage(t, error)}</span>
          {onRetry && (
            <Button size="xs" variant="white" color="red" onClick={onRetry}>
              {t('shell.retry')}
            </Button>
          )}
        </Group>
        <ErrorDetails detail={technicalDetail(error)} />
      </Stack>
    </Alert>
  )
}
