import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { dirname, join } from 'node:path'
import { openTestCore } from '../core/testing'
import { startBrowserMode, type BrowserMode } from './server'
import { Uploads } from './uploads'

describe('browser mode server', () => {
  let core: ReturnType<typeof openTestCore>
  let server: BrowserMode
  let cookie = ''
  // What the page sends: the launch token in its header (the cookie too, as a browser would).
  let auth: Record<string, string> = {}
  beforeAll(async () => {
    core = openTestCore()
    const rendererDir = join(core.dataDir, 'renderer')
    mkdirSync(rendererDir)
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
    server = await startBrowserMode({ core, rendererDir })
    const signIn = await fetch(server.launchUrl, { redirect: 'manual' })
    cookie = signIn.headers.get('set-cookie')!.split(';')[0]!
    auth = { cookie, 'x-griddesk-token': server.launchSecret }
  })
  afterAll(async () => {
    await server?.close()
    core?.dispose()
  })

  const rpc = (name: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL(`rpc/${name}`, server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth, ...headers },
      body: JSON.stringify(body),
    })

  it('refuses every request without the launch secret and swaps the secret for a strict session cookie', async () => {
    // As another local user would: no cookie, or a guessed one, or a wrong secret.
    const anonymous = await fetch(new URL('rpc/app.info', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { reason: 'browserSession' } } })
    const guessed = await fetch(new URL('rpc/app.info', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `${cookie.split('=')[0]}=x` },
      body: '{}',
    })
    expect(guessed.status).toBe(401)
    const upload = await fetch(new URL('upload?name=a.csv', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'a,b\n',
    })
    expect(upload.status).toBe(401)
    expect(existsSync(join(core.dataDir, 'uploads'))).toBe(false)
    expect((await fetch(new URL('tiles/x/1/1/1', server.url))).status).toBe(401)
    const page = await fetch(server.url)
    expect(page.status).toBe(401)
    expect(await page.text()).toContain('?k=')
    const wrong = await fetch(`${server.url}?k=${'A'.repeat(43)}`, { redirect: 'manual' })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()

    // The printed address serves the page itself (which keeps the secret and takes it out of the
    // address bar) and sets the cookie its static files need.
    const signIn = await fetch(server.launchUrl, { redirect: 'manual' })
    expect(signIn.status).toBe(200)
    expect(await signIn.text()).toContain('<title>t</title>')
    expect(signIn.headers.get('cache-control')).toBe('no-store')
    expect(signIn.headers.get('set-cookie')).toMatch(/^griddesk_session_\d+=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/)
    expect(signIn.headers.get('set-cookie')).not.toContain(new URL(server.launchUrl).searchParams.get('k')!)
    expect((await rpc('app.info', {})).status).toBe(200)
  })

  it('answers /rpc and /upload only with the launch token in its header: the cookie alone is refused', async () => {
    // Cookies are per host, not per port: a server of another local user on another 127.0.0.1
    // port can receive this one and replay it. It opens the page's files, nothing else.
    const withCookie = { cookie, 'content-type': 'application/json' }
    const viaCookie = await fetch(new URL('rpc/app.info', server.url), { method: 'POST', headers: withCookie, body: '{}' })
    expect(viaCookie.status).toBe(401)
    expect(await viaCookie.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { reason: 'browserSession' } } })
    const uploadViaCookie = await fetch(new URL('upload?name=c.csv', server.url), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/octet-stream' },
      body: '名称,电话\n张三,13812345678\n',
    })
    expect(uploadViaCookie.status).toBe(401)
    expect(existsSync(join(core.dataDir, 'uploads'))).toBe(false)
    // Neither the cookie's value nor a wrong token in the header, nor the secret in the query.
    const sessionValue = cookie.split('=')[1]!
    const attempts: Record<string, string>[] = [{ 'x-griddesk-token': sessionValue }, { cookie, 'x-griddesk-token': 'A'.repeat(43) }]
    for (const headers of attempts)
      expect(
        (await fetch(new URL('rpc/app.info', server.url), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' })).status,
      ).toBe(401)
    const inQuery = await fetch(new URL(`rpc/app.info?k=${server.launchSecret}`, server.url), { method: 'POST', headers: withCookie, body: '{}' })
    expect(inQuery.status).toBe(401)
    // GET of a call path with the cookie is no way round it either.
    expect((await fetch(new URL('rpc/app.info', server.url), { headers: { cookie } })).status).toBe(401)
    // The cookie still loads the page (static files, tiles); the token alone answers calls.
    expect((await fetch(server.url, { headers: { cookie } })).status).toBe(200)
    const byToken = await fetch(new URL('rpc/app.info', server.url), {
      method: 'POST',
      headers: { 'x-griddesk-token': server.launchSecret, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(byToken.status).toBe(200)
  })

  it('listens on loopback only and serves the renderer with a strict CSP', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1')
    const page = await fetch(server.url, { headers: { cookie } })
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
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json' } },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.end('{}')
    })
    expect(status).toBe(421)
  })

  it('keeps an uploaded import file under the data directory and imports it by path', async () => {
    const upload = (name: string, body: Uint8Array | string, headers: Record<string, string> = { 'content-type': 'application/octet-stream' }) =>
      fetch(new URL(`upload?name=${encodeURIComponent(name)}`, server.url), { method: 'POST', headers: { ...auth, ...headers }, body })
    const csv = Buffer.from('区划代码,名称\n451022100291,莫𡐓村委会\n', 'utf8')
    const answer = (await (await upload('../../村庄.csv', csv)).json()) as { ok: boolean; value: { path: string; fileName: string; bytes: number } }
    expect(answer).toMatchObject({ ok: true, value: { fileName: '村庄.csv', bytes: csv.length } })
    expect(answer.value.path.startsWith(join(core.dataDir, 'uploads'))).toBe(true)
    expect(readFileSync(answer.value.path)).toEqual(csv)
    const preview = (await (await rpc('import.preview', { kind: 'villages', source: { path: answer.value.path } })).json()) as {
      ok: boolean
      value: { sample: { name: string }[] }
    }
    expect(preview.value.sample[0]!.name).toBe('莫𡐓村委会')
    expect((await upload('a.csv', 'x', { 'content-type': 'text/plain' })).status).toBe(400)
    expect((await upload('a.csv', csv, { 'content-type': 'application/octet-stream', origin: 'http://evil.example' })).status).toBe(403)
  })

  it('reads only uploaded files and writes only into the exports folder', async () => {
    type Answer = { ok: boolean; value?: { path?: string; bytes?: number }; error?: { code: string; message: string; details?: Record<string, unknown> } }
    const call = async (name: string, body: unknown) => (await (await rpc(name, body, { 'x-griddesk-lang': 'en' })).json()) as Answer
    const passwd = await call('import.preview', { kind: 'villages', source: { path: '/etc/passwd' } })
    expect(passwd).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { reason: 'pathRead', field: 'source.path' } } })
    expect(passwd.error!.message).toContain('file chooser')
    const uploadsDir = join(core.dataDir, 'uploads')
    expect((await call('import.preview', { kind: 'villages', source: { path: join(uploadsDir, '..', 'griddesk.sqlite') } })).error?.details?.reason).toBe(
      'pathRead',
    )
    const uploaded = (await (
      await fetch(new URL('upload?name=v.csv', server.url), {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/octet-stream' },
        body: '区划代码,名称\n451022100294,那坡村委会\n',
      })
    ).json()) as Answer
    expect((await call('import.preview', { kind: 'villages', source: { path: uploaded.value!.path } })).ok).toBe(true)

    expect((await call('demo.load', { keyCustomers: 0, visits: 0 })).ok).toBe(true)
    const county = ((await call('orgUnits.list', {})) as unknown as { value: { code: string; level: string }[] }).value.find((u) => u.level === 'county')!.code
    const report = (path: string) => call('reports.export', { region: county, period: '2026-01', format: 'csv', path })
    const outside = join(core.dataDir, '..', `griddesk-outside-${process.pid}.csv`)
    const refused = await report(outside)
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', details: { reason: 'pathWrite', field: 'path', folder: join(core.dataDir, 'exports') } },
    })
    expect(existsSync(outside)).toBe(false)
    expect((await report(join(core.dataDir, 'exports', '..', 'griddesk.csv'))).error?.details?.reason).toBe('pathWrite')
    const written = await report(join(core.dataDir, 'exports', 'county.csv'))
    expect(written).toMatchObject({ ok: true, value: { path: join(core.dataDir, 'exports', 'county.csv') } })
    expect(existsSync(join(core.dataDir, 'exports', 'county.csv'))).toBe(true)
  })

  it('deletes an uploaded file once an import has written it, and keeps it through previews', async () => {
    const upload = async (name: string, body: string) =>
      (
        (await (
          await fetch(new URL(`upload?name=${encodeURIComponent(name)}`, server.url), {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/octet-stream' },
            body,
          })
        ).json()) as { value: { path: string } }
      ).value.path
    const csv = '区划代码,名称\n451022100292,那坡村委会\n'
    const first = await upload('村庄1.csv', csv)
    expect(((await (await rpc('import.preview', { kind: 'villages', source: { path: first } })).json()) as { ok: boolean }).ok).toBe(true)
    expect(existsSync(first)).toBe(true)
    expect(((await (await rpc('import.commit', { kind: 'villages', source: { path: first } })).json()) as { ok: boolean }).ok).toBe(true)
    expect(existsSync(dirname(first))).toBe(false)

    // A commit job: gone when the job is done.
    const second = await upload('村庄2.csv', csv.replace('451022100292', '451022100293'))
    const started = (await (await rpc('import.start', { kind: 'villages', source: { path: second } })).json()) as { value: { jobId: string } }
    await vi.waitFor(async () => {
      const progress = (await (await rpc('import.progress', { jobId: started.value.jobId })).json()) as { value: { phase: string } }
      expect(progress.value.phase).toBe('done')
    })
    expect(existsSync(dirname(second))).toBe(false)
  })

  it('keeps no upload past its retention, nor from an earlier launch or after close', async () => {
    const root = join(core.dataDir, 'uploads-retention')
    const uploads = new Uploads(root, 60_000)
    const used = uploads.folder()
    const idle = uploads.folder()
    writeFileSync(join(idle, 'customers.csv'), '张三,13812345678\n')
    const old = new Date(Date.now() - 61_000)
    utimesSync(idle, old, old)
    uploads.afterCall('import.preview', { source: { path: join(used, 'x.csv') } }, { ok: true, value: {} })
    uploads.sweep()
    expect([existsSync(used), existsSync(idle)]).toEqual([true, false])
    uploads.close()
    expect(existsSync(root)).toBe(false)

    // An earlier launch's uploads are gone when browser mode starts, and this launch's when it closes.
    const leftover = join(core.dataDir, 'uploads', 'earlier-launch')
    mkdirSync(leftover, { recursive: true })
    writeFileSync(join(leftover, 'customers.csv'), '张三,13812345678\n')
    const again = await startBrowserMode({ core, rendererDir: join(core.dataDir, 'renderer') })
    expect(existsSync(leftover)).toBe(false)
    mkdirSync(leftover, { recursive: true })
    await again.close()
    expect(existsSync(join(core.dataDir, 'uploads'))).toBe(false)
  })
})
