import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INCOMPLETE_BELOW, profileCompleteness } from '../../../shared/profile'
import { pinyinKey } from '../db/pinyin'
import { openTestCore } from '../testing'

type TestCore = ReturnType<typeof openTestCore>

let core: TestCore
beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 20, visits: 50 })
})
afterAll(() => core?.dispose())

describe('villages.list', () => {
  it('pages through every live village, with the total', async () => {
    const { count } = core.ctx.db.$client.prepare('SELECT count(*) AS count FROM villages WHERE deleted_at IS NULL').get() as { count: number }
    const first = await core.call('villages.list', { limit: 50 })
    expect(first.total).toBe(count)
    expect(first.rows).toHaveLength(Math.min(50, count))
    const all = await core.call('villages.list', { limit: 5000 })
    const second = await core.call('villages.list', { limit: 50, offset: 50 })
    expect(second.rows.map((r) => r.id)).toEqual(all.rows.slice(50, 100).map((r) => r.id))
    expect(new Set(all.rows.map((r) => r.id)).size).toBe(count)
  })

  it('finds villages by part of the name or by a division-code prefix', async () => {
    const { rows } = await core.call('villages.list', { limit: 5000 })
    const sample = rows[7]!
    const byName = await core.call('villages.list', { search: sample.name.slice(0, 2) })
    expect(byName.rows.every((r) => r.name.includes(sample.name.slice(0, 2)) || r.divisionCode.startsWith(sample.name.slice(0, 2)))).toBe(true)
    expect(byName.rows.map((r) => r.id)).toContain(sample.id)
    const byCode = await core.call('villages.list', { search: sample.divisionCode.slice(0, 9) })
    expect(byCode.total).toBeGreaterThan(0)
    expect(byCode.rows.every((r) => r.divisionCode.startsWith(sample.divisionCode.slice(0, 9)))).toBe(true)
    // LIKE wildcards typed by the user are literal.
    expect((await core.call('villages.list', { search: '%' })).total).toBe(0)
  })

  it('filters by grid', async () => {
    const [grid] = await core.call('grids.list', {})
    const { rows, total } = await core.call('villages.list', { gridId: grid!.id, limit: 5000 })
    expect(total).toBe(grid!.villages)
    expect(rows.every((r) => r.gridId === grid!.id && r.gridName === grid!.name)).toBe(true)
  })

  it('shows only villages whose profile is under the grid summary’s threshold, with the other filters', async () => {
    const all = (await core.call('villages.list', { limit: 5000 })).rows
    const incomplete = await core.call('villages.list', { incompleteOnly: true, limit: 5000 })
    expect(incomplete.rows.map((r) => r.id)).toEqual(all.filter((r) => r.completeness < INCOMPLETE_BELOW).map((r) => r.id))
    expect(incomplete.total).toBe(incomplete.rows.length)
    // Some of each, or the test proves nothing.
    expect(incomplete.total).toBeGreaterThan(0)
    expect(incomplete.total).toBeLessThan(all.length)
    // The same villages the grid summaries count as incomplete.
    const grids = await core.call('grids.list', {})
    for (const grid of grids.slice(0, 4)) {
      const inGrid = await core.call('villages.list', { gridId: grid.id, incompleteOnly: true, limit: 5000 })
      expect(inGrid.total).toBe((await core.call('grids.summary', { id: grid.id })).incompleteVillages)
      expect(inGrid.rows.every((r) => r.gridId === grid.id && r.completeness < INCOMPLETE_BELOW)).toBe(true)
    }
    // A village filled in leaves the list; `false` filters nothing.
    const village = incomplete.rows[0]!
    await core.call('villages.update', {
      id: village.id,
      patch: {
        population: 1000,
        households: 300,
        migrantAwayPct: 20,
        mainEconomy: '甘蔗',
        marketDays: '逢三',
        festivals: '三月三',
        educationLevel: '初中',
        fibreCovered: true,
        ourPorts: 100,
        signal4g: 'good',
        signal5g: 'fair',
        ourMobileSubs: 500,
        ourBroadbandSubs: 120,
        penetrationPct: 40,
      },
    })
    expect((await core.call('villages.get', { id: village.id })).completeness).toBeGreaterThanOrEqual(INCOMPLETE_BELOW)
    expect((await core.call('villages.list', { incompleteOnly: true, limit: 5000 })).rows.map((r) => r.id)).not.toContain(village.id)
    expect((await core.call('villages.list', { incompleteOnly: false, limit: 1 })).total).toBe(all.length)
  })

  it.each(['households', 'population', 'penetrationPct', 'completeness', 'name', 'gridName'] as const)(
    'sorts by %s both ways, empty values last',
    async (sort) => {
      const asc = (await core.call('villages.list', { sort, order: 'asc', limit: 5000 })).rows.map((r) => r[sort])
      const desc = (await core.call('villages.list', { sort, order: 'desc', limit: 5000 })).rows.map((r) => r[sort])
      // Names in pinyin order (the stored pinyin key), other text by code point.
      const key = (x: unknown) => (sort === 'name' ? pinyinKey(String(x), 'full') : String(x))
      const compare = (a: unknown, b: unknown) => (typeof a === 'number' ? a - (b as number) : key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)
      const filled = (xs: unknown[]) => xs.filter((x) => x !== null)
      expect(filled(asc)).toEqual([...filled(asc)].sort(compare))
      expect(filled(desc)).toEqual([...filled(desc)].sort((a, b) => compare(b, a)))
      expect(asc.slice(asc.length - asc.filter((x) => x === null).length).every((x) => x === null)).toBe(true)
    },
  )

  it('computes completeness in SQL exactly as the shared rule does, and villages.get agrees', async () => {
    const { rows } = await core.call('villages.list', { limit: 40 })
    for (const row of rows.slice(0, 40)) {
      const stored = core.ctx.db.$client
        .prepare(
          `SELECT population, households, migrant_away_pct AS migrantAwayPct, main_economy AS mainEconomy, market_days AS marketDays,
          festivals, education_level AS educationLevel, fibre_covered AS fibreCovered, our_ports AS ourPorts, signal_4g AS signal4g,
          signal_5g AS signal5g, our_mobile_subs AS ourMobileSubs, our_broadband_subs AS ourBroadbandSubs, penetration_pct AS penetrationPct,
          key_persons AS keyPersons, age_under_18_pct AS ageUnder18Pct, age_18_to_60_pct AS age18To60Pct, age_over_60_pct AS ageOver60Pct,
          rival_ports AS rivalPorts, share_vs_rivals AS shareVsRivals FROM villages WHERE id = ?`,
        )
        .get(row.id) as Record<string, unknown>
      expect(row.completeness).toBeCloseTo(profileCompleteness(stored), 10)
      expect((await core.call('villages.get', { id: row.id })).completeness).toBeCloseTo(row.completeness, 10)
    }
  })
})

