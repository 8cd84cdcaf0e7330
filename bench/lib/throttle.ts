// An in-process TCP proxy that simulates a weak link: each direction is serialised at a fixed
// bit rate and every byte arrives one-way-latency later (RTT = 2 × latency). Counts the bytes.
// The rate is the link's, shared by all its connections (8 parallel tile requests share 128 kbps
// as they would on one 2G modem), not each connection's.
import { createServer, connect, type Server, type Socket } from 'node:net'

export interface LinkOptions {
  /** bits per second, each direction */
  bitsPerSecond: number
  /** round-trip time in ms */
  rttMs: number
}

export interface ThrottledLink {
  url: string
  bytesUp: number
  bytesDown: number
  connections: number
  close(): Promise<void>
}

/** One direction of the link: when its sender is free again, whichever connection sent last. */
interface Channel {
  free: number
}

function pipeSlow(from: Socket, to: Socket, options: LinkOptions, channel: Channel, count: (n: number) => void): void {
  const bytesPerMs = options.bitsPerSecond / 8 / 1000
  let last = 0 // when this connection's last byte is through
  from.on('data', (chunk: Buffer) => {
    count(chunk.length)
    const start = Math.max(performance.now(), channel.free)
    channel.free = last = start + chunk.length / bytesPerMs
    const arrive = last + options.rttMs / 2
    setTimeout(() => to.writable && to.write(chunk), Math.max(0, arrive - performance.now()))
  })
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, last + options.rttMs / 2 - performance.now())))
  from.on('error', () => to.destroy())
}

export async function startThrottledLink(target: { host: string; port: number }, options: LinkOptions): Promise<ThrottledLink> {
  const sockets = new Set<Socket>()
  const up: Channel = { free: 0 }
  const down: Channel = { free: 0 }
  const link: ThrottledLink = { url: '', bytesUp: 0, bytesDown: 0, connections: 0, close: async () => {} }
  const server: Server = createServer((client) => {
    link.connections++
    const upstream = connect(target.port, target.host)
    sockets.add(client).add(upstream)
    pipeSlow(client, upstream, options, up, (n) => (link.bytesUp += n))
    pipeSlow(upstream, client, options, down, (n) => (link.bytesDown += n))
    const drop = () => {
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('close', drop)
    upstream.on('close', drop)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  link.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  link.close = async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  return link
}
