import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HybridClock, parseHlc } from './hlc'

describe('HybridClock', () => {
  it('issues strictly increasing timestamps even when the wall clock stands still or goes back', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 1, maxLength: 200 }), (steps) => {
        let wall = Date.UTC(2026, 10, 23)
        const clock = new HybridClock('dev-a', () => wall)
        let previous = ''
        for (const step of steps) {
          wall += step
          const next = clock.now()
          expect(next > previous).toBe(true)
          previous = next
        }
      }),
    )
  })

  it('moves past a remote timestamp from a clock a year ahead, without losing order', () => {
    const wall = Date.UTC(2026, 10, 23)
    const clock = new HybridClock('dev-a', () => wall)
    const before = clock.now()
    const remote = new HybridClock('server', () => wall + 365 * 86_400_000).now()
    clock.receive(remote)
    const after = clock.now()
    expect(after > remote).toBe(true)
    expect(after > before).toBe(true)
    expect(parseHlc(after).node).toBe('dev-a')
  })

  it('applies the learned server offset to its wall clock', () => {
    const wall = Date.UTC(2026, 10, 23)
    const clock = new HybridClock('dev-a', () => wall, 60_000)
    expect(parseHlc(clock.now()).millis).toBe(wall + 60_000)
  })

  it('survives a burst larger than its counter by borrowing milliseconds', () => {
    const clock = new HybridClock('dev-a', () => 1_000)
    let previous = ''
    for (let i = 0; i < 70_000; i++) {
      const next = clock.now()
      if (next <= previous) throw new Error(`not increasing at ${i}`)
      previous = next
    }
  })
})
