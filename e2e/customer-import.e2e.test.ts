// Key customer import through the dialog, on a par with the village one: the file is uploaded and
// read by path (not base64 JSON); a column the automatic mapping missed is mapped by hand and the
// file checked again; a bad file lists its problems row by row, saves them as a CSV report, and
// nothing is stored.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

let app: Harness
let dir: string
let village: { name: string; code: string }
const counts = () =>
  app.core.ctx.db.$client.prepare('SELECT (SELECT count(*) FROM key_customers) customers, (SELECT count(*) FROM outbox) changes').get() as {
    customers: number
    changes: number
  }

beforeAll(async () => {
  app = await startHarness()
  await app.core.call('demo.load', {})
  dir = mkdtempSync(join(tmpdir(), 'griddesk-e2e-customers-'))
  village = app.core.ctx.db.$client
    .prepare('SELECT name, division_code AS code FROM villages GROUP BY name HAVING count(*) = 1 ORDER BY division_code LIMIT 1')
    .get() as typeof village
  // 联系方式 is no header the import knows for the phone: the user maps it by hand.
  writeFileSync(
    join(dir, '重点客户.csv'),
    `\uFEFF客户姓名,类型,联系方式,所属村,说明\r\n韦一,商业,13600000101,${village.name},老客户\r\n韦二,教育,136 0000 0102,${village.name},\r\n`,
  )
  writeFileSync(
    join(dir, '坏客户.csv'),
    [
      '姓名,类别,村代码,手机号,影响力,合约到期',
      `,商业,${village.code},13600000110,3,`,
      `甲,教授,${village.code},13600000111,3,`,
      `乙,商业,999999999999,1360000,3,`,
      `丙,商业,${village.code},13600000112,8,2026-13-01`,
      `丁,商业,${village.code},13600000112,2,`,
    ].join('\r\n'),
  )
})
afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('customer import dialog', () => {
  it('uploads a CSV, maps a column by hand, checks it again and imports it', async () => {
    const { page } = app
    await page.goto(`${app.url}#/customers`)
    await page.getByTestId('customer-count').waitFor()
    const before = counts()
    await page.getByTestId('open-customer-import').click()
    const dialog = page.getByTestId('customer-import-dialog')
    const firstCheck = page.waitForRequest((r) => r.url().endsWith('/rpc/import.preview'))
    await dialog.getByTestId('customer-import-file').setInputFiles(join(dir, '重点客户.csv'))
    // Uploaded as bytes, then checked by path: no base64 in the call.
    const source = ((await firstCheck).postDataJSON() as { source: Record<string, unknown> }).source
    expect(Object.keys(source)).toEqual(['path'])
    await dialog.getByTestId('customer-import-ok').waitFor()
    await dialog.getByTestId('import-unused-columns').getByText('联系方式', { exact: false }).waitFor()
    expect(await dialog.getByTestId('customer-import-sample').locator('th[data-column="phone"]').count()).toBe(0)

    await dialog.getByTestId('import-mapping-toggle').click()
    await dialog.getByTestId('mapping-phone').click()
    await page.getByRole('option', { name: '联系方式', exact: true }).click()
    // Checked again with the hand-made mapping: the phones are read (spaces dropped).
    const sample = dialog.getByTestId('customer-import-sample')
    await sample.locator('th[data-column="phone"]').waitFor()
    expect(await sample.locator('td[data-column="phone"]').allTextContents()).toEqual(['13600000101', '13600000102'])
    expect(await dialog.getByTestId('mapping-phone').getAttribute('data-overridden')).toBe('true')
    await expect.poll(() => dialog.getByTestId('import-unused-columns').textContent()).toBe('。未导入的列：说明')
    await dialog.getByTestId('mapping-notes').click()
    await page.getByRole('option', { name: '说明', exact: true }).click()
    await sample.locator('th[data-column="notes"]').waitFor()
    await expect.poll(() => dialog.getByTestId('import-unused-columns').count()).toBe(0)
    await page.waitForTimeout(300)
    await app.screenshot('67-customer-import-mapping')
    // Columns mapped by hand are work: Esc asks before the dialog drops them, and staying keeps them.
    await page.keyboard.press('Escape')
    await page.locator('[data-testid="unsaved-stay"]:visible').click()
    await expect.poll(() => page.locator('[data-testid="unsaved-stay"]:visible').count()).toBe(0)
    await dialog.getByTestId('customer-import-commit').waitFor()
    expect(await dialog.getByTestId('mapping-phone').getAttribute('data-overridden')).toBe('true')

    await dialog.getByTestId('customer-import-commit').click()
    await dialog.getByTestId('customer-import-done').getByText('新增 2', { exact: false }).waitFor()
    await app.screenshot('68-customer-import-done')
    const stored = app.core.ctx.db.$client.prepare("SELECT name, phone, notes FROM key_customers WHERE name IN ('韦一', '韦二') ORDER BY name").all()
    expect(stored).toEqual([
      { name: '韦一', phone: '13600000101', notes: '老客户' },
      { name: '韦二', phone: '13600000102', notes: null },
    ])
    expect(counts().customers).toBe(before.customers + 2)
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByTestId('customer-search').fill('韦一')
    await expect.poll(() => page.getByTestId('customer-row-name').allTextContents()).toContain('韦一')
  })

  it('lists a bad file’s problems row by row, saves them as a report, and stores nothing', async () => {
    const { page, core } = app
    const before = counts()
    await page.getByTestId('open-customer-import').click()
    const dialog = page.getByTestId('customer-import-dialog')
    await dialog.getByTestId('customer-import-file').setInputFiles(join(dir, '坏客户.csv'))
    const issues = dialog.getByTestId('customer-import-issues')
    await issues.waitFor()
    const codes = await issues
      .locator('tr[data-issue-code]')
      .evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-issue-row')}:${r.getAttribute('data-issue-field')}:${r.getAttribute('data-issue-code')}`))
    expect(codes).toEqual([
      '1:name:required',
      '2:category:unknown_value',
      '3:phone:phone_format',
      '3:villageCode:unknown_village',
      '4:influence:out_of_range',
      '4:contractExpiry:date_format',
      '5:phone:duplicate_customer',
    ])
    await issues.getByText('必填项为空', { exact: false }).first().waitFor()
    expect(await dialog.getByTestId('customer-import-commit').isDisabled()).toBe(true)
    await page.waitForTimeout(300)
    await app.screenshot('69-customer-import-bad')

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('customer-import-save-report').click()])
    expect(download.suggestedFilename()).toBe('坏客户-问题报告.csv')
    const report = readFileSync((await download.path())!)
    expect([...report.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const lines = report.toString('utf8').slice(1).split('\r\n').filter(Boolean)
    expect(lines).toHaveLength(1 + codes.length)
    expect(lines[0]).toBe('文件,行,字段,问题,完整说明')
    expect(lines[1]).toBe('坏客户.csv,1,名称,必填项为空,坏客户.csv 第1行 [名称]: 必填项为空')

    // Even a commit forced past the dialog writes nothing.
    await expect(core.call('import.commit', { kind: 'customers', source: { path: join(dir, '坏客户.csv') } })).rejects.toMatchObject({ code: 'VALIDATION' })
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()
    expect(counts()).toEqual(before)
  })

  it('speaks English too: the mapping editor and the problem list', async () => {
    const { page } = app
    await page.getByTestId('language-switch').getByText('English').click()
    await page.getByTestId('open-customer-import').click()
    const dialog = page.getByTestId('customer-import-dialog')
    await dialog.getByTestId('customer-import-file').setInputFiles(join(dir, '坏客户.csv'))
    await dialog.getByTestId('customer-import-issues').getByText('Required value is empty', { exact: false }).first().waitFor()
    await dialog.getByTestId('import-mapping-toggle').getByText('Change mapping').click()
    await expect.poll(() => dialog.getByTestId('mapping-role').inputValue()).toBe('(not imported)')
    await dialog.getByTestId('customer-import-sample').getByText('Commerce').first().waitFor()
    await page.waitForTimeout(300)
    await app.screenshot('69b-customer-import-en')
    await dialog.getByRole('button', { name: 'Close', exact: true }).click()
    await page.getByTestId('language-switch').getByText('中文').click()
    expect(app.problems).toEqual([])
  })
})
