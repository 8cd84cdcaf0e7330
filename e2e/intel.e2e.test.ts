// Editing competitor intel end to end: open a record from its row, change a price field and see the
// list and the comparison with our offer change (the edit goes to the outbox as that one field);
// open it from its map pin, give bad input and see each problem under its field, nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

let app: Harness
let intelId: string
const outboxOf = (id: string) =>
  app.core.ctx.db.$client.prepare("SELECT op, fields FROM outbox WHERE table_name = 'competitor_intel' AND row_id = ? ORDER BY device_seq").all(id) as {
    op: string
    fields: string
  }[]

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  const village = app.core.ctx.db.$client.prepare('SELECT id, lon, lat FROM villages ORDER BY division_code LIMIT 1').get() as {
    id: string
    lon: number
    lat: number
  }
  // Seen today, so it heads the list; a point of its own, so it has a pin.
  const today = new Date().toISOString().slice(0, 10)
  intelId = (
    await app.core.call('intel.create', {
      rival: 'unicom',
      kind: 'price',
      title: '联通59元校园卡',
      seenAt: today,
      validFrom: today,
      validTo: null,
      villageId: village.id,
      lon: village.lon + 0.002,
      lat: village.lat,
      monthlyFee: 59,
      dataGb: 30,
      voiceMinutes: 300,
      contractMonths: 12,
      deviceSubsidy: 0,
      reliability: 4,
      threatLevel: 3,
      source: '宣传单',
    })
  ).id
})
afterAll(async () => {
  await app?.close()
})

