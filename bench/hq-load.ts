// HQ load: N enrolled devices (grid managers, one per grid, round robin) all doing a day's sync at
// once — the morning peak after the county meeting. A day's sync is one push of --changes changes
// (two thirds new visits, one third key-customer edits of two fields, based on the versions the
// device pulled) followed by an incremental pull until has_more is false. HQ runs as its own
// process (`npm run hq`, server/main.ts) on PGlite in a data directory or on PostgreSQL
// (GRIDDESK_PG_URL: a fresh database copied from a template database holding the county, dropped at
// the end; the template, griddesk_hqload_tpl_*, is kept for the next run unless --drop-template);
// the generator speaks HTTP on loopback only, as the app's sync client does (push bodies gzipped,
// `accept-encoding: br, gzip`, a pull's first page of FIRST_PULL_PAGE rows asking for the count, the
// link's rate measured as the app measures it — compressed bytes over the time less HQ's own
// Server-Timing — sent as link_kbps from the device's previous page on), and honours 429 +
// Retry-After as devices do (jittered), counting the wait in the latency. So that the generator's
// own CPU stays off the shared cores while HQ is measured (3 ms a sync; fetch and inflating whole
// pages took 25): each day's push bodies are built and gzipped before the day starts, requests go
// through node:http with keep-alive, and of a day's pull page only the first 16 KB are inflated
// (its head: cursor, has_more, the count of rows). --link-kbps N makes every device report N
// instead (e.g. 128: a 2G link).
//
//   npx tsx bench/hq-load.ts --backend postgres --devices 200
//   npx tsx bench/hq-load.ts --backend pglite --devices 50 --customers 2000 --visits 20000
//   npx tsx bench/hq-load.ts --backend postgres --devices 200 --workers 2
//
// Reports: day's syncs/s, latency p50/p95/max (whole sync, push, pull), errors, CPU-seconds per
// sync of HQ (all its processes), of PostgreSQL (the backends connected to the bench's database,
// from /proc; other databases on the server are not counted) and of the generator itself, HQ's peak RSS, and the 1-minute load
// average before and after (the machine is shared: read figures beside it). --sql-timing adds the
// time HQ waited for each statement (summed per statement text, measured in HQ around the driver's
// query) and --cpu-prof DIR writes HQ's V8 CPU profile. The result goes to
// bench/results/hq-load.json. Exit 1 on errors.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import http from 'node:http'
import { brotliDecompressSync, constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib'
import { v7 as uuidv7 } from 'uuid'
import { linkRateKbps } from '../electron/core/sync/engine'
import { serverTimingMs } from '../electron/core/sync/hqClient'
import { formatHlc } from '../electron/core/sync/hlc'
import { assignRegion, createUser, issueEnrolCode } from '../server/accounts'
import { MIGRATIONS_DIR, openStore } from '../server/db/client'
import { importDemoCounty } from '../server/masterData'
import { query } from '../server/sync'
import { FIRST_PULL_PAGE, PROTOCOL_VERSION, type PullResponse, type WireChange, type WireRow } from '../shared/sync/protocol'
import { SYNC_SCHEMA_VERSION } from '../shared/sync/versions'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { benchArgs } from './lib/args'
import { percentiles } from './lib/stats'

const args = benchArgs(import.meta.filename, {
  backend: { type: 'string', default: 'postgres' },
  devices: { type: 'string', default: '50' },
  changes: { type: 'string', default: '150' },
  customers: { type: 'string', default: '20000' },
  visits: { type: 'string', default: '200000' },
  workers: { type: 'string', default: '1' },
  days: { type: 'string', default: '1' },
  'timeout-s': { type: 'string', default: '70' },
  'hq-args': { type: 'string', default: '' },
  'link-kbps': { type: 'string' },
  'cpu-prof': { type: 'string' },
  'sql-timing': { type: 'boolean', default: false },
  'drop-template': { type: 'boolean', default: false },
})
const backend = args.backend === 'pglite' ? 'pglite' : 'postgres'
const N = Number(args.devices)
const CHANGES = Number(args.changes)
const TIMEOUT = Number(args['timeout-s']) * 1000
const FIXED_LINK = args['link-kbps'] === undefined ? undefined : Number(args['link-kbps'])
if (FIXED_LINK !== undefined && !(Number.isInteger(FIXED_LINK) && FIXED_LINK >= 1)) throw new RangeError('--link-kbps: a whole number of kbit/s')
if (!(N >= 1 && N <= 2000)) throw new RangeError('--devices: 1..2000')
if (!(CHANGES >= 1 && CHANGES <= 500)) throw new RangeError('--changes: 1..500 (one push batch)')
const ROOT = resolve(import.meta.dirname, '..')
const load1 = () => Number(loadavg()[0]!.toFixed(2))

// ---- The store: county (from a template kept between runs), grid managers, enrolment codes
const loadBefore = load1()
const adminUrl = process.env.GRIDDESK_PG_URL
if (backend === 'postgres' && !adminUrl) throw new Error('--backend postgres needs GRIDDESK_PG_URL (a role with CREATEDB)')
async function admin<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return (await client.query(text, params)).rows as T[]
  } finally {
    await client.end()
  }
}
const urlOf = (name: string) => {
  const url = new URL(adminUrl!)
  url.pathname = `/${name}`
  return url.toString()
}
// The template's name says what it holds: the county's size and the store's migrations.
const migrationsHash = createHash('sha256')
  .update(
    readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => readFileSync(join(MIGRATIONS_DIR, f), 'utf8'))
      .join('\n'),
  )
  .digest('hex')
  .slice(0, 10)
