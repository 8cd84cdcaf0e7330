// An empty device's first pull written as a bulk load (electron/core/db/repos/bulkLoad.ts) ends
// with exactly the store a row-by-row pull gives: the same derived tables (search, rollups, last
// visits), the same indexes and triggers; and no way out of the pull — a dropped link, a crash —
// leaves a store without them. And the pages of such a pull come compressed for the link.
import { rmSync, statSync } from 'node:fs'
import { get } from 'node:http'
import { brotliDecompressSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openCore } from '../electron/core/app'
import { beginBulkLoad, bulkLoadPending, checkpointsHeld } from '../electron/core/db/repos/bulkLoad'
import { REPO_ROOT } from '../electron/core/resources'
import { enrol, runSync } from '../electron/core/sync/engine'
import { HqClient, type FetchLike } from '../electron/core/sync/hqClient'
import { openTestCore } from '../electron/core/testing'
import { PROTOCOL_VERSION, type EnrolResponse } from '../shared/sync/protocol'
import { SYNC_SCHEMA_VERSION } from '../shared/sync/versions'
import { brotliWindow, FAST_LINK_KBPS, GIGABIT_LINK_KBPS, LAN_LINK_KBPS } from './app'
import { startTestHq, type TestHq } from './testing'

type Device = ReturnType<typeof openTestCore>
type Sqlite = Device['ctx']['db']['$client']

const schemaOf = (sqlite: Sqlite) =>
  sqlite.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name").all()

/** The local derived tables, row ids left out (they number rows in arrival order). */
const derivedOf = (sqlite: Sqlite) => ({
  customerSearch: sqlite.prepare('SELECT customer_id, name, pinyin, initials, phone, organisation, village FROM customer_search ORDER BY customer_id').all(),
  placeSearch: sqlite.prepare('SELECT kind, ref_id, name, pinyin, initials, code FROM place_search ORDER BY ref_id').all(),
  rollup: sqlite.prepare('SELECT * FROM visit_rollup ORDER BY unit_id, day').all(),
  lastVisit: sqlite.prepare('SELECT * FROM customer_last_visit ORDER BY customer_id').all(),
})

const searchOf = async (d: Device, query: string) => d.call('search.all', { query, limit: 20 })

