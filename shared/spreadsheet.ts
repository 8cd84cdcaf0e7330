// Text written into a spreadsheet (CSV or XLSX) stays text. Spreadsheets run a cell that starts
// with = + - @ as a formula (some drop a leading tab or carriage return first), so such text is
// written with a leading single quote, as OWASP advises against CSV injection. Every CSV and XLSX
// writer goes through here. Numbers are values, not text: a negative number stays a number.

const FORMULA_START = /^[=+\-@\t\r]/

/** Text as a spreadsheet must show it: a leading single quote where it would start a formula. */
export function spreadsheetText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text
}

export type CsvValue = string | number | boolean | null | undefined

/** One CSV field: empty for null, numbers as they are, text neutralised and quoted where needed. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'string' ? spreadsheetText(value) : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One CSV line (without its line break). */
export const csvLine = (values: readonly CsvValue[]): string => values.map(csvField).join(',')
