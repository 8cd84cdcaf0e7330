import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { applyKey } from '../db/client'
import type { Input } from '../../../shared/api/contract'
import type { CustomerCategory } from '../../../shared/domain'
import { AppError } from '../../../shared/errors'
import { openTestCore } from '../testing'
import { pinyinKey } from '../db/pinyin'

let core: ReturnType<typeof openTestCore>
let villageId: string
let otherVillageId: string
const counts = () =>
  core.ctx.db.$client
    .prepare(
      'SELECT (SELECT count(*) FROM key_customers) k, (SELECT count(*) FROM funnel_moves) m, (SELECT count(*) FROM outbox) o, (SELECT count(*) FROM customer_search) s',
    )
    .get()
const names = async (query: string) => (await core.call('customers.search', { query, limit: 50 })).map((h) => h.name)

beforeEach(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 300, visits: 600 })
  const villages = core.ctx.db.$client.prepare('SELECT id FROM villages ORDER BY division_code LIMIT 2').all() as { id: string }[]
  villageId = villages[0]!.id
  otherVillageId = villages[1]!.id
})
afterEach(() => core.dispose())

describe('pinyin keys', () => {
  it('reads names, surnames, ü and mixed text; unknown characters add nothing', () => {
    expect(pinyinKey('张三', 'full')).toBe('zhangsan')
    expect(pinyinKey('张三', 'initials')).toBe('zs')
    expect(pinyinKey('单雄信', 'full')).toBe('shanxiongxin')
    expect(pinyinKey('吕丽', 'full')).toBe('lvli')
    expect(pinyinKey('A组王2', 'initials')).toBe('az w2'.replace(' ', ''))
    expect(() => pinyinKey('𡐓𠮷', 'full')).not.toThrow()
    expect(pinyinKey(null, 'full')).toBe('')
  })
})

describe('customer search', () => {
  it('finds by name, full pinyin, initials, phone fragment, village and organisation', async () => {
    await core.call('customers.create', { name: '张三', category: 'commerce', villageId, phone: '13812345678', organisation: '恒发农资店' })
    expect(await names('zs')).toContain('张三')
    expect(await names('ZS')).toContain('张三')
    expect(await names('zhangsan')).toContain('张三')
    expect(await names('zhang san')).toContain('张三')
    expect(await names('张三')).toContain('张三')
    expect(await names('2345')).toContain('张三')
    expect(await names('138')).toContain('张三')
    expect(await names('恒发')).toContain('张三')
    expect(await names('农资店')).toContain('张三')
    const village = (await core.call('customers.list', { search: 'zs' })).rows.find((r) => r.name === '张三')!.villageName!
    expect(await names(village)).toContain('张三')
    // Best match first.
    expect((await names('zs'))[0]).toBe('张三')
  })

  it('handles rare characters outside the BMP', async () => {
    await core.call('customers.create', { name: '莫𡐓华', category: 'high_value', villageId })
    await core.call('customers.create', { name: '𡐓小明', category: 'high_value', villageId })
    expect(await names('莫𡐓')).toContain('莫𡐓华')
    expect(await names('莫𡐓华')).toContain('莫𡐓华')
    expect(await names('𡐓')).toContain('𡐓小明')
    expect(await names('𡐓华')).toContain('莫𡐓华')
    expect(await names('华')).toContain('莫𡐓华')
    expect(await names('xiaoming')).toContain('𡐓小明')
  })

  it('stays in step after update, delete (merge) and writes that bypass the handlers', async () => {
    const c = await core.call('customers.create', { name: '张三', category: 'commerce', villageId, phone: '13812345678' })
    await core.call('customers.update', { id: c.id, patch: { name: '李四', phone: '13900001111' } })
    expect(await names('zs')).not.toContain('张三')
    expect(await names('ls')).toContain('李四')
    expect(await names('1381234')).toEqual([])
    expect(await names('0000111')).toContain('李四')
    // A row written by sync pull or another tool, straight into the table.
    const sqlite = core.ctx.db.$client
    sqlite
      .prepare(
        `INSERT INTO key_customers (id, created_at, updated_at, hlc, name, category, funnel_stage, village_id) VALUES ('0190aaaa-0000-7000-8000-000000000001', 'x', 'x', 'h', '王五', 'commerce', 'potential', ?)`,
      )
      .run(villageId)
    expect(await names('ww')).toContain('王五')
    sqlite.prepare(`DELETE FROM key_customers WHERE id = '0190aaaa-0000-7000-8000-000000000001'`).run()
    expect(await names('ww')).not.toContain('王五')
    // A village renamed: its customers are found by the new name.
    sqlite.prepare(`UPDATE villages SET name = '新名字测试村' WHERE id = ?`).run(villageId)
    expect(await names('新名字测试村')).toContain('李四')
    // Merged away (tombstoned): gone from the search.
    const dup = await core.call('customers.create', { name: '李四', category: 'commerce', villageId })
    await core.call('customers.merge', { keepId: c.id, dropId: dup.id })
    expect((await core.call('customers.search', { query: 'ls', limit: 50 })).filter((h) => h.name === '李四')).toHaveLength(1)
    // The index holds exactly the live customers.
    const live = sqlite.prepare('SELECT count(*) n FROM key_customers WHERE deleted_at IS NULL').get() as { n: number }
    expect((sqlite.prepare('SELECT count(*) n FROM customer_search').get() as { n: number }).n).toBe(live.n)
    expect(sqlite.prepare(`INSERT INTO customer_search_fts(customer_search_fts, rank) VALUES ('integrity-check', 1)`).run()).toBeTruthy()
  })
})

