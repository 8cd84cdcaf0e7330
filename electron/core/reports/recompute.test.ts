// Each section of the county report, recomputed here straight from SQL and compared: the report
// must state the figures as of its period end (planned visits by plan day, work orders open and
// overdue at the end of the period), in local days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReportModel } from '../../../shared/api/reports'
import { openTestCore } from '../testing'
import { reportTables } from './tables'

let core: ReturnType<typeof openTestCore>
let m: ReportModel
const q = <T>(sql: string, ...params: unknown[]) => core.ctx.db.$client.prepare(sql).get(...params) as T
const all = <T>(sql: string, ...params: unknown[]) => core.ctx.db.$client.prepare(sql).all(...params) as T[]
const pad = (n: number) => String(n).padStart(2, '0')
/** Last month, in local time: a period that has ended. */
const today = new Date()
const first = new Date(today.getFullYear(), today.getMonth() - 1, 1)
const PERIOD = `${first.getFullYear()}-${pad(first.getMonth() + 1)}`
const START = `${PERIOD}-01`
const lastDay = new Date(first.getFullYear(), first.getMonth() + 1, 0)
const END = `${PERIOD}-${pad(lastDay.getDate())}`
/** Local midnight of a day, as stored (UTC ISO). */
const midnight = (y: number, m: number, d: number) => new Date(y, m, d).toISOString()
const FROM = midnight(first.getFullYear(), first.getMonth(), 1)
const TO = midnight(first.getFullYear(), first.getMonth() + 1, 1)
const GRIDS = `(SELECT id FROM org_units WHERE level = 'grid' AND deleted_at IS NULL)`

beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', {})
  // A work order open at the end of the period but done since: overdue in that report.
  const grid = q<{ id: string }>("SELECT id FROM org_units WHERE code = '451022-G01'")
  const at = (iso: string) => [iso, iso, `${iso}-0000-test`]
  core.ctx.db.$client
    .prepare(`INSERT INTO work_orders (id, created_at, updated_at, hlc, title, org_unit_id, origin, due_at, status, closed_at) VALUES ('01900000-0000-7000-8000-0000000000a1', ?, ?, ?, '补测', ?, 'manual', ?, 'done', ?)`)
    .run(...at(midnight(first.getFullYear(), first.getMonth(), 3)), grid.id, midnight(first.getFullYear(), first.getMonth(), 10), new Date().toISOString())
  // One created after the period: not in it at all.
  core.ctx.db.$client
    .prepare(`INSERT INTO work_orders (id, created_at, updated_at, hlc, title, org_unit_id, origin, due_at, status) VALUES ('01900000-0000-7000-8000-0000000000a2', ?, ?, ?, '后来的', ?, 'manual', ?, 'open')`)
    .run(...at(TO), grid.id, TO)
  m = await core.call('reports.preview', { region: '451022', period: PERIOD })
})
afterAll(() => core?.dispose())

