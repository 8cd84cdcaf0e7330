// The HQ server as its own process for bench/sync.ts, as in production (`npm run hq`): PGlite in a
// data directory, the demo county imported, a county manager with enrolment codes.
//   node --import tsx bench/hq-for-bench.ts --data-dir DIR --customers N --visits N --codes N
// Prints one JSON line {url, codes, counts, importSeconds} when listening; stops on SIGTERM.
import { assignRegion, createUser, issueEnrolCode } from '../server/accounts'
import { buildServer } from '../server/app'
import { openStore } from '../server/db/client'
import { importDemoCounty } from '../server/masterData'
import { benchArgs } from './lib/args'

const values = benchArgs(import.meta.filename, {
  'data-dir': { type: 'string' },
  customers: { type: 'string' },
  visits: { type: 'string' },
  codes: { type: 'string', default: '2' },
})
const store = await openStore({ dataDir: values['data-dir'] })
const started = performance.now()
const counts = await importDemoCounty(store.db, { keyCustomers: Number(values.customers), visits: Number(values.visits) })
const importSeconds = (performance.now() - started) / 1000
await createUser(store.db, 'bench-county', 'county_manager')
await assignRegion(store.db, 'bench-county', '451022')
const codes: string[] = []
for (let i = 0; i < Number(values.codes); i++) codes.push((await issueEnrolCode(store.db, 'bench-county')).code)
const app = await buildServer({ db: store.db })
await app.listen({ port: 0, host: '127.0.0.1' })
const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => store.close())
      .then(() => process.exit(0)),
)
console.log(JSON.stringify({ url, codes, counts, importSeconds }))
