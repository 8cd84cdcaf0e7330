// The device's sync engine (docs/sync.md): push the outbox in batches, then pull pages of the
// device's regions. Every step is one SQLite transaction that also records how far it got, so a
// crash or a cut link at any point resumes without losing or repeating a change: a replayed push
// is answered from the server's log; a pulled page and its cursor commit together.
import { hostname } from 'node:os'
import type { SyncRunResult, SyncWarning } from '../../../shared/api/sync'
import { crashPoint } from '../../../shared/sync/crashPoint'
import {
  FIRST_PULL_PAGE,
  MAX_BODY_BYTES,
  MAX_PULL_LIMIT,
  MAX_PUSH_CHANGES,
  PROTOCOL_VERSION,
  fromWire,
  isPlaceholder,
  type Checkpoint,
  type EnrolResponse,
  type PullResponse,
  type PushResponse,
  type WireChange,
} from '../../../shared/sync/protocol'
import type { HandlerContext } from '../context'
import { forgetFileKey } from '../crypto/files'
import { shredKey } from '../crypto/keys'
import {
  beginBulkLoad,
  BULK_LOAD_MIN_ROWS,
  bulkLoadPending,
  checkpointsHeld,
  finishBulkLoad,
  holdsNoSyncedRows,
  releaseCheckpoints,
} from '../db/repos/bulkLoad'
import { checkpointInBackground } from '../db/backup'
import { storeTiers } from '../db/repos/customers'
import { getState, setState } from '../db/repos/syncState'
import {
  acknowledgedSeq,
  applyPulledRows,
  applyPushResults,
  beginRefetchSweep,
  outboxResult,
  resumeRefetchSweep,
  setAside,
  localCheckpoint,
  pendingChanges,
  initChecksumIfEmpty,
  renumberPendingAfter,
  pendingCount,
  storeChecksum,
  storedChecksum,
  sweepUnseen,
  unmarkPushedFrom,
} from '../db/repos/sync'
import { HqClient, SyncHttpError, type FetchLike, type Timeouts } from './hqClient'

export const SKEW_WARN_MS = 5 * 60_000
/** A pulled page should take about this long on the device's link. */
const PAGE_SECONDS = 15
const MIN_ADAPTIVE_PAGE = 500

/**
 * Below this many bytes an answer's time is mostly the round trip, not the link's rate: a day's
 * last page of a few KB over a 20 Mbit/s link with a 50 ms round trip reads as ~1 Mbit/s, and HQ
 * would compress the next morning's page for a 2G link (brotli 8: 2.5× the CPU of 4 for 7% fewer
 * bytes; at a morning peak on PGlite, HQ's CPU per sync 72–88 → 92–144 ms).
 */
export const MIN_RATE_SAMPLE_BYTES = 32 * 1024

/**
 * A download's rate in kbit/s: its bytes over the time they took, less HQ's own time (Server-Timing)
 * and the time this thread was busy applying while the answer waited (the caller takes that off
 * `elapsedMs`). An answer that arrived entirely while the thread was busy reads as very fast: the
 * link then is not what limits the pull. Undefined for an answer too small to say
 * (MIN_RATE_SAMPLE_BYTES): the rate measured before stands.
 */
export function linkRateKbps(bytes: number, elapsedMs: number, serverMs: number): number | undefined {
  if (bytes < MIN_RATE_SAMPLE_BYTES) return undefined
  return Math.round((bytes * 8) / Math.max(1, elapsedMs - serverMs))
}

/**
 * The next pull page's size after a page of `rows` (asked: `current`) took `millis` to arrive:
 * what the link carries in PAGE_SECONDS, at most halving or doubling, within 500…MAX_PULL_LIMIT.
 * A short last page says nothing about the link.
 */
export function nextPageRows(current: number, rows: number, millis: number): number {
  if (rows < current) return current
  const fits = (rows / Math.max(1, millis)) * PAGE_SECONDS * 1000
  return Math.round(Math.min(MAX_PULL_LIMIT, Math.max(MIN_ADAPTIVE_PAGE, current / 2, Math.min(current * 2, fits))))
}

export interface SyncProgress {
  phase: 'push' | 'pull' | 'refetch' | 'verify' | 'done'
  pushed: number
  pending: number
  pulled: number
  /** Rows this run's pull will bring, when the server said (null until then). */
  pullTotal: number | null
  bytesSent: number
  bytesReceived: number
}

