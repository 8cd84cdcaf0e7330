// The one period picker (indicators, reports): months, quarters and years to choose from — the
// last two years of months, eight quarters, three years — typed to filter (2026-10, 2026-Q3, 2026).
// A period outside those (an older one already chosen) stays listed.
import { Select, type ComboboxItemGroup } from '@mantine/core'
import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'

const pad = (n: number) => String(n).padStart(2, '0')

export function periodOptions(
  now: Date,
  t: (key: string, options?: Record<string, unknown>) => string,
  keep?: string,
): ComboboxItemGroup<{ value: string; label: string }>[] {
  const year = now.getFullYear()
  const month = now.getMonth() // 0-based
  const months = Array.from({ length: 24 }, (_, i) => {
    const d = new Date(year, month - i, 1)
    const value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}`
    return { value, label: value }
  })
  const quarter = Math.floor(month / 3)
  const quarters = Array.from({ length: 8 }, (_, i) => {
    const q = quarter - i
    const y = year + Math.floor(q / 4)
    const n = ((q % 4) + 4) % 4
    const value = `${y}-Q${n + 1}`
    return { value, label: `${value}${t('period.quarterSpan', { from: n * 3 + 1, to: n * 3 + 3 })}` }
  })
  const years = Array.from({ length: 3 }, (_, i) => ({ value: String(year - i), label: `${year - i}${t('period.fullYear')}` }))
  const known = [...months, ...quarters, ...years].some((o) => o.value === keep)
  if (keep && !known) (/Q/.test(keep) ? quarters : keep.length === 4 ? years : months).unshift({ value: keep, label: keep })
  return [
    { group: t('period.months'), items: months },
    { group: t('period.quarters'), items: quarters },
    { group: t('period.years'), items: years },
  ]
}

export function PeriodSelect({
  value,
  onChange,
  label,
  description,
  width,
  testId,
}: {
  value: string
  onChange: (period: string) => void
  label: string
  description?: string
  width: number
  testId: string
}) {
  const { t } = useTranslation()
  const data = useMemo(() => periodOptions(new Date(), t, value), [t, value])
  return (
    <Select
      w={width}
      label={label}
      description={description}
      data={data}
      value={value}
      onChange={(v) => v && onChange(v)}
      searchable
      allowDeselect={false}
      maxDropdownHeight={320}
      comboboxProps={{ zIndex: 1100 }}
      data-testid={testId}
    />
  )
}
