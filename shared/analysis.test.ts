import { describe, expect, it } from 'vitest'
import {
  bostonQuadrant,
  funnel,
  growthRate,
  median,
  monthRange,
  monthsOf,
  pareto,
  paretoOfSorted,
  pearson,
  quantile,
  robustZ,
  samePeriodLastYear,
  shiftPeriod,
  splitByWeights,
} from './analysis'

describe('periods', () => {
  it('shifts months, quarters and years across year ends', () => {
    expect(shiftPeriod('2026-01', -1)).toBe('2025-12')
    expect(shiftPeriod('2026-12', 1)).toBe('2027-01')
    expect(shiftPeriod('2026-10', -12)).toBe('2025-10')
    expect(shiftPeriod('2026-Q1', -1)).toBe('2025-Q4')
    expect(shiftPeriod('2026', 1)).toBe('2027')
    expect(samePeriodLastYear('2026-Q3')).toBe('2025-Q3')
    expect(monthsOf('2026-Q4')).toEqual(['2026-10', '2026-11', '2026-12'])
    expect(monthsOf('2026')).toHaveLength(12)
    expect(monthRange('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02'])
  })
})

describe('splitting a target by weights', () => {
  it('adds up exactly to the parent (largest remainder)', () => {
    // 100 by 1:1:1 → 33.33 each; the one unit left goes to the first.
    expect(splitByWeights(100, [1, 1, 1])).toEqual([34, 33, 33])
    // 10 by households 500/300/200 → 5/3/2 exactly.
    expect(splitByWeights(10, [500, 300, 200])).toEqual([5, 3, 2])
    // 7 by 0.5/0.25/0.25 → 3.5/1.75/1.75 → floors 3/1/1, remainders .5/.75/.75 → 3/2/2.
    expect(splitByWeights(7, [2, 1, 1])).toEqual([3, 2, 2])
    // Money to two decimals.
    expect(splitByWeights(12.5, [1, 2], 2)).toEqual([4.17, 8.33])
    expect(splitByWeights(5, [0, 0])).toEqual([3, 2])
    for (const [total, ws] of [
      [997, [3, 7, 11, 13]],
      [1, [5, 5, 5]],
      [250, [0.1, 0.2, 0.7]],
    ] as const)
      expect(splitByWeights(total, [...ws]).reduce((a, b) => a + b, 0)).toBe(total)
  })
})

describe('growth rates', () => {
  it('computes MoM/YoY growth and refuses growth from zero or nothing', () => {
    expect(growthRate(120, 100)).toBeCloseTo(0.2)
    expect(growthRate(80, 100)).toBeCloseTo(-0.2)
    expect(growthRate(-5, -10)).toBeCloseTo(0.5) // net adds improving from −10 to −5
    expect(growthRate(5, 0)).toBeNull()
    expect(growthRate(5, null)).toBeNull()
  })
})

describe('medians, quantiles and robust anomaly scores', () => {
  it('matches hand-computed values', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(quantile([10, 20, 30], 1 / 3)).toBeCloseTo(16.667, 2)
  })

  it('flags the one grid far from its peers', () => {
    // median 1.0, |dev| = .1,.05,0,.05,.1,.6 → MAD = median = .075; z(0.4) = .6745·(−.6)/.075 = −5.396
    const { median: m, z } = robustZ([0.9, 0.95, 1.0, 1.05, 1.1, 0.4])
    expect(m).toBeCloseTo(0.975)
    const s = robustZ([0.9, 0.95, 1.0, 1.05, 1.1, 0.4, 1.0])
    expect(s.median).toBe(1)
    expect(s.z[5]).toBeCloseTo((0.6745 * -0.6) / 0.05, 3)
    expect(Math.abs(s.z[0]!)).toBeLessThan(3.5)
    expect(z.filter((v) => v !== null && Math.abs(v) > 3.5)).toHaveLength(1)
  })

  it('does not divide by zero when most peers are equal', () => {
    const s = robustZ([1, 1, 1, 1, 5])
    expect(s.z[4]).toBeGreaterThan(3.5)
    expect(s.z[0]).toBe(0)
    expect(robustZ([2, 2, 2]).z).toEqual([null, null, null])
  })
})

