import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { openTestCore } from '../core/testing'
import { startBrowserMode, type BrowserMode } from './server'

describe('browser mode server', () => {
  let core: ReturnType<typeof openTestCore>
  let server: BrowserMode
  beforeAll(async () => {
    core = openTestCore()
    const rendererDir = join(core.dataDir, 'renderer')
    mkdirSync(rendererDir)
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
    server = await startBrowserMode({ core, rendererDir })
  })
  afterAll(async () => {
    await server.close()
    core.dispose()
  })

  const rpc = (name: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL(`rpc/${name}`, server.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

  it('listens on loopback only and serves the renderer with a strict CSP', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1')
    const page = await fetch(server.url)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
  })

  it('answers handler calls over HTTP with the same envelope as IPC', async () => {
    const ok = await (await rpc('app.info', {})).json()
    expect(ok).toMatchObject({ ok: true, value: { schemaVersion: expect.any(Number), demoLoaded: false } })
    const bad = await (await rpc('grids.summary', { id: 42 }, { 'x-griddesk-lang': 'en' })).json()
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(JSON.stringify(bad)).not.toMatch(/at .*\.ts:\d+/) // never a stack
  })

  it('refuses calls from another origin and requests for another host', async () => {
    expect((await rpc('app.info', {}, { origin: 'http://evil.example' })).status).toBe(403)
    // fetch cannot forge Host (DNS rebinding does); node:http can.
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL('rpc/app.info', server.url)
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json' } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end('{}')
    })
    expect(status).toBe(421)
  })

  it('keeps an uploaded import file under the data directory and imports it by path', async () => {
    const upload = (name: string, body: Uint8Array | string, headers: Record<string, string> = { 'content-type': 'application/octet-stream' }) =>
      fetch(new URL(`upload?name=${encodeURIComponent(name)}`, server.url), { method: 'POST', headers, body })
    const csv = Buffer.from('区划代码,名称\n451022100291,莫𡐓村委会\n', 'utf8')
    const answer = (await (await upload('../../村庄.csv', csv)).json()) as { ok: boolean; value: { path: string; fileName: string; bytes: number } }
    expect(answer).toMatchObject({ ok: true, value: { fileName: '村庄.csv', bytes: csv.length } })
    expect(answer.value.path.startsWith(join(core.dataDir, 'uploads'))).toBe(true)
    expect(readFileSync(answer.value.path)).toEqual(csv)
    const preview = (await (await rpc('import.preview', { kind: 'villages', source: { path: answer.value.path } })).json()) as { ok: boolean; value: { sample: { name: string }[] } }
    expect(preview.value.sample[0]!.name).toBe('莫𡐓村委会')
    expect((await upload('a.csv', 'x', { 'content-type': 'text/plain' })).status).toBe(400)
    expect((await upload('a.csv', csv, { 'content-type': 'application/octet-stream', origin: 'http://evil.example' })).status).toBe(403)
  })
})
