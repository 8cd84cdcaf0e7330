// Large and bad import files through the dialog: a generated 40,000-row CSV is checked
// and written in the background with a progress bar while the local server keeps answering; a
// cancelled import changes nothing; bad files from electron/core/import/fixtures/bad show their
// row-level problems and change nothing; a boundary with a twisted corner is repaired and says so.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeDigest } from '../electron/core/testing'
import { startHarness, type Harness } from './harness'

const ROWS = 40_000
const BAD = join(import.meta.dirname, '..', 'electron', 'core', 'import', 'fixtures', 'bad')
const TABLES = ['villages', 'org_units', 'outbox', 'field_versions', 'sync_state']
let app: Harness
let dir: string

beforeAll(async () => {
  // No demo county: no reference divisions, so 40,000 made-up codes are all acceptable.
  app = await startHarness()
  dir = mkdtempSync(join(tmpdir(), 'griddesk-import-large-e2e-'))
  const lines = ['区划代码,名称,户数,人口,经度,纬度,光纤覆盖,集市日,主要经济']
  for (let i = 1; i <= ROWS; i++)
    lines.push(
      `${150_000_000_000 + i * 3},第${i}村委会,${200 + (i % 700)},${800 + (i % 2000)},${(106 + (i % 900) / 1000).toFixed(4)},${(23 + (i % 600) / 1000).toFixed(4)},${i % 3 ? '是' : '否'},农历逢一、四、七,水稻、甘蔗`,
    )
  writeFileSync(join(dir, 'province-villages.csv'), lines.join('\r\n') + '\r\n')
  // One grid, so that the app opens on its pages rather than the welcome panel.
  const grid = {
    type: 'Feature',
    properties: { code: '451022-G01', name: '平马城区网格' },
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [107.1, 23.58],
          [107.14, 23.58],
          [107.14, 23.62],
          [107.1, 23.62],
          [107.1, 23.58],
        ],
      ],
    },
  }
  writeFileSync(join(dir, 'grid.geojson'), JSON.stringify(grid))
  await app.core.call('import.commit', { kind: 'grids', source: { path: join(dir, 'grid.geojson') } })
})
afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

const digest = () => storeDigest(app.core, TABLES)

describe('large and bad import files', () => {
  it('cancels a large import while it writes, and nothing is stored', async () => {
    const { page } = app
    await page.goto(`${app.url}#/villages`)
    await page.getByTestId('open-import').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('import-file').setInputFiles(join(dir, 'province-villages.csv'))
    await dialog.getByTestId('import-ok').waitFor({ timeout: 60_000 })
    const before = digest()
    await dialog.getByTestId('import-commit').click()
    await dialog.locator('[data-testid="import-progress"][data-phase="writing"]').waitFor({ timeout: 60_000 })
    await dialog.getByTestId('import-cancel').click()
    await dialog.getByTestId('import-cancelled').getByText('导入已取消，数据没有任何改变。').waitFor()
    expect(digest()).toEqual(before)
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()
  })

  it('imports 40,000 villages with a progress bar while the local server keeps answering', async () => {
    const { page, core } = app
    await page.getByTestId('open-import').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('import-file').setInputFiles(join(dir, 'province-villages.csv'))
    // The check runs as a job too: its bar shows while the file is read and checked.
    await dialog.getByTestId('import-ok').waitFor({ timeout: 60_000 })
    await dialog.getByTestId('import-rows').getByText('共 40000 行/要素').waitFor()
    await dialog.getByTestId('import-commit').click()
    const progress = dialog.locator('[data-testid="import-progress"][data-phase="writing"]')
    await progress.waitFor({ timeout: 60_000 })
    const label = await progress.getByTestId('import-progress-label').textContent()
    expect(label).toMatch(/^正在写入：[\d,]+ \/ 40,000 行$/)
    await progress.getByText('大文件在后台处理', { exact: false }).waitFor()
    // Mid-import: some rows written, not all.
    await progress
      .getByTestId('import-progress-label')
      .getByText(/^正在写入：[1-9][\d,]* \/ 40,000 行$/)
      .waitFor({ timeout: 60_000 })
    await app.screenshot('40-import-large-writing')
    // Another call to the local server is answered while the worker writes.
    const asked = Date.now()
    // (With the launch token the page keeps, as every call of the page sends it.)
    const answer = await page.evaluate(async () => {
      const headers = { 'Content-Type': 'application/json', 'X-GridDesk-Token': sessionStorage.getItem('griddesk.launchToken') ?? '' }
      return (await (await fetch('/rpc/grids.list', { method: 'POST', headers, body: '{}' })).json()) as { ok: boolean }
    })
    expect(answer.ok).toBe(true)
    expect(Date.now() - asked).toBeLessThan(2_000)
    // The bar moves on.
    await expect
      .poll(
        async () =>
          (await dialog
            .getByTestId('import-progress-label')
            .textContent()
            .catch(() => null)) !== label,
        { timeout: 30_000 },
      )
      .toBe(true)
    await dialog.getByTestId('import-done').getByText('新增 40000', { exact: false }).waitFor({ timeout: 120_000 })
    await app.screenshot('41-import-large-done')
    expect((await core.call('villages.list', { limit: 1 })).total).toBe(ROWS)
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()
    await page.getByTestId('village-count').getByText(`共 ${ROWS} 个村/社区`, { exact: false }).waitFor()
  })

  it('shows a GB18030 file’s row-level problem with its rare character intact, and changes nothing', async () => {
    const { page, core } = app
    const before = digest()
    await page.getByTestId('open-import').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('import-file').setInputFiles(join(BAD, 'gb18030-rare.csv'))
    const issues = dialog.getByTestId('import-issues')
    await issues.waitFor()
    const row = issues.locator('tr[data-issue-code="not_a_number"]')
    expect(await row.getAttribute('data-issue-row')).toBe('2')
    await row.getByText('「莫𡐓」不是数字').waitFor()
    await dialog.getByTestId('import-sample').getByText('莫𡐓村委会', { exact: true }).waitFor()
    expect(await dialog.getByTestId('import-commit').isDisabled()).toBe(true)
    await app.screenshot('42-import-bad-gb18030')
    // A commit forced past the dialog fails the same way and writes nothing.
    await expect(core.call('import.commit', { kind: 'villages', source: { path: join(BAD, 'gb18030-rare.csv') } })).rejects.toMatchObject({
      code: 'VALIDATION',
    })
    await dialog.getByTestId('import-file').setInputFiles(join(BAD, 'wrong-sheet.xlsx'))
    await dialog.getByTestId('import-issues').getByText('没有哪个工作表含有必需的列', { exact: false }).waitFor()
    await app.screenshot('43-import-wrong-sheet')
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()
    expect(digest()).toEqual(before)
  })

  it('repairs a boundary’s twisted corner, says so, and imports it', async () => {
    const { page, core } = app
    await page.getByTestId('open-import').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('import-kind').getByText('网格边界', { exact: true }).click()
    await dialog.getByTestId('import-file').setInputFiles(join(BAD, 'twisted-corner.geojson'))
    const repairs = dialog.getByTestId('import-repairs')
    await repairs.getByText('第1个要素 451022-G34：去掉 222 平方米碎片、0 个重复点').waitFor()
    await app.screenshot('44-import-boundary-repaired')
    await dialog.getByTestId('import-commit').click()
    await dialog.getByTestId('import-done').getByText('新增 1', { exact: false }).waitFor()
    expect((await core.call('grids.list', {})).map((g) => g.code)).toContain('451022-G34')
    expect(app.problems).toEqual([])
  })
})
