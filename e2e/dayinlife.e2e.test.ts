// A grid manager's day in the browser, in zh-CN and in English, at 1366×768: load the demo, open
// every page and switch every tab away and back twice (no page may blank the app), plan a day and
// find it again, log a visit for a planned customer, open it and correct it, follow a map popup's
// action to the visit log, try to leave a dirty form. No console error and no page error at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pages } from '../shared/domain'
import { startHarness, type Harness } from './harness'

for (const lang of ['zh-CN', 'en'] as const) {
  describe(`a day in the life (${lang})`, () => {
    let app: Harness
    const shot = (name: string) => app.screenshot(`70-day-${lang}-${name}`)
    const settle = (ms = 300) => app.page.waitForTimeout(ms)

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
    })
  })
}
