// Editing on a GCJ-02 basemap: the boundary is drawn shifted onto the basemap, and what the user
// edits comes back in WGS-84, untouched vertices exactly as stored.
import { describe, expect, it } from 'vitest'
import { geoJsonToDisplay, geometryFromDisplay, pointToDisplay } from './displayCrs'

const stored = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [107.1234567, 23.5123456],
      [107.1534567, 23.5123456],
      [107.1534567, 23.5423456],
      [107.1234567, 23.5123456],
    ],
  ],
}

describe('geometryFromDisplay', () => {
  it('gives back the stored vertices exactly and converts a moved one to WGS-84 within centimetres', () => {
    const shown = geoJsonToDisplay(stored, 'GCJ-02')
    // GCJ-02 lies a few hundred metres off in Guangxi.
    expect(Math.abs(shown.coordinates[0]![0]![0]! - stored.coordinates[0]![0]![0]!)).toBeGreaterThan(0.001)
    // Leaflet hands back 6 decimals; the user moved the third vertex onto a point of the basemap.
    const target = [107.16, 23.55] as [number, number]
    const [lat, lon] = pointToDisplay(target[0], target[1], 'GCJ-02')
    const edited = {
      type: 'Polygon' as const,
      coordinates: [shown.coordinates[0]!.map((p, i) => (i === 2 ? [lon, lat] : p.map((v) => Math.round(v * 1e6) / 1e6)))],
    }
    const back = geometryFromDisplay(edited, 'GCJ-02', stored)
    expect(back.coordinates[0]![0]).toEqual(stored.coordinates[0]![0])
    expect(back.coordinates[0]![1]).toEqual(stored.coordinates[0]![1])
    expect(back.coordinates[0]![3]).toEqual(stored.coordinates[0]![3])
    expect(back.coordinates[0]![2]![0]).toBeCloseTo(target[0], 5)
    expect(back.coordinates[0]![2]![1]).toBeCloseTo(target[1], 5)
  })

  it('changes nothing on a WGS-84 map', () => {
    expect(geometryFromDisplay(stored, 'WGS-84', stored)).toBe(stored)
  })
})

describe('geoJsonToDisplay', () => {
  it('shifts every layer of the map overview (and leaves features without geometry, flags and the input alone)', () => {
    const grid = { type: 'Feature' as const, properties: { id: 'g1' }, geometry: stored }
    const overview = {
      county: null,
      grids: { type: 'FeatureCollection' as const, features: [grid, { type: 'Feature' as const, properties: { id: 'g2' }, geometry: null }] },
      villages: {
        type: 'FeatureCollection' as const,
        features: [{ type: 'Feature' as const, properties: {}, geometry: { type: 'Point' as const, coordinates: [107.1, 23.5] } }],
      },
      generatedGeometry: true,
    }
    const shown = geoJsonToDisplay(overview, 'GCJ-02')
    expect(shown.county).toBeNull()
    expect(shown.generatedGeometry).toBe(true)
    expect(shown.grids.features[1]!.geometry).toBeNull()
    const [lat, lon] = pointToDisplay(107.1, 23.5, 'GCJ-02')
    expect(shown.villages.features[0]!.geometry.coordinates).toEqual([lon, lat])
    expect(shown.grids.features[0]!.geometry!.coordinates[0]![0]![0]).not.toBe(stored.coordinates[0]![0]![0])
    expect(overview.grids.features[0]!.geometry).toBe(stored)
    expect(stored.coordinates[0]![0]).toEqual([107.1234567, 23.5123456])
  })
})
