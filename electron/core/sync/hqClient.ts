// HTTP client of the HQ sync server: gzip request bodies, bearer token, byte and round-trip
// counts (the 2G budget), and server errors as SyncHttpError with the server's code.
// Every request has deadlines sized to the link: the answer must start within `firstByteMs`,
// no more than `idleMs` may pass without a byte of the body, and the whole request may take at
// most `requestMs` plus the time its bytes need at the slowest rate the link has shown. A
// silent link therefore fails in about a minute, never hangs; a cut or reset body is a network
// error like any other (never an "unexpected error").
import { gunzipSync, gzipSync } from 'node:zlib'
import type { SyncErrorBody, SyncErrorCode } from '../../../shared/sync/protocol'

export class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: SyncErrorCode | 'NETWORK' | 'INSECURE_URL',
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'SyncHttpError'
  }
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: Uint8Array; signal?: AbortSignal }) => Promise<Response>

export interface Traffic {
  bytesSent: number
  bytesReceived: number
  roundTrips: number
  /** Time HQ said it spent on the answers (Server-Timing), in ms: a link's rate leaves it out. */
  serverMs: number
}

export interface Timeouts {
  /** From sending the request to the response's headers (the server builds a page meanwhile). */
  firstByteMs: number
  /** Between two chunks of the response body. */
  idleMs: number
  /** The whole request, before the allowance for its size. */
  requestMs: number
  /** Bytes per second below which a request is given up (the allowance for big bodies). */
  minBytesPerSecond: number
}

/** 2G carries ~10 KB/s; a 20,000-row page is ~850 KB compressed (85 s), built in a few seconds. */
export const DEFAULT_TIMEOUTS: Timeouts = { firstByteMs: 60_000, idleMs: 30_000, requestMs: 120_000, minBytesPerSecond: 2_000 }

/** Why a request failed on the way (not an answer of the server). */
export type NetworkFailure = 'unreachable' | 'timeout_first_byte' | 'timeout_idle' | 'timeout_request' | 'cut'

class Deadline extends Error {
  constructor(readonly kind: NetworkFailure) {
    super(kind)
  }
}

const causeOf = (error: unknown): string => {
  const e = error as { message?: string; cause?: { code?: string; message?: string } }
  const cause = e?.cause?.code ?? e?.cause?.message
  return cause ? `${e?.message ?? String(error)} (${cause})` : (e?.message ?? String(error))
}

/**
 * The fetch every HQ client uses unless given one: Node's, which trusts NODE_EXTRA_CA_CERTS (CLI,
 * browser mode). The desktop app runs with NODE_OPTIONS-style variables fused off, so its main
 * process sets Chromium's network stack here (Electron's net.fetch), which trusts the OS
 * certificate store — where a county installs its HQ's internal CA.
 */
let defaultFetch: FetchLike = (url, init) => fetch(url, init as RequestInit)
export function setHqFetch(fetchImpl: FetchLike): void {
  defaultFetch = fetchImpl
}
/** The fetch HQ requests go through (basemap tiles, which are not JSON). */
export const hqFetch: FetchLike = (url, init) => defaultFetch(url, init)

