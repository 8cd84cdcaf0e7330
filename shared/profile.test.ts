import { describe, expect, it } from 'vitest'
import { isProfileFieldFilled, profileCompleteness, profileFields } from './profile'

describe('profileCompleteness', () => {
  it('is 0 for an empty profile and 1 when every field holds a value', () => {
    expect(profileCompleteness({})).toBe(0)
    const full = Object.fromEntries(profileFields.map((f) => [f, f === 'keyPersons' ? '[{"name":"韦支书"}]' : 1]))
    expect(profileCompleteness(full)).toBe(1)
  })

  it('counts false and 0 as values, blank text and an empty key-person list as missing', () => {
    expect(isProfileFieldFilled('fibreCovered', false)).toBe(true)
    expect(isProfileFieldFilled('ourPorts', 0)).toBe(true)
    expect(isProfileFieldFilled('mainEconomy', '  ')).toBe(false)
    expect(isProfileFieldFilled('keyPersons', '[]')).toBe(false)
    expect(isProfileFieldFilled('keyPersons', [])).toBe(false)
    expect(profileCompleteness({ population: 1200, households: 300, fibreCovered: false })).toBeCloseTo(3 / profileFields.length)
  })
})
