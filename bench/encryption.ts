// What encryption at rest costs: the skeleton and key-customer benches, each run on a clear store
// and on an encrypted one (same county, same seed), handler p95 side by side.
// `npx tsx bench/encryption.ts [--customers N] [--visits N] [--iterations N] [--rounds N]`.
// Rounds alternate clear/encrypted so that a busy machine weighs on both; per query the lowest p95
// of the rounds counts. Target: encrypted handler p95 within 1.2× of clear.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../electron/core/resources'
import { benchArgs } from './lib/args'

const flags = benchArgs(import.meta.filename, {
  customers: { type: 'string', default: '20000' },
  visits: { type: 'string', default: '200000' },
  iterations: { type: 'string', default: '200' },
  rounds: { type: 'string', default: '1' },
})
const TARGET = 1.2
const log = (line = '') => process.stdout.write(line + '\n')
type Mode = 'clear' | 'encrypted'

function run(script: string, args: string[], mode: Mode): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'bench', script), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, GRIDDESK_BENCH_STORE: mode, GRIDDESK_KEY_FILE: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', () => {
      const last = out.trim().split('\n').reverse().find((l) => l.startsWith('{'))
      if (!last) return reject(new Error(`${script} (${mode}) printed no summary:\n${out.slice(-2000)}`))
      const summary = JSON.parse(last) as { handlerP95?: Record<string, number>; latency?: { name: string; handlerP95: number }[] }
      resolve(summary.handlerP95 ?? Object.fromEntries((summary.latency ?? []).map((l) => [l.name, l.handlerP95])))
    })
  })
}

const size = ['--customers', flags.customers!, '--visits', flags.visits!]
const benches = [
  { name: 'skeleton', script: 'skeleton.ts', args: [...size, '--iterations', flags.iterations!, '--runs', '1', '--no-coldstart'] },
  { name: 'customers', script: 'customers.ts', args: [...size, '--iterations', String(Math.max(20, Math.round(Number(flags.iterations) / 5)))] },
]
const best: Record<string, Record<Mode, Record<string, number>>> = {}
for (let round = 0; round < Number(flags.rounds); round++)
  for (const bench of benches)
    for (const mode of (round % 2 ? ['encrypted', 'clear'] : ['clear', 'encrypted']) as Mode[]) {
      log(`round ${round + 1}: ${bench.name} on a ${mode} store …`)
      const p95 = await run(bench.script, bench.args, mode)
      const seen = ((best[bench.name] ??= { clear: {}, encrypted: {} })[mode] ??= {})
      for (const [query, ms] of Object.entries(p95)) seen[query] = Math.min(seen[query] ?? Infinity, ms)
    }

log()
log(`handler p95 (ms), ${flags.customers} key customers / ${flags.visits} visits; best of ${flags.rounds} round(s)`)
log(`${'bench'.padEnd(10)} ${'query'.padEnd(44)} ${'clear'.padStart(8)} ${'encrypted'.padStart(10)}  ratio`)
const ratios: number[] = []
const rows: { bench: string; query: string; clear: number; encrypted: number; ratio: number }[] = []
for (const [bench, modes] of Object.entries(best))
  for (const [query, clear] of Object.entries(modes.clear)) {
    const encrypted = modes.encrypted[query]
    if (encrypted === undefined) continue
    const ratio = encrypted / clear
    ratios.push(ratio)
    rows.push({ bench, query, clear, encrypted, ratio })
    log(`${bench.padEnd(10)} ${query.slice(0, 44).padEnd(44)} ${clear.toFixed(2).padStart(8)} ${encrypted.toFixed(2).padStart(10)}  ${ratio.toFixed(2)}×`)
  }
const geomean = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length)
const worst = Math.max(...ratios)
log()
log(`encrypted / clear handler p95: geometric mean ${geomean.toFixed(2)}×, worst ${worst.toFixed(2)}× (target ≤ ${TARGET}×: ${geomean <= TARGET ? 'MET' : 'NOT MET'} on the mean, ${worst <= TARGET ? 'MET' : 'NOT MET'} on the worst)`)
mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true })
writeFileSync(join(REPO_ROOT, 'bench', 'results', 'encryption.json'), JSON.stringify({ customers: Number(flags.customers), visits: Number(flags.visits), rounds: Number(flags.rounds), geomean, worst, rows }, null, 2))