const templateName = `griddesk_hqload_tpl_${args.customers}_${args.visits}_${migrationsHash}`
async function importCounty(target: { databaseUrl: string } | { dataDir: string }): Promise<void> {
  const store = await openStore(target)
  await importDemoCounty(store.db, { keyCustomers: Number(args.customers), visits: Number(args.visits) })
  await store.db.execute(sql`ANALYZE`)
  await store.close()
}
let t = performance.now()
let runDb: string | undefined
let dataDir: string | undefined
if (backend === 'postgres') {
  if (args['drop-template']) await admin(`DROP DATABASE IF EXISTS "${templateName}" WITH (FORCE)`)
  if ((await admin(`SELECT 1 FROM pg_database WHERE datname = $1`, [templateName])).length === 0) {
    const building = `${templateName}_b${process.pid}`
    await admin(`CREATE DATABASE "${building}"`)
    await importCounty({ databaseUrl: urlOf(building) })
    await admin(`ALTER DATABASE "${building}" RENAME TO "${templateName}"`)
    console.log(`template ${templateName} made in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  }
  runDb = `griddesk_hqload_${Date.now().toString(36)}_${process.pid}`
  await admin(`CREATE DATABASE "${runDb}" TEMPLATE "${templateName}" STRATEGY FILE_COPY`)
} else {
  const template = join(tmpdir(), templateName.replace('griddesk_hqload_tpl', 'griddesk-hqload-pglite'))
  if (args['drop-template']) rmSync(template, { recursive: true, force: true })
  if (!existsSync(template)) {
    const building = `${template}.b${process.pid}`
    await importCounty({ dataDir: building })
    renameSync(building, template)
  }
  dataDir = mkdtempSync(join(tmpdir(), 'griddesk-hq-load-'))
  cpSync(template, dataDir, { recursive: true })
}
const databaseUrl = runDb ? urlOf(runDb) : undefined
const setup = await openStore(databaseUrl ? { databaseUrl } : { dataDir })
const counts = Object.fromEntries(
  (await query<{ t: string; n: string }>(setup.db, sql`SELECT table_name AS t, count(*)::text AS n FROM rows GROUP BY 1`)).map((r) => [r.t, Number(r.n)]),
)
const grids = (
  await query<{ code: string }>(setup.db, sql`SELECT fields->>'code' AS code FROM rows WHERE table_name = 'org_units' AND fields->>'level' = 'grid' ORDER BY 1`)
).map((g) => g.code)
const codes: { code: string; grid: string }[] = []
for (let i = 0; i < N; i++) {
  const grid = grids[i % grids.length]!
  await createUser(setup.db, `load-${i}`, 'grid_manager')
  await assignRegion(setup.db, `load-${i}`, grid)
  codes.push({ code: (await issueEnrolCode(setup.db, `load-${i}`)).code, grid })
}
await setup.close()
const totalRows = Object.values(counts).reduce((a, b) => a + b, 0)
console.log(`${backend}: ${totalRows} rows, ${grids.length} grids, ${N} devices; setup ${((performance.now() - t) / 1000).toFixed(1)} s`)

// ---- HQ as `npm run hq` runs it
const port = await new Promise<number>((done) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const p = (probe.address() as { port: number }).port
    probe.close(() => done(p))
  })
})
const hqArgs = [
  '--port',
  String(port),
  '--host',
  '127.0.0.1',
  ...(Number(args.workers) > 1 ? ['--workers', args.workers] : []),
  ...args['hq-args'].split(' ').filter(Boolean),
]
if (dataDir) hqArgs.push('--data-dir', dataDir)
const sqlTimingFile = args['sql-timing'] ? join(tmpdir(), `griddesk-hq-load-sql-${process.pid}.json`) : undefined
const nodeArgs = [
  '--import',
  'tsx',
  ...(sqlTimingFile ? ['--import', join(import.meta.dirname, 'lib/pg-timing.ts')] : []),
  ...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : []),
]
const hq: ChildProcess = spawn(process.execPath, [...nodeArgs, join(ROOT, 'server/main.ts'), ...hqArgs], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...(sqlTimingFile ? { GRIDDESK_SQL_TIMING: sqlTimingFile } : {}) },
})
// HQ goes when the generator does, however it ends.
process.on('exit', () => hq.exitCode === null && hq.kill('SIGKILL'))
const base = `http://127.0.0.1:${port}`
for (let i = 0; ; i++) {
  if (hq.exitCode !== null) throw new Error(`HQ exited with ${hq.exitCode}`)
  if (
    await fetch(`${base}/v1/health`)
      .then((r) => r.ok)
      .catch(() => false)
  )
    break
  if (i > 600) throw new Error('HQ did not start in 60 s')
  await new Promise((r) => setTimeout(r, 100))
}

// ---- HTTP as a device speaks it (loopback only), honouring 429 + Retry-After with jitter
class RequestError extends Error {}
const jitter = (seconds: number) => seconds * 1000 * (1 + Math.random())
let retries429 = 0
/** One keep-alive connection per device at most, as the app holds one to its HQ. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 4096 })

/** A request on loopback: the status, headers and the body as received (still compressed). */
function send(path: string, init: { method?: string; body?: Buffer; headers: Record<string, string> }, timeoutMs: number) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const request = http.request(`${base}${path}`, { method: init.method ?? 'GET', headers: init.headers, agent, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }))
      response.on('error', (e) => reject(new RequestError(e.message)))
    })
    request.on('timeout', () => request.destroy(new RequestError('timeout')))
    request.on('error', (e) => reject(e instanceof RequestError ? e : new RequestError(e.message)))
    request.end(init.body)
  })
}

