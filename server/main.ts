// `npm run hq -- [--data-dir DIR] [--port N] [--host H] [--tls-cert FILE --tls-key FILE] [--workers N]`:
// starts the HQ sync server on PGlite in DIR (default ./hq-data), or on PostgreSQL when DATABASE_URL
// is set. With a certificate and key it serves HTTPS. Plain HTTP is for a TLS-terminating reverse
// proxy on the same machine (--host 127.0.0.1, --trust-proxy) or development; on any other address
// it needs --allow-insecure-http, since devices send names and phone numbers. `--help` says more.
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { buildServer, DEFAULT_ADMISSION } from './app'
import type { HqDb } from './db/client'
import { backfillWire } from './sync'
import { hqBasemapsDir, makeHqDataPrivate } from './dataDir'
import { defaultPoolSize, openStore, StoreLockedError } from './db/client'

const HELP = `GridDesk HQ sync server

  npm run hq -- [options]            PGlite in --data-dir, or PostgreSQL when DATABASE_URL is set

  --data-dir DIR       PGlite data directory (default hq-data); one process at a time
  --port N             (default 8787)      --host H   (default 127.0.0.1)
  --tls-cert FILE --tls-key FILE           serve HTTPS (PEM)
  --trust-proxy        behind a TLS reverse proxy: client address from X-Forwarded-For
  --allow-insecure-http                    plain HTTP on a network address (development only)
  --workers N          HQ processes sharing the port (PostgreSQL only; default 1). Every process
                       is stateless: several hosts running \`npm run hq\` on one PostgreSQL behind a
                       load balancer need no sticky sessions.
  --pool N             PostgreSQL connections of the whole HQ (default ${defaultPoolSize()} on this machine: 2 per
                       core + 2, 4–32), split between the workers
  --max-active N       sync requests running at once per process (default: its connections; PGlite 2)
  --max-queue N        sync requests waiting per process (default ${DEFAULT_ADMISSION.queued}); beyond, and after
                       ${DEFAULT_ADMISSION.maxWaitMs / 1000} s of waiting, HQ answers 429 with Retry-After and devices retry, jittered

Capacity (bench/hq-load.ts: each device pushes 150 changes and pulls, all at once; the demo
county of 510k rows; HQ, the database and the load generator on one shared 2-core machine):
  PGlite (embedded, the default): one connection, one query at a time, one process. Measured
  79-97 ms of CPU per day's sync: 12-14 syncs/s, p95 3.5-4.1 s at 50 devices over three days
  (load 1.4), HQ peaking at 0.9 GB: a pilot county's few dozen devices, not more.
  Use it for a pilot county; beyond that, or for several processes, PostgreSQL.
  PostgreSQL: ~80 ms of CPU per day's sync at 200 devices (HQ 41-44 + database 36-39 ms; 55-66
  ms at 50), 19-21 syncs/s there with the generator on the same two cores, p95 9.5-10.2 s for
  200 at once (50 at once: p95 1.8-2.1 s).
  Pushes run side by side; add HQ processes (--workers) until the database's cores are the limit.
  A province: one HQ per province on PostgreSQL (docs/deployment.md).`

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: 'hq-data' },
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'trust-proxy': { type: 'boolean', default: false },
    'allow-insecure-http': { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    pool: { type: 'string' },
    'max-active': { type: 'string' },
    'max-queue': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log(HELP)
  process.exit(0)
}
const fail = (message: string): never => {
  console.error(message)
  process.exit(2)
}
const count = (name: string, value: string | undefined, max: number) => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > max) fail(`--${name} takes a whole number from 1 to ${max}`)
  return n
}
const workers = count('workers', values.workers, 4 * availableParallelism())!
const pool = count('pool', values.pool, 1000)
const maxActive = count('max-active', values['max-active'], 10_000)
const maxQueue = count('max-queue', values['max-queue'], 100_000)
if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) fail('Give both --tls-cert FILE and --tls-key FILE (PEM), or neither.')
if (workers > 1 && !process.env.DATABASE_URL) fail('--workers needs PostgreSQL (DATABASE_URL): a PGlite directory is open in one process only.')
const https = values['tls-cert'] && values['tls-key'] ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) } : undefined
const loopback = ['127.0.0.1', '::1', 'localhost'].includes(values.host)
if (!https && !loopback && !values['allow-insecure-http'])
  fail(
    `Refusing to serve plain HTTP on ${values.host}: give --tls-cert and --tls-key, or listen on 127.0.0.1 behind a TLS reverse proxy (--trust-proxy). --allow-insecure-http overrides this for development only.`,
  )

