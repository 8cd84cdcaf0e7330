// The start-up warm-up: the first screen's calls run through the handler table once, the report
// writers load only after a quiet spell, and stopping it (the store closing) ends it.
import { afterEach, describe, expect, it } from 'vitest'
import { firstScreenCalls, startWarmUp } from './warm'
import { openTestCore } from './testing'

describe('start-up warm-up', () => {
  let core: ReturnType<typeof openTestCore> | undefined
  afterEach(() => core?.dispose())

  it('runs every first-screen call once, valid for the handler table, then loads the report writers when quiet', async () => {
    core = openTestCore()
    const asked: string[] = []
    const failures: unknown[] = []
    const userCalledAt = performance.now()
    const warming = startWarmUp({
      dispatch: async (name, input) => {
        asked.push(name)
        const envelope = await core!.dispatch(name, input)
        if (!envelope.ok) failures.push(envelope.error)
        return envelope
      },
      // A user's call just before: the writers wait for a quiet spell, then load.
      lastCallAt: () => userCalledAt,
      resourcesDir: core.ctx.resourcesDir,
      idleMs: 20,
    })
    await warming.firstScreen
    expect(asked).toEqual(firstScreenCalls(new Date()).map(([name]) => name))
    expect(failures).toEqual([])
    await warming.writers
    expect(performance.now() - userCalledAt).toBeGreaterThanOrEqual(20)
    warming.stop()
  })

  it('stops before its next call once stopped', async () => {
    core = openTestCore()
    const asked: string[] = []
    const warming = startWarmUp({
      dispatch: async (name, input) => (asked.push(name), core!.dispatch(name, input)),
      lastCallAt: () => undefined,
      resourcesDir: core.ctx.resourcesDir,
    })
    warming.stop()
    await warming.firstScreen
    await warming.writers
    expect(asked).toEqual([])
  })

  it('loads the writers only after the window has called and then been quiet', async () => {
    core = openTestCore()
    const window: { calledAt?: number } = {}
    let loaded = false
    const warming = startWarmUp({
      dispatch: (name, input) => core!.dispatch(name, input),
      lastCallAt: () => window.calledAt,
      resourcesDir: core.ctx.resourcesDir,
      idleMs: 20,
    })
    void warming.writers.then(() => (loaded = true))
    await warming.firstScreen
    await new Promise((resolve) => setTimeout(resolve, 100))
    // No call yet: the window is still loading, nothing heavy may start.
    expect(loaded).toBe(false)
    const calledAt = performance.now()
    window.calledAt = calledAt
    await warming.writers
    expect(performance.now() - calledAt).toBeGreaterThanOrEqual(20)
  })

  it('is started once per core, by the shells', async () => {
    core = openTestCore()
    const first = core.warmUp({ idleMs: 10 })
    expect(core.warmUp()).toBe(first)
    await first.firstScreen
  })
})
