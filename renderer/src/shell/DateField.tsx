// One date field for the whole app: a Mantine dates picker in the UI language (dayjs zh-cn or
// en), typed or picked, always YYYY-MM-DD in and out (a calendar day, never an instant).
import { DateInput, DatesProvider } from '@mantine/dates'
import 'dayjs/locale/zh-cn'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

export function LocalisedDates({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation()
  const locale = i18n.resolvedLanguage === 'en' ? 'en' : 'zh-cn'
  return <DatesProvider settings={{ locale, firstDayOfWeek: 1, consistentWeeks: true }}>{children}</DatesProvider>
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

export interface DateFieldProps {
  label?: ReactNode
  value: string
  onChange: (day: string) => void
  error?: ReactNode
  size?: 'xs' | 'sm'
  w?: number | string
  minDate?: string
  clearable?: boolean
  required?: boolean
  description?: ReactNode
  'data-testid'?: string
  'data-field'?: string
  'aria-label'?: string
}

export function DateField({ label, value, onChange, error, size = 'xs', w, minDate, clearable, required, description, ...rest }: DateFieldProps) {
  const { t } = useTranslation()
  return (
    <DateInput
      size={size}
      w={w}
      label={label}
      value={DAY.test(value) ? value : null}
      onChange={(v) => onChange(v ?? '')}
      valueFormat="YYYY-MM-DD"
      // Typed days are read as YYYY-MM-DD (or with slashes/dots), never as a US month/day.
      dateParser={(input) => {
        const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(input.trim())
        return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : null
      }}
      placeholder={t('field.date.placeholder')}
      minDate={minDate}
      clearable={clearable}
      withAsterisk={required}
      description={description}
      error={error}
      popoverProps={{ withinPortal: true, zIndex: 3000 }}
      data-testid={rest['data-testid']}
      data-field={rest['data-field']}
      aria-label={rest['aria-label']}
    />
  )
}
