// Classes for a choropleth: break values from quantiles or natural breaks (Ckmeans, the optimal
// 1-D k-means that Jenks approximates), and the colour of a value. Both sides use it: the map
// page colours by it, a report may print the same legend.
import { ckmeans } from 'simple-statistics'

export const classMethods = ['quantile', 'natural'] as const
export type ClassMethod = (typeof classMethods)[number]

export interface Classes {
  /** Ascending upper bounds of every class but the last; `breaks.length + 1` classes. */
  breaks: number[]
  /** [min, max] of the values classed; null when there were none. */
  range: [number, number] | null
  /** Values per class, same order as the colours. */
  counts: number[]
}

/**
 * Up to `k` classes of the finite values (nulls are left out: "no data" is shown apart). Fewer
 * classes when there are fewer distinct values; break values are taken from the data so a
 * legend reads "12.5–20.1", never a value nobody has.
 */
export function classify(values: readonly (number | null | undefined)[], k: number, method: ClassMethod): Classes {
  const sorted = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return { breaks: [], range: null, counts: [] }
  const range: [number, number] = [sorted[0]!, sorted.at(-1)!]
  const distinct = new Set(sorted).size
  const classes = Math.max(1, Math.min(k, distinct))
  let breaks: number[]
  if (classes === 1) breaks = []
  else if (method === 'natural') {
    // ckmeans groups are sorted; a class's upper bound is its largest member.
    breaks = ckmeans(sorted, classes)
      .slice(0, -1)
      .map((group) => group.at(-1)!)
  } else {
    // Nearest rank: each break is a value someone has (an interpolated quantile is not, and between
    // two neighbouring values it can leave a class with no member at all).
    const n = sorted.length
    breaks = Array.from({ length: classes - 1 }, (_, i) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(((i + 1) / classes) * n) - 1))]!)
  }
  // Ties (many equal values) can give equal quantiles: keep each break once, below the maximum.
  breaks = [...new Set(breaks)].filter((b) => b < range[1])
  const counts = new Array<number>(breaks.length + 1).fill(0)
  for (const v of sorted) counts[classIndex(breaks, v)]!++
  return { breaks, range, counts }
}

/** The class a value falls in: the first whose upper bound is ≥ the value. */
export function classIndex(breaks: readonly number[], value: number): number {
  let i = 0
  while (i < breaks.length && value > breaks[i]!) i++
  return i
}

// Sequential palettes (ColorBrewer YlGnBu / OrRd, 3–7 classes), light = low. "Higher is better"
// indicators use the blue-green ramp, "higher is worse" (days since the last visit) the red one.
const ramps = {
  good: ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'],
  bad: ['#fef0d9', '#fdd49e', '#fdbb84', '#fc8d59', '#ef6548', '#d7301f', '#990000'],
} as const
export type Ramp = keyof typeof ramps

export const NO_DATA_COLOUR = '#d9d9d9'

/** n colours spread along a ramp, light to dark. */
export function rampColours(ramp: Ramp, n: number): string[] {
  const colours = ramps[ramp]
  if (n <= 1) return [colours[3]!]
  return Array.from({ length: n }, (_, i) => colours[Math.round((i * (colours.length - 1)) / (n - 1))]!)
}

/** The fill of a value under the given classes. */
export function colourOf(classes: Classes, colours: readonly string[], value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || classes.range === null) return NO_DATA_COLOUR
  return colours[classIndex(classes.breaks, value)] ?? NO_DATA_COLOUR
}