describe('customers list', () => {
  it('filters by grid, tier, stage, rival, expiry and tag, sorts, and pages', async () => {
    const all = await core.call('customers.list', { limit: 1000 })
    expect(all.total).toBe(300)
    const grid = all.rows[0]!.gridId!
    const inGrid = await core.call('customers.list', { gridId: grid, limit: 1000 })
    expect(inGrid.rows.every((r) => r.gridId === grid)).toBe(true)
    const a = await core.call('customers.list', { tier: 'A', limit: 1000 })
    expect(a.total).toBe(60)
    const won = await core.call('customers.list', { stage: 'won', rival: 'telecom', limit: 1000 })
    expect(won.rows.every((r) => r.funnelStage === 'won' && r.rivalUsed === 'telecom')).toBe(true)
    const soon = await core.call('customers.list', { expiringWithinDays: 60, sort: 'contractExpiry', limit: 1000 })
    const today = new Date().toISOString().slice(0, 10)
    expect(soon.rows.every((r) => r.contractExpiry! >= today)).toBe(true)
    const tagged = await core.call('customers.list', { tag: '意见领袖', limit: 1000 })
    expect(tagged.rows.every((r) => r.tags.includes('意见领袖'))).toBe(true)
    const byRevenue = await core.call('customers.list', { sort: 'monthlyRevenue', order: 'desc', limit: 5 })
    const revenues = byRevenue.rows.map((r) => r.monthlyRevenue!)
    expect([...revenues].sort((x, y) => y - x)).toEqual(revenues)
    const page2 = await core.call('customers.list', { limit: 100, offset: 100 })
    expect(page2.rows[0]!.id).toBe(all.rows[100]!.id)
  })

  it('a filter’s count is kept between pages and counted again once the store changes', async () => {
    const filter = { rival: 'telecom' as const, tag: '意见领袖' }
    const before = await core.call('customers.list', { ...filter, limit: 5 })
    expect((await core.call('customers.list', { ...filter, sort: 'monthlyRevenue', offset: 5, limit: 5 })).total).toBe(before.total)
    const made = await core.call('customers.create', { name: '计数客户', category: 'commerce', rivalUsed: 'telecom', tags: ['意见领袖'] })
    expect((await core.call('customers.list', { ...filter, limit: 5 })).total).toBe(before.total + 1)
    // A write on another connection (an import's worker, a restore) changes the store too.
    const other = new Database(core.ctx.store!.file)
    try {
      if (core.ctx.store!.key) applyKey(other, core.ctx.store!.key, 'key')
      other.prepare("UPDATE key_customers SET rival_used = 'unicom' WHERE id = ?").run(made.id)
    } finally {
      other.close()
    }
    expect((await core.call('customers.list', { ...filter, limit: 5 })).total).toBe(before.total)
  })

  it('sorts by last visit: never visited first when oldest first, and pages agree with a full read', async () => {
    const visited = (await core.call('customers.list', { limit: 1000 })).rows
    const expected = [...visited].sort((a, b) => (a.lastVisitAt ?? '').localeCompare(b.lastVisitAt ?? '') || a.id.localeCompare(b.id)).map((r) => r.id)
    expect(visited.some((r) => r.lastVisitAt === null)).toBe(true)
    expect(visited.filter((r) => r.lastVisitAt !== null).length).toBeGreaterThan(50)
    const asc = async (offset: number) => (await core.call('customers.list', { sort: 'lastVisit', order: 'asc', limit: 100, offset })).rows.map((r) => r.id)
    expect([...(await asc(0)), ...(await asc(100)), ...(await asc(200))]).toEqual(expected.slice(0, 300))
    const desc = (await core.call('customers.list', { sort: 'lastVisit', order: 'desc', limit: 1000 })).rows
    expect(desc[0]!.lastVisitAt).toBe(
      visited
        .map((r) => r.lastVisitAt ?? '')
        .sort()
        .at(-1),
    )
    expect(desc.at(-1)!.lastVisitAt).toBeNull()
  })
})

