// UI languages: zh-CN is the default, en the second.
import { en } from './en'
import { zhCN, type Messages } from './zh-CN'

export const languages = ['zh-CN', 'en'] as const
export type Language = (typeof languages)[number]
export const defaultLanguage: Language = 'zh-CN'
export const resources: Record<Language, { translation: Messages }> = {
  'zh-CN': { translation: zhCN },
  en: { translation: en },
}
export type { Messages }
