// The HQ sync server's HTTP surface: enrol, push, pull. Bodies may be gzip-compressed both ways;
// every error is `{ error: { code, message, details } }` with a status a client can act on.
import { promisify } from 'node:util'
import { brotliCompress, constants as zlibConstants, createGunzip, gzip } from 'node:zlib'
import rateLimit from '@fastify/rate-limit'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { z } from 'zod'
import { crashPoint } from '../shared/sync/crashPoint'
import {
  enrolRequestSchema,
  MAX_BODY_BYTES,
  MAX_PULL_LIMIT,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  pushRequestSchema,
  type EnrolResponse,
  type PushResponse,
  type SyncErrorCode,
  type WireRow,
} from '../shared/sync/protocol'
import { AccountError, authenticate, enrolCodeIsLive, enrolDevice, regionsOf, type DevicePrincipal } from './accounts'
import type { HqDb } from './db/client'
import { OutsideScopeError, pull, push, SeqGapError, startEpoch } from './sync'
import { registerBasemapRoutes } from './basemaps'
import { textProblem } from '../shared/rules'
import { deviceShape, fromDevice, SYNC_SCHEMA_VERSION, toDevice, type DeviceShape } from '../shared/sync/versions'

/** Where a push batch's envelope holds text PostgreSQL cannot store (NUL, lone surrogates), or undefined. */
function batchTextProblem(input: {
  device_id: string
  changes: { change_id: string; hlc: string; table_name: string; row_id: string; fields: Record<string, unknown>; base: Record<string, string | null> }[]
}): string | undefined {
  if (textProblem(input.device_id)) return 'device_id'
  for (const [i, c] of input.changes.entries()) {
    for (const key of ['change_id', 'hlc', 'table_name', 'row_id'] as const) if (textProblem(c[key])) return `changes.${i}.${key}: ${textProblem(c[key])}`
    for (const field of Object.keys(c.fields)) if (textProblem(field)) return `changes.${i}.fields: ${textProblem(field)} in a field name`
    for (const [field, v] of Object.entries(c.base))
      if (textProblem(field) || (v !== null && textProblem(v))) return `changes.${i}.base: ${textProblem(field) ?? textProblem(v!)}`
  }
  return undefined
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: SyncErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: DevicePrincipal
  }
}

/**
 * Admission for sync requests: at most `active` run at once (about the connection pool: more would
 * only wait for a connection), at most `queued` wait, none longer than `maxWaitMs`. Beyond that HQ
 * answers 429 HQ_BUSY with Retry-After (the time the queue ahead needs, by the recent service time),
 * and the device comes back later, jittered, instead of piling up in memory and timing out.
 */
export class Admission {
  private running = 0
  private readonly waiting: { go: () => void }[] = []
  /** Recent service time of a request, ms (moving average). */
  private serviceMs = 50

  constructor(readonly limits: { active: number; queued: number; maxWaitMs: number }) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.active) {
      if (this.waiting.length >= this.limits.queued) throw this.busy()
      await new Promise<void>((resolve, reject) => {
        const entry = {
          go: () => {
            clearTimeout(timer)
            resolve()
          },
        }
        const timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1)
          reject(this.busy())
        }, this.limits.maxWaitMs)
        this.waiting.push(entry)
      })
    } else this.running++
    const started = performance.now()
    try {
      return await work()
    } finally {
      this.serviceMs = this.serviceMs * 0.9 + (performance.now() - started) * 0.1
      // The slot passes straight to the next in line (nobody overtakes it meanwhile).
      const next = this.waiting.shift()
      if (next) next.go()
      else this.running--
    }
  }

  /** Requests running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length }
  }

  private busy(): HttpError {
    const seconds = Math.min(60, Math.max(1, Math.ceil(((this.waiting.length + this.running) / this.limits.active) * (this.serviceMs / 1000))))
    return new HttpError(429, 'HQ_BUSY', `HQ is busy: ${this.running} sync requests running, ${this.waiting.length} waiting; try again in ${seconds} s`, {
      retry_after_s: seconds,
    })
  }
}

/** Sync requests run at once and waiting when ServerOptions.admission is not given. */
export const DEFAULT_ADMISSION = { active: 8, queued: 200, maxWaitMs: 20_000 }

