import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../resources'
import { generateDemoCounty } from './generate'
import { readDemoDivisions } from './load'

const divisions = readDemoDivisions(REPO_ROOT)
const now = new Date('2026-11-23T00:00:00Z')
const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex')

describe('the demo county generator', () => {
  it('reads the real NBS divisions of 田东县 with their parent codes', () => {
    expect(divisions.filter((d) => d.level === 'village')).toHaveLength(173)
    expect(divisions.find((d) => d.level === 'county')).toMatchObject({ code: '451022', name: '田东县' })
    expect(divisions.every((d) => d.level === 'province' || d.parentCode)).toBe(true)
  })

  it('is deterministic for a seed and reference time, and differs across seeds', () => {
    const a = generateDemoCounty(divisions, { seed: 7, keyCustomers: 50, visits: 200, now })
    const b = generateDemoCounty(divisions, { seed: 7, keyCustomers: 50, visits: 200, now })
    const c = generateDemoCounty(divisions, { seed: 8, keyCustomers: 50, visits: 200, now })
    expect(digest(a)).toBe(digest(b))
    expect(digest(a)).not.toBe(digest(c))
  })

  it('keeps every generated point inside the county envelope and marks it generated', () => {
    const county = generateDemoCounty(divisions, { seed: 451022, keyCustomers: 300, visits: 0, now })
    for (const row of [...county.villages, ...county.keyCustomers]) {
      expect(row.lon).toBeGreaterThanOrEqual(106.89)
      expect(row.lon).toBeLessThanOrEqual(107.44)
      expect(row.lat).toBeGreaterThanOrEqual(23.27)
      expect(row.lat).toBeLessThanOrEqual(24.01)
      expect(row.geometrySource).toBe('generated')
    }
  })

  it('tiers customers by the 80/20 rule on revenue: the top fifth is A', () => {
    const county = generateDemoCounty(divisions, { seed: 1, keyCustomers: 500, visits: 0, now })
    const a = county.keyCustomers.filter((c) => c.valueTier === 'A')
    expect(a).toHaveLength(100)
    const minA = Math.min(...a.map((c) => c.monthlyRevenue as number))
    const maxOther = Math.max(...county.keyCustomers.filter((c) => c.valueTier !== 'A').map((c) => c.monthlyRevenue as number))
    expect(minA).toBeGreaterThanOrEqual(maxOther)
  })
})
