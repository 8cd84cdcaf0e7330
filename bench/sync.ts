// Sync bench: initial county sync (bytes, seconds), a day's sync (100 visits + 50
// customer edits: bytes, round trips) on loopback and through a throttled link (128 kbps, 600 ms
// RTT), applying 50k pulled changes, and the PouchDB reference peer on a county of the same size.
//
//   npx tsx bench/sync.ts                       # 20,000 customers / 200,000 visits, PouchDB run too
//   npx tsx bench/sync.ts --quick               # 2,000 / 20,000, no PouchDB
//   npx tsx bench/sync.ts --pouch-summary FILE  # reuse a PouchDB summary.json instead of running it
//   npx tsx bench/sync.ts --no-pouch
//
// Output: a report, then one JSON line; the result goes to bench/results/sync.json. Exit 1 on a FAIL.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { v7 as uuidv7 } from 'uuid'
import { insertSynced } from '../electron/core/db/repos/changes'
import { beginBulkLoad, finishBulkLoad } from '../electron/core/db/repos/bulkLoad'
import { applyPulledRows, syncedColumns } from '../electron/core/db/repos/sync'
import { enrol, runSync, type SyncReport } from '../electron/core/sync/engine'
import { HqClient } from '../electron/core/sync/hqClient'
import { openTestCore } from '../electron/core/testing'
import { DEFAULT_PULL_LIMIT, fromWire, PROTOCOL_VERSION, type EnrolResponse, type PullResponse, type WireRow } from '../shared/sync/protocol'
import { startThrottledLink } from './lib/throttle'
import { benchArgs } from './lib/args'
import { benchKey } from './lib/store'

// Device stores are encrypted: a key for this run (openTestCore reads it from GRIDDESK_KEY_FILE).
benchKey()
// The bench's HQ listens on loopback over plain HTTP, which devices take only when told.
process.env.GRIDDESK_ALLOW_INSECURE_HTTP = '1'

const args = benchArgs(import.meta.filename, {
  quick: { type: 'boolean', default: false },
  customers: { type: 'string' },
  visits: { type: 'string' },
  'no-pouch': { type: 'boolean', default: false },
  'pouch-summary': { type: 'string' },
  'pouch-dir': { type: 'string', default: process.env.GRIDDESK_POUCH_DIR },
  'apply-rows': { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
})
const customers = Number(args.customers ?? (args.quick ? 2000 : 20000))
const visits = Number(args.visits ?? (args.quick ? 20000 : 200000))
const RESULTS = resolve(import.meta.dirname, 'results')
mkdirSync(RESULTS, { recursive: true })
const LINK = { bitsPerSecond: 128_000, rttMs: 600 }
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const kb = (b: number) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MB` : `${(b / 1024).toFixed(1)} KB`)
const out: Record<string, unknown> = { customers, visits, node: process.version }
const targets: { name: string; value: string; target: string; pass: boolean }[] = []
const target = (name: string, value: string, goal: string, pass: boolean) => {
  targets.push({ name, value, target: goal, pass })
}
const brief = (r: SyncReport) => ({
  seconds: r.millis / 1000,
  bytesSent: r.bytesSent,
  bytesReceived: r.bytesReceived,
  bytes: r.bytesSent + r.bytesReceived,
  roundTrips: r.roundTrips,
  pushed: r.pushed,
  pulledRows: r.pulledRows,
  pages: r.pages,
  checkpoint: r.checkpoint,
})

// ---- HQ server with the county: its own process, PGlite in a data directory, as `npm run hq` runs it
console.log(`county: ${customers} key customers, ${visits} visits`)
let t = performance.now()
const hqDir = mkdtempSync(join(tmpdir(), 'griddesk-bench-hq-'))
const hq = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    resolve(import.meta.dirname, 'hq-for-bench.ts'),
    '--data-dir',
    hqDir,
    '--customers',
    String(customers),
    '--visits',
    String(visits),
    '--codes',
    '2',
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const hqInfo = await new Promise<{ url: string; codes: string[]; counts: Record<string, number>; importSeconds: number }>((done, fail) => {
  let buffered = ''
  hq.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const line = buffered.split('\n').find((l) => l.startsWith('{'))
    if (line) done(JSON.parse(line))
  })
  hq.on('exit', (code) => fail(new Error(`the HQ process exited with ${code}`)))
})
const { url, counts } = hqInfo
const port = Number(new URL(url).port)
const totalRows = Object.values(counts).reduce((a, b) => a + b, 0)
console.log(`server import: ${totalRows} rows in ${s(performance.now() - t)} (setup, not a target)`)
out.serverRows = counts

// ---- Initial county sync on loopback
const device = openTestCore()
await enrol(device.ctx, url, hqInfo.codes[0]!, 'bench')
const initial = await runSync(device.ctx)
out.initial = brief(initial)
console.log(
  `initial county sync (loopback): ${initial.pulledRows} rows in ${initial.pages} pages, ${s(initial.millis)}, ${kb(initial.bytesReceived)} down + ${kb(initial.bytesSent)} up, ${initial.roundTrips} round trips, checkpoint ${initial.checkpoint}`,
)
target('initial county sync, loopback', s(initial.millis), '< 20 s', initial.millis < 20_000)

// ---- A day's work: 100 visits + 50 customer edits (2 fields each)
const sqlite = device.ctx.db.$client
let day = 0
async function dayOfWork(): Promise<void> {
  day++
  const template = sqlite.prepare('SELECT * FROM visits LIMIT 1').get() as Record<string, unknown>
  const columns = syncedColumns('visits')
  const customerIds = (sqlite.prepare('SELECT id FROM key_customers ORDER BY id LIMIT 50 OFFSET ?').all(day * 50) as { id: string }[]).map((r) => r.id)
  const visitIds = sqlite.prepare('SELECT id, customer_id, grid_id FROM visits ORDER BY id LIMIT 100 OFFSET ?').all(day * 100) as Record<string, unknown>[]
  device.ctx.db.transaction((tx) => {
    for (const v of visitIds) {
      const values: Record<string, unknown> = {}
      for (const [c, meta] of columns)
        if (!['id', 'created_at', 'updated_at', 'hlc'].includes(c)) values[meta.prop] = meta.boolean && template[c] != null ? template[c] === 1 : template[c]
      const set = (column: string, value: unknown) => columns.has(column) && (values[columns.get(column)!.prop] = value)
      set('customer_id', v.customer_id)
      set('grid_id', v.grid_id)
      set('notes', `第${day}天走访：客户希望了解融合套餐，三天后电话回访。`)
      values.id = uuidv7()
      insertSynced(tx, device.ctx.change, 'visits', values)
    }
  })
  for (const [i, id] of customerIds.entries())
    await device.call('customers.update', { id, patch: { notes: `第${day}天：合约下月到期，愿意考虑升级`, influence: ((i + day) % 5) + 1 } })
}

await dayOfWork()
const dayLoop = await runSync(device.ctx)
out.dayLoopback = brief(dayLoop)
console.log(
  `day's sync (loopback): pushed ${dayLoop.pushed}, pulled ${dayLoop.pulledRows}, ${kb(dayLoop.bytesSent)} up + ${kb(dayLoop.bytesReceived)} down, ${dayLoop.roundTrips} round trips, ${s(dayLoop.millis)}`,
)

