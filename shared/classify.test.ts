import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { classIndex, classify, colourOf, NO_DATA_COLOUR, rampColours } from './classify'

describe('classify', () => {
  it('splits into quantile classes of about equal size', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    const classes = classify(values, 5, 'quantile')
    expect(classes.breaks).toHaveLength(4)
    expect(classes.range).toEqual([1, 100])
    expect(classes.counts).toEqual([20, 20, 20, 20, 20])
  })

  it('finds natural breaks between clusters', () => {
    const values = [1, 2, 3, 50, 51, 52, 100, 101, 102]
    const classes = classify(values, 3, 'natural')
    expect(classes.breaks).toEqual([3, 52])
    expect(classes.counts).toEqual([3, 3, 3])
  })

  it('leaves out nulls, and gives fewer classes when there are fewer distinct values', () => {
    expect(classify([null, undefined, Number.NaN], 5, 'quantile')).toEqual({ breaks: [], range: null, counts: [] })
    const two = classify([7, 7, 7, 9, null], 5, 'quantile')
    expect(two.breaks.length).toBeLessThanOrEqual(1)
    expect(two.counts.reduce((a, b) => a + b, 0)).toBe(4)
    expect(classify([4, 4, 4], 5, 'natural')).toEqual({ breaks: [], range: [4, 4], counts: [3] })
  })

  it('colours by class, light to dark, grey for no data', () => {
    const classes = classify([0, 10, 20, 30], 2, 'quantile')
    const colours = rampColours('good', 2)
    expect(colourOf(classes, colours, 0)).toBe(colours[0])
    expect(colourOf(classes, colours, 30)).toBe(colours[1])
    expect(colourOf(classes, colours, null)).toBe(NO_DATA_COLOUR)
    expect(rampColours('bad', 5)).toHaveLength(5)
    expect(new Set(rampColours('good', 7)).size).toBe(7)
  })

  it('quantile breaks are values someone has: no class is left empty between two neighbouring values', () => {
    // Found by the property below: interpolated quantiles of subnormal values left a class empty.
    const classes = classify([0, -5e-324, 1e-323], 3, 'quantile')
    expect(classes.counts.every((c) => c > 0)).toBe(true)
    expect(classify([1, 2, 3, 4], 2, 'quantile').breaks).toEqual([2])
  })

  it('every value lands in a class, breaks ascend, counts add up (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom('quantile' as const, 'natural' as const),
        (values, k, method) => {
          const classes = classify(values, k, method)
          const finite = values.filter((v): v is number => v !== null)
          expect(classes.counts.reduce((a, b) => a + b, 0)).toBe(finite.length)
          expect(classes.breaks.length).toBeLessThan(k)
          for (let i = 1; i < classes.breaks.length; i++) expect(classes.breaks[i]!).toBeGreaterThan(classes.breaks[i - 1]!)
          for (const v of finite) expect(classIndex(classes.breaks, v)).toBeLessThanOrEqual(classes.breaks.length)
          if (finite.length > 0) expect(classes.counts.every((c) => c > 0)).toBe(true)
          // A legend reads values someone has.
          for (const b of classes.breaks) expect(finite).toContain(b)
        },
      ),
    )
  })
})