export interface ChangeOutcome {
  deviceSeq: number
  table: string
  rowId: string
  status: string
  reason?: string
}

/** What a run did: the same shape the sync.run handler answers with. */
export type SyncReport = Omit<SyncRunResult, 'changes'> & { changes: ChangeOutcome[] }

export interface SyncOptions {
  fetch?: FetchLike
  onProgress?: (progress: SyncProgress) => void
  pushBatch?: number
  pullLimit?: number
  /** An empty device pulling at least this many rows writes them as a bulk load (db/repos/bulkLoad.ts). */
  bulkLoadMinRows?: number
  /** Deadlines of each request (tests shorten them). */
  timeouts?: Partial<Timeouts>
}

const now = () => new Date().toISOString()

export function isEnrolled(ctx: HandlerContext): boolean {
  return getState(ctx.db, 'hq_token') !== undefined && getState(ctx.db, 'hq_url') !== undefined
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * Devices talk to HQ over https:// only. http:// needs the development flag (--allow-insecure-http,
 * kept with the enrolment, or GRIDDESK_ALLOW_INSECURE_HTTP=1) and a server on this computer.
 */
export function assertSecureUrl(server: string, allowInsecureHttp: boolean): void {
  const url = new URL(server)
  if (url.protocol === 'https:') return
  if (url.protocol !== 'http:') throw new SyncHttpError(0, 'INSECURE_URL', `${server} is not an https:// address`, { url: server, reason: 'insecureHq' })
  if (!allowInsecureHttp)
    throw new SyncHttpError(0, 'INSECURE_URL', `${server} is plain http://; use https:// (development: --allow-insecure-http, loopback only)`, {
      url: server,
      reason: 'insecureHq',
    })
  if (!LOOPBACK.has(url.hostname))
    throw new SyncHttpError(0, 'INSECURE_URL', `${server} is plain http:// and not on this computer; use https://`, { url: server, reason: 'insecureHqRemote' })
}

export const insecureHttpAllowed = (ctx: HandlerContext) =>
  process.env.GRIDDESK_ALLOW_INSECURE_HTTP === '1' || getState(ctx.db, 'hq_allow_insecure_http') === '1'

/** HQ revoked this device: its key is shredded and the open store refuses every further call. */
function lockRevoked(ctx: HandlerContext): void {
  const at = new Date().toISOString()
  shredKey(ctx.dataDir, at)
  forgetFileKey(ctx.dataDir)
  ctx.revokedAt = at
}

export async function enrol(
  ctx: HandlerContext,
  server: string,
  code: string,
  deviceName = hostname(),
  fetchImpl?: FetchLike,
  allowInsecureHttp = false,
  beforeSave?: () => void,
): Promise<EnrolResponse> {
  const insecure = allowInsecureHttp || insecureHttpAllowed(ctx)
  assertSecureUrl(server, insecure)
  const client = new HqClient(server, undefined, fetchImpl)
  const response = await client.request<EnrolResponse>('POST', '/v1/enrol', { code, deviceName, deviceId: ctx.change.deviceId })
  ctx.db.transaction((tx) => {
    // What must happen with the enrolment or not at all (clearing the demo county).
    beforeSave?.()
    if (allowInsecureHttp) setState(tx, 'hq_allow_insecure_http', '1')
    setState(tx, 'hq_url', server)
    setState(tx, 'hq_token', ctx.secrets.seal(response.token))
    setState(tx, 'hq_user', JSON.stringify(response.user))
    setState(tx, 'hq_regions', JSON.stringify(response.regions))
  })
  return response
}

/**
 * Learns the server's clock from a response: its time minus ours at the round trip's middle. An
 * answer without a readable time teaches nothing: the offset learned before stays.
 */
function learnOffset(ctx: HandlerContext, serverTime: unknown, sentAt: number, receivedAt: number): number {
  const server = typeof serverTime === 'string' ? Date.parse(serverTime) : NaN
  if (!Number.isFinite(server)) return ctx.change.clock.offsetMillis
  const offset = server - Math.round((sentAt + receivedAt) / 2)
  ctx.change.clock.offsetMillis = offset
  setState(ctx.db, 'server_offset_ms', String(offset))
  return offset
}