describe('correlation', () => {
  it('computes Pearson r and the fitted line against a hand-computed case', () => {
    // x 1..5, y 2,4,5,4,5: mx 3, my 4; sxy = 6, sxx = 10, syy = 6 → r = 6/√60 = 0.7746, slope .6, intercept 2.2
    const c = pearson([1, 2, 3, 4, 5].map((x, i) => ({ x, y: [2, 4, 5, 4, 5][i]! })))
    expect(c.r).toBeCloseTo(0.7746, 4)
    expect(c.slope).toBeCloseTo(0.6)
    expect(c.intercept).toBeCloseTo(2.2)
    expect(c.strength).toBe('strong')
    expect(
      pearson([
        { x: 1, y: 1 },
        { x: 2, y: 2 },
      ]).r,
    ).toBeNull()
    expect(
      pearson([
        { x: 1, y: 3 },
        { x: 2, y: 3 },
        { x: 3, y: 3 },
      ]).r,
    ).toBeNull()
    expect(
      pearson([
        { x: 1, y: 3 },
        { x: 2, y: 2 },
        { x: 3, y: 1 },
      ]).r,
    ).toBeCloseTo(-1)
  })
})

describe('80/20', () => {
  it('ranks by value with cumulative shares and tiers', () => {
    // 10 customers: 500, 300, then eight of 25 → total 1000; top 2 (20%) hold 80%.
    const values = [25, 500, 25, 25, 300, 25, 25, 25, 25, 25]
    const p = pareto(
      values.map((v, i) => ({ id: i })),
      (c) => values[c.id]!,
    )
    expect(p.total).toBe(1000)
    expect(p.top20Share).toBeCloseTo(0.8)
    expect(p.itemsFor80).toBe(2)
    expect(p.itemShareFor80).toBeCloseTo(0.2)
    expect(p.items[0]).toMatchObject({ id: 1, rank: 1, share: 0.5, cumulativeShare: 0.5, tier: 'A' })
    expect(p.items.map((i) => i.tier).join('')).toBe('AABBBCCCCC')
    expect(p.items[9]!.cumulativeShare).toBeCloseTo(1)
  })

  it('gives the same from the values alone, sorted, with the head of the ranking', () => {
    const values = Array.from({ length: 997 }, (_, i) => ((i * 7919) % 1000) / 3)
    const whole = pareto(values, (v) => v)
    const fromSorted = paretoOfSorted(Float64Array.from(values).sort().reverse(), 50)
    expect({ ...fromSorted, items: undefined }).toEqual({ ...whole, items: undefined })
    expect(fromSorted.items).toEqual(
      whole.items.slice(0, 50).map(({ value, rank, share, cumulativeShare, tier }) => ({ value, rank, share, cumulativeShare, tier })),
    )
  })
})

describe('Boston matrix and funnel', () => {
  it('puts products in their quadrants', () => {
    expect(bostonQuadrant(0.6, 0.3, 0.5, 0.1)).toBe('star')
    expect(bostonQuadrant(0.6, 0.0, 0.5, 0.1)).toBe('cash_cow')
    expect(bostonQuadrant(0.2, 0.3, 0.5, 0.1)).toBe('question')
    expect(bostonQuadrant(0.2, -0.1, 0.5, 0.1)).toBe('dog')
  })
  it('converts stage to stage from the stages reached', () => {
    const steps = funnel(['potential', 'contacted', 'intent', 'won'] as const, ['potential', 'potential', 'contacted', 'intent', 'won', 'won'])
    expect(steps.map((s) => s.reached)).toEqual([6, 4, 3, 2])
    expect(steps[1]!.conversion).toBeCloseTo(4 / 6)
    expect(steps[3]!.conversion).toBeCloseTo(2 / 3)
    expect(steps[0]!.conversion).toBeNull()
  })
})