export class HqClient {
  readonly traffic: Traffic = { bytesSent: 0, bytesReceived: 0, roundTrips: 0, serverMs: 0 }
  readonly timeouts: Timeouts

  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
    // Node's fetch takes a Uint8Array body; the DOM typings (e2e, bench) do not say so.
    private readonly fetchImpl: FetchLike = (url, init) => defaultFetch(url, init),
    timeouts: Partial<Timeouts> = {},
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts }
  }

  /** Retries of a request HQ answered 429 HQ_BUSY, and how to wait (tests replace it). */
  busyRetry = { retries: 6, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) }
  /**
   * Retries of a request HQ answered 503 HQ_UNAVAILABLE (its database went away and reconnects):
   * few and short — at most UNAVAILABLE_MAX_WAIT_MS each — so a sync is never held long by them.
   */
  unavailableRetries = 3

  /**
   * One request; when HQ is busy (429 HQ_BUSY) or its database is restarting (503 HQ_UNAVAILABLE) it is sent again after the Retry-After HQ gave,
   * jittered so devices turned away together do not come back together. Safe for every sync
   * request: a push is idempotent (a replay gets its recorded answers), a pull only reads.
   */
  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, body)
      } catch (error) {
        if (!(error instanceof SyncHttpError)) throw error
        if (error.code === 'HQ_BUSY' && attempt < this.busyRetry.retries) {
          await this.busyRetry.sleep(busyDelayMs(Number(error.details?.retry_after_s), attempt))
          continue
        }
        // A request the database cut: nothing was committed (a push is idempotent anyway).
        if (error.code === 'HQ_UNAVAILABLE' && attempt < this.unavailableRetries) {
          await this.busyRetry.sleep(Math.min(busyDelayMs(Number(error.details?.retry_after_s), attempt), UNAVAILABLE_MAX_WAIT_MS))
          continue
        }
        throw error
      }
    }
  }

  private async once<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'br, gzip' }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    let payload: Uint8Array | undefined
    if (body !== undefined) {
      payload = gzipSync(JSON.stringify(body))
      headers['content-type'] = 'application/json'
      headers['content-encoding'] = 'gzip'
      this.traffic.bytesSent += payload.byteLength
    }
    const { firstByteMs, idleMs, requestMs, minBytesPerSecond } = this.timeouts
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    let overall: NodeJS.Timeout | undefined
    let fail: (error: Deadline) => void = () => undefined
    const deadline = new Promise<never>((_, reject) => (fail = reject))
    deadline.catch(() => undefined)
    let expired: NetworkFailure | undefined
    const expire = (kind: NetworkFailure) => {
      expired ??= kind
      controller.abort()
      fail(new Deadline(kind))
    }
    const arm = (ms: number, kind: NetworkFailure) => {
      clearTimeout(timer)
      timer = setTimeout(() => expire(kind), ms)
    }
    // Sending the body counts against the whole-request deadline (a big push on a slow link).
    const allowance = ((payload?.byteLength ?? 0) / minBytesPerSecond) * 1000
    overall = setTimeout(() => expire('timeout_request'), requestMs + allowance)
    arm(firstByteMs + allowance, 'timeout_first_byte')
    let response: Response
    let raw: Buffer
    try {
      try {
        response = await Promise.race([
          this.fetchImpl(new URL(path, this.baseUrl).toString(), { method, headers, body: payload, signal: controller.signal }),
          deadline,
        ])
      } catch (error) {
        if (error instanceof Deadline) throw error
        if (expired) throw new Deadline(expired)
        throw Object.assign(new Deadline('unreachable'), { detail: causeOf(error) })
      }
      this.traffic.roundTrips++
      this.traffic.serverMs += serverTimingMs(response)
      // The body may be big (a pull page): every chunk pushes the deadlines on.
      const expected = Number(response.headers.get('content-length') ?? 0)
      if (Number.isFinite(expected) && expected > 0) {
        clearTimeout(overall)
        overall = setTimeout(() => expire('timeout_request'), requestMs + (expected / minBytesPerSecond) * 1000)
      }
      arm(idleMs, 'timeout_idle')
      const chunks: Uint8Array[] = []
      let inflated = 0
      try {
        if (response.body) {
          const reader = response.body.getReader()
          for (;;) {
            const { done, value } = await Promise.race([reader.read(), deadline])
            if (done) break
            // fetch inflates as it reads: a small compressed answer must not fill the memory.
            inflated += value.byteLength
            if (inflated > MAX_ANSWER_BYTES) {
              controller.abort()
              throw Object.assign(new Deadline('cut'), { detail: `the answer is larger than ${MAX_ANSWER_BYTES / 2 ** 20} MB` })
            }
            chunks.push(value)
            arm(idleMs, 'timeout_idle')
          }
        }
      } catch (error) {
        if (error instanceof Deadline) throw error
        if (expired) throw new Deadline(expired)
        throw Object.assign(new Deadline('cut'), { detail: causeOf(error) })
      }
      raw = Buffer.concat(chunks)
      // fetch inflates br and gzip itself; count the bytes on the wire from content-length when given.
      this.traffic.bytesReceived += Number.isFinite(expected) && expected > 0 ? expected : raw.byteLength
    } catch (error) {
      if (error instanceof Deadline) throw networkError(error.kind, (error as Deadline & { detail?: string }).detail)
      throw error
    } finally {
      clearTimeout(timer)
      clearTimeout(overall)
    }
    let text: string
    try {
      text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw, { maxOutputLength: MAX_ANSWER_BYTES }).toString('utf8') : raw.toString('utf8')
    } catch (error) {
      throw networkError('cut', causeOf(error))
    }
    let json: unknown
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      // A body cut short in a way the transport did not notice: the link's fault when it was a success.
      if (response.ok && text.length > 0) throw networkError('cut', 'the answer ended early')
      // A proxy or load balancer in front of HQ turning the request away for now (429, 503): as busy HQ is.
      const turnedAway = busyCodeOf(response.status)
      if (turnedAway)
        throw new SyncHttpError(response.status, turnedAway, `HQ is not taking requests now (HTTP ${response.status})`, {
          notJson: true,
          retry_after_s: retryAfterSeconds(response),
        })
      throw new SyncHttpError(response.status, 'INTERNAL', `the server answered something that is not JSON (HTTP ${response.status})`, { notJson: true })
    }
    if (!response.ok) {
      const error = (json as SyncErrorBody | undefined)?.error
      const code = error?.code ?? busyCodeOf(response.status) ?? 'INTERNAL'
      // The wait HQ asks for: in the body's details, else in the Retry-After header.
      const details = code === 'HQ_BUSY' || code === 'HQ_UNAVAILABLE' ? { retry_after_s: retryAfterSeconds(response), ...error?.details } : error?.details
      throw new SyncHttpError(response.status, code, error?.message ?? `HTTP ${response.status}`, details)
    }
    return json as T
  }
}

