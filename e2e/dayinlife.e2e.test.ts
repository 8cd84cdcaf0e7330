// A grid manager's day in the browser, in zh-CN and in English, at 1366×768: load the demo, open
// every page and switch every tab away and back twice (no page may blank the app), plan a day and
// find it again, log a visit for a planned customer, open it and correct it, follow a map popup's
// action to the visit log, try to leave a dirty form (the guard asks, keep editing keeps the text),
// undo a stage move from its toast. No console error and no page error at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pages } from '../shared/domain'
import { startHarness, type Harness } from './harness'

const pad = (n: number) => String(n).padStart(2, '0')
const localDay = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
const dayAfter = (days: number) => localDay(new Date(Date.now() + days * 86_400_000))

for (const lang of ['zh-CN', 'en'] as const) {
  describe(`a day in the life (${lang})`, () => {
    let app: Harness
    let gridId: string
    let visitedCustomer: string
    const shot = (name: string) => app.screenshot(`70-day-${lang}-${name}`)
    const settle = (ms = 300) => app.page.waitForTimeout(ms)
    /** A reload cuts the calls in flight (e.g. the sync status poll): those are not errors. */
    const reload = async () => {
      const before = app.problems.length
      await app.page.reload()
      await app.page.waitForLoadState('networkidle')
      const added = app.problems.splice(before)
      app.problems.push(...added.filter((p) => !p.startsWith('request failed:')))
    }

    beforeAll(async () => {
      app = await startHarness()
      await app.core.call('demo.load', {})
      await app.page.addInitScript((l) => localStorage.setItem('griddesk.language', l), lang)
    })
    afterAll(async () => {
      await app?.close()
    })

    it('opens every page and switches every tab away and back twice', async () => {
      const { page } = app
      await page.goto(`${app.url}#/map`)
      await page.locator('[data-nav="map"]').waitFor()
      for (const { key } of pages) {
        await page.locator(`[data-nav="${key}"]`).click()
        await page.locator(`[data-page="${key}"], [data-testid="error-boundary-page"]`).first().waitFor({ timeout: 30_000 })
        await settle(600)
        const tabs = page.locator('[role="tab"]')
        const n = await tabs.count()
        for (let round = 0; round < 2; round++)
          for (let i = 0; i < n; i++) {
            await tabs.nth(i).click()
            await settle(250)
            if (i > 0) {
              await tabs.nth(0).click()
              await settle(250)
              await tabs.nth(i).click()
              await settle(250)
            }
          }
        if (n > 0) await tabs.nth(0).click()
        await settle(400)
        await shot(`page-${key}`)
        expect(await page.getByTestId('error-boundary-page').count(), key).toBe(0)
        expect(await page.getByTestId('error-boundary-map').count(), key).toBe(0)
        expect(app.problems, key).toEqual([])
      }
    }, 480_000)

    it('plans a day, and the plan comes back after a tab switch and a reload', async () => {
      const { page } = app
      gridId = (app.core.ctx.db.$client.prepare(`SELECT id FROM org_units WHERE code = '451022-G03'`).get() as { id: string }).id
      await page.goto(`${app.url}#/visits?grid=${gridId}`)
      const boxes = page.locator('[data-testid="plan-targets"] input[type="checkbox"]')
      await boxes.first().waitFor()
      for (let i = 0; i < 4; i++) await boxes.nth(i).check()
      await page.getByTestId('plan-route').click()
      await page.getByTestId('plan-total').waitFor()
      await page.getByTestId('plan-save').click()
      await expect.poll(() => page.locator('[data-plan-day]').count()).toBeGreaterThan(0)
      await page.getByTestId('plan-save').click() // saving twice replaces, never doubles
      await settle(600)
      const today = (await app.core.call('dayPlans.dates', { gridId, from: '2000-01-01' })).at(-1)!
      expect(today.planned).toBe(4)
      for (const tab of ['log', 'plan', 'nextUp', 'plan']) {
        await page.locator(`[data-tab="${tab}"]`).click()
        await settle(250)
      }
      await expect.poll(() => page.locator('.route-stop').count()).toBe(4)
      await reload()
      await page.getByTestId('plan-result').waitFor()
      await expect.poll(() => page.locator('.route-stop').count()).toBe(4)
      await settle(400)
      await shot('plan-reopened')
      expect(app.problems).toEqual([])
    })

    it('logs a visit for a planned customer: the stop is done, no empty visit is left', async () => {
      const { page } = app
      const stop = page.locator('[data-stop-log]').first()
      const customerId = (await stop.getAttribute('data-stop-log'))!
      await stop.click()
      await expect.poll(() => page.locator('[data-field="target"]').inputValue()).not.toBe('')
      await page.getByTestId('checkin-map').click()
      const box = (await page.getByTestId('checkin-mapbox').boundingBox())!
      await page.mouse.click(box.x + box.width / 2 + 8, box.y + box.height / 2 + 8)
      await page.locator('[data-testid="checkin-distance"], [data-testid="checkin-far"]').first().waitFor()
      await page.locator('[data-field="purpose"]').fill(lang === 'en' ? 'Relationship' : '关系维系')
      await page.locator('[data-field="outcome"]').fill(lang === 'en' ? 'Happy with the service' : '客户满意')
      await page.getByTestId('next-action').fill(lang === 'en' ? 'Bring the price sheet' : '送资费单')
      await page.getByTestId('next-due').fill(dayAfter(3))
      await page.getByTestId('next-due').press('Enter')
      await settle(300)
      await shot('log-filled')
      await page.getByTestId('visit-complete').click()
      await page.getByTestId('visit-done').waitFor()
      const open = app.core.ctx.db.$client
        .prepare(`SELECT count(*) AS n FROM visits WHERE customer_id = ? AND status = 'planned' AND planned_for <= date('now', '+1 day')`)
        .get(customerId) as { n: number }
      expect(open.n).toBe(0)
      const order = app.core.ctx.db.$client
        .prepare(
          `SELECT due_at FROM work_orders w JOIN visits s ON s.id = w.visit_id WHERE s.customer_id = ? AND w.title IN ('送资费单', 'Bring the price sheet')`,
        )
        .get(customerId) as { due_at: string }
      // The due day reads back as the day typed, in local time.
      expect(localDay(new Date(order.due_at))).toBe(dayAfter(3))
      await page.locator('[data-tab="plan"]').click()
      await page.locator(`[data-stop-done="${customerId}"]`).waitFor()
      await shot('plan-stop-done')
      visitedCustomer = customerId
      expect(app.problems).toEqual([])
    })

    it('opens the visit again, corrects it, and a dirty correction asks before it closes', async () => {
      const { page } = app
      await page.locator(`[data-stop-done="${visitedCustomer}"]`).click()
      await page.getByTestId('visit-detail').getByTestId('visit-correct').click()
      await page.getByTestId('correct-outcome').fill(lang === 'en' ? 'Signs next week' : '客户满意，下周签约')
      await page.keyboard.press('Escape')
      const stay = page.locator('[data-testid="unsaved-stay"]:visible')
      await stay.waitFor()
      await settle(300)
      await shot('guard-dialog')
      await stay.click()
      await stay.waitFor({ state: 'hidden' })
      // A click outside the drawer asks too.
      await page.mouse.click(300, 400)
      await stay.waitFor()
      await stay.click()
      await stay.waitFor({ state: 'hidden' })
      expect(await page.getByTestId('correct-outcome').inputValue()).toBe(lang === 'en' ? 'Signs next week' : '客户满意，下周签约')
      await page.getByTestId('correct-save').click()
      await page.getByTestId('correction-saved').waitFor()
      await expect.poll(() => page.getByTestId('detail-outcome').textContent()).toBe(lang === 'en' ? 'Signs next week' : '客户满意，下周签约')
      await expect.poll(() => page.getByTestId('visit-history').locator('p').count()).toBeGreaterThan(1)
      await settle(300)
      await shot('visit-corrected')
      await page.keyboard.press('Escape')
      await settle(300)
      expect(await page.locator('[data-testid="unsaved-stay"]:visible').count()).toBe(0)
      expect(app.problems).toEqual([])
    })

    it('asks before a dirty village profile is left for another page or village; keep editing keeps the text', async () => {
      const { page } = app
      await page.locator('[data-nav="villages"]').click()
      await page.locator('[data-page="villages"]').waitFor()
      const rows = page.locator('tr[data-village-code]')
      await rows.first().click()
      const panel = page.getByTestId('village-profile')
      const economy = panel.locator('input[data-field="mainEconomy"]')
      await economy.waitFor()
      const typed = lang === 'en' ? 'Sugar cane, mangoes' : '甘蔗、芒果'
      await economy.fill(typed)
      const stay = page.locator('[data-testid="unsaved-stay"]:visible')
      // Another page asks; keep editing stays on the page with the text.
      await page.locator('[data-nav="customers"]').click()
      await stay.waitFor()
      await settle(300)
      await shot('guard-leave-page')
      await stay.click()
      await stay.waitFor({ state: 'hidden' })
      expect(await page.locator('[data-page="villages"]').count()).toBe(1)
      expect(await economy.inputValue()).toBe(typed)
      // Another village asks too.
      await rows.nth(1).click()
      await stay.waitFor()
      await stay.click()
      await stay.waitFor({ state: 'hidden' })
      expect(await economy.inputValue()).toBe(typed)
      // Discarding goes on to the page asked for.
      await page.locator('[data-nav="customers"]').click()
      await page.locator('[data-testid="unsaved-leave"]:visible').click()
      await page.locator('[data-page="customers"]').waitFor()
      expect(app.problems).toEqual([])
    })

    it('a stage move shows a toast with undo, and undo moves the customer back', async () => {
      const { page } = app
      if ((await page.locator('[data-page="customers"]').count()) === 0) {
        await page.locator('[data-nav="customers"]').click()
        await page.locator('[data-page="customers"]').waitFor()
      }
      const row = page.locator('tr[data-customer-id]').first()
      await row.waitFor()
      const customerId = (await row.getAttribute('data-customer-id'))!
      await row.click()
      const stageOf = () => (app.core.ctx.db.$client.prepare(`SELECT funnel_stage AS s FROM key_customers WHERE id = ?`).get(customerId) as { s: string }).s
      const before = stageOf()
      const panel = page.getByTestId('customer-panel')
      await panel.locator('[data-stage][data-current="false"]').first().click()
      const toast = page.getByTestId('toast-undo')
      await toast.waitFor()
      await expect.poll(stageOf).not.toBe(before)
      await settle(400)
      await shot('undo-toast')
      await toast.getByTestId('toast-undo-button').click()
      await expect.poll(stageOf).toBe(before)
      await page.getByTestId('toast-saved').first().waitFor()
      await expect.poll(() => panel.locator('[data-current="true"]').getAttribute('data-stage')).toBe(before)
      expect(app.problems).toEqual([])
    })

    it("follows a map popup's action to the visit log", async () => {
      const { page } = app
      gridId ??= (app.core.ctx.db.$client.prepare(`SELECT id FROM org_units WHERE code = '451022-G03'`).get() as { id: string }).id
      const customer = app.core.ctx.db.$client
        .prepare(`SELECT k.id, k.name FROM key_customers k WHERE k.grid_id = ? AND k.lon IS NOT NULL ORDER BY k.name LIMIT 1 OFFSET 7`)
        .get(gridId) as { id: string; name: string }
      if ((await page.locator('[data-nav="map"]').count()) === 0) await page.goto(`${app.url}#/map`)
      await page.locator('[data-nav="map"]').click()
      await page.locator('[data-page="map"][data-map-ready="true"]').waitFor()
      const search = page.getByTestId('map-search')
      await search.click()
      await search.fill(customer.name)
      await page
        .getByRole('option', { name: new RegExp(`^${customer.name} · `) })
        .first()
        .click()
      const popup = page.locator('.leaflet-popup .customer-popup')
      await popup.locator('[data-action="log"]').waitFor()
      await settle(700)
      await shot('map-popup-actions')
      await popup.locator('[data-action="log"]').click()
      await page.locator('[data-page="visits"]').waitFor()
      await expect.poll(() => page.locator('[data-field="target"]').inputValue()).toContain(customer.name)
      await settle(400)
      await shot('popup-to-log')
      expect(app.problems).toEqual([])
    })
  })
}
