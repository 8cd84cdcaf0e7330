// The organisation hierarchy end to end: create a micro-grid under a grid; a bad code
// shows its translated error under the field and changes nothing; move two villages from one
// grid to its neighbour and see both outlines redrawn on the preview map.
import * as turf from '@turf/turf'
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

let app: Harness

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
})
afterAll(async () => {
  await app?.close()
})

const sql = <T>(query: string, ...params: unknown[]) => app.core.ctx.db.$client.prepare(query).all(...params) as T[]

async function openOrg() {
  const { page } = app
  await page.goto(`${app.url}#/grids`)
  await page.getByTestId('grids-view').getByText('组织架构').click()
  await page.locator('[data-org-code="451022-G03"]').waitFor()
}

describe('organisation', () => {
  it('creates a micro-grid under a grid', async () => {
    const { page } = app
    await openOrg()
    await app.screenshot('70-org-tree')
    await page.locator('[data-org-code="451022-G03"]').click()
    await page.getByTestId('org-add-child').click()
    const dialog = page.getByRole('dialog')
    await dialog.locator('input[data-field="code"]').fill('451022-G03-M1')
    await dialog.locator('input[data-field="name"]').fill('祥周一号微网格')
    await dialog.locator('input[data-field="managerUserId"]').click()
    await page.getByRole('option').first().click()
    await app.screenshot('70-org-create-microgrid')
    await dialog.getByTestId('org-save').click()
    await page.locator('[data-org-code="451022-G03-M1"]').waitFor()
    await expect.poll(() => page.getByTestId('org-unit-code').textContent()).toBe('451022-G03-M1')
    const [row] = sql<{ level: string; parent: string; manager: string | null }>(
      "SELECT o.level, p.code AS parent, o.manager_user_id AS manager FROM org_units o JOIN org_units p ON p.id = o.parent_id WHERE o.code = '451022-G03-M1'",
    )
    expect(row).toMatchObject({ level: 'microgrid', parent: '451022-G03' })
    expect(row!.manager).toBeTruthy()
    await app.screenshot('70-org-microgrid-created')
  })

  it('shows a translated error for a bad grid code and changes nothing', async () => {
    const { page } = app
    await openOrg()
    const before = sql('SELECT * FROM org_units ORDER BY id')
    const outbox = sql<{ n: number }>('SELECT count(*) AS n FROM outbox')[0]!.n
    await page.locator('[data-org-code="451022-G01"]').click()
    await page.getByTestId('org-edit').click()
    const dialog = page.getByRole('dialog')
    await dialog.locator('input[data-field="code"]').fill('bad code!')
    await dialog.locator('input[data-field="name"]').fill('平马城区网格（改名）')
    await dialog.getByTestId('org-save').click()
    await dialog.getByText('编码只能包含字母、数字、“-”或“_”，2–40 个字符').waitFor()
    await expect.poll(() => dialog.locator('input[data-field="code"]').getAttribute('aria-invalid')).toBe('true')
    await app.screenshot('70-org-bad-code')
    expect(sql('SELECT * FROM org_units ORDER BY id')).toEqual(before)
    expect(sql<{ n: number }>('SELECT count(*) AS n FROM outbox')[0]!.n).toBe(outbox)
    // Typed changes: 取消 asks before it drops them.
    await dialog.getByText('取消').click()
    await page.locator('[data-testid="unsaved-leave"]:visible').click()
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
  })

  it('moves two villages to the neighbouring grid and both outlines change on the map', async () => {
    const { page, core } = app
    // Two neighbouring grids with two villages of the first touching the second.
    const overview = await core.call('map.overview', {})
    const grids = overview.grids.features as unknown as Feature<Polygon | MultiPolygon, { id: string; code: string; name: string }>[]
    let pick: { from: (typeof grids)[number]; to: (typeof grids)[number]; villages: { id: string; name: string; township: string }[] } | undefined
    for (const from of grids)
      for (const to of grids) {
        if (pick || from === to) continue
        const border = sql<{ id: string; name: string; boundary: string; township: string }>(
          `SELECT v.id, v.name, v.boundary, d.name AS township FROM villages v LEFT JOIN divisions d ON d.code = v.township_code
           WHERE v.grid_id = ? ORDER BY v.division_code`,
          from.properties.id,
        ).filter((v) => turf.booleanIntersects(turf.feature(JSON.parse(v.boundary)), to))
        const sameTownship = border.filter((v) => v.township === border[0]?.township)
        if (sameTownship.length >= 2) pick = { from, to, villages: sameTownship.slice(0, 2) }
      }
    expect(pick).toBeDefined()
    const { from, to, villages } = pick!

    await openOrg()
    await page.locator(`[data-org-code="${to.properties.code}"]`).click()
    const map = page.getByTestId('org-map')
    const pathOf = (code: string) => map.locator(`path.grid-${code}`).getAttribute('d')
    await map.locator(`path.grid-${to.properties.code}`).waitFor()
    const before = { from: await pathOf(from.properties.code), to: await pathOf(to.properties.code) }
    const township = page.getByTestId('assign-township')
    await township.click()
    await page.getByRole('option', { name: villages[0]!.township, exact: true }).click()
    for (const v of villages) await page.getByTestId('assign-list').locator(`input[data-village="${v.name}"]`).check()
    await expect.poll(() => page.getByTestId('assign-apply').textContent()).toContain('+2')
    await app.screenshot('70-org-assign-before')
    await page.getByTestId('assign-apply').click()
    await page.getByTestId('assign-done').waitFor()
    await expect.poll(() => pathOf(to.properties.code)).not.toBe(before.to)
    await expect.poll(() => pathOf(from.properties.code)).not.toBe(before.from)
    const moved = sql<{ gridId: string }>(`SELECT grid_id AS gridId FROM villages WHERE id IN (?, ?)`, villages[0]!.id, villages[1]!.id)
    expect(moved.every((m) => m.gridId === to.properties.id)).toBe(true)
    await app.screenshot('70-org-assign-after')
    expect(app.problems).toEqual([])
  })
})
