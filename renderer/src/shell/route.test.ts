import { describe, expect, it } from 'vitest'
import { formatRoute, parseRoute } from './route'

describe('hash routes', () => {
  it('round-trips a page with a selected grid', () => {
    const route = { page: 'grids' as const, gridId: '0199fbab-db13-7781-b8c6-1e341b37291c' }
    expect(formatRoute(route)).toBe('#/grids?grid=0199fbab-db13-7781-b8c6-1e341b37291c')
    expect(parseRoute(formatRoute(route))).toEqual(route)
  })

  it('opens the map for an empty or unknown hash', () => {
    expect(parseRoute('')).toEqual({ page: 'map' })
    expect(parseRoute('#/')).toEqual({ page: 'map' })
    expect(parseRoute('#/nonsense?grid=x')).toEqual({ page: 'map', gridId: 'x' })
  })

  it('knows every page of the navigation, built or not', () => {
    expect(parseRoute('#/reports')).toEqual({ page: 'reports' })
    expect(parseRoute('#visits')).toEqual({ page: 'visits' })
  })
})
