// Money reads the same in the customer list and the customer panel, in both languages.
import { renderHook } from '@testing-library/react'
import type { ReactNode } from 'react'
import { I18nextProvider } from 'react-i18next'
import { describe, expect, it } from 'vitest'
import { useMoneyFormat } from './format'
import { createI18n } from './i18n'

async function moneyIn(language: 'zh-CN' | 'en') {
  const i18n = await createI18n(language)
  const wrapper = ({ children }: { children: ReactNode }) => <I18nextProvider i18n={i18n}>{children}</I18nextProvider>
  return renderHook(() => useMoneyFormat(), { wrapper }).result.current
}

describe('useMoneyFormat', () => {
  it.each(['zh-CN', 'en'] as const)('writes yuan with ¥, grouping and at most two decimals (%s)', async (language) => {
    const money = await moneyIn(language)
    expect(money(119.7)).toBe('¥119.7')
    expect(money(120)).toBe('¥120')
    expect(money(12810.456)).toBe('¥12,810.46')
    expect(money(0)).toBe('¥0')
  })
})
