import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestCore } from '../testing'

const G = (n: number) => `451022-G${String(n).padStart(2, '0')}`
let core: ReturnType<typeof openTestCore>
beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 120, visits: 100 })
  // A month of our own, far from the demo's: 12 grids on pace but G07 at 30%.
  for (let n = 1; n <= 12; n++) {
    await core.call('targets.set', { indicatorCode: 'new_mobile', orgUnitCode: G(n), period: '2040-06', value: 100 })
    await core.call('actuals.record', {
      indicatorCode: 'new_mobile',
      orgUnitCode: G(n),
      period: '2040-06',
      value: n === 7 ? 30 : 95 + (n % 4) * 3,
      asOf: '2040-06-30T00:00:00Z',
    })
    // y = 2x + 1 on broadband: a perfect correlation.
    await core.call('targets.set', { indicatorCode: 'broadband_net', orgUnitCode: G(n), period: '2040-06', value: 50 })
    await core.call('actuals.record', {
      indicatorCode: 'broadband_net',
      orgUnitCode: G(n),
      period: '2040-06',
      value: 2 * (n === 7 ? 30 : 95 + (n % 4) * 3) + 1,
      asOf: '2040-06-30T00:00:00Z',
    })
  }
})
afterAll(() => core?.dispose())

describe('analysis of module 3', () => {
  it('finds the grid far from its peers and explains it in both languages', async () => {
    const { anomalies } = await core.call('analysis.anomalies', { region: '451022', period: '2040-06', indicatorCode: 'new_mobile', asOf: '2040-06-30' })
    expect(anomalies).toHaveLength(1)
    const a = anomalies[0]!
    expect(a).toMatchObject({ code: G(7), side: 'low', worse: true, completion: 0.3 })
    expect(a.peerMedian).toBeCloseTo(0.98) // sorted: .30 .95×3 .98×3 1.01×3 1.04×2 → median of 6th and 7th = .98
    expect(a.explanation.zh).toContain('完成率 30.0%')
    expect(a.explanation.zh).toContain('明显落后')
    expect(a.explanation.en).toMatch(/robust standard deviations .* below/)
  })

  it('compares peers, ranks them and groups them by center, kind and size', async () => {
    const cmp = await core.call('analysis.compare', { region: '451022', period: '2040-06', asOf: '2040-06-30', indicatorCode: 'new_mobile', focus: G(7) })
    expect(cmp.peers).toHaveLength(12)
    expect(cmp.focus).toMatchObject({ code: G(7), rank: 12, vsMedianPp: -68 })
    expect(cmp.peers[0]!.completion).toBe(1.04)
    for (const by of ['center', 'kind', 'size'] as const) {
      const { groups } = await core.call('analysis.group', { region: '451022', period: '2040-06', asOf: '2040-06-30', indicatorCode: 'new_mobile', by })
      expect(groups.reduce((a, g) => a + g.grids.length, 0)).toBe(12)
      expect(groups.reduce((a, g) => a + (g.target ?? 0), 0)).toBe(1200)
    }
    expect(
      (await core.call('analysis.group', { region: '451022', period: '2040-06', asOf: '2040-06-30', indicatorCode: 'new_mobile', by: 'center' })).groups,
    ).toHaveLength(4)
  })

  it('correlates two indicators with r and the scatter points', async () => {
    const c = await core.call('analysis.correlation', { region: '451022', x: 'new_mobile', y: 'broadband_net', from: '2040-06', measure: 'actual' })
    expect(c.n).toBe(12)
    expect(c.r).toBeCloseTo(1, 10)
    expect(c.slope).toBeCloseTo(2)
    expect(c.intercept).toBeCloseTo(1)
    expect(c.points[0]).toMatchObject({ period: '2040-06' })
  })

  it('computes the trend with month-on-month and year-on-year growth', async () => {
    const months = ['2041-01', '2041-02', '2041-03', '2042-01', '2042-02']
    const values = [100, 120, 90, 150, 150]
    for (const [i, m] of months.entries())
      await core.call('actuals.record', { indicatorCode: 'terminal_sales', orgUnitCode: G(9), period: m, value: values[i]! })
    const { points } = await core.call('analysis.trend', { orgUnitCode: G(9), indicatorCode: 'terminal_sales', from: '2041-01', to: '2042-02' })
    expect(points).toHaveLength(14)
    const at = (p: string) => points.find((x) => x.period === p)!
    expect(at('2041-02').mom).toBeCloseTo(0.2)
    expect(at('2041-03').mom).toBeCloseTo(-0.25)
    expect(at('2041-04')).toMatchObject({ actual: null, mom: null })
    expect(at('2042-01').yoy).toBeCloseTo(0.5)
    expect(at('2042-02')).toMatchObject({ mom: 0 })
    expect(at('2042-02').yoy).toBeCloseTo(0.25)
    // The center above G09 sums its grids.
    const center = (
      await core.call('dashboard.get', { region: '451022', period: '2041-01', indicatorCodes: ['terminal_sales'], asOf: '9999-12-31' })
    ).rows.find((r) => r.level === 'center' && r.cells.terminal_sales!.actual === 100)
    expect(center).toBeDefined()
  })

  it('finds the 80/20 of key-customer value, the funnel and the Boston matrix', async () => {
    const p = await core.call('analysis.pareto', { region: '451022', limit: 500 })
    expect(p.customers).toBe(120)
    expect(p.items).toHaveLength(120)
    expect(p.items.filter((i) => i.tier === 'A')).toHaveLength(24)
    expect(p.items.at(-1)!.cumulativeShare).toBeCloseTo(1)
    const sum = p.items.reduce((a, i) => a + i.value, 0)
    expect(p.total).toBeCloseTo(sum, 1)
    expect(p.top20Share).toBeCloseTo(p.items.slice(0, 24).reduce((a, i) => a + i.value, 0) / sum)
    const f = await core.call('analysis.funnel', { region: '451022' })
    expect(f.steps.map((s) => s.stage)).toEqual(['potential', 'contacted', 'intent', 'won', 'retained'])
    expect(f.steps[0]!.reached).toBe(120)
    expect(f.steps.reduce((a, s) => a + s.current, 0)).toBe(120)
    const b = await core.call('analysis.boston', { region: '451022' })
    expect(b.items.length).toBeGreaterThan(0)
    expect(b.items.every((i) => ['star', 'cash_cow', 'question', 'dog'].includes(i.quadrant))).toBe(true)
  })
})