export interface ServerOptions {
  db: HqDb
  /** true, or pino options (tests pass a stream). Requests are logged without bodies; errors without values. */
  logger?: boolean | Record<string, unknown>
  /** Serve HTTPS with this certificate (PEM) and key. */
  https?: { cert: string | Buffer; key: string | Buffer }
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (rate limits per client). */
  trustProxy?: boolean
  /** Enrolment attempts per client address and window (default 10 per 15 minutes). */
  enrolRateLimit?: { max: number; timeWindow: number }
  /** Where the basemap catalogue lives (hq:admin basemap add); none: no basemaps are offered. */
  basemapsDir?: string
  /** Sync requests running at once and waiting (default DEFAULT_ADMISSION). */
  admission?: { active: number; queued: number; maxWaitMs: number }
}

/**
 * The device's protocol and sync schema version (shared/sync/versions.ts): the shape HQ translates
 * its changes and rows to, or an error the device shows in words (too old: update the app, its
 * outbox is kept; too new: HQ must be upgraded first).
 */
function checkVersions(protocolVersion: number, schemaVersion: number): DeviceShape {
  if (protocolVersion > PROTOCOL_VERSION)
    throw new HttpError(
      400,
      'PROTOCOL_TOO_NEW',
      `this server speaks sync protocol ${MIN_PROTOCOL_VERSION}–${PROTOCOL_VERSION}; the app uses ${protocolVersion}: the server must be upgraded first`,
    )
  if (protocolVersion < MIN_PROTOCOL_VERSION)
    throw new HttpError(426, 'UPGRADE_REQUIRED', `sync protocol ${protocolVersion} is no longer accepted; upgrade the app (pending changes are kept)`)
  const verdict = deviceShape(schemaVersion)
  if (verdict.ok) return verdict.shape
  const details = { schema_version: schemaVersion, oldest: verdict.oldest, newest: verdict.newest }
  if (verdict.reason === 'too_new')
    throw new HttpError(
      400,
      'SCHEMA_TOO_NEW',
      `the app's sync schema ${schemaVersion} is newer than the server's ${verdict.newest}: the server must be upgraded first`,
      details,
    )
  throw new HttpError(
    426,
    'UPGRADE_REQUIRED',
    `the app's sync schema ${schemaVersion} is too old: HQ serves ${verdict.oldest}–${verdict.newest}; update the app (pending changes are kept)`,
    details,
  )
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = result.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
  throw new HttpError(400, 'VALIDATION', `invalid request: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`, { issues })
}

const pullQuerySchema = z.object({
  cursor: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(500),
  scope: z.string().max(64).optional(),
  regions: z.string().max(2000).optional(),
  /** '1': leave out rows this device wrote and already holds (incremental pulls, never a refetch). */
  skip_own: z.enum(['0', '1']).optional(),
  /** '1': also say how many rows remain from the cursor (progress bars). */
  count: z.enum(['0', '1']).optional(),
  /** The store epoch the cursor belongs to (tells a restored store). */
  epoch: z.string().max(64).optional(),
  /** The device's measured download rate (kbit/s, its last page): a fast link gets cheaper compression. */
  link_kbps: z.coerce.number().int().min(0).optional(),
  protocol_version: z.coerce.number().int(),
  schema_version: z.coerce.number().int().min(0),
})

const brotliAsync = promisify(brotliCompress)

/**
 * Brotli's quality for a pull page, by the download rate the device measured on its last page
 * (`link_kbps`, HQ's own time left out): 8 on a slow or unknown link, 4 from FAST_LINK_KBPS, 3 from
 * LAN_LINK_KBPS, 1 from GIGABIT_LINK_KBPS. On the demo county's pages quality 8 is 7% smaller than
 * 4 and costs 2.5× the CPU (17.7 s against 7.0 s for the 195 MB of a first pull): worth it on 2G,
 * where 7% is minutes. 3 is a faster algorithm than 4 (a third of its CPU for 14% more bytes):
 * quality 4 writes about 23 Mbit/s of output on one core here, so on a faster link it, not the
 * link, sets the pace — and HQ serves more devices per core. 1 takes about half of 3's CPU for
 * 4–14% more bytes (a day's 574 KB page: 1.9 against 3.6 ms, 86 against 83 KB; a first pull's
 * 13.8 MB page: 41 against 75 ms, 1.77 against 1.55 MB): from 100 Mbit/s on the time it saves is
 * more than the extra bytes take to send, and at a morning peak on an office network it is HQ's
 * CPU that is short.
 */
