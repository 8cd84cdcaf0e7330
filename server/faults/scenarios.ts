// Fault scenarios shared by the CI suite (server/faults.test.ts, small) and the bench
// (bench/faults.ts, large). Each one edits on a real device store, syncs through faults, then
// syncs on a clean link and ends by comparing device and HQ row by row, field by field, and by
// checking every outbox entry arrived exactly once.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { Core } from '../../electron/core/app'
import { updateSynced } from '../../electron/core/db/repos/changes'
import { REPO_ROOT } from '../../electron/core/resources'
import { enrol, runSync, type SyncReport } from '../../electron/core/sync/engine'
import { SyncHttpError, type Timeouts } from '../../electron/core/sync/hqClient'
import { openTestCore } from '../../electron/core/testing'
import { assignRegion, createUser, issueEnrolCode } from '../accounts'
import { openStore, type HqDb } from '../db/client'
import { importDemoCounty } from '../masterData'
import { startTestHq } from '../testing'
import { compareDeviceWithHq, outboxArrivedOnce, type Difference } from './compare'
import { seeded, startFaultProxy, type Fault } from './proxy'

const COUNTY = '451022'
/** Short deadlines: a stalled link fails in about a second, as a 2G link would in a minute. */
const FAST: Partial<Timeouts> = { firstByteMs: 3_000, idleMs: 1_500, requestMs: 20_000 }

export interface ScenarioResult {
  scenario: string
  seed: number
  rounds: number
  edits: number
  syncs: number
  /** Failed syncs by error code (NETWORK expected; anything else is a defect). */
  failures: Record<string, number>
  faults?: Record<Fault, number>
  differences: Difference[]
  outboxEntries: number
  outboxProblems: string[]
  millis: number
}

type Device = Core & { dispose(): void }

/** Random edits of villages the device holds: households and notes, sometimes the same village twice. */
function editVillages(device: Device, random: () => number, count: number): void {
  const ids = (device.ctx.db.$client.prepare('SELECT id FROM villages WHERE deleted_at IS NULL ORDER BY id').all() as { id: string }[]).map((r) => r.id)
  device.ctx.db.transaction((tx) => {
    for (let i = 0; i < count; i++) {
      const id = ids[Math.floor(random() * ids.length)]!
      const patch =
        random() < 0.5
          ? { households: 1 + Math.floor(random() * 5000) }
          : { notes: `备注 ${Math.floor(random() * 1e9)} ${'长'.repeat(Math.floor(random() * 300))}` }
      updateSynced(tx, device.ctx.change, 'villages', id, patch)
    }
  })
}

async function trySync(device: Device, failures: Record<string, number>, timeouts?: Partial<Timeouts>): Promise<SyncReport | undefined> {
  try {
    return await runSync(device.ctx, { timeouts, pullLimit: 200 })
  } catch (error) {
    const code = error instanceof SyncHttpError ? error.code : `UNEXPECTED ${(error as Error).name}: ${(error as Error).message}`
    failures[code] = (failures[code] ?? 0) + 1
    return undefined
  }
}

async function settle(device: Device, failures: Record<string, number>): Promise<number> {
  for (let attempt = 1; attempt <= 4; attempt++) {
    const report = await trySync(device, failures)
    if (report && report.checkpoint !== 'mismatch') return attempt
  }
  return 4
}

async function finish(result: Omit<ScenarioResult, 'differences' | 'outboxEntries' | 'outboxProblems'>, device: Device, hq: HqDb): Promise<ScenarioResult> {
  const { entries, problems } = await outboxArrivedOnce(device, hq)
  return { ...result, differences: await compareDeviceWithHq(device, hq), outboxEntries: entries, outboxProblems: problems }
}

