// Clock skew: devices whose clocks are a year ahead and a day behind sync, are
// warned (the status shows the offset, the report a warning), and lose nothing: edits made one
// after another in real time win in that order whatever the device clocks say, concurrent edits of
// different fields merge, and every device ends with the server's rows.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { enrol, runSync, SKEW_WARN_MS } from '../electron/core/sync/engine'
import { HybridClock } from '../electron/core/sync/hlc'
import { openTestCore } from '../electron/core/testing'
import { backends, startTestHq, type TestHq } from './testing'

const DAY = 24 * 3600_000
const YEAR = 365 * DAY
type Device = ReturnType<typeof openTestCore>

/** A device whose wall clock is `skew` ms off (as if the computer's clock were set wrong). */
function skewedDevice(skew: number): Device {
  const d = openTestCore()
  d.ctx.change.clock = new HybridClock(d.ctx.change.deviceId, () => Date.now() + skew, 0, d.ctx.change.clock.current)
  return d
}

describe.each(backends)('devices with a wrong clock (%s)', (backend) => {
  let hq: TestHq
  let ahead: Device
  let behind: Device
  let right: Device
  let village: string
  const households = async (d: Device) => (await d.call('villages.get', { id: village })).households
  beforeAll(async () => {
    hq = await startTestHq(undefined, { backend })
    ahead = skewedDevice(YEAR)
    behind = skewedDevice(-DAY)
    right = skewedDevice(0)
    let n = 0
    for (const d of [ahead, behind, right]) await enrol(d.ctx, hq.url, await hq.userWithCode(`clock${n++}`, 'grid_manager', ['451022-G03']), 'clock test')
  })
  afterAll(async () => {
    for (const d of [ahead, behind, right]) d.dispose()
    await hq?.close()
  })

  it('syncs and warns: the status shows the offset, the report says to set the clock', async () => {
    for (const [d, skew] of [
      [ahead, YEAR],
      [behind, -DAY],
    ] as const) {
      const report = await runSync(d.ctx)
      expect(report.checkpoint).toBe('ok')
      expect(Math.abs(report.clockSkewMs + skew)).toBeLessThan(5_000)
      expect(report.warnings.some((w) => w.code === 'clock_skew' && /clock is off/.test(w.message))).toBe(true)
      const status = await d.call('sync.status', {})
      expect(Math.abs(status.clockOffsetMs + skew)).toBeLessThan(5_000)
      expect(Math.abs(status.clockOffsetMs)).toBeGreaterThan(SKEW_WARN_MS)
    }
    const report = await runSync(right.ctx)
    expect(report.warnings.filter((w) => w.code === 'clock_skew')).toEqual([])
    village = (right.ctx.db.$client.prepare('SELECT id FROM villages ORDER BY id LIMIT 1').get() as { id: string }).id
  })

  it('edits made one after another win in real-time order, whichever clock is wrong', async () => {
    // ahead (+1 year) → right → behind (−1 day) → ahead: each edits after pulling the previous one.
    const order: [Device, number][] = [
      [ahead, 101],
      [right, 102],
      [behind, 103],
      [ahead, 104],
      [behind, 105],
    ]
    for (const [d, value] of order) {
      await runSync(d.ctx)
      await d.call('villages.update', { id: village, patch: { households: value } })
      const report = await runSync(d.ctx)
      expect(report.results).toEqual({ applied: 1, superseded: 0, conflict: 0, rejected: 0 })
    }
    for (const d of [ahead, behind, right]) {
      await runSync(d.ctx)
      expect(await households(d)).toBe(105)
      expect(await d.call('sync.conflicts', {})).toEqual([])
    }
  })

  it('concurrent offline edits of different fields merge; the same field gives one conflict with both values', async () => {
    await ahead.call('villages.update', { id: village, patch: { notes: '一年后的笔记' } })
    await behind.call('villages.update', { id: village, patch: { marketDays: '逢五' } })
    await right.call('villages.update', { id: village, patch: { households: 200 } })
    await behind.call('villages.update', { id: village, patch: { households: 300 } })
    for (const d of [behind, ahead, right]) await runSync(d.ctx)
    for (const d of [behind, ahead, right]) await runSync(d.ctx)
    const views = await Promise.all([ahead, behind, right].map((d) => d.call('villages.get', { id: village })))
    for (const v of views) expect(v).toMatchObject({ notes: '一年后的笔记', marketDays: '逢五', households: 300 })
    // behind pushed 300 first; right's 200 was based on the older version: one conflict, on right, with both values.
    expect(await right.call('sync.conflicts', {})).toEqual([expect.objectContaining({ field: 'households', mine: 200, theirs: 300 })])
    expect(await ahead.call('sync.conflicts', {})).toEqual([])
    const pending = [ahead, behind, right].map(
      (d) => (d.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox WHERE pushed_at IS NULL').get() as { n: number }).n,
    )
    expect(pending).toEqual([0, 0, 0])
  })

  it('an offset learned once keeps correcting after a restart; HLCs never go backwards', async () => {
    const before = ahead.ctx.change.clock.current
    // A restart: a new clock from the persisted state (as openCore builds it), still a year ahead.
    const offset = Number((await ahead.call('sync.status', {})).clockOffsetMs)
    ahead.ctx.change.clock = new HybridClock(ahead.ctx.change.deviceId, () => Date.now() + YEAR, offset, before)
    const stamp = ahead.ctx.change.clock.now()
    expect(stamp > before).toBe(true)
    expect(Math.abs(Date.parse(stamp.slice(0, 24)) - Date.now())).toBeLessThan(60_000)
  })
})

describe('event times on a computer whose clock is wrong', () => {
  it('a funnel move and updated_at use the clock as corrected by HQ, like the HLC beside them', async () => {
    const device = openTestCore()
    const realNow = Date.now()
    vi.useFakeTimers({ toFake: ['Date'], now: realNow + YEAR })
    try {
      // This computer's clock (faked: a year ahead), and what sync learned about it.
      device.ctx.change.clock = new HybridClock(device.ctx.change.deviceId, () => Date.now(), -YEAR, device.ctx.change.clock.current)
      const customer = await device.call('customers.create', { name: '时钟测试客户', category: 'commerce' })
      await device.call('customers.moveStage', { id: customer.id, toStage: 'contacted' })
      const moves = device.ctx.db.$client
        .prepare('SELECT moved_at AS at, updated_at AS updated, hlc FROM funnel_moves WHERE customer_id = ?')
        .all(customer.id) as { at: string; updated: string; hlc: string }[]
      expect(moves).toHaveLength(2)
      for (const m of moves) for (const at of [m.at, m.updated, m.hlc.slice(0, 24)]) expect(Math.abs(Date.parse(at) - realNow)).toBeLessThan(60_000)
    } finally {
      vi.useRealTimers()
      device.dispose()
    }
  })
})

describe('a server that answers {}', () => {
  it('is not HQ: sync fails in words, the clock offset learned before stays a number', async () => {
    const device = openTestCore()
    try {
      await device.call('demo.load', { keyCustomers: 5, visits: 5 })
      device.ctx.db.$client
        .prepare("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('hq_url', 'http://127.0.0.1:9'), ('hq_token', ?), ('server_offset_ms', '1234')")
        .run(device.ctx.secrets.seal('t'))
      device.ctx.change.clock.offsetMillis = 1234
      const answer = async () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })
      // Changes waiting: the push meets {}; then nothing waiting: the pull does.
      await expect(runSync(device.ctx, { fetch: answer })).rejects.toMatchObject({ details: { notJson: true } })
      device.ctx.db.$client.prepare("UPDATE outbox SET pushed_at = '2026-01-01T00:00:00Z'").run()
      await expect(runSync(device.ctx, { fetch: answer })).rejects.toMatchObject({ details: { notJson: true } })
      const status = await device.call('sync.status', {})
      expect(status.clockOffsetMs).toBe(1234)
      expect(device.ctx.db.$client.prepare("SELECT value FROM sync_state WHERE key = 'server_offset_ms'").pluck().get()).toBe('1234')
      expect(Number.isFinite(Date.parse(device.ctx.change.now()))).toBe(true)
    } finally {
      device.dispose()
    }
  })
})
