// Browser mode as a fresh process for the cold-start figure (bench/skeleton.ts spawns this,
// bundled to plain JS first so TypeScript transpiling is not counted; see bench/README.md).
//   serve-for-bench --data-dir DIR --resources-dir DIR --renderer-dir DIR [--no-warm]
// Like the shells it warms up once listening (electron/core/warm.ts); --no-warm leaves that out.
// Prints to stdout, with ms since this process started (performance.now()):
//   CORE <ms>           openCore done (SQLite open + migrations check)
//   READY <url> <ms>    HTTP server listening
//   RPC <name> <ms-at-end> <duration-ms> <bytes>   each /rpc call, answered
import { openCore, type Core } from '../electron/core/app'
import { benchKey } from './lib/store'
import { startBrowserMode } from '../electron/devserver/server'
import { benchArgs } from './lib/args'

const values = benchArgs(import.meta.filename, {
  'data-dir': { type: 'string' },
  'resources-dir': { type: 'string' },
  'renderer-dir': { type: 'string' },
  'no-warm': { type: 'boolean', default: false },
})
const need = (k: 'data-dir' | 'resources-dir' | 'renderer-dir') => {
  const v = values[k]
  if (!v) throw new Error(`--${k} is required`)
  return v
}

const core: Core = openCore({ dataDir: need('data-dir'), resourcesDir: need('resources-dir'), version: 'bench', key: benchKey() })
console.log(`CORE ${performance.now().toFixed(1)}`)

const dispatch = core.dispatch
const timed: Core = {
  ...core,
  dispatch: async (name, input, lang) => {
    const t = performance.now()
    const envelope = await dispatch(name, input, lang)
    const end = performance.now()
    console.log(`RPC ${name} ${end.toFixed(1)} ${(end - t).toFixed(1)} ${JSON.stringify(envelope).length}`)
    return envelope
  },
}
const server = await startBrowserMode({ core: timed, rendererDir: need('renderer-dir'), port: 0 })
// The page opens the launch URL, as a user does: the redirect that sets the session cookie is part of the cold start.
console.log(`READY ${server.launchUrl} ${performance.now().toFixed(1)}`)
if (!values['no-warm']) {
  const warming = core.warmUp()
  void warming.firstScreen.then(() => console.log(`WARM first-screen ${performance.now().toFixed(1)}`))
  void warming.writers.then(() => console.log(`WARM writers ${performance.now().toFixed(1)}`))
}

// The store is closed first: a server still waiting on the browser's connections when the bench
// gives up (SIGKILL after 3 s) must not leave the store marked open, or the next run's open would
// be an unclean-shutdown one, with the full integrity check.
const stop = async () => {
  core.close()
  await server.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