const scheme = https ? 'https' : 'http'
let stopping = false
/** Stores the wire text of rows written before this version, in the background (backfillWire). */
const backfill = (db: HqDb) =>
  backfillWire(db, { pauseMs: 50, stop: () => stopping })
    .then((n) => n > 0 && console.log(`Stored the pull text of ${n} rows written by an earlier version.`))
    .catch((error: Error) => !stopping && console.warn(`Storing the pull text of older rows stopped (${error.message}); it goes on at the next start.`))
if (workers > 1 && cluster.isPrimary) {
  // The primary migrates the store once, then forks the workers; they share the port (the
  // primary hands out connections). A worker that dies is replaced.
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL, poolSize: 1 })
  void backfill(store.db).finally(() => store.close())
  for (let i = 0; i < workers; i++) cluster.fork()
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    console.warn(`HQ worker ${worker.process.pid} exited (${signal ?? code}); starting another`)
    cluster.fork()
  })
  const shutdown = () => {
    stopping = true
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    setTimeout(() => process.exit(0), 5000).unref()
    cluster.on('exit', () => Object.keys(cluster.workers ?? {}).length === 0 && process.exit(0))
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  console.log(`GridDesk HQ on PostgreSQL with ${workers} workers, listening on ${scheme}://${values.host}:${values.port}`)
} else {
  const poolSize = Math.max(2, Math.ceil((pool ?? defaultPoolSize()) / workers))
  // Names and phone numbers: nothing HQ writes is readable by other OS users of this machine.
  makeHqDataPrivate(values['data-dir'])
  const store = await openStore({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: values['data-dir'],
    holder: 'the HQ server (npm run hq)',
    poolSize,
    migrate: cluster.isPrimary,
  }).catch((error: unknown) => {
    if (!(error instanceof StoreLockedError)) throw error
    console.error(error.message)
    process.exit(1)
  })
  // PGlite serves one query at a time: a few requests in flight keep it busy, more only wait.
  const active = maxActive ?? (store.kind === 'postgres' ? poolSize : 2)
  const admission = { active, queued: maxQueue ?? DEFAULT_ADMISSION.queued, maxWaitMs: DEFAULT_ADMISSION.maxWaitMs }
  const app = await buildServer({
    db: store.db,
    logger: true,
    https,
    trustProxy: values['trust-proxy'],
    admission,
    basemapsDir: hqBasemapsDir(values['data-dir']),
  })
  const backfilled = cluster.isPrimary ? backfill(store.db) : Promise.resolve()
  const shutdown = async () => {
    stopping = true
    await app.close()
    await backfilled
    await store.close()
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  await app.listen({ port: Number(values.port), host: values.host })
  if (cluster.isPrimary) {
    console.log(
      `GridDesk HQ on ${store.kind === 'postgres' ? `PostgreSQL (${poolSize} connections)` : `PGlite in ${values['data-dir']}`}, listening on ${scheme}://${values.host}:${values.port}`,
    )
    if (!https)
      console.warn(
        loopback
          ? 'Plain HTTP on a loopback address: put a TLS reverse proxy in front (see SECURITY.md), or use --tls-cert/--tls-key.'
          : 'WARNING: plain HTTP on a network address (--allow-insecure-http). Development only.',
      )
  }
}
