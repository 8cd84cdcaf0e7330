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

type Figures = { p50: Record<string, number>; p95: Record<string, number> }
function run(script: string, args: string[], mode: Mode): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'bench', script), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, GRIDDESK_BENCH_STORE: mode, GRIDDESK_KEY_FILE: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', () => {
      const last = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'))
      if (!last) return reject(new Error(`${script} (${mode}) printed no summary:\n${out.slice(-2000)}`))
      const summary = JSON.parse(last) as {
        handlerP95?: Record<string, number>
        handlerP50?: Record<string, number>
        latency?: { name: string; handlerP95: number; handlerP50: number }[]
      }
      resolve({
        p95: summary.handlerP95 ?? Object.fromEntries((summary.latency ?? []).map((l) => [l.name, l.handlerP95])),
        p50: summary.handlerP50 ?? Object.fromEntries((summary.latency ?? []).map((l) => [l.name, l.handlerP50])),
      })
    })
  })
}

const size = ['--customers', flags.customers!, '--visits', flags.visits!]
const benches = [
  { name: 'skeleton', script: 'skeleton.ts', args: [...size, '--iterations', flags.iterations!, '--runs', '1', '--no-coldstart'] },
  { name: 'customers', script: 'customers.ts', args: [...size, '--iterations', String(Math.max(20, Math.round(Number(flags.iterations) / 5)))] },
]
const best: Record<string, Record<Mode, Record<string, number>>> = {}
const medians: Record<string, Record<Mode, Record<string, number>>> = {}
for (let round = 0; round < Number(flags.rounds); round++)
  for (const bench of benches)
    for (const mode of (round % 2 ? ['encrypted', 'clear'] : ['clear', 'encrypted']) as Mode[]) {
      log(`round ${round + 1}: ${bench.name} on a ${mode} store …`)
      const figures = await run(bench.script, bench.args, mode)
      const seen = ((best[bench.name] ??= { clear: {}, encrypted: {} })[mode] ??= {})
      for (const [query, ms] of Object.entries(figures.p95)) seen[query] = Math.min(seen[query] ?? Infinity, ms)
      const mid = ((medians[bench.name] ??= { clear: {}, encrypted: {} })[mode] ??= {})
      for (const [query, ms] of Object.entries(figures.p50)) mid[query] = Math.min(mid[query] ?? Infinity, ms)
    }

log()
log(`handler p95 (ms), ${flags.customers} key customers / ${flags.visits} visits; best of ${flags.rounds} round(s)`)
log(
  `${'bench'.padEnd(10)} ${'query'.padEnd(40)} ${'p95 clear'.padStart(9)} ${'encrypted'.padStart(9)}  ratio   ${'p50 clear'.padStart(9)} ${'encrypted'.padStart(9)}  ratio`,
)
const ratios: number[] = []
const ratios50: number[] = []
const rows: { bench: string; query: string; clear: number; encrypted: number; ratio: number; clearP50?: number; encryptedP50?: number; ratioP50?: number }[] =
  []
for (const [bench, modes] of Object.entries(best))
  for (const [query, clear] of Object.entries(modes.clear)) {
    const encrypted = modes.encrypted[query]
    if (encrypted === undefined) continue
    const ratio = encrypted / clear
    const c50 = medians[bench]?.clear[query]
    const e50 = medians[bench]?.encrypted[query]
    const ratioP50 = c50 && e50 ? e50 / c50 : undefined
    ratios.push(ratio)
    if (ratioP50) ratios50.push(ratioP50)
    rows.push({ bench, query, clear, encrypted, ratio, clearP50: c50, encryptedP50: e50, ratioP50 })
    const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2)).padStart(9)
    log(
      `${bench.padEnd(10)} ${query.slice(0, 40).padEnd(40)} ${f(clear)} ${f(encrypted)}  ${ratio.toFixed(2)}×   ${f(c50)} ${f(e50)}  ${ratioP50?.toFixed(2) ?? '-'}×`,
    )
  }
const geo = (xs: number[]) => Math.exp(xs.reduce((a, r) => a + Math.log(r), 0) / xs.length)
const geomean = geo(ratios)
const geomean50 = geo(ratios50)
const worst = Math.max(...ratios)
log()
log(
  `encrypted / clear handler p95: geometric mean ${geomean.toFixed(2)}×, worst ${worst.toFixed(2)}× (target ≤ ${TARGET}×: ${geomean <= TARGET ? 'MET' : 'NOT MET'} on the mean, ${worst <= TARGET ? 'MET' : 'NOT MET'} on the worst)`,
)
log(`encrypted / clear handler p50: geometric mean ${geomean50.toFixed(2)}× (p50s are steadier than p95s on a shared machine)`)
mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true })
writeFileSync(
  join(REPO_ROOT, 'bench', 'results', 'encryption.json'),
  JSON.stringify({ customers: Number(flags.customers), visits: Number(flags.visits), rounds: Number(flags.rounds), geomean, geomean50, worst, rows }, null, 2),
)
