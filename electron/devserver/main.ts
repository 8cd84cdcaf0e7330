// `npm run serve`: browser mode from the command line.
//   npm run serve -- [--data-dir DIR] [--port N] [--passphrase-file FILE | --key-file FILE]
import { parseArgs } from 'node:util'
import { AppError } from '../../shared/errors'
import { openCore, type Core } from '../core/app'
import { keySourceFromArgs } from '../core/crypto/source'
import { openFailureText } from '../core/db/health'
import { logUnexpectedError } from '../core/errorLog'
import { resolveDataDir } from '../core/paths'
import { appVersion, RENDERER_DIR, REPO_ROOT } from '../core/resources'
import { startBrowserMode } from './server'

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string', default: process.env.GRIDDESK_PORT ?? '5174' },
    'key-file': { type: 'string' },
    'passphrase-file': { type: 'string' },
    lang: { type: 'string', default: 'zh-CN' },
  },
  allowPositionals: false,
})
const dataDir = values['data-dir'] ?? resolveDataDir([])
const lang = values.lang === 'en' ? 'en' : 'zh-CN'
let core: Core
try {
  core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: appVersion(), key: await keySourceFromArgs(dataDir, values, lang) })
} catch (error) {
  // No key, a wrong key, a revoked device, a damaged store or a fault nobody foresaw: said in words, not a stack alone.
  if (!(error instanceof AppError)) logUnexpectedError('the store did not open', error)
  console.error(openFailureText(error, lang, dataDir))
  process.exit(1)
}
void core.backupIfDue().catch((error: unknown) => logUnexpectedError('daily backup failed', error))
const server = await startBrowserMode({ core, rendererDir: RENDERER_DIR, port: Number(values.port) })
// While the browser loads the page: the first screen's calls once, later the report writers (core/warm.ts).
core.warmUp()
// The printed address carries this launch's secret: only who can read this terminal gets in.
console.log(`GridDesk browser mode: ${server.launchUrl}  (data: ${dataDir})`)

const stop = async () => {
  await server.close()
  core.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
