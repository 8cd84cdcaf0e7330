// Crash safety (docs/sync.md): the device process is killed with SIGKILL at each
// step of push and pull, and the HQ server is killed mid-push; after a restart and another sync
// nothing is lost (every local change is on the server exactly once, pulled data is complete) and
// nothing is applied twice. The kills come from the test-only hook shared/sync/crashPoint.ts
// (GRIDDESK_CRASH_AT); the device runs the real CLI (`electron/cli/main.ts sync`) and the server
// the real `server/main.ts`, each as its own process.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openCore, type Core } from '../electron/core/app'
import { REPO_ROOT } from '../electron/core/resources'
import { enrol, runSync } from '../electron/core/sync/engine'
import type { CrashPoint } from '../shared/sync/crashPoint'
import { assignRegion, createUser, issueEnrolCode } from './accounts'
import { openStore, type HqStore } from './db/client'
import { importDemoCounty } from './masterData'
import { backends, createTestDatabase, startTestHq, type TestDatabase, type TestHq } from './testing'

const COUNTY = '451022'
const CLI = join(REPO_ROOT, 'electron', 'cli', 'main.ts')
const HQ_MAIN = join(REPO_ROOT, 'server', 'main.ts')

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function run(script: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, GRIDDESK_CRASH_AT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const done = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return { child, done }
}

/** `sync --data-dir DIR` in a child process, optionally killed at a crash point. */
const cliSync = (dataDir: string, crashAt?: string) =>
  run(CLI, ['sync', '--data-dir', dataDir, '--page-size', '1000'], crashAt ? { GRIDDESK_CRASH_AT: crashAt } : {}).done

const rowsOf = async <T>(store: HqStore, statement: string) => ((await store.db.execute(statement)) as unknown as { rows: T[] }).rows

/** Opens the device's data directory in this process for a moment (the child is not running then). */
async function withDevice<T>(dataDir: string, fn: (core: Core) => T | Promise<T>): Promise<T> {
  const core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: 'test' })
  try {
    return await fn(core)
  } finally {
    core.close()
  }
}

interface OutboxEntry {
  device_seq: number
  change_id: string
  table_name: string
  row_id: string
  fields: string
  pushed_at: string | null
  result: string | null
}

/** Makes `n` edits of villages (households, cycling through them) and returns the values written. */
async function editVillages(dataDir: string, n: number, salt: number): Promise<Map<string, number>> {
  return withDevice(dataDir, async (core) => {
    const ids = (core.ctx.db.$client.prepare('SELECT id FROM villages ORDER BY id').all() as { id: string }[]).map((r) => r.id)
    const last = new Map<string, number>()
    for (let i = 0; i < n; i++) {
      const id = ids[i % ids.length]!
      const households = salt * 10_000 + i
      await core.call('villages.update', { id, patch: { households } })
      last.set(id, households)
    }
    return last
  })
}

/** Every local change is pushed once: outbox gapless and all answered; the server's log holds each exactly once with the same result. */
async function expectOutboxOnServerExactlyOnce(store: HqStore, dataDir: string): Promise<OutboxEntry[]> {
  const { outbox, deviceId } = await withDevice(dataDir, (core) => ({
    outbox: core.ctx.db.$client
      .prepare('SELECT device_seq, change_id, table_name, row_id, fields, pushed_at, result FROM outbox ORDER BY device_seq')
      .all() as OutboxEntry[],
    deviceId: core.ctx.change.deviceId,
  }))
  expect(outbox.map((o) => o.device_seq)).toEqual(outbox.map((_, i) => i + 1))
  expect(outbox.filter((o) => o.pushed_at === null || o.result === null)).toEqual([])
  const log = await rowsOf<{ device_seq: string | number; change_id: string; status: string }>(
    store,
    `SELECT device_seq, change_id, result->>'status' AS status FROM changes_log WHERE device_id = '${deviceId}' ORDER BY device_seq`,
  )
  expect(log.map((l) => [Number(l.device_seq), l.change_id, l.status])).toEqual(outbox.map((o) => [o.device_seq, o.change_id, o.result]))
  const progress = await rowsOf<{ last: string | number }>(store, `SELECT last_device_seq AS last FROM device_progress WHERE device_id = '${deviceId}'`)
  expect(Number(progress[0]!.last)).toBe(outbox.length)
  return outbox
}

