// Day plans against a real SQLite file: saving again replaces the plan (no doubled planned
// visits, left-out targets cancelled), the plan comes back in its saved order with its start,
// logging a visit completes the planned visit (and closes older open ones), unvisited targets
// carry to another day, and every write goes through the outbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VISIT_CORRECTION_DAYS, type VisitCompleteInput } from '../../../shared/api/visits'
import { localToday } from '../indicators/measures'
import { openTestCore, sqlReads } from '../testing'

let core: ReturnType<typeof openTestCore>
let gridId: string
const { one, all } = sqlReads(() => core)
const DAY = 86_400_000
const dayOffset = (days: number) => localToday(new Date(Date.now() + days * DAY))
type Customer = { id: string; name: string; lon: number; lat: number }
let customers: Customer[]

beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 300, visits: 200 })
  gridId = one<{ id: string }>(`SELECT id FROM org_units WHERE code = '451022-G03'`).id
  customers = all<Customer>(`SELECT id, name, lon, lat FROM key_customers WHERE grid_id = ? AND lon IS NOT NULL ORDER BY id LIMIT 6`, gridId)
})
afterAll(() => core?.dispose())

const planned = (date: string) =>
  all<{ customer_id: string; status: string }>(
    `SELECT customer_id, status FROM visits WHERE grid_id = ? AND planned_for = ? AND deleted_at IS NULL ORDER BY customer_id, status`,
    gridId,
    date,
  )
const refs = (list: Customer[]) => list.map((c) => ({ kind: 'customer' as const, id: c.id }))
const visitInput = (c: Customer, extra: Partial<VisitCompleteInput> = {}): VisitCompleteInput => ({
  target: { kind: 'customer', id: c.id },
  checkIn: { at: new Date().toISOString(), lon: c.lon, lat: c.lat, source: 'map' },
  purpose: '关系维系',
  outcome: '客户满意',
  ...extra,
})

