// The profile's structured fields typed into one cell: rivals' ports, our share against each rival,
// key persons; in the human form or as JSON; every mistake named.
import { describe, expect, it } from 'vitest'
import { parsePersonsCell, parseRivalCell } from './profileCells'

const json = (r: ReturnType<typeof parseRivalCell>) => (r.value === undefined ? r : JSON.parse(r.value))

describe('rivals in a cell', () => {
  it.each([
    ['电信:120;联通:30;广电:0', { telecom: 120, unicom: 30, broadnet: 0 }],
    ['电信：120；联通：30', { telecom: 120, unicom: 30 }],
    ['联通=30, 电信=1,200', { telecom: 1200, unicom: 30 }],
    ['中国电信 120、广电网络 5', { telecom: 120, broadnet: 5 }],
    ['电信120\n联通30', { telecom: 120, unicom: 30 }],
    ['Telecom: 120; Unicom: 30', { telecom: 120, unicom: 30 }],
    ['{"telecom": 120, "unicom": "30", "broadnet": null}', { telecom: 120, unicom: 30 }],
    ['{"电信": 7}', { telecom: 7 }],
  ])('ports: %s', (raw, expected) => {
    expect(json(parseRivalCell(raw, 'count'))).toEqual(expected)
  })

  it('keeps a fixed order (as the profile form stores it)', () => {
    expect(parseRivalCell('广电:1;电信:2', 'count').value).toBe('{"telecom":2,"broadnet":1}')
  })

  it('shares: against each rival, or market shares with ours (kept as such)', () => {
    expect(json(parseRivalCell('电信:55%;联通:70.5', 'pct'))).toEqual({ telecom: 55, unicom: 70.5 })
    expect(parseRivalCell('电信:30;移动:60;联通:10', 'pct').value).toBe('{"ours":60,"telecom":30,"unicom":10}')
  })

  it.each([
    ['移动:3;电信:2', 'count', [{ code: 'unknown_value', params: { value: '移动', allowed: '电信/联通/广电' } }]],
    ['铁通:3', 'pct', [{ code: 'unknown_value', params: { value: '铁通', allowed: '电信/联通/广电/我方' } }]],
    ['很多', 'count', [{ code: 'rival_format', params: { value: '很多' } }]],
    ['电信:很多', 'count', [{ code: 'not_a_number', params: { value: '很多' } }]],
    ['电信:', 'count', [{ code: 'not_a_number', params: { value: '' } }]],
    ['电信:-1', 'count', [{ code: 'out_of_range', params: { value: '-1', min: 0, max: 10_000_000 } }]],
    ['电信:2.5', 'count', [{ code: 'out_of_range', params: { value: '2.5', min: 0, max: 10_000_000 } }]],
    ['电信:120', 'pct', [{ code: 'out_of_range', params: { value: '120', min: 0, max: 100 } }]],
    ['电信:1;电信:2', 'count', [{ code: 'rival_format', params: { value: '电信: 2' } }]],
    ['移动:60', 'pct', [{ code: 'rival_format', params: { value: '移动:60' } }]],
    ['{"telecom": 1', 'count', [{ code: 'rival_format', params: { value: '{"telecom": 1' } }]],
    ['[1, 2]', 'count', [{ code: 'rival_format', params: { value: '[1, 2]' } }]],
  ] as const)('refuses %s (%s)', (raw, kind, issues) => {
    expect(parseRivalCell(raw, kind)).toEqual({ issues })
  })
})

describe('key persons in a cell', () => {
  it('reads name(role) phone notes, people separated by semicolons', () => {
    const result = parsePersonsCell('张三(村支书) 138-1234-5678 支持我方；李四（会计）\n王五 0776-5212345;Zhang San (head) very keen')
    expect(JSON.parse(result.value!)).toEqual([
      { name: '张三', role: '村支书', phone: '13812345678', notes: '支持我方' },
      { name: '李四', role: '会计', phone: null, notes: null },
      { name: '王五', role: null, phone: '07765212345', notes: null },
      { name: 'Zhang San', role: 'head', phone: null, notes: 'very keen' },
    ])
  })

  it('takes JSON: a list, or one person', () => {
    expect(JSON.parse(parsePersonsCell('[{"name":"张三","role":"村支书","phone":"13812345678"}]').value!)).toEqual([
      { name: '张三', role: '村支书', phone: '13812345678', notes: null },
    ])
    expect(JSON.parse(parsePersonsCell('{"name":"李四"}').value!)).toEqual([{ name: '李四', role: null, phone: null, notes: null }])
  })

  it.each([
    ['(村支书) 13812345678', [{ code: 'person_format', params: { value: '(村支书) 13812345678' } }]],
    ['张三(村支书 13812345678', [{ code: 'person_format', params: { value: '张三(村支书 13812345678' } }]],
    ['张三(村支书) 1381234', [{ code: 'phone_format', params: { value: '1381234' } }]],
    [`${'长'.repeat(31)}(村支书)`, [{ code: 'too_long', params: { max: 30, value: '长'.repeat(31) } }]],
    ['[{"role":"会计"}]', [{ code: 'person_format', params: { value: '{"role":"会计"}' } }]],
    ['["张三"]', [{ code: 'person_format', params: { value: '"张三"' } }]],
    ['[]', [{ code: 'person_format', params: { value: '[]' } }]],
    [Array.from({ length: 51 }, (_, i) => `人${i}`).join(';'), [{ code: 'out_of_range', params: { value: 51, min: 1, max: 50 } }]],
  ])('refuses %s', (raw, issues) => {
    expect(parsePersonsCell(raw)).toEqual({ issues })
  })
})
