// Latency sampling and percentiles (nearest-rank).
export interface Percentiles {
  n: number
  p50: number
  p95: number
  p99: number
  mean: number
  max: number
}

export function percentiles(samples: number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b)
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
  return {
    n: s.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    max: s[s.length - 1]!,
  }
}

export async function sampleAsync(iterations: number, warmup: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i)
  const out: number[] = []
  for (let i = 0; i < iterations; i++) {
    const t = performance.now()
    await fn(i)
    out.push(performance.now() - t)
  }
  return out
}

export function sampleSync(iterations: number, warmup: number, fn: (i: number) => unknown): number[] {
  for (let i = 0; i < warmup; i++) fn(i)
  const out: number[] = []
  for (let i = 0; i < iterations; i++) {
    const t = performance.now()
    fn(i)
    out.push(performance.now() - t)
  }
  return out
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/**
 * Handler and raw, interleaved (alternating which goes first) so both see the same background
 * load: on a shared 2-core machine, separate blocks let drift show up as a handler/raw ratio.
 */
export async function samplePair(
  iterations: number,
  warmup: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => unknown,
): Promise<[number[], number[]]> {
  for (let i = 0; i < warmup; i++) {
    await a(i)
    b(i)
  }
  const sa: number[] = []
  const sb: number[] = []
  const runA = async (i: number) => {
    const t = performance.now()
    await a(i)
    sa.push(performance.now() - t)
  }
  const runB = (i: number) => {
    const t = performance.now()
    b(i)
    sb.push(performance.now() - t)
  }
  for (let i = 0; i < iterations; i++) {
    if (i % 2) {
      runB(i)
      await runA(i)
    } else {
      await runA(i)
      runB(i)
    }
  }
  return [sa, sb]
}
