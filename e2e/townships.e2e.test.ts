// Township outlines imported from a boundary file are drawn on the map as thin dashed lines
// over the grid colours, with a legend entry that switches them off and on (remembered).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as turf from '@turf/turf'
import type { Feature, Polygon } from 'geojson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

let app: Harness
let dir: string
let codes: string[]

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', { keyCustomers: 0, visits: 0 })
  dir = mkdtempSync(join(tmpdir(), 'griddesk-townships-e2e-'))
  // Outlines of three townships: the hull of their villages, a little wider.
  const villages = app.core.ctx.db.$client.prepare('SELECT township_code AS township, lon, lat FROM villages WHERE lon IS NOT NULL').all() as {
    township: string
    lon: number
    lat: number
  }[]
  const names = new Map(
    (app.core.ctx.db.$client.prepare("SELECT code, name FROM divisions WHERE level = 'township'").all() as { code: string; name: string }[]).map((d) => [
      d.code,
      d.name,
    ]),
  )
  codes = [...new Set(villages.map((v) => v.township))].sort().slice(0, 3)
  const features = codes.map((code): Feature<Polygon> => {
    const hull = turf.convex(turf.featureCollection(villages.filter((v) => v.township === code).map((v) => turf.point([v.lon, v.lat]))))!
    const wider = turf.buffer(hull, 0.3, { units: 'kilometers' })!
    const ring = (wider.geometry as Polygon).coordinates[0]!.map(([x, y]) => [Math.round(x! * 1e6) / 1e6, Math.round(y! * 1e6) / 1e6])
    return { type: 'Feature', properties: { 乡镇代码: code, 名称: names.get(code)! }, geometry: { type: 'Polygon', coordinates: [ring] } }
  })
  const path = join(dir, 'townships.geojson')
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features }))
  await app.core.call('import.commit', { kind: 'townships', source: { path }, mapping: { code: '乡镇代码', name: '名称' } })
})
afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('township outlines on the map', () => {
  it('draws the imported township outlines, says what they are in the legend, and switches them off and on', async () => {
    const { page } = app
    await page.goto(`${app.url}#/map`)
    await page.locator('[data-map-ready="true"]').waitFor()
    const outlines = page.locator('path.township-outline')
    await expect.poll(() => outlines.count()).toBe(3)
    for (const code of codes) expect(await page.locator(`path.township-${code}`).count()).toBe(1)
    // Thin, dashed, not filled, and not in the way of clicks on the grids.
    const look = await outlines.first().evaluate((p) => ({
      dash: p.getAttribute('stroke-dasharray'),
      width: p.getAttribute('stroke-width'),
      fill: p.getAttribute('fill'),
      events: getComputedStyle(p).pointerEvents,
    }))
    expect(look).toEqual({ dash: '5 4', width: '1.2', fill: 'none', events: 'none' })
    const legend = page.getByTestId('map-townships-legend')
    await legend.getByText('乡镇界').waitFor()
    await app.screenshot('townships-on')
    await page.getByTestId('map-townships').click()
    await expect.poll(() => outlines.count()).toBe(0)
    // The choice is remembered.
    await page.reload()
    await page.locator('[data-map-ready="true"]').waitFor()
    await page.getByTestId('map-townships-legend').waitFor()
    expect(await outlines.count()).toBe(0)
    await page.getByTestId('map-townships').click()
    await expect.poll(() => outlines.count()).toBe(3)
    await page.getByTestId('language-switch').getByText('English').click()
    await page.getByTestId('map-townships-legend').getByText('Township boundaries').waitFor()
    expect(app.problems).toEqual([])
  })

  it('offers no township switch where none were imported', async () => {
    app.core.ctx.db.$client.prepare("UPDATE divisions SET boundary = NULL WHERE level = 'township'").run()
    const { page } = app
    await page.goto(`${app.url}#/map`)
    await page.reload()
    await page.locator('[data-map-ready="true"]').waitFor()
    await page.getByTestId('map-legend').waitFor()
    expect(await page.getByTestId('map-townships').count()).toBe(0)
    expect(await page.locator('path.township-outline').count()).toBe(0)
  })
})
