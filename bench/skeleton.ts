// GridDesk skeleton benchmark: demo county at scale (default 20,000 key customers / 200,000
// visits). `npm run bench -- [--quick] [--customers N] [--visits N] [--iterations N] [--runs N]
// [--no-coldstart] [--runner bundle|prebuilt|tsx] [--keep]`. See bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type Database from 'better-sqlite3'
import { DB_FILE, openCore, type Core } from '../electron/core/app'
import { benchKey } from './lib/store'
import { countAll } from '../electron/core/db/repos/app'
import { gridSummary, listGrids, mapOverview } from '../electron/core/db/repos/grids'
import { generateDemoCounty } from '../electron/core/demo/generate'
import { loadDemoCounty, readDemoDivisions } from '../electron/core/demo/load'
import { RENDERER_DIR, REPO_ROOT } from '../electron/core/resources'
import { captureQueries, type CapturedQuery } from './lib/capture-sql'
import { measureColdStart, type ColdStartResult } from './lib/coldstart'
import { percentiles, samplePair, type Percentiles } from './lib/stats'
import { benchArgs } from './lib/args'

const flags = benchArgs(import.meta.filename, {
  quick: { type: 'boolean', default: false },
  customers: { type: 'string' },
  visits: { type: 'string' },
  seed: { type: 'string', default: '451022' },
  iterations: { type: 'string', default: '500' },
  warmup: { type: 'string', default: '50' },
  runs: { type: 'string', default: '3' },
  'no-coldstart': { type: 'boolean', default: false },
  runner: { type: 'string', default: 'bundle' },
  keep: { type: 'boolean', default: false },
})
const CUSTOMERS = Number(flags.customers ?? (flags.quick ? 2_000 : 20_000))
const VISITS = Number(flags.visits ?? (flags.quick ? 20_000 : 200_000))
const SEED = Number(flags.seed)
const ITER = Number(flags.iterations)
const WARMUP = Number(flags.warmup)
const RUNS = Number(flags.runs)
const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results')

const TARGETS = { handlerP95Ms: 15, handlerOverRawP95: 1.5, generateLoadMs: 60_000, coldStartMs: 2_000 }

// gc() between phases so the generate and load peaks are not stacked by lazy collection.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const log = (line = '') => process.stdout.write(line + '\n')
const mb = (bytes: number) => bytes / 1024 / 1024
const maxRssMb = () => process.resourceUsage().maxRSS / 1024 // maxRSS is in KiB
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2))

log(
  `GridDesk skeleton bench — ${CUSTOMERS.toLocaleString('en')} key customers / ${VISITS.toLocaleString('en')} visits, seed ${SEED}${flags.quick ? ' (quick)' : ''}`,
)
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
  sqlite: '',
}

// ── 1. generate + load ────────────────────────────────────────────────────────────────────────
const dataDir = mkdtempSync(join(os.tmpdir(), 'griddesk-bench-data-'))
const now = new Date()
const divisions = readDemoDivisions(REPO_ROOT)
gc()
const rssBefore = maxRssMb()
let t = performance.now()
let county: ReturnType<typeof generateDemoCounty> | undefined = generateDemoCounty(divisions, { seed: SEED, keyCustomers: CUSTOMERS, visits: VISITS, now })
const generateMs = performance.now() - t
const rssAfterGenerate = maxRssMb()
const rows = Object.fromEntries(Object.entries(county).map(([k, v]) => [k, (v as unknown[]).length]))
county = undefined
gc()