describe('day plans', () => {
  it('saving again replaces the plan: no doubled planned visits, left-out targets cancelled', async () => {
    const date = dayOffset(2)
    const start = { lon: customers[0]!.lon + 0.01, lat: customers[0]!.lat }
    const first = await core.call('visits.plan', { date, gridId, start, startName: '平马镇', targets: refs(customers.slice(0, 5)), save: true })
    expect(first.planId).toBeTruthy()
    expect(first.stops).toHaveLength(5)
    const again = await core.call('visits.plan', { date, gridId, start, startName: '平马镇', targets: refs(customers.slice(0, 5)), save: true })
    expect(again.planId).toBe(first.planId)
    expect(planned(date).filter((v) => v.status === 'planned')).toHaveLength(5)
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM day_plans WHERE grid_id = ? AND plan_date = ? AND deleted_at IS NULL`, gridId, date).n).toBe(1)

    // Edited: two out, one in.
    const edited = await core.call('visits.plan', { date, gridId, targets: refs([...customers.slice(0, 3), customers[5]!]), save: true })
    expect(edited.planId).toBe(first.planId)
    const rows = planned(date)
    expect(
      rows
        .filter((v) => v.status === 'planned')
        .map((v) => v.customer_id)
        .sort(),
    ).toEqual([...customers.slice(0, 3), customers[5]!].map((c) => c.id).sort())
    expect(
      rows
        .filter((v) => v.status === 'cancelled')
        .map((v) => v.customer_id)
        .sort(),
    ).toEqual(
      customers
        .slice(3, 5)
        .map((c) => c.id)
        .sort(),
    )
    // The plan and its planned visits are in the outbox, as field data of the grid.
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM outbox WHERE table_name = 'day_plans' AND row_id = ?`, first.planId).n).toBeGreaterThanOrEqual(2)
  })

  it('comes back in its saved order with its start and its name', async () => {
    const date = dayOffset(3)
    const start = { lon: customers[0]!.lon, lat: customers[0]!.lat + 0.02 }
    const saved = await core.call('visits.plan', { date, gridId, start, startName: '平马镇', targets: refs(customers.slice(0, 4)), save: true })
    const back = await core.call('dayPlans.get', { gridId, date })
    expect(back!.stops.map((s) => s.id)).toEqual(saved.stops.map((s) => s.id))
    expect(back!.start).toEqual(start)
    expect(back!.startName).toBe('平马镇')
    expect(back!.stops.every((s) => s.visitStatus === 'planned' && s.visitId)).toBe(true)
    expect(await core.call('dayPlans.get', { gridId, date: dayOffset(40) })).toBeNull()
    const dates = await core.call('dayPlans.dates', { gridId, from: dayOffset(0) })
    expect(dates.find((d) => d.date === date)).toEqual({ date, planned: 4, done: 0 })
    // The customer's timeline says it is a planned visit, on its day.
    const timeline = (await core.call('customers.get', { id: customers[0]!.id })).timeline
    const entry = timeline.find((e) => e.kind === 'visit' && e.status === 'planned' && e.plannedFor === date)
    expect(entry).toMatchObject({ kind: 'visit', status: 'planned', plannedFor: date })
    expect(timeline.filter((e) => e.kind === 'visit' && e.status === 'done').every((e) => e.kind === 'visit' && e.plannedFor === null)).toBe(true)
  })

  it('logging a visit for a planned target completes that planned visit; no empty visit is left', async () => {
    const today = dayOffset(0)
    const c = customers[1]!
    // An old plan left an open planned visit for the same customer (yesterday).
    await core.call('visits.plan', { date: dayOffset(-1), gridId, targets: refs([c]), save: true })
    const plan = await core.call('visits.plan', { date: today, gridId, targets: refs([c, customers[2]!]), save: true })
    const plannedId = plan.stops.find((s) => s.id === c.id)!.visitId!
    const draft = await core.call('visits.saveDraft', { form: { purpose: 'x' } })
    const done = await core.call('visits.complete', visitInput(c, { id: draft.id }))
    expect(done.visit.id).toBe(plannedId)
    expect(done.visit.status).toBe('done')
    expect(done.visit.plannedFor).toBe(today)
    const open = all<{ id: string }>(
      `SELECT id FROM visits WHERE customer_id = ? AND status = 'planned' AND planned_for <= ? AND deleted_at IS NULL`,
      c.id,
      today,
    )
    expect(open).toEqual([])
    expect(await core.call('visits.drafts', {})).toEqual([])
    const back = await core.call('dayPlans.get', { gridId, date: today })
    expect(back!.stops.find((s) => s.id === c.id)!.visitStatus).toBe('done')
    // The customer's visits: the done one, nothing empty.
    const list = await core.call('visits.list', { customerId: c.id, limit: 50 })
    expect(list.filter((v) => v.status === 'planned' && (v.at ?? '') <= today)).toEqual([])
  })

  it('carries the targets not visited yet to another day', async () => {
    const today = dayOffset(0)
    const tomorrow = dayOffset(1)
    await core.call('visits.plan', { date: tomorrow, gridId, targets: refs([customers[4]!]), save: true })
    const moved = await core.call('dayPlans.carry', { gridId, from: today, to: tomorrow })
    expect(moved.stops.map((s) => s.id).sort()).toEqual([customers[2]!.id, customers[4]!.id].sort())
    const left = await core.call('dayPlans.get', { gridId, date: today })
    expect([...left!.stops, ...left!.unplaced].map((s) => s.id)).toEqual([customers[1]!.id])
    expect(planned(today).filter((v) => v.status === 'planned')).toEqual([])
  })
})

