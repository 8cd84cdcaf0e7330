import i18next from 'i18next'
import { describe, expect, it } from 'vitest'
import { resources, type Language } from './index'

const translator = async (lng: Language) => {
  const instance = i18next.createInstance()
  await instance.init({ resources, lng, fallbackLng: 'zh-CN', interpolation: { escapeValue: false } })
  return instance.t
}

/** Every message key, dotted, with its text. */
function flatten(messages: object, prefix = ''): [string, string][] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : flatten(value as object, `${prefix}${key}.`),
  )
}

describe('plurals', () => {
  it('reads singular in English when count is 1, plural otherwise; Chinese has one form', async () => {
    const en = await translator('en')
    expect(en('grid.incompleteVillages', { count: 1, pct: 60 })).toBe('1 village under 60%')
    expect(en('grid.incompleteVillages', { count: 2, pct: 60 })).toBe('2 villages under 60%')
    expect(en('grid.incompleteVillages', { count: 0, pct: 60 })).toBe('0 villages under 60%')
    expect(en('villages.count', { count: 1 })).toBe('1 village/community')
    expect(en('customers.count', { count: 1 })).toBe('1 customer')
    expect(en('visits.plan.stops', { count: 1 })).toBe('Route (1 stop)')
    expect(en('boundary.repairDuplicates', { count: 1 })).toBe('1 repeated vertex removed')
    const zh = await translator('zh-CN')
    expect(zh('grid.incompleteVillages', { count: 1, pct: 60 })).toBe('1 个村低于 60%')
    expect(zh('grid.incompleteVillages', { count: 2, pct: 60 })).toBe('2 个村低于 60%')
  })

  it('keeps a singular beside its plural, both taking the count; zh-CN has none', () => {
    const en = new Map(flatten(resources.en.translation))
    const singulars = [...en].filter(([key]) => key.endsWith('_one'))
    expect(singulars.length).toBeGreaterThan(10)
    for (const [key, text] of singulars) {
      expect(en.get(key.slice(0, -'_one'.length)), key).toContain('{{count}}')
      expect(text, key).toContain('{{count}}')
    }
    expect(flatten(resources['zh-CN'].translation).filter(([key]) => /_(one|other)$/.test(key))).toEqual([])
  })
})