const link = await startThrottledLink({ host: '127.0.0.1', port }, LINK)
sqlite.prepare("UPDATE sync_state SET value = ? WHERE key = 'hq_url'").run(link.url)
await dayOfWork()
const daySlow = await runSync(device.ctx)
out.dayThrottled = { ...brief(daySlow), wireUp: link.bytesUp, wireDown: link.bytesDown, connections: link.connections }
const dayBytes = daySlow.bytesSent + daySlow.bytesReceived
console.log(
  `day's sync (128 kbps, 600 ms RTT): pushed ${daySlow.pushed}, pulled ${daySlow.pulledRows}, bodies ${kb(daySlow.bytesSent)} up + ${kb(daySlow.bytesReceived)} down, on the wire (with HTTP headers) ${kb(link.bytesUp)} up + ${kb(link.bytesDown)} down, ${daySlow.roundTrips} round trips, ${link.connections} TCP connections, ${s(daySlow.millis)}`,
)
target("day's sync bytes (bodies)", kb(dayBytes), '< 20 KB', dayBytes < 20 * 1024)
target("day's sync time, throttled link", s(daySlow.millis), '< 5 s', daySlow.millis < 5000)
await link.close()
sqlite.prepare("UPDATE sync_state SET value = ? WHERE key = 'hq_url'").run(url)

// ---- Applying the county's pulled rows into a fresh device (pages as the engine pulls them: packed, unpacked, applied)
const applyN = Number(args['apply-rows'])
// The first pages of the county as the server sends them to a device enrolled for the purpose.
const fetcher = new HqClient(url)
const { token } = await fetcher.request<EnrolResponse>('POST', '/v1/enrol', { code: hqInfo.codes[1]!, deviceName: 'bench apply' })
const pager = new HqClient(url, token)
const pages: WireRow[][] = []
let fetched = 0
for (let cursor = 0; fetched < applyN; ) {
  const page = await pager.request<PullResponse>(
    'GET',
    `/v1/pull?cursor=${cursor}&limit=${Math.min(DEFAULT_PULL_LIMIT, applyN - fetched)}&protocol_version=${PROTOCOL_VERSION}&schema_version=${device.ctx.change.schemaVersion}`,
  )
  if (page.must_refetch) throw new Error('unexpected refetch')
  pages.push(page.rows)
  fetched += page.rows.length
  cursor = page.next_cursor
  if (!page.has_more) break
}
// These pages were asked for without a link rate: HQ compressed them as for a slow link (brotli 8),
// so they are what a 2G device downloads for the county.
const slowLinkBytes = pager.traffic.bytesReceived
out.initialSlowLinkBytes = slowLinkBytes
console.log(`the county's pages as a slow link receives them (brotli 8): ${kb(slowLinkBytes)} (the loopback sync above was sent brotli 3, a LAN's quality)`)
const fresh = openTestCore()
const fsql = fresh.ctx.db.$client
t = performance.now()
fsql.pragma('foreign_keys = OFF')
fsql.pragma('synchronous = NORMAL') // as the engine applies a page
// As the engine writes an empty device's first pull: a bulk load (indexes and derived tables
// built once, in the last page's transaction), which the figure includes.
for (const [i, page] of pages.entries())
  fsql.transaction(() => {
    if (i === 0) beginBulkLoad(fsql)
    applyPulledRows(fsql, page.map(fromWire), new Date().toISOString(), (h) => fresh.ctx.change.clock.receive(h))
    if (i === pages.length - 1) finishBulkLoad(fsql)
  })()
