// Villages end to end: import a KML of grid boundaries and a GB18030 CSV of villages
// through the dialog, see the new village on the map and in the list with its rare character
// intact; a bad CSV shows its row-level problems and changes nothing; editing a profile changes
// its completeness (also the age structure, rivals and key persons, with per-field errors); the
// list reloads after a sync.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

let app: Harness
let dir: string
const RARE = '莫𡐓村委会' // 𡐓 is U+21413, outside the BMP
const NEW_CODE = '451022100291'

const kml = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <Placemark>
    <name>平马试点网格</name>
    <ExtendedData><Data name="code"><value>451022-G13</value></Data><Data name="center_code"><value>451022-C1</value></Data></ExtendedData>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>
      107.112,23.604 107.128,23.604 107.128,23.616 107.112,23.616 107.112,23.604
    </coordinates></LinearRing></outerBoundaryIs></Polygon>
  </Placemark>
</Document></kml>`

const goodCsv = ['区划代码,村名,网格编码,经度,纬度,户数,人口,光纤覆盖,集市日', `${NEW_CODE},${RARE},451022-G13,107.12,23.61,412,1630,是,农历逢一、四、七`].join(
  '\r\n',
)
const badCsv = [
  '区划代码,村名,经度,纬度,户数,渗透率',
  `45102210029,短代码村,107.12,23.61,100,20`, // code not 12 digits
  `451022100292,,107.12,23.61,100,20`, // name missing
  `451022100293,写反村,23.61,107.12,100,20`, // lat/lon swapped
  `451022100294,超限村,107.12,23.61,-5,140`, // negative households, penetration over 100
].join('\r\n')

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  dir = mkdtempSync(join(tmpdir(), 'griddesk-villages-e2e-'))
  writeFileSync(join(dir, 'grids.kml'), kml)
  writeFileSync(join(dir, 'villages-gb18030.csv'), iconv.encode(goodCsv, 'gb18030'))
  writeFileSync(join(dir, 'bad-villages.csv'), iconv.encode(badCsv, 'gb18030'))
})
afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('villages', () => {
  it('lists the villages with completeness, sortable', async () => {
    const { page, core } = app
    await page.goto(`${app.url}#/villages`)
    const { total } = await core.call('villages.list', { limit: 1 })
    await page.getByTestId('village-count').getByText(`共 ${total} 个村/社区`, { exact: false }).waitFor()
    await expect.poll(() => page.locator('tr[data-village-code]').count()).toBe(100)
    await page.locator('[data-sort="completeness"]').click()
    const lowest = (await core.call('villages.list', { sort: 'completeness', order: 'asc', limit: 1 })).rows[0]!
    await expect.poll(() => page.locator('tr[data-village-code]').first().getAttribute('data-village-code')).toBe(lowest.divisionCode)
    await app.screenshot('20-villages-list')
  })

  it('shows only the villages whose profile is under 60% when asked, as the grid summary counts them', async () => {
    const { page, core } = app
    const all = await core.call('villages.list', { limit: 1 })
    const incomplete = await core.call('villages.list', { incompleteOnly: true, limit: 5000 })
    expect(incomplete.total).toBeGreaterThan(0)
    expect(incomplete.total).toBeLessThan(all.total)
    const filter = page.getByLabel('只看档案完整度低于60%的村')
    await filter.check()
    await page.getByTestId('village-count').getByText(`共 ${incomplete.total} 个村/社区`, { exact: false }).waitFor()
    await expect.poll(() => page.locator('tr[data-village-code]').count()).toBe(Math.min(100, incomplete.total))
    const shown = await page
      .locator('tr[data-village-code] [data-completeness]')
      .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-completeness'))))
    expect(shown.every((pct) => pct < 60)).toBe(true)
    await app.screenshot('20a-villages-incomplete')
    // With a grid as well: the grid summary's count of incomplete villages.
    const grid = (await core.call('grids.list', {})).find((g) => g.villages > 0)!
    const summary = await core.call('grids.summary', { id: grid.id })
    await page.getByTestId('village-grid-filter').click()
    await page.getByRole('option', { name: grid.name, exact: true }).click()
    await page.getByTestId('village-count').getByText(`共 ${summary.incompleteVillages} 个村/社区`, { exact: false }).waitFor()
    await app.screenshot('20b-villages-incomplete')
    await filter.uncheck()
    await page.getByTestId('village-count').getByText(`共 ${grid.villages} 个村/社区`, { exact: false }).waitFor()
    // Filters are the page's state: a reload starts from all villages again.
    await page.reload()
    await page.getByTestId('village-count').getByText(`共 ${all.total} 个村/社区`, { exact: false }).waitFor()
  })

  it('imports a KML of grid boundaries, then a GB18030 CSV of villages, through the dialog', async () => {
    const { page, core } = app
    const mapBefore = await core.call('map.overview', {})
    await page.getByTestId('open-import').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('import-kind').getByText('网格边界', { exact: true }).click()
    await dialog.getByTestId('import-file').setInputFiles(join(dir, 'grids.kml'))
    await dialog.getByTestId('import-ok').waitFor()
    await dialog.getByTestId('import-sample').getByText('451022-G13').waitFor()
    await dialog.getByTestId('import-commit').click()
    await dialog.getByTestId('import-done').getByText('新增 1', { exact: false }).waitFor()
    await app.screenshot('21-import-grids-done')

    await dialog.getByTestId('import-kind').getByText('村庄名单', { exact: true }).click()
    await dialog.getByTestId('import-file').setInputFiles(join(dir, 'villages-gb18030.csv'))
    await dialog.getByTestId('import-ok').waitFor()
    await dialog.getByText('识别的编码：gb18030').waitFor()
    await dialog.getByTestId('import-sample').getByText(RARE, { exact: true }).waitFor()
    await app.screenshot('22-import-villages-preview')
    await dialog.getByTestId('import-commit').click()
    await dialog.getByTestId('import-done').getByText('新增 1', { exact: false }).waitFor()
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()

    const found = await core.call('villages.list', { search: NEW_CODE })
    expect(found.rows.map((r) => r.name)).toEqual([RARE])
    expect(found.rows[0]!.gridName).toBe('平马试点网格')

    await page.getByTestId('village-search').fill('莫𡐓')
    const row = page.locator(`tr[data-village-code="${NEW_CODE}"]`)
    await row.waitFor()
    expect(await row.getByTestId('village-name').textContent()).toBe(RARE)
    await app.screenshot('23-villages-new-row')

    await page.locator('[data-nav="map"]').click()
    await page.locator('[data-page="map"][data-map-ready="true"]').waitFor({ timeout: 60_000 })
    await expect.poll(() => page.locator('path.village-marker').count()).toBe(mapBefore.villages.features.length + 1)
    await expect.poll(() => page.locator('path[class*="grid-451022-G13"]').count()).toBe(1)
    await app.screenshot('24-map-after-import')
  })

  it('shows a bad CSV’s row-level problems, saves them as a report, and changes nothing', async () => {
    const { page, core } = app
    const before = await core.call('villages.list', { limit: 5000 })
    await page.locator('[data-nav="villages"]').click()
    await page.getByTestId('open-import').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('import-file').setInputFiles(join(dir, 'bad-villages.csv'))
    const issues = dialog.getByTestId('import-issues')
    await issues.waitFor()
    const codes = await issues
      .locator('tr[data-issue-code]')
      .evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-issue-row')}:${r.getAttribute('data-issue-field')}:${r.getAttribute('data-issue-code')}`))
    expect(codes).toEqual(
      expect.arrayContaining([
        '1:divisionCode:code_format',
        '2:name:required',
        '3:lon:swapped_lonlat',
        '4:households:out_of_range',
        '4:penetrationPct:out_of_range',
      ]),
    )
    await issues.getByText('区划代码应为12位数字', { exact: false }).waitFor()
    expect(await dialog.getByTestId('import-commit').isDisabled()).toBe(true)
    await app.screenshot('25-import-bad-csv')

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('import-save-report').click()])
    const report = readFileSync(await download.path())
    expect([...report.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(report.toString('utf8')).toContain('bad-villages.csv')
    expect(report.toString('utf8').split('\r\n').filter(Boolean)).toHaveLength(1 + codes.length)
    expect(download.suggestedFilename()).toBe('bad-villages-问题报告.csv')

    // Even a commit forced past the dialog writes nothing.
    await expect(core.call('import.commit', { kind: 'villages', source: { path: join(dir, 'bad-villages.csv') } })).rejects.toMatchObject({
      code: 'VALIDATION',
    })
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()
    expect(await core.call('villages.list', { limit: 5000 })).toEqual(before)
  })

  it('edits a profile: field errors in the user’s language, then completeness and history change', async () => {
    const { page, core } = app
    await page.getByTestId('village-search').fill(NEW_CODE)
    await page.locator(`tr[data-village-code="${NEW_CODE}"]`).click()
    const panel = page.getByTestId('village-profile')
    await panel.getByTestId('village-profile-name').getByText(RARE).waitFor()
    const { id } = (await core.call('villages.list', { search: NEW_CODE })).rows[0]!
    const before = await core.call('villages.get', { id })
    await expect.poll(() => panel.getByTestId('village-completeness').getAttribute('data-value')).toBe(String(Math.round(before.completeness * 100)))
    await panel.getByTestId('village-history').locator('[data-history-op="insert"]').waitFor()

    await panel.locator('input[data-field="households"]').fill('-5')
    await panel.getByTestId('village-save').click()
    await panel.getByText('请改正标出的字段。').waitFor()
    const householdsError = panel
      .locator('input[data-field="households"]')
      .locator('xpath=ancestor::div[contains(@class,"mantine-InputWrapper-root")]')
      .locator('.mantine-InputWrapper-error')
    expect(await householdsError.textContent()).toMatch(/[\u4e00-\u9fff]/)
    expect((await core.call('villages.get', { id })).households).toBe(before.households)
    await app.screenshot('26-profile-field-error')

    await panel.locator('input[data-field="households"]').fill('420')
    await panel.locator('input[data-field="mainEconomy"]').fill('甘蔗、芒果')
    await panel.locator('input[data-field="educationLevel"]').fill('初中为主')
    await panel.getByTestId('village-save').click()
    await panel.getByTestId('village-saved').waitFor()
    const after = await core.call('villages.get', { id })
    expect(after.households).toBe(420)
    expect(after.completeness).toBeGreaterThan(before.completeness)
    await expect.poll(() => panel.getByTestId('village-completeness').getAttribute('data-value')).toBe(String(Math.round(after.completeness * 100)))
    await expect
      .poll(() => page.locator(`tr[data-village-code="${NEW_CODE}"] [data-completeness]`).getAttribute('data-completeness'))
      .toBe(String(Math.round(after.completeness * 100)))
    await panel.getByTestId('village-history').getByText('主要经济：甘蔗、芒果', { exact: false }).waitFor()
    await app.screenshot('27-profile-saved')
    await panel.getByTestId('village-history').scrollIntoViewIfNeeded()
    await app.screenshot('28-profile-history')
  })

  it('edits the age structure, rivals and key persons: bad input is named per field and stores nothing, good input raises completeness', async () => {
    const { page, core } = app
    // A demo village whose survey is unfinished (no age structure, rivals' ports or key persons).
    const { rows } = await core.call('villages.list', { sort: 'completeness', order: 'asc', limit: 20 })
    const target = rows.find((r) => r.divisionCode !== NEW_CODE)!
    const before = await core.call('villages.get', { id: target.id })
    expect(before.keyPersons).toEqual([])
    expect(before.ageUnder18Pct).toBeNull()
    const pendingBefore = (await core.call('app.info', {})).pendingChanges
    await page.getByTestId('village-search').fill(target.divisionCode)
    await page.locator(`tr[data-village-code="${target.divisionCode}"]`).click()
    const panel = page.getByTestId('village-profile')
    await panel.getByTestId('village-profile-name').getByText(target.name, { exact: true }).waitFor()
    await expect.poll(() => panel.getByTestId('village-completeness').getAttribute('data-value')).toBe(String(Math.round(before.completeness * 100)))
    const missing = await panel.getByTestId('village-missing').textContent()
    expect(missing).toContain('年龄结构')
    expect(missing).toContain('关键人物')

    const errorOf = (field: string) =>
      panel
        .locator(`[data-field="${field}"]`)
        .locator('xpath=ancestor::div[contains(@class,"mantine-InputWrapper-root")][1]')
        .locator('.mantine-InputWrapper-error')
    // Ages adding up to 150, a share of 120, a key person with a bad phone.
    await panel.locator('input[data-field="ageUnder18Pct"]').fill('50')
    await panel.locator('input[data-field="age18To60Pct"]').fill('50')
    await panel.locator('input[data-field="ageOver60Pct"]').fill('50')
    await panel.getByTestId('village-age-sum').getByText('合计 150%').waitFor()
    await panel.locator('input[data-field="shareVsRivals.telecom"]').fill('120')
    // A blank row (not sent), then a person with a bad phone: the message lands on the right row.
    await panel.getByTestId('village-add-person').click()
    await panel.getByTestId('village-add-person').click()
    await panel.locator('input[data-field="keyPersons.1.name"]').fill('韦国强')
    await panel.locator('input[data-field="keyPersons.1.phone"]').fill('12345')
    await panel.getByTestId('village-save').click()
    await panel.getByText('请改正标出的字段。').waitFor()
    // The wrong sum is said once under the age row; each share is marked.
    expect(await panel.getByTestId('village-age-error').textContent()).toBe('三个年龄段之和应约为 100%')
    for (const field of ['ageUnder18Pct', 'age18To60Pct', 'ageOver60Pct'])
      expect(await panel.locator(`input[data-field="${field}"]`).getAttribute('aria-invalid')).toBe('true')
    expect(await errorOf('shareVsRivals.telecom').textContent()).toBe('应在 0 到 100 之间')
    expect(await errorOf('keyPersons.1.phone').textContent()).toContain('电话格式不正确')
    expect(await errorOf('keyPersons.0.phone').count()).toBe(0)
    expect(await core.call('villages.get', { id: target.id })).toEqual(before)
    expect((await core.call('app.info', {})).pendingChanges).toBe(pendingBefore)
    await panel.getByTestId('village-age').scrollIntoViewIfNeeded()
    await app.screenshot('30-profile-age-errors')
    await panel.locator('input[data-field="keyPersons.1.phone"]').scrollIntoViewIfNeeded()
    await app.screenshot('31-profile-whole-errors')
    await panel.locator('[data-key-person="0"]').getByTestId('village-remove-person').click()

    // Now right: the age structure, a rival's ports and share, two key persons.
    await panel.locator('input[data-field="ageUnder18Pct"]').fill('20')
    await panel.locator('input[data-field="age18To60Pct"]').fill('58')
    await panel.locator('input[data-field="ageOver60Pct"]').fill('22')
    expect(await panel.getByTestId('village-age-error').count()).toBe(0)
    expect(await panel.locator('input[data-field="ageUnder18Pct"]').getAttribute('aria-invalid')).not.toBe('true')
    await panel.locator('input[data-field="rivalPorts.telecom"]').fill('300')
    await panel.locator('input[data-field="shareVsRivals.telecom"]').fill('65')
    await panel.locator('input[data-field="keyPersons.0.phone"]').fill('138 0776 1234')
    await panel.locator('input[data-field="keyPersons.0.role"]').fill('村支')
    await page.getByRole('option', { name: '村支书', exact: true }).click()
    await panel.locator('input[data-field="keyPersons.0.notes"]').fill('支持宽带进村')
    await panel.getByTestId('village-add-person').click()
    await panel.locator('input[data-field="keyPersons.1.name"]').fill('黄小梅')
    await panel.locator('input[data-field="keyPersons.1.role"]').fill('小卖部老板')
    await panel.getByTestId('village-save').click()
    await panel.getByTestId('village-saved').waitFor()
    const after = await core.call('villages.get', { id: target.id })
    expect(after).toMatchObject({
      ageUnder18Pct: 20,
      age18To60Pct: 58,
      ageOver60Pct: 22,
      rivalPorts: { telecom: 300, unicom: null, broadnet: null },
      keyPersons: [
        { name: '韦国强', role: '村支书', phone: '13807761234', notes: '支持宽带进村' },
        { name: '黄小梅', role: '小卖部老板', phone: null, notes: null },
      ],
    })
    expect(after.shareVsRivals.telecom).toBe(65)
    // Age structure, rivals' ports and key persons: three more fields of 18.
    expect(after.completeness).toBeCloseTo(before.completeness + 3 / 18, 10)
    await expect.poll(() => panel.getByTestId('village-completeness').getAttribute('data-value')).toBe(String(Math.round(after.completeness * 100)))
    await expect
      .poll(() => page.locator(`tr[data-village-code="${target.divisionCode}"] [data-completeness]`).getAttribute('data-completeness'))
      .toBe(String(Math.round(after.completeness * 100)))
    expect(await panel.getByTestId('village-missing').textContent()).not.toContain('关键人物')
    await panel.getByTestId('village-history').getByText('关键人物：韦国强（村支书）、黄小梅（小卖部老板）', { exact: false }).waitFor()
    await app.screenshot('32-profile-whole-saved')
    await panel.getByTestId('village-history').scrollIntoViewIfNeeded()
    await app.screenshot('33-profile-whole-history')
  })

  it('reloads the list when a sync has finished', async () => {
    const { page, core } = app
    const code = (await core.call('villages.list', { limit: 1 })).rows[0]!.divisionCode
    await page.getByTestId('village-search').fill(code)
    const row = page.locator(`tr[data-village-code="${code}"]`)
    await row.waitFor()
    // A change that arrives as a sync would bring it: written by the core, not through this page.
    const { id } = (await core.call('villages.list', { search: code })).rows[0]!
    await core.call('villages.update', { id, patch: { households: 4321 } })
    await page.waitForTimeout(300)
    expect(await row.textContent()).not.toContain('4,321')
    await page.evaluate(() => window.dispatchEvent(new Event('griddesk:synced')))
    await expect.poll(() => row.textContent()).toContain('4,321')
  })

  it('reads in English too', async () => {
    const { page } = app
    await page.getByTestId('language-switch').getByText('English').click()
    await page.getByText('Village profiles', { exact: true }).waitFor()
    // One village found (the search of the test before): the singular.
    await page.getByTestId('village-count').getByText('1 village/community · ', { exact: false }).waitFor()
    await page.getByLabel('Only profiles under 60% complete').waitFor()
    await page.getByTestId('village-profile').getByText('Profile completeness').waitFor()
    await app.screenshot('29-villages-english')
    await page.getByTestId('language-switch').getByText('中文').click()
  })

  it('logged no page errors or failed requests', () => {
    // A VALIDATION answer is an expected 4xx only if the transport uses one; list what is left.
    expect(app.problems.filter((p) => !/HTTP 4\d\d: .*\/rpc\/(villages\.update|import\.commit)/.test(p))).toEqual([])
  })
})