describe('the county report, recomputed from SQL', () => {
  it('stands at the end of its period', () => {
    expect(m).toMatchObject({ periodStart: START, periodEnd: END, asOf: END })
    expect(m.workOrders.asOfAt).toBe(TO)
  })

  it('visits: planned by plan day, planned and done, done by check-in', () => {
    const planned = q<{ n: number; done: number }>(`SELECT count(*) AS n, sum(status = 'done') AS done FROM visits
      WHERE deleted_at IS NULL AND status <> 'cancelled' AND grid_id IN ${GRIDS} AND substr(planned_for, 1, 10) BETWEEN ? AND ?`, START, END)
    const done = q<{ n: number }>(`SELECT count(*) AS n FROM visits WHERE deleted_at IS NULL AND status = 'done' AND grid_id IN ${GRIDS} AND checked_in_at >= ? AND checked_in_at < ?`, FROM, TO)
    expect(planned.n).toBeGreaterThan(0)
    expect(m.visits).toMatchObject({ planned: planned.n, plannedDone: planned.done, done: done.n })
    expect(m.visits.plannedRate).toBeCloseTo(planned.done / planned.n, 10)
    for (const g of m.visits.byGrid) {
      const row = q<{ n: number }>(`SELECT count(*) AS n FROM visits v JOIN org_units g ON g.id = v.grid_id WHERE g.code = ? AND v.deleted_at IS NULL AND v.status <> 'cancelled' AND substr(v.planned_for, 1, 10) BETWEEN ? AND ?`, g.gridCode, START, END)
      expect(g.planned, g.gridCode).toBe(row.n)
    }
  })

  it('work orders: open and overdue at the end of the period, days counted to it', () => {
    const open = `deleted_at IS NULL AND org_unit_id IN ${GRIDS} AND created_at < ? AND status <> 'cancelled' AND (status IN ('open', 'in_progress') OR closed_at >= ?)`
    expect(m.workOrders.open).toBe(q<{ n: number }>(`SELECT count(*) AS n FROM work_orders WHERE ${open}`, TO, TO).n)
    const overdue = all<{ title: string; due_at: string }>(`SELECT title, due_at FROM work_orders WHERE ${open} AND due_at < ? ORDER BY due_at, id`, TO, TO, TO)
    expect(m.workOrders.overdue.map((w) => w.title)).toEqual(overdue.map((w) => w.title))
    expect(m.workOrders.overdue.map((w) => w.title)).toContain('补测')
    expect(m.workOrders.overdue.map((w) => w.title)).not.toContain('后来的')
    for (const [k, w] of m.workOrders.overdue.entries()) expect(w.daysOverdue).toBe(Math.floor((Date.parse(TO) - Date.parse(overdue[k]!.due_at)) / 86_400_000))
  })

  it('A-tier coverage: the 30 days up to the end of the period', () => {
    const since = midnight(first.getFullYear(), first.getMonth(), lastDay.getDate() - 29)
    const row = q<{ a: number; visited: number }>(`SELECT count(*) AS a, sum(EXISTS (SELECT 1 FROM visits v WHERE v.customer_id = k.id AND v.deleted_at IS NULL AND v.status = 'done' AND v.checked_in_at >= ? AND v.checked_in_at < ?)) AS visited
      FROM key_customers k WHERE k.deleted_at IS NULL AND coalesce(k.tier_override, k.value_tier) = 'A' AND k.grid_id IN ${GRIDS}`, since, TO)
    expect(m.coverage).toMatchObject({ aTier: row.a, visited30d: row.visited })
  })

  it('KPI: targets and actuals of the month per indicator', () => {
    for (const r of m.kpi.rows) {
      const t = q<{ v: number | null }>(`SELECT sum(value) AS v FROM targets WHERE indicator_code = ? AND period = ? AND org_unit_id IN ${GRIDS}`, r.indicatorCode, PERIOD)
      expect(r.target, r.indicatorCode).toBe(t.v)
    }
  })

  it('funnel, intel, profiles and objections', () => {
    const current = all<{ stage: string; n: number }>(`SELECT funnel_stage AS stage, count(*) AS n FROM key_customers WHERE deleted_at IS NULL AND grid_id IN ${GRIDS} GROUP BY 1`)
    for (const r of m.funnel.rows) expect(r.current, r.stage).toBe(current.find((c) => c.stage === r.stage)?.n ?? 0)
    expect(m.intel.rows).toHaveLength(q<{ n: number }>(`SELECT count(*) AS n FROM competitor_intel WHERE deleted_at IS NULL AND grid_id IN ${GRIDS} AND seen_at >= ? AND seen_at < ?`, FROM, TO).n)
    expect(m.profiles.villages).toBe(q<{ n: number }>(`SELECT count(*) AS n FROM villages WHERE deleted_at IS NULL AND grid_id IN ${GRIDS}`).n)
    expect(m.objections.heard).toBe(q<{ n: number }>(`SELECT count(*) AS n FROM visit_objections o JOIN visits v ON v.id = o.visit_id WHERE o.deleted_at IS NULL AND v.deleted_at IS NULL AND v.status = 'done' AND v.grid_id IN ${GRIDS} AND v.checked_in_at >= ? AND v.checked_in_at < ?`, FROM, TO).n)
  })

  it('every table states its basis and keeps every row; counts carry units', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const tables = reportTables(m, lang)
      for (const t of tables) expect(t.note, `${lang} ${t.key}`).toBeTruthy()
      expect(tables.find((t) => t.key === 'profiles')!.rows).toHaveLength(m.profiles.villages)
      const summary = tables.find((t) => t.key === 'summary')!.rows
      const value = (k: number) => String(summary[k]![1])
      if (lang === 'zh-CN') {
        expect(summary.map((r) => r[1]).join(' ')).toMatch(/\d+ 个/)
        expect(value(7)).toMatch(/^[\d,]+ 次$/)
      } else expect(value(7)).toMatch(/^[\d,]+ visits$/)
    }
  })
})
