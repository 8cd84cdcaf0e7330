// Boston-matrix labels: a label goes below its bubble where above it would cover a neighbour.
import { describe, expect, it } from 'vitest'
import { bubbleLabelSides } from './AnalysisPanel'

describe('bubbleLabelSides', () => {
  it('puts labels below where a bubble sits just above or a higher neighbour shares the line (the demo county)', () => {
    const demo = {
      魔百和电视: { x: 17.5, y: 85 },
      云视讯: { x: 20, y: 71 },
      集团V网: { x: 15, y: 63 },
      '5G畅享套餐': { x: 17.2, y: 68 },
      '5G手机换机': { x: 17.2, y: 55 },
      和家亲安防: { x: 18.1, y: 51 },
      家庭融合套餐: { x: 18.9, y: 48 },
      千兆宽带: { x: 15.8, y: 46 },
    }
    const sides = bubbleLabelSides(Object.values(demo))
    expect(Object.fromEntries(Object.keys(demo).map((name, i) => [name, sides[i]]))).toEqual({
      魔百和电视: 'top',
      云视讯: 'top',
      集团V网: 'top',
      '5G畅享套餐': 'top',
      '5G手机换机': 'bottom',
      和家亲安防: 'top',
      家庭融合套餐: 'bottom',
      千兆宽带: 'top',
    })
  })

  it('keeps every label above when bubbles are far apart, and handles one bubble', () => {
    expect(
      bubbleLabelSides([
        { x: 0, y: 0 },
        { x: 10, y: 10 },
        { x: 20, y: 0 },
      ]),
    ).toEqual(['top', 'top', 'top'])
    expect(bubbleLabelSides([{ x: 5, y: 5 }])).toEqual(['top'])
  })
})
