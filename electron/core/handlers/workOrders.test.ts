import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { openTestCore } from '../testing'

let core: ReturnType<typeof openTestCore>
beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 40, visits: 200 })
})
afterAll(() => core?.dispose())

const outbox = (table: string) =>
  core.ctx.db.$client.prepare(`SELECT row_id, op, fields FROM outbox WHERE table_name = ? ORDER BY device_seq`).all(table) as {
    row_id: string
    op: string
    fields: string
  }[]

describe('work orders', () => {
  it('creates one by hand with an SLA; the light follows the time left', async () => {
    const w = await core.call('workOrders.create', { title: '弱覆盖测速', orgUnitCode: '451022-G03', slaHours: 48 })
    expect(w).toMatchObject({ origin: 'manual', status: 'open', orgUnitCode: '451022-G03', slaHours: 48, light: 'green', overdue: false })
    expect(w.hoursLeft).toBeGreaterThan(47.9)
    const late = await core.call('workOrders.update', { id: w.id, patch: { dueAt: new Date(Date.now() - 3_600_000).toISOString() } })
    expect(late).toMatchObject({ light: 'red', overdue: true })
    const overdue = await core.call('workOrders.list', { overdueOnly: true })
    expect(overdue.some((o) => o.id === w.id)).toBe(true)
    expect(overdue.every((o) => o.overdue && o.light === 'red')).toBe(true)
    const done = await core.call('workOrders.update', { id: w.id, patch: { status: 'done' } })
    expect(done).toMatchObject({ status: 'done', light: 'none', overdue: false })
    expect(done.closedAt).not.toBeNull()
    const reopened = await core.call('workOrders.update', { id: w.id, patch: { status: 'open' } })
    expect(reopened.closedAt).toBeNull()
    expect(
      outbox('work_orders')
        .filter((r) => r.row_id === w.id)
        .map((r) => r.op),
    ).toEqual(['insert', 'update', 'update', 'update'])
  })

  it('creates one from a visit’s next action', async () => {
    const visit = core.ctx.db.$client
      .prepare(`SELECT id, next_action, grid_id, customer_id FROM visits WHERE next_action IS NOT NULL AND customer_id IS NOT NULL LIMIT 1`)
      .get() as { id: string; next_action: string; grid_id: string; customer_id: string }
    core.ctx.db.$client.prepare(`UPDATE visits SET next_action_due = '2099-01-15' WHERE id = ?`).run(visit.id)
    const w = await core.call('workOrders.create', { fromVisitId: visit.id })
    expect(w).toMatchObject({ origin: 'visit', title: visit.next_action, visitId: visit.id, customerId: visit.customer_id })
    expect(new Date(w.dueAt).getDate()).toBe(15)
    expect(w.orgUnitCode).toMatch(/^451022-G/)
    // Worded as the one made when the visit is logged: purpose, outcome and whom, one per line.
    const visitRow = core.ctx.db.$client.prepare('SELECT purpose, outcome FROM visits WHERE id = ?').get(visit.id) as {
      purpose: string | null
      outcome: string | null
    }
    const lines = (w.description ?? '').split('\n')
    if (visitRow.purpose) expect(lines).toContain(`拜访目的：${visitRow.purpose}`)
    if (visitRow.outcome) expect(lines).toContain(`拜访结果：${visitRow.outcome}`)
    expect(lines.at(-1)).toMatch(/^对象：/)
  })

  it('creates one from a dashboard alert, saying how far behind the grid is', async () => {
    await core.call('targets.set', { indicatorCode: 'new_mobile', orgUnitCode: '451022-G05', period: '2020-05', value: 100 })
    await core.call('actuals.record', { indicatorCode: 'new_mobile', orgUnitCode: '451022-G05', period: '2020-05', value: 40 })
    const w = await core.call('workOrders.create', { fromAlert: { indicatorCode: 'new_mobile', orgUnitCode: '451022-G05', period: '2020-05' } })
    expect(w.origin).toBe('alert')
    expect(w.title).toContain('落后时间进度 60.0 个百分点')
    expect(w.description).toContain('还差 60.0户')
    expect(w.assigneeName).not.toBeNull()
    expect(w.slaHours).toBe(72)
  })

  it('validates input', async () => {
    const fail = async (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: AppError) => e.code,
      )
    expect(await fail(core.call('workOrders.create', {}))).toBe('VALIDATION')
    expect(await fail(core.call('workOrders.create', { title: 'x', orgUnitCode: 'nope' }))).toBe('NOT_FOUND')
    expect(await fail(core.call('workOrders.update', { id: '0190f0f0-0000-7000-8000-000000000000', patch: { status: 'done' } }))).toBe('NOT_FOUND')
    expect((await core.call('workOrders.assignees', { region: '451022-C1' })).length).toBeGreaterThan(0)
  })
})