/**
 * A body inflated as its content-encoding says; `prefix`: only its start (what the stream's first
 * 16 KB hold), for a pull page whose head is all the generator reads.
 */
function inflate(raw: Buffer, encoding: string | undefined, prefix: boolean): Buffer {
  const input = prefix ? raw.subarray(0, 16_384) : raw
  if (encoding === 'br') return brotliDecompressSync(input, prefix ? { finishFlush: zlibConstants.BROTLI_OPERATION_FLUSH } : {})
  if (encoding === 'gzip') return gunzipSync(input, prefix ? { finishFlush: zlibConstants.Z_SYNC_FLUSH } : {})
  return raw
}

async function call<T>(
  path: string,
  init: { method?: string; body?: Buffer; token?: string; head?: (bytes: Buffer) => T },
  deadline: number,
): Promise<{ body: T; bytes: number; serverMs: number }> {
  for (;;) {
    const left = deadline - performance.now()
    if (left <= 0) throw new RequestError('timeout')
    // As the app's client (electron/core/sync/hqClient.ts): gzipped JSON bodies, br or gzip back.
    const headers: Record<string, string> = {
      accept: 'application/json',
      'accept-encoding': 'br, gzip',
      ...(init.body ? { 'content-type': 'application/json', 'content-encoding': 'gzip' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    }
    const response = await send(path, { method: init.method, body: init.body, headers }, Math.ceil(left))
    if (response.status === 429) {
      retries429++
      await new Promise((r) => setTimeout(r, jitter(Number(response.headers['retry-after'] ?? 1))))
      continue
    }
    const encoding = response.headers['content-encoding']
    const ok = response.status >= 200 && response.status < 300
    // Only a page's head is read (init.head): its rows are HQ's work, not the generator's.
    const bytes = inflate(response.body, encoding, ok && init.head !== undefined)
    if (!ok) throw new RequestError(`${response.status} ${bytes.toString('utf8', 0, 200)}`)
    const serverMs = serverTimingMs({ headers: new Headers({ 'server-timing': String(response.headers['server-timing'] ?? '') }) })
    return { body: init.head ? init.head(bytes) : (JSON.parse(bytes.toString('utf8')) as T), bytes: response.body.length, serverMs }
  }
}
const json = (value: unknown) => gzipSync(JSON.stringify(value))
const V = `protocol_version=${PROTOCOL_VERSION}&schema_version=${SYNC_SCHEMA_VERSION}`

interface Device {
  id: string
  token: string
  seq: number
  cursor: number
  scope?: string
  epoch?: string
  visits: WireRow[]
  customers: WireRow[]
  clock: number
  /** Its place among the devices of its grid: each edits its own stretch of the grid's customers. */
  nth: number
  /** The download rate of its last pull page (kbit/s), sent with the next page as the app does. */
  linkKbps?: number
}
/**
 * A pull page's head (cursor, has_more, scope, the count of rows to come …) without decoding or
 * parsing its rows (HQ writes them last): the generator shares the cores with HQ, and the rows it
 * does not keep, 1.4 MB a page at 200 devices, were most of its CPU.
 */
function pageHead(bytes: Buffer): PullResponse {
  const at = bytes.indexOf(',"rows":[')
  if (at >= 0) return JSON.parse(`${bytes.toString('utf8', 0, at)},"rows":[]}`) as PullResponse
  try {
    return JSON.parse(bytes.toString('utf8')) as PullResponse // an answer without rows (must_refetch)
  } catch {
    throw new RequestError(`a pull page without its head in its first ${bytes.length} bytes`)
  }
}

async function pullAll(d: Device, deadline: number, keep?: (row: WireRow) => void): Promise<number> {
  let rows = 0
  // As the app pulls (electron/core/sync/engine.ts): a first page of FIRST_PULL_PAGE rows that asks
  // how many are coming, then larger pages; the link's rate as measured on the previous page.
  for (let first = true; ; first = false) {
    const link = FIXED_LINK ?? d.linkKbps
    const q = `${V}&cursor=${d.cursor}&limit=${first ? FIRST_PULL_PAGE : 20000}${d.scope ? `&scope=${d.scope}` : ''}${d.epoch ? `&epoch=${d.epoch}` : ''}${d.cursor > 0 ? '&skip_own=1' : ''}${first ? '&count=1' : ''}${link === undefined ? '' : `&link_kbps=${link}`}`
    const sent = performance.now()
    const { body: page, bytes, serverMs } = await call<PullResponse>(`/v1/pull?${q}`, { token: d.token, ...(keep ? {} : { head: pageHead }) }, deadline)
    // As the app measures it (linkRateKbps): the bytes the link carried, HQ's own time left out.
    d.linkKbps = linkRateKbps(bytes, performance.now() - sent, serverMs) ?? d.linkKbps
    if (page.must_refetch) throw new RequestError(`must_refetch ${page.reason}`)
    if (keep) for (const row of page.rows) keep(row)
    // Rows pulled: the page's own, or (its rows left unread) the count HQ gave with the first page.
    rows = keep ? rows + page.rows.length : first ? (page.remaining ?? 0) : rows
    d.cursor = page.next_cursor
    d.scope = page.scope
    d.epoch = page.epoch
    if (!page.has_more) return rows
  }
}

t = performance.now()
const devices: Device[] = []
const firstPull = new Map<string, { cursor: number; scope?: string; epoch?: string; visits: WireRow[]; customers: WireRow[]; linkKbps?: number }>()
for (const [i, { code, grid }] of codes.entries()) {
  const deadline = performance.now() + 600_000
  const { body: enrolled } = await call<{ device_id: string; token: string }>(
    '/v1/enrol',
    { method: 'POST', body: json({ code, deviceName: `load ${i}` }) },
    deadline,
  )
  const d: Device = {
    id: enrolled.device_id,
    token: enrolled.token,
    seq: 0,
    cursor: 0,
    visits: [],
    customers: [],
    clock: Date.now(),
    nth: codes.slice(0, i).filter((c) => c.grid === grid).length,
  }
  // Devices of one grid start from the same first pull (what the first device of the grid got).
  const seen = firstPull.get(grid)
  // Each device its own copies of the rows it edits (it tracks the versions it wrote).
  if (seen)
    Object.assign(d, {
      cursor: seen.cursor,
      scope: seen.scope,
      epoch: seen.epoch,
      visits: seen.visits,
      customers: seen.customers.map((r) => [...r] as WireRow),
      linkKbps: seen.linkKbps,
    })
  else {
    await pullAll(d, deadline, (row) => {
      if (row[0] === 'visits' && d.visits.length < 500) d.visits.push(row)
      if (row[0] === 'key_customers' && d.customers.length < 5000) d.customers.push(row)
    })
    firstPull.set(grid, { cursor: d.cursor, scope: d.scope, epoch: d.epoch, visits: d.visits, customers: d.customers, linkKbps: d.linkKbps })
  }
  devices.push(d)
}
console.log(`enrolled and pulled ${N} devices in ${((performance.now() - t) / 1000).toFixed(1)} s`)

// ---- CPU of HQ (its process tree) and PostgreSQL (the backends of the bench's database), from /proc
const TICK = 100
function procStat(pid: string): { ppid: number; comm: string; cpu: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const close = text.lastIndexOf(')')
    const rest = text.slice(close + 2).split(' ')
    return { ppid: Number(rest[1]), comm: text.slice(text.indexOf('(') + 1, close), cpu: (Number(rest[11]) + Number(rest[12])) / TICK }
  } catch {
    return undefined
  }
}
/**
 * CPU of the backends connected to the bench's database while a day runs (other agents' databases
 * on the same server are not counted): their pids are polled from pg_stat_activity every 250 ms and
 * their CPU read from /proc; a backend first seen during the day counts from its start.
 */
async function watchDbCpu(): Promise<() => Promise<number>> {
  if (!runDb) return async () => 0
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  const first = new Map<number, number>()
  const last = new Map<number, number>()
  const poll = async (initial: boolean) => {
    const pids = (await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [runDb])).rows.map((r) => r.pid)
    for (const pid of pids) {
      const cpu = procStat(String(pid))?.cpu
      if (cpu === undefined) continue
      if (!first.has(pid)) first.set(pid, initial ? cpu : 0)
      last.set(pid, cpu)
    }
  }
  await poll(true)
  let stopped = false
  const loop = (async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 250))
      await poll(false)
    }
  })()
  return async () => {
    stopped = true
    await loop
    await poll(false)
    await client.end()
    let sum = 0
    for (const [pid, cpu] of last) sum += cpu - first.get(pid)!
    return sum
  }
}
function cpuNow(): { hq: number; hqPids: number[] } {
  const all = readdirSync('/proc').filter((p) => /^\d+$/.test(p))
  const stats = new Map(all.map((p) => [Number(p), procStat(p)] as const))
  const hqPids = new Set([hq.pid!])
  for (let grew = true; grew; ) {
    grew = false
    for (const [pid, s] of stats) if (s && hqPids.has(s.ppid) && !hqPids.has(pid)) grew = hqPids.add(pid) !== undefined
  }
  let hqCpu = 0
  for (const [pid, s] of stats) if (s && hqPids.has(pid)) hqCpu += s.cpu
  return { hq: hqCpu, hqPids: [...hqPids] }
}
const peakRss = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    try {
      return sum + Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
    } catch {
      return sum
    }
  }, 0)

