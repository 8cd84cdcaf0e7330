// Due dates survive a round trip in every time zone: the day typed is the day stored and the day
// shown, in UTC+8 (the demo's Asia/Shanghai), UTC and UTC−5 (America/New_York, with its DST).
// Each zone runs in its own process with TZ set, so the process's local time is that zone too.
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dateTimeOf, dayOf, dueDayOf, endOfDay, listTimeOf, shortDateTimeOf } from '../../shared/dates'

const ZONES = ['Asia/Shanghai', 'UTC', 'America/New_York'] as const
const DAYS = ['2026-12-09', '2026-01-01', '2026-03-08', '2026-11-01', '2026-12-31', '2028-02-29']

/** Runs the round trips inside a child process whose TZ is the zone. */
function inZone(zone: string): { tz: string; results: Record<string, { dueAt: string; local: string; named: string; shown: string }> } {
  const script = `
    import { dayOf, dueDayOf, endOfDay, dateTimeOf } from ${JSON.stringify(resolve(import.meta.dirname, '../../shared/dates.ts'))}
    const days = ${JSON.stringify(DAYS)}
    const results = {}
    for (const d of days) {
      const dueAt = endOfDay(d)
      results[d] = { dueAt, local: dueDayOf(dueAt), named: dueDayOf(endOfDay(d, ${JSON.stringify(zone)}), ${JSON.stringify(zone)}), shown: dateTimeOf(dueAt) }
    }
    console.log(JSON.stringify({ tz: Intl.DateTimeFormat().resolvedOptions().timeZone, results, today: dayOf(new Date()) }))
  `
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TZ: zone }, encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').at(-1)!)
}

describe('due dates across time zones', () => {
  for (const zone of ZONES)
    it(`a due day is stored as its end of day and reads back as the same day (TZ=${zone})`, () => {
      const { tz, results } = inZone(zone)
      expect(tz).toBe(zone)
      for (const d of DAYS) {
        expect(results[d]!.local).toBe(d)
        expect(results[d]!.named).toBe(d)
        expect(results[d]!.shown).toBe(`${d} 23:59`)
      }
    })

  it('a named zone gives the same instant whatever zone the process runs in', () => {
    expect(endOfDay('2026-12-09', 'Asia/Shanghai')).toBe('2026-12-09T15:59:59.000Z')
    expect(endOfDay('2026-12-09', 'UTC')).toBe('2026-12-09T23:59:59.000Z')
    expect(endOfDay('2026-12-09', 'America/New_York')).toBe('2026-12-10T04:59:59.000Z')
    expect(endOfDay('2026-07-09', 'America/New_York')).toBe('2026-07-10T03:59:59.000Z')
    for (const zone of ZONES) for (const d of DAYS) expect(dueDayOf(endOfDay(d, zone), zone)).toBe(d)
  })

  it('formats one way: 2026-12-09, 2026-12-09 14:30, 12-09 14:30', () => {
    const at = '2026-12-09T06:30:00Z'
    expect(dayOf(at, 'Asia/Shanghai')).toBe('2026-12-09')
    expect(dateTimeOf(at, 'Asia/Shanghai')).toBe('2026-12-09 14:30')
    expect(shortDateTimeOf(at, 'Asia/Shanghai')).toBe('12-09 14:30')
    expect(dayOf('2026-12-09T17:00:00Z', 'Asia/Shanghai')).toBe('2026-12-10')
    expect(dueDayOf('2026-12-09')).toBe('2026-12-09')
  })

  it('a time in a list in local time: the time today, month-day this year, the full date before', () => {
    const now = new Date(2026, 11, 9, 18, 0)
    expect(listTimeOf(new Date(2026, 11, 9, 14, 30), now)).toBe('14:30')
    expect(listTimeOf(new Date(2026, 11, 8, 23, 5), now)).toBe('12-08 23:05')
    expect(listTimeOf(new Date(2025, 11, 9, 9, 0), now)).toBe('2025-12-09 09:00')
    // An instant shortly after local midnight is today here, whatever day it is in UTC.
    expect(listTimeOf(new Date(2026, 11, 9, 0, 10).toISOString(), now)).toBe('00:10')
  })
})
