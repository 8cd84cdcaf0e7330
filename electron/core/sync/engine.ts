// The device's sync engine (SYNC.md): push the outbox in batches, then pull pages of the
// device's regions. Every step is one SQLite transaction that also records how far it got, so a
// crash or a cut link at any point resumes without losing or repeating a change: a replayed push
// is answered from the server's log; a pulled page and its cursor commit together.
import { hostname } from 'node:os'
import type { SyncRunResult, SyncWarning } from '../../../shared/api/sync'
import { crashPoint } from '../../../shared/sync/crashPoint'
import { DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_PUSH_CHANGES, PROTOCOL_VERSION, fromWire, type EnrolResponse, type PullResponse, type PushResponse, type WireChange } from '../../../shared/sync/protocol'
import type { HandlerContext } from '../context'
import { forgetFileKey } from '../crypto/files'
import { shredKey } from '../crypto/keys'
import { getState, setState } from '../db/repos/syncState'
import {
  applyPulledRows,
  applyPushResults,
  beginRefetchSweep,
  localCheckpoint,
  pendingChanges,
  initChecksumIfEmpty,
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
  if (!allowInsecureHttp) throw new SyncHttpError(0, 'INSECURE_URL', `${server} is plain http://; use https:// (development: --allow-insecure-http, loopback only)`, { url: server, reason: 'insecureHq' })
  if (!LOOPBACK.has(url.hostname)) throw new SyncHttpError(0, 'INSECURE_URL', `${server} is plain http:// and not on this computer; use https://`, { url: server, reason: 'insecureHqRemote' })
}

export const insecureHttpAllowed = (ctx: HandlerContext) => process.env.GRIDDESK_ALLOW_INSECURE_HTTP === '1' || getState(ctx.db, 'hq_allow_insecure_http') === '1'

/** HQ revoked this device: its key is shredded and the open store refuses every further call. */
function lockRevoked(ctx: HandlerContext): void {
  const at = new Date().toISOString()
  shredKey(ctx.dataDir, at)
  forgetFileKey(ctx.dataDir)
  ctx.revokedAt = at
}

export async function enrol(ctx: HandlerContext, server: string, code: string, deviceName = hostname(), fetchImpl?: FetchLike, allowInsecureHttp = false): Promise<EnrolResponse> {
  const insecure = allowInsecureHttp || insecureHttpAllowed(ctx)
  assertSecureUrl(server, insecure)
  const client = new HqClient(server, undefined, fetchImpl)
  const response = await client.request<EnrolResponse>('POST', '/v1/enrol', { code, deviceName, deviceId: ctx.change.deviceId })
  ctx.db.transaction((tx) => {
    if (allowInsecureHttp) setState(tx, 'hq_allow_insecure_http', '1')
    setState(tx, 'hq_url', server)
    setState(tx, 'hq_token', ctx.secrets.seal(response.token))
    setState(tx, 'hq_user', JSON.stringify(response.user))
    setState(tx, 'hq_regions', JSON.stringify(response.regions))
  })
  return response
}

/** Learns the server's clock from a response: its time minus ours at the round trip's middle. */
function learnOffset(ctx: HandlerContext, serverTime: string, sentAt: number, receivedAt: number): number {
  const offset = Date.parse(serverTime) - Math.round((sentAt + receivedAt) / 2)
  ctx.change.clock.offsetMillis = offset
  setState(ctx.db, 'server_offset_ms', String(offset))
  return offset
}

