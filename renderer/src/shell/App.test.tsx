// The shell against a stubbed bridge (the same window.griddesk the Electron preload provides):
// first run, the demo load and its error, and the language switch that is remembered.
import { MantineProvider } from '@mantine/core'
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { I18nextProvider } from 'react-i18next'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AppInfo } from '../../../shared/api/contract'
import type { Envelope } from '../../../shared/errors'
import { App } from './App'
import { createI18n, LANGUAGE_STORAGE_KEY, storedLanguage } from './i18n'
import { theme } from './theme'
import { syncStatusOf } from '../test-forms'

const emptyInfo: AppInfo = {
  version: '0.1.0',
  dataDir: '/tmp/x',
  deviceId: 'd',
  schemaVersion: 1,
  demoLoaded: false,
  counts: { grids: 0, villages: 0, keyCustomers: 0, visits: 0, competitorIntel: 0 },
  pendingChanges: 0,
}

type Answer = (input: unknown) => Envelope<unknown>
let answers: Record<string, Answer>

beforeEach(() => {
  localStorage.clear()
  window.location.hash = ''
  answers = { 'app.info': () => ({ ok: true, value: emptyInfo }) }
  window.griddesk = {
    call: vi.fn(async (name: string, input: unknown): Promise<Envelope<unknown>> => {
      const answer = answers[name]
      if (!answer) return { ok: false, error: { code: 'UNKNOWN_HANDLER', message: name } }
      return answer(input)
    }),
  }
})
afterEach(() => {
  delete window.griddesk
})

async function renderApp() {
  const i18n = await createI18n()
  render(
    <I18nextProvider i18n={i18n}>
      <MantineProvider theme={theme}>
        <App />
      </MantineProvider>
    </I18nextProvider>,
  )
  return i18n
}

describe('App shell', () => {
  it('offers the demo county on first run and shows a translated error when loading fails', async () => {
    answers['demo.load'] = () => ({
      ok: false,
      error: { code: 'VALIDATION', message: 'invalid', issues: [{ path: ['seed'], message: '数值过大' }] },
    })
    await renderApp()
    const button = await screen.findByRole('button', { name: '载入演示县（田东县）' })
    expect(screen.getByText(/名称与代码来自国家统计局/)).toBeTruthy()
    fireEvent.click(button)
    const alert = await screen.findByRole('alert')
    // The message names the problem in words; the core's English and the field key stay behind "详情".
    const [message] = alert.textContent!.split('详情')
    expect(message).toContain('输入有误：数值过大。请改正后再保存。')
    expect(message).not.toMatch(/invalid|seed/)
    expect(within(alert).getByTestId('error-details-toggle').getAttribute('aria-expanded')).toBe('false')
    expect(window.griddesk!.call).toHaveBeenCalledWith('demo.load', {}, 'zh-CN')
  })

  it('a store the background check found damaged is said at once above every page, with the way to the backups', async () => {
    answers['sync.status'] = () => ({
      ok: true,
      value: { enrolled: false, pendingChanges: 0, openConflicts: 0, running: null, storeDamaged: { problems: 3, at: '2026-12-02T08:00:00Z' } },
    })
    await renderApp()
    const alert = await screen.findByTestId('store-damaged')
    expect(alert.textContent).toContain('后台检查发现数据文件已损坏（3 处问题）')
    fireEvent.click(within(alert).getByTestId('store-damaged-open'))
    await waitFor(() => expect(window.location.hash).toBe('#/sync'))
  })

  it('switches to English, and the next start reads the choice back', async () => {
    await renderApp()
    expect(await screen.findByText('关键客户')).toBeTruthy()
    await act(async () => {
      fireEvent.click(screen.getByText('English'))
    })
    await waitFor(() => expect(screen.getByText('Key customers')).toBeTruthy())
    expect(screen.getByRole('button', { name: 'Load demo county (Tiandong)' })).toBeTruthy()
    expect(localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('en')
    expect(document.documentElement.lang).toBe('en')
    expect(storedLanguage()).toBe('en')
  })

  it('clears the demo from the sync page: the typed changes are offered for export first, then the first-run screen is back', async () => {
    const demoInfo: AppInfo = { ...emptyInfo, demoLoaded: true, counts: { ...emptyInfo.counts, grids: 12, villages: 173 }, pendingChanges: 2 }
    let cleared = false
    const edits = { changes: 2, fileName: 'griddesk-demo-edits-20261202-120000.json', content: '{"changes":[]}' }
    answers['app.info'] = () => ({ ok: true, value: cleared ? emptyInfo : demoInfo })
    answers['sync.status'] = () => ({ ok: true, value: syncStatusOf({ enrolled: false, server: null, pendingChanges: cleared ? 0 : 2 }) })
    answers['sync.conflicts'] = () => ({ ok: true, value: [] })
    answers['sync.rejected'] = () => ({ ok: true, value: [] })
    answers['demo.edits'] = () => ({ ok: true, value: edits })
    answers['demo.clear'] = () => ((cleared = true), { ok: true, value: { cleared: { org_units: 20 }, edits: 2, exported: null } })
    const saved: string[] = []
    URL.createObjectURL = vi.fn(() => 'blob:edits')
    URL.revokeObjectURL = vi.fn()
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download)
    })
    window.location.hash = '#/sync'
    await renderApp()
    fireEvent.click(await screen.findByRole('button', { name: '清除演示数据…' }))
    const confirm = await screen.findByTestId('sync-demo-confirm')
    expect(confirm.textContent).toContain('您在演示中录入的 2 条修改')
    expect(window.griddesk!.call).not.toHaveBeenCalledWith('demo.clear', expect.anything(), expect.anything())
    fireEvent.click(within(confirm).getByRole('button', { name: '导出我录入的修改（JSON）' }))
    await waitFor(() => expect(saved).toEqual([edits.fileName]))
    expect(await within(confirm).findByRole('button', { name: '已导出，可再次导出' })).toBeTruthy()
    fireEvent.click(within(confirm).getByRole('button', { name: '确认清除' }))
    expect(await screen.findByRole('button', { name: '载入演示县（田东县）' })).toBeTruthy()
    expect(window.griddesk!.call).toHaveBeenCalledWith('demo.clear', {}, 'zh-CN')
    expect(window.location.hash).toBe('#/map')
    click.mockRestore()
  })

  it('offers no demo clearing on a device without the demo', async () => {
    answers['app.info'] = () => ({ ok: true, value: { ...emptyInfo, counts: { ...emptyInfo.counts, grids: 3 } } })
    answers['sync.status'] = () => ({ ok: true, value: { enrolled: false, regions: [], rejectedChanges: [], rejectedCount: 0, running: null } })
    window.location.hash = '#/sync'
    await renderApp()
    expect(await screen.findByTestId('sync-enrol')).toBeTruthy()
    expect(screen.queryByTestId('sync-demo')).toBeNull()
  })

  it('ignores a stored language it does not know', () => {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, 'fr')
    expect(storedLanguage()).toBe('zh-CN')
  })
})