export const FAST_LINK_KBPS = 2_000
export const LAN_LINK_KBPS = 20_000
export const GIGABIT_LINK_KBPS = 100_000
const brotliQuality = (query: unknown) => {
  const kbps = Number((query as { link_kbps?: unknown } | undefined)?.link_kbps)
  return kbps >= GIGABIT_LINK_KBPS ? 1 : kbps >= LAN_LINK_KBPS ? 3 : kbps >= FAST_LINK_KBPS ? 4 : 8
}
const ROWS_END = Buffer.from(']}')

/** log2 of the brotli window for a body of this many bytes: its size rounded up, 16–24 (16 MB). */
export const brotliWindow = (bytes: number) => Math.min(24, Math.max(16, Math.ceil(Math.log2(bytes + 1))))
const gzipAsync = promisify(gzip)

/** Seconds a device waits before sending again a request the database cut (503). */
export const DB_RETRY_AFTER_S = 1

const errorCodeOf = (error: unknown): string | undefined => {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}

/**
 * Whether a failed query failed because the database went away, not because of the request:
 * PostgreSQL terminating the connection or shutting down or starting up (57P01–57P03), a
 * connection exception (08xxx), too many connections (53300), the socket refused or reset,
 * node-postgres's own "Connection terminated", or no pool connection free in time. Drizzle wraps the driver's error: its causes count.
 */