/** Syncs through a proxy that cuts, resets, delays, stalls and duplicates. */
export async function flakyLink(options: { seed: number; rounds: number; editsPerRound: number; faultRate?: number }): Promise<ScenarioResult> {
  const started = performance.now()
  const random = seeded(options.seed)
  const hq = await startTestHq()
  const proxy = await startFaultProxy({
    target: { host: '127.0.0.1', port: Number(new URL(hq.url).port) },
    seed: options.seed,
    faultRate: options.faultRate ?? 0.5,
    delayMs: 50,
  })
  const device = openTestCore()
  const failures: Record<string, number> = {}
  let syncs = 0
  try {
    proxy.force('pass')
    await enrol(device.ctx, proxy.url, await hq.userWithCode('flaky', 'county_manager', [COUNTY]), 'flaky link')
    await runSync(device.ctx)
    proxy.force(undefined)
    for (let round = 0; round < options.rounds; round++) {
      editVillages(device, random, options.editsPerRound)
      syncs++
      await trySync(device, failures, FAST)
    }
    proxy.force('pass')
    syncs += await settle(device, failures)
    return await finish(
      {
        scenario: 'flaky-link',
        seed: options.seed,
        rounds: options.rounds,
        edits: options.rounds * options.editsPerRound,
        syncs,
        failures,
        faults: { ...proxy.counts },
        millis: Math.round(performance.now() - started),
      },
      device,
      hq.store.db,
    )
  } finally {
    device.dispose()
    await proxy.close()
    await hq.close()
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** `npm run hq` as a child process on a PGlite directory; resolves once it listens. */
function startChildHq(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'server', 'main.ts'), '--data-dir', dataDir, '--port', String(port)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d
      if (out.includes('listening on')) resolve(child)
    })
    child.stderr!.on('data', (d) => (out += d))
    child.on('exit', (code, signal) => reject(new Error(`HQ exited (${code ?? signal}) before listening: ${out.slice(-2000)}`)))
  })
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })

/** HQ (PGlite, its own process) killed with SIGKILL at random moments of the device's syncs, then restarted. */
export async function hqKill9(options: { seed: number; kills: number; editsPerRound: number }): Promise<ScenarioResult> {
  const started = performance.now()
  const random = seeded(options.seed)
  const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-faults-hq-'))
  const port = await freePort()
  const device = openTestCore()
  const failures: Record<string, number> = {}
  let child: ChildProcess | undefined
  let syncs = 0
  try {
    const setup = await openStore({ dataDir })
    await importDemoCounty(setup.db, { keyCustomers: 0, visits: 0, tables: ['org_units', 'users', 'villages'] })
    await createUser(setup.db, 'kill9', 'county_manager')
    await assignRegion(setup.db, 'kill9', COUNTY)
    const code = (await issueEnrolCode(setup.db, 'kill9')).code
    await setup.close()
    child = await startChildHq(dataDir, port)
    await enrol(device.ctx, `http://127.0.0.1:${port}`, code, 'kill -9')
    await runSync(device.ctx)
    for (let round = 0; round < options.kills; round++) {
      editVillages(device, random, options.editsPerRound)
      const running = trySync(device, failures, FAST)
      syncs++
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 400)))
      await killed(child)
      await running
      child = await startChildHq(dataDir, port)
    }
    syncs += await settle(device, failures)
    await killed(child)
    child = undefined
    const store = await openStore({ dataDir })
    try {
      return await finish(
        {
          scenario: 'hq-kill-9',
          seed: options.seed,
          rounds: options.kills,
          edits: options.kills * options.editsPerRound,
          syncs,
          failures,
          millis: Math.round(performance.now() - started),
        },
        device,
        store.db,
      )
    } finally {
      await store.close()
    }
  } finally {
    if (child) await killed(child)
    device.dispose()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** PostgreSQL connections of HQ terminated (pg_terminate_backend) between and during syncs. */
export async function pgConnectionKill(options: { seed: number; rounds: number; editsPerRound: number }): Promise<ScenarioResult> {
  const started = performance.now()
  const random = seeded(options.seed)
  const hq = await startTestHq(undefined, { backend: 'postgres' })
  const device = openTestCore()
  const failures: Record<string, number> = {}
  const admin = new pg.Client({ connectionString: process.env.GRIDDESK_PG_URL })
  await admin.connect()
  let syncs = 0
  try {
    await enrol(device.ctx, hq.url, await hq.userWithCode('pgkill', 'county_manager', [COUNTY]), 'pg kill')
    await runSync(device.ctx)
    const name = ((await hq.store.db.execute('SELECT current_database() AS name')) as unknown as { rows: { name: string }[] }).rows[0]!.name
    for (let round = 0; round < options.rounds; round++) {
      editVillages(device, random, options.editsPerRound)
      const running = trySync(device, failures, FAST)
      syncs++
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 200)))
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])
      await running
    }
    syncs += await settle(device, failures)
    return await finish(
      {
        scenario: 'pg-connection-kill',
        seed: options.seed,
        rounds: options.rounds,
        edits: options.rounds * options.editsPerRound,
        syncs,
        failures,
        millis: Math.round(performance.now() - started),
      },
      device,
      hq.store.db,
    )
  } finally {
    await admin.end()
    device.dispose()
    await hq.close()
  }
}