async function expectServerHolds(store: HqStore, values: Map<string, number>): Promise<void> {
  const list = await rowsOf<{ row_id: string; households: number }>(
    store,
    `SELECT row_id, (fields->>'households')::int AS households FROM rows WHERE table_name = 'villages'`,
  )
  const onServer = new Map(list.map((r) => [r.row_id, r.households]))
  for (const [id, households] of values) expect(onServer.get(id)).toBe(households)
}

/** The device holds exactly the server's rows of its scope (the whole county here), table by table. */
async function expectPulledComplete(store: HqStore, dataDir: string): Promise<void> {
  const server = await rowsOf<{ table_name: string; n: string | number }>(
    store,
    `SELECT table_name, count(*) AS n FROM rows WHERE region IS NULL OR region LIKE '${COUNTY}%' GROUP BY table_name`,
  )
  const local = await withDevice(dataDir, (core) =>
    Object.fromEntries(
      server.map((s) => [s.table_name, (core.ctx.db.$client.prepare(`SELECT count(*) AS n FROM "${s.table_name}"`).get() as { n: number }).n]),
    ),
  )
  expect(local).toEqual(Object.fromEntries(server.map((s) => [s.table_name, Number(s.n)])))
}

const reportOf = (exit: Exit) =>
  JSON.parse(exit.stdout) as { pushed: number; results: Record<string, number>; checkpoint: string; pulledRows: number; pages: number }

function expectKilled(exit: Exit, point: string): void {
  if (exit.signal !== 'SIGKILL') throw new Error(`expected the process to die at ${point}; it exited ${exit.code}:\n${exit.stdout}\n${exit.stderr}`)
}

function expectOk(exit: Exit): ReturnType<typeof reportOf> {
  if (exit.code !== 0) throw new Error(`sync failed (${exit.code ?? exit.signal}):\n${exit.stdout}\n${exit.stderr}`)
  return reportOf(exit)
}

