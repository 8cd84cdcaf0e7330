// `npm run serve`: browser mode from the command line.
//   npm run serve -- [--data-dir DIR] [--port N]
import { parseArgs } from 'node:util'
import { openCore } from '../core/app'
import { resolveDataDir } from '../core/paths'
import { appVersion, RENDERER_DIR, REPO_ROOT } from '../core/resources'
import { startBrowserMode } from './server'

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, port: { type: 'string', default: process.env.GRIDDESK_PORT ?? '5174' } },
  allowPositionals: false,
})
const dataDir = values['data-dir'] ?? resolveDataDir([])
const core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: appVersion() })
const server = await startBrowserMode({ core, rendererDir: RENDERER_DIR, port: Number(values.port) })
// The printed address carries this launch's secret: only who can read this terminal gets in.
console.log(`GridDesk browser mode: ${server.launchUrl}  (data: ${dataDir})`)

const stop = async () => {
  await server.close()
  core.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
