// First run of a county that is not the demo: the welcome screen offers three ways in, and each
// ends on the map of the user's area — the county's own boundary file through the import dialog
// (a real, published zipped Shapefile), or enrolment with HQ from the welcome screen.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHq, type TestHq } from '../server/testing'
import { startHarness, type Harness } from './harness'

const SHAPEFILE = join(import.meta.dirname, '..', 'electron', 'core', 'import', 'fixtures', 'public', 'beijing-mentougou-tongzhou.zip')

describe('first run: three ways in', () => {
  let own: Harness
  let enrolled: Harness
  let tried: Harness
  let hq: TestHq
  beforeAll(async () => {
    own = await startHarness()
    enrolled = await startHarness()
    tried = await startHarness()
    hq = await startTestHq()
  })
  afterAll(async () => {
    await own?.close()
    await enrolled?.close()
    await tried?.close()
    await hq?.close()
  })

  it('imports the county’s own grid boundaries from the welcome screen and opens their map', async () => {
    const { page } = own
    await page.goto(own.url)
    for (const way of ['welcome-connect', 'welcome-import', 'welcome-demo']) await page.getByTestId(way).waitFor()
    await page.getByText('导入本县数据').waitFor()
    await own.screenshot('00-welcome-three-ways')
    await page.getByTestId('welcome-import-button').click()
    const dialog = page.getByTestId('import-dialog')
    // Grid boundaries are where a county starts.
    expect(await dialog.getByTestId('import-kind').locator('input:checked').inputValue()).toBe('grids')
    await dialog.getByTestId('import-file').setInputFiles(SHAPEFILE)
    // The properties holding code and name are found by themselves and shown with an example.
    await expect.poll(() => dialog.getByTestId('boundary-map-code').inputValue()).toMatch(/^id（如 1101\d\d）$/)
    await expect.poll(() => dialog.getByTestId('boundary-map-name').inputValue()).toMatch(/^name（如 .+区）$/)
    await dialog.getByTestId('import-ok').waitFor()
    await page.waitForTimeout(300)
    await own.screenshot('00b-welcome-import-boundaries')
    await dialog.getByTestId('import-commit').click()
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor({ timeout: 60_000 })
    await expect.poll(() => page.locator('path.grid-110109, path.grid-110112').count()).toBe(2)
    expect(own.problems).toEqual([])
  })

  it('enrols with HQ from the welcome screen; the first sync ends on the map of the user’s grid', async () => {
    const { page } = enrolled
    const code = await hq.userWithCode('新来的网格经理', 'grid_manager', ['451022-G03'])
    await page.goto(enrolled.url)
    await page.getByTestId('welcome-connect-button').click()
    expect(new URL(page.url()).hash).toBe('#/sync')
    const form = page.getByTestId('sync-enrol')
    await form.getByTestId('sync-server').fill(hq.url)
    await form.getByTestId('sync-code').fill(code)
    await form.getByTestId('sync-enrol-submit').click()
    await page.getByTestId('sync-status').waitFor()
    await page.getByTestId('sync-now').click()
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor({ timeout: 60_000 })
    expect(new URL(page.url()).hash).toBe('#/map')
    await expect.poll(() => page.locator('path.grid-451022-G03').count()).toBe(1)
    await enrolled.screenshot('00c-welcome-enrolled-map')
    expect(enrolled.problems).toEqual([])
  })

  it('a laptop that tried the demo: enrolling says so, offers the typed changes, clears the demo; the sync completes with nothing rejected', async () => {
    const { page, core } = tried
    await page.goto(tried.url)
    await page.getByTestId('load-demo').click()
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor({ timeout: 60_000 })
    // Typed into the demo: a new key customer.
    const village = (await core.call('map.overview', {})).villages.features[0]!.properties.id
    await core.call('customers.create', { name: '演示里录的客户', category: 'commerce', villageId: village, phone: '13900009999' })
    const code = await hq.userWithCode('试过演示的网格经理', 'grid_manager', ['451022-G05'])
    await page.goto(`${tried.url}#/sync`)
    const form = page.getByTestId('sync-enrol')
    await form.getByTestId('sync-server').fill(hq.url)
    await form.getByTestId('sync-code').fill(code)
    await form.getByTestId('sync-enrol-submit').click()
    const warning = page.getByTestId('sync-demo-warning')
    await warning.waitFor()
    await page.waitForTimeout(300)
    await tried.screenshot('00d-enrol-demo-warning')
    const [download] = await Promise.all([page.waitForEvent('download'), warning.getByTestId('sync-demo-export').click()])
    expect(readFileSync((await download.path())!, 'utf8')).toContain('演示里录的客户')
    await warning.getByTestId('sync-demo-clear-enrol').click()
    await page.getByTestId('sync-status').waitFor()
    await page.getByTestId('sync-now').click()
    await page.getByTestId('sync-done').waitFor({ timeout: 60_000 })
    const status = await core.call('sync.status', {})
    expect(status).toMatchObject({ pendingChanges: 0, rejectedCount: 0, lastErrorCode: null })
    // Only HQ's rows for the user's grid are left: no demo customer, no other grid.
    expect(core.ctx.db.$client.prepare("SELECT count(*) AS n FROM key_customers WHERE name = '演示里录的客户'").get()).toEqual({ n: 0 })
    expect((await core.call('grids.list', {})).map((g) => g.code)).toEqual(['451022-G05'])
    expect(tried.problems).toEqual([])
  })
})