describe('customers list sorted by a column that may be empty', () => {
  // Nulls last whichever the direction, ties by id ascending: read off an index in the column's
  // order (a grid by revenue, contracts expiring), each run of equal values sorted by id.
  it('orders by the column, nulls last, then the id ascending, on every page', async () => {
    const sqlite = core.ctx.db.$client
    const grid = (
      sqlite.prepare('SELECT grid_id AS g FROM key_customers WHERE deleted_at IS NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1').get() as { g: string }
    ).g
    // Ties and empty values (device-local edits: the list only reads them).
    sqlite.prepare('UPDATE key_customers SET monthly_revenue = NULL WHERE grid_id = ? AND rowid % 7 = 0').run(grid)
    sqlite.prepare('UPDATE key_customers SET monthly_revenue = 500 WHERE grid_id = ? AND rowid % 7 = 1').run(grid)
    sqlite.prepare("UPDATE key_customers SET contract_expiry = date('now', '+10 days') WHERE rowid % 5 = 0").run()
    type Ref = { id: string; revenue: number | null; expiry: string | null }
    const rows = sqlite
      .prepare('SELECT id, monthly_revenue AS revenue, contract_expiry AS expiry, grid_id AS gridId FROM key_customers WHERE deleted_at IS NULL')
      .all() as (Ref & { gridId: string })[]
    const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
    const expected = <T extends number | string>(list: Ref[], key: (r: Ref) => T | null, desc: boolean) =>
      [...list]
        .sort((a, b) => {
          const x = key(a)
          const y = key(b)
          if ((x === null) !== (y === null)) return x === null ? 1 : -1
          const by = x === null || y === null || x === y ? 0 : (x < y ? -1 : 1) * (desc ? -1 : 1)
          return by || bytes(a.id, b.id)
        })
        .map((r) => r.id)
    const ids = async (input: Input<'customers.list'>) => (await core.call('customers.list', input)).rows.map((r) => r.id)
    const inGrid = rows.filter((r) => r.gridId === grid)
    expect(inGrid.filter((r) => r.revenue === null).length).toBeGreaterThan(1)
    const today = new Date().toISOString().slice(0, 10)
    const in60 = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10)
    const expiring = rows.filter((r) => r.expiry !== null && r.expiry >= today && r.expiry <= in60)
    for (const order of ['asc', 'desc'] as const) {
      const byRevenue = expected(inGrid, (r) => r.revenue, order === 'desc')
      for (const offset of [0, 3, byRevenue.length - 5, byRevenue.length])
        expect(await ids({ gridId: grid, sort: 'monthlyRevenue', order, offset, limit: 10 })).toEqual(byRevenue.slice(offset, offset + 10))
      expect(await ids({ gridId: grid, sort: 'monthlyRevenue', order, limit: 1000 })).toEqual(byRevenue)
      const everyone = expected(rows, (r) => r.revenue, order === 'desc')
      expect(await ids({ sort: 'monthlyRevenue', order, limit: 1000 })).toEqual(everyone)
      const byExpiry = expected(expiring, (r) => r.expiry, order === 'desc')
      expect(await ids({ expiringWithinDays: 60, sort: 'contractExpiry', order, limit: 1000 })).toEqual(byExpiry)
      expect(await ids({ expiringWithinDays: 60, sort: 'contractExpiry', order, offset: 4, limit: 10 })).toEqual(byExpiry.slice(4, 14))
    }
  })
})

