// `npm run hq -- [--data-dir DIR] [--port N] [--host H] [--tls-cert FILE --tls-key FILE]`: starts
// the HQ sync server on PGlite in DIR (default ./hq-data), or on PostgreSQL when DATABASE_URL is set.
// With a certificate and key it serves HTTPS. Plain HTTP is for a TLS-terminating reverse proxy on
// the same machine (--host 127.0.0.1, --trust-proxy) or development; on any other address it needs
// --allow-insecure-http, since devices send names and phone numbers.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { buildServer } from './app'
import { hqBasemapsDir, makeHqDataPrivate } from './dataDir'
import { openStore, StoreLockedError } from './db/client'

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: 'hq-data' },
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'trust-proxy': { type: 'boolean', default: false },
    'allow-insecure-http': { type: 'boolean', default: false },
  },
})
if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) {
  console.error('Give both --tls-cert FILE and --tls-key FILE (PEM), or neither.')
  process.exit(2)
}
const https = values['tls-cert'] && values['tls-key'] ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) } : undefined
const loopback = ['127.0.0.1', '::1', 'localhost'].includes(values.host)
if (!https && !loopback && !values['allow-insecure-http']) {
  console.error(
    `Refusing to serve plain HTTP on ${values.host}: give --tls-cert and --tls-key, or listen on 127.0.0.1 behind a TLS reverse proxy (--trust-proxy). --allow-insecure-http overrides this for development only.`,
  )
  process.exit(2)
}
// Names and phone numbers: nothing HQ writes is readable by other OS users of this machine.
makeHqDataPrivate(values['data-dir'])
const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: values['data-dir'], holder: 'the HQ server (npm run hq)' }).catch(
  (error: unknown) => {
    if (!(error instanceof StoreLockedError)) throw error
    console.error(error.message)
    process.exit(1)
  },
)
const app = await buildServer({ db: store.db, logger: true, https, trustProxy: values['trust-proxy'], basemapsDir: hqBasemapsDir(values['data-dir']) })
const shutdown = async () => {
  await app.close()
  await store.close()
  process.exit(0)
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
await app.listen({ port: Number(values.port), host: values.host })
const scheme = https ? 'https' : 'http'
console.log(
  `GridDesk HQ on ${store.kind === 'postgres' ? 'PostgreSQL' : `PGlite in ${values['data-dir']}`}, listening on ${scheme}://${values.host}:${values.port}`,
)
if (!https)
  console.warn(
    loopback
      ? 'Plain HTTP on a loopback address: put a TLS reverse proxy in front (see SECURITY.md), or use --tls-cert/--tls-key.'
      : 'WARNING: plain HTTP on a network address (--allow-insecure-http). Development only.',
  )
