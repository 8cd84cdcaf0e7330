// Fault scenarios shared by the CI suite (server/faults.test.ts, small) and the bench
// (bench/faults.ts, large). Each one edits on a real device store, syncs through faults, then
// syncs on a clean link and ends by comparing device and HQ row by row, field by field, and by
// checking every outbox entry arrived exactly once.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { promisify } from 'node:util'
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
import { buildServer } from '../app'
import { copyDir, startDirHq, type DirHq } from './hq'
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
  /** Warnings the device's syncs gave, by code (a restored HQ must be said: hq_restored). */
  warnings?: Record<string, number>
}

/** The failures a scenario may meet: a network error always; HQ's database restarting under it where the scenario does that. */
export function allowedFailures(scenario: string): string[] {
  return scenario === 'pg-connection-kill' || scenario === 'pg-restart' ? ['NETWORK', 'HQ_UNAVAILABLE'] : ['NETWORK']
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

/** New customers in random villages the device holds (they and their later edits are what a restored HQ may lose). */
async function createCustomers(device: Device, random: () => number, count: number): Promise<void> {
  const ids = (device.ctx.db.$client.prepare('SELECT id FROM villages WHERE deleted_at IS NULL ORDER BY id').all() as { id: string }[]).map((r) => r.id)
  for (let i = 0; i < count; i++)
    await device.call('customers.create', {
      name: `客户 ${Math.floor(random() * 1e9)}`,
      category: 'commerce',
      villageId: ids[Math.floor(random() * ids.length)]!,
      monthlyRevenue: Math.floor(random() * 10_000),
    })
}

const countWarnings = (into: Record<string, number>, report: SyncReport | undefined) => {
  for (const w of report?.warnings ?? []) into[w.code] = (into[w.code] ?? 0) + 1
}

/**
 * HQ (PGlite) stopped and its data directory backed up part way, more work pushed and
 * acknowledged, then HQ restored from the backup: the device detects it, re-sends what HQ lost,
 * deletes nothing, and both sides end equal row by row with every outbox entry at HQ once.
 */
export async function hqRestored(options: { seed: number; rounds: number; editsPerRound: number }): Promise<ScenarioResult> {
  const started = performance.now()
  const random = seeded(options.seed)
  const hqDir = mkdtempSync(join(tmpdir(), 'griddesk-faults-restore-'))
  const backupDir = `${hqDir}-backup`
  const device = openTestCore()
  const failures: Record<string, number> = {}
  const warnings: Record<string, number> = {}
  let hq: DirHq | undefined
  let syncs = 0
  try {
    hq = await startDirHq(hqDir)
    const port = hq.port
    await importDemoCounty(hq.store.db, { keyCustomers: 0, visits: 0, tables: ['org_units', 'users', 'villages'] })
    await createUser(hq.store.db, 'restored', 'county_manager')
    await assignRegion(hq.store.db, 'restored', COUNTY)
    await enrol(device.ctx, hq.url, (await issueEnrolCode(hq.store.db, 'restored')).code, 'restored HQ')
    await runSync(device.ctx)
    // The backup is taken after a random round: the rounds after it are work HQ acknowledged and then lost.
    const backupAfter = Math.floor(random() * Math.max(1, options.rounds - 1))
    for (let round = 0; round < options.rounds; round++) {
      editVillages(device, random, options.editsPerRound)
      await createCustomers(device, random, 1 + Math.floor(random() * 3))
      syncs++
      countWarnings(warnings, await trySync(device, failures))
      if (round === backupAfter) {
        await hq.close()
        copyDir(hqDir, backupDir)
        hq = await startDirHq(hqDir, port)
      }
    }
    await hq.close()
    copyDir(backupDir, hqDir)
    hq = await startDirHq(hqDir, port)
    for (let attempt = 1; attempt <= 4; attempt++) {
      const report = await trySync(device, failures)
      syncs++
      countWarnings(warnings, report)
      if (report && report.checkpoint !== 'mismatch') break
    }
    return {
      ...(await finish(
        {
          scenario: 'hq-restored',
          seed: options.seed,
          rounds: options.rounds,
          edits: options.rounds * options.editsPerRound,
          syncs,
          failures,
          millis: Math.round(performance.now() - started),
        },
        device,
        hq.store.db,
      )),
      warnings,
    }
  } finally {
    device.dispose()
    await hq?.close()
    rmSync(hqDir, { recursive: true, force: true })
    rmSync(backupDir, { recursive: true, force: true })
  }
}

/** The PostgreSQL server binaries (pg_ctl, initdb) of this machine, or undefined. */
export function postgresBinDir(): string | undefined {
  const given = process.env.GRIDDESK_PG_BINDIR
  if (given) return existsSync(join(given, 'pg_ctl')) ? given : undefined
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a))
  return versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb')))
}

/**
 * Whether a private PostgreSQL cluster can be made here: the server binaries, and a user that may
 * run them (PostgreSQL refuses root: as root the cluster runs as the `postgres` user).
 */
