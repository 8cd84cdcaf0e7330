// Visits against a real SQLite file: the day plan, draft recovery across a restart, completing a
// visit in one transaction (intel, work order, funnel move; nothing at all when any part is
// bad), the objection library, the next-up ranking and its reasons, the funnel over a period.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { VisitCompleteInput } from '../../../shared/api/visits'
import { AppError } from '../../../shared/errors'
import { openCore } from '../app'
import { rankingCustomers } from '../db/repos/visits'
import { localToday } from '../indicators/measures'
import { byNextUpRank, nextUpRule, rankNextUp } from './visits'
import { openTestCore, REPO_ROOT, sqlReads } from '../testing'

let core: ReturnType<typeof openTestCore>
let gridId: string
const sqlite = () => core.ctx.db.$client
const { one, all } = sqlReads(() => core)
const DAY = 86_400_000
const dayOffset = (days: number) => localToday(new Date(Date.now() + days * DAY))

beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 300, visits: 1500 })
  gridId = one<{ id: string }>(`SELECT id FROM org_units WHERE code = '451022-G03'`).id
})
afterAll(() => core?.dispose())

const countedTables = [
  'visits',
  'visit_participants',
  'visit_products',
  'visit_objections',
  'competitor_intel',
  'work_orders',
  'funnel_moves',
  'attachments',
  'outbox',
] as const
const counts = () =>
  Object.fromEntries(countedTables.map((t) => [t, one<{ n: number }>(`SELECT count(*) AS n FROM ${t}`).n])) as Record<(typeof countedTables)[number], number>
const customerOf = (where = '1 = 1') =>
  one<{ id: string; name: string; lon: number; lat: number; funnel_stage: string; village_id: string }>(
    `SELECT id, name, lon, lat, funnel_stage, village_id FROM key_customers WHERE grid_id = ? AND ${where} ORDER BY id LIMIT 1`,
    gridId,
  )
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: AppError) => e,
  )

function visitInput(customer: { id: string; lon: number; lat: number }, extra: Partial<VisitCompleteInput> = {}): VisitCompleteInput {
  return {
    target: { kind: 'customer', id: customer.id },
    checkIn: { at: new Date().toISOString(), lon: customer.lon + 0.001, lat: customer.lat, source: 'device' },
    participants: [{ name: '李客户经理', role: 'customer_manager' }],
    purpose: '合约续签',
    outcome: '客户有意向，约下周详谈',
    products: [
      { product: '千兆宽带', outcome: 'pitched' },
      { product: '5G畅享套餐', outcome: 'sold', quantity: 2 },
    ],
    objections: [{ code: 'price', detail: '嫌贵', answer: '算清合约期总价', worked: true }],
    rivalNews: { rival: 'telecom', kind: 'price', title: '电信59元融合套餐', monthlyFee: 59, broadbandMbps: 300, threatLevel: 4 },
    nextAction: { action: '送宽带资费单', due: dayOffset(3) },
    funnelTo: 'intent',
    ...extra,
  }
}