describe('customers list sorted by village', () => {
  // Pages of all customers or a broad filter walk the indexes; narrow filters sort the matches.
  it('orders by village name, village, then id, customers without a village last, on both plans', async () => {
    const sqlite = core.ctx.db.$client
    // Two villages of one name, a customer with no village and one whose village this device lost.
    const [first, second] = sqlite.prepare('SELECT id, name FROM villages ORDER BY division_code LIMIT 2').all() as { id: string; name: string }[]
    sqlite.prepare('UPDATE villages SET name = ? WHERE id = ?').run(first!.name, second!.id)
    await core.call('customers.create', { name: '无村客户', category: 'high_value' })
    const lost = await core.call('customers.create', { name: '失村客户', category: 'high_value', villageId: second!.id })
    sqlite.pragma('foreign_keys = OFF')
    sqlite.prepare("UPDATE key_customers SET village_id = '0190ffff-0000-7000-8000-000000000000' WHERE id = ?").run(lost.id)
    sqlite.pragma('foreign_keys = ON')
    type Ref = { id: string; villageName: string | null; villageId: string | null; tier: string; category: string }
    const all = sqlite
      .prepare(
        'SELECT k.id, v.name AS villageName, v.id AS villageId, coalesce(k.tier_override, k.value_tier) AS tier, k.category FROM key_customers k LEFT JOIN villages v ON v.id = k.village_id WHERE k.deleted_at IS NULL',
      )
      .all() as Ref[]
    // SQLite compares text as UTF-8 bytes.
    const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
    const expected = (rows: Ref[], desc: boolean) =>
      [...rows]
        .sort((a, b) => {
          if ((a.villageName === null) !== (b.villageName === null)) return a.villageName === null ? 1 : -1
          const by = bytes(a.villageName ?? '', b.villageName ?? '') || bytes(a.villageId ?? '', b.villageId ?? '') || bytes(a.id, b.id)
          return desc ? -by : by
        })
        .map((r) => r.id)
    const ids = async (input: Input<'customers.list'>) => (await core.call('customers.list', { sort: 'villageName', ...input })).rows.map((r) => r.id)
    const broad = (
      sqlite.prepare('SELECT category FROM key_customers WHERE deleted_at IS NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1').get() as {
        category: CustomerCategory
      }
    ).category
    for (const order of ['asc', 'desc'] as const) {
      const everyone = expected(all, order === 'desc')
      const villaged = all.filter((r) => r.villageName !== null).length
      for (const offset of [0, 100, everyone.length - 60, everyone.length - 1, villaged, everyone.length]) {
        const page = await core.call('customers.list', { sort: 'villageName', order, offset, limit: 100 })
        expect(page.total).toBe(everyone.length)
        expect(page.rows.map((r) => r.id)).toEqual(everyone.slice(offset, offset + 100))
      }
      const inCategory = expected(
        all.filter((r) => r.category === broad),
        order === 'desc',
      )
      expect(await ids({ order, category: broad, limit: 40 })).toEqual(inCategory.slice(0, 40))
      expect(await ids({ order, category: broad, offset: 40, limit: 1000 })).toEqual(inCategory.slice(40))
      const tierA = expected(
        all.filter((r) => r.tier === 'A'),
        order === 'desc',
      )
      expect(await ids({ order, tier: 'A', offset: 10, limit: 1000 })).toEqual(tierA.slice(10))
      // A grid alone is walked off its (grid, village, id) index whatever the page, the customer
      // whose village this device lost last.
      const gridId = (sqlite.prepare('SELECT grid_id AS g FROM key_customers WHERE id = ?').get(lost.id) as { g: string }).g
      const inGrid = (sqlite.prepare('SELECT id FROM key_customers WHERE grid_id = ? AND deleted_at IS NULL').all(gridId) as { id: string }[]).map((r) => r.id)
      const gridOrder = everyone.filter((id) => inGrid.includes(id))
      expect(gridOrder.at(-1)).toBe(lost.id)
      for (const offset of [0, 7, gridOrder.length - 3, gridOrder.length - 1, gridOrder.length])
        expect(await ids({ order, gridId, offset, limit: 5 })).toEqual(gridOrder.slice(offset, offset + 5))
      expect(await ids({ order, gridId, limit: 1000 })).toEqual(gridOrder)
    }
  })

  it('orders by pinyin, name, then id on both plans (read in index order, or the matches sorted)', async () => {
    const sqlite = core.ctx.db.$client
    // Two customers of one name: the id breaks the tie.
    await core.call('customers.create', { name: '同名客户', category: 'high_value' })
    await core.call('customers.create', { name: '同名客户', category: 'commerce' })
    type Ref = { id: string; name: string; pinyin: string; tier: string; stage: string; rival: string | null; tags: string | null }
    const all = sqlite
      .prepare(
        'SELECT k.id, k.name, s.pinyin, coalesce(k.tier_override, k.value_tier) AS tier, k.funnel_stage AS stage, k.rival_used AS rival, k.tags FROM key_customers k JOIN customer_search s ON s.customer_id = k.id WHERE k.deleted_at IS NULL',
      )
      .all() as Ref[]
    expect(all).toHaveLength((await core.call('customers.list', { limit: 1 })).total)
    const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
    const expected = (rows: Ref[], desc: boolean) =>
      [...rows].sort((a, b) => (desc ? -1 : 1) * (bytes(a.pinyin, b.pinyin) || bytes(a.name, b.name) || bytes(a.id, b.id))).map((r) => r.id)
    const ids = async (input: Input<'customers.list'>) => (await core.call('customers.list', { sort: 'name', ...input })).rows.map((r) => r.id)
    for (const order of ['asc', 'desc'] as const) {
      const everyone = expected(all, order === 'desc')
      // Pages near the start walk the index; the last pages sort (repos/customers.ts walksInOrder).
      for (const offset of [0, 100, everyone.length - 60, everyone.length])
        expect(await ids({ order, offset, limit: 100 })).toEqual(everyone.slice(offset, offset + 100))
      const tierA = expected(
        all.filter((r) => r.tier === 'A'),
        order === 'desc',
      )
      expect(await ids({ order, tier: 'A', limit: 30 })).toEqual(tierA.slice(0, 30))
      expect(await ids({ order, tier: 'A', offset: 30, limit: 1000 })).toEqual(tierA.slice(30))
      const narrow = expected(
        all.filter((r) => r.tier === 'A' && r.stage === 'intent'),
        order === 'desc',
      )
      expect(await ids({ order, tier: 'A', stage: 'intent', limit: 100 })).toEqual(narrow.slice(0, 100))
      // Page by page: the first pages walk the names probing (tier, stage, id), the last sort.
      for (let offset = 0; offset <= narrow.length; offset++)
        expect(await ids({ order, tier: 'A', stage: 'intent', offset, limit: 1 })).toEqual(narrow.slice(offset, offset + 1))
      // A rival and a tag: the first pages walk the names probing (rival, id), the last sort.
      const tagged = all.filter((r) => r.rival === 'telecom' && r.tags?.includes('"'))
      const tag = (JSON.parse(tagged[0]!.tags!) as string[])[0]!
      const rivalTag = expected(
        tagged.filter((r) => (JSON.parse(r.tags!) as string[]).includes(tag)),
        order === 'desc',
      )
      expect(rivalTag.length).toBeGreaterThan(3)
      for (let offset = 0; offset <= rivalTag.length; offset++)
        expect(await ids({ order, rival: 'telecom', tag, offset, limit: 1 })).toEqual(rivalTag.slice(offset, offset + 1))
      // A broad filter's first page walks the index, testing each customer's row.
      const stage = all.map((r) => r.stage).sort((a, b) => all.filter((r) => r.stage === b).length - all.filter((r) => r.stage === a).length)[0]!
      const broad = expected(
        all.filter((r) => r.stage === stage),
        order === 'desc',
      )
      expect(broad.length * broad.length * 0.5).toBeGreaterThanOrEqual(10 * all.length)
      expect(await ids({ order, stage: stage as Ref['stage'] & Input<'customers.list'>['stage'], limit: 10 })).toEqual(broad.slice(0, 10))
    }
  })
})

