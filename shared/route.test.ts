import { describe, expect, it } from 'vitest'
import { haversineM, pathLengthM, planRoute, type LonLat } from './route'

function permutations(n: number): number[][] {
  if (n === 0) return [[]]
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]))
}

describe('route', () => {
  it('measures great-circle distance', () => {
    // One degree of latitude is about 111.2 km; Tiandong to Baise is about 52 km.
    expect(haversineM({ lon: 107, lat: 23 }, { lon: 107, lat: 24 }) / 1000).toBeCloseTo(111.2, 0)
    expect(haversineM({ lon: 107.12, lat: 23.6 }, { lon: 106.62, lat: 23.9 }) / 1000).toBeGreaterThan(55)
  })

  it('visits points along a road in order from the start, wherever they were picked', () => {
    const road = [5, 1, 4, 2, 3].map((k) => ({ lon: 107 + k * 0.01, lat: 23.6 }))
    const order = planRoute({ lon: 107, lat: 23.6 }, road)
    expect(order.map((i) => road[i]!.lon)).toEqual([107.01, 107.02, 107.03, 107.04, 107.05])
    // Starting at the far end walks back.
    expect(planRoute({ lon: 107.06, lat: 23.6 }, road).map((i) => road[i]!.lon)).toEqual([107.05, 107.04, 107.03, 107.02, 107.01])
  })

  it('2-opt undoes the crossing nearest neighbour leaves behind', () => {
    // A square visited corner to corner crosses itself; the best open path walks the edges.
    const square: LonLat[] = [
      { lon: 107, lat: 23.6 },
      { lon: 107.01, lat: 23.61 },
      { lon: 107.01, lat: 23.6 },
      { lon: 107, lat: 23.61 },
    ]
    const order = planRoute(null, square)
    const best = Math.min(...permutations(4).map((p) => pathLengthM(null, square, p)))
    expect(pathLengthM(null, square, order)).toBeCloseTo(best, 3)
  })

  it('comes within 5% of the best order on random days of 8 stops', () => {
    let seed = 42
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const all = permutations(8)
    for (let day = 0; day < 8; day++) {
      const start = { lon: 107 + rnd() * 0.2, lat: 23.5 + rnd() * 0.2 }
      const stops = Array.from({ length: 8 }, () => ({ lon: 107 + rnd() * 0.2, lat: 23.5 + rnd() * 0.2 }))
      const planned = pathLengthM(start, stops, planRoute(start, stops))
      const best = Math.min(...all.map((p) => pathLengthM(start, stops, p)))
      expect(planned).toBeLessThanOrEqual(best * 1.05)
      expect(new Set(planRoute(start, stops)).size).toBe(8)
    }
  })

  it('handles no stops and one stop', () => {
    expect(planRoute(null, [])).toEqual([])
    expect(planRoute({ lon: 1, lat: 1 }, [{ lon: 2, lat: 2 }])).toEqual([0])
  })
})
