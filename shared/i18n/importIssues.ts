// One line per import problem, in the user's language: where (file, row, field) and what.
import type { ImportIssue } from '../api/imports'
import { resources, type Language } from './index'

const fill = (template: string, params: Record<string, string | number>) => template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(params[key] ?? ''))

export function formatImportIssue(issue: ImportIssue, lang: Language): string {
  const t = resources[lang].translation
  const fields = t.fields as Record<string, string>
  const field = issue.field ? (fields[issue.field] ?? issue.field) : '-'
  const where =
    issue.row === null ? fill(t.importIssues.whereFile, { file: issue.file }) : fill(t.importIssues.where, { file: issue.file, row: issue.row, field })
  const what = fill((t.importIssues as Record<string, string>)[issue.code] ?? issue.code, issue.params)
  return issue.row === null && issue.field ? `${where} [${field}]: ${what}` : `${where}: ${what}`
}
