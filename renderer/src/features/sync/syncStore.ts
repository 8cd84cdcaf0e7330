// The device's sync state shared by the header indicator and the sync page: the latest
// `sync.status`, the last run, and "sync now" — which polls `sync.status` while `sync.run` is in
// flight so the progress bar shows the core's live counters. The auto-sync scheduler lives here
// too, started by the always-mounted header indicator.
import { useEffect, useSyncExternalStore } from 'react'
import type { SyncLastRun, SyncRunResult, SyncStatus } from '../../../../shared/api/sync'
import { call } from '../../api/client'
import { AutoSync } from './autoSync'

export interface SyncSnapshot {
  status?: SyncStatus
  statusError?: unknown
  lastRun?: SyncLastRun | null
  /** This window asked for a sync and is waiting for it. */
  running: boolean
  /** The outcome of this window's last "sync now" (cleared when the next one starts). */
  runResult?: SyncRunResult
  runError?: unknown
}

export const STATUS_POLL_MS = 2000
export const PROGRESS_POLL_MS = 250
/** Fired on window after a sync finished, so pages can reload what they show. */
export const SYNCED_EVENT = 'griddesk:synced'

let snapshot: SyncSnapshot = { running: false }
const listeners = new Set<() => void>()
const set = (patch: Partial<SyncSnapshot>) => {
  snapshot = { ...snapshot, ...patch }
  for (const listener of listeners) listener()
}

export async function refreshStatus(): Promise<SyncStatus | undefined> {
  try {
    const status = await call('sync.status', {})
    set({ status, statusError: undefined })
    return status
  } catch (error) {
    set({ statusError: error })
    return undefined
  }
}

export async function refreshLastRun(): Promise<void> {
  try {
    set({ lastRun: await call('sync.lastRun', {}) })
  } catch {
    // The status error already says what is wrong.
  }
}

let inFlight: Promise<SyncRunResult | undefined> | undefined

/** Runs a sync (or waits for the one this window started) and refreshes everything after it. */
export function syncNow(): Promise<SyncRunResult | undefined> {
  if (inFlight) return inFlight
  set({ running: true, runError: undefined, runResult: undefined })
  const poll = setInterval(() => void refreshStatus(), PROGRESS_POLL_MS)
  void refreshStatus()
  inFlight = (async () => {
    try {
      const result = await call('sync.run', {})
      set({ runResult: result })
      window.dispatchEvent(new Event(SYNCED_EVENT))
      return result
    } catch (error) {
      set({ runError: error })
      return undefined
    } finally {
      clearInterval(poll)
      inFlight = undefined
      await Promise.all([refreshStatus(), refreshLastRun()])
      set({ running: false })
    }
  })()
  return inFlight
}

export function useSyncSnapshot(): SyncSnapshot {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => snapshot,
  )
}

let autoSync: AutoSync | undefined

/** Check reachability now (and sync if HQ just became reachable with changes waiting). */
export const pokeAutoSync = () => autoSync?.poke()

/** Keeps the status fresh and runs the auto-sync scheduler while mounted (the header does this). */
export function useSyncBackground(): void {
  useEffect(() => {
    void refreshStatus()
    const poll = setInterval(() => void refreshStatus(), STATUS_POLL_MS)
    const scheduler = new AutoSync({
      status: async () => (await refreshStatus()) ?? Promise.reject(new Error('no status')),
      probe: async () => {
        const probe = await call('sync.probe', {})
        void refreshStatus()
        return probe
      },
      run: () => syncNow(),
      setTimer: (fn, ms) => window.setTimeout(fn, ms),
      clearTimer: (handle) => window.clearTimeout(handle as number),
    })
    autoSync = scheduler
    scheduler.start()
    const online = () => scheduler.poke()
    window.addEventListener('online', online)
    return () => {
      clearInterval(poll)
      scheduler.stop()
      if (autoSync === scheduler) autoSync = undefined
      window.removeEventListener('online', online)
    }
  }, [])
}