/** Keys of the device's sync state this engine reads and writes (sync_state). */
export const SYNC_KEYS = {
  pullCursor: 'pull_cursor',
  pullScope: 'pull_scope',
  refetch: 'refetch',
  /** Why the refetch in progress began (scope_changed keeps no unconfirmed rows). */
  refetchReason: 'refetch_reason',
  /** The HQ store epoch the pull cursor belongs to. */
  epoch: 'hq_epoch',
  /** Outbox entries up to this device_seq were seen in a matching checkpoint: HQ holds them. */
  confirmedSeq: 'confirmed_seq',
  barrier: 'sync_barrier',
  /** Set by a restore from a backup (db/backup.ts): the first sync renumbers and refetches. */
  restored: 'restored_from_backup',
  /** The download rate of the last pull page (kbit/s): the next pull's first page says it too. */
  linkKbps: 'link_kbps',
} as const

type Sqlite = HandlerContext['db']['$client']

/** The typed state of one run, shared by its phases. */
interface RunState {
  readonly ctx: HandlerContext
  readonly sqlite: Sqlite
  readonly client: HqClient
  readonly options: SyncOptions
  readonly report: SyncReport
  pullTotal: number | null
  /** Changes per push request: halved when the server says a body is too large. */
  batch: number
  /** A checkpoint mismatch is repaired by one refetch per run at most. */
  refetchedOnce: boolean
  /** The checkpoint of the pull's last page, for verify. */
  lastCheckpoint?: Checkpoint
  /** Set when a pull learned that HQ lost acknowledged changes: push again before pulling on. */
  resend: boolean
}

/** What a phase says comes next. */
type Next = 'push' | 'pull' | 'verify' | 'done'

export async function runSync(ctx: HandlerContext, options: SyncOptions = {}): Promise<SyncReport> {
  const started = performance.now()
  const url = getState(ctx.db, 'hq_url')
  const sealed = getState(ctx.db, 'hq_token')
  const token = sealed === undefined ? undefined : ctx.secrets.open(sealed)
  if (!url || !token) throw new SyncHttpError(0, 'UNAUTHORIZED', 'this device is not enrolled with an HQ server yet')
  assertSecureUrl(url, insecureHttpAllowed(ctx))
  const client = new HqClient(url, token, options.fetch, options.timeouts)
  const run: RunState = {
    ctx,
    sqlite: ctx.db.$client,
    client,
    options,
    pullTotal: null,
    batch: Math.min(options.pushBatch ?? MAX_PUSH_CHANGES, MAX_PUSH_CHANGES),
    refetchedOnce: false,
    resend: false,
    report: {
      pushed: 0,
      results: { applied: 0, superseded: 0, conflict: 0, rejected: 0 },
      changes: [],
      pulledRows: 0,
      pages: 0,
      pullConflicts: 0,
      refetched: false,
      regionRemoved: [],
      dropped: 0,
      checkpoint: 'skipped',
      bytesSent: 0,
      bytesReceived: 0,
      roundTrips: 0,
      millis: 0,
      clockSkewMs: 0,
      warnings: [],
    },
  }
  const { report } = run
  try {
    // push → pull → verify; a pull that finds HQ lost acknowledged changes goes back to push, a
    // verify that finds a divergence goes back to pull (a refetch). Bounded: each loop-back is once.
    if (getState(ctx.db, SYNC_KEYS.restored)) await afterRestore(run)
    let next: Next = 'push'
    for (let guard = 0; next !== 'done'; guard++) {
      if (guard > 20) throw new SyncHttpError(0, 'INTERNAL', 'sync did not settle (the server keeps asking for the same thing)')
      if (next === 'push') next = await pushPhase(run)
      else if (next === 'pull') next = await pullPhase(run)
      else next = verifyPhase(run)
    }
    if (Math.abs(report.clockSkewMs) > SKEW_WARN_MS) {
      const minutes = Math.round(report.clockSkewMs / 60_000)
      report.warnings.push({
        code: 'clock_skew',
        params: { minutes },
        message: `this computer's clock is off by ${minutes} minutes; sync corrected it, but please set the clock`,
      })
    }
    const aside = report.changes.filter((c) => c.status === 'rejected').length
    if (aside > 0)
      report.warnings.push({ code: 'changes_set_aside', params: { count: aside }, message: `${aside} change(s) were refused and set aside: see the sync page` })
    setState(ctx.db, 'last_sync_at', now())
    setState(ctx.db, 'last_sync_error', '')
    progress(run, 'done')
  } catch (error) {
    if (error instanceof SyncHttpError && error.code === 'DEVICE_REVOKED') {
      lockRevoked(ctx)
      throw error
    }
    setState(ctx.db, 'last_sync_error', error instanceof Error ? `${(error as SyncHttpError).code ?? 'ERROR'}: ${error.message}` : String(error))
    throw error
  } finally {
    report.bytesSent = client.traffic.bytesSent
    report.bytesReceived = client.traffic.bytesReceived
    report.roundTrips = client.traffic.roundTrips
    report.millis = Math.round(performance.now() - started)
  }
  return report
}

