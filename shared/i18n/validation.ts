// Input checks in the user's words: zod's own issues (a required field left empty, a text too
// long, a value not in the list…) become plain sentences from i18n `validation.*`, never zod's
// wording ("期望 nonoptional，实际接收 undefined"). Used as the error map of every handler's input.
import { resources, type Language } from './index'

const fill = (template: string, params: Record<string, string | number>) => template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(params[key] ?? ''))

/** The parts of a zod v4 issue this reads (the error map's argument). */
export interface RawIssue {
  code?: string
  input?: unknown
  origin?: string
  minimum?: number | bigint
  maximum?: number | bigint
  format?: string
  expected?: string
}

export function plainIssue(issue: RawIssue, lang: Language): string {
  const v = resources[lang].translation.validation
  const n = (x: number | bigint | undefined) => Number(x ?? 0)
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? v.required : issue.expected === 'number' ? v.number : v.format
    case 'too_small':
      if (issue.origin === 'string') return n(issue.minimum) <= 1 ? v.required : fill(v.tooShort, { min: n(issue.minimum) })
      if (issue.origin === 'array' || issue.origin === 'set') return n(issue.minimum) <= 1 ? v.pickOne : fill(v.fewItems, { min: n(issue.minimum) })
      return fill(v.tooSmall, { min: n(issue.minimum) })
    case 'too_big':
      if (issue.origin === 'string') return fill(v.tooLong, { max: n(issue.maximum) })
      if (issue.origin === 'array' || issue.origin === 'set') return fill(v.manyItems, { max: n(issue.maximum) })
      return fill(v.tooBig, { max: n(issue.maximum) })
    case 'invalid_value':
    case 'invalid_union':
      return v.pick
    case 'invalid_format':
      return issue.format === 'date' || issue.format === 'datetime' ? v.date : v.format
    case 'not_multiple_of':
      return v.number
    default:
      return v.format
  }
}

/** The error map for zod's parse in the given language. */
export const plainErrorMap = (lang: Language) => (issue: RawIssue) => plainIssue(issue, lang)
