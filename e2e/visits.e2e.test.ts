// Visits in the browser: plan a day's route; from the next-up list, log a visit to
// an A-tier customer with a device check-in, an objection, rival news and a next action; the
// draft survives a reload; a bad number is named beside its field and stores nothing; the
// completed visit creates the intel record and the follow-up work order, moves the customer in
// the funnel and takes the customer's "not visited" reason off the next-up list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NextUpRow } from '../shared/api/visits'
import { startHarness, type Harness } from './harness'

let app: Harness
let gridId: string
let customer: NextUpRow & { lon: number; lat: number }
const DAY = 86_400_000
const pad = (n: number) => String(n).padStart(2, '0')
const localDay = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
const settle = () => app.page.waitForTimeout(400)
const count = (table: string) => (app.core.ctx.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
const stored = () => ['visits', 'competitor_intel', 'work_orders', 'funnel_moves', 'visit_objections', 'outbox'].map(count)

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  gridId = (app.core.ctx.db.$client.prepare(`SELECT id FROM org_units WHERE code = '451022-G03'`).get() as { id: string }).id
  const ranked = await app.core.call('visits.nextUp', { gridId, limit: 500 })
  const row = ranked.find((r) => r.reasons.some((x) => x.code === 'a_tier_stale') && (r.funnelStage === 'potential' || r.funnelStage === 'contacted'))!
  const at = app.core.ctx.db.$client.prepare(`SELECT lon, lat FROM key_customers WHERE id = ?`).get(row.customerId) as { lon: number; lat: number }
  customer = { ...row, ...at }
  // The laptop "is" 60 m from the customer: device check-in through the browser's geolocation.
  const context = app.page.context()
  await context.grantPermissions(['geolocation'])
  await context.setGeolocation({ latitude: customer.lat, longitude: customer.lon + 0.0006 })
})
afterAll(async () => {
  await app?.close()
})