describe('villages.history', () => {
  it('lists this device’s edits of the village, newest first, with the fields changed and their values', async () => {
    const { rows } = await core.call('villages.list', { sort: 'completeness', order: 'asc', limit: 1 })
    const village = rows[0]!
    expect(await core.call('villages.history', { id: village.id })).toEqual([])
    await core.call('villages.update', { id: village.id, patch: { marketDays: '农历逢三、六、九' } })
    const after = await core.call('villages.update', { id: village.id, patch: { households: 321, mainEconomy: '甘蔗、芒果' } })
    const history = await core.call('villages.history', { id: village.id })
    expect(history).toHaveLength(2)
    expect(history[0]!.op).toBe('update')
    expect(history[0]!.synced).toBe(false)
    expect(Object.fromEntries(history[0]!.changes.map((c) => [c.field, c.value]))).toMatchObject({ households: 321, mainEconomy: '甘蔗、芒果' })
    expect(history[1]!.changes).toEqual([{ field: 'marketDays', value: '农历逢三、六、九' }])
    expect(history[0]!.at >= history[1]!.at).toBe(true)
    expect(after.completeness).toBeGreaterThanOrEqual(village.completeness)
  })

  it('answers NOT_FOUND for an unknown village', async () => {
    await expect(core.call('villages.history', { id: '01900000-0000-7000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
