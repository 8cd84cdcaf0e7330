// Drawing and editing a grid's boundary on the map, in Chromium: drag a vertex of a grid
// into its neighbour, see the overlap warning naming the neighbour, save and see the outline
// change; cancel leaves everything as it was; draw a new boundary by clicking on the map; a
// bow-tie is refused with a translated message and nothing stored.
import * as turf from '@turf/turf'
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

let app: Harness
type Area = Feature<Polygon | MultiPolygon>
interface GridRow {
  id: string
  code: string
  name: string
  boundary: string
}
/** A grid with no edge on the county outline: moving its outermost vertex outward enters a neighbour. */
let grid: GridRow
let neighbourNames: string[]

const sql = <T>(query: string, ...params: unknown[]) => app.core.ctx.db.$client.prepare(query).all(...params) as T[]
const stored = () => sql<{ boundary: string; source: string }>('SELECT boundary, geometry_source AS source FROM org_units WHERE id = ?', grid.id)[0]!
const snapshot = () => ({ units: sql('SELECT * FROM org_units ORDER BY id'), outbox: sql('SELECT * FROM outbox ORDER BY device_seq') })

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  const grids = sql<GridRow>("SELECT id, code, name, boundary FROM org_units WHERE level = 'grid' ORDER BY code")
  const county = sql<{ boundary: string }>("SELECT boundary FROM org_units WHERE level = 'county'")[0]!
  const outline = turf.polygonToLine(turf.feature(JSON.parse(county.boundary)) as Area)
  const area = (g: GridRow) => turf.feature(JSON.parse(g.boundary)) as Area
  const lines = 'features' in outline ? outline.features : [outline]
  const neighbours = (of: GridRow) => grids.filter((g) => g.id !== of.id && turf.booleanIntersects(area(of), area(g)))
  // Of the grids inside the county, the one with the most neighbours (平马乡村网格 in the demo).
  const inner = grids.filter((g) => lines.every((l) => !turf.booleanIntersects(turf.buffer(area(g), 0.2, { units: 'kilometers' })!, l)))
  grid = inner.sort((a, b) => neighbours(b).length - neighbours(a).length)[0]!
  neighbourNames = neighbours(grid).map((g) => g.name)
  expect(neighbourNames.length).toBeGreaterThan(2)
})
afterAll(async () => {
  await app?.close()
})

async function openEditor(screenshot?: string) {
  const { page } = app
  // A fresh page each time (the editor is state of the grids page, not of the URL).
  await page.goto('about:blank')
  await page.goto(`${app.url}#/grids`)
  await page.locator(`[data-grid-code="${grid.code}"]`).click()
  await page.getByTestId('grid-summary-name').getByText(grid.name).waitFor()
  if (screenshot) await app.screenshot(screenshot)
  await page.getByTestId('grid-edit-boundary').click()
  await page.locator('[data-testid="boundary-editor"][data-editor-ready="true"]').waitFor()
}

/** Screen boxes of Geoman's vertex handles (not the mid-edge ones). */
const vertexBoxes = async () => {
  const boxes = await app.page.locator('.leaflet-marker-pane .marker-icon:not(.marker-icon-middle)').evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect()
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 }
    }),
  )
  expect(boxes.length).toBeGreaterThan(3)
  return boxes
}

/** Drags the vertex farthest from the others' centre outward by `by` pixels; returns where it went. */
async function dragOutermostVertex(by: number) {
  const { page } = app
  const boxes = await vertexBoxes()
  const cx = boxes.reduce((s, b) => s + b.x, 0) / boxes.length
  const cy = boxes.reduce((s, b) => s + b.y, 0) / boxes.length
  const far = boxes.reduce((a, b) => (Math.hypot(b.x - cx, b.y - cy) > Math.hypot(a.x - cx, a.y - cy) ? b : a))
  const d = Math.hypot(far.x - cx, far.y - cy)
  const to = { x: far.x + ((far.x - cx) / d) * by, y: far.y + ((far.y - cy) / d) * by }
  await page.mouse.move(far.x, far.y)
  await page.mouse.down()
  await page.mouse.move(to.x, to.y, { steps: 12 })
  await page.mouse.up()
  return { from: far, to }
}