fsql.pragma('foreign_keys = ON')
fsql.pragma('synchronous = FULL')
const applyMs = performance.now() - t
out.apply = { rows: fetched, seconds: applyMs / 1000 }
console.log(`apply ${fetched} pulled changes: ${s(applyMs)} (${Math.round(fetched / (applyMs / 1000))} rows/s)`)
const applyRate = fetched / (applyMs / 1000)
target(`apply ${fetched} pulled changes`, `${Math.round(applyRate)} rows/s`, '≥ 30,000 rows/s', applyRate >= 30_000)
fresh.dispose()
device.dispose()
hq.kill('SIGTERM')
await new Promise((done) => hq.once('exit', done))
rmSync(hqDir, { recursive: true, force: true })

// ---- PouchDB reference peer, same county size (20k customers; visits as given)
interface PouchPhase {
  seconds: { median: number }
  bytes_up: { median: number }
  bytes_down: { median: number }
  http_requests: { median: number }
}
let pouch: { visits: number; phases: Record<string, PouchPhase> } | undefined
if (args['pouch-summary']) pouch = JSON.parse(readFileSync(args['pouch-summary'], 'utf8'))
else if (!args['no-pouch'] && !args.quick) {
  const dir = args['pouch-dir']
  if (!dir) console.log('PouchDB: no reference peer (--pouch-dir DIR or GRIDDESK_POUCH_DIR); skipped')
  else if (!existsSync(join(dir, 'node_modules'))) console.log(`PouchDB: run \`npm ci\` in ${dir} first; skipped`)
  else {
    const outDir = join(RESULTS, 'pouchdb')
    console.log(`PouchDB reference: node bench.js --visits ${visits} --runs 1 (several minutes) …`)
    const code = await new Promise<number | null>((done) =>
      spawn(process.execPath, ['bench.js', '--visits', String(visits), '--runs', '1', '--out', outDir], {
        cwd: dir,
        stdio: ['ignore', 'inherit', 'inherit'],
      }).on('exit', done),
    )
    if (code === 0) pouch = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8'))
  }
}
if (pouch) {
  const pull = pouch.phases.b_pull!
  const pouchBytes = pull.bytes_up.median + pull.bytes_down.median
  // Bytes matter on a slow link: the county as HQ compresses it for one (a fast link gets 7% more).
  const ours = initial.bytesSent + slowLinkBytes
  out.pouch = {
    visits: pouch.visits,
    initialPull: { seconds: pull.seconds.median, bytes: pouchBytes, requests: pull.http_requests.median },
    daySlow: pouch.phases.e_day_slow,
  }
  console.log(
    `PouchDB (${pouch.visits} visits, 20,000 customers) initial pull to a fresh device: ${pull.seconds.median.toFixed(2)} s, ${kb(pouchBytes)}, ${pull.http_requests.median} requests`,
  )
  const slow = pouch.phases.e_day_slow
  if (slow)
    console.log(
      `PouchDB day's sync (128 kbps, 600 ms RTT): ${slow.seconds.median.toFixed(2)} s, ${kb(slow.bytes_up.median + slow.bytes_down.median)}, ${slow.http_requests.median} requests`,
    )
  target('initial sync bytes vs PouchDB (slow-link compression)', `${(ours / pouchBytes).toFixed(3)}×`, '≤ 0.3×', ours <= 0.3 * pouchBytes)
  target(
    'initial sync time vs PouchDB',
    `${(initial.millis / 1000 / pull.seconds.median).toFixed(3)}×`,
    '≤ 0.3×',
    initial.millis / 1000 <= 0.3 * pull.seconds.median,
  )
}

console.log('\ntargets:')
for (const x of targets) console.log(`  ${x.pass ? 'PASS' : 'FAIL'}  ${x.name}: ${x.value} (target ${x.target})`)
out.targets = targets
writeFileSync(join(RESULTS, 'sync.json'), JSON.stringify(out, null, 2))
console.log(JSON.stringify({ initial: out.initial, dayThrottled: out.dayThrottled, apply: out.apply, pouch: out.pouch, pass: targets.every((x) => x.pass) }))
process.exit(targets.every((x) => x.pass) ? 0 : 1)