export async function runSync(ctx: HandlerContext, options: SyncOptions = {}): Promise<SyncReport> {
  const started = performance.now()
  const url = getState(ctx.db, 'hq_url')
  const sealed = getState(ctx.db, 'hq_token')
  const token = sealed === undefined ? undefined : ctx.secrets.open(sealed)
  if (!url || !token) throw new SyncHttpError(0, 'UNAUTHORIZED', 'this device is not enrolled with an HQ server yet')
  assertSecureUrl(url, insecureHttpAllowed(ctx))
  const client = new HqClient(url, token, options.fetch, options.timeouts)
  const sqlite = ctx.db.$client
  const receive = (hlc: string) => ctx.change.clock.receive(hlc)
  const report: SyncReport = {
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
  }
  const progress = (phase: SyncProgress['phase']) =>
    options.onProgress?.({ phase, pushed: report.pushed, pending: pendingCount(sqlite), pulled: report.pulledRows, pullTotal, bytesSent: client.traffic.bytesSent, bytesReceived: client.traffic.bytesReceived })
  const persistClock = () => setState(ctx.db, 'hlc', ctx.change.clock.current)
  let pullTotal: number | null = null

  try {
    // ---- Push: oldest first, one batch per request; results and "pushed" commit together.
    const batch = Math.min(options.pushBatch ?? MAX_PUSH_CHANGES, MAX_PUSH_CHANGES)
    // The server marks rows this push leaves exactly as this device holds them, judged by the
    // pull cursor sent along. That cursor must be durable: pages commit with synchronous = NORMAL,
    // so this write (synchronous = FULL) flushes them before the cursor is sent.
    const pushCursor = getState(ctx.db, 'pull_cursor') ?? '0'
    setState(ctx.db, 'push_cursor', pushCursor)
    for (let guard = 0; guard < 100_000; guard++) {
      const changes: WireChange[] = pendingChanges(sqlite, batch)
      if (changes.length === 0) break
      crashPoint('push.batch-built')
      progress('push')
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
        if (error instanceof SyncHttpError && error.code === 'SEQ_GAP' && typeof error.details?.expected === 'number') {
          // The server forgot changes it had acknowledged: send them again from where it stands.
          const resent = sqlite.transaction(() => unmarkPushedFrom(sqlite, error.details!.expected as number))()
          report.warnings.push({ code: 'changes_resent', params: { from: error.details.expected as number, count: resent }, message: `the server asked for changes from #${error.details.expected} again (${resent} re-sent)` })
          if (resent === 0) throw error
          continue
        }
        throw error
      }
      crashPoint('push.response-received')
      report.clockSkewMs = learnOffset(ctx, response.server_time, sentAt, ctx.change.clock.wallTime())
      sqlite.transaction(() => {
        applyPushResults(sqlite, changes, response.results, now(), receive)
        persistClock()
      })()
      crashPoint('push.results-committed')
      const bySeq = new Map(changes.map((c) => [c.device_seq, c]))
      for (const r of response.results) {
        const change = bySeq.get(r.device_seq)
        report.results[r.status]++
        report.changes.push({ deviceSeq: r.device_seq, table: change?.table_name ?? '?', rowId: change?.row_id ?? '?', status: r.status, ...(r.reason ? { reason: r.reason } : {}) })
      }
      report.pushed += response.results.length
    }

    // ---- Pull: pages in server_seq order, each applied with its cursor in one transaction.
    let refetchedOnce = false
    initChecksumIfEmpty(sqlite)
    if (getState(ctx.db, 'refetch') === '1') beginRefetch(ctx)
    // The next page is asked for before the current one is applied (its cursor is known): the
    // server reads and compresses it while this device writes. A prefetch whose request no longer
    // matches the device's state (a refetch began, a page failed) is dropped unused.
    // Pages as big as the link carries in about PAGE_SECONDS (a cut loses at most one page), unless
    // the caller fixed the size: halved or doubled by how long the last page took.
    let pageRows = options.pullLimit ?? DEFAULT_PULL_LIMIT
    const fitPage = (rows: number, millis: number) => {
      if (!options.pullLimit) pageRows = nextPageRows(pageRows, rows, millis)
    }
    let prefetched: { key: string; response: Promise<{ page: PullResponse; sentAt: number; receivedAt: number }> } | undefined
    const requestPage = (params: URLSearchParams) => {
      const sentAt = ctx.change.clock.wallTime()
      const response = client.request<PullResponse>('GET', `/v1/pull?${params}`).then((page) => ({ page, sentAt, receivedAt: ctx.change.clock.wallTime() }))
      response.catch(() => undefined) // a dropped prefetch's failure is nobody's error
      return response
    }
    const pageParams = (cursor: number, scope: string | undefined, refetching: boolean, count = false) => {
      const params = new URLSearchParams({ cursor: String(cursor), limit: String(pageRows), protocol_version: String(PROTOCOL_VERSION), schema_version: String(ctx.change.schemaVersion) })
      if (scope && cursor > 0) params.set('scope', scope)
      // Rows this device wrote and already holds are not sent back; a refetch needs every row.
      if (!refetching) params.set('skip_own', '1')
      if (count) params.set('count', '1')
      return params
    }
    // The first page of a pull (or of a refetch) also says how many rows are coming.
    let counted: 'pull' | 'refetch' | undefined
    for (let guard = 0; guard < 1_000_000; guard++) {
      const refetching = getState(ctx.db, 'refetch') === '1'
      if (refetching) report.refetched = true
      const cursor = Number(getState(ctx.db, 'pull_cursor') ?? 0)
      const phase = refetching ? 'refetch' : 'pull'
      const params = pageParams(cursor, getState(ctx.db, 'pull_scope'), refetching, counted !== phase)
      progress(phase)
      const pending = prefetched?.key === params.toString() ? prefetched.response : requestPage(params)
      prefetched = undefined
      const { page, sentAt, receivedAt } = await pending
      report.clockSkewMs = learnOffset(ctx, page.server_time, sentAt, receivedAt)
      if (!page.must_refetch) fitPage(page.rows.length, receivedAt - sentAt)
      if (!page.must_refetch && page.remaining !== undefined) {
        counted = phase
        pullTotal = report.pulledRows + page.remaining
      }
      if (page.must_refetch) {
        // The outbox is never touched: pending changes were pushed above or stay pending.
        if (refetching && cursor === 0) throw new SyncHttpError(0, 'INTERNAL', 'the server asked for a refetch while refetching')
        report.regionRemoved.push(...page.region_removed)
        beginRefetch(ctx)
        continue
      }
      if (page.has_more) {
        const next = pageParams(page.next_cursor, page.scope, refetching)
        prefetched = { key: next.toString(), response: requestPage(next) }
        // Let the request leave before this thread is busy applying the page.
        await new Promise((resolve) => setImmediate(resolve))
      }
      report.pages++
      crashPoint('pull.page-received')
      withForeignKeysOff(sqlite, () =>
        sqlite.transaction(() => {
          const stats = applyPulledRows(sqlite, page.rows.map(fromWire), now(), receive, refetching)
          report.pulledRows += stats.rows
          report.pullConflicts += stats.conflicts
          crashPoint('pull.page-applied')
          setState(ctx.db, 'pull_cursor', String(page.next_cursor))
          setState(ctx.db, 'pull_scope', page.scope)
          setState(ctx.db, 'hq_regions', JSON.stringify(page.regions))
          if (!page.has_more && refetching) {
            report.dropped += sweepUnseen(sqlite)
            setState(ctx.db, 'refetch', '0')
          }
          persistClock()
        })(),
      )
      crashPoint('pull.page-committed')
      if (page.has_more) continue
      // ---- Verify: only meaningful when nothing local is pending.
      if (page.checkpoint && pendingCount(sqlite) === 0) {
        progress('verify')
        const local = verifiedChecksum(sqlite, page.checkpoint, report.warnings)
        if (local.hash === page.checkpoint.hash && local.rows === page.checkpoint.rows) report.checkpoint = 'ok'
        else if (!refetchedOnce && !refetching) {
          // One refetch repairs a divergence; never loop on it (ElectricSQL's 409 lesson).
          report.warnings.push({ code: 'checkpoint_refetch', params: { local: local.rows, server: page.checkpoint.rows }, message: `checkpoint differs (local ${local.rows} rows, server ${page.checkpoint.rows}): refetching` })
          refetchedOnce = true
          beginRefetch(ctx)
          continue
        } else {
          report.checkpoint = 'mismatch'
          report.warnings.push({ code: 'checkpoint_mismatch', params: { local: local.rows, server: page.checkpoint.rows }, message: `checkpoint still differs after a refetch (local ${local.rows} rows, server ${page.checkpoint.rows})` })
        }
      }
      break
    }
    if (Math.abs(report.clockSkewMs) > SKEW_WARN_MS)
    {
      const minutes = Math.round(report.clockSkewMs / 60_000)
      report.warnings.push({ code: 'clock_skew', params: { minutes }, message: `this computer's clock is off by ${minutes} minutes; sync corrected it, but please set the clock` })
    }
    setState(ctx.db, 'last_sync_at', now())
    setState(ctx.db, 'last_sync_error', '')
    progress('done')
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
 * The device's checkpoint: the running checksum kept with every write (O(1)); computed in full
 * when it is unknown, or when it differs from the server's — so a running sum gone wrong (a write
 * path that missed it) costs one full scan and is repaired, never a refetch.
 */
function verifiedChecksum(sqlite: HandlerContext['db']['$client'], server: { rows: number; hash: string }, warnings: SyncWarning[]): { rows: number; hash: string } {
  const running = storedChecksum(sqlite)
  if (running && running.rows === server.rows && running.hash === server.hash) return running
  const full = localCheckpoint(sqlite)
  if (running && (running.rows !== full.rows || running.hash !== full.hash)) warnings.push({ code: 'checksum_rebuilt', params: {}, message: 'the local checksum was out of date and has been rebuilt' })
  storeChecksum(sqlite, full)
  return full
}

/** Starts (or restarts after a crash) a full refetch from cursor 0; the outbox is left alone. */
function beginRefetch(ctx: HandlerContext): void {
  const sqlite = ctx.db.$client
  beginRefetchSweep(sqlite)
  sqlite.transaction(() => {
    setState(ctx.db, 'refetch', '1')
    setState(ctx.db, 'pull_cursor', '0')
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
