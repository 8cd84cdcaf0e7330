// An in-process TCP proxy that simulates a weak link: each direction is serialised at a fixed
// bit rate and every byte arrives one-way-latency later (RTT = 2 × latency). Counts the bytes.
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

function pipeSlow(from: Socket, to: Socket, options: LinkOptions, count: (n: number) => void): void {
  const bytesPerMs = options.bitsPerSecond / 8 / 1000
  let free = 0 // when the sending side of the link is free again
  from.on('data', (chunk: Buffer) => {
    count(chunk.length)
    const start = Math.max(performance.now(), free)
    free = start + chunk.length / bytesPerMs
    const arrive = free + options.rttMs / 2
    setTimeout(() => to.writable && to.write(chunk), Math.max(0, arrive - performance.now()))
  })
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, free + options.rttMs / 2 - performance.now())))
  from.on('error', () => to.destroy())
}

export async function startThrottledLink(target: { host: string; port: number }, options: LinkOptions): Promise<ThrottledLink> {
  const sockets = new Set<Socket>()
  const link: ThrottledLink = { url: '', bytesUp: 0, bytesDown: 0, connections: 0, close: async () => {} }
  const server: Server = createServer((client) => {
    link.connections++
    const upstream = connect(target.port, target.host)
    sockets.add(client).add(upstream)
    pipeSlow(client, upstream, options, (n) => (link.bytesUp += n))
    pipeSlow(upstream, client, options, (n) => (link.bytesDown += n))
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