export function databaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = String((e as { code?: unknown }).code ?? '')
    if (/^(57P0[123]|08\d{3}|08P01|53300)$/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code)) return true
    const message = String((e as { message?: unknown }).message ?? '')
    if (
      /^(Connection terminated|Client has encountered a connection error and is not queryable|terminating connection|the database system is (starting up|shutting down|in recovery mode)|timeout exceeded when trying to connect)/i.test(
        message,
      )
    )
      return true
  }
  return false
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { db } = options
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: options.trustProxy ?? false,
    ...(options.https ? { https: options.https } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance
  // Per-route limits only (enrolment); answered in the protocol's error shape.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'RATE_LIMITED', `too many enrolment attempts; try again in ${Math.ceil(context.ttl / 1000)} s`),
  })
  const admission = new Admission(options.admission ?? DEFAULT_ADMISSION)
  const epoch = await startEpoch(db)
  app.log.info({ epoch }, 'store epoch started')

  // gzip request bodies: decompressed before parsing; the body limit applies to the inflated bytes.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']
    if (!encoding || encoding === 'identity') return payload
    if (encoding !== 'gzip') throw new HttpError(415, 'VALIDATION', `content-encoding ${encoding} is not supported; use gzip`)
    delete request.headers['content-length']
    return payload.pipe(createGunzip())
  })

  // Compressed responses when the client accepts it and the body is worth compressing (2G links):
  // brotli, else gzip, on the thread pool (the next query runs meanwhile). Measured on the demo
  // county's pull pages: brotli is ~25% smaller than gzip. Per 1,000 rows of 20,000-row pages:
  // quality 7 with a 4 MB window 40 KB in 8 ms; 8 with 16 MB (used on slow links) 39 KB in 13 ms;
  // 9 adds 1% for 50% more time; 10 saves another 10% but takes 150 ms. A device on a fast link
  // says so (link_kbps) and gets quality 4 (brotliQuality).
  // JSON only: as text, or as bytes (a pull page, put together from the database's text without
  // joining it into one string: a 1.4 MB page measured its UTF-8 length and was encoded again).
  app.addHook('onSend', async (request, reply, payload) => {
    const json = typeof payload === 'string' || (Buffer.isBuffer(payload) && String(reply.getHeader('content-type') ?? '').startsWith('application/json'))
    if (!json || (payload as string | Buffer).length < 1024) return payload
    const accepted = String(request.headers['accept-encoding'] ?? '')
    const body = typeof payload === 'string' ? Buffer.from(payload) : (payload as Buffer)
    if (/\bbr\b/.test(accepted)) {
      reply.header('content-encoding', 'br')
      reply.removeHeader('content-length')
      const bytes = body.length
      return brotliAsync(body, {
        params: {
          [zlibConstants.BROTLI_PARAM_QUALITY]: brotliQuality(request.query),
          // A window no larger than the body (the same output; a 16 MB window's tables are
          // allocated and cleared for every 15 KB push answer otherwise).
          [zlibConstants.BROTLI_PARAM_LGWIN]: brotliWindow(bytes),
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes,
        },
      })
    }
    if (!/\bgzip\b/.test(accepted)) return payload
    reply.header('content-encoding', 'gzip')
    reply.removeHeader('content-length')
    return gzipAsync(body)
  })

  // HQ's own time on each answer (reading, building, compressing; the link's time is not in it):
  // a device measures its link's rate without it. After the compression hook: its time counts.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(1)}`)
    return payload
  })

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError && error.code === 'HQ_BUSY') reply.header('retry-after', String(error.details?.retry_after_s ?? 1))
    if (error instanceof HttpError) return reply.status(error.status).send({ error: { code: error.code, message: error.message, details: error.details } })
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply
        .status(413)
        .send({ error: { code: 'BODY_TOO_LARGE', message: `the request body exceeds ${MAX_BODY_BYTES} bytes; send fewer changes per batch` } })
    if (error.statusCode && error.statusCode < 500) return reply.status(error.statusCode).send({ error: { code: 'VALIDATION', message: error.message } })
    // The database went away under the query (connections terminated, PostgreSQL restarting):
    // nothing was committed, the pool reconnects; the device sends the request again shortly.
    if (databaseUnavailable(error)) {
      app.log.warn({ route: request.routeOptions.url, method: request.method, code: errorCodeOf(error) }, 'database unavailable')
      return reply
        .status(503)
        .header('retry-after', String(DB_RETRY_AFTER_S))
        .send({
          error: {
            code: 'HQ_UNAVAILABLE',
            message: 'HQ lost its database connection (restarting?); try again shortly',
            details: { retry_after_s: DB_RETRY_AFTER_S },
          },
        })
    }
    // Never the error itself: a failed query's message carries the row's values (names, phones).
    app.log.error(
      { route: request.routeOptions.url, method: request.method, error: error.name, code: error.code ?? (error.cause as { code?: string } | undefined)?.code },
      'request failed',
    )
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'the server failed; try again later' } })
  })
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }))

  const requireDevice = async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? ''
    const token = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header)?.[1]
    if (!token) throw new HttpError(401, 'UNAUTHORIZED', 'a device token is required (Authorization: Bearer …); enrol the device first')
    const principal = await authenticate(db, token)
    // Only the holder of a revoked device's own token learns it was revoked: it locks its store.
    if (principal === 'revoked') throw new HttpError(401, 'DEVICE_REVOKED', 'this device was revoked by an administrator; it locks its store')
    if (!principal) throw new HttpError(401, 'UNAUTHORIZED', 'the device token is unknown; enrol the device again')
    request.principal = principal
  }

  if (options.basemapsDir) registerBasemapRoutes(app, { db, dir: options.basemapsDir, requireDevice })

  app.get('/v1/health', async () => ({
    ok: true,
    protocol_version: PROTOCOL_VERSION,
    schema_version: SYNC_SCHEMA_VERSION,
    server_time: new Date().toISOString(),
  }))

  const enrolLimit = options.enrolRateLimit ?? { max: 10, timeWindow: 15 * 60_000 }
  // Only wrong codes count against an address: a county office enrolling its laptops behind one
  // address is never held up, a guesser is (a live code is used up by the request it rides on).
  const liveCode = async (request: { body?: unknown }) => {
    const code = (request.body as { code?: unknown } | undefined)?.code
    return typeof code === 'string' && code.length <= 64 && (await enrolCodeIsLive(db, code))
  }
  app.post('/v1/enrol', { config: { rateLimit: { ...enrolLimit, hook: 'preHandler', allowList: liveCode } } }, async (request, reply: FastifyReply) => {
    const input = parse(enrolRequestSchema, request.body)
    try {
      const enrolled = await enrolDevice(db, input)
      const body: EnrolResponse = { device_id: enrolled.deviceId, token: enrolled.token, user: enrolled.user, regions: await regionsOf(db, enrolled.user.id) }
      return reply.status(201).send(body)
    } catch (error) {
      if (error instanceof AccountError)
        throw new HttpError(
          error.code === 'ENROL_CODE_INVALID' ? 403 : 400,
          error.code === 'ENROL_CODE_INVALID' ? 'ENROL_CODE_INVALID' : 'VALIDATION',
          error.message,
        )
      throw error
    }
  })

  app.post('/v1/push', { preHandler: requireDevice }, async (request) => {
    const body = request.body as Record<string, unknown> | undefined
    // Versions first: a future protocol may have a body this server cannot validate.
    if (body && typeof body.protocol_version === 'number' && typeof body.schema_version === 'number') checkVersions(body.protocol_version, body.schema_version)
    const input = parse(pushRequestSchema, body)
    const shape = checkVersions(input.protocol_version, input.schema_version)
    // The batch's own text (ids, clocks, table and field names) is the device's bookkeeping: text
    // PostgreSQL cannot hold there is a malformed request, not a server failure. Field values are
    // checked change by change (a bad one is rejected with its reason, the rest apply).
    const envelopeProblem = batchTextProblem(input)
    if (envelopeProblem) throw new HttpError(400, 'VALIDATION', `invalid request: ${envelopeProblem}`)
    const principal = request.principal!
    if (input.device_id !== principal.deviceId) throw new HttpError(403, 'FORBIDDEN', 'the batch names another device than the token')
    try {
      // The device's pull cursor when it sent the batch (a query parameter, so older servers ignore it).
      const cursor = Number((request.query as Record<string, unknown> | undefined)?.pull_cursor)
      // An older device's changes under this build's names; HQ's answers under the device's.
      const changes = shape.current
        ? input.changes
        : input.changes.map((c) => ({ ...c, fields: fromDevice(shape, c.table_name, c.fields), base: fromDevice(shape, c.table_name, c.base) }))
      const pushed = await admission.run(() => push(db, principal, { changes }, Number.isSafeInteger(cursor) && cursor >= 0 ? cursor : undefined))
      const lastDeviceSeq = pushed.lastDeviceSeq
      const tables = new Map(changes.map((c) => [c.device_seq, c.table_name]))
      const results = shape.current
        ? pushed.results
        : pushed.results.map((r) => (r.server ? { ...r, server: toDevice(shape, tables.get(r.device_seq) ?? '', r.server) } : r))
      crashPoint('server.push-committed')
      const response: PushResponse = { results, last_device_seq: lastDeviceSeq, server_time: new Date().toISOString() }
      return response
    } catch (error) {
      if (error instanceof SeqGapError)
        throw new HttpError(
          409,
          'SEQ_GAP',
          `the server expects device_seq ${error.expected} next (it may have been restored from a backup): push again from there`,
          { expected: error.expected },
        )
      throw error
    }
  })

  app.get('/v1/pull', { preHandler: requireDevice }, async (request, reply) => {
    const query = parse(pullQuerySchema, request.query)
    const shape = checkVersions(query.protocol_version, query.schema_version)
    try {
      const result = await admission.run(() =>
        pull(db, request.principal!, {
          cursor: query.cursor,
          limit: query.limit,
          scope: query.scope,
          regions: query.regions ? query.regions.split(',').filter(Boolean) : undefined,
          skipOwn: query.skip_own === '1',
          count: query.count === '1',
          protocol: query.protocol_version < 2 ? 1 : 2,
          ...(query.epoch ? { epoch: query.epoch } : {}),
          ...(shape.missingTables.size ? { excludeTables: [...shape.missingTables] } : {}),
        }),
      )
      if (result.must_refetch) {
        if (result.reason === 'hq_restored' || result.reason === 'cursor_ahead')
          request.log.warn(
            { device: request.principal!.deviceId, cursor: query.cursor, deviceEpoch: query.epoch, lastDeviceSeq: result.last_device_seq },
            `device ${request.principal!.deviceId} has seen changes this store does not hold (restored from a backup?): it refetches and re-sends its changes after #${result.last_device_seq}`,
          )
        return result
      }
      // An older device's rows under its names, without the columns it does not know.
      const fieldsChanged = shape.missingFields.size > 0 || shape.renamed.size > 0
      if (result.protocol === 1) {
        const { protocol: _, ...v1 } = result
        if (fieldsChanged)
          v1.rows = v1.rows.map((r) => ({ ...r, fields: toDevice(shape, r.table_name, r.fields)!, versions: toDevice(shape, r.table_name, r.versions)! }))
        return v1
      }
      // Protocol 2: the rows are JSON text from the database, spliced in without parsing them
      // (parsed and rewritten only for a device whose columns differ).
      const { protocol: _, ...rest0 } = result
      const { wire: raw, ...rest } = rest0
      const wire = fieldsChanged
        ? (JSON.parse(`[${raw}]`) as WireRow[])
            .map(([table, id, version, fields, versions]) =>
              JSON.stringify([table, id, version, toDevice(shape, table, fields), versions && toDevice(shape, table, versions)]),
            )
            .join(',')
        : raw
      const head = JSON.stringify(rest)
      return reply.type('application/json; charset=utf-8').send(Buffer.concat([Buffer.from(`${head.slice(0, -1)},"rows":[`), Buffer.from(wire), ROWS_END]))
    } catch (error) {
      if (error instanceof OutsideScopeError) throw new HttpError(403, 'FORBIDDEN', error.message)
      throw error
    }
  })

  return app
}