/**
 * The first sync after this store was restored from a backup. HQ may hold changes this device
 * made after the backup: the changes waiting here would reuse their numbers (and HQ would answer
 * them as replays), so they move past HQ's last one; and a refetch brings back this device's own
 * later work, which an incremental pull leaves out as "already held".
 */
async function afterRestore(run: RunState): Promise<void> {
  const { ctx, sqlite, client, report } = run
  const params = new URLSearchParams({ cursor: '0', limit: '1', protocol_version: String(PROTOCOL_VERSION), schema_version: String(ctx.change.schemaVersion) })
  const page = await client.request<PullResponse>('GET', `/v1/pull?${params}`)
  const hqLast = page?.last_device_seq
  const moved = typeof hqLast === 'number' ? sqlite.transaction(() => renumberPendingAfter(sqlite, hqLast))() : 0
  beginRefetch(ctx, 'restored_backup')
  sqlite.prepare('DELETE FROM sync_state WHERE key = ?').run(SYNC_KEYS.restored)
  report.warnings.push({
    code: 'restored_backup',
    params: { count: moved },
    message: `this computer's data was restored from a backup: ${moved} waiting change(s) renumbered after HQ's, and the regions are fetched again`,
  })
}

const progress = (run: RunState, phase: SyncProgress['phase']) =>
  run.options.onProgress?.({
    phase,
    pushed: run.report.pushed,
    pending: pendingCount(run.sqlite),
    pulled: run.report.pulledRows,
    pullTotal: run.pullTotal,
    bytesSent: run.client.traffic.bytesSent,
    bytesReceived: run.client.traffic.bytesReceived,
  })

const persistClock = (ctx: HandlerContext) => setState(ctx.db, 'hlc', ctx.change.clock.current)
const receiver = (ctx: HandlerContext) => (hlc: string) => ctx.change.clock.receive(hlc)

/**
 * Barrier: everything committed before it is on disk when it returns. Pulled pages commit with
 * synchronous = NORMAL; this write commits with the connection's FULL, which syncs the WAL and
 * every page before it. Used before telling the server a cursor (push) it will rely on.
 */
function durable(ctx: HandlerContext, name: 'pull-cursor-before-push'): void {
  setState(ctx.db, SYNC_KEYS.barrier, name)
}

/** Bytes a batch will take in the request body (before gzip): the server's limit is on these. */
const bodyBytes = (changes: WireChange[]) => Buffer.byteLength(JSON.stringify(changes)) + 200
/** Room kept under the server's body limit for the request's envelope and JSON escapes. */
const BODY_BUDGET = Math.floor(MAX_BODY_BYTES * 0.9)

/**
 * Push: the outbox oldest first, one batch per request; results and "pushed" commit together.
 * A batch too large for the server's body limit is halved (before sending when its size says so,
 * or on 413); a single change too large, or refused as a request by the server's checks, is set
 * aside with its reason and sent as a placeholder so the rest goes on.
 */