describe('kill -9 of the device at each step of pull and push', () => {
  let hq: TestHq
  const dirs: string[] = []
  const freshDevice = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'griddesk-crash-'))
    dirs.push(dir)
    const code = await hq.code('crash-county')
    await withDevice(dir, (core) => enrol(core.ctx, hq.url, code, 'crash test'))
    return dir
  }
  beforeAll(async () => {
    // Enough rows for three pull pages of 1,000 rows (--page-size).
    hq = await startTestHq({ keyCustomers: 200, visits: 600 })
    await createUser(hq.store.db, 'crash-county', 'county_manager')
    await assignRegion(hq.store.db, 'crash-county', COUNTY)
  }, 120_000)
  afterAll(async () => {
    await hq?.close()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  const pullPoints: string[] = [
    'pull.page-received',
    'pull.page-applied',
    'pull.page-committed',
    'pull.page-received@2',
    'pull.page-applied@3',
  ] satisfies `${CrashPoint}${string}`[]
  it.each(pullPoints)(
    'pull killed at %s: the next sync completes the region, checkpoint ok',
    async (point) => {
      const dir = await freshDevice()
      expectKilled(await cliSync(dir, point), point)
      const report = expectOk(await cliSync(dir))
      expect(report.checkpoint).toBe('ok')
      await expectPulledComplete(hq.store, dir)
    },
    120_000,
  )

  it('push killed at each step: every change reaches the server exactly once', async () => {
    const dir = await freshDevice()
    expect(expectOk(await cliSync(dir)).checkpoint).toBe('ok')
    const expected = new Map<string, number>()
    const seqBefore = Number((await rowsOf<{ m: string }>(hq.store, 'SELECT coalesce(max(server_seq), 0)::text AS m FROM rows'))[0]!.m)
    const points = [
      'push.batch-built',
      'push.response-received',
      'push.results-committed',
      'push.response-received@2',
      'pull.page-received',
      'pull.page-committed',
    ] satisfies `${CrashPoint}${string}`[]
    let salt = 1
    for (const point of points) {
      // 520 edits: two batches (500 + 20), so "@2" dies after the first batch was recorded.
      for (const [id, v] of await editVillages(dir, 520, salt++)) expected.set(id, v)
      expectKilled(await cliSync(dir, point), point)
      const report = expectOk(await cliSync(dir))
      expect(report.results.rejected ?? 0).toBe(0)
      expect(report.checkpoint).toBe('ok')
      const outbox = await expectOutboxOnServerExactlyOnce(hq.store, dir)
      expect(outbox.every((o) => o.result === 'applied')).toBe(true)
      await expectServerHolds(hq.store, expected)
    }
    // Nothing applied twice: each batch took one server_seq per row it changed (a row edited twice
    // in a batch is written once, in its final state; a replay takes none). Batches: 500 + 20 edits.
    const seqAfter = Number((await rowsOf<{ m: string }>(hq.store, 'SELECT last_value::text AS m FROM server_seq'))[0]!.m)
    const villages = await withDevice(dir, (core) => (core.ctx.db.$client.prepare('SELECT count(*) AS n FROM villages').get() as { n: number }).n)
    expect(seqAfter - seqBefore).toBe(points.length * (Math.min(500, villages) + Math.min(20, villages)))
    await withDevice(dir, (core) => {
      for (const [id, v] of expected)
        expect((core.ctx.db.$client.prepare('SELECT households FROM villages WHERE id = ?').get(id) as { households: number }).households).toBe(v)
    })
  }, 300_000)
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe.each(backends)('kill -9 of the HQ server mid-push (%s)', (backend) => {
  let dataDir: string
  let database: TestDatabase | undefined
  let deviceDir: string
  let port: number
  let server: { child: ChildProcess; done: Promise<Exit> } | undefined
  const url = () => `http://127.0.0.1:${port}`
  const storeOptions = () => (database ? { databaseUrl: database.url } : { dataDir })

  async function startServer(crashAt?: string) {
    server = run(HQ_MAIN, ['--data-dir', dataDir, '--port', String(port)], {
      ...(crashAt ? { GRIDDESK_CRASH_AT: crashAt } : {}),
      ...(database ? { DATABASE_URL: database.url } : {}),
    })
    for (let i = 0; i < 200; i++) {
      const up = await fetch(`${url()}/v1/health`).then(
        (r) => r.ok,
        () => false,
      )
      if (up) return
      const exited = await Promise.race([server.done, new Promise((r) => setTimeout(() => r(undefined), 100))])
      if (exited) throw new Error(`the HQ server did not start: ${JSON.stringify(exited)}`)
    }
    throw new Error('the HQ server did not start in 20 s')
  }
  async function stopServer() {
    server?.child.kill('SIGTERM')
    await server?.done
    server = undefined
  }
  /** The server's store, opened here while the server process is stopped (PGlite is single-process). */
  async function withStore<T>(fn: (store: HqStore) => Promise<T>): Promise<T> {
    const store = await openStore(storeOptions())
    try {
      return await fn(store)
    } finally {
      await store.close()
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'griddesk-hq-crash-'))
    deviceDir = mkdtempSync(join(tmpdir(), 'griddesk-crash-device-'))
    database = backend === 'postgres' ? await createTestDatabase() : undefined
    port = await freePort()
    const code = await withStore(async (store) => {
      await importDemoCounty(store.db, { keyCustomers: 0, visits: 0, tables: ['org_units', 'villages'] })
      await createUser(store.db, 'crash-grid', 'grid_manager')
      await assignRegion(store.db, 'crash-grid', `${COUNTY}-G03`)
      return (await issueEnrolCode(store.db, 'crash-grid')).code
    })
    await startServer()
    await withDevice(deviceDir, async (core) => {
      await enrol(core.ctx, url(), code, 'crash test')
      expect((await runSync(core.ctx)).checkpoint).toBe('ok')
    })
    await stopServer()
  }, 120_000)
  afterAll(async () => {
    await stopServer()
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(deviceDir, { recursive: true, force: true })
  })

  it.each(['server.push-applied', 'server.push-committed'] satisfies CrashPoint[])(
    'server killed at %s: after its restart the device re-syncs, nothing lost or doubled',
    async (point) => {
      const expected = await editVillages(deviceDir, 40, point === 'server.push-applied' ? 7 : 8)
      await startServer(point)
      await withDevice(deviceDir, async (core) => {
        await expect(runSync(core.ctx)).rejects.toMatchObject({ code: 'NETWORK' })
        expect((await server!.done).signal).toBe('SIGKILL')
        await startServer()
        const report = await runSync(core.ctx)
        // push-applied: the batch was rolled back and is applied now; push-committed: it is answered from the log.
        expect(report.results).toMatchObject({ applied: 40, rejected: 0, conflict: 0 })
        expect(report.checkpoint).toBe('ok')
      })
      await stopServer()
      await withStore(async (store) => {
        const outbox = await expectOutboxOnServerExactlyOnce(store, deviceDir)
        expect(outbox.every((o) => o.result === 'applied')).toBe(true)
        await expectServerHolds(store, expected)
      })
    },
    120_000,
  )
})
