// Shapes of older devices: which tables and columns they lack, what they call renamed columns.
import { describe, expect, it } from 'vitest'
import { deviceShape, fromDevice, MIN_SYNC_SCHEMA_VERSION, SYNC_SCHEMA_VERSION, toDevice, type DeviceShape, type VersionStep } from './versions'

// A made-up history: v4 adds a column and renames one, v3 renames it again and drops another, v2 adds a table.
const steps: VersionStep[] = [
  { version: 5, note: 'index only' },
  { version: 4, note: 'added and renamed', addedFields: { visits: ['weather'] }, renamedFields: { visits: { aim: 'purpose' } } },
  { version: 3, note: 'renamed, dropped', renamedFields: { visits: { goal: 'aim' } }, removedFields: { visits: ['mood'] } },
  { version: 2, note: 'added a table', addedTables: ['day_plans'] },
  { version: 1, note: 'oldest served' },
]
const shape = (v: number): DeviceShape => {
  const verdict = deviceShape(v, steps)
  if (!verdict.ok) throw new Error(verdict.reason)
  return verdict.shape
}

describe('device shapes by sync schema version', () => {
  it('this build and the versions since its last column change need no translation', () => {
    expect(shape(5).current).toBe(true)
    expect(shape(4).current).toBe(true)
    const real = deviceShape(SYNC_SCHEMA_VERSION)
    expect(real.ok && real.shape.current).toBe(true)
  })

  it('older and newer than served are refused with the range HQ serves', () => {
    expect(deviceShape(0, steps)).toEqual({ ok: false, reason: 'too_old', oldest: 1, newest: 5 })
    expect(deviceShape(6, steps)).toEqual({ ok: false, reason: 'too_new', oldest: 1, newest: 5 })
    expect(deviceShape(MIN_SYNC_SCHEMA_VERSION - 1)).toMatchObject({ ok: false, reason: 'too_old' })
    expect(deviceShape(MIN_SYNC_SCHEMA_VERSION)).toMatchObject({ ok: true })
  })

  it('renames chain across versions; removed columns are dropped from pushes; added ones are not sent', () => {
    const v2 = shape(2)
    expect(v2.current).toBe(false)
    expect(fromDevice(v2, 'visits', { goal: '回访', mood: 'good', outcome: '签约' })).toEqual({ purpose: '回访', outcome: '签约' })
    expect(toDevice(v2, 'visits', { purpose: '回访', weather: '晴', outcome: '签约' })).toEqual({ goal: '回访', outcome: '签约' })
    expect(toDevice(v2, 'day_plans', { plan_date: '2026-12-02' })).toEqual({ plan_date: '2026-12-02' })
    const v3 = shape(3)
    expect(fromDevice(v3, 'visits', { aim: '回访', mood: 'good' })).toEqual({ purpose: '回访', mood: 'good' })
    expect(toDevice(v3, 'visits', { purpose: '回访', weather: '晴' })).toEqual({ aim: '回访' })
  })

  it('a table newer than the device is not sent to it at all', () => {
    const v1 = shape(1)
    expect([...v1.missingTables]).toEqual(['day_plans'])
    expect(toDevice(v1, 'day_plans', { plan_date: '2026-12-02' })).toBeUndefined()
    expect(toDevice(v1, 'villages', { notes: 'x' })).toEqual({ notes: 'x' })
  })
})