const core: Core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: 'bench', key: benchKey() })
const raw: Database.Database = core.ctx.db.$client
machine.sqlite = (raw.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
t = performance.now()
const loadResult = loadDemoCounty(core.ctx, { seed: SEED, keyCustomers: CUSTOMERS, visits: VISITS }, now)
const loadMs = performance.now() - t // generate again + insert, in one transaction: what demo.load costs
const insertMs = loadMs - generateMs
const peakRssMb = maxRssMb()
gc()
log(`  generated in ${fmt(generateMs)} ms; loadDemoCounty (generate + insert) in ${fmt(loadMs)} ms`)

// ── 2. DB size ───────────────────────────────────────────────────────────────────────────────
raw.pragma('wal_checkpoint(TRUNCATE)')
const fileSize = (f: string) => (existsSync(f) ? statSync(f).size : 0)
const dbFile = join(dataDir, DB_FILE)
const dbBytes = fileSize(dbFile)
const walBytes = fileSize(dbFile + '-wal')
const pageCount = raw.pragma('page_count', { simple: true }) as number
const freePages = raw.pragma('freelist_count', { simple: true }) as number

// ── 3. handler vs raw SQL ────────────────────────────────────────────────────────────────────
interface LatencyRow {
  name: string
  input: unknown
  handler: Percentiles
  raw: Percentiles
  ratioP95: number
  targeted: boolean
}
const latency: LatencyRow[] = []
const plans: Record<string, { sql: string; plan: string[] }[]> = {}

function prepareAll(queries: CapturedQuery[]) {
  return queries.map((q) => ({ ...q, stmt: raw.prepare(q.sql) }))
}
function explain(label: string, queries: CapturedQuery[]) {
  plans[label] = queries.map((q) => ({
    sql: q.sql.replace(/\s+/g, ' ').trim(),
    plan: (raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as unknown[])) as { id: number; parent: number; detail: string }[]).map(
      (r) => `${r.id}:${r.parent} ${r.detail}`,
    ),
  }))
}
async function handlerOk(name: string, input: unknown) {
  const env = await core.dispatch(name, input)
  if (!env.ok) throw new Error(`${name} failed: ${JSON.stringify(env.error)}`)
  return env.value
}
async function benchList(label: string, input: { search?: string; limit?: number }) {
  const limit = input.limit ?? 200 // the contract's default
  const queries = captureQueries((db) => listGrids(db, input.search, limit))
  const [q] = prepareAll(queries)
  // Sanity: the raw statement answers exactly what the handler answers.
  const viaHandler = await handlerOk('grids.list', input)
  if (JSON.stringify(viaHandler) !== JSON.stringify(q!.stmt.all(...(q!.params as unknown[]))))
    throw new Error(`raw SQL for ${label} does not return what the handler returns`)
  const [h, r] = await samplePair(
    ITER,
    WARMUP,
    () => handlerOk('grids.list', input),
    () => q!.stmt.all(...(q!.params as unknown[])),
  )
  explain(label, queries)
  push(label, input, h, r, true)
}
function push(name: string, input: unknown, h: number[], r: number[], targeted: boolean) {
  const handler = percentiles(h)
  const rawP = percentiles(r)
  latency.push({ name, input, handler, raw: rawP, ratioP95: handler.p95 / rawP.p95, targeted })
}

log('  timing handlers vs raw prepared statements …')
const gridRows = (await handlerOk('grids.list', {})) as { id: string; code: string }[]
if (gridRows.length === 0) throw new Error('no grids after loading the demo county')
await benchList('grids.list', {})
await benchList('grids.list search', { search: '平马' })

{
  // grids.summary: rotate over every grid. One capture per grid id: the same three statements,
  // parameters differ. Raw = the three prepared statements, as gridSummary runs them.
  const nowMillis = Date.now()
  const perGrid = gridRows.map((g) => captureQueries((db) => gridSummary(db, g.id, nowMillis), { id: g.id }))
  const stmts = prepareAll(perGrid[0]!)
  const [h, r] = await samplePair(
    ITER,
    WARMUP,
    (i) => handlerOk('grids.summary', { id: gridRows[i % gridRows.length]!.id }),
    (i) => {
      const qs = perGrid[i % perGrid.length]!
      for (let k = 0; k < stmts.length; k++) stmts[k]!.stmt[qs[k]!.method](...(qs[k]!.params as unknown[]))
    },
  )
  explain('grids.summary', perGrid[0]!)
  push('grids.summary', { id: `(rotating over ${gridRows.length} grids)` }, h, r, true)
}
{
  // map.overview: what the map page fetches first. Not targeted; raw = its three statements.
  const queries = captureQueries((db) => mapOverview(db))
  const stmts = prepareAll(queries)
  const n = Math.max(50, Math.floor(ITER / 5))
  const [h, r] = await samplePair(
    n,
    10,
    () => handlerOk('map.overview', {}),
    () => {
      for (const s of stmts) s.stmt[s.method](...(s.params as unknown[]))
    },
  )
  explain('map.overview', queries)
  push('map.overview', {}, h, r, false)
}
{
  // app.info: the first call the UI makes at start (welcome screen or app?). Not targeted;
  // raw = countAll's SQL only (the handler also reads sync state and counts the outbox).
  const queries = captureQueries((db) => countAll(db))
  const [s] = prepareAll(queries)
  const n = Math.max(50, Math.floor(ITER / 5))
  const [h, r] = await samplePair(
    n,
    5,
    () => handlerOk('app.info', {}),
    () => s!.stmt.get(...(s!.params as unknown[])),
  )
  explain('app.info (countAll)', queries)
  push('app.info', {}, h, r, false)
}
const overviewBytes = JSON.stringify(await handlerOk('map.overview', {})).length