describe('visits: plan, log with draft, intel and work order, next up, funnel', () => {
  it('plans a day: numbered stops on the map and the total distance', async () => {
    const { page } = app
    await page.goto(`${app.url}#/visits?grid=${gridId}`)
    const boxes = page.locator('[data-testid="plan-targets"] input[type="checkbox"]')
    await boxes.first().waitFor()
    for (let i = 0; i < 7; i++) await boxes.nth(i).check()
    await page.getByTestId('plan-route').click()
    await page.getByTestId('plan-total').waitFor()
    await expect.poll(() => page.locator('.route-stop').count()).toBe(7)
    expect(await page.getByTestId('plan-total').textContent()).toMatch(/全程约 [\d.]+ 公里/)
    await settle()
    await app.screenshot('60-visits-plan')
  })

  it('lists who to see next, each with the reasons in words', async () => {
    const { page } = app
    await page.locator('[data-tab="nextUp"]').click()
    const row = page.locator(`[data-testid="next-up"] tr[data-customer="${customer.customerId}"]`)
    await row.waitFor()
    await expect.poll(() => row.locator('[data-reason="a_tier_stale"]').textContent()).toMatch(/A类客户/)
    await app.screenshot('60-visits-next-up')
    await row.getByRole('button').click()
    await expect.poll(() => page.locator('[data-field="target"]').inputValue()).toContain(customer.name)
  })

  it('logs a visit: check-in distance, objection, rival news, next action; the draft survives a reload', async () => {
    const { page } = app
    await page.getByTestId('checkin-device').click()
    await page.getByTestId('checkin-distance').waitFor()
    expect(await page.getByTestId('checkin-distance').textContent()).toMatch(/距拜访对象 \d+ 米/)
    await page.locator('[data-field="purpose"]').fill('合约续签')
    await page.locator('[data-preset="客户认可，约定下次详谈"]').click()
    await page.getByTestId('objections').click()
    await page.getByRole('option', { name: '价格' }).click()
    await page.keyboard.press('Escape')
    await page.locator('[data-objection="price"] input[type="checkbox"]').check()
    await page.getByTestId('rival-on').check()
    await page.getByTestId('rival-title').fill('电信59元融合套餐送千兆宽带')
    await page.getByTestId('rival-fee').fill('59元') // not a number: the core names the field
    await page.getByTestId('next-action').fill('送宽带资费单')
    await page.getByTestId('next-due').fill(localDay(new Date(Date.now() + 3 * DAY)))
    await expect.poll(() => page.getByTestId('draft-state').textContent(), { timeout: 5000 }).toMatch(/草稿已自动保存/)

    // Close and reopen the page: the draft comes back as it was typed.
    await page.reload()
    await page.locator('[data-tab="log"]').click()
    await page.getByTestId('draft-restored').waitFor()
    expect(await page.locator('[data-field="purpose"]').inputValue()).toBe('合约续签')
    expect(await page.getByTestId('rival-fee').inputValue()).toBe('59元')
    await expect.poll(() => page.locator('[data-field="target"]').inputValue()).toContain(customer.name)
    await settle()
    await app.screenshot('60-visits-log-draft-restored')
  })

  it('names the bad field and stores nothing', async () => {
    const { page } = app
    const before = stored()
    await page.getByTestId('visit-complete').click()
    await page.getByTestId('form-errors').waitFor()
    const feeError = page.locator('[data-field="rivalNews"] .mantine-InputWrapper-error')
    await expect.poll(() => feeError.first().textContent()).toBe('请输入数字')
    expect(stored()).toEqual(before)
    await app.screenshot('60-visits-log-error')
    // The core says the same when the form is bypassed, per field and in the caller's language.
    const direct = await app.core.dispatch(
      'visits.complete',
      {
        target: { kind: 'customer', id: customer.customerId },
        checkIn: { at: new Date().toISOString(), source: 'none' },
        purpose: 'x',
        outcome: 'x',
        rivalNews: { rival: 'telecom', kind: 'price', title: 't', monthlyFee: '59元' },
      },
      'zh-CN',
    )
    expect(direct.ok).toBe(false)
    expect(!direct.ok && direct.error.issues?.map((i) => i.path.join('.'))).toEqual(['rivalNews.monthlyFee'])
    expect(stored()).toEqual(before)
    await page.getByTestId('visit-complete').scrollIntoViewIfNeeded()
    await app.screenshot('60-visits-log-error-field')
  })

  it('completes the visit: intel record and follow-up work order created, customer moves in the funnel', async () => {
    const { page } = app
    const funnelBefore = await app.core.call('funnel.get', { gridId, from: localDay(new Date(Date.now() - 30 * DAY)), to: localDay(new Date()) })
    await page.getByTestId('rival-fee').fill('59')
    await page.getByTestId('visit-complete').click()
    await page.getByTestId('visit-done').waitFor()
    expect(await page.getByTestId('done-intel').textContent()).toContain('电信59元融合套餐送千兆宽带')
    expect(await page.getByTestId('done-wo').textContent()).toContain('送宽带资费单')
    expect(await page.getByTestId('done-funnel').textContent()).toMatch(/→ 意向/)
    await settle()
    await app.screenshot('60-visits-done')

    const visit = (await app.core.call('visits.list', { customerId: customer.customerId, limit: 1 }))[0]!
    const detail = await app.core.call('visits.get', { id: visit.id })
    expect(detail.objections).toMatchObject([{ code: 'price', worked: true }])
    expect(detail.distanceM).toBeLessThan(100)
    expect(detail.intel).toMatchObject([{ rival: 'telecom', kind: 'price', title: '电信59元融合套餐送千兆宽带' }])
    const intelRow = app.core.ctx.db.$client.prepare(`SELECT from_visit_id, monthly_fee FROM competitor_intel WHERE id = ?`).get(detail.intel[0]!.id)
    expect(intelRow).toEqual({ from_visit_id: visit.id, monthly_fee: 59 })
    const orders = await app.core.call('workOrders.list', { region: '451022-G03', status: ['open'], limit: 500 })
    expect(orders.find((w) => w.visitId === visit.id)).toMatchObject({ origin: 'visit', title: '送宽带资费单', customerId: customer.customerId })
    const funnelAfter = await app.core.call('funnel.get', { gridId, from: localDay(new Date(Date.now() - 30 * DAY)), to: localDay(new Date()) })
    const entered = (f: typeof funnelAfter) => f.stages.find((s) => s.stage === 'intent')!.entered
    expect(entered(funnelAfter)).toBe(entered(funnelBefore) + 1)
    // Nothing left as a draft.
    expect(await app.core.call('visits.drafts', {})).toEqual([])
  })

  it('the next-up list changes and the funnel shows the move', async () => {
    const { page } = app
    await page.locator('[data-tab="nextUp"]').click()
    const row = page.locator(`[data-testid="next-up"] tr[data-customer="${customer.customerId}"]`)
    // The customer was just visited: the "not visited for 30 days" reason is gone (the row may be gone too).
    await expect.poll(async () => ((await row.count()) === 0 ? 0 : await row.locator('[data-reason="a_tier_stale"]').count())).toBe(0)
    await settle()
    await app.screenshot('60-visits-next-up-after')
    await page.locator('[data-tab="funnel"]').click()
    await page.getByTestId('funnel-table').waitFor()
    const enteredIntent = page.locator('[data-testid="funnel-table"] tr[data-stage="intent"] td[data-col="entered"]')
    await expect.poll(async () => Number(await enteredIntent.textContent())).toBeGreaterThan(0)
    await settle()
    await app.screenshot('60-visits-funnel')
    // One grid picker (the page's); the funnel only chooses between that grid and all grids.
    const current = page.locator('[data-testid="funnel-table"] tr[data-stage="intent"] td[data-col="current"]')
    const inGrid = Number(await current.textContent())
    await page.getByTestId('funnel-scope').getByText('全部网格').click()
    await expect.poll(async () => Number(await current.textContent())).toBeGreaterThan(inGrid)
    expect(app.problems).toEqual([])
  })
})