// ---- A day's work of one device: new visits and customer edits
function dayChanges(d: Device): WireChange[] {
  const out: WireChange[] = []
  const hlc = () => formatHlc({ millis: ++d.clock, counter: 0, node: d.id })
  const edits = Math.floor(CHANGES / 3)
  for (let i = 0; i < CHANGES - edits; i++) {
    const like = d.visits[(d.seq + i) % Math.max(1, d.visits.length)]
    if (!like) break
    const fields = { ...like[3], outcome: `visit ${d.seq + i} by ${d.id.slice(-6)}`, checked_in_at: new Date().toISOString() }
    out.push({
      device_seq: ++d.seq,
      change_id: uuidv7(),
      hlc: hlc(),
      table_name: 'visits',
      row_id: uuidv7(),
      op: 'insert',
      fields,
      base: Object.fromEntries(Object.keys(fields).map((f) => [f, null])),
      schema_version: SYNC_SCHEMA_VERSION,
    })
  }
  for (let i = 0; i < edits && d.customers.length; i++) {
    const row = d.customers[(d.nth * edits + i) % d.customers.length]!
    const fields = { notes: `note ${d.seq} ${d.id.slice(-6)}`, next_follow_up: '2026-12-24' }
    const version = (f: string) => row[4]?.[f] ?? row[2]
    const change: WireChange = {
      device_seq: ++d.seq,
      change_id: uuidv7(),
      hlc: hlc(),
      table_name: 'key_customers',
      row_id: row[1],
      op: 'update',
      fields,
      base: { notes: version('notes'), next_follow_up: version('next_follow_up') },
      schema_version: SYNC_SCHEMA_VERSION,
    }
    out.push(change)
    // The device now holds its own version of the fields (a later day's edit is based on it).
    row[4] = { ...(row[4] ?? {}), notes: change.hlc, next_follow_up: change.hlc }
    row[3] = { ...row[3], ...fields }
  }
  return out
}