describe('customer writes', () => {
  it('computes tiers by 80/20 on revenue, recomputes on revenue change, and the override wins', async () => {
    const top = await core.call('customers.create', { name: '高收入', category: 'group', villageId, monthlyRevenue: 1_000_000 })
    expect(top.tier).toBe('A')
    const low = await core.call('customers.create', { name: '低收入', category: 'group', villageId, monthlyRevenue: 0 })
    expect(low.tier).toBe('C')
    const raised = await core.call('customers.update', { id: low.id, patch: { monthlyRevenue: 2_000_000 } })
    expect(raised.tier).toBe('A')
    const overridden = await core.call('customers.update', { id: raised.id, patch: { tierOverride: 'C' } })
    expect(overridden.tier).toBe('C')
    expect(overridden.valueTier).toBe('A')
    const tiers = core.ctx.db.$client.prepare(`SELECT value_tier t, count(*) n FROM key_customers WHERE deleted_at IS NULL GROUP BY 1`).all() as {
      t: string
      n: number
    }[]
    const n = Object.fromEntries(tiers.map((r) => [r.t, r.n]))
    expect(n.A).toBe(Math.floor(302 * 0.2))
  })

  it('moves a stage with the date, through the outbox', async () => {
    const c = await core.call('customers.create', { name: '赵六', category: 'education', villageId })
    const before = core.ctx.db.$client.prepare('SELECT count(*) n FROM outbox WHERE table_name = ?').get('funnel_moves') as { n: number }
    const moved = await core.call('customers.moveStage', { id: c.id, toStage: 'intent', on: '2026-01-05' })
    expect(moved.funnelStage).toBe('intent')
    expect(moved.moves.find((m) => m.toStage === 'intent')).toMatchObject({ fromStage: 'potential', movedAt: '2026-01-05T00:00:00.000Z' })
    expect(moved.timeline.some((e) => e.kind === 'move' && e.toStage === 'intent')).toBe(true)
    const after = core.ctx.db.$client.prepare('SELECT count(*) n FROM outbox WHERE table_name = ?').get('funnel_moves') as { n: number }
    expect(after.n).toBe(before.n + 1)
    await expect(core.call('customers.moveStage', { id: c.id, toStage: 'intent' })).rejects.toMatchObject({ code: 'VALIDATION' })
  })

  it('rejects bad input field by field and stores nothing', async () => {
    const before = counts()
    const error = await core
      .call('customers.create', { name: ' ', category: 'commerce', villageId, phone: '12345', influence: 9, contractExpiry: '2026-02-30' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    const issues = (error as AppError).issues!.map((i) => `${i.path.join('.')}:${i.message}`)
    expect(issues).toEqual(expect.arrayContaining(['name:required', 'phone:phone_format', 'influence:influence_range', 'contractExpiry:date_format']))
    await expect(
      core.call('customers.create', { name: '某人', category: 'commerce', villageId: '0190aaaa-0000-7000-8000-00000000dead' }),
    ).rejects.toMatchObject({ code: 'VALIDATION' })
    const c = (await core.call('customers.list', { limit: 1 })).rows[0]!
    const mid = counts()
    await expect(core.call('customers.update', { id: c.id, patch: { phone: 'abc' } })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(counts()).toEqual(mid)
    expect(mid).toEqual(before)
  })

  it('finds duplicates by phone or by name in the same village, and merges them in one step', async () => {
    const keep = await core.call('customers.create', { name: '黄七', category: 'commerce', villageId, phone: '13700000001', tags: ['意见领袖'] })
    const byPhone = await core.call('customers.create', {
      name: '黄老七',
      category: 'commerce',
      villageId: otherVillageId,
      phone: '137-0000-0001',
      organisation: '黄记超市',
      tags: ['春节返乡'],
    })
    const byName = await core.call('customers.create', { name: '黄七', category: 'commerce', villageId })
    const elsewhere = await core.call('customers.create', { name: '黄七', category: 'commerce', villageId: otherVillageId })
    const dups = await core.call('customers.duplicates', { id: keep.id })
    expect(dups.map((d) => [d.id, d.reason])).toEqual(
      expect.arrayContaining([
        [byPhone.id, 'phone'],
        [byName.id, 'name_village'],
      ]),
    )
    expect(dups.map((d) => d.id)).not.toContain(elsewhere.id)
    const village = (core.ctx.db.$client.prepare('SELECT id FROM visits LIMIT 1').get() as { id: string }).id
    core.ctx.db.$client.prepare('UPDATE visits SET customer_id = ? WHERE id = ?').run(byPhone.id, village)
    await core.call('customers.moveStage', { id: byPhone.id, toStage: 'contacted' })
    const result = await core.call('customers.merge', { keepId: keep.id, dropId: byPhone.id })
    expect(result.moved.visits).toBe(1)
    expect(result.moved.moves).toBe(2)
    const merged = await core.call('customers.get', { id: keep.id })
    expect(merged.organisation).toBe('黄记超市')
    expect(merged.tags.sort()).toEqual(['意见领袖', '春节返乡'].sort())
    expect(merged.timeline.filter((e) => e.kind === 'visit')).toHaveLength(1)
    await expect(core.call('customers.get', { id: byPhone.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const tomb = core.ctx.db.$client
      .prepare(`SELECT op FROM outbox WHERE table_name = 'key_customers' AND row_id = ? ORDER BY device_seq DESC LIMIT 1`)
      .get(byPhone.id) as { op: string }
    expect(tomb.op).toBe('delete')
  })
})

describe('customer import', () => {
  const csv = (lines: string[]) => ({ fileName: 'customers.csv', base64: Buffer.from(lines.join('\r\n')).toString('base64') })

  it('imports valid rows, updates a known phone, and reports bad rows without storing anything', async () => {
    const code = (core.ctx.db.$client.prepare('SELECT division_code c FROM villages WHERE id = ?').get(villageId) as { c: string }).c
    const good = csv([
      '姓名,类别,村代码,手机号,影响力,月收入,阶段,合约到期,在用运营商,标签',
      `覃八,商业,${code},13600000008,4,320,意向,2026/3/1,电信,意见领袖、宽带潜客`,
      `蒙九,集团客户,${code},,,,,,,`,
    ])
    const preview = await core.call('import.preview', { kind: 'customers', source: good })
    expect(preview.issues).toEqual([])
    expect(preview.totalRows).toBe(2)
    const result = await core.call('import.commit', { kind: 'customers', source: good })
    expect(result).toMatchObject({ inserted: 2, updated: 0 })
    const hit = (await core.call('customers.list', { search: 'qb' })).rows.find((r) => r.name === '覃八')!
    expect(hit).toMatchObject({ funnelStage: 'intent', contractExpiry: '2026-03-01', rivalUsed: 'telecom', influence: 4, tags: ['意见领袖', '宽带潜客'] })
    const again = await core.call('import.commit', { kind: 'customers', source: csv(['姓名,类别,手机号,阶段', '覃八,商业,13600000008,成交']) })
    expect(again).toMatchObject({ inserted: 0, updated: 1 })

    const before = counts()
    const bad = csv([
      '姓名,类别,村代码,手机号,影响力,合约到期',
      `,商业,${code},13600000010,3,`, // name missing
      `甲,教授,${code},13600000011,3,`, // unknown category
      `乙,商业,999999999999,1360000,3,`, // unknown village, bad phone
      `丙,商业,${code},13600000012,8,2026-13-01`, // influence out of range, bad date
      `丁,商业,${code},13600000012,2,`, // same phone as the row above
    ])
    const report = await core.call('import.preview', { kind: 'customers', source: bad })
    expect(report.issues.map((i) => `${i.row}:${i.field}:${i.code}`)).toEqual([
      '1:name:required',
      '2:category:unknown_value',
      '3:phone:phone_format',
      '3:villageCode:unknown_village',
      '4:influence:out_of_range',
      '4:contractExpiry:date_format',
      '5:phone:duplicate_customer',
    ])
    await expect(core.call('import.commit', { kind: 'customers', source: bad })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(counts()).toEqual(before)
    const missing = await core.call('import.preview', { kind: 'customers', source: csv(['手机号', '13600000013']) })
    expect(missing.issues.map((i) => `${i.field}:${i.code}`)).toEqual(['name:missing_column', 'category:missing_column'])
  })
})
