// The client's deadlines and cut bodies against a real HTTP server on loopback that misbehaves:
// a silent server, a body that stalls half way, a body cut short, a reset connection.
import { createServer, type Server } from 'node:http'
import { brotliCompressSync } from 'node:zlib'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busyDelayMs, HqClient, MAX_ANSWER_BYTES, serverTimingMs, SyncHttpError, UNAVAILABLE_MAX_WAIT_MS } from './hqClient'

let server: Server
const busyCounts = new Map<string, number>()
let base: string
const big = JSON.stringify({ rows: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `row ${i}` })) })

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/silent') return // never answers
    if (req.url === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    if (req.url === '/timed') return res.writeHead(200, { 'content-type': 'application/json', 'server-timing': 'db;dur=3, app;dur=412.5' }).end('{"ok":true}')
    if (req.url === '/stall') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big.length) })
      res.write(big.slice(0, 1000)) // then silence, the socket left open
      return
    }
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big.length) })
      res.write(big.slice(0, 1000), () => res.socket?.destroy())
      return
    }
    if (req.url === '/reset') return req.socket.resetAndDestroy()
    // A compression bomb: a few hundred KB on the wire that inflate past the client's cap.
    if (req.url === '/bomb') return res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' }).end(bomb)
    if (req.url?.startsWith('/unavailable')) {
      // HQ's database restarting for the first N requests of this path (503), then an answer.
      const n = (busyCounts.get(req.url) ?? 0) + 1
      busyCounts.set(req.url, n)
      if (n <= Number(req.url.split('/')[2]))
        return res
          .writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' })
          .end(JSON.stringify({ error: { code: 'HQ_UNAVAILABLE', message: 'database unavailable', details: { retry_after_s: 1 } } }))
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    }
    if (req.url?.startsWith('/proxy-busy')) {
      // A reverse proxy's own limit in front of HQ: plain text, the wait only in Retry-After.
      const n = (busyCounts.get(req.url) ?? 0) + 1
      busyCounts.set(req.url, n)
      if (n <= Number(req.url.split('/')[2]))
        return res.writeHead(429, { 'content-type': 'text/html', 'retry-after': '3' }).end('<html>429 Too Many Requests</html>')
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    }
    if (req.url?.startsWith('/busy')) {
      // Busy for the first N requests of this path, then an answer.
      const n = (busyCounts.get(req.url) ?? 0) + 1
      busyCounts.set(req.url, n)
      if (n <= Number(req.url.split('/')[2]))
        return res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' })
          .end(JSON.stringify({ error: { code: 'HQ_BUSY', message: 'busy', details: { retry_after_s: 2 } } }))
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const bomb = brotliCompressSync(Buffer.alloc(MAX_ANSWER_BYTES + 2 ** 20, 0x20))

const client = () => new HqClient(base, undefined, undefined, { firstByteMs: 800, idleMs: 300, requestMs: 5_000 })

describe('HQ client deadlines and broken links', () => {
  it('answers normally', async () => {
    expect(await client().request('GET', '/ok')).toEqual({ ok: true })
  })

  it("adds up the time HQ says it spent (Server-Timing app), which a link's rate leaves out", async () => {
    const client = new HqClient(base)
    await client.request('GET', '/timed')
    await client.request('GET', '/ok')
    expect(client.traffic.serverMs).toBe(412.5)
    const said = (value: string) => serverTimingMs({ headers: new Headers({ 'server-timing': value }) })
    expect(said('app;dur=7')).toBe(7)
    expect(said('app;desc="build";dur=12.5')).toBe(12.5)
    expect(said('db;dur=9')).toBe(0)
    expect(said('app;dur=-4')).toBe(0)
    expect(said('app;dur=x')).toBe(0)
  })

  it('a server that never answers is a network error after the first-byte deadline, not a 300 s hang', async () => {
    const started = Date.now()
    await expect(client().request('GET', '/silent')).rejects.toMatchObject({ code: 'NETWORK', details: { network: 'timeout_first_byte' } })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('a body that stalls half way is a network error after the idle deadline', async () => {
    await expect(client().request('GET', '/stall')).rejects.toMatchObject({ code: 'NETWORK', details: { network: 'timeout_idle' } })
  })

  it('a body cut short (TypeError: terminated) is a network error in words', async () => {
    const error = await client()
      .request('GET', '/cut')
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'NETWORK', details: { network: 'cut' } })
    expect((error as Error).message).toMatch(/cut before the answer was complete/)
  })

  it('an answer that inflates past the cap is refused, not held in memory', async () => {
    expect(bomb.byteLength).toBeLessThan(2 ** 20)
    const error = await client()
      .request('GET', '/bomb')
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'NETWORK', details: { network: 'cut' } })
    expect((error as Error).message).toMatch(/larger than 128 MB/)
  })

  it('a reset connection is a network error', async () => {
    await expect(client().request('GET', '/reset')).rejects.toMatchObject({ code: 'NETWORK' })
  })

  it('a whole-request deadline bounds a slow trickle', async () => {
    const slow = new HqClient(base, undefined, undefined, { firstByteMs: 300, idleMs: 10_000, requestMs: 400, minBytesPerSecond: 1e12 })
    await expect(slow.request('GET', '/stall')).rejects.toMatchObject({ code: 'NETWORK', details: { network: 'timeout_request' } })
  })
})

