// Sync end to end: one real HQ server (PGlite, in-process on 127.0.0.1) with the demo
// county as master data, and two browser-mode devices, each with its own data directory and
// Chromium. Both enrol through the sync page (bad input first: nothing stored), sync with a
// visible progress bar, then edit the same village's households to different values without
// syncing; A syncs, then B, which shows exactly one conflict with both values; B resolves it in
// the UI, both sync and agree. Finally HQ goes away: the header says offline, an edit waits, and
// when HQ answers again the device syncs by itself.
//
// Devices reach HQ through a small local proxy that can slow every request (to see the progress
// bar) or refuse connections (HQ unreachable) — the server itself stays the real one.
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHq, type TestHq } from '../server/testing'
import { startHarness, type Harness } from './harness'

let hq: TestHq
let a: Harness
let b: Harness
let proxy: Proxy
let village: { id: string; divisionCode: string; name: string }

interface Proxy {
  url: string
  delayMs: number
  down: boolean
  close(): Promise<void>
}

async function startProxy(target: string): Promise<Proxy> {
  const to = new URL(target)
  const sockets = new Set<Socket>()
  const state = { delayMs: 0, down: false }
  const server: Server = createServer((req, res) => {
    if (state.down) return req.socket.destroy()
    const forward = () => {
      const upstream = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      })
      upstream.on('error', () => res.destroy())
      req.pipe(upstream)
    }
    if (state.delayMs > 0) setTimeout(forward, state.delayMs)
    else forward()
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    if (state.down) socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const proxy: Proxy = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    get delayMs() {
      return state.delayMs
    },
    set delayMs(ms) {
      state.delayMs = ms
    },
    get down() {
      return state.down
    },
    set down(value) {
      state.down = value
      // Kept-alive connections would still reach HQ: cut them too.
      if (value) for (const socket of sockets) socket.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  return proxy
}

const indicator = (h: Harness) => h.page.getByTestId('sync-indicator')
/** Lets a button's loading overlay and other short transitions finish before a screenshot. */
const settle = (h: Harness) => h.page.waitForTimeout(300)

async function enrolInUi(h: Harness, code: string, deviceName: string) {
  const { page } = h
  await page.goto(`${h.url}#/sync`)
  const form = page.getByTestId('sync-enrol')
  await form.getByTestId('sync-server').fill(proxy.url)
  await form.getByTestId('sync-code').fill(code)
  await form.getByTestId('sync-device-name').fill(deviceName)
  await form.getByTestId('sync-enrol-submit').click()
  await page.getByTestId('sync-status').waitFor()
}

async function syncInUi(h: Harness) {
  const { page } = h
  await page.goto(`${h.url}#/sync`)
  await page.getByTestId('sync-now').click()
  await page.getByTestId('sync-done').waitFor()
}

async function editHouseholds(h: Harness, value: string) {
  const { page } = h
  await page.goto(`${h.url}#/villages`)
  await page.getByTestId('village-search').fill(village.divisionCode)
  await page.locator(`tr[data-village-code="${village.divisionCode}"]`).click()
  const panel = page.getByTestId('village-profile')
  await panel.getByTestId('village-profile-name').getByText(village.name).waitFor()
  await panel.locator('input[data-field="households"]').fill(value)
  await panel.getByTestId('village-save').click()
  await panel.getByTestId('village-saved').waitFor()
}

async function shownHouseholds(h: Harness): Promise<string> {
  const { page } = h
  // From another page, so the villages page mounts afresh and reads what the sync brought.
  await page.goto(`${h.url}#/sync`)
  await page.getByTestId('sync-status').waitFor()
  await page.goto(`${h.url}#/villages`)
  await page.getByTestId('village-search').fill(village.divisionCode)
  await page.locator(`tr[data-village-code="${village.divisionCode}"]`).click()
  const panel = page.getByTestId('village-profile')
  await panel.getByTestId('village-profile-name').getByText(village.name).waitFor()
  return panel.locator('input[data-field="households"]').inputValue()
}

beforeAll(async () => {
  hq = await startTestHq()
  proxy = await startProxy(hq.url)
  a = await startHarness()
  b = await startHarness()
})
afterAll(async () => {
  await a?.close()
  await b?.close()
  await proxy?.close()
  await hq?.close()
})

describe('sync between two devices and HQ', () => {
  it('a new device shows "not connected" and the sync page refuses bad enrolment input, storing nothing', async () => {
    const { page } = a
    await page.goto(`${a.url}#/sync`)
    await expect.poll(() => indicator(a).getAttribute('data-state'), { timeout: 10_000 }).toBe('notEnrolled')
    await page.getByTestId('sync-enrol').waitFor()
    await a.screenshot('40-01-not-enrolled')

    const form = page.getByTestId('sync-enrol')
    await form.getByTestId('sync-enrol-submit').click()
    await form.getByText('请填写服务器地址').waitFor()
    await form.getByText('请填写注册码').waitFor()
    await form.getByTestId('sync-server').fill('hq.example:8787')
    await form.getByTestId('sync-code').fill('ab')
    await form.getByTestId('sync-enrol-submit').click()
    await form.getByText('地址应以 http:// 或 https:// 开头', { exact: false }).waitFor()
    await form.getByText('注册码至少 4 个字符').waitFor()
    await a.screenshot('40-02-enrol-field-errors')

    await hq.userWithCode('lisi', 'grid_manager', ['451022-G03'])
    await form.getByTestId('sync-server').fill(proxy.url)
    await form.getByTestId('sync-code').fill('NOT-A-REAL-CODE')
    await form.getByTestId('sync-enrol-submit').click()
    await expect.poll(() => form.getByTestId('sync-enrol-error').getAttribute('data-reason')).toBe('ENROL_CODE_INVALID')
    expect(await form.getByTestId('sync-enrol-error').textContent()).toContain('注册码无效')
    await a.screenshot('40-03-enrol-bad-code')

    proxy.down = true
    await form.getByTestId('sync-code').fill(await hq.code('lisi'))
    await form.getByTestId('sync-enrol-submit').click()
    await expect.poll(() => form.getByTestId('sync-enrol-error').getAttribute('data-reason')).toBe('NETWORK')
    expect(await form.getByTestId('sync-enrol-error').textContent()).toContain('连不上这个地址的服务器')
    await a.screenshot('40-04-enrol-unreachable')
    proxy.down = false
    expect(await a.core.call('sync.status', {})).toMatchObject({ enrolled: false, server: null })
  })

  it('both devices enrol and sync; the progress bar shows changes and bytes while it runs', async () => {
    const { page } = a
    await enrolInUi(a, await hq.code('lisi'), '李四的笔记本')
    await page.getByTestId('sync-status').getByText('lisi').waitFor()
    await expect.poll(() => indicator(a).getAttribute('data-state'), { timeout: 10_000 }).toBe('never')
    await a.screenshot('40-05-enrolled')

    proxy.delayMs = 700
    await page.getByTestId('sync-now').click()
    const progress = page.getByTestId('sync-progress')
    await progress.waitFor()
    await expect.poll(() => progress.getAttribute('data-phase')).toMatch(/pull|refetch/)
    expect(await progress.textContent()).toMatch(/已发送 0 \/ 0 条修改 · 已接收 \d+ 条记录 · 上传 .+，下载 .+/)
    await a.screenshot('40-06-sync-progress')
    await page.getByTestId('sync-done').waitFor({ timeout: 60_000 })
    proxy.delayMs = 0
    expect(await page.getByTestId('sync-done').textContent()).toMatch(/接收 \d+ 条记录/)
    await expect.poll(() => indicator(a).getAttribute('data-state'), { timeout: 10_000 }).toBe('ok')
    await settle(a)
    await a.screenshot('40-07-first-sync-done')

    await enrolInUi(b, await hq.userWithCode('wangwu', 'grid_manager', ['451022-G03']), '王五的笔记本')
    await b.page.getByTestId('sync-now').click()
    await b.page.getByTestId('sync-done').waitFor()
    await expect.poll(() => indicator(b).getAttribute('data-state'), { timeout: 10_000 }).toBe('ok')

    const rows = (await a.core.call('villages.list', { limit: 5 })).rows
    expect(rows.length).toBeGreaterThan(0)
    village = { id: rows[0]!.id, divisionCode: rows[0]!.divisionCode, name: rows[0]!.name }
    expect((await b.core.call('villages.get', { id: village.id })).name).toBe(village.name)
  })

  it('the same village edited offline on both; A syncs, then B sees exactly one conflict with both values', async () => {
    await editHouseholds(a, '501')
    await expect.poll(() => indicator(a).getAttribute('data-pending'), { timeout: 10_000 }).toBe('1')
    await a.screenshot('40-08-A-edited-offline')
    await editHouseholds(b, '502')
    await expect.poll(() => indicator(b).getAttribute('data-pending'), { timeout: 10_000 }).toBe('1')
    await b.screenshot('40-09-B-edited-offline')

    await syncInUi(a)
    await a.page.getByTestId('sync-results-table').locator('tr[data-change-status="applied"]').waitFor()
    expect(await a.page.getByTestId('sync-results-table').locator('tbody tr').count()).toBe(1)
    await settle(a)
    await a.screenshot('40-10-A-synced')

    await syncInUi(b)
    const conflicts = b.page.getByTestId('conflict')
    await conflicts.first().waitFor()
    expect(await conflicts.count()).toBe(1)
    expect(await conflicts.getAttribute('data-field')).toBe('households')
    expect(await conflicts.getByTestId('conflict-mine-value').textContent()).toBe('502')
    expect(await conflicts.getByTestId('conflict-theirs-value').textContent()).toBe('501')
    expect(await conflicts.textContent()).toContain(village.name)
    expect(await conflicts.textContent()).toContain('户数')
    await b.page.getByTestId('sync-results-table').locator('tr[data-change-status="conflict"]').waitFor()
    await expect.poll(() => indicator(b).getAttribute('data-conflicts'), { timeout: 10_000 }).toBe('1')
    expect(await b.core.call('sync.conflicts', {})).toHaveLength(1)
    await settle(b)
    await b.screenshot('40-11-B-conflict')
  })

  it('a bad edited value is refused under the field and changes nothing; keeping mine resolves it as a new change', async () => {
    const { page } = b
    const conflict = page.getByTestId('conflict')
    await conflict.getByTestId('conflict-edit').click()
    await conflict.getByTestId('conflict-edit-value').fill('-5')
    await conflict.getByTestId('conflict-edit-save').click()
    await conflict.getByText('“户数”的值不符合要求', { exact: false }).waitFor()
    expect(await b.core.call('sync.status', {})).toMatchObject({ pendingChanges: 0, openConflicts: 1 })
    await b.screenshot('40-12-conflict-bad-edit')

    await conflict.getByTestId('conflict-keep-mine').click()
    await page.getByTestId('sync-no-conflicts').waitFor()
    await expect.poll(() => indicator(b).getAttribute('data-conflicts'), { timeout: 10_000 }).toBe('0')
    await expect.poll(() => indicator(b).getAttribute('data-pending'), { timeout: 10_000 }).toBe('1')
    await b.screenshot('40-13-conflict-resolved')
  })

  it('both sync and show the same value', async () => {
    await syncInUi(b)
    await b.page.getByTestId('sync-results-table').locator('tr[data-change-status="applied"]').waitFor()
    await syncInUi(a)
    expect(await shownHouseholds(a)).toBe('502')
    await settle(a)
    await a.screenshot('40-14-A-agrees')
    expect(await shownHouseholds(b)).toBe('502')
    await settle(b)
    await b.screenshot('40-15-B-agrees')
    expect(await b.core.call('sync.conflicts', {})).toHaveLength(0)
    expect(await a.core.call('sync.conflicts', {})).toHaveLength(0)
  })

  it('when HQ cannot be reached the header says offline; an edit waits and is sent by itself when HQ answers again', async () => {
    proxy.down = true
    const { page } = a
    await page.goto(`${a.url}#/sync`) // opening the page checks the connection now
    await expect.poll(() => indicator(a).getAttribute('data-state'), { timeout: 10_000 }).toBe('offline')
    await page.getByTestId('sync-now').click()
    await page.getByTestId('sync-run-error').getByText('连不上总部服务器', { exact: false }).waitFor()
    await page.getByTestId('sync-last-error').waitFor()
    await settle(a)
    await a.screenshot('40-16-offline')

    await editHouseholds(a, '503')
    await expect.poll(() => indicator(a).getAttribute('data-pending'), { timeout: 10_000 }).toBe('1')
    await expect.poll(() => indicator(a).getAttribute('data-state'), { timeout: 10_000 }).toBe('offline')
    await a.screenshot('40-17-offline-edit-waiting')

    proxy.down = false
    await page.goto(`${a.url}#/sync`) // the scheduler probes now instead of after its back-off
    await expect.poll(() => indicator(a).getAttribute('data-pending'), { timeout: 20_000 }).toBe('0')
    await expect.poll(() => indicator(a).getAttribute('data-state'), { timeout: 10_000 }).toBe('ok')
    await page.getByTestId('sync-results-table').locator('tr[data-change-status="applied"]').first().waitFor()
    expect(await page.getByTestId('sync-results-table').locator('tbody tr').count()).toBe(1)
    await settle(a)
    await a.screenshot('40-18-auto-synced')
    await syncInUi(b)
    expect((await b.core.call('villages.get', { id: village.id })).households).toBe(503)
  })

  it('reads in English too', async () => {
    const { page } = b
    await page.goto(`${b.url}#/sync`)
    await page.getByTestId('language-switch').getByText('English').click()
    await page.getByText('Sync with HQ', { exact: true }).waitFor()
    await page.getByTestId('sync-results').getByText('Results of the last sync').waitFor()
    await settle(b)
    await b.screenshot('40-19-sync-english')
    await page.getByTestId('language-switch').getByText('中文').click()
  })

  it('logged no page errors or failed requests', () => {
    expect(a.problems).toEqual([])
    expect(b.problems).toEqual([])
  })
})
