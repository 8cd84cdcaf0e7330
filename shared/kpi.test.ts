import { describe, expect, it } from 'vitest'
import { dueStatus, kpiStatus, periodRange, timeProgress } from './kpi'

const t = { yellowBelowPp: -5, redBelowPp: -15 }

describe('periods and time progress', () => {
  it('parses months, quarters and years, leap years included', () => {
    expect(periodRange('2026-10')).toEqual({ start: '2026-10-01', end: '2026-10-31', days: 31 })
    expect(periodRange('2028-02').days).toBe(29)
    expect(periodRange('2026-Q3')).toEqual({ start: '2026-07-01', end: '2026-09-30', days: 92 })
    expect(periodRange('2026')).toMatchObject({ start: '2026-01-01', end: '2026-12-31', days: 365 })
    expect(() => periodRange('2026-13')).toThrow(RangeError)
    expect(() => periodRange('26-Q1')).toThrow(RangeError)
  })

  it('counts the first day as elapsed and reaches 1 on the last day', () => {
    expect(timeProgress('2026-10', '2026-10-01')).toBeCloseTo(1 / 31)
    expect(timeProgress('2026-10', '2026-10-31')).toBe(1)
    expect(timeProgress('2026-10', '2026-09-30')).toBe(0)
    expect(timeProgress('2026-10', '2026-11-01')).toBe(1)
    expect(timeProgress('2026-Q4', '2026-11-15')).toBeCloseTo(46 / 92)
  })
})

describe('the traffic light', () => {
  it('is green on pace, yellow slightly behind, red well behind (more is better)', () => {
    expect(kpiStatus(50, 100, 'higher_better', 0.5, t).light).toBe('green')
    expect(kpiStatus(45, 100, 'higher_better', 0.5, t)).toMatchObject({ light: 'green', gapPp: -5 }) // boundary: -5 is still green
    expect(kpiStatus(44, 100, 'higher_better', 0.5, t).light).toBe('yellow')
    expect(kpiStatus(35, 100, 'higher_better', 0.5, t).light).toBe('yellow') // boundary: -15 is yellow
    expect(kpiStatus(34, 100, 'higher_better', 0.5, t).light).toBe('red')
  })

  it('reads a less-is-better target as a ceiling', () => {
    expect(kpiStatus(40, 100, 'lower_better', 0.5, t)).toMatchObject({ light: 'green', gapPp: 10 })
    expect(kpiStatus(60, 100, 'lower_better', 0.5, t).light).toBe('yellow')
    expect(kpiStatus(70, 100, 'lower_better', 0.5, t).light).toBe('red')
  })

  it('on the last day needs full completion; on the first day almost anything is on pace', () => {
    expect(kpiStatus(94, 100, 'higher_better', 1, t).light).toBe('yellow')
    expect(kpiStatus(0, 100, 'higher_better', 1 / 31, t).light).toBe('green')
  })

  it('handles zero and missing targets without dividing by zero', () => {
    expect(kpiStatus(3, 0, 'higher_better', 0.5, t).light).toBe('green')
    expect(kpiStatus(0, 0, 'lower_better', 0.5, t).light).toBe('green')
    expect(kpiStatus(1, 0, 'lower_better', 0.5, t).light).toBe('red')
    expect(kpiStatus(5, null, 'higher_better', 0.5, t)).toMatchObject({ light: 'none', completion: null })
  })
})

describe('the traffic light on a work order’s time left', () => {
  const due = '2026-10-10T12:00:00.000Z'
  const at = (iso: string) => Date.parse(iso)
  it('is green early, yellow in the last quarter of the SLA, red once overdue, none once closed', () => {
    expect(dueStatus(at('2026-10-08T12:00:00Z'), due, 72, false)).toMatchObject({ light: 'green', hoursLeft: 48, overdue: false })
    expect(dueStatus(at('2026-10-09T18:00:00Z'), due, 72, false).light).toBe('yellow') // 18 h left = 72/4: boundary is yellow
    expect(dueStatus(at('2026-10-09T17:59:00Z'), due, 72, false).light).toBe('green')
    expect(dueStatus(at('2026-10-10T12:00:00Z'), due, 72, false)).toMatchObject({ light: 'yellow', overdue: false }) // due now
    expect(dueStatus(at('2026-10-10T12:01:00Z'), due, 72, false)).toMatchObject({ light: 'red', overdue: true })
    expect(dueStatus(at('2026-10-12T12:00:00Z'), due, 72, true)).toMatchObject({ light: 'none', overdue: false })
  })
  it('warns in the last 24 hours when there is no SLA', () => {
    expect(dueStatus(at('2026-10-09T12:00:00Z'), due, null, false).light).toBe('yellow')
    expect(dueStatus(at('2026-10-09T11:00:00Z'), due, null, false).light).toBe('green')
  })
})
