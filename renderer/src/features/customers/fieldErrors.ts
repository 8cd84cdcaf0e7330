// Validation issues of a failed save, by field, in the user's language: our own codes
// (phone_format, date_format …) through i18n `<namespace>.<code>` (default `customers.fieldError`),
// zod's own messages as the core wrote them (already in the caller's language). An issue inside a
// list is keyed by its first path element and by its whole path (`keyPersons.0.phone`).
import type { TFunction } from 'i18next'
import { AppError } from '../../../../shared/errors'

export function fieldErrors(t: TFunction, error: unknown, prefix: string[] = [], namespace = 'customers.fieldError'): Record<string, string> {
  if (!(error instanceof AppError) || error.code !== 'VALIDATION' || !error.issues) return {}
  const byField: Record<string, string> = {}
  for (const issue of error.issues) {
    const path = issue.path.slice(prefix.length)
    if (prefix.some((p, i) => issue.path[i] !== p)) continue
    const field = String(path[0] ?? '')
    if (!field) continue
    const message = t([`${namespace}.${issue.message}`, '__none__'], { defaultValue: issue.message })
    byField[field] ??= message
    if (path.length > 1) byField[path.join('.')] ??= message
  }
  return byField
}
