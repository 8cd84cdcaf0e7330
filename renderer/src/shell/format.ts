// Numbers in the user's language (Intl), e.g. 12,810 / 12,810 户.
import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'

export function useNumberFormat(): (value: number) => string {
  const { i18n } = useTranslation()
  const language = i18n.resolvedLanguage ?? 'zh-CN'
  return useMemo(() => {
    const format = new Intl.NumberFormat(language)
    return (value: number) => format.format(value)
  }, [language])
}
