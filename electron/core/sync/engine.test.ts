import { describe, expect, it } from 'vitest'
import { MAX_PULL_LIMIT } from '../../../shared/sync/protocol'
import { linkRateKbps, MIN_RATE_SAMPLE_BYTES, nextPageRows } from './engine'

describe('pull page size follows the link', () => {
  it('keeps pages near 15 s: a 2G link shrinks them by halves, a fast one grows them back by doubling', () => {
    // 20,000 rows in 120 s (128 kbps): 10,000 next, then 5,000 … down to what fits in 15 s.
    let size = 20_000
    const rowsPerSecond = 20_000 / 120
    const sizes = []
    for (let i = 0; i < 5; i++) {
      size = nextPageRows(size, size, (size / rowsPerSecond) * 1000)
      sizes.push(size)
    }
    expect(sizes).toEqual([10_000, 5_000, 2_500, 2_500, 2_500])
    // Then the link gets fast: doubling up to the maximum.
    size = nextPageRows(size, size, 200)
    expect(size).toBe(5_000)
    for (let i = 0; i < 5; i++) size = nextPageRows(size, size, 200)
    expect(size).toBe(MAX_PULL_LIMIT)
  })

  it('never goes below 500 rows, and a short last page changes nothing', () => {
    expect(nextPageRows(600, 600, 600_000)).toBe(500)
    expect(nextPageRows(20_000, 37, 90_000)).toBe(20_000)
  })
})

describe('linkRateKbps', () => {
  it('is the bytes over the time less HQ’s own time', () => {
    expect(linkRateKbps(125_000, 1_500, 500)).toBe(1_000)
    expect(linkRateKbps(125_000, 1_000, 0)).toBe(1_000)
  })
  it('reads an answer that came while the device was busy (no time left) as fast, not as a broken link', () => {
    expect(linkRateKbps(1_000_000, 40, 60)).toBe(8_000_000)
  })
  it('says nothing of an answer too small to measure the link by (its time is the round trip): the rate before stands', () => {
    expect(linkRateKbps(MIN_RATE_SAMPLE_BYTES - 1, 50, 0)).toBeUndefined()
    expect(linkRateKbps(MIN_RATE_SAMPLE_BYTES, 1_000, 0)).toBe(262)
  })
})
