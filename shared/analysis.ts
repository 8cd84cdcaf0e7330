// The statistics of seed 004 module 3 (调研数据分析): splitting a target, growth rates, robust
// anomalies, correlation, 80/20, Boston quadrants, funnel conversion. Pure functions, no I/O.

/** Median of the finite values; null for none. */
export function median(values: number[]): number | null {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (xs.length === 0) return null
  const mid = xs.length >> 1
  return xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2
}

/** Quantile by linear interpolation between closest ranks (type 7, as in Excel's PERCENTILE). */
export function quantile(values: number[], q: number): number | null {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (xs.length === 0) return null
  const h = (xs.length - 1) * Math.min(1, Math.max(0, q))
  const lo = Math.floor(h)
  return xs[lo]! + (h - lo) * ((xs[Math.min(lo + 1, xs.length - 1)] ?? xs[lo]!) - xs[lo]!)
}

/**
 * Growth rate (增长率) from `previous` to `current`: (current − previous) / |previous|.
 * Null when there is no previous value or it is zero (growth from nothing is not a rate).
 */
export function growthRate(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (current == null || previous == null || !Number.isFinite(current) || !Number.isFinite(previous) || previous === 0) return null
  return (current - previous) / Math.abs(previous)
}

/** Shifts a month '2026-10' by n months; quarters '2026-Q3' by n quarters; years by n years. */
export function shiftPeriod(period: string, n: number): string {
  let m = /^(\d{4})-(\d{2})$/.exec(period)
  if (m) {
    const k = Number(m[1]) * 12 + Number(m[2]) - 1 + n
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`
  }
  if ((m = /^(\d{4})-Q([1-4])$/.exec(period))) {
    const k = Number(m[1]) * 4 + Number(m[2]) - 1 + n
    return `${Math.floor(k / 4)}-Q${(k % 4) + 1}`
  }
  if (/^\d{4}$/.test(period)) return String(Number(period) + n)
  throw new RangeError(`not a period: ${period}`)
}

/** Same period one year earlier (for 同比 YoY): '2026-10' → '2025-10', '2026-Q3' → '2025-Q3'. */
export function samePeriodLastYear(period: string): string {
  return `${Number(period.slice(0, 4)) - 1}${period.slice(4)}`
}

/** The months a period covers: '2026-Q3' → 2026-07..09, '2026' → 12 months, '2026-10' → itself. */
export function monthsOf(period: string): string[] {
  let m = /^(\d{4})-Q([1-4])$/.exec(period)
  if (m) return [0, 1, 2].map((i) => `${m![1]}-${String((Number(m![2]) - 1) * 3 + 1 + i).padStart(2, '0')}`)
  if ((m = /^(\d{4})$/.exec(period))) return Array.from({ length: 12 }, (_, i) => `${m![1]}-${String(i + 1).padStart(2, '0')}`)
  return [period]
}

/** The quarters of a year period; empty for months and quarters. */
export function quartersOf(period: string): string[] {
  return /^\d{4}$/.test(period) ? [1, 2, 3, 4].map((q) => `${period}-Q${q}`) : []
}

/** Consecutive months from `from` to `to` inclusive. */
export function monthRange(from: string, to: string): string[] {
  const out: string[] = []
  for (let p = from; p <= to && out.length < 1200; p = shiftPeriod(p, 1)) out.push(p)
  return out
}

/**
 * Splits `total` by `weights` into amounts rounded to `decimals` places that add up exactly to
 * `total` (largest-remainder method), so a decomposed target never loses or gains a unit.
 * All-zero weights split equally.
 */
export function splitByWeights(total: number, weights: number[], decimals = 0): number[] {
  if (weights.length === 0) return []
  const w = weights.map((x) => (Number.isFinite(x) && x > 0 ? x : 0))
  const sum = w.reduce((a, b) => a + b, 0)
  const shares = sum > 0 ? w.map((x) => x / sum) : w.map(() => 1 / w.length)
  const scale = 10 ** decimals
  const units = Math.round(total * scale)
  const raw = shares.map((s) => s * units)
  const floors = raw.map(Math.floor)
  let left = units - floors.reduce((a, b) => a + b, 0)
  const order = raw.map((r, i) => [r - floors[i]!, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (const [, i] of order) {
    if (left <= 0) break
    floors[i]! += 1
    left -= 1
  }
  return floors.map((f) => f / scale)
}

/** Equality of money/count sums with float noise tolerated (a cent of 万元 is 1e-6 off at most). */
export function sameTotal(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b))
}

export interface RobustScore {
  median: number
  /** Scaled median absolute deviation (≈ σ for normal data); 0 when the peers do not spread. */
  mad: number
  /** 0.6745·(x − median)/MAD per value; null where the spread is zero. */
  z: (number | null)[]
}

/**
 * Robust z-scores (Iglewicz & Hoaglin): a value far from its peers' median in units of their
 * median absolute deviation. Unlike mean/σ, one extreme grid cannot hide itself by inflating σ.
 * When more than half the values are equal (MAD = 0) it falls back to the mean absolute deviation.
 */
export function robustZ(values: number[]): RobustScore {
  const med = median(values) ?? 0
  const deviations = values.map((x) => Math.abs(x - med))
  let mad = median(deviations) ?? 0
  let z: (number | null)[]
  if (mad > 0) z = values.map((x) => (0.6745 * (x - med)) / mad)
  else {
    const meanAd = deviations.reduce((a, b) => a + b, 0) / Math.max(1, deviations.length)
    z = values.map((x) => (meanAd > 0 ? (x - med) / (1.253314 * meanAd) : null))
    mad = meanAd * 1.253314 * 0.6745
  }
  return { median: med, mad: mad / 0.6745, z }
}

export interface Correlation {
  n: number
  /** Pearson r; null below 3 points or when one variable does not vary. */
  r: number | null
  /** Least-squares line y = slope·x + intercept, for the scatter plot. */
  slope: number | null
  intercept: number | null
  strength: 'none' | 'weak' | 'moderate' | 'strong' | null
}

export function pearson(points: { x: number; y: number }[]): Correlation {
  const ps = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  const n = ps.length
  const none: Correlation = { n, r: null, slope: null, intercept: null, strength: null }
  if (n < 3) return none
  const mx = ps.reduce((a, p) => a + p.x, 0) / n
  const my = ps.reduce((a, p) => a + p.y, 0) / n
  let sxy = 0,
    sxx = 0,
    syy = 0
  for (const p of ps) {
    sxy += (p.x - mx) * (p.y - my)
    sxx += (p.x - mx) ** 2
    syy += (p.y - my) ** 2
  }
  if (sxx === 0 || syy === 0) return none
  const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)))
  const a = Math.abs(r)
  const slope = sxy / sxx
  return { n, r, slope, intercept: my - slope * mx, strength: a < 0.1 ? 'none' : a < 0.3 ? 'weak' : a < 0.7 ? 'moderate' : 'strong' }
}

export interface ParetoResult<T> {
  items: (T & { value: number; rank: number; share: number; cumulativeShare: number; tier: 'A' | 'B' | 'C' })[]
  total: number
  /** Share of the total value held by the top 20% of items. */
  top20Share: number
  /** Fewest items that make up 80% of the total, and their share of the item count. */
  itemsFor80: number
  itemShareFor80: number
}

/**
 * 80/20: items by value descending with cumulative shares; tiers A (top 20% of items), B (next
 * 30%), C (the rest), the same rule the demo and the customer tiers use.
 */
export function pareto<T>(items: T[], valueOf: (item: T) => number): ParetoResult<T> {
  const sorted = items.map((item) => ({ item, value: Math.max(0, valueOf(item) || 0) })).sort((a, b) => b.value - a.value)
  const total = sorted.reduce((a, b) => a + b.value, 0)
  const n = sorted.length
  let cum = 0
  let itemsFor80 = 0
  const out = sorted.map(({ item, value }, i) => {
    cum += value
    const cumulativeShare = total > 0 ? cum / total : 0
    if (itemsFor80 === 0 && total > 0 && cumulativeShare >= 0.8 - 1e-12) itemsFor80 = i + 1
    const rankShare = (i + 1) / n
    return {
      ...item,
      value,
      rank: i + 1,
      share: total > 0 ? value / total : 0,
      cumulativeShare,
      tier: (rankShare <= 0.2 ? 'A' : rankShare <= 0.5 ? 'B' : 'C') as 'A' | 'B' | 'C',
    }
  })
  const top = Math.ceil(n * 0.2)
  const topValue = sorted.slice(0, top).reduce((a, b) => a + b.value, 0)
  return { items: out, total, top20Share: total > 0 ? topValue / total : 0, itemsFor80, itemShareFor80: n > 0 ? itemsFor80 / n : 0 }
}

/**
 * pareto() from the values alone, sorted largest first (a typed array: no object per item), with
 * the ranks, shares and tiers of the first `head` items: for the many items of which a few are shown.
 */
export function paretoOfSorted(
  descending: ArrayLike<number>,
  head: number,
): Omit<ParetoResult<unknown>, 'items'> & { items: { value: number; rank: number; share: number; cumulativeShare: number; tier: 'A' | 'B' | 'C' }[] } {
  const n = descending.length
  let total = 0
  for (let i = 0; i < n; i++) total += descending[i]!
  const top = Math.ceil(n * 0.2)
  let cum = 0
  let topValue = 0
  let itemsFor80 = 0
  const items = []
  for (let i = 0; i < n; i++) {
    const value = descending[i]!
    cum += value
    if (i < top) topValue += value
    const cumulativeShare = total > 0 ? cum / total : 0
    if (itemsFor80 === 0 && total > 0 && cumulativeShare >= 0.8 - 1e-12) itemsFor80 = i + 1
    const rankShare = (i + 1) / n
    if (i < head)
      items.push({
        value,
        rank: i + 1,
        share: total > 0 ? value / total : 0,
        cumulativeShare,
        tier: (rankShare <= 0.2 ? 'A' : rankShare <= 0.5 ? 'B' : 'C') as 'A' | 'B' | 'C',
      })
  }
  return { items, total, top20Share: total > 0 ? topValue / total : 0, itemsFor80, itemShareFor80: n > 0 ? itemsFor80 / n : 0 }
}

export type BostonQuadrant = 'star' | 'cash_cow' | 'question' | 'dog'

/** BCG quadrant: high share + high growth = star, high share + low growth = cash cow, ... */
export function bostonQuadrant(share: number, growth: number, shareSplit: number, growthSplit: number): BostonQuadrant {
  const highShare = share >= shareSplit
  const highGrowth = growth >= growthSplit
  return highShare ? (highGrowth ? 'star' : 'cash_cow') : highGrowth ? 'question' : 'dog'
}

export interface FunnelStep<S extends string> {
  stage: S
  /** Customers currently at this stage. */
  current: number
  /** Customers that reached this stage or a later one. */
  reached: number
  /** reached(this) / reached(previous); null for the first stage or an empty previous. */
  conversion: number | null
}

/** Funnel conversion over ordered stages from the stage each customer has reached. */
export function funnel<S extends string>(stages: readonly S[], currentStageOf: S[]): FunnelStep<S>[] {
  return funnelOfCounts(
    stages,
    stages.map((s) => currentStageOf.filter((c) => c === s).length),
  )
}

/** The same from how many customers are at each stage now (`counts[i]` at `stages[i]`). */
export function funnelOfCounts<S extends string>(stages: readonly S[], counts: number[]): FunnelStep<S>[] {
  const reached = counts.map((_, i) => counts.slice(i).reduce((a, b) => a + b, 0))
  return stages.map((stage, i) => ({
    stage,
    current: counts[i]!,
    reached: reached[i]!,
    conversion: i === 0 || reached[i - 1]! === 0 ? null : reached[i]! / reached[i - 1]!,
  }))
}
