// Automatic sync when HQ becomes reachable: while the device is enrolled, probe the
// server's /v1/health through `sync.probe` every baseMs; while it does not answer, wait longer
// each time (doubling up to maxMs). When it turns reachable — the core last saw it unreachable or
// never checked — and changes are waiting, run one sync. The core runs one sync at a time; a
// second request joins the running one. Plain TypeScript with its timers injected, so it is tested
// without a browser.
import type { SyncProbe, SyncStatus } from '../../../../shared/api/sync'

export interface AutoSyncDeps {
  status(): Promise<SyncStatus>
  probe(): Promise<SyncProbe>
  run(): Promise<unknown>
  setTimer(fn: () => void, ms: number): unknown
  clearTimer(handle: unknown): void
}

export interface AutoSyncOptions {
  baseMs: number
  maxMs: number
}

export const AUTO_SYNC_DEFAULTS: AutoSyncOptions = { baseMs: 15_000, maxMs: 240_000 }

export type TickOutcome = 'not-enrolled' | 'unreachable' | 'reachable' | 'synced' | 'busy' | 'error' | 'stopped'

export class AutoSync {
  private failures = 0
  private timer: unknown
  private stopped = true
  private ticking = false

  constructor(
    private readonly deps: AutoSyncDeps,
    private readonly options: AutoSyncOptions = AUTO_SYNC_DEFAULTS,
  ) {}

  start(): void {
    this.stopped = false
    this.schedule(0)
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.deps.clearTimer(this.timer)
    this.timer = undefined
  }

  /** Check now (the sync page opened, the OS said the network is back). */
  poke(): void {
    if (!this.stopped) this.schedule(0)
  }

  /** Wait before the next probe: baseMs while reachable, doubled per consecutive failure up to maxMs. */
  nextDelay(): number {
    return Math.min(this.options.maxMs, this.options.baseMs * 2 ** this.failures)
  }

  async tick(): Promise<TickOutcome> {
    if (this.stopped) return 'stopped'
    if (this.ticking) return 'busy'
    this.ticking = true
    try {
      const before = await this.deps.status()
      if (!before.enrolled) {
        this.failures = 0
        return 'not-enrolled'
      }
      if (before.running) return 'busy'
      const probe = await this.deps.probe()
      if (!probe.reachable) {
        this.failures++
        return 'unreachable'
      }
      this.failures = 0
      if (before.reachable !== true && before.pendingChanges > 0) {
        // A failed run reports its own error on the sync page and in the header.
        await this.deps.run().catch(() => undefined)
        return 'synced'
      }
      return 'reachable'
    } catch {
      this.failures++
      return 'error'
    } finally {
      this.ticking = false
      if (!this.stopped) this.schedule(this.nextDelay())
    }
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) this.deps.clearTimer(this.timer)
    this.timer = this.deps.setTimer(() => {
      this.timer = undefined
      void this.tick()
    }, ms)
  }
}
