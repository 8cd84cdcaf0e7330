// The UI language: i18next over the shared resources, zh-CN by default, the user's choice kept
// in localStorage so it survives a reload.
import i18next, { type i18n as I18n } from 'i18next'
import { initReactI18next } from 'react-i18next'
import { setMessageLanguage } from '../api/client'
import { defaultLanguage, languages, resources, type Language } from '../../../shared/i18n'

export const LANGUAGE_STORAGE_KEY = 'griddesk.language'

const isLanguage = (value: unknown): value is Language => languages.includes(value as Language)

export function storedLanguage(storage: Pick<Storage, 'getItem'> = localStorage): Language {
  try {
    const value = storage.getItem(LANGUAGE_STORAGE_KEY)
    return isLanguage(value) ? value : defaultLanguage
  } catch {
    return defaultLanguage // storage can be unavailable (privacy modes); the default is fine
  }
}

/** A fresh i18next instance (tests make their own; the app makes one at start). */
export async function createI18n(language: Language = storedLanguage()): Promise<I18n> {
  const instance = i18next.createInstance()
  await instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: defaultLanguage,
    supportedLngs: [...languages],
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  })
  document.documentElement.lang = language
  setMessageLanguage(language)
  return instance
}

export async function switchLanguage(instance: I18n, language: Language, storage: Pick<Storage, 'setItem'> = localStorage) {
  await instance.changeLanguage(language)
  document.documentElement.lang = language
  setMessageLanguage(language)
  try {
    storage.setItem(LANGUAGE_STORAGE_KEY, language)
  } catch {
    // not remembered, still switched
  }
}

export function currentLanguage(instance: I18n): Language {
  return isLanguage(instance.resolvedLanguage) ? instance.resolvedLanguage : defaultLanguage
}
