// Numbers and money in the user's language (Intl), e.g. 12,810 / 12,810 户 / ¥119.7.
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

/** Money in yuan, the same way everywhere it is shown: ¥119.7, ¥1,200 (narrow symbol in both languages). */
export function useMoneyFormat(): (yuan: number) => string {
  const { i18n } = useTranslation()
  const language = i18n.resolvedLanguage ?? 'zh-CN'
  return useMemo(() => {
    const format = new Intl.NumberFormat(language, {
      style: 'currency',
      currency: 'CNY',
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: 0,
      maximumFractionDigits: 2,
    })
    return (yuan: number) => format.format(yuan)
  }, [language])
}
