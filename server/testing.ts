// Test helper: a real HQ server over HTTP on 127.0.0.1 (random port) on in-memory PGlite, with a
// small demo county as master data and users assigned to grids.
import type { FastifyInstance } from 'fastify'
import { assignRegion, createUser, issueEnrolCode, type Role } from './accounts'
import { buildServer } from './app'
import { openStore, type HqStore } from './db/client'
import { importDemoCounty, type ImportOptions } from './masterData'

export interface TestHq {
  url: string
  store: HqStore
  app: FastifyInstance
  /** Creates a user with regions and returns a fresh one-time enrolment code for them. */
  userWithCode(name: string, role: Role, regions: string[]): Promise<string>
  code(name: string): Promise<string>
  close(): Promise<void>
}

export async function startTestHq(demo: ImportOptions | false = { keyCustomers: 0, visits: 0, tables: ['org_units', 'villages'] }): Promise<TestHq> {
  const store = await openStore({})
  if (demo) await importDemoCounty(store.db, demo)
  const app = await buildServer({ db: store.db })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    url,
    store,
    app,
    async userWithCode(name, role, regions) {
      await createUser(store.db, name, role)
      for (const region of regions) await assignRegion(store.db, name, region)
      return (await issueEnrolCode(store.db, name)).code
    },
    code: async (name) => (await issueEnrolCode(store.db, name)).code,
    async close() {
      await app.close()
      await store.close()
    },
  }
}
