// Small formatters of the sync feature: bytes, times, field values, and error messages in words
// a grid manager can act on (the server's reason code picks the sentence).
import type { TFunction } from 'i18next'
import { listTimeOf } from '../../../../shared/dates'
import { AppError } from '../../../../shared/errors'
import { errorMessage } from '../../shell/errors'

export function formatBytes(bytes: number, language: string): string {
  const format = (n: number, digits: number) => new Intl.NumberFormat(language, { maximumFractionDigits: digits }).format(n)
  if (bytes < 1024) return `${format(bytes, 0)} B`
  if (bytes < 1024 * 1024) return `${format(bytes / 1024, 1)} KB`
  return `${format(bytes / 1024 / 1024, 2)} MB`
}

/** Today: 14:05; this year: 12-09 14:05; before: 2025-12-09 14:05 (local time, one format in both languages). */
export function formatTime(iso: string, now = new Date()): string {
  return listTimeOf(iso, now)
}

export function syncErrorMessage(t: TFunction, error: unknown, context: 'enrol' | 'run' = 'run'): string {
  if (error instanceof AppError) {
    const server = error.details?.server
    if (typeof server === 'string') {
      if (server === 'NETWORK' && context === 'enrol') return t('sync.errors.NETWORK_ENROL')
      if (server === 'VALIDATION') return t('sync.errors.VALIDATION')
      return t([`sync.errors.${server}`, 'sync.errors.ERROR'])
    }
  }
  return errorMessage(t, error)
}

/** The stored last error (status.lastErrorCode) as a sentence. */
export function lastErrorMessage(t: TFunction, code: string): string {
  return t([`sync.errors.${code}`, 'sync.errors.ERROR'], { detail: '' })
}

export function formatValue(t: TFunction, value: unknown, prop: string | null): string {
  if (value === null || value === undefined || value === '') return t('sync.conflicts.emptyValue')
  if (typeof value === 'boolean') return value ? t('sync.conflicts.yes') : t('sync.conflicts.no')
  if (typeof value === 'string' && prop && /^signal/.test(prop)) return t(`villages.signal.${value}`, { defaultValue: value })
  return String(value)
}

export function fieldLabel(t: TFunction, table: string, field: string, prop: string | null): string {
  const key = prop ?? field
  return t(table === 'villages' ? [`villages.field.${key}`, `fields.${key}`] : [`fields.${key}`], { defaultValue: field })
}
