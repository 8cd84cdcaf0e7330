import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pinyinKey } from '../db/pinyin'
import { openTestCore } from '../testing'

let core: ReturnType<typeof openTestCore>
const sqlite = () => core.ctx.db.$client
const find = async (query: string, extra: Record<string, unknown> = {}) => core.call('search.all', { query, limit: 20, ...extra })
const names = async (query: string, extra: Record<string, unknown> = {}) => (await find(query, extra)).map((h) => h.name)

beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 300, visits: 300 })
})
afterAll(() => core?.dispose())

describe('one search over customers, villages, grids and org units', () => {
  it('finds 南立村委会 by initials, partial initials and full pinyin', async () => {
    for (const q of ['nl', 'nlc', 'nanli', 'NanLi', 'nan li', '南立', '立村']) expect(await names(q, { kinds: ['village'] }), q).toContain('南立村委会')
  })

  it('finds 祥周 grids by initials and ranks them before villages and customers', async () => {
    const hits = await find('xz')
    const grid = hits.find((h) => h.kind === 'grid' && h.name.startsWith('祥周'))
    expect(grid, JSON.stringify(hits.slice(0, 5))).toBeDefined()
    expect(hits[0]!.kind).not.toBe('customer')
  })

  it('finds org units by code and villages by division code', async () => {
    expect((await find('451022-C1')).map((h) => h.name)).toContain('平马服务营销中心')
    expect((await find('451022108211')).map((h) => h.name)).toContain('南立村委会')
    const hit = (await find('451022108211'))[0]!
    expect(hit).toMatchObject({ kind: 'village', rank: 0, code: '451022108211' })
    expect(hit.context).toBeTruthy()
  })

  it('finds customers by phone and ranks exact matches first', async () => {
    const c = sqlite().prepare('SELECT name, phone FROM key_customers WHERE phone IS NOT NULL LIMIT 1').get() as { name: string; phone: string }
    const hits = await find(c.phone)
    expect(hits[0]).toMatchObject({ kind: 'customer', name: c.name, rank: 0 })
  })

  it('scopes to a grid', async () => {
    const grid = sqlite().prepare("SELECT g.id, v.name FROM org_units g JOIN villages v ON v.grid_id = g.id WHERE g.level = 'grid' LIMIT 1").get() as {
      id: string
      name: string
    }
    const hits = await find(grid.name, { gridId: grid.id })
    expect(hits.map((h) => h.name)).toContain(grid.name)
    expect(hits.every((h) => h.gridId === grid.id)).toBe(true)
  })

  it('stays in step with renames, deletes and new rows', async () => {
    const v = sqlite().prepare("SELECT id FROM villages WHERE name = '南立村委会'").get() as { id: string }
    // As sync applies a pulled rename: plain SQL, the triggers keep the index in step.
    sqlite().prepare("UPDATE villages SET name = '南立新村' WHERE id = ?").run(v.id)
    expect(await names('nlxc', { kinds: ['village'] })).toContain('南立新村')
    expect(await names('nanlicunweihui', { kinds: ['village'] })).not.toContain('南立村委会')
    sqlite().prepare("UPDATE villages SET deleted_at = '2026-01-01T00:00:00Z' WHERE id = ?").run(v.id)
    expect(await names('nlxc', { kinds: ['village'] })).not.toContain('南立新村')
    sqlite().prepare("UPDATE villages SET name = '南立村委会', deleted_at = NULL WHERE id = ?").run(v.id)
    expect(await names('nlc', { kinds: ['village'] })).toContain('南立村委会')
    const live = sqlite()
      .prepare('SELECT (SELECT count(*) FROM villages WHERE deleted_at IS NULL) + (SELECT count(*) FROM org_units WHERE deleted_at IS NULL) AS n')
      .get() as { n: number }
    expect((sqlite().prepare('SELECT count(*) AS n FROM place_search').get() as { n: number }).n).toBe(live.n)
    expect(sqlite().prepare(`INSERT INTO place_search_fts(place_search_fts, rank) VALUES ('integrity-check', 1)`).run()).toBeTruthy()
  })

  it('finds nothing for nonsense and rejects an empty query', async () => {
    expect(await find('qqqqxxxx')).toEqual([])
    await expect(core.call('search.all', { query: '  ' })).rejects.toMatchObject({ code: 'VALIDATION' })
  })
})

describe('lists in pinyin order', () => {
  it('sorts customers and villages by the pinyin of their names, not by code point', async () => {
    const collator = new Intl.Collator('zh-CN-u-co-pinyin')
    const customers = (await core.call('customers.list', { sort: 'name', limit: 200 })).rows.map((r) => r.name)
    const keys = customers.map(
      (n) =>
        (sqlite().prepare('SELECT pinyin FROM customer_search s JOIN key_customers k ON k.id = s.customer_id WHERE k.name = ?').get(n) as { pinyin: string })
          .pinyin,
    )
    expect(keys).toEqual([...keys].sort())
    // Agrees with the pinyin collation on the first characters (homophones aside).
    expect(collator.compare(customers[0]!, customers.at(-1)!)).toBeLessThan(0)
    const villages = (await core.call('villages.list', { sort: 'name', limit: 200 })).rows.map((r) => pinyinKey(r.name, 'full'))
    expect(villages).toEqual([...villages].sort())
    expect(villages[0]!.startsWith('a')).toBe(true)
  })
})
