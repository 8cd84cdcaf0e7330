// The grid manager's day, not UTC's, where the core cuts days itself: a saved report run without a
// date covers the period of the local today, and a due instant (a day's end here) reads back as
// its own day in the report's work-order table and in 下一步拜访's overdue reason. Each zone runs in
// its own process with TZ set and the clock at 2026-11-30 17:00 UTC (already 12-01 in UTC+8).
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const NOW = '2026-11-30T17:00:00.000Z'
const DUE = '2026-11-20'
const at = (file: string) => JSON.stringify(resolve(import.meta.dirname, file))

function inZone(zone: string): { tz: string; period: string; reportDue: string | null; nextUpDue: string | null } {
  const script = `
    const RealDate = Date
    const fixed = RealDate.parse(${JSON.stringify(NOW)})
    globalThis.Date = class extends RealDate {
      constructor(...args) { if (args.length === 0) super(fixed); else super(...args) }
      static now() { return fixed }
    }
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { openTestCore } = await import(${at('./testing.ts')})
    const { reportTables } = await import(${at('./reports/tables.ts')})
    const { endOfDay } = await import(${at('../../shared/dates.ts')})
    const core = openTestCore()
    const folder = mkdtempSync(join(tmpdir(), 'griddesk-tz-'))
    try {
      await core.call('demo.load', { keyCustomers: 60, visits: 120 })
      const db = core.ctx.db.$client
      // One open visit work order, due at the end of ${DUE} here, the customer's only one.
      const wo = db.prepare("SELECT w.id, w.customer_id AS customerId, k.grid_id AS gridId FROM work_orders w JOIN key_customers k ON k.id = w.customer_id WHERE w.origin = 'visit' AND w.deleted_at IS NULL AND k.grid_id IS NOT NULL LIMIT 1").get()
      if (!wo) throw new Error('the demo has no visit work order')
      db.prepare("UPDATE work_orders SET deleted_at = ? WHERE customer_id = ? AND id <> ?").run(${JSON.stringify(NOW)}, wo.customerId, wo.id)
      db.prepare("UPDATE work_orders SET due_at = ?, status = 'open', title = '送资费单（时区）' WHERE id = ?").run(endOfDay(${JSON.stringify(DUE)}), wo.id)

      const saved = await core.call('reports.definitions.save', { name: '本月', region: '451022', periodRule: 'current_month', formats: ['csv'], folder })
      const run = await core.call('reports.definitions.run', { id: saved.id })
      const model = await core.call('reports.preview', { region: '451022', period: run.period })
      const table = reportTables(model).find((t) => t.key === 'work_orders')
      const row = table?.rows.find((r) => r[0] === '送资费单（时区）')
      const dueColumn = table?.columns.findIndex((c) => c.kind === 'date')
      const next = await core.call('visits.nextUp', { gridId: wo.gridId, asOf: '2026-11-30', limit: 500 })
      const reason = next.find((r) => r.customerId === wo.customerId)?.reasons.find((x) => x.code === 'work_order_overdue')
      console.log(JSON.stringify({
        tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
        period: run.period,
        reportDue: row && dueColumn !== undefined && dueColumn >= 0 ? row[dueColumn] : null,
        nextUpDue: reason ? reason.params.due : null,
      }))
    } finally {
      core.dispose()
      rmSync(folder, { recursive: true, force: true })
    }
  `
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, TZ: zone },
    encoding: 'utf8',
    cwd: resolve(import.meta.dirname, '../..'),
  })
  return JSON.parse(out.trim().split('\n').at(-1)!)
}

describe('local days in the core across time zones', () => {
  for (const [zone, period] of [
    ['Asia/Shanghai', '2026-12'],
    ['UTC', '2026-11'],
    ['America/New_York', '2026-11'],
  ] as const)
    it(`a saved report without a date covers the local today's period; due days read back as typed (TZ=${zone})`, () => {
      const result = inZone(zone)
      expect(result.tz).toBe(zone)
      expect(result.period).toBe(period)
      expect(result.reportDue).toBe(DUE)
      expect(result.nextUpDue).toBe(DUE)
    }, 120_000)
})
