import { describe, expect, it } from 'vitest'
import {
  ageSharesAddUp,
  isProfileFieldFilled,
  missingProfileFields,
  parseKeyPersons,
  parseRivalPorts,
  profileCompleteness,
  profileFields,
  profileFieldValue,
  shareAgainst,
} from './profile'

const full = {
  population: 1200,
  households: 300,
  ageUnder18Pct: 20,
  age18To60Pct: 58,
  ageOver60Pct: 22,
  migrantAwayPct: 30,
  mainEconomy: '甘蔗',
  marketDays: '逢三',
  festivals: '春节',
  educationLevel: '初中',
  fibreCovered: true,
  ourPorts: 120,
  rivalPorts: '{"telecom":80}',
  signal4g: 'good',
  signal5g: 'fair',
  ourMobileSubs: 600,
  ourBroadbandSubs: 90,
  penetrationPct: 50,
  shareVsRivals: '{"telecom":60}',
  keyPersons: '[{"name":"韦支书"}]',
}

describe('profileCompleteness', () => {
  it('counts 18 fields: the profile of docs/glossary.md, the age structure as one', () => {
    expect(profileFields).toHaveLength(18)
    expect(profileFields).toEqual(expect.arrayContaining(['ageStructure', 'rivalPorts', 'shareVsRivals', 'keyPersons']))
  })

  it('is 0 for an empty profile and 1 when every field holds a value', () => {
    expect(profileCompleteness({})).toBe(0)
    expect(profileCompleteness(full)).toBe(1)
    expect(missingProfileFields(full)).toEqual([])
  })

  it('counts the age structure only when all three shares are known', () => {
    expect(profileFieldValue(full, 'ageStructure')).toEqual([20, 58, 22])
    const partial = { ...full, ageOver60Pct: null }
    expect(profileFieldValue(partial, 'ageStructure')).toBeNull()
    expect(missingProfileFields(partial)).toEqual(['ageStructure'])
    expect(profileCompleteness(partial)).toBeCloseTo(17 / 18)
    // Zero is a value.
    expect(missingProfileFields({ ...full, ageOver60Pct: 0 })).toEqual([])
  })

  it('counts false and 0 as values, blank text and empty JSON lists or objects as missing', () => {
    expect(isProfileFieldFilled('fibreCovered', false)).toBe(true)
    expect(isProfileFieldFilled('ourPorts', 0)).toBe(true)
    expect(isProfileFieldFilled('mainEconomy', '  ')).toBe(false)
    expect(isProfileFieldFilled('keyPersons', '[]')).toBe(false)
    expect(isProfileFieldFilled('keyPersons', [])).toBe(false)
    expect(isProfileFieldFilled('rivalPorts', '{}')).toBe(false)
    expect(isProfileFieldFilled('shareVsRivals', 'null')).toBe(false)
    // As the profile page holds them: objects of figures, empty when none is known.
    expect(isProfileFieldFilled('rivalPorts', { telecom: null, unicom: null, broadnet: null })).toBe(false)
    expect(isProfileFieldFilled('shareVsRivals', { telecom: 55, unicom: null, broadnet: null })).toBe(true)
    // Text that is not an empty list is a value, even when the text is not JSON.
    expect(isProfileFieldFilled('mainEconomy', '[]')).toBe(true)
    expect(profileCompleteness({ population: 1200, households: 300, fibreCovered: false })).toBeCloseTo(3 / 18)
  })
})

describe('the profile’s JSON columns and checks', () => {
  it('accepts age shares within one point of 100, and any set with an unknown share', () => {
    expect(ageSharesAddUp([20, 58, 22])).toBe(true)
    expect(ageSharesAddUp([20.1, 58.2, 22.3])).toBe(true)
    expect(ageSharesAddUp([50, 50, 50])).toBe(false)
    expect(ageSharesAddUp([20, 50, 20])).toBe(false)
    expect(ageSharesAddUp([90, null, 20])).toBe(true)
  })

  it('reads share against a rival both as market shares and as head-to-head values', () => {
    expect(shareAgainst(JSON.stringify({ ours: 60, telecom: 20, unicom: 0, broadnet: 0 }))).toEqual({ telecom: 75, unicom: 100, broadnet: 100 })
    expect(shareAgainst(JSON.stringify({ telecom: 55 }))).toEqual({ telecom: 55, unicom: null, broadnet: null })
    expect(shareAgainst('not json')).toEqual({ telecom: null, unicom: null, broadnet: null })
    expect(shareAgainst('[1]')).toEqual({ telecom: null, unicom: null, broadnet: null })
  })

  it('reads rivals’ ports and key persons, dropping what is not there', () => {
    expect(parseRivalPorts('{"telecom":120,"unicom":"x"}')).toEqual({ telecom: 120, unicom: null, broadnet: null })
    expect(parseRivalPorts('{}')).toBeNull()
    expect(parseRivalPorts(null)).toBeNull()
    expect(parseKeyPersons('[{"name":"韦支书","role":"村支书"},{"role":"会计"},{"name":" 李四 ","phone":"13800000000","notes":"支持"}]')).toEqual([
      { name: '韦支书', role: '村支书', phone: null, notes: null },
      { name: '李四', role: null, phone: '13800000000', notes: '支持' },
    ])
    expect(parseKeyPersons('{"name":"x"}')).toEqual([])
  })
})
