// `npm run hq -- [--data-dir DIR] [--port N] [--host H]`: starts the HQ sync server on PGlite in
// DIR (default ./hq-data), or on PostgreSQL when DATABASE_URL is set.
import { parseArgs } from 'node:util'
import { buildServer } from './app'
import { openStore } from './db/client'

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string', default: 'hq-data' }, port: { type: 'string', default: '8787' }, host: { type: 'string', default: '127.0.0.1' } },
})
const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: values['data-dir'] })
const app = await buildServer({ db: store.db, logger: true })
const shutdown = async () => {
  await app.close()
  await store.close()
  process.exit(0)
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
await app.listen({ port: Number(values.port), host: values.host })
console.log(`GridDesk HQ on ${store.kind === 'postgres' ? 'PostgreSQL' : `PGlite in ${values['data-dir']}`}, listening on http://${values.host}:${values.port}`)
