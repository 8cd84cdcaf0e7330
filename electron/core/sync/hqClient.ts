// HTTP client of the HQ sync server: gzip request bodies, bearer token, byte and round-trip
// counts (the 2G budget), and server errors as SyncHttpError with the server's code.
import { gunzipSync, gzipSync } from 'node:zlib'
import type { SyncErrorBody, SyncErrorCode } from '../../../shared/sync/protocol'

export class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: SyncErrorCode | 'NETWORK',
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'SyncHttpError'
  }
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: Uint8Array }) => Promise<Response>

export interface Traffic {
  bytesSent: number
  bytesReceived: number
  roundTrips: number
}

export class HqClient {
  readonly traffic: Traffic = { bytesSent: 0, bytesReceived: 0, roundTrips: 0 }

  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
    // Node's fetch takes a Uint8Array body; the DOM typings (e2e, bench) do not say so.
    private readonly fetchImpl: FetchLike = (url, init) => fetch(url, init as RequestInit),
  ) {}

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'br, gzip' }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    let payload: Uint8Array | undefined
    if (body !== undefined) {
      payload = gzipSync(JSON.stringify(body))
      headers['content-type'] = 'application/json'
      headers['content-encoding'] = 'gzip'
      this.traffic.bytesSent += payload.byteLength
    }
    let response: Response
    try {
      response = await this.fetchImpl(new URL(path, this.baseUrl).toString(), { method, headers, body: payload })
    } catch (error) {
      throw new SyncHttpError(0, 'NETWORK', `cannot reach the HQ server: ${(error as Error).message}`)
    }
    this.traffic.roundTrips++
    // fetch inflates br and gzip itself; count the bytes on the wire from content-length when given.
    const raw = Buffer.from(await response.arrayBuffer())
    const wire = Number(response.headers.get('content-length') ?? raw.byteLength)
    this.traffic.bytesReceived += Number.isFinite(wire) ? wire : raw.byteLength
    const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8')
    let json: unknown
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      throw new SyncHttpError(response.status, 'INTERNAL', `the server answered something that is not JSON (HTTP ${response.status})`, { notJson: true })
    }
    if (!response.ok) {
      const error = (json as SyncErrorBody | undefined)?.error
      throw new SyncHttpError(response.status, error?.code ?? 'INTERNAL', error?.message ?? `HTTP ${response.status}`, error?.details)
    }
    return json as T
  }
}
