// Cold start only, on an existing (demo-loaded) data dir — e.g. one kept by `npm run bench -- --keep`.
//   npx tsx bench/coldstart.ts --data-dir DIR [--runs 3] [--runner bundle|prebuilt|tsx] [--cpu-prof DIR]
// --cpu-prof DIR: a V8 CPU profile of each server process (spawn to stop, after the map is drawn) in DIR.
// --no-warm: the server skips its warm-up of the first screen's calls (to compare).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { RENDERER_DIR, REPO_ROOT } from '../electron/core/resources'
import { measureColdStart } from './lib/coldstart'
import { benchArgs } from './lib/args'

const values = benchArgs(import.meta.filename, {
  'data-dir': { type: 'string' },
  runs: { type: 'string', default: '3' },
  runner: { type: 'string', default: 'bundle' },
  'cpu-prof': { type: 'string' },
  'no-warm': { type: 'boolean', default: false },
})
if (!values['data-dir']) throw new Error('--data-dir is required')
// A dir kept by a bench (bench/lib/county.ts) has its store key beside it; the server process inherits it.
const keptKey = `${values['data-dir'].replace(/\/+$/, '')}.key`
if (!process.env.GRIDDESK_KEY_FILE && existsSync(keptKey)) process.env.GRIDDESK_KEY_FILE = keptKey
const result = await measureColdStart({
  repoRoot: REPO_ROOT,
  rendererDir: RENDERER_DIR,
  dataDir: values['data-dir'],
  runs: Number(values.runs),
  runner: (['tsx', 'prebuilt'].includes(values.runner!) ? values.runner : 'bundle') as 'bundle' | 'prebuilt' | 'tsx',
  buildDir: join(REPO_ROOT, 'bench', 'results', 'build'),
  timeoutMs: 30_000,
  log: (l) => console.log(l),
  cpuProfDir: values['cpu-prof'],
  noWarm: values['no-warm'],
})
for (const w of result.warnings) console.log(`WARNING: ${w}`)
if (result.skipReason) console.log(`SKIPPED map-ready: ${result.skipReason}`)
console.log(JSON.stringify({ ...result, runs: result.runs.map((r) => ({ ...r, rpc: r.rpc })) }))