const pathBox = (selector: string) =>
  app.page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const r = el.getBoundingClientRect()
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }
    })

describe('grid boundary editor', () => {
  it('drags a vertex into the neighbour, warns about the overlap by name, saves, and the outline changes', async () => {
    const { page } = app
    const before = snapshot()
    await openEditor('80-grid-summary-edit-boundary')
    // The stored boundary is checked at once: the demo county has no overlaps or gaps.
    await page.getByTestId('boundary-no-warnings').waitFor()
    await expect.poll(() => page.getByTestId('boundary-save').isDisabled()).toBe(true)
    const original = await pathBox('path.boundary-editing')
    await app.screenshot('80-boundary-edit')

    const { to } = await dragOutermostVertex(90)
    const overlap = page.getByTestId('boundary-warnings').locator('[data-kind="overlap"]').first()
    await overlap.waitFor()
    const text = (await overlap.textContent())!
    expect(text).toMatch(/^与 .+ 重叠 [\d.]+ 平方公里$/)
    expect(neighbourNames.some((n) => text.includes(n))).toBe(true)
    await expect.poll(() => page.locator('.boundary-warning-marker').count()).toBeGreaterThan(0)
    // Nothing is stored while editing: the checks are dry runs.
    expect(snapshot()).toEqual(before)
    await app.screenshot('80-boundary-overlap-warning')

    await page.getByTestId('boundary-save').click()
    await page.locator('[data-testid="boundary-notice"][data-notice="saved"]').waitFor()
    await page.locator('[data-testid="boundary-editor"][data-mode="view"]').waitFor()
    // The saved warnings stay on screen; the stored grid is drawn again, reaching where the vertex went.
    await page.getByTestId('boundary-warnings').locator('[data-kind="overlap"]').first().waitFor()
    const path = `path.grid-${grid.code}`
    await page.locator(path).waitFor()
    const saved = await pathBox(path)
    const grownBy = Math.max(original.left - saved.left, original.top - saved.top, saved.right - original.right, saved.bottom - original.bottom)
    expect(grownBy).toBeGreaterThan(30)
    // (The vertex may have snapped to a neighbour's vertex or edge within 14 px of where it was let go.)
    expect(to.x).toBeGreaterThan(saved.left - 16)
    expect(to.x).toBeLessThan(saved.right + 16)
    expect(to.y).toBeGreaterThan(saved.top - 16)
    expect(to.y).toBeLessThan(saved.bottom + 16)
    await app.screenshot('80-boundary-saved')

    const row = stored()
    expect(row.source).toBe('drawn')
    expect(row.boundary).not.toBe(grid.boundary)
    const changes = sql<{ row_id: string; fields: string }>('SELECT row_id, fields FROM outbox WHERE table_name = ?', 'org_units')
    expect(changes.at(-1)!.row_id).toBe(grid.id)
    expect(JSON.parse(changes.at(-1)!.fields).boundary).toBe(row.boundary)
    // The layout check on the map page sees the same overlap.
    const check = await app.core.call('grids.check', {})
    expect(check.issues.some((i) => i.kind === 'overlap' && i.grids.some((g) => g.id === grid.id))).toBe(true)
    grid = { ...grid, boundary: row.boundary }
  })

  it('cancel after dragging a vertex leaves the boundary and the outbox as they were', async () => {
    const { page } = app
    const before = snapshot()
    await openEditor()
    await page.getByTestId('boundary-warnings').waitFor()
    const original = await pathBox('path.boundary-editing')
    await dragOutermostVertex(60)
    await expect.poll(() => page.getByTestId('boundary-save').isEnabled()).toBe(true)
    await page.getByTestId('boundary-cancel').click()
    await page.locator('[data-testid="boundary-notice"][data-notice="cancelled"]').waitFor()
    await expect.poll(() => page.locator('.leaflet-marker-pane .marker-icon').count()).toBe(0)
    const shown = await pathBox(`path.grid-${grid.code}`)
    for (const side of ['left', 'top', 'right', 'bottom'] as const) expect(Math.abs(shown[side] - original[side])).toBeLessThan(2)
    await app.screenshot('80-boundary-cancelled')
    expect(snapshot()).toEqual(before)

    // In English, Geoman's own tooltips included.
    await page.getByTestId('language-switch').getByText('English').click()
    await page.getByTestId('boundary-mode-draw').getByText('Draw anew').waitFor()
    await page.getByTestId('boundary-mode-draw').click()
    await page.locator('[data-testid="boundary-editor"][data-mode="draw"][data-editor-ready="true"]').waitFor()
    const map = (await page.getByTestId('boundary-map').boundingBox())!
    await page.mouse.move(map.x + map.width / 2, map.y + map.height / 2)
    await page.getByText('Click to place first vertex').waitFor()
    await app.screenshot('80-boundary-draw-en')
    await page.getByTestId('boundary-cancel').getByText('Cancel').click()
    await page.getByTestId('language-switch').getByText('中文').click()
    await page.getByTestId('boundary-mode-draw').getByText('重新绘制').waitFor()
    expect(snapshot()).toEqual(before)
  })

  it('refuses a bow-tie drawn by clicks with a translated message, then draws and saves a new boundary', async () => {
    const { page } = app
    const before = snapshot()
    await openEditor()
    await page.getByTestId('boundary-switch-draw').click()
    await page.locator('[data-testid="boundary-editor"][data-mode="draw"][data-editor-ready="true"]').waitFor()
    const map = (await page.getByTestId('boundary-map').boundingBox())!
    const cx = map.x + map.width / 2
    const cy = map.y + map.height / 2
    const click = async (dx: number, dy: number) => {
      await page.mouse.click(cx + dx, cy + dy)
      await page.waitForTimeout(80)
    }
    // Top-left, bottom-right, top-right, bottom-left, back to the first: the edges cross.
    for (const [dx, dy] of [
      [-80, -60],
      [80, 60],
      [80, -60],
      [-80, 60],
      [-80, -60],
    ] as const)
      await click(dx, dy)
    const invalid = page.getByTestId('boundary-invalid')
    await invalid.getByText('边界自相交，且无法安全自动修复').waitFor()
    await expect.poll(() => page.getByTestId('boundary-save').isDisabled()).toBe(true)
    await app.screenshot('80-boundary-bowtie-refused')
    expect(snapshot()).toEqual(before)

    // Draw anew: a pentagon around the map's centre, finished on its first point.
    await page.getByTestId('boundary-cancel').click()
    await page.getByTestId('boundary-mode-draw').click()
    await page.locator('[data-testid="boundary-editor"][data-mode="draw"][data-editor-ready="true"]').waitFor()
    for (const [dx, dy] of [
      [-90, -40],
      [0, -90],
      [90, -40],
      [60, 70],
      [-60, 70],
      [-90, -40],
    ] as const)
      await click(dx, dy)
    await page.getByTestId('boundary-hint').getByText('新边界已画好').waitFor()
    await page.getByTestId('boundary-area').waitFor()
    await expect.poll(() => page.getByTestId('boundary-save').isEnabled()).toBe(true)
    await app.screenshot('80-boundary-drawn')
    await page.getByTestId('boundary-save').click()
    await page.locator('[data-testid="boundary-notice"][data-notice="saved"]').waitFor()
    const saved = JSON.parse(stored().boundary) as Polygon
    expect(saved.type).toBe('Polygon')
    expect(saved.coordinates[0]).toHaveLength(6)
    expect(turf.kinks(turf.feature(saved) as Area).features).toHaveLength(0)
    // A smaller grid in the middle of the old one: its neighbours are left with a gap, villages with no grid.
    await page.getByTestId('boundary-warnings').locator('[data-kind="gap"]').first().waitFor()
    await app.screenshot('80-boundary-drawn-saved')
    expect(app.problems).toEqual([])
  })
})