async function pushPhase(run: RunState): Promise<Next> {
  const { ctx, sqlite, client, report } = run
  // The server marks rows this push leaves exactly as this device holds them, judged by the pull
  // cursor sent along: it must be on disk first. While refetching the device holds nothing for sure.
  const pushCursor = getState(ctx.db, SYNC_KEYS.refetch) === '1' ? '0' : (getState(ctx.db, SYNC_KEYS.pullCursor) ?? '0')
  durable(ctx, 'pull-cursor-before-push')
  run.resend = false
  for (let guard = 0; guard < 1_000_000; guard++) {
    let changes: WireChange[] = pendingChanges(sqlite, run.batch)
    if (changes.length === 0) break
    while (changes.length > 1 && bodyBytes(changes) > BODY_BUDGET) changes = changes.slice(0, Math.ceil(changes.length / 2))
    if (changes.length === 1 && !isPlaceholder(changes[0]!) && bodyBytes(changes) > BODY_BUDGET) {
      setAside(sqlite, changes[0]!.device_seq, `too_large: ${bodyBytes(changes)} bytes; the server takes at most ${MAX_BODY_BYTES}`)
      continue
    }
    crashPoint('push.batch-built')
    progress(run, 'push')
    const sentAt = ctx.change.clock.wallTime()
    let response: PushResponse
    try {
      response = await client.request<PushResponse>('POST', `/v1/push?pull_cursor=${pushCursor}`, {
        protocol_version: PROTOCOL_VERSION,
        schema_version: ctx.change.schemaVersion,
        device_id: ctx.change.deviceId,
        changes,
      })
    } catch (error) {
      if (!(error instanceof SyncHttpError)) throw error
      if (error.code === 'SEQ_GAP' && typeof error.details?.expected === 'number') {
        // The server forgot changes it had acknowledged: send them again from where it stands.
        const resent = sqlite.transaction(() => unmarkPushedFrom(sqlite, error.details!.expected as number))()
        report.warnings.push({
          code: 'changes_resent',
          params: { from: error.details.expected as number, count: resent },
          message: `the server asked for changes from #${error.details.expected} again (${resent} re-sent)`,
        })
        if (resent === 0) throw error
        continue
      }
      // A request the server refuses as a whole because of its body: smaller, down to one change.
      const bodyRefused =
        error.code === 'BODY_TOO_LARGE' || error.status === 413 || (error.code === 'VALIDATION' && error.status === 400 && refersToChanges(error))
      if (!bodyRefused) throw error
      if (changes.length > 1) {
        run.batch = Math.max(1, Math.floor(changes.length / 2))
        continue
      }
      if (isPlaceholder(changes[0]!)) throw error
      setAside(sqlite, changes[0]!.device_seq, error.code === 'VALIDATION' ? `invalid_value: ${error.message}` : `too_large: ${error.message}`)
      continue
    }
    crashPoint('push.response-received')
    if (!Array.isArray(response?.results)) throw notAnHqAnswer('push')
    report.clockSkewMs = learnOffset(ctx, response.server_time, sentAt, ctx.change.clock.wallTime())
    withForeignKeysOff(sqlite, () =>
      sqlite.transaction(() => {
        applyPushResults(sqlite, changes, response.results, now(), receiver(ctx))
        persistClock(ctx)
      })(),
    )
    crashPoint('push.results-committed')
    const bySeq = new Map(changes.map((c) => [c.device_seq, c]))
    for (const r of response.results) {
      const change = bySeq.get(r.device_seq)
      if (change && isPlaceholder(change)) {
        // Set aside on this device: its own reason stands.
        const own = outboxResult(sqlite, r.device_seq)
        report.results.rejected++
        report.changes.push({
          deviceSeq: r.device_seq,
          table: change.table_name,
          rowId: change.row_id,
          status: 'rejected',
          ...(own?.reason ? { reason: own.reason } : {}),
        })
        continue
      }
      report.results[r.status]++
      report.changes.push({
        deviceSeq: r.device_seq,
        table: change?.table_name ?? '?',
        rowId: change?.row_id ?? '?',
        status: r.status,
        ...(r.reason ? { reason: r.reason } : {}),
      })
    }
    report.pushed += response.results.length
  }
  return 'pull'
}

/** A success that does not have the shape of HQ's answer (a proxy's page, another service): said as such. */
const notAnHqAnswer = (what: 'push' | 'pull') =>
  new SyncHttpError(200, 'INTERNAL', `the server's answer to ${what} is not a GridDesk HQ answer`, { notJson: true })

const refersToChanges = (error: SyncHttpError) => {
  const issues = error.details?.issues
  return Array.isArray(issues) && issues.some((i: { path?: unknown }) => typeof i.path === 'string' && i.path.startsWith('changes'))
}

/**
 * Pull: pages in server_seq order, each applied with its cursor in one transaction. A refetch
 * resumes from its last applied page after an interruption or a restart.
 */
async function pullPhase(run: RunState): Promise<Next> {
  try {
    return await pullPages(run)
  } finally {
    // A first pull that stops early (a dropped link, a refetch) leaves no store without its indexes.
    if (bulkLoadPending(run.sqlite)) run.sqlite.transaction(() => finishBulkLoad(run.sqlite))()
    // The load's WAL is copied into the store by a worker, not by this thread's next commit.
    if (checkpointsHeld(run.sqlite)) {
      const { sqlite } = run
      const store = run.ctx.store
      if (store) void checkpointInBackground(store).finally(() => releaseCheckpoints(sqlite))
      else releaseCheckpoints(sqlite)
    }
  }
}