describe("HQ's database restarting (503 HQ_UNAVAILABLE)", () => {
  it('sends again after short waits, and the request goes through', async () => {
    const c = client()
    const waits: number[] = []
    c.busyRetry = { retries: 6, sleep: async (ms) => void waits.push(ms) }
    expect(await c.request('GET', '/unavailable/2/a')).toEqual({ ok: true })
    expect(waits).toHaveLength(2)
    for (const ms of waits) expect(ms).toBeLessThanOrEqual(UNAVAILABLE_MAX_WAIT_MS)
  })

  it('gives up after a few tries (bounded: never holds a sync long) with HQ_UNAVAILABLE, not a server failure', async () => {
    const c = client()
    const waits: number[] = []
    c.busyRetry = { retries: 6, sleep: async (ms) => void waits.push(ms) }
    const error = await c.request('GET', '/unavailable/99/b').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SyncHttpError)
    expect(error).toMatchObject({ status: 503, code: 'HQ_UNAVAILABLE' })
    expect(busyCounts.get('/unavailable/99/b')).toBe(c.unavailableRetries + 1)
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(c.unavailableRetries * UNAVAILABLE_MAX_WAIT_MS)
  })
})

describe('HQ busy (429 HQ_BUSY)', () => {
  it('waits the Retry-After, jittered and growing, then sends again', async () => {
    const c = client()
    const waits: number[] = []
    c.busyRetry = { retries: 6, sleep: async (ms) => void waits.push(ms) }
    expect(await c.request('GET', '/busy/3/a')).toEqual({ ok: true })
    expect(waits).toHaveLength(3)
    // 2 s, 4 s, 8 s, each times 1–2.
    waits.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(2000 * 2 ** i)
      expect(ms).toBeLessThanOrEqual(4000 * 2 ** i)
    })
  })

  it('gives up after its retries with the HQ_BUSY error', async () => {
    const c = client()
    c.busyRetry = { retries: 2, sleep: async () => undefined }
    const error = await c.request('GET', '/busy/9/b').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SyncHttpError)
    expect(error).toMatchObject({ status: 429, code: 'HQ_BUSY' })
    expect(busyCounts.get('/busy/9/b')).toBe(3)
  })

  it('a proxy in front of HQ answering 429 in its own words: waits its Retry-After, jittered, then sends again', async () => {
    const c = client()
    const waits: number[] = []
    c.busyRetry = { retries: 6, sleep: async (ms) => void waits.push(ms) }
    expect(await c.request('GET', '/proxy-busy/2/a')).toEqual({ ok: true })
    expect(waits).toHaveLength(2)
    waits.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(3000 * 2 ** i)
      expect(ms).toBeLessThanOrEqual(6000 * 2 ** i)
    })
  })

  it('spreads devices turned away together, and never waits over a minute', () => {
    expect(busyDelayMs(2, 0, 0)).toBe(2000)
    expect(busyDelayMs(2, 0, 0.999)).toBe(3998)
    expect(busyDelayMs(Number.NaN, 1, 0)).toBe(2000)
    expect(busyDelayMs(30, 4, 0.5)).toBe(60_000)
  })
})
