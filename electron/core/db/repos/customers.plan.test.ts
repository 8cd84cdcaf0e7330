// The customer list's filters are answered by index entries, not customer rows (migrations 0012 and
// 0016): EXPLAIN QUERY PLAN of the statements customers.list really prepares, on a migrated store
// with a small demo county. At 100,000 customers each row read is a random read of an encrypted page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CustomerListQuery } from '../../../../shared/api/customers'
import { openTestCore } from '../../testing'

describe('customer list statements on covering indexes', () => {
  let core: ReturnType<typeof openTestCore>
  let grid: string
  const prepared: string[] = []
  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', { keyCustomers: 300, visits: 600 })
    grid = (core.ctx.db.$client.prepare("SELECT id FROM org_units WHERE level = 'grid' ORDER BY code LIMIT 1").get() as { id: string }).id
    const client = core.ctx.db.$client
    const prepare = client.prepare.bind(client)
    client.prepare = ((text: string) => {
      prepared.push(text)
      return prepare(text)
    }) as typeof client.prepare
  })
  afterAll(() => core.dispose())

  /** The plan lines of every statement prepared for the first time by this call. */
  async function plansOf(input: Partial<CustomerListQuery>): Promise<string[]> {
    const from = prepared.length
    await core.call('customers.list', input)
    const client = core.ctx.db.$client
    return prepared
      .slice(from)
      .filter((text) => /^\s*SELECT/i.test(text))
      .flatMap((text) => {
        // Unbound values plan as NULL: no statistics are kept, so the plan does not depend on them.
        const unbound = Array<null>(text.split('?').length - 1).fill(null)
        return (client.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...unbound) as { detail: string }[]).map((r) => r.detail)
      })
  }

  it('counts and sorts tier + stage matches off key_customers_tier_live_idx, reading no customer row', async () => {
    const plan = await plansOf({ tier: 'A', stage: 'intent', limit: 100 })
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH k USING COVERING INDEX key_customers_tier_live_idx \(<expr>=\? AND funnel_stage=\?\)/))
    expect(plan.filter((line) => /^SEARCH k USING INDEX key_customers_tier_live_idx/.test(line))).toEqual([])
  })

  it('filters by rival off key_customers_rival_live_idx alone', async () => {
    const plan = await plansOf({ rival: 'telecom', limit: 100 })
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH k USING COVERING INDEX key_customers_rival_live_idx \(rival_used=\?\)/))
  })

  /**
   * The statements that choose the page, with their plan lines: every statement prepared for the
   * first time by this call except the one putting the page's ≤ limit rows back in order
   * (ORDER BY page.…, the top level of its plan; a sort nested in it is the page's own), and the
   * tail past the last village (customers without one, or with one this device lost: a few, by id).
   */
  async function pagePlansOf(input: Partial<CustomerListQuery>): Promise<string[][]> {
    const from = prepared.length
    await core.call('customers.list', input)
    const client = core.ctx.db.$client
    return prepared
      .slice(from)
      .filter(
        (text) => /^\s*SELECT/i.test(text) && !/^\s*SELECT (count\(\*\)|total_changes\(\))/i.test(text) && !/NOT IN \(SELECT id FROM villages\)/.test(text),
      )
      .map((text) => {
        const unbound = Array<null>(text.split('?').length - 1).fill(null)
        const rows = client.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...unbound) as { parent: number; detail: string }[]
        const reorders = /ORDER BY page\.(position|key)\s*$/.test(text)
        return rows.filter((r) => !(reorders && r.parent === 0 && r.detail === 'USE TEMP B-TREE FOR ORDER BY')).map((r) => r.detail)
      })
  }
  /** No statement sorts the matches: the page comes off an index in its order, at most each run of equal sort values sorted by id. */
  const sortsNothing = (plans: string[][]) => expect(plans.flat().filter((line) => /USE TEMP B-TREE FOR (ORDER BY|RIGHT PART)/.test(line))).toEqual([])

  it("walks a grid's customers by village off key_customers_grid_village_idx, on every page", async () => {
    for (const offset of [0, 100, 10_000]) {
      const plans = await pagePlansOf({ gridId: grid, sort: 'villageName', offset, limit: 100, order: offset === 100 ? 'desc' : 'asc' })
      if (offset === 10_000) continue // no match past the end: prepared before, nothing new to see
      expect(plans.flat()).toContainEqual(
        expect.stringMatching(/^SEARCH k USING COVERING INDEX key_customers_grid_village_idx \(grid_id=\? AND village_id=\?\)/),
      )
      sortsNothing(plans)
    }
  })

  it('reads a grid by revenue off key_customers_grid_revenue_idx in order, either direction', async () => {
    for (const order of ['desc', 'asc'] as const) {
      const plans = await pagePlansOf({ gridId: grid, sort: 'monthlyRevenue', order, limit: 100 })
      expect(plans.flat()).toContainEqual(expect.stringMatching(/^SEARCH k USING COVERING INDEX key_customers_grid_revenue_idx \(grid_id=\?\)/))
      sortsNothing(plans)
    }
  })

  it('reads contracts expiring soon off key_customers_list_idx in date order', async () => {
    const plans = await pagePlansOf({ expiringWithinDays: 60, sort: 'contractExpiry', limit: 100 })
    expect(plans.flat()).toContainEqual(
      expect.stringMatching(/^SEARCH k USING COVERING INDEX key_customers_list_idx \(deleted_at=\? AND contract_expiry>\? AND contract_expiry<\?\)/),
    )
    sortsNothing(plans)
  })

  it('walks tier + stage matches in name order, testing each on key_customers_tier_live_idx by (tier, stage, id)', async () => {
    // One row a page: the demo county's few matches still walk (repos/customers.ts walksInOrder).
    const plans = await pagePlansOf({ tier: 'A', stage: 'intent', limit: 1 })
    expect(plans.flat()).toContainEqual(expect.stringMatching(/^SCAN s USING COVERING INDEX customer_search_order_idx/))
    expect(plans.flat()).toContainEqual(
      expect.stringMatching(/^SEARCH k USING COVERING INDEX key_customers_tier_live_idx \(<expr>=\? AND funnel_stage=\? AND id=\?\)/),
    )
    sortsNothing(plans)
  })

  it('walks a rival’s customers with a tag in name order, testing each on key_customers_rival_live_idx by (rival, id)', async () => {
    const { tag } = core.ctx.db.$client
      .prepare(
        "SELECT j.value AS tag FROM key_customers k, json_each(k.tags) j WHERE k.rival_used = 'telecom' AND k.deleted_at IS NULL GROUP BY j.value ORDER BY count(*) DESC LIMIT 1",
      )
      .get() as { tag: string }
    const plans = await pagePlansOf({ rival: 'telecom', tag, limit: 1 })
    expect(plans.flat()).toContainEqual(expect.stringMatching(/^SCAN s USING COVERING INDEX customer_search_order_idx/))
    expect(plans.flat()).toContainEqual(expect.stringMatching(/^SEARCH k USING COVERING INDEX key_customers_rival_live_idx \(rival_used=\? AND id=\?\)/))
    sortsNothing(plans)
  })

  it('walks all customers by name and by village', async () => {
    sortsNothing(await pagePlansOf({ limit: 100 }))
    sortsNothing(await pagePlansOf({ sort: 'villageName', offset: 100, limit: 100 }))
  })
})
