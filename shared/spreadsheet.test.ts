import { describe, expect, it } from 'vitest'
import { csvField, csvLine, spreadsheetText } from './spreadsheet'

describe('spreadsheet text', () => {
  it('writes text that would start a formula with a leading single quote', () => {
    for (const hostile of ['=1+1', '+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x.example","点我")'])
      expect(spreadsheetText(hostile)).toBe(`'${hostile}`)
    for (const plain of ['张三', '1+1', ' =1', "'=1", '', '#1', '（=）']) expect(spreadsheetText(plain)).toBe(plain)
  })

  it('leaves numbers alone, negative ones too, and quotes CSV fields that need it', () => {
    expect(csvLine([-5, -0.5, 0, 12, null, undefined, true])).toBe('-5,-0.5,0,12,,,true')
    expect(csvField('-5')).toBe("'-5") // text that looks like a number is still text
    expect(csvField('=cmd|" /C calc"!A0')).toBe(`"'=cmd|"" /C calc""!A0"`)
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('两行\n文字')).toBe('"两行\n文字"')
  })
})