core.close()

// ── 4. cold start ────────────────────────────────────────────────────────────────────────────
let coldStart: ColdStartResult
if (flags['no-coldstart']) coldStart = { status: 'skipped', skipReason: '--no-coldstart', warnings: [], runner: '-', runs: [] }
else {
  log('  cold start (fresh server process + fresh Chromium profile) …')
  try {
    coldStart = await measureColdStart({
      repoRoot: REPO_ROOT,
      rendererDir: RENDERER_DIR,
      dataDir,
      runs: RUNS,
      runner: (['tsx', 'prebuilt'].includes(flags.runner!) ? flags.runner : 'bundle') as 'bundle' | 'prebuilt' | 'tsx',
      buildDir: join(RESULTS_DIR, 'build'),
      timeoutMs: 30_000,
      log,
    })
  } catch (error) {
    coldStart = { status: 'skipped', skipReason: `failed: ${(error as Error).message}`, warnings: [], runner: flags.runner!, runs: [] }
  }
}

// ── 5. report ────────────────────────────────────────────────────────────────────────────────
type Verdict = 'PASS' | 'FAIL' | 'SKIP'
const checks: { target: string; value: string; verdict: Verdict }[] = []
const check = (target: string, value: string, ok: boolean | null) => checks.push({ target, value, verdict: ok === null ? 'SKIP' : ok ? 'PASS' : 'FAIL' })

