// The auto-sync scheduler: probes on a timer with backoff while HQ does not answer, syncs once
// when HQ turns reachable with changes waiting, never while not enrolled, never two at once.
import { describe, expect, it } from 'vitest'
import type { SyncProbe, SyncStatus } from '../../../../shared/api/sync'
import { syncStatusOf } from '../../test-forms'
import { AutoSync, type AutoSyncDeps } from './autoSync'

function harness(initial: Partial<SyncStatus> = {}) {
  const world = { status: syncStatusOf(initial), up: true, runs: 0, probes: 0, timers: [] as { fn: () => void; ms: number }[] }
  const deps: AutoSyncDeps = {
    status: async () => ({ ...world.status }),
    probe: async (): Promise<SyncProbe> => {
      world.probes++
      world.status.reachable = world.up
      return { enrolled: world.status.enrolled, reachable: world.up, checkedAt: '', latencyMs: world.up ? 1 : null, reason: world.up ? null : 'NETWORK' }
    },
    run: async () => {
      world.runs++
      world.status.pendingChanges = 0
      world.status.reachable = true
    },
    setTimer: (fn, ms) => {
      const timer = { fn, ms }
      world.timers.push(timer)
      return timer
    },
    clearTimer: (handle) => {
      world.timers = world.timers.filter((t) => t !== handle)
    },
  }
  const scheduler = new AutoSync(deps, { baseMs: 1000, maxMs: 8000 })
  return { world, scheduler }
}

describe('AutoSync', () => {
  it('does not probe while the device is not enrolled, and checks again after the base interval', async () => {
    const { world, scheduler } = harness({ enrolled: false })
    scheduler.start()
    expect(await scheduler.tick()).toBe('not-enrolled')
    expect(world.probes).toBe(0)
    expect(world.timers.at(-1)!.ms).toBe(1000)
  })

  it('backs off while HQ does not answer (doubling up to the maximum), then syncs once when it answers with changes waiting', async () => {
    const { world, scheduler } = harness({ pendingChanges: 3, reachable: null })
    world.up = false
    scheduler.start()
    const delays: number[] = []
    for (let i = 0; i < 5; i++) {
      expect(await scheduler.tick()).toBe('unreachable')
      delays.push(world.timers.at(-1)!.ms)
    }
    expect(delays).toEqual([2000, 4000, 8000, 8000, 8000])
    expect(world.runs).toBe(0)
    world.up = true
    expect(await scheduler.tick()).toBe('synced')
    expect(world.runs).toBe(1)
    expect(world.timers.at(-1)!.ms).toBe(1000)
    // Still reachable: no transition, no further sync even with new changes.
    world.status.pendingChanges = 1
    expect(await scheduler.tick()).toBe('reachable')
    expect(world.runs).toBe(1)
  })

  it('does not sync when HQ comes back with nothing waiting', async () => {
    const { world, scheduler } = harness({ reachable: false, pendingChanges: 0 })
    scheduler.start()
    expect(await scheduler.tick()).toBe('reachable')
    expect(world.runs).toBe(0)
  })

  it('skips a tick while a sync is running (the core joins or runs one at a time)', async () => {
    const { world, scheduler } = harness({
      reachable: false,
      pendingChanges: 2,
      running: { phase: 'push', pushed: 0, pending: 2, pendingAtStart: 2, pulled: 0, pullTotal: null, bytesSent: 0, bytesReceived: 0, startedAt: '' },
    })
    scheduler.start()
    expect(await scheduler.tick()).toBe('busy')
    expect(world.probes).toBe(0)
    expect(world.runs).toBe(0)
  })

  it('never overlaps its own ticks, and stops cleanly', async () => {
    const { world, scheduler } = harness({ reachable: false, pendingChanges: 1 })
    scheduler.start()
    const [first, second] = await Promise.all([scheduler.tick(), scheduler.tick()])
    expect([first, second].sort()).toEqual(['busy', 'synced'])
    expect(world.runs).toBe(1)
    scheduler.stop()
    expect(world.timers).toHaveLength(0)
    expect(await scheduler.tick()).toBe('stopped')
  })

  it('poke checks now', async () => {
    const { world, scheduler } = harness()
    scheduler.start()
    await scheduler.tick()
    scheduler.poke()
    expect(world.timers.at(-1)!.ms).toBe(0)
    expect(world.timers).toHaveLength(1)
  })
})
