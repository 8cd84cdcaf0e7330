// A broken value rule (shared/rules.ts) in the user's language.
import type { RuleIssue } from '../rules'
import { resources, type Language } from './index'

const fill = (template: string, params: Record<string, string | number>) => template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(params[key] ?? ''))

/** What is wrong, without where. */
export function ruleMessage(issue: Pick<RuleIssue, 'code' | 'params'>, lang: Language): string {
  const rules = resources[lang].translation.rules as Record<string, string>
  return fill(rules[issue.code] ?? issue.code, issue.params)
}

/** A store-health message (i18n `store.<key>`) in the user's language. */
export function storeMessage(key: string, params: Record<string, string | number>, lang: Language): string {
  const store = resources[lang].translation.store as Record<string, string>
  return fill(store[key] ?? key, params)
}
