// The words the command line (device CLI and hq:admin) prints for a failed call.
import type { ImportIssue } from '../api/imports'
import type { Envelope } from '../errors'
import { formatImportIssue } from './importIssues'
import { resources, type Language } from './index'

/** A failed envelope in the user's words: what was wrong and where (file, row, field), one problem a line. */
export function errorText(lang: Language, envelope: Extract<Envelope<unknown>, { ok: false }>): string {
  // Report errors name what was wrong (region, period, file) in the user's words.
  const reason = envelope.error.details?.reason
  const reportErrors = {
    ...(resources[lang].translation.reports.errors as Record<string, string>),
    ...(resources[lang].translation.cli.errors as Record<string, string>),
  }
  if (typeof reason === 'string' && reason in reportErrors)
    return reportErrors[reason]!.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(envelope.error.details?.[key] ?? ''))
  // Import errors list every problem: file, row, field and what is wrong.
  const importIssues = envelope.error.details?.importIssues as ImportIssue[] | undefined
  if (importIssues) {
    const more = Number(envelope.error.details?.moreIssues ?? 0)
    return [...importIssues.map((i) => formatImportIssue(i, lang)), ...(more > 0 ? [`… +${more}`] : [])].join('\n')
  }
  // A store that does not open names why, in words (no key, wrong key, revoked device…).
  const keyReasons = resources[lang].translation.crypt.reasons as Record<string, string>
  if (envelope.error.code.startsWith('STORE_') && typeof reason === 'string' && reason in keyReasons)
    return keyReasons[reason]!.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(envelope.error.details?.[key] ?? ''))
  // A store that cannot be used as it is (damaged, read-only, full disk): its own message with what to do.
  const storeWords = resources[lang].translation.store as Record<string, string>
  if (envelope.error.code === 'STORE' && typeof reason === 'string' && reason in storeWords)
    return storeWords[reason]!.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(envelope.error.details?.[key] ?? ''))
  const template = resources[lang].translation.errors[envelope.error.code] ?? envelope.error.message
  const detail = (envelope.error.issues ?? []).map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')
  return template.replace('{{detail}}', detail || envelope.error.message)
}
