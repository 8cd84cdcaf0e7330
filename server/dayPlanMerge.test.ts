// Two devices of one grid each save a plan for the same day while offline, then sync through a
// real HQ: both end with the same plan (the newest wins on every device alike), its planned count
// is one per target of that plan — never the two plans' visits added up — and the next save on
// either device cancels the losing plan's planned visits, so nothing open is left twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enrol, runSync } from '../electron/core/sync/engine'
import { openTestCore } from '../electron/core/testing'
import { startTestHq, type TestHq } from './testing'

type Device = ReturnType<typeof openTestCore>
const GRID = '451022-G03'
const DATE = '2030-05-06'

describe('two devices plan the same grid and day', () => {
  let hq: TestHq
  let a: Device
  let b: Device
  let gridId: string
  let villages: string[]
  beforeAll(async () => {
    hq = await startTestHq()
    a = openTestCore()
    b = openTestCore()
    await enrol(a.ctx, hq.url, await hq.userWithCode('plan-a', 'grid_manager', [GRID]), 'laptop-a')
    await enrol(b.ctx, hq.url, await hq.userWithCode('plan-b', 'grid_manager', [GRID]), 'laptop-b')
    await runSync(a.ctx)
    await runSync(b.ctx)
    const sqlite = a.ctx.db.$client
    gridId = (sqlite.prepare('SELECT id FROM org_units WHERE code = ?').get(GRID) as { id: string }).id
    villages = (
      sqlite.prepare('SELECT id FROM villages WHERE grid_id = ? AND deleted_at IS NULL AND lon IS NOT NULL ORDER BY id LIMIT 4').all(gridId) as { id: string }[]
    ).map((r) => r.id)
    expect(villages).toHaveLength(4)
  }, 240_000)
  afterAll(async () => {
    a?.dispose()
    b?.dispose()
    await hq?.close()
  })

  const refs = (ids: string[]) => ids.map((id) => ({ kind: 'village' as const, id }))
  const openPlanned = (d: Device) =>
    d.ctx.db.$client
      .prepare(
        `SELECT village_id AS id, count(*) AS n FROM visits WHERE grid_id = ? AND planned_for = ? AND status = 'planned' AND deleted_at IS NULL GROUP BY 1 ORDER BY 1`,
      )
      .all(gridId, DATE) as { id: string; n: number }[]

  it('ends with one plan on both devices, counted once per target', async () => {
    await a.call('visits.plan', { date: DATE, gridId, targets: refs(villages.slice(0, 3)), save: true })
    await b.call('visits.plan', { date: DATE, gridId, targets: refs(villages.slice(1, 4)), save: true })
    await runSync(a.ctx)
    await runSync(b.ctx)
    await runSync(a.ctx)

    const planA = (await a.call('dayPlans.get', { gridId, date: DATE }))!
    const planB = (await b.call('dayPlans.get', { gridId, date: DATE }))!
    expect(planA.planId).toBe(planB.planId)
    const targets = [...planA.stops, ...planA.unplaced].map((s) => s.id).sort()
    expect([...planB.stops, ...planB.unplaced].map((s) => s.id).sort()).toEqual(targets)
    expect(targets).toHaveLength(3)
    // Both devices hold both plans' planned visits (6 rows for 4 villages), yet the day counts 3.
    expect(openPlanned(a).reduce((n, r) => n + r.n, 0)).toBe(6)
    for (const d of [a, b])
      expect((await d.call('dayPlans.dates', { gridId, from: DATE })).find((r) => r.date === DATE)).toEqual({ date: DATE, planned: 3, done: 0 })
    // A village in both plans has two open planned visits until the next save.
    const both = villages[1]!
    expect(openPlanned(a).find((r) => r.id === both)!.n).toBe(2)
  })

  it("the next save on either device cancels the losing plan's planned visits; after a sync both agree", async () => {
    const plan = (await b.call('dayPlans.get', { gridId, date: DATE }))!
    const kept = [...plan.stops, ...plan.unplaced].map((s) => s.id)
    await b.call('visits.plan', { date: DATE, gridId, targets: refs(kept), save: true })
    await runSync(b.ctx)
    await runSync(a.ctx)
    for (const d of [a, b]) {
      expect(openPlanned(d)).toEqual(kept.sort().map((id) => ({ id, n: 1 })))
      const live = d.ctx.db.$client
        .prepare(`SELECT count(*) AS n FROM day_plans WHERE grid_id = ? AND plan_date = ? AND deleted_at IS NULL`)
        .get(gridId, DATE) as {
        n: number
      }
      expect(live.n).toBe(1)
    }
  })
})
