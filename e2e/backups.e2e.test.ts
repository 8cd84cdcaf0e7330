// Backups on the sync page, in Chromium against browser mode: back up now, a full check, and a
// restore that brings back the data of the backup (the replaced data file stays in the data
// directory).
import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
  await h.core.call('demo.load', { keyCustomers: 10, visits: 20 })
})
afterAll(async () => {
  await h?.close()
})

describe('backups on the sync page', () => {
  it('backs up, checks and restores', async () => {
    const { page, core } = h
    const village = (core.ctx.db.$client.prepare('SELECT id FROM villages ORDER BY id LIMIT 1').get() as { id: string }).id
    await core.call('villages.update', { id: village, patch: { notes: '备份前的笔记' } })
    await page.goto(`${h.url}#/sync`)
    const card = page.getByTestId('store-backups')
    await card.getByText('还没有备份。').waitFor()
    await card.getByTestId('store-backup-now').click()
    await card.getByTestId('store-done').getByText('已备份').waitFor()
    // The list reloads after the message shows (one more call): wait for its row.
    await expect.poll(() => card.getByTestId('store-backup').count()).toBe(1)
    await expect.poll(() => card.getByTestId('store-backup').first().textContent()).toContain('手动')

    await card.getByTestId('store-check').click()
    await card.getByTestId('store-done').getByText('完整检查：完好').waitFor()

    await core.call('villages.update', { id: village, patch: { notes: '备份后的笔记' } })
    page.once('dialog', (dialog) => void dialog.accept())
    await card.getByTestId('store-restore').first().click()
    await card
      .getByTestId('store-done')
      .getByText(/已从 griddesk-.*-manual\.sqlite 恢复。被替换的数据文件保留为 griddesk\.sqlite\.replaced-/)
      .waitFor()
    expect((await core.call('villages.get', { id: village })).notes).toBe('备份前的笔记')
    expect(readdirSync(core.ctx.dataDir).some((f) => f.startsWith('griddesk.sqlite.replaced-'))).toBe(true)
    await h.screenshot('sync-backups')
    expect(h.problems).toEqual([])
  })
})
