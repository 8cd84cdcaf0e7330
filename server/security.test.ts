// HQ transport and enrolment security: HTTPS with a certificate made at test time (the device CLI
// trusts its CA through NODE_EXTRA_CA_CERTS and enrols and syncs over it); devices refuse http://
// without the development flag and, with it, anywhere but this computer; /v1/enrol is
// rate-limited; "enrolled for another user" uses the code up and answers like a bad code (no
// device-id oracle); a revoked device locks its store at next contact; HQ logs no row values.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestCore } from '../electron/core/testing'
import { REPO_ROOT } from '../electron/core/resources'
import { assertSecureUrl, enrol, runSync } from '../electron/core/sync/engine'
import { SyncHttpError } from '../electron/core/sync/hqClient'
import { errorText } from '../shared/i18n/errorText'
import { createUser, issueEnrolCode, revokeDevice } from './accounts'
import { buildServer } from './app'
import { openStore } from './db/client'
import { startTestHq, type TestHq } from './testing'

const REGION = '451022-G01'
const dir = mkdtempSync(join(tmpdir(), 'griddesk-tls-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A CA and a server certificate for localhost / 127.0.0.1 signed by it (openssl). */
function makeCertificates(): { ca: string; cert: string; key: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=GridDesk test CA')
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost')
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext')
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') }
}

function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k]
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'electron/cli/main.ts'), ...args], {
      cwd: REPO_ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

describe('HQ over HTTPS', () => {
  let hq: TestHq
  let https: Awaited<ReturnType<typeof buildServer>>
  let url: string
  let ca: string
  beforeAll(async () => {
    hq = await startTestHq()
    const certs = makeCertificates()
    ca = certs.ca
    https = await buildServer({ db: hq.store.db, https: { cert: readFileSync(certs.cert), key: readFileSync(certs.key) } })
    await https.listen({ port: 0, host: '127.0.0.1' })
    const address = https.server.address()
    url = `https://localhost:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(async () => {
    await https?.close()
    await hq?.close()
  })

  it('the device CLI enrols and syncs over HTTPS with the CA trusted, without the insecure flag', async () => {
    const code = await hq.userWithCode('王五', 'grid_manager', [REGION])
    const dataDir = join(dir, 'device')
    const env = { NODE_EXTRA_CA_CERTS: ca, GRIDDESK_ALLOW_INSECURE_HTTP: undefined }
    const enrolled = await cli(['sync', 'enrol', '--server', url, '--code', code, '--data-dir', dataDir], env)
    expect(enrolled.stderr).toBe('')
    expect(enrolled.code).toBe(0)
    const synced = await cli(['sync', '--data-dir', dataDir], env)
    expect(synced.code, synced.stderr).toBe(0)
    expect(JSON.parse(synced.stdout).pulledRows).toBeGreaterThan(0)
    // Without the CA the certificate is refused: no silent fallback.
    const untrusted = await cli(['sync', '--data-dir', dataDir], { GRIDDESK_ALLOW_INSECURE_HTTP: undefined })
    expect(untrusted.code).toBe(1)
  })

  it('devices refuse http:// without the development flag, and with it anywhere but this computer', async () => {
    const core = openTestCore()
    const saved = process.env.GRIDDESK_ALLOW_INSECURE_HTTP
    delete process.env.GRIDDESK_ALLOW_INSECURE_HTTP
    try {
      const refused = await core.dispatch('sync.enrol', { server: hq.url, code: 'ABCDEFGH' }, 'zh-CN')
      expect(refused).toMatchObject({ ok: false, error: { details: { server: 'INSECURE_URL' } } })
      expect(() => assertSecureUrl('http://192.168.1.20:8787', true)).toThrow(SyncHttpError)
      expect(() => assertSecureUrl('http://hq.example.cn', true)).toThrow(/not on this computer/)
      expect(() => assertSecureUrl('http://127.0.0.1:8787', true)).not.toThrow()
      expect(() => assertSecureUrl('https://hq.example.cn', false)).not.toThrow()
      // With the flag (kept with the enrolment), loopback http works.
      const code = await hq.userWithCode('赵六', 'grid_manager', [REGION])
      const ok = await core.dispatch('sync.enrol', { server: hq.url, code, allowInsecureHttp: true }, 'zh-CN')
      expect(ok.ok).toBe(true)
      await expect(core.call('sync.run', {})).resolves.toMatchObject({ pushed: 0 })
    } finally {
      process.env.GRIDDESK_ALLOW_INSECURE_HTTP = saved
      core.dispose()
    }
  })

  it('a revoked device locks its store at next contact and says so in words', async () => {
    const core = openTestCore()
    try {
      const code = await hq.userWithCode('孙七', 'grid_manager', [REGION])
      const enrolled = await enrol(core.ctx, hq.url, code, 'laptop')
      await runSync(core.ctx)
      await revokeDevice(hq.store.db, enrolled.device_id)
      const answer = await core.dispatch('sync.run', {}, 'zh-CN')
      expect(answer).toMatchObject({ ok: false, error: { code: 'STORE_REVOKED' } })
      if (answer.ok) return
      expect(errorText('zh-CN', answer)).toMatch(/总部已于 .* 注销本机，本机数据的密钥已销毁/)
      // Every further call is refused, and the store no longer opens.
      expect(await core.dispatch('grids.list', {}, 'en')).toMatchObject({ ok: false, error: { code: 'STORE_REVOKED' } })
      const { openCore } = await import('../electron/core/app')
      expect(() => openCore({ dataDir: core.dataDir, resourcesDir: REPO_ROOT })).toThrow(/revoked/)
    } finally {
      core.dispose()
    }
  })
})

describe('enrolment', () => {
  it('wrong codes are rate-limited per client address; a county office enrolling many laptops behind one address is not', async () => {
    const store = await openStore({})
    const app = await buildServer({ db: store.db, enrolRateLimit: { max: 3, timeWindow: 60_000 } })
    try {
      await createUser(store.db, '县公司管理员', 'county_manager')
      const enrolled: number[] = []
      for (let i = 0; i < 6; i++) {
        const { code } = await issueEnrolCode(store.db, '县公司管理员')
        enrolled.push((await app.inject({ method: 'POST', url: '/v1/enrol', payload: { code, deviceName: `笔记本${i}` } })).statusCode)
      }
      expect(enrolled).toEqual([201, 201, 201, 201, 201, 201])
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) {
        const response = await app.inject({ method: 'POST', url: '/v1/enrol', payload: { code: `WRONG${i}CODE`, deviceName: 'x' } })
        statuses.push(response.statusCode)
        if (response.statusCode === 429) expect(response.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } })
      }
      expect(statuses).toEqual([403, 403, 403, 429, 429])
      // While wrong codes are held up, a live code from the same address still goes through.
      const { code } = await issueEnrolCode(store.db, '县公司管理员')
      expect((await app.inject({ method: 'POST', url: '/v1/enrol', payload: { code, deviceName: 'late' } })).statusCode).toBe(201)
    } finally {
      await app.close()
      await store.close()
    }
  })

  it('"enrolled for another user" uses the code up and answers like a bad code: no device-id oracle', async () => {
    const hq = await startTestHq(false)
    try {
      const first = await hq.userWithCode('甲', 'grid_manager', [])
      const victim = await hq.app.inject({
        method: 'POST',
        url: '/v1/enrol',
        payload: { code: first, deviceName: 'a', deviceId: '01900000-0000-7000-8000-0000000000aa' },
      })
      expect(victim.statusCode).toBe(201)
      const probe = await hq.userWithCode('乙', 'grid_manager', [])
      const taken = await hq.app.inject({
        method: 'POST',
        url: '/v1/enrol',
        payload: { code: probe, deviceName: 'b', deviceId: '01900000-0000-7000-8000-0000000000aa' },
      })
      const unknown = await hq.app.inject({
        method: 'POST',
        url: '/v1/enrol',
        payload: { code: 'NOSUCHCODE1', deviceName: 'b', deviceId: '01900000-0000-7000-8000-0000000000bb' },
      })
      expect(taken.statusCode).toBe(unknown.statusCode)
      expect(taken.json()).toEqual(unknown.json())
      // The code is used up: a second probe with it gets the same answer, even for a free id.
      const again = await hq.app.inject({
        method: 'POST',
        url: '/v1/enrol',
        payload: { code: probe, deviceName: 'b', deviceId: '01900000-0000-7000-8000-0000000000cc' },
      })
      expect(again.json()).toEqual(unknown.json())
    } finally {
      await hq.close()
    }
  })
})

describe('HQ logs', () => {
  it('never carry row values: a failing request logs its route and error kind only', async () => {
    const store = await openStore({})
    const lines: string[] = []
    const stream = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) })
    const app = await buildServer({ db: store.db, logger: { level: 'info', stream } })
    app.post('/v1/test-failure', async () => {
      // What a failed query looks like: drizzle puts the statement and its parameters in the message.
      throw Object.assign(new Error('Failed query: insert into rows values ($1, $2)\nparams: 张三,13912345678'), { cause: { code: '22021' } })
    })
    try {
      const response = await app.inject({ method: 'POST', url: '/v1/test-failure', payload: { name: '张三', phone: '13912345678' } })
      expect(response.statusCode).toBe(500)
      expect(JSON.stringify(response.json())).not.toContain('13912345678')
      const log = lines.join('')
      expect(log).toContain('request failed')
      expect(log).toContain('22021')
      expect(log).not.toContain('13912345678')
      expect(log).not.toContain('张三')
    } finally {
      await app.close()
      await store.close()
    }
  })
})
