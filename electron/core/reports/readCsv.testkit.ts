// Test helper: reads an exported CSV back into rows of fields with the same parser the importer uses.
import Papa from 'papaparse'

/** Splits CSV text into rows of fields (quotes undone); a trailing newline adds no empty row. */
export function parseCsv(text: string): string[][] {
  return Papa.parse<string[]>(text, { skipEmptyLines: false }).data.filter(
    (row, i, all) => !(i === all.length - 1 && row.length === 1 && row[0] === ''),
  )
}