async function pullPages(run: RunState): Promise<Next> {
  const { ctx, sqlite, client, report, options } = run
  initChecksumIfEmpty(sqlite)
  if (getState(ctx.db, SYNC_KEYS.refetch) === '1' && !resumeRefetchSweep(sqlite)) beginRefetch(ctx, getState(ctx.db, SYNC_KEYS.refetchReason) ?? 'restart')
  // The next page is asked for before the current one is applied (its cursor is known): the
  // server reads and compresses it while this device writes. A prefetch whose request no longer
  // matches the device's state (a refetch began, a page failed) is dropped unused.
  // Pages as big as the link carries in about PAGE_SECONDS (a cut loses at most one page), unless
  // the caller fixed the size: halved or doubled by how long the last page took.
  let pageRows = options.pullLimit ?? FIRST_PULL_PAGE
  const fitPage = (rows: number, millis: number) => {
    if (!options.pullLimit) pageRows = nextPageRows(pageRows, rows, millis)
  }
  let prefetched: { key: string; response: Promise<{ page: PullResponse; sentAt: number; receivedAt: number; busyMs: number }> } | undefined
  // Milliseconds this thread spent applying pages: a prefetched page's answer waits for the
  // apply that runs meanwhile, and that wait is neither link nor HQ time.
  let busyMs = 0
  // The download rate of the last page (kbit/s): its bytes over the time it took, less the time
  // HQ said it spent building and compressing it and the time this thread was applying. HQ
  // compresses more cheaply for a fast link. Not part of a prefetch's key: it changes with every
  // page. A pull's first page says the rate of the previous pull's last one (a day's sync is
  // often one page).
  let linkKbps: number | undefined = Number(getState(ctx.db, SYNC_KEYS.linkKbps)) || undefined
  const requestPage = (params: URLSearchParams) => {
    const sentAt = ctx.change.clock.wallTime()
    const bytesBefore = client.traffic.bytesReceived
    const serverBefore = client.traffic.serverMs
    const busyBefore = busyMs
    const query = new URLSearchParams(params)
    if (linkKbps !== undefined) query.set('link_kbps', String(linkKbps))
    const response = client.request<PullResponse>('GET', `/v1/pull?${query}`).then((page) => {
      const receivedAt = ctx.change.clock.wallTime()
      const busy = busyMs - busyBefore
      linkKbps = linkRateKbps(client.traffic.bytesReceived - bytesBefore, receivedAt - sentAt - busy, client.traffic.serverMs - serverBefore) ?? linkKbps
      return { page, sentAt, receivedAt, busyMs: busy }
    })
    response.catch(() => undefined) // a dropped prefetch's failure is nobody's error
    return response
  }
  // The scope and epoch are the ones the page at `cursor` follows: a prefetch passes the page's
  // own, which its transaction has not stored yet (else the request, asked again with them, would
  // not match the prefetch and the first pages would be fetched twice).
  const pageParams = (cursor: number, scope: string | undefined, epoch: string | undefined, refetching: boolean, count = false) => {
    const params = new URLSearchParams({
      cursor: String(cursor),
      limit: String(pageRows),
      protocol_version: String(PROTOCOL_VERSION),
      schema_version: String(ctx.change.schemaVersion),
    })
    if (scope && cursor > 0) params.set('scope', scope)
    if (epoch && cursor > 0) params.set('epoch', epoch)
    // Rows this device wrote and already holds are not sent back; a refetch needs every row.
    if (!refetching) params.set('skip_own', '1')
    if (count) params.set('count', '1')
    return params
  }
  // The first page of a pull (or of a refetch) also says how many rows are coming.
  let counted: 'pull' | 'refetch' | undefined
  for (let guard = 0; guard < 1_000_000; guard++) {
    const refetching = getState(ctx.db, SYNC_KEYS.refetch) === '1'
    if (refetching) report.refetched = true
    const cursor = Number(getState(ctx.db, SYNC_KEYS.pullCursor) ?? 0)
    const phase = refetching ? 'refetch' : 'pull'
    const params = pageParams(cursor, getState(ctx.db, SYNC_KEYS.pullScope), getState(ctx.db, SYNC_KEYS.epoch), refetching, counted !== phase)
    progress(run, phase)
    const pending = prefetched?.key === params.toString() ? prefetched.response : requestPage(params)
    prefetched = undefined
    const { page, sentAt, receivedAt, busyMs: waited } = await pending
    if (typeof page?.must_refetch !== 'boolean' || (!page.must_refetch && (!Array.isArray(page.rows) || !Number.isSafeInteger(page.next_cursor))))
      throw notAnHqAnswer('pull')
    // The clock's offset from a request this thread did not keep waiting (its arrival is known).
    report.clockSkewMs = waited > 0 ? ctx.change.clock.offsetMillis : learnOffset(ctx, page.server_time, sentAt, receivedAt)
    // HQ holds fewer of this device's changes than it acknowledged: it was restored from a backup.
    if (page.last_device_seq !== undefined && page.last_device_seq < acknowledgedSeq(sqlite)) {
      const resent = sqlite.transaction(() => unmarkPushedFrom(sqlite, page.last_device_seq! + 1))()
      report.warnings.push({
        code: 'hq_restored',
        params: { count: resent },
        message: `HQ no longer holds ${resent} change(s) it had acknowledged (restored from a backup?): they are sent again`,
      })
      if (page.must_refetch || !refetching) beginRefetch(ctx, 'hq_restored')
      return 'push'
    }
    if (page.must_refetch) {
      // The outbox is never touched: pending changes were pushed above or stay pending.
      if (refetching && cursor === 0) throw new SyncHttpError(0, 'INTERNAL', 'the server asked for a refetch while refetching')
      if (page.reason === 'hq_restored' || page.reason === 'cursor_ahead')
        report.warnings.push({
          code: 'hq_restored',
          params: { count: 0 },
          message: 'HQ was restored from a backup: this device fetches its regions again and keeps its own work',
        })
      report.regionRemoved.push(...page.region_removed)
      beginRefetch(ctx, page.reason)
      continue
    }
    fitPage(page.rows.length, receivedAt - sentAt - waited)
    if (page.remaining !== undefined) {
      counted = phase
      run.pullTotal = report.pulledRows + page.remaining
    }
    if (page.has_more) {
      const next = pageParams(page.next_cursor, page.scope, page.epoch ?? getState(ctx.db, SYNC_KEYS.epoch), refetching)
      prefetched = { key: next.toString(), response: requestPage(next) }
      // Let the request leave before this thread is busy applying the page.
      await new Promise((resolve) => setImmediate(resolve))
    }
    report.pages++
    crashPoint('pull.page-received')
    const applyStart = ctx.change.clock.wallTime()
    withForeignKeysOff(sqlite, () =>
      sqlite.transaction(() => {
        const bulkFrom = options.bulkLoadMinRows ?? BULK_LOAD_MIN_ROWS
        if (cursor === 0 && page.has_more && (page.remaining ?? 0) >= bulkFrom && holdsNoSyncedRows(sqlite)) beginBulkLoad(sqlite)
        const stats = applyPulledRows(sqlite, page.rows.map(fromWire), now(), receiver(ctx), refetching)
        report.pulledRows += stats.rows
        report.pullConflicts += stats.conflicts
        if (stats.refused)
          report.warnings.push({
            code: 'rows_refused',
            params: { count: stats.refused },
            message: `${stats.refused} pulled row(s) break the value rules and were not applied`,
          })
        crashPoint('pull.page-applied')
        setState(ctx.db, SYNC_KEYS.pullCursor, String(page.next_cursor))
        setState(ctx.db, SYNC_KEYS.pullScope, page.scope)
        if (page.epoch) setState(ctx.db, SYNC_KEYS.epoch, page.epoch)
        setState(ctx.db, 'hq_regions', JSON.stringify(page.regions))
        if (linkKbps !== undefined) setState(ctx.db, SYNC_KEYS.linkKbps, String(linkKbps))
        if (!page.has_more && refetching) {
          // Rows HQ acknowledged but this device has not seen confirmed are kept (HQ may have lost
          // them: they are sent again), unless the device's regions changed.
          const keepAfter =
            getState(ctx.db, SYNC_KEYS.refetchReason) === 'scope_changed' ? Number.MAX_SAFE_INTEGER : Number(getState(ctx.db, SYNC_KEYS.confirmedSeq) ?? 0)
          const swept = sweepUnseen(sqlite, keepAfter)
          report.dropped += swept.dropped
          if (swept.kept > 0)
            report.warnings.push({
              code: 'unconfirmed_kept',
              params: { count: swept.kept },
              message: `${swept.kept} record(s) HQ acknowledged but did not send back are kept on this device`,
            })
          setState(ctx.db, SYNC_KEYS.refetch, '0')
        }
        if (!page.has_more) finishBulkLoad(sqlite)
        persistClock(ctx)
      })(),
    )
    busyMs += ctx.change.clock.wallTime() - applyStart
    crashPoint('pull.page-committed')
    if (page.has_more) continue
    // Derived values follow the rows they derive from (computed here, never pulled as data).
    if (report.pulledRows > 0) ctx.db.transaction((tx) => storeTiers(tx))
    run.lastCheckpoint = page.checkpoint
    return 'verify'
  }
  return 'verify'
}

