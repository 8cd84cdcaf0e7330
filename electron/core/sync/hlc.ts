// Hybrid logical clock (docs/sync.md): wall time + counter + device id, as a string that sorts in
// causal order. A server offset learned at sync corrects a skewed wall clock; skew only warns.

export interface HlcParts {
  millis: number
  counter: number
  node: string
}

const COUNTER_MAX = 0xffff

export function formatHlc({ millis, counter, node }: HlcParts): string {
  return `${new Date(millis).toISOString()}-${counter.toString(16).padStart(4, '0')}-${node}`
}

export function parseHlc(hlc: string): HlcParts {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)-([0-9a-f]{4})-(.+)$/.exec(hlc)
  if (!m) throw new Error(`not an HLC: ${hlc}`)
  return { millis: Date.parse(m[1]!), counter: parseInt(m[2]!, 16), node: m[3]! }
}

export class HybridClock {
  private last: HlcParts

  constructor(
    private readonly node: string,
    private readonly wallClock: () => number = Date.now,
    /** Milliseconds to add to the wall clock (learned from the server). */
    public offsetMillis = 0,
    initial?: string,
  ) {
    this.last = initial ? parseHlc(initial) : { millis: 0, counter: 0, node }
  }

  /** This computer's own clock, uncorrected (what the server offset is measured against). */
  wallTime(): number {
    return this.wallClock()
  }

  /** The time corrected by the server's offset: what event times (a funnel move, a record's updated_at) are stamped with. */
  correctedTime(): number {
    return this.physical()
  }

  private physical(): number {
    return this.wallClock() + (Number.isFinite(this.offsetMillis) ? this.offsetMillis : 0)
  }

  /** A timestamp for a local event. */
  now(): string {
    const phys = this.physical()
    if (phys > this.last.millis) this.last = { millis: phys, counter: 0, node: this.node }
    else this.last = this.bump(this.last.millis, this.last.counter)
    return formatHlc(this.last)
  }

  /** Advance past a timestamp received from elsewhere (pull). */
  receive(remote: string): void {
    const r = parseHlc(remote)
    const phys = this.physical()
    const millis = Math.max(phys, r.millis, this.last.millis)
    let counter = 0
    if (millis === this.last.millis && millis === r.millis) counter = Math.max(this.last.counter, r.counter) + 1
    else if (millis === this.last.millis) counter = this.last.counter + 1
    else if (millis === r.millis) counter = r.counter + 1
    this.last = counter > COUNTER_MAX ? this.bump(millis, COUNTER_MAX) : { millis, counter, node: this.node }
  }

  /** The last timestamp issued or received, to persist. */
  get current(): string {
    return formatHlc(this.last)
  }

  // Counter overflow borrows a millisecond instead of throwing: a burst of writes never fails.
  private bump(millis: number, counter: number): HlcParts {
    return counter >= COUNTER_MAX ? { millis: millis + 1, counter: 0, node: this.node } : { millis, counter: counter + 1, node: this.node }
  }
}
