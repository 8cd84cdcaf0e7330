import * as turf from '@turf/turf'
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestCore } from '../testing'

type TestCore = ReturnType<typeof openTestCore>

describe('the demo county through the grid handlers', () => {
  let core: TestCore
  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', {})
  })
  afterAll(() => core?.dispose())

  const count = (sql: string, ...params: unknown[]) => (core.ctx.db.$client.prepare(sql).get(...params) as { n: number }).n

  it('loads 田东县: 10 townships, 173 villages, 12 grids in 4 centers, a few hundred key customers', async () => {
    const info = await core.call('app.info', {})
    expect(info.demoLoaded).toBe(true)
    expect(info.counts).toMatchObject({ grids: 12, villages: 173, keyCustomers: 360, visits: 2400 })
    expect(count("SELECT count(*) AS n FROM divisions WHERE level = 'township'")).toBe(10)
    expect(count("SELECT count(*) AS n FROM org_units WHERE level = 'center'")).toBe(4)
    expect(count('SELECT count(*) AS n FROM villages WHERE grid_id IS NULL')).toBe(0)
    expect(count("SELECT count(*) AS n FROM villages WHERE geometry_source <> 'generated'")).toBe(0)
    // The demo is master data, not the user's edits: nothing waits to be pushed.
    expect(info.pendingChanges).toBe(0)
  })

  it('refuses to load the demo twice and leaves the store as it was', async () => {
    const before = (await core.call('app.info', {})).counts
    await expect(core.call('demo.load', {})).rejects.toMatchObject({ code: 'DEMO_ALREADY_LOADED' })
    expect((await core.call('app.info', {})).counts).toEqual(before)
  })

  it('tiles the county with grid polygons: no gaps, no overlaps, every village inside its grid', async () => {
    const overview = await core.call('map.overview', {})
    expect(overview.generatedGeometry).toBe(true)
    const county = overview.county as unknown as Feature<Polygon>
    const grids = overview.grids.features as unknown as Feature<Polygon | MultiPolygon, { id: string }>[]
    expect(grids).toHaveLength(12)
    const gridArea = grids.reduce((sum, g) => sum + turf.area(g), 0)
    expect(Math.abs(gridArea - turf.area(county)) / turf.area(county)).toBeLessThan(0.001)
    for (let i = 0; i < grids.length; i++)
      for (let j = i + 1; j < grids.length; j++) {
        const overlap = turf.intersect(turf.featureCollection([grids[i]!, grids[j]!]))
        // Shared edges only: coordinates are rounded to 6 decimals (~10 cm), which leaves slivers
        // of a few hundred m² along long borders, never a real overlap.
        const smaller = Math.min(turf.area(grids[i]!), turf.area(grids[j]!))
        expect(overlap ? turf.area(overlap) / smaller : 0).toBeLessThan(1e-4)
      }
    const gridById = new Map(grids.map((g) => [g.properties.id, g]))
    for (const village of overview.villages.features) {
      const grid = gridById.get(village.properties.gridId!)!
      expect(turf.booleanPointInPolygon(village.geometry.coordinates as [number, number], grid)).toBe(true)
    }
  })

  it('lists grids with their counts, and searches by name, code and center', async () => {
    const all = await core.call('grids.list', {})
    expect(all).toHaveLength(12)
    const total = all.reduce((sum, g) => sum + g.villages, 0)
    expect(total).toBe(173)
    expect(all.reduce((sum, g) => sum + g.keyCustomers, 0)).toBe(360)
    const pingma = await core.call('grids.list', { search: '平马' })
    expect(pingma.length).toBeGreaterThanOrEqual(2)
    expect(pingma.every((g) => g.name.includes('平马') || g.centerName?.includes('平马'))).toBe(true)
    expect(await core.call('grids.list', { search: '451022-G03' })).toHaveLength(1)
    expect(await core.call('grids.list', { search: '%' })).toHaveLength(0)
  })

  it('summarises a grid with figures that match the store', async () => {
    const [grid] = await core.call('grids.list', { search: '451022-G05' })
    const summary = await core.call('grids.summary', { id: grid!.id })
    expect(summary.villages).toBe(count('SELECT count(*) AS n FROM villages WHERE grid_id = ?', grid!.id))
    expect(summary.households).toBe(count('SELECT sum(households) AS n FROM villages WHERE grid_id = ?', grid!.id))
    expect(summary.keyCustomersByTier.A + summary.keyCustomersByTier.B + summary.keyCustomersByTier.C).toBe(summary.keyCustomers)
    expect(summary.managerName).toBeTruthy()
    expect(summary.topVillages.length).toBeGreaterThan(0)
  })

  it('answers NOT_FOUND for a grid that does not exist', async () => {
    await expect(core.call('grids.summary', { id: '01900000-0000-7000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