log()
log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, ${machine.platform}, Node ${machine.node}, SQLite ${machine.sqlite}`)
log()
log('Demo county')
log(
  `  rows             ${Object.entries(rows)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n.toLocaleString('en')}`)
    .join(', ')}`,
)
log(`  generate         ${fmt(generateMs)} ms   (generateDemoCounty alone)`)
log(`  load             ${fmt(loadMs)} ms   (loadDemoCounty: generate again + insert in one transaction = demo.load)`)
log(`    of which insert ≈ ${fmt(insertMs)} ms`)
log(
  `  peak RSS         ${peakRssMb.toFixed(0)} MB (process max RSS through load; ${rssBefore.toFixed(0)} MB before, ${rssAfterGenerate.toFixed(0)} MB after generate)`,
)
log(`  DB file          ${mb(dbBytes).toFixed(1)} MB after wal_checkpoint(TRUNCATE) (WAL ${walBytes} B, ${pageCount} pages, ${freePages} free)`)
log(`  map.overview     ${(overviewBytes / 1024).toFixed(0)} KiB of JSON`)
check(`generate + load < ${TARGETS.generateLoadMs / 1000} s (loadDemoCounty)`, `${(loadMs / 1000).toFixed(1)} s`, loadMs < TARGETS.generateLoadMs)
log()
log(
  `Latency, ms (${ITER} iterations after ${WARMUP} warm-up; map.overview fewer)  handler = core.dispatch (zod + repo via drizzle); raw = same SQL, prepared once`,
)
const head = ['query', 'handler p50', 'p95', 'p99', 'raw p50', 'p95', 'p99', 'p95 ratio']
const table = latency.map((l) => [
  l.name,
  fmt(l.handler.p50),
  fmt(l.handler.p95),
  fmt(l.handler.p99),
  fmt(l.raw.p50),
  fmt(l.raw.p95),
  fmt(l.raw.p99),
  `${l.ratioP95.toFixed(2)}×`,
])
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)))
const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
log(line(head))
for (const r of table) log(line(r))
for (const l of latency.filter((x) => x.targeted)) {
  check(`${l.name}: handler p95 < ${TARGETS.handlerP95Ms} ms`, `${fmt(l.handler.p95)} ms`, l.handler.p95 < TARGETS.handlerP95Ms)
  check(
    `${l.name}: handler p95 ≤ ${TARGETS.handlerOverRawP95}× raw p95`,
    `${l.ratioP95.toFixed(2)}× (raw ${fmt(l.raw.p95)} ms)`,
    l.ratioP95 <= TARGETS.handlerOverRawP95,
  )
}
log()
log('Query plans (EXPLAIN QUERY PLAN, id:parent detail)')
for (const [label, qs] of Object.entries(plans))
  qs.forEach((q, i) => {
    log(`  ${label}${qs.length > 1 ? ` #${i + 1}` : ''}: ${q.sql.slice(0, 110)}${q.sql.length > 110 ? '…' : ''}`)
    for (const p of q.plan) log(`      ${p}`)
  })
log()
log(`Cold start, browser mode (median of ${coldStart.runs.length} run(s); ${coldStart.runner})`)
for (const w of coldStart.warnings) log(`  WARNING: ${w}`)
if (coldStart.median) {
  const m = coldStart.median
  log(`  server ready     ${fmt(m.serverReadyMs)} ms   (spawn → HTTP listening)`)
  log(`  DOMContentLoaded ${fmt(m.domContentLoadedMs)} ms   (spawn → …)`)
  log(`  first render     ${fmt(m.firstRenderMs)} ms   (spawn → #root has content)`)
  log(`  map ready        ${m.mapReadyMs === null ? 'SKIP' : fmt(m.mapReadyMs) + ' ms'}   (spawn → data-map-ready="true")`)
  log(`  browser launch   ${fmt(m.browserLaunchMs)} ms   (fresh profile; before the clock, not counted)`)
  const rpcs = coldStart.runs.at(-1)?.rpc ?? []
  if (rpcs.length) log(`  rpc (last run)   ${rpcs.map((x) => `${x.name} ${fmt(x.ms)} ms/${(x.bytes / 1024).toFixed(0)} KiB`).join(', ')}`)
}
if (coldStart.skipReason) log(`  SKIPPED map-ready: ${coldStart.skipReason}`)
const mapReady = coldStart.median?.mapReadyMs ?? null
check(
  `cold start to drawn map < ${TARGETS.coldStartMs / 1000} s`,
  mapReady === null ? 'not measured' : `${fmt(mapReady)} ms`,
  mapReady === null ? null : mapReady < TARGETS.coldStartMs,
)

log()
log('Targets')
const tw = Math.max(...checks.map((c) => c.target.length))
for (const c of checks) log(`  ${c.verdict.padEnd(4)}  ${c.target.padEnd(tw)}  ${c.value}`)

const result = {
  when: new Date().toISOString(),
  machine,
  params: { customers: CUSTOMERS, visits: VISITS, seed: SEED, iterations: ITER, warmup: WARMUP, quick: flags.quick },
  county: { rows, loadResult },
  generateMs,
  loadMs,
  insertMs,
  peakRssMb,
  db: { bytes: dbBytes, walBytes, pageCount, freePages },
  mapOverviewBytes: overviewBytes,
  latency,
  plans,
  coldStart,
  targets: TARGETS,
  checks,
}
mkdirSync(RESULTS_DIR, { recursive: true })
writeFileSync(join(RESULTS_DIR, 'skeleton.json'), JSON.stringify(result, null, 2))
if (flags.keep) log(`\n(data dir kept: ${dataDir})`)
else rmSync(dataDir, { recursive: true, force: true })
log()
log(
  JSON.stringify({
    ...result,
    plans: undefined,
    coldStart: { ...coldStart, runs: undefined },
    latency: latency.map(({ name, handler, raw: r, ratioP95 }) => ({
      name,
      handlerP95: handler.p95,
      handlerP50: handler.p50,
      handlerP99: handler.p99,
      rawP50: r.p50,
      rawP95: r.p95,
      rawP99: r.p99,
      ratioP95,
    })),
  }),
)
process.exitCode = checks.some((c) => c.verdict === 'FAIL') ? 1 : 0
