// An HQ server on a PGlite data directory, in this process, that a scenario stops, backs up
// (a copy of the directory), restores and starts again on the same port.
import { cpSync, rmSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../app'
import { openStore, type HqStore } from '../db/client'

export interface DirHq {
  url: string
  port: number
  store: HqStore
  app: FastifyInstance
  close(): Promise<void>
}

export async function startDirHq(dataDir: string, port = 0): Promise<DirHq> {
  const store = await openStore({ dataDir })
  const app = await buildServer({ db: store.db })
  await app.listen({ port, host: '127.0.0.1' })
  const address = app.server.address()
  const bound = typeof address === 'object' && address ? address.port : port
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    store,
    app,
    async close() {
      await app.close()
      await store.close()
    },
  }
}

/** A backup as an administrator takes one: the stopped server's data directory, copied. */
export function copyDir(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true })
  cpSync(from, to, { recursive: true })
}