describe('a first pull as a bulk load', () => {
  let hq: TestHq
  let rowByRow: Device
  const devices: Device[] = []
  const enrolled = async () => {
    const d = openTestCore()
    devices.push(d)
    await enrol(d.ctx, hq.url, await hq.code('county'), `laptop ${devices.length}`)
    return d
  }

  beforeAll(async () => {
    hq = await startTestHq({ keyCustomers: 120, visits: 1200 })
    await hq.userWithCode('county', 'county_manager', ['451022'])
    rowByRow = await enrolled()
    const report = await runSync(rowByRow.ctx, { pullLimit: 700, bulkLoadMinRows: Number.MAX_SAFE_INTEGER })
    expect(report.checkpoint).toBe('ok')
    expect(report.pages).toBeGreaterThan(3)
  }, 120_000)
  afterAll(async () => {
    for (const d of devices) d.dispose()
    await hq?.close()
  })

  it('ends with the store a row-by-row pull gives: derived tables, search, indexes and triggers', async () => {
    const bulk = await enrolled()
    const sqlite = bulk.ctx.db.$client
    const seen: boolean[] = []
    const report = await runSync(bulk.ctx, {
      pullLimit: 700,
      bulkLoadMinRows: 1,
      onProgress: () => seen.push(bulkLoadPending(sqlite)),
    })
    expect(report.checkpoint).toBe('ok')
    expect(seen).toContain(true) // the pages were written with the indexes set aside
    expect(bulkLoadPending(sqlite)).toBe(false)
    expect(schemaOf(sqlite)).toEqual(schemaOf(rowByRow.ctx.db.$client))
    // The load's large page cache is given back.
    expect(sqlite.pragma('cache_size', { simple: true })).toBe(rowByRow.ctx.db.$client.pragma('cache_size', { simple: true }))
    const derived = derivedOf(sqlite)
    expect(derived.customerSearch.length).toBe(120)
    expect(derived.rollup.length).toBeGreaterThan(0)
    expect(derived).toEqual(derivedOf(rowByRow.ctx.db.$client))
    const name = (sqlite.prepare('SELECT name FROM key_customers ORDER BY id LIMIT 1').get() as { name: string }).name
    for (const query of [name, name.slice(0, 2), name.slice(-1)]) expect(await searchOf(bulk, query)).toEqual(await searchOf(rowByRow, query))
    // The triggers are back: a new visit reaches the rollups at once.
    expect(sqlite.prepare('SELECT count(*) AS n FROM sqlite_master WHERE type = ? AND name = ?').get('trigger', 'visits_rollup_ai')).toEqual({ n: 1 })
  })

  it('a pull the link drops mid-way leaves the indexes and triggers in place, and the next sync completes it', async () => {
    const d = await enrolled()
    const sqlite = d.ctx.db.$client
    let pulls = 0
    const flaky: FetchLike = (url, init) => {
      if (url.includes('/v1/pull') && ++pulls === 3) return Promise.reject(new TypeError('fetch failed: the link dropped'))
      return fetch(url, init as RequestInit)
    }
    await expect(runSync(d.ctx, { pullLimit: 700, bulkLoadMinRows: 1, fetch: flaky })).rejects.toThrow()
    expect(bulkLoadPending(sqlite)).toBe(false)
    expect(schemaOf(sqlite)).toEqual(schemaOf(rowByRow.ctx.db.$client))
    expect((await runSync(d.ctx, { pullLimit: 700, bulkLoadMinRows: 1 })).checkpoint).toBe('ok')
    expect(derivedOf(sqlite)).toEqual(derivedOf(rowByRow.ctx.db.$client))
  })

  // A usual setting low enough that this small county's pages would each be checkpointed.
  const OFTEN = 10
  it('copies no page into the store file while the load runs; a worker copies the WAL after the pull, and the usual checkpoints come back', async () => {
    const d = await enrolled()
    const sqlite = d.ctx.db.$client
    sqlite.pragma(`wal_autocheckpoint = ${OFTEN}`)
    const file = d.ctx.store!.file
    // The store file's size as each page is asked for (the pages before it committed meanwhile):
    // the first is asked for before the load begins.
    const sizes: number[] = []
    const watching: FetchLike = (url, init) => {
      if (url.includes('/v1/pull')) sizes.push(statSync(file).size)
      return fetch(url, init as RequestInit)
    }
    expect((await runSync(d.ctx, { pullLimit: 700, bulkLoadMinRows: 1, fetch: watching })).checkpoint).toBe('ok')
    expect(sizes.length).toBeGreaterThan(3)
    const before = sizes[0]!
    expect(new Set(sizes)).toEqual(new Set([before]))
    await expect.poll(() => checkpointsHeld(sqlite), { timeout: 10_000 }).toBe(false)
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(OFTEN)
    expect(statSync(file).size).toBeGreaterThan(before)
    expect(derivedOf(sqlite)).toEqual(derivedOf(rowByRow.ctx.db.$client))
  })

  it('the worker, not a later commit, copies the WAL: with automatic checkpoints off, the store file still grows after the pull', async () => {
    const d = await enrolled()
    const sqlite = d.ctx.db.$client
    sqlite.pragma('wal_autocheckpoint = 0')
    const file = d.ctx.store!.file
    const before = statSync(file).size
    expect((await runSync(d.ctx, { pullLimit: 700, bulkLoadMinRows: 1 })).checkpoint).toBe('ok')
    await expect.poll(() => checkpointsHeld(sqlite), { timeout: 10_000 }).toBe(false)
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
    expect(statSync(file).size).toBeGreaterThan(before)
  })

  it('with no worker to run it, the usual checkpoints come back as the pull ends', async () => {
    const d = await enrolled()
    const sqlite = d.ctx.db.$client
    sqlite.pragma(`wal_autocheckpoint = ${OFTEN}`)
    const { store } = d.ctx
    d.ctx.store = undefined
    try {
      expect((await runSync(d.ctx, { pullLimit: 700, bulkLoadMinRows: 1 })).checkpoint).toBe('ok')
    } finally {
      d.ctx.store = store
    }
    expect(checkpointsHeld(sqlite)).toBe(false)
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(OFTEN)
  })

  it('a store a crash left mid-load is finished when it is next opened', async () => {
    const d = await enrolled()
    const expected = schemaOf(rowByRow.ctx.db.$client)
    d.ctx.db.$client.transaction(() => beginBulkLoad(d.ctx.db.$client))()
    expect(schemaOf(d.ctx.db.$client)).not.toEqual(expected)
    d.close()
    devices.splice(devices.indexOf(d), 1)
    const reopened = openCore({ dataDir: d.dataDir, resourcesDir: REPO_ROOT, version: 'test' })
    try {
      expect(bulkLoadPending(reopened.ctx.db.$client)).toBe(false)
      expect(schemaOf(reopened.ctx.db.$client)).toEqual(expected)
    } finally {
      reopened.close()
      rmSync(d.dataDir, { recursive: true, force: true })
    }
  })

  it('a device on a fast link gets cheaper compression (it says its rate from the second page on, and the next sync from its first); a slow link the densest', async () => {
    const d = await enrolled()
    const rates: (string | null)[] = []
    const watching: FetchLike = (url, init) => {
      if (url.includes('/v1/pull')) rates.push(new URL(url).searchParams.get('link_kbps'))
      return fetch(url, init as RequestInit)
    }
    expect((await runSync(d.ctx, { pullLimit: 700, fetch: watching })).checkpoint).toBe('ok')
    expect(rates[0]).toBeNull()
    expect(rates.length).toBeGreaterThan(3)
    for (const rate of rates.slice(1)) expect(Number(rate)).toBeGreaterThan(0)
    // The next sync's first page says the rate the last one measured (a day's pull is one page).
    rates.length = 0
    expect((await runSync(d.ctx, { pullLimit: 700, fetch: watching })).checkpoint).toBe('ok')
    expect(rates.length).toBe(1)
    expect(Number(rates[0])).toBeGreaterThan(0)

    const { token } = await new HqClient(hq.url).request<EnrolResponse>('POST', '/v1/enrol', { code: await hq.code('county'), deviceName: 'raw' })
    const page = async (linkKbps?: number) => {
      const query = `cursor=0&limit=2000&protocol_version=${PROTOCOL_VERSION}&schema_version=${SYNC_SCHEMA_VERSION}${linkKbps === undefined ? '' : `&link_kbps=${linkKbps}`}`
      // node:http, which leaves the body as it came (fetch would decompress it).
      const { encoding, timing, compressed } = await new Promise<{ encoding?: string; timing?: string; compressed: Buffer }>((resolve, reject) =>
        get(`${hq.url}/v1/pull?${query}`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'br' } }, (response) => {
          const chunks: Buffer[] = []
          response.on('data', (c: Buffer) => chunks.push(c))
          response.on('end', () =>
            resolve({ encoding: response.headers['content-encoding'], timing: String(response.headers['server-timing']), compressed: Buffer.concat(chunks) }),
          )
        }).on('error', reject),
      )
      expect(encoding).toBe('br')
      // HQ says how long it spent on the page (compression included): the device's link rate leaves it out.
      expect(timing).toMatch(/^app;dur=\d+(\.\d)?$/)
      return { compressed: compressed.length, body: JSON.parse(brotliDecompressSync(compressed).toString()).rows as unknown[] }
    }
    const slow = await page(64)
    const unsaid = await page()
    const fast = await page(FAST_LINK_KBPS)
    const lan = await page(LAN_LINK_KBPS)
    const office = await page(GIGABIT_LINK_KBPS)
    expect(fast.body).toEqual(slow.body)
    expect(lan.body).toEqual(slow.body)
    expect(office.body).toEqual(slow.body)
    // The bodies differ only in server_time: sizes within a few bytes at the same quality.
    expect(Math.abs(unsaid.compressed - slow.compressed)).toBeLessThan(16)
    expect(fast.compressed).toBeGreaterThan(slow.compressed * 1.02)
    // The window fits the body: a push answer's 15 KB gets 64 KB, a 1.4 MB page 2 MB, never over 16 MB.
    expect([brotliWindow(15_000), brotliWindow(1_410_830), brotliWindow(2 ** 30)]).toEqual([16, 21, 24])
    expect(lan.compressed).toBeGreaterThan(fast.compressed * 1.02)
    expect(office.compressed).toBeGreaterThan(lan.compressed * 1.02)
  })
})
