// Growth with the county: runs benches at several sizes (key customers; visits = 10 × customers)
// on one kept county per size, and prints each figure per size with its growth exponent
// k in t ∝ n^k between neighbouring sizes (1 = linear, 0 = flat). The counties are generated once
// under --dir and reused by later runs (delete the dir to regenerate).
//   npx tsx bench/scale.ts [--sizes 2000,20000,100000] [--benches visits,customers] [--dir DIR]
// Each bench runs in its own process with --data-dir and --customers; its last JSON line is read.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { benchArgs } from './lib/args'

const flags = benchArgs(import.meta.filename, {
  sizes: { type: 'string', default: '2000,20000,100000' },
  benches: { type: 'string', default: 'visits,customers' },
  dir: { type: 'string', default: resolve(import.meta.dirname, 'results', 'counties') },
  iterations: { type: 'string', default: '20' },
})
const sizes = flags.sizes!.split(',').map(Number)
const benches = flags.benches!.split(',')
mkdirSync(flags.dir!, { recursive: true })
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')

const figures = new Map<string, Map<number, number>>()
const loads: Record<string, string> = {}
for (const n of sizes) {
  for (const bench of benches) {
    const before = load()
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(import.meta.dirname, `${bench}.ts`),
        '--data-dir',
        join(flags.dir!, `county-${n}`),
        '--customers',
        String(n),
        '--visits',
        String(n * 10),
        '--iterations',
        flags.iterations!,
      ],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        // Each kept county's key sits beside it (bench/lib/county.ts), not in the environment.
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'GRIDDESK_KEY_FILE')),
      },
    )
    process.stdout.write(
      run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('{'))
        .map((l) => `  [${bench} ${n}] ${l}`)
        .join('\n') + '\n',
    )
    if (run.stderr.trim()) process.stderr.write(run.stderr)
    const json = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop()
    loads[`${bench} ${n}`] = `${before} → ${load()}`
    if (!json) continue
    // Top-level figures, and one level of named figures (the customers bench's handlerP95 and
    // handlerP50: every list case and the search, each followed on its own).
    const add = (name: string, value: number) => (figures.get(name) ?? figures.set(name, new Map()).get(name)!).set(n, value)
    for (const [key, value] of Object.entries(JSON.parse(json) as Record<string, unknown>)) {
      if (['customers', 'visits'].includes(key)) continue
      if (typeof value === 'number') add(`${bench}.${key}`, value)
      else if (value && typeof value === 'object') for (const [sub, v] of Object.entries(value)) if (typeof v === 'number') add(`${bench}.${key} ${sub}`, v)
    }
  }
}

const cell = (v: number | undefined) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(2))
const exponent = (name: string, a: number, b: number) => {
  const x = figures.get(name)!.get(a)
  const y = figures.get(name)!.get(b)
  return x && y && x > 0 && y > 0 ? Math.log(y / x) / Math.log(b / a) : undefined
}
const header = ['figure'.padEnd(56), ...sizes.map((n, i) => (i ? `${n} (k)` : String(n)).padStart(16))].join('')
console.log(`\n${header}`)
const table: Record<string, Record<string, number | undefined>> = {}
for (const [name, values] of figures) {
  const row: Record<string, number | undefined> = {}
  const cells = sizes.map((n, i) => {
    row[n] = values.get(n)
    if (i === 0) return cell(values.get(n)).padStart(16)
    const k = exponent(name, sizes[i - 1]!, n)
    row[`k${n}`] = k
    return `${cell(values.get(n))} (${k === undefined ? '—' : k.toFixed(2)})`.padStart(16)
  })
  table[name] = row
  console.log([name.padEnd(56), ...cells].join(''))
}
console.log('\nload average (1, 5, 15 min) before → after each run:')
for (const [run, l] of Object.entries(loads)) console.log(`  ${run.padEnd(24)} ${l}`)
mkdirSync(resolve(import.meta.dirname, 'results'), { recursive: true })
writeFileSync(resolve(import.meta.dirname, 'results', 'scale.json'), JSON.stringify({ at: new Date().toISOString(), sizes, table, loads }, null, 2) + '\n')
