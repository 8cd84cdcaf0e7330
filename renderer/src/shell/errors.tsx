// Errors are values (STYLE.md rule 3): whatever a call throws, the user reads the translated
// message for its code, with the validation issues spelled out; never a stack.
import { Alert, Button, Group } from '@mantine/core'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { AppError, errorCodes, type ErrorCode, type Issue } from '../../../shared/errors'

function formatIssues(issues: Issue[] | undefined): string {
  if (!issues?.length) return ''
  return issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ')
}

export function errorMessage(t: TFunction, error: unknown): string {
  if (!(error instanceof AppError)) return t('errors.INTERNAL')
  if (error.details?.network) return t('errors.NETWORK')
  const code: ErrorCode = errorCodes.includes(error.code) ? error.code : 'INTERNAL'
  // A handler may name the precise reason (e.g. reports' fileExists) with its parameters.
  const reason = error.details?.reason
  if (typeof reason === 'string') return t([`reports.errors.${reason}`, `security.errors.${reason}`, `errors.${code}`], error.details as Record<string, string>)
  if (code === 'VALIDATION') return t('errors.VALIDATION', { detail: formatIssues(error.issues) || error.message })
  return t(`errors.${code}`)
}

export function ErrorAlert({ error, onRetry, onClose }: { error: unknown; onRetry?: () => void; onClose?: () => void }) {
  const { t } = useTranslation()
  return (
    <Alert color="red" variant="light" role="alert" withCloseButton={!!onClose} onClose={onClose} closeButtonLabel={t('shell.dismiss')}>
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <span>{errorMessage(t, error)}</span>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            {t('shell.retry')}
          </Button>
        )}
      </Group>
    </Alert>
  )
}