describe('visits.plan', () => {
  it('orders the picked targets into a short route and says how far it is', async () => {
    const targets = all<{ id: string }>(`SELECT id FROM key_customers WHERE grid_id = ? AND lon IS NOT NULL ORDER BY name LIMIT 8`, gridId)
    const villages = all<{ id: string; lon: number; lat: number }>(`SELECT id, lon, lat FROM villages WHERE grid_id = ? ORDER BY name LIMIT 2`, gridId)
    const start = { lon: villages[0]!.lon, lat: villages[0]!.lat }
    const plan = await core.call('visits.plan', {
      date: dayOffset(1),
      start,
      targets: [...targets.map((t) => ({ kind: 'customer' as const, id: t.id })), { kind: 'village', id: villages[1]!.id }],
    })
    expect(plan.stops).toHaveLength(9)
    expect(plan.stops.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(plan.totalKm).toBeLessThanOrEqual(plan.pickedOrderKm)
    expect(plan.stops.at(-1)!.cumulativeKm).toBeCloseTo(plan.totalKm, 1)
    expect(plan.plannedVisitIds).toEqual([])
    const saved = await core.call('visits.plan', { date: dayOffset(1), start, targets: [{ kind: 'village', id: villages[1]!.id }], save: true, gridId })
    expect(saved.plannedVisitIds).toHaveLength(1)
    const list = await core.call('visits.list', { gridId, status: 'planned', from: dayOffset(1), to: dayOffset(1) })
    expect(list.map((v) => v.id)).toContain(saved.plannedVisitIds[0])
  })

  it('names a target it does not know', async () => {
    const e = await failure(core.call('visits.plan', { date: dayOffset(1), targets: [{ kind: 'customer', id: '0190f0f0-0000-7000-8000-000000000000' }] }))
    expect(e.code).toBe('VALIDATION')
    expect(e.issues).toEqual([{ path: ['targets', 0, 'id'], message: 'unknownTarget' }])
  })
})

describe('drafts', () => {
  it('are still there after the core is closed and reopened on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-draft-'))
    try {
      const first = openCore({ dataDir, resourcesDir: REPO_ROOT })
      const form = { targetId: 'x', purpose: '产品推介', outcome: '', objections: [{ code: 'price', answer: '算账' }], feeTyped: 'abc' }
      const draft = await first.call('visits.saveDraft', { form, label: '张三' })
      await first.call('visits.saveDraft', { id: draft.id, form: { ...form, outcome: '客户犹豫' }, label: '张三' })
      first.close() // as a crash would leave it: nothing else runs between the save and the close
      const second = openCore({ dataDir, resourcesDir: REPO_ROOT })
      const drafts = await second.call('visits.drafts', {})
      expect(drafts).toHaveLength(1)
      expect(drafts[0]).toMatchObject({ id: draft.id, label: '张三', form: { ...form, outcome: '客户犹豫' } })
      expect((await second.call('visits.discardDraft', { id: draft.id })).discarded).toBe(true)
      expect(await second.call('visits.drafts', {})).toEqual([])
      second.close()
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('visits.complete', () => {
  it('stores the visit, its rival news as intel and its next action as a work order, in one transaction through the outbox', async () => {
    const customer = customerOf(`funnel_stage = 'contacted'`)
    const draft = await core.call('visits.saveDraft', { form: { any: 'thing' } })
    const photo = await core.call('visits.addPhoto', {
      fileName: 'flyer.png',
      base64: Buffer.from('not really a png').toString('base64'),
      thumbBase64: Buffer.from('thumb').toString('base64'),
    })
    expect(photo.sha256).toMatch(/^[0-9a-f]{64}$/)
    const before = counts()
    const result = await core.call('visits.complete', visitInput(customer, { id: draft.id, photos: [photo] }))
    const after = counts()
    expect(result.visit).toMatchObject({ id: draft.id, status: 'done', customerId: customer.id, checkInSource: 'device', purpose: '合约续签' })
    expect(result.visit.distanceM).toBeGreaterThan(80)
    expect(result.visit.distanceM).toBeLessThan(120)
    expect(result.farFromTarget).toBe(false)
    expect(result.visit.objections).toEqual([{ code: 'price', detail: '嫌贵', answer: '算清合约期总价', worked: true }])
    expect(result.visit.products).toHaveLength(2)
    expect(result.visit.participants).toEqual([{ name: '李客户经理', role: 'customer_manager' }])
    expect(result.visit.photos).toHaveLength(1)
    expect(result.visit.photos[0]!.thumbSha256).toMatch(/^[0-9a-f]{64}$/)

    const intel = one<{ from_visit_id: string; rival: string; monthly_fee: number; grid_id: string; village_id: string }>(
      `SELECT * FROM competitor_intel WHERE id = ?`,
      result.intelId,
    )
    expect(intel).toMatchObject({ from_visit_id: draft.id, rival: 'telecom', monthly_fee: 59, grid_id: gridId, village_id: customer.village_id })
    const wo = await core.call('workOrders.list', { region: '451022-G03', status: ['open'] })
    expect(wo.find((w) => w.id === result.workOrderId)).toMatchObject({ origin: 'visit', title: '送宽带资费单', visitId: draft.id, customerId: customer.id })
    expect(one<{ funnel_stage: string; next_follow_up: string }>(`SELECT funnel_stage, next_follow_up FROM key_customers WHERE id = ?`, customer.id)).toEqual({
      funnel_stage: 'intent',
      next_follow_up: dayOffset(3),
    })
    expect(result.visit.funnelMoves.at(-1)).toMatchObject({ fromStage: 'contacted', toStage: 'intent' })

    expect(after.visits - before.visits).toBe(1)
    expect(after.competitor_intel - before.competitor_intel).toBe(1)
    expect(after.work_orders - before.work_orders).toBe(1)
    expect(after.funnel_moves - before.funnel_moves).toBe(1)
    // visit + participant + 2 products + objection + photo + intel + work order + funnel move + customer update.
    expect(after.outbox - before.outbox).toBe(10)
    const tables = all<{ table_name: string }>(`SELECT table_name FROM outbox ORDER BY device_seq DESC LIMIT 10`)
      .map((r) => r.table_name)
      .sort()
    expect(tables).toEqual([
      'attachments',
      'competitor_intel',
      'funnel_moves',
      'key_customers',
      'visit_objections',
      'visit_participants',
      'visit_products',
      'visit_products',
      'visits',
      'work_orders',
    ])
    // The draft became the visit.
    expect((await core.call('visits.drafts', {})).some((d) => d.id === draft.id)).toBe(false)
    // Completing it again is refused.
    expect((await failure(core.call('visits.complete', visitInput(customer, { id: draft.id })))).issues).toEqual([{ path: ['id'], message: 'alreadyDone' }])
  })

  it('warns when the check-in point is past the radius', async () => {
    const customer = customerOf(`funnel_stage = 'potential'`)
    const far = await core.call(
      'visits.complete',
      visitInput(customer, {
        checkIn: { at: new Date().toISOString(), lon: customer.lon + 0.02, lat: customer.lat, source: 'map' },
        rivalNews: undefined,
        nextAction: undefined,
        funnelTo: undefined,
      }),
    )
    expect(far.farFromTarget).toBe(true)
    expect(far.visit.distanceM).toBeGreaterThan(1500)
    const wide = await core.call(
      'visits.complete',
      visitInput(customer, {
        radiusM: 5000,
        checkIn: { at: new Date().toISOString(), lon: customer.lon + 0.02, lat: customer.lat, source: 'map' },
        rivalNews: undefined,
        nextAction: undefined,
        funnelTo: undefined,
      }),
    )
    expect(wide.farFromTarget).toBe(false)
  })

  it('writes nothing when any part is invalid, and says where', async () => {
    const customer = customerOf(`funnel_stage = 'potential'`)
    const before = counts()
    const bad = await failure(
      core.call('visits.complete', visitInput(customer, { objections: [{ code: 'no_such_objection' }], nextAction: { action: '回访', due: '2000-01-01' } })),
    )
    expect(bad.code).toBe('VALIDATION')
    expect(bad.issues).toEqual([
      { path: ['objections', 0, 'code'], message: 'unknownObjection' },
      { path: ['nextAction', 'due'], message: 'dueBeforeVisit' },
    ])
    const zod = await failure(
      core.call('visits.complete', visitInput(customer, { purpose: '', rivalNews: { rival: 'telecom', kind: 'price', title: '', threatLevel: 9 } })),
    )
    expect(zod.issues!.map((i) => i.path.join('.')).sort()).toEqual(['purpose', 'rivalNews.threatLevel', 'rivalNews.title'])
    expect(counts()).toEqual(before)
  })

  it('rolls the whole visit back when a write fails half-way', async () => {
    const customer = customerOf(`funnel_stage = 'potential'`)
    const before = counts()
    // A database that refuses work orders: the visit, its children and its intel were already written in the transaction.
    sqlite().exec(`CREATE TRIGGER refuse_wo BEFORE INSERT ON work_orders BEGIN SELECT RAISE(ABORT, 'refused'); END`)
    try {
      const e = await failure(core.call('visits.complete', visitInput(customer)))
      expect(e.code).toBe('CONFLICT') // a refused write reads as a conflict; nothing half-written stays
    } finally {
      sqlite().exec(`DROP TRIGGER refuse_wo`)
    }
    expect(counts()).toEqual(before)
    expect(one<{ funnel_stage: string }>(`SELECT funnel_stage FROM key_customers WHERE id = ?`, customer.id).funnel_stage).toBe('potential')
  })
})

describe('objections', () => {
  it('lists the library with how often each answer worked; adds and edits entries', async () => {
    const list = await core.call('objections.list', {})
    expect(list.map((o) => o.code)).toEqual(expect.arrayContaining(['price', 'signal', 'after_sales', 'contract']))
    const price = list.find((o) => o.code === 'price')!
    expect(price.heard).toBeGreaterThan(0)
    expect(price.worked).toBeLessThanOrEqual(price.heard)
    const created = await core.call('objections.create', {
      code: 'elderly',
      nameZh: '老人不会用',
      nameEn: 'Elderly cannot use it',
      suggestedAnswer: '上门教学',
    })
    expect(created).toMatchObject({ code: 'elderly', heard: 0 })
    expect((await failure(core.call('objections.create', { code: 'elderly', nameZh: 'x', nameEn: 'x' }))).issues).toEqual([
      { path: ['code'], message: 'codeTaken' },
    ])
    expect((await failure(core.call('objections.create', { code: 'Bad Code', nameZh: 'x', nameEn: 'x' }))).code).toBe('VALIDATION')
    const updated = await core.call('objections.update', { id: created.id, patch: { suggestedAnswer: '请子女一起办理' } })
    expect(updated.suggestedAnswer).toBe('请子女一起办理')
    expect(all(`SELECT op FROM outbox WHERE table_name = 'objections' AND row_id = ?`, created.id)).toHaveLength(2)
  })
})

describe('visits.nextUp', () => {
  it('ranks customers with their reasons, and a visit takes its reason away', async () => {
    const asOf = localToday()
    // An A-tier customer never visited, with a contract ending in 10 days and an overdue follow-up.
    const a = customerOf(`coalesce(tier_override, value_tier) = 'A'`)
    sqlite().prepare(`UPDATE visits SET deleted_at = '2020-01-01' WHERE customer_id = ?`).run(a.id)
    sqlite().prepare(`UPDATE key_customers SET contract_expiry = ?, next_follow_up = ? WHERE id = ?`).run(dayOffset(10), dayOffset(-5), a.id)
    // A C-tier customer with fresh rival intel 300 m away in another village, and an overdue visit work order.
    const c =
      customerOf(`coalesce(tier_override, value_tier) = 'C' AND (contract_expiry IS NULL OR contract_expiry > '2100') `) ??
      customerOf(`coalesce(tier_override, value_tier) = 'C'`)
    sqlite().prepare(`UPDATE key_customers SET contract_expiry = NULL, next_follow_up = NULL WHERE id = ?`).run(c.id)
    sqlite()
      .prepare(`UPDATE competitor_intel SET seen_at = '2000-01-01T00:00:00Z' WHERE seen_at >= ?`)
      .run(new Date(Date.now() - 20 * DAY).toISOString())
    const ts = new Date().toISOString()
    sqlite()
      .prepare(
        `INSERT INTO competitor_intel (id, created_at, updated_at, hlc, rival, kind, title, village_id, grid_id, lon, lat, seen_at, threat_level)
      VALUES ('0190f0f0-0000-7000-8000-00000000a001', ?, ?, 'x', 'unicom', 'price', '联通39元卡', NULL, ?, ?, ?, ?, 5)`,
      )
      .run(ts, ts, gridId, c.lon + 0.003, c.lat, new Date(Date.now() - 2 * DAY).toISOString())
    sqlite()
      .prepare(
        `INSERT INTO work_orders (id, created_at, updated_at, hlc, title, org_unit_id, customer_id, origin, due_at, status)
      VALUES ('0190f0f0-0000-7000-8000-00000000b001', ?, ?, 'x', '送资费单', ?, ?, 'visit', ?, 'open')`,
      )
      .run(ts, ts, gridId, c.id, new Date(Date.now() - 3 * DAY).toISOString())

    const ranked = await core.call('visits.nextUp', { gridId, asOf, limit: 500 })
    const rowA = ranked.find((r) => r.customerId === a.id)!
    expect(rowA.reasons.map((r) => r.code)).toEqual(['a_tier_stale', 'contract_expiring', 'follow_up_overdue'])
    expect(rowA.reasons[0]!.params).toMatchObject({ days: null })
    expect(rowA.reasons[1]!.params).toMatchObject({ date: dayOffset(10), days: 10 })
    expect(rowA.reasons[2]!.params).toMatchObject({ days: 5 })
    const rowC = ranked.find((r) => r.customerId === c.id)!
    expect(rowC.reasons.map((r) => r.code)).toEqual(['rival_intel_near', 'work_order_overdue'])
    expect(rowC.reasons[0]!.params).toMatchObject({ rival: 'unicom', title: '联通39元卡' })
    expect(Number(rowC.reasons[0]!.params.km)).toBeCloseTo(0.3, 1)
    // Sorted by score; every row has a reason.
    expect(ranked.map((r) => r.score)).toEqual([...ranked.map((r) => r.score)].sort((x, y) => y - x))
    expect(ranked.every((r) => r.reasons.length > 0)).toBe(true)
    expect(ranked.indexOf(rowA)).toBeLessThan(ranked.indexOf(rowC))

    // Visit A: no longer stale, the follow-up is met (the next one is in 7 days); the contract still ends soon.
    await core.call('visits.complete', visitInput(a, { rivalNews: undefined, funnelTo: undefined, nextAction: { action: '续约签字', due: dayOffset(7) } }))
    const after = await core.call('visits.nextUp', { gridId, asOf, limit: 500 })
    expect(after.find((r) => r.customerId === a.id)!.reasons.map((r) => r.code)).toEqual(['contract_expiring'])
  })

  it('sees intel written after an earlier ranking (the intel kept between rankings is read again once the store changed)', async () => {
    const asOf = localToday()
    const b = customerOf(`coalesce(tier_override, value_tier) = 'B' AND lon IS NOT NULL`)
    const title = '电信宽带送机顶盒'
    const before = await core.call('visits.nextUp', { gridId, asOf, limit: 500 })
    expect(before.find((r) => r.customerId === b.id)?.reasons.some((r) => r.params.title === title) ?? false).toBe(false)
    const ts = new Date().toISOString()
    sqlite()
      .prepare(
        `INSERT INTO competitor_intel (id, created_at, updated_at, hlc, rival, kind, title, village_id, grid_id, lon, lat, seen_at, threat_level)
      VALUES ('0190f0f0-0000-7000-8000-00000000a002', ?, ?, 'x', 'telecom', 'price', ?, NULL, ?, ?, ?, ?, 5)`,
      )
      .run(ts, ts, title, gridId, b.lon + 0.001, b.lat, new Date(Date.now() - DAY).toISOString())
    const after = await core.call('visits.nextUp', { gridId, asOf, limit: 500 })
    expect(after.find((r) => r.customerId === b.id)!.reasons).toContainEqual(
      expect.objectContaining({ code: 'rival_intel_near', params: expect.objectContaining({ title }) }),
    )
  })

  it('refuses an unknown grid', async () => {
    expect((await failure(core.call('visits.nextUp', { gridId: '0190f0f0-0000-7000-8000-000000000000' }))).code).toBe('NOT_FOUND')
  })

  it('lists what weighing every customer of the grid lists, though it weighs only those who can reach the top', async () => {
    const county = openTestCore()
    try {
      await county.call('demo.load', { keyCustomers: 1500, visits: 6000 })
      const db = county.ctx.db.$client
      // Fresh intel of every threat level near some customers, and late work orders for a few.
      const ts = new Date().toISOString()
      const near = db
        .prepare(`SELECT id, grid_id AS gridId, lon, lat FROM key_customers WHERE lon IS NOT NULL AND deleted_at IS NULL ORDER BY id LIMIT 60`)
        .all() as { id: string; gridId: string; lon: number; lat: number }[]
      near.forEach((c, i) => {
        const id = `0190f0f0-0000-7000-8000-${String(i).padStart(12, '0')}`
        db.prepare(
          `INSERT INTO competitor_intel (id, created_at, updated_at, hlc, rival, kind, title, grid_id, lon, lat, seen_at, threat_level)
          VALUES (?, ?, ?, 'x', 'unicom', 'price', '测试', ?, ?, ?, ?, ?)`,
        ).run(id, ts, ts, c.gridId, c.lon + 0.002, c.lat, new Date(Date.now() - (i % 10) * DAY).toISOString(), i % 6 === 5 ? null : (i % 5) + 1)
        if (i % 4 === 0)
          db.prepare(
            `INSERT INTO work_orders (id, created_at, updated_at, hlc, title, org_unit_id, customer_id, origin, due_at, status)
            VALUES (?, ?, ?, 'x', '跟进', ?, ?, 'visit', ?, 'open')`,
          ).run(id.replace('8000-', '9000-'), ts, ts, c.gridId, c.id, new Date(Date.now() - (1 + (i % 7)) * DAY).toISOString())
      })
      const grids = (db.prepare(`SELECT id FROM org_units WHERE level = 'grid' AND deleted_at IS NULL ORDER BY code`).all() as { id: string }[]).map(
        (g) => g.id,
      )
      let compared = 0
      for (const asOf of [dayOffset(0), dayOffset(-45), dayOffset(20), dayOffset(-400)])
        for (const grid of grids)
          for (const limit of [1, 5, 20]) {
            // The reference: every customer of the grid weighed by the same rule.
            const rule = nextUpRule(county.ctx, grid, asOf)
            const everyone = rankingCustomers(county.ctx.db, grid)
              .flatMap((c) => rule.score(c) ?? [])
              .sort(byNextUpRank())
              .slice(0, limit)
            const ranked = rankNextUp(county.ctx, grid, asOf, limit)
            expect(ranked.map((r) => [r.customerId, r.score])).toEqual(everyone.map((r) => [r.customerId, r.score]))
            compared += ranked.length
          }
      expect(compared).toBeGreaterThan(500)
    } finally {
      county.dispose()
    }
  })
})

describe('funnel.get', () => {
  it('counts per stage and the conversion between stages over a period', async () => {
    const [c1, c2, c3] = all<{ id: string }>(`SELECT id FROM key_customers WHERE grid_id = ? ORDER BY id LIMIT 3`, gridId)
    const move = sqlite().prepare(
      `INSERT INTO funnel_moves (id, created_at, updated_at, hlc, customer_id, from_stage, to_stage, moved_at) VALUES (?, 'x', 'x', 'x', ?, ?, ?, ?)`,
    )
    let n = 0
    const add = (c: { id: string }, from: string | null, to: string, at: string) =>
      move.run(`0190f0f0-0000-7000-8000-0000000c${String(n++).padStart(4, '0')}`, c.id, from, to, at)
    add(c3!, null, 'potential', '1999-06-01T00:00:00Z')
    add(c1!, null, 'potential', '2000-02-01T00:00:00Z')
    add(c1!, 'potential', 'contacted', '2000-03-01T00:00:00Z')
    add(c2!, null, 'potential', '2000-02-10T00:00:00Z')
    add(c3!, 'potential', 'contacted', '2000-05-01T00:00:00Z')
    add(c3!, 'contacted', 'intent', '2000-06-01T00:00:00Z')
    add(c3!, 'intent', 'won', '2001-01-05T00:00:00Z') // after the period

    const f = await core.call('funnel.get', { gridId, from: '2000-01-01', to: '2000-12-31' })
    const s = Object.fromEntries(f.stages.map((x) => [x.stage, x]))
    expect(f.moves).toBe(5)
    expect(s.potential).toMatchObject({ atStart: 1, entered: 2, movedOn: 2 })
    expect(s.potential!.conversion).toBeCloseTo(2 / 3)
    expect(s.contacted).toMatchObject({ atStart: 0, entered: 2, movedOn: 1, conversion: 0.5 })
    expect(s.intent).toMatchObject({ entered: 1, movedOn: 0, conversion: 0 })
    expect(s.won).toMatchObject({ entered: 0, conversion: null })
    expect(s.retained!.conversion).toBeNull()
    expect(f.overall).toBe(0)
    // The snapshot counts every customer of the grid now.
    const total = one<{ n: number }>(`SELECT count(*) AS n FROM key_customers WHERE grid_id = ? AND deleted_at IS NULL`, gridId).n
    expect(f.stages.reduce((a, x) => a + x.current, 0)).toBe(total)
    // The same period in 2001 sees c3 reach 成交 from 意向.
    const next = await core.call('funnel.get', { gridId, from: '2001-01-01', to: '2001-01-31' })
    expect(next.stages.find((x) => x.stage === 'intent')).toMatchObject({ atStart: 1, movedOn: 1, conversion: 1 })
    // Of the three in the funnel before 成交 that month (c1 at 接触, c2 at 潜在, c3 at 意向), one reached it.
    expect(next.overall).toBeCloseTo(1 / 3)
    expect((await failure(core.call('funnel.get', { from: '2001-02-01', to: '2001-01-01' }))).code).toBe('VALIDATION')
  })
})
