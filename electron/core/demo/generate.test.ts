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

describe('the demo county a county manager would believe', () => {
  const county = generateDemoCounty(divisions, { seed: 451022, keyCustomers: 300, visits: 2000, now })
  const beijing = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000)

  it('has work orders created before they are due, none overdue on the day it was made, closed after creation', () => {
    for (const w of county.workOrders) {
      expect(Date.parse(w.createdAt as string)).toBeLessThan(Date.parse(w.dueAt as string))
      expect(Date.parse(w.createdAt as string)).toBeLessThanOrEqual(now.getTime())
      if (w.closedAt) expect(Date.parse(w.closedAt as string)).toBeGreaterThan(Date.parse(w.createdAt as string))
    }
  })

  it('has visits in working hours, Beijing time, and none done in the future', () => {
    for (const v of county.visits.filter((x) => x.checkedInAt)) {
      const at = beijing(v.checkedInAt as string)
      const minutes = at.getUTCHours() * 60 + at.getUTCMinutes()
      expect(minutes).toBeGreaterThanOrEqual(8 * 60 + 30)
      expect(minutes).toBeLessThan(17 * 60 + 30)
      expect(Date.parse(v.checkedInAt as string)).toBeLessThanOrEqual(now.getTime())
    }
  })

  it('plans visits by day, in the past as well as ahead, and marks some planned ones done', () => {
    const planned = county.visits.filter((v) => v.plannedFor)
    expect(planned.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v.plannedFor as string))).toBe(true)
    expect(planned.filter((v) => v.status === 'done').length).toBeGreaterThan(100)
    expect(planned.some((v) => (v.plannedFor as string) > now.toISOString().slice(0, 10))).toBe(true)
  })

  it('gives no tariff to a new outlet or mast', () => {
    for (const i of county.competitorIntel.filter((x) => x.kind === 'network' || x.kind === 'outlet')) {
      expect(i.monthlyFee).toBeNull()
      expect(i.title).not.toMatch(/\d+元/)
    }
    expect(county.competitorIntel.some((x) => x.kind === 'price' && typeof x.monthlyFee === 'number')).toBe(true)
  })

  it('records 已成交 only for customers who reached 成交', () => {
    const stage = new Map(county.keyCustomers.map((c) => [c.id, c.funnelStage]))
    for (const v of county.visits.filter((x) => x.outcome === '已成交')) expect(['won', 'retained']).toContain(stage.get(v.customerId as string))
  })
})