export function privateClusterPossible(): { ok: true } | { ok: false; why: string } {
  if (process.platform === 'win32') return { ok: false, why: 'not on Windows' }
  if (!postgresBinDir()) return { ok: false, why: 'no PostgreSQL server binaries (set GRIDDESK_PG_BINDIR)' }
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe', timeout: 10_000 })
    } catch {
      return { ok: false, why: 'running as root without a postgres user to run the cluster' }
    }
  }
  return { ok: true }
}

/**
 * A throwaway PostgreSQL cluster of its own (initdb into a temporary folder, a free port, trust on
 * loopback): restarted at will without touching any other cluster. Every command has a deadline.
 */
async function startPrivateCluster(): Promise<{ url: string; restart(): Promise<unknown>; stop(): void }> {
  const bin = postgresBinDir()!
  const dir = mkdtempSync(join(tmpdir(), 'griddesk-pgrestart-'))
  const asRoot = process.getuid?.() === 0
  const ids = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { timeout: 10_000 }).toString().trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { timeout: 10_000 }).toString().trim()),
      }
    : undefined
  if (ids) chownSync(dir, ids.uid, ids.gid)
  const data = join(dir, 'data')
  const socketDir = join(dir, 'sock')
  mkdirSync(socketDir)
  if (ids) chownSync(socketDir, ids.uid, ids.gid)
  const run = (tool: string, args: string[]) =>
    execFileSync(join(bin, tool), args, { stdio: 'pipe', timeout: 60_000, cwd: dir, ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } })
  const port = await freePort()
  const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`
  const pgCtl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-t', '30', ...args])
  // The restart runs beside the device's sync and HQ (this process): the event loop goes on.
  const pgCtlAsync = (...args: string[]) =>
    promisify(execFile)(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-t', '30', ...args], {
      timeout: 60_000,
      cwd: dir,
      ...(ids ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
    })
  try {
    run('initdb', ['-D', data, '-U', 'griddesk', '--auth=trust', '-E', 'UTF8', '--no-instructions'])
    pgCtl('-o', options, '-w', 'start')
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    url: `postgres://griddesk@127.0.0.1:${port}/postgres`,
    // A fast restart: PostgreSQL terminates every connection, shuts down and starts again.
    restart: () => pgCtlAsync('-o', options, '-m', 'fast', '-w', 'restart'),
    stop: () => {
      try {
        pgCtl('-m', 'immediate', '-w', 'stop')
      } catch {
        // already down
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * HQ's PostgreSQL restarted (pg_ctl restart -m fast) at random moments of the device's syncs, on
 * a private throwaway cluster: HQ keeps running, its pool reconnects, the device's syncs fail as
 * network or 503 HQ_UNAVAILABLE at worst, and nothing is lost or doubled.
 */
export async function pgRestart(options: { seed: number; rounds: number; editsPerRound: number }): Promise<ScenarioResult> {
  const started = performance.now()
  const random = seeded(options.seed)
  const cluster = await startPrivateCluster()
  const device = openTestCore()
  const failures: Record<string, number> = {}
  let store: Awaited<ReturnType<typeof openStore>> | undefined
  let app: Awaited<ReturnType<typeof buildServer>> | undefined
  /** HQ's 503 answers (its database restarting under a request), for the log. */
  let warnings: Record<string, number> = {}
  let syncs = 0
  try {
    store = await openStore({ databaseUrl: cluster.url })
    await importDemoCounty(store.db, { keyCustomers: 0, visits: 0, tables: ['org_units', 'users', 'villages'] })
    await createUser(store.db, 'pgrestart', 'county_manager')
    await assignRegion(store.db, 'pgrestart', COUNTY)
    app = await buildServer({ db: store.db })
    let unavailable = 0
    app.addHook('onResponse', async (_request, reply) => {
      if (reply.statusCode === 503) unavailable++
    })
    warnings = {
      get hq_503() {
        return unavailable
      },
    }
    await app.listen({ port: 0, host: '127.0.0.1' })
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    await enrol(device.ctx, url, (await issueEnrolCode(store.db, 'pgrestart')).code, 'pg restart')
    await runSync(device.ctx)
    for (let round = 0; round < options.rounds; round++) {
      editVillages(device, random, options.editsPerRound)
      // Early in the sync (the restart, about a second, cuts its push or pull), or the sync
      // started while PostgreSQL shuts down or starts up again.
      const restarting = round % 2 === 0 ? undefined : cluster.restart()
      if (restarting) await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(random() * 300)))
      const running = trySync(device, failures, FAST)
      syncs++
      if (!restarting) await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 100)))
      await Promise.all([restarting ?? cluster.restart(), running])
    }
    syncs += await settle(device, failures)
    const result = await finish(
      {
        scenario: 'pg-restart',
        seed: options.seed,
        rounds: options.rounds,
        edits: options.rounds * options.editsPerRound,
        syncs,
        failures,
        millis: Math.round(performance.now() - started),
      },
      device,
      store.db,
    )
    return { ...result, warnings: { ...warnings } }
  } finally {
    device.dispose()
    await app?.close()
    await store?.close()
    cluster.stop()
  }
}
