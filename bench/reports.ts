// Regional report benchmark: the county report of a large demo county (20,000 key customers,
// 200,000 visits) in all four formats. Targets: all four under 3 s together, peak memory
// under 500 MB. `npx tsx bench/reports.ts [--customers N] [--visits N] [--period 2026-10] [--data-dir DIR] [--warm]`.
// --data-dir: a county loaded by another bench (e.g. bench/visits.ts --data-dir DIR), with its key
// beside it (DIR.key): not generated again, not deleted. --warm: as the shells do, the core warms
// up first (electron/core/warm.ts: the report writers and the PDF font load once the app is idle)
// and the timings start after; without it the first export pays for loading them.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openCore } from '../electron/core/app'
import { benchKey } from './lib/store'
import { loadDemoCounty } from '../electron/core/demo/load'
import { REPO_ROOT } from '../electron/core/resources'
import { benchArgs } from './lib/args'

const flags = benchArgs(import.meta.filename, {
  customers: { type: 'string', default: '20000' },
  visits: { type: 'string', default: '200000' },
  period: { type: 'string' },
  'generate-into': { type: 'string' },
  'data-dir': { type: 'string' },
  warm: { type: 'boolean', default: false },
})
if (flags['generate-into']) {
  // Child step: generating 200k visits takes far more memory than reporting on them, so it runs
  // in its own process and the measured process only opens the finished store.
  const core = openCore({ dataDir: flags['generate-into'], resourcesDir: REPO_ROOT, version: 'bench', key: benchKey() })
  const loaded = loadDemoCounty(core.ctx, { seed: 451022, keyCustomers: Number(flags.customers), visits: Number(flags.visits) })
  core.close()
  console.log(`county: ${loaded.keyCustomers} key customers, ${loaded.visits} visits, loaded in ${loaded.millis} ms`)
  process.exit(0)
}
const kept = flags['data-dir']
const dataDir = kept ?? mkdtempSync(join(tmpdir(), 'griddesk-bench-reports-'))
if (kept && !process.env.GRIDDESK_KEY_FILE && existsSync(`${kept.replace(/\/+$/, '')}.key`)) process.env.GRIDDESK_KEY_FILE = `${kept.replace(/\/+$/, '')}.key`
// The key first: the generating child inherits it (GRIDDESK_KEY_FILE), so this process opens what it wrote.
const key = benchKey()
if (!kept)
  process.stdout.write(
    execFileSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--generate-into', dataDir, '--customers', flags.customers!, '--visits', flags.visits!],
      { encoding: 'utf8' },
    ),
  )
const core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: 'bench', key })
// The files go to a folder of their own (a kept county's dir is used again).
const outDir = kept ? mkdtempSync(join(tmpdir(), 'griddesk-bench-reports-out-')) : dataDir
try {
  if (flags.warm) {
    const t = performance.now()
    const warming = core.warmUp({ idleMs: 0 })
    // The window's first call, as a shell sees it: the writers load once the window is up and quiet.
    await core.dispatch('app.info', {})
    // The warm-up's timers do not keep a process alive (a shell's server does): this one waits for it.
    const alive = setInterval(() => undefined, 1000)
    await warming.writers
    clearInterval(alive)
    console.log(`warm-up (first screen's calls, then the report writers and font): ${Math.round(performance.now() - t)} ms, before the timings`)
  }
  const last = new Date()
  last.setUTCDate(1)
  last.setUTCMonth(last.getUTCMonth() - 1)
  const period = flags.period ?? last.toISOString().slice(0, 7)
  console.log(`period ${period}; RSS before: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`)
  global.gc?.()
  let peakRss = process.memoryUsage().rss
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5)
  const started = performance.now()
  const rows: string[] = []
  for (const format of ['xlsx', 'pdf', 'csv', 'geojson'] as const) {
    const t = performance.now()
    // Each format through the handler the page calls, building its own model, as a user exporting one
    // file would: the first one loads the writers (exceljs, pdfkit) and the font unless warmed up.
    const result = await core.call('reports.export', { region: '451022', period, format, path: join(outDir, `county.${format}`) })
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    const ms = performance.now() - t
    rows.push(
      `${format.padEnd(8)} ${String(Math.round(ms)).padStart(6)} ms  (model and loading ${Math.round(ms - result.millis)} ms, writing ${result.millis} ms)  ${(result.bytes / 1024).toFixed(0).padStart(6)} KiB`,
    )
  }
  const separate = performance.now() - started
  console.log(rows.join('\n'))
  console.log(
    `four separate exports, the first run of this process (model built each time): ${Math.round(separate)} ms (target < 3000 ms: ${separate < 3000 ? 'met' : 'MISSED'})`,
  )

  // The county report in all four formats in one go, as a saved report runs: one model, four writers.
  const saved = await core.call('reports.definitions.save', {
    name: `bench ${new Date().toISOString()}`,
    region: '451022',
    periodRule: period,
    formats: ['xlsx', 'pdf', 'csv', 'geojson'],
    folder: join(outDir, 'run'),
  })
  const runStarted = performance.now()
  const run = await core.call('reports.definitions.run', { id: saved.id })
  const total = performance.now() - runStarted
  await core.call('reports.definitions.delete', { id: saved.id })
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  clearInterval(sampler)
  const mb = peakRss / 1024 / 1024
  console.log(
    `all four formats in one run (${run.files.map((f) => f.format).join(', ')}): ${Math.round(total)} ms (target < 3000 ms: ${total < 3000 ? 'met' : 'MISSED'})`,
  )
  console.log(`peak RSS: ${mb.toFixed(0)} MB (target < 500 MB: ${mb < 500 ? 'met' : 'MISSED'})`)
} finally {
  core.close()
  if (!kept) rmSync(dataDir, { recursive: true, force: true })
  else rmSync(outDir, { recursive: true, force: true })
}