describe('editing competitor intel', () => {
  it('opens a record from the list, edits a price field, and the list and comparison change', async () => {
    const { page, core } = app
    await page.goto(`${app.url}#/intel`)
    const row = page.locator(`tr[data-intel-id="${intelId}"]`)
    await row.waitFor()
    await row.click()
    const compare = page.getByTestId('intel-detail').getByTestId('intel-compare')
    const rivalFeePerGb = () => compare.locator('[data-metric="feePerGb"] td').nth(1).textContent()
    await expect.poll(rivalFeePerGb).toBe('1.97')
    // Same fee and data as our 59 plan: even on fee per GB.
    expect(await compare.locator('[data-metric="feePerGb"]').getAttribute('data-better')).toBe('even')
    const ourOffer = await page.getByTestId('intel-detail').locator('input[aria-label="我方产品"]').inputValue()

    await row.getByTestId('intel-row-edit').click()
    const form = page.getByTestId('intel-form')
    await page.getByRole('dialog', { name: '编辑情报' }).waitFor()
    expect(await form.locator('input[data-field="title"]').inputValue()).toBe('联通59元校园卡')
    expect(await form.locator('input[data-field="monthlyFee"]').inputValue()).toBe('59')
    expect(await form.locator('input[data-field="dataGb"]').inputValue()).toBe('30')
    await form.locator('input[data-field="monthlyFee"]').fill('29')
    // The point picker opens zoomed in on the record's point (looked at, not moved).
    await form.getByTestId('intel-pick-point').click()
    await form.locator('.leaflet-container path[fill="#ff9800"]').waitFor()
    await page.waitForTimeout(300) // the modal's opening transition
    await app.screenshot('60-intel-edit-form')
    await form.getByTestId('intel-pick-point').click()
    await form.getByTestId('intel-save').click()
    await form.waitFor({ state: 'hidden' })

    await expect.poll(() => row.locator('td').nth(5).textContent()).toBe('29')
    await expect.poll(rivalFeePerGb).toBe('0.97')
    // Still compared with the same offer of ours, and now the rival is ahead on fee per GB.
    expect(await page.getByTestId('intel-detail').locator('input[aria-label="我方产品"]').inputValue()).toBe(ourOffer)
    expect(await compare.locator('[data-metric="feePerGb"]').getAttribute('data-better')).toBe('rival')
    await app.screenshot('61-intel-edited')

    const stored = await core.call('intel.get', { id: intelId })
    expect(stored).toMatchObject({ monthlyFee: 29, dataGb: 30, title: '联通59元校园卡', contractMonths: 12 })
    // The edit is one outbox change carrying the one field that changed.
    const changes = outboxOf(intelId)
    expect(changes.map((c) => c.op)).toEqual(['insert', 'update'])
    expect(JSON.parse(changes[1]!.fields)).toEqual({ monthly_fee: 29 })
  })

  it('opens a record from its map pin; bad input shows each problem under its field and stores nothing', async () => {
    const { page, core } = app
    await page.getByTestId('intel-detail').getByRole('button', { name: '关闭' }).click()
    await page.getByTestId('intel-detail').waitFor({ state: 'detached' })
    const pin = page.locator(`[data-testid="intel-map"] path.intel-${intelId}`)
    await pin.waitFor()
    // Pins crowd at county zoom: zoom in on ours with the wheel, as a user would, then click it.
    for (let i = 0; i < 4; i++) {
      const box = (await pin.boundingBox())!
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
      await page.mouse.wheel(0, -240)
      await page.waitForTimeout(400)
    }
    await pin.click()
    await page.getByTestId('intel-detail').getByText('联通59元校园卡').waitFor()
    await page.getByTestId('intel-edit').click()
    const form = page.getByTestId('intel-form')
    await page.getByRole('dialog', { name: '编辑情报' }).waitFor()
    expect(await form.locator('input[data-field="monthlyFee"]').inputValue()).toBe('29')

    const before = await core.call('intel.get', { id: intelId })
    const changesBefore = outboxOf(intelId).length
    await form.locator('input[data-field="title"]').fill('')
    await form.locator('input[data-field="validTo"]').fill('2020-01-01')
    await form.locator('input[data-field="reliability"]').fill('9')
    await form.locator('input[data-field="lat"]').fill('')
    await form.getByTestId('intel-save').click()
    await form.getByTestId('intel-form-invalid').waitFor()
    const errorOf = (field: string) =>
      form.locator(`input[data-field="${field}"]`).evaluate(
        (input) =>
          document.getElementById(
            input
              .getAttribute('aria-describedby')
              ?.split(' ')
              .find((id) => id.endsWith('-error')) ?? '',
          )?.textContent ?? '',
      )
    // zod checks the patch first; the title is empty and reliability too big.
    await expect.poll(() => errorOf('title')).toBe('必填')
    expect(await errorOf('reliability')).toBe('应为 1 到 5 的整数')
    await app.screenshot('62-intel-edit-errors')
    expect(await core.call('intel.get', { id: intelId })).toEqual(before)
    expect(outboxOf(intelId)).toHaveLength(changesBefore)

    // Fixed those two: the core then checks the record as it would be (range, half a point).
    await form.locator('input[data-field="title"]').fill('联通59元校园卡')
    await form.locator('input[data-field="reliability"]').fill('5')
    await form.getByTestId('intel-save').click()
    await expect.poll(() => errorOf('validTo')).toBe('截止日期不能早于开始日期')
    await form.locator('input[data-field="validTo"]').fill('')
    await form.getByTestId('intel-save').click()
    await expect.poll(() => errorOf('lat')).toBe('经度和纬度须同时填写')
    await app.screenshot('63-intel-edit-point-error')
    expect(await core.call('intel.get', { id: intelId })).toEqual(before)
    expect(outboxOf(intelId)).toHaveLength(changesBefore)
    // Picking a point on the form's map fills both coordinates (the half-point error goes away).
    await form.getByTestId('intel-pick-point').click()
    const pickMap = form.locator('.leaflet-container')
    await pickMap.locator('path.grid-polygon, path[class*="grid-"]').first().waitFor()
    await pickMap.click()
    await expect.poll(() => form.locator('input[data-field="lat"]').inputValue()).toMatch(/^2[0-9]\.\d+$/)
    expect(await form.locator('input[data-field="lon"]').inputValue()).toMatch(/^10[0-9]\.\d+$/)
    expect(await errorOf('lat')).toBe('')
    await page.waitForTimeout(300)
    await app.screenshot('63b-intel-edit-pick-point')
    await form.getByRole('button', { name: '取消' }).click()
    await form.waitFor({ state: 'hidden' })
    expect(app.problems.filter((p) => !/HTTP 4\d\d: .*\/rpc\/intel\.update/.test(p))).toEqual([])
  })
})