interface Sample {
  total: number
  push: number
  pull: number
  pulled: number
  error?: string
}
/** A day's push body, built and gzipped before the day starts (the generator's CPU off the clock). */
const dayBody = (d: Device) => json({ protocol_version: PROTOCOL_VERSION, schema_version: SYNC_SCHEMA_VERSION, device_id: d.id, changes: dayChanges(d) })
async function daySync(d: Device, body: Buffer): Promise<Sample> {
  const start = performance.now()
  const deadline = start + TIMEOUT
  try {
    const { body: pushed } = await call<{ results: { status: string; reason?: string }[] }>(
      `/v1/push?pull_cursor=${d.cursor}`,
      { method: 'POST', body, token: d.token },
      deadline,
    )
    const rejected = pushed.results.filter((r) => r.status === 'rejected')
    if (rejected.length) throw new RequestError(`${rejected.length} rejected: ${rejected[0]!.reason}`)
    const pushMs = performance.now() - start
    const pulled = await pullAll(d, deadline)
    return { total: performance.now() - start, push: pushMs, pull: performance.now() - start - pushMs, pulled }
  } catch (error) {
    return { total: performance.now() - start, push: NaN, pull: NaN, pulled: 0, error: error instanceof RequestError ? error.message : String(error) }
  }
}

