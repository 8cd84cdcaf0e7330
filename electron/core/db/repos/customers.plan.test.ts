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

  it("sorts a grid's customers by village off key_customers_grid_village_idx", async () => {
    const plan = await plansOf({ gridId: grid, sort: 'villageName', offset: 100, limit: 100 })
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH k USING COVERING INDEX key_customers_grid_village_idx \(grid_id=\?\)/))
  })
})