describe('dayPlans.add (加入计划 from wherever the target is)', () => {
  it("adds a target to its grid's plan of the day once, creating the plan; a second add says it is there", async () => {
    const date = dayOffset(9)
    const [c1, c2] = [customers[0]!, customers[1]!]
    expect(await core.call('dayPlans.get', { gridId, date })).toBeNull()
    expect(await core.call('dayPlans.add', { date, target: { kind: 'customer', id: c1.id } })).toEqual({ added: true, gridId, count: 1 })
    expect(await core.call('dayPlans.add', { date, target: { kind: 'customer', id: c2.id } })).toEqual({ added: true, gridId, count: 2 })
    expect(await core.call('dayPlans.add', { date, target: { kind: 'customer', id: c1.id } })).toEqual({ added: false, gridId, count: 2 })
    const plan = (await core.call('dayPlans.get', { gridId, date }))!
    expect([...plan.stops, ...plan.unplaced].map((s) => s.id)).toEqual([c1.id, c2.id])
    expect(planned(date).filter((v) => v.status === 'planned')).toHaveLength(2)
    // A village goes into its own grid's plan too.
    const village = one<{ id: string; grid_id: string }>(
      `SELECT id, grid_id FROM villages WHERE grid_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 1`,
      gridId,
    )
    expect(await core.call('dayPlans.add', { date, target: { kind: 'village', id: village.id } })).toEqual({ added: true, gridId, count: 3 })
  })

  it('refuses an unknown target and one in no grid, changing nothing', async () => {
    const date = dayOffset(10)
    const outbox = one<{ n: number }>(`SELECT count(*) AS n FROM outbox`).n
    const unknown = await core.dispatch('dayPlans.add', { date, target: { kind: 'customer', id: '01900000-0000-7000-8000-000000000000' } })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', issues: [{ path: ['target', 'id'], message: 'unknownTarget' }] } })
    const loose = await core.call('customers.create', { name: '无网格客户', category: 'commerce' })
    const before = one<{ n: number }>(`SELECT count(*) AS n FROM outbox`).n
    expect(before).toBeGreaterThan(outbox)
    const noGrid = await core.dispatch('dayPlans.add', { date, target: { kind: 'customer', id: loose.id } })
    expect(noGrid).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: ['target', 'id'], message: 'noGrid' }] } })
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM outbox`).n).toBe(before)
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM day_plans WHERE plan_date = ?`, date).n).toBe(0)
  })
})

describe('visit correction', () => {
  it(`refuses to correct a visit older than ${VISIT_CORRECTION_DAYS} days (tooOldToCorrect), changing nothing`, async () => {
    const c = customers[4]!
    const done = await core.call('visits.complete', visitInput(c))
    // Checked in long ago (as a visit logged then would be).
    const old = new Date(Date.now() - (VISIT_CORRECTION_DAYS + 1) * DAY).toISOString()
    core.ctx.db.$client.prepare(`UPDATE visits SET checked_in_at = ? WHERE id = ?`).run(old, done.visit.id)
    const outbox = one<{ n: number }>(`SELECT count(*) AS n FROM outbox`).n
    const refused = await core.dispatch('visits.correct', { id: done.visit.id, patch: { outcome: '改口：客户不满意' } })
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: ['id'], message: 'tooOldToCorrect' }] } })
    expect(one<{ outcome: string }>(`SELECT outcome FROM visits WHERE id = ?`, done.visit.id).outcome).toBe('客户满意')
    expect(one<{ n: number }>(`SELECT count(*) AS n FROM outbox`).n).toBe(outbox)
    // One day younger than the limit is still correctable.
    const recent = new Date(Date.now() - (VISIT_CORRECTION_DAYS - 1) * DAY).toISOString()
    core.ctx.db.$client.prepare(`UPDATE visits SET checked_in_at = ? WHERE id = ?`).run(recent, done.visit.id)
    expect((await core.call('visits.correct', { id: done.visit.id, patch: { outcome: '客户满意，再约' } })).outcome).toBe('客户满意，再约')
  })

  it('changes a recent visit through the outbox and lists its history', async () => {
    const c = customers[3]!
    const done = await core.call('visits.complete', visitInput(c, { nextAction: { action: '送资费单', due: dayOffset(2) }, objections: [{ code: 'price' }] }))
    const fixed = await core.call('visits.correct', {
      id: done.visit.id,
      patch: {
        outcome: '客户满意，约定下周签约',
        objections: [{ code: 'signal', detail: '村口信号弱' }],
        nextAction: { action: '带合同上门', due: dayOffset(4) },
      },
    })
    expect(fixed.outcome).toBe('客户满意，约定下周签约')
    expect(fixed.objections.map((o) => o.code)).toEqual(['signal'])
    expect(fixed.nextActionDue).toBe(dayOffset(4))
    expect(fixed.workOrders).toHaveLength(1)
    expect(fixed.workOrders[0]!.title).toBe('带合同上门')
    const history = await core.call('visits.history', { id: done.visit.id })
    expect(history[0]!.table).toBeTruthy()
    expect(history.some((h) => h.table === 'visits' && h.changes.some((x) => x.field === 'outcome' && x.value === '客户满意，约定下周签约'))).toBe(true)
    expect(history.some((h) => h.table === 'visit_objections' && h.op === 'delete')).toBe(true)
  })
})