/**
 * Verify: the device's checkpoint against the server's, only meaningful when nothing local is
 * pending. A match confirms every acknowledged change; a mismatch is repaired by one refetch.
 */
function verifyPhase(run: RunState): Next {
  const { ctx, sqlite, report } = run
  const checkpoint = run.lastCheckpoint
  run.lastCheckpoint = undefined
  if (!checkpoint || pendingCount(sqlite) > 0) return 'done'
  progress(run, 'verify')
  const local = verifiedChecksum(sqlite, checkpoint, report.warnings)
  if (local.hash === checkpoint.hash && local.rows === checkpoint.rows) {
    report.checkpoint = 'ok'
    setState(ctx.db, SYNC_KEYS.confirmedSeq, String(acknowledgedSeq(sqlite)))
    return 'done'
  }
  if (!run.refetchedOnce && !report.refetched) {
    // One refetch repairs a divergence; never loop on it (ElectricSQL's 409 lesson).
    report.warnings.push({
      code: 'checkpoint_refetch',
      params: { local: local.rows, server: checkpoint.rows },
      message: `checkpoint differs (local ${local.rows} rows, server ${checkpoint.rows}): refetching`,
    })
    run.refetchedOnce = true
    beginRefetch(ctx, 'checkpoint')
    return 'pull'
  }
  report.checkpoint = 'mismatch'
  report.warnings.push({
    code: 'checkpoint_mismatch',
    params: { local: local.rows, server: checkpoint.rows },
    message: `checkpoint still differs after a refetch (local ${local.rows} rows, server ${checkpoint.rows})`,
  })
  return 'done'
}

