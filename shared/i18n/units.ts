// An indicator's unit in the UI language: units are stored as HQ writes them (户, 万元, 件…).
import { resources, type Language } from './index'

export function unitLabel(unit: string | null | undefined, lang: Language): string {
  if (!unit) return ''
  return (resources[lang].translation.indicatorUnit as Record<string, string>)[unit] ?? unit
}