// ---- The peak: every device syncs at once, --days times
const results: Record<string, unknown>[] = []
const loadStart = load1()
for (let day = 0; day < Number(args.days); day++) {
  const bodies = devices.map((d) => dayBody(d))
  // The rates the devices start the day's pull with (HQ's brotli quality follows them).
  const said = devices.map((d) => d.linkKbps).filter((k): k is number => k !== undefined)
  const dbCpu = await watchDbCpu()
  const cpu0 = cpuNow()
  const own0 = process.cpuUsage()
  if (sqlTimingFile) for (const pid of cpu0.hqPids) process.kill(pid, 'SIGUSR2')
  const t0 = performance.now()
  const samples = await Promise.all(devices.map((d, i) => daySync(d, bodies[i]!)))
  const wall = (performance.now() - t0) / 1000
  const own = process.cpuUsage(own0)
  const cpu1 = cpuNow()
  const db = await dbCpu()
  const ok = samples.filter((s) => !s.error)
  const errors = samples.filter((s) => s.error)
  const ms = (list: number[]) => (list.length ? percentiles(list) : undefined)
  const total = ms(ok.map((s) => s.total))
  const push = ms(ok.map((s) => s.push))
  const pull = ms(ok.map((s) => s.pull))
  const r = {
    backend,
    devices: N,
    workers: Number(args.workers),
    day: day + 1,
    changesPerPush: CHANGES,
    syncsPerSecond: ok.length / wall,
    wallSeconds: wall,
    latency: total && { p50: total.p50, p95: total.p95, max: total.max },
    push: push && { p50: push.p50, p95: push.p95 },
    pull: pull && { p50: pull.p50, p95: pull.p95 },
    pulledRowsPerSync: ok.length ? ok.reduce((a, s) => a + s.pulled, 0) / ok.length : 0,
    linkKbpsSaid: said.length ? { devices: said.length, p50: percentiles(said).p50 } : undefined,
    errors: errors.length,
    errorSamples: [...new Set(errors.map((e) => e.error))].slice(0, 5),
    retries429,
    cpuPerSync: { hq: (cpu1.hq - cpu0.hq) / N, db: db / N, generator: (own.user + own.system) / 1e6 / N },
    hqPeakRssMb: Math.round(peakRss(cpu1.hqPids) / 1024 / 1024),
    load1: { before: loadStart, after: load1() },
  }
  results.push(r)
  const f = (x: number | undefined) => (x === undefined ? '—' : `${(x / 1000).toFixed(2)} s`)
  console.log(
    `day ${day + 1}: ${r.syncsPerSecond.toFixed(2)} syncs/s (${ok.length}/${N} in ${wall.toFixed(1)} s); latency p50 ${f(total?.p50)} p95 ${f(total?.p95)} max ${f(total?.max)}; push p50 ${f(push?.p50)} p95 ${f(push?.p95)}; pull p50 ${f(pull?.p50)}; ${errors.length} errors${errors.length ? ` (${r.errorSamples.join(' | ')})` : ''}; 429 retries ${retries429}; CPU/sync HQ ${(r.cpuPerSync.hq * 1000).toFixed(0)} ms, DB ${(r.cpuPerSync.db * 1000).toFixed(0)} ms, generator ${(r.cpuPerSync.generator * 1000).toFixed(0)} ms; HQ peak RSS ${r.hqPeakRssMb} MB; load ${r.load1.before} → ${r.load1.after}; link said p50 ${r.linkKbpsSaid ? `${Math.round(r.linkKbpsSaid.p50 / 1000)} Mbit/s (${r.linkKbpsSaid.devices} devices)` : '—'}`,
  )
}

