// Validation issues of a failed org write, by field, in the user's language: our own codes through
// i18n `org.fieldError.*`, zod's own messages as the core wrote them (already translated).
import type { TFunction } from 'i18next'
import { AppError } from '../../../../shared/errors'

/** Validation issues by field (the first one per field), translated through `org.fieldError.*`. */
export function orgFieldErrors(t: TFunction, error: unknown): Record<string, string> {
  if (!(error instanceof AppError) || error.code !== 'VALIDATION' || !error.issues) return {}
  const byField: Record<string, string> = {}
  for (const issue of error.issues) {
    const path = issue.path[0] === 'patch' ? issue.path.slice(1) : issue.path
    const field = String(path[0] ?? '')
    if (!field || byField[field]) continue
    byField[field] = t([`org.fieldError.${issue.message}`, '__none__'], { defaultValue: issue.message })
  }
  return byField
}
