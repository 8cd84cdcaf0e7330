// The traffic light as the indicator views show it (colour and word together, so it reads without
// colour vision too), and the small formatting helpers those views share.
import { Badge } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import type { IndicatorRow } from '../../../../shared/api/indicators'
import type { Light } from '../../../../shared/kpi'

export const lightColor: Record<Light, string> = { green: '#2f9e44', yellow: '#f08c00', red: '#e03131', none: '#adb5bd' }
export const PERIOD = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/

export const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`)

export function LightBadge({ light, size = 'sm' }: { light: Light; size?: 'xs' | 'sm' | 'md' }) {
  const { t } = useTranslation()
  return (
    <Badge size={size} radius="sm" color={lightColor[light]} autoContrast variant="filled" data-light-badge={light} style={{ flexShrink: 0 }}>
      {t(`indicators.lightWord.${light}`)}
    </Badge>
  )
}

export function useIndicatorName(): (indicator: Pick<IndicatorRow, 'nameZh' | 'nameEn'> | undefined) => string {
  const { i18n } = useTranslation()
  const en = i18n.resolvedLanguage === 'en'
  return (indicator) => (indicator ? (en ? indicator.nameEn : indicator.nameZh) : '')
}

/** An indicator's unit in the UI language (units are stored in Chinese: 户, 台, 万元, 件…); a unit without a word of its own stays as stored. */
export function useIndicatorUnit(): (unit: string) => string {
  const { t } = useTranslation()
  return (unit) => t(`indicators.unit.${unit}`, { defaultValue: unit })
}

/** `name（unit）` for pickers, in the UI language. */
export function useIndicatorLabel(): (indicator: Pick<IndicatorRow, 'nameZh' | 'nameEn' | 'unit'>) => string {
  const nameOf = useIndicatorName()
  const unitOf = useIndicatorUnit()
  const { i18n } = useTranslation()
  return (indicator) =>
    i18n.resolvedLanguage === 'en' ? `${nameOf(indicator)} (${unitOf(indicator.unit)})` : `${nameOf(indicator)}（${unitOf(indicator.unit)}）`
}