/** HQ's own time on an answer, from its Server-Timing header (`app;dur=…`): 0 when absent. */
export function serverTimingMs(response: Pick<Response, 'headers'>): number {
  const match = /(?:^|,)\s*app\s*;(?:[^,]*;)?\s*dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')
  const ms = match ? Number(match[1]) : 0
  return Number.isFinite(ms) && ms > 0 ? ms : 0
}

/** What a 429 or 503 without HQ's error code means: busy (retried with its Retry-After), or HQ unavailable for a moment. */
const busyCodeOf = (status: number): 'HQ_BUSY' | 'HQ_UNAVAILABLE' | undefined => (status === 429 ? 'HQ_BUSY' : status === 503 ? 'HQ_UNAVAILABLE' : undefined)

/** Retry-After in seconds (the HTTP-date form is not used by HQ or common proxies' limits): undefined when absent or not a number. */
function retryAfterSeconds(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after') ?? Number.NaN)
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined
}

/** The longest wait before sending again a request HQ's database cut (503 HQ_UNAVAILABLE). */
export const UNAVAILABLE_MAX_WAIT_MS = 5_000

/**
 * How long to wait before sending again a request HQ answered busy: its Retry-After (1 s when
 * absent), doubled on each further refusal, times 1–2 at random; at most a minute.
 */
export function busyDelayMs(retryAfterSeconds: number, attempt: number, random = Math.random()): number {
  const base = (Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? retryAfterSeconds : 1) * 1000 * 2 ** Math.min(attempt, 5)
  return Math.min(60_000, Math.round(base * (1 + random)))
}

const phrases: Record<NetworkFailure, string> = {
  unreachable: 'cannot reach the HQ server',
  timeout_first_byte: 'the HQ server did not answer in time',
  timeout_idle: 'the link went silent while receiving from the HQ server',
  timeout_request: 'the exchange with the HQ server took too long for this link',
  cut: 'the connection to the HQ server was cut before the answer was complete',
}

/** No answer HQ sends comes near this once inflated (a pull page of 20,000 rows is a few MB). */
export const MAX_ANSWER_BYTES = 128 * 2 ** 20

function networkError(kind: NetworkFailure, detail?: string): SyncHttpError {
  return new SyncHttpError(0, 'NETWORK', detail ? `${phrases[kind]}: ${detail}` : phrases[kind], { network: kind })
}
