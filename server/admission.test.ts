// HQ's admission of sync requests: a bounded number run, a bounded number wait, the rest are told
// to come back (429 HQ_BUSY with a Retry-After), never queued without bound.
import { describe, expect, it } from 'vitest'
import { Admission, HttpError } from './app'

describe('Admission', () => {
  it('runs `active` at once, queues `queued`, turns the rest away with a wait in seconds', async () => {
    const admission = new Admission({ active: 2, queued: 1, maxWaitMs: 5_000 })
    const gates: (() => void)[] = []
    const work = () => new Promise<string>((resolve) => gates.push(() => resolve('done')))
    const running = [admission.run(work), admission.run(work)]
    const queued = admission.run(work)
    expect(admission.load).toEqual({ running: 2, waiting: 1 })
    const refused = await admission.run(work).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(HttpError)
    expect(refused).toMatchObject({ status: 429, code: 'HQ_BUSY' })
    expect((refused as HttpError).details?.retry_after_s).toBeGreaterThanOrEqual(1)
    // The queued one takes the first slot freed.
    gates[0]!()
    await running[0]
    await new Promise((r) => setTimeout(r, 0))
    expect(admission.load).toEqual({ running: 2, waiting: 0 })
    gates[1]!()
    gates[2]!()
    expect(await Promise.all([running[1], queued])).toEqual(['done', 'done'])
    expect(admission.load).toEqual({ running: 0, waiting: 0 })
  })

  it('a request that waited too long is turned away, and a failing one frees its slot', async () => {
    const admission = new Admission({ active: 1, queued: 5, maxWaitMs: 20 })
    let release = () => undefined as void
    const first = admission.run(() => new Promise<void>((resolve) => (release = resolve)))
    expect(await admission.run(async () => 1).catch((e: unknown) => e)).toMatchObject({ status: 429, code: 'HQ_BUSY' })
    release()
    await first
    await expect(admission.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await admission.run(async () => 2)).toBe(2)
    expect(admission.load).toEqual({ running: 0, waiting: 0 })
  })
})