// ---- Stop HQ, drop the store
hq.kill('SIGTERM')
await new Promise((r) => hq.once('exit', r))
if (sqlTimingFile) {
  const sums = new Map<string, { sql: string; calls: number; ms: number }>()
  const dir = dirname(sqlTimingFile)
  for (const name of readdirSync(dir).filter((f) => f.startsWith(`${basename(sqlTimingFile)}.`))) {
    for (const s of JSON.parse(readFileSync(join(dir, name), 'utf8')) as { sql: string; calls: number; ms: number }[]) {
      const entry = sums.get(s.sql) ?? { sql: s.sql, calls: 0, ms: 0 }
      entry.calls += s.calls
      entry.ms += s.ms
      sums.set(s.sql, entry)
    }
    rmSync(join(dir, name))
  }
  const timing = [...sums.values()].sort((a, b) => b.ms - a.ms)
  const syncs = N * Number(args.days)
  console.log(`SQL wait per day's sync, by statement (HQ side; includes waiting for a connection's turn in the database):`)
  for (const s of timing.slice(0, 15))
    console.log(`  ${(s.ms / syncs).toFixed(1).padStart(7)} ms ${(s.calls / syncs).toFixed(1).padStart(6)} calls  ${s.sql.slice(0, 150)}`)
}
if (runDb) await admin(`DROP DATABASE IF EXISTS "${runDb}" WITH (FORCE)`)
if (dataDir) rmSync(dataDir, { recursive: true, force: true })
const dir = join(import.meta.dirname, 'results')
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'hq-load.json'), JSON.stringify({ rows: totalRows, grids: grids.length, loadBefore, results }, null, 2))
console.log(JSON.stringify(results.at(-1)))
process.exit(results.some((r) => (r.errors as number) > 0) ? 1 : 0)
