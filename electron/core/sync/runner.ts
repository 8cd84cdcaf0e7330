// One sync at a time per device, with its progress visible while it runs: the app's sync page, the
// header, the auto-sync scheduler and the CLI all go through here. A second request while a sync
// is running joins it (same result) instead of starting another. The last run's report and the
// last reachability probe are kept so the UI can show them after a reload.
import type { HandlerContext } from '../context'
import { pendingCount, readField, syncedColumns } from '../db/repos/sync'
import { getState, setState } from '../db/repos/syncState'
import { runSync, type SyncOptions, type SyncProgress, type SyncReport } from './engine'
import { SyncHttpError, type FetchLike } from './hqClient'

export interface RunningSync extends SyncProgress {
  startedAt: string
  /** Outbox entries waiting when the run started (the push part of the progress bar). */
  pendingAtStart: number
}

export interface ProbeResult {
  enrolled: boolean
  reachable: boolean
  checkedAt: string
  latencyMs: number | null
  /** Why not reachable: NETWORK (no answer), TIMEOUT, or HTTP_<status>. */
  reason: string | null
}

/** Kept in sync_state as JSON; its per-change list is capped (the counts stay exact). */
export interface StoredRun extends SyncReport {
  finishedAt: string
  changesOmitted: number
}

export const MAX_STORED_CHANGES = 200
export const PROBE_TIMEOUT_MS = 5000

interface DeviceRuns {
  current?: { promise: Promise<SyncReport>; state: RunningSync }
  probe?: ProbeResult
}
// Keyed by the SQLite handle: one entry per open data directory.
const devices = new WeakMap<object, DeviceRuns>()
const of = (ctx: HandlerContext): DeviceRuns => {
  let entry = devices.get(ctx.db.$client)
  if (!entry) devices.set(ctx.db.$client, (entry = {}))
  return entry
}

export function currentRun(ctx: HandlerContext): RunningSync | null {
  const state = of(ctx).current?.state
  return state ? { ...state } : null
}

export function lastProbe(ctx: HandlerContext): ProbeResult | null {
  return of(ctx).probe ?? null
}

export function lastRun(ctx: HandlerContext): StoredRun | null {
  const stored = getState(ctx.db, 'last_run')
  if (!stored) return null
  const run = JSON.parse(stored) as StoredRun
  // Kept by an earlier version: warnings were English sentences, with no code to translate.
  return { ...run, warnings: run.warnings.filter((w) => typeof w === 'object' && w !== null && 'code' in w) }
}

const markReachable = (ctx: HandlerContext, reachable: boolean, reason: string | null, latencyMs: number | null = null) => {
  of(ctx).probe = { enrolled: true, reachable, checkedAt: new Date().toISOString(), latencyMs, reason }
}

// Which record a change was about, in words (its name or title as this device holds it now).
function withLabel(ctx: HandlerContext, change: SyncReport['changes'][number]): SyncReport['changes'][number] & { label?: string } {
  try {
    const columns = syncedColumns(change.table)
    const column = ['name', 'title'].find((c) => columns.has(c))
    const label = column ? readField(ctx.db.$client, change.table, change.rowId, column) : undefined
    return typeof label === 'string' ? { ...change, label } : change
  } catch {
    return change // not a synced table (the server named something unknown): no label
  }
}

/** Runs a sync, or joins the one already running on this device. */
export function runSyncExclusive(ctx: HandlerContext, options: SyncOptions = {}): Promise<SyncReport> {
  const device = of(ctx)
  if (device.current) return device.current.promise
  const pending = pendingCount(ctx.db.$client)
  const state: RunningSync = {
    phase: 'push',
    pushed: 0,
    pending,
    pulled: 0,
    pullTotal: null,
    bytesSent: 0,
    bytesReceived: 0,
    startedAt: new Date().toISOString(),
    pendingAtStart: pending,
  }
  const promise = (async () => {
    try {
      const report = await runSync(ctx, {
        ...options,
        onProgress: (progress) => {
          Object.assign(state, progress)
          options.onProgress?.(progress)
        },
      })
      const stored: StoredRun = {
        ...report,
        changes: report.changes.slice(0, MAX_STORED_CHANGES).map((c) => withLabel(ctx, c)),
        changesOmitted: Math.max(0, report.changes.length - MAX_STORED_CHANGES),
        finishedAt: new Date().toISOString(),
      }
      setState(ctx.db, 'last_run', JSON.stringify(stored))
      markReachable(ctx, true, null)
      return report
    } catch (error) {
      if (error instanceof SyncHttpError && error.code === 'NETWORK') markReachable(ctx, false, 'NETWORK')
      throw error
    } finally {
      device.current = undefined
    }
  })()
  device.current = { promise, state }
  return promise
}

/** Asks the HQ server's /v1/health whether it answers; never throws for an unreachable server. */
export async function probe(
  ctx: HandlerContext,
  fetchImpl: FetchLike = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) } as RequestInit),
): Promise<ProbeResult> {
  const url = getState(ctx.db, 'hq_url')
  if (!url || getState(ctx.db, 'hq_token') === undefined)
    return { enrolled: false, reachable: false, checkedAt: new Date().toISOString(), latencyMs: null, reason: null }
  const started = performance.now()
  let reason: string | null = null
  try {
    const response = await fetchImpl(new URL('/v1/health', url).toString(), { method: 'GET', headers: { accept: 'application/json' } })
    const body = (await response.json().catch(() => null)) as { ok?: unknown } | null
    if (!response.ok || body?.ok !== true) reason = `HTTP_${response.status}`
  } catch (error) {
    reason = (error as Error).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK'
  }
  markReachable(ctx, reason === null, reason, reason === null ? Math.round(performance.now() - started) : null)
  return { ...of(ctx).probe! }
}

/** After enrolment the server has just answered. */
export function noteEnrolled(ctx: HandlerContext): void {
  markReachable(ctx, true, null)
  setState(ctx.db, 'last_sync_error', '')
}
