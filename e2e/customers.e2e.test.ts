// Key customers and competitor intel end to end: find a customer by pinyin initials,
// open them, move their stage (recorded with its date); a bad edit shows translated field errors
// and stores nothing; record competitor intel and see it in the list, its comparison, and on the map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

let app: Harness
let customerId: string

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  const village = app.core.ctx.db.$client.prepare('SELECT id FROM villages ORDER BY division_code LIMIT 1').get() as { id: string }
  customerId = (
    await app.core.call('customers.create', {
      name: '张三丰',
      category: 'commerce',
      villageId: village.id,
      phone: '13812345678',
      organisation: '武当农资店',
      monthlyRevenue: 800,
    })
  ).id
})
afterAll(async () => {
  await app?.close()
})

describe('key customers', () => {
  it('finds a customer by pinyin initials, opens them and moves their stage', async () => {
    const { page, core } = app
    await page.goto(`${app.url}#/customers`)
    await page.getByTestId('customer-count').getByText('共 361 位客户').waitFor()
    await app.screenshot('50-customers-list')
    // 最近拜访 sorts: the longest unvisited first, then the most recent first.
    const lastVisits = async () => (await page.locator('[data-testid="customer-table"] tbody tr td:last-child').allTextContents()).slice(0, 20)
    await page.locator('[data-sort="lastVisit"]').click()
    await expect.poll(async () => (await lastVisits())[0]).toBe('—')
    await page.locator('[data-sort="lastVisit"]').click()
    await expect.poll(async () => (await lastVisits())[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    const days = await lastVisits()
    expect([...days].sort().reverse()).toEqual(days)
    await page.locator('[data-sort="name"]').click()
    await page.getByTestId('customer-search').fill('zsf')
    await expect.poll(() => page.getByTestId('customer-row-name').allTextContents()).toContain('张三丰')
    await page.locator(`tr[data-customer-id="${customerId}"]`).click()
    const panel = page.getByTestId('customer-panel')
    await panel.getByTestId('customer-name').getByText('张三丰').waitFor()
    await panel.locator('[data-stage="intent"]').click()
    await panel.locator('[data-stage="intent"][data-current="true"]').waitFor()
    await panel.locator('[data-kind="move"]').first().getByText('潜在 → 意向').waitFor()
    const stored = await core.call('customers.get', { id: customerId })
    expect(stored.funnelStage).toBe('intent')
    expect(stored.moves[0]).toMatchObject({ fromStage: 'potential', toStage: 'intent' })
    expect(stored.moves[0]!.movedAt.slice(0, 10)).toBe(new Date().toISOString().slice(0, 10))
    await app.screenshot('51-customer-panel')
  })

  it('rejects a bad phone with a translated message under the field and stores nothing', async () => {
    const { page, core } = app
    const before = await core.call('customers.get', { id: customerId })
    await page.getByTestId('customer-edit').click()
    const form = page.getByTestId('customer-form')
    await form.locator('input[data-field="phone"]').fill('12345')
    await form.locator('input[data-field="influence"]').fill('9')
    await form.getByTestId('customer-save').click()
    await form.getByText('电话格式不正确', { exact: false }).waitFor()
    await form.getByText('影响力应为 1 到 5 的整数').waitFor()
    await app.screenshot('52-customer-form-errors')
    expect((await core.call('customers.get', { id: customerId })).phone).toBe(before.phone)
    expect((await core.call('customers.get', { id: customerId })).updatedAt).toBe(before.updatedAt)
    await form.getByRole('button', { name: '取消' }).click()
  })
})

describe('competitor intel', () => {
  it('records intel, sees it in the list with its comparison, and on the map', async () => {
    const { page, core } = app
    await page.goto(`${app.url}#/intel`)
    await page.getByTestId('intel-count').getByText('共', { exact: false }).waitFor()
    const before = (await core.call('intel.list', { limit: 1 })).total
    await page.getByTestId('new-intel').click()
    const form = page.getByTestId('intel-form')
    // Nothing chosen for where: the form says so and stores nothing.
    await form.locator('input[data-field="title"]').fill('电信199元全家享')
    await form.getByTestId('intel-save').click()
    await form.getByText('请选择村/社区或在地图上点选位置').waitFor()
    expect((await core.call('intel.list', { limit: 1 })).total).toBe(before)
    await form.locator('input[data-field="villageId"]').click()
    await page.getByRole('option').first().click()
    await expect.poll(() => form.getByText('请选择村/社区或在地图上点选位置').count()).toBe(0)
    await form.locator('input[data-field="monthlyFee"]').fill('199')
    await form.locator('input[data-field="dataGb"]').fill('100')
    await form.locator('input[data-field="broadbandMbps"]').fill('1000')
    await form.locator('input[data-field="contractMonths"]').fill('24')
    await form.locator('input[data-field="deviceSubsidy"]').fill('600')
    await app.screenshot('53-intel-form')
    await form.getByTestId('intel-save').click()
    await form.waitFor({ state: 'hidden' })
    await expect.poll(() => page.getByTestId('intel-row-title').allTextContents()).toContain('电信199元全家享')
    await page
      .getByTestId('intel-count')
      .getByText(`共 ${before + 1} 条`)
      .waitFor()
    const detail = page.getByTestId('intel-detail')
    await detail.getByTestId('intel-compare').locator('[data-metric="feePerGb"]').waitFor()
    expect(await detail.getByTestId('intel-compare').locator('[data-metric="deviceSubsidy"]').getAttribute('data-better')).toBe('rival')
    await expect.poll(() => page.locator('[data-testid="intel-map"] path.intel-pin').count()).toBeGreaterThan(0)
    await app.screenshot('54-intel-page')
    const stored = (await core.call('intel.list', { limit: 1 })).rows[0]!
    expect(stored).toMatchObject({ title: '电信199元全家享', monthlyFee: 199, contractMonths: 24, deviceSubsidy: 600 })
    // The map page shows the intel valid today as pins.
    await page.goto(`${app.url}#/map`)
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor()
    await expect.poll(() => page.locator('path.intel-pin').count()).toBeGreaterThan(0)
    await app.screenshot('55-map-intel-pins')
    expect(app.problems.filter((p) => !p.includes('HTTP 4'))).toEqual([])
  })
})
