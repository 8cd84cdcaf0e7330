// A loopback TCP proxy in front of the HQ server that misbehaves on purpose: per connection it
// passes bytes through, or cuts the answer after some bytes, resets the connection, delays every
// chunk, stalls (stops forwarding and keeps the socket open), or duplicates the request (sends the
// client's bytes to the server a second time on another connection, as a retrying middlebox
// would). Faults are drawn from a seeded generator, so a failing run can be replayed.
import { connect, createServer, type Server, type Socket } from 'node:net'

export type Fault = 'pass' | 'cut' | 'reset' | 'delay' | 'stall' | 'duplicate'
export const FAULTS: Fault[] = ['pass', 'cut', 'reset', 'delay', 'stall', 'duplicate']

/** mulberry32: small, seeded, good enough to pick faults. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface ProxyOptions {
  target: { host: string; port: number }
  seed: number
  /** Share of connections with a fault (the rest pass). */
  faultRate: number
  faults?: Fault[]
  /** Delay per chunk for 'delay'. */
  delayMs?: number
}

export interface FaultProxy {
  port: number
  url: string
  /** How many connections met each fault. */
  counts: Record<Fault, number>
  /** Forces the fault of the next connections (tests), then back to random. */
  force(fault: Fault | undefined): void
  setTarget(port: number): void
  close(): Promise<void>
}

export async function startFaultProxy(options: ProxyOptions): Promise<FaultProxy> {
  const random = seeded(options.seed)
  const faults = (options.faults ?? FAULTS).filter((f) => f !== 'pass')
  const counts = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>
  const sockets = new Set<Socket>()
  let forced: Fault | undefined
  let targetPort = options.target.port
  const track = (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => undefined)
    return s
  }
  const server: Server = createServer((client) => {
    track(client)
    // A fault per request (a kept-alive connection carries many): drawn when a request starts.
    const draw = (): Fault => forced ?? (random() < options.faultRate ? faults[Math.floor(random() * faults.length)]! : 'pass')
    let fault: Fault = 'pass'
    const upstream = track(connect(targetPort, options.target.host))
    let cutAt = 0
    let down = 0
    const requestBytes: Buffer[] = []
    client.on('data', (chunk: Buffer) => {
      if (/^(GET|POST) /.test(chunk.subarray(0, 5).toString('latin1'))) {
        fault = draw()
        counts[fault]++
        cutAt = 200 + Math.floor(random() * 4000)
        down = 0
        requestBytes.length = 0
      }
      if (fault === 'duplicate') requestBytes.push(chunk)
      upstream.write(chunk)
    })
    client.on('end', () => upstream.end())
    upstream.on('data', (chunk: Buffer) => {
      if (fault === 'stall') return // swallowed: the client waits on a silent link
      if (fault === 'cut' && down + chunk.length > cutAt) {
        client.write(chunk.subarray(0, Math.max(0, cutAt - down)), () => client.destroy())
        upstream.destroy()
        return
      }
      if (fault === 'reset' && down + chunk.length > cutAt / 4) {
        client.resetAndDestroy()
        upstream.destroy()
        return
      }
      down += chunk.length
      if (fault === 'delay') {
        upstream.pause()
        setTimeout(() => {
          client.write(chunk)
          upstream.resume()
        }, options.delayMs ?? 200)
      } else client.write(chunk)
      if (fault === 'duplicate' && requestBytes.length > 0) {
        // The same request again, as a middlebox retrying it would: its answer goes nowhere.
        const again = track(connect(targetPort, options.target.host))
        again.on('data', () => undefined)
        again.end(Buffer.concat(requestBytes.splice(0)))
      }
    })
    upstream.on('end', () => client.end())
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    counts,
    force: (fault) => (forced = fault),
    setTarget: (p) => (targetPort = p),
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