/**
 * The device's checkpoint: the running checksum kept with every write (O(1)); computed in full
 * when it is unknown, or when it differs from the server's — so a running sum gone wrong (a write
 * path that missed it) costs one full scan and is repaired, never a refetch.
 */
function verifiedChecksum(sqlite: Sqlite, server: { rows: number; hash: string }, warnings: SyncWarning[]): { rows: number; hash: string } {
  const running = storedChecksum(sqlite)
  if (running && running.rows === server.rows && running.hash === server.hash) return running
  const full = localCheckpoint(sqlite)
  if (running && (running.rows !== full.rows || running.hash !== full.hash))
    warnings.push({ code: 'checksum_rebuilt', params: {}, message: 'the local checksum was out of date and has been rebuilt' })
  storeChecksum(sqlite, full)
  return full
}

/** Starts a full refetch from cursor 0 (an interrupted one resumes, see pullPhase); the outbox is left alone. */
function beginRefetch(ctx: HandlerContext, reason: string): void {
  const sqlite = ctx.db.$client
  sqlite.transaction(() => {
    beginRefetchSweep(sqlite)
    setState(ctx.db, SYNC_KEYS.refetch, '1')
    setState(ctx.db, SYNC_KEYS.refetchReason, reason)
    setState(ctx.db, SYNC_KEYS.pullCursor, '0')
  })()
}

// Pulled pages arrive in server order, not parent-before-child order; SQLite refuses to toggle
// foreign keys inside a transaction, so the toggle wraps it.
// A page commits with synchronous = NORMAL (WAL: never corrupt; a power cut may drop the last
// pages, and their cursor with them, so they are pulled again). Only the page's own transaction
// runs that way: it is synchronous, so no user edit (outbox) commits in between.
function withForeignKeysOff<T>(sqlite: HandlerContext['db']['$client'], fn: () => T): T {
  const synchronous = sqlite.pragma('synchronous', { simple: true })
  sqlite.pragma('foreign_keys = OFF')
  sqlite.pragma('synchronous = NORMAL')
  try {
    return fn()
  } finally {
    sqlite.pragma(`synchronous = ${Number(synchronous)}`)
    sqlite.pragma('foreign_keys = ON')
  }
}
