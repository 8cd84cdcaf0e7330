// Indicators benchmark: dashboard and analysis times on the demo county with two years of monthly
// targets and actuals per grid (the demo's 13 months plus 11 generated before them).
// `npx tsx bench/indicators.ts [--customers N] [--visits N] [--iterations N] [--keep]`.
// Targets: dashboard p95 < 200 ms, every analysis p95 < 500 ms.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { v7 as uuidv7 } from 'uuid'
import { shiftPeriod } from '../shared/analysis'
import type { HandlerName, Input } from '../shared/api/contract'
import { openCore } from '../electron/core/app'
import { benchKey } from './lib/store'
import { REPO_ROOT } from '../electron/core/resources'
import { percentiles, sampleAsync } from './lib/stats'
import { benchArgs } from './lib/args'

const flags = benchArgs(import.meta.filename, {
  customers: { type: 'string', default: '2000' },
  visits: { type: 'string', default: '20000' },
  iterations: { type: 'string', default: '30' },
  warmup: { type: 'string', default: '3' },
  keep: { type: 'boolean', default: false },
})
const ITER = Number(flags.iterations)
const WARMUP = Number(flags.warmup)
const TARGETS = { dashboardP95Ms: 200, analysisP95Ms: 500 }
const log = (line = '') => process.stdout.write(line + '\n')

const dataDir = mkdtempSync(join(os.tmpdir(), 'griddesk-bench-kpi-'))
const core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: 'bench', key: benchKey() })
try {
  const loaded = await core.call('demo.load', { keyCustomers: Number(flags.customers), visits: Number(flags.visits) })
  const db = core.ctx.db.$client
  const now = new Date()
  const thisMonth = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`
  const firstDemo = db.prepare(`SELECT min(period) AS p FROM actuals`).get() as { p: string }

  // Eleven more months before the demo's first: copies of the same month a year later, ±10%.
  const started = performance.now()
  const source = db.prepare(`SELECT indicator_code, org_unit_id, period, value FROM targets`).all() as {
    indicator_code: string
    org_unit_id: string
    period: string
    value: number
  }[]
  const insertTarget = db.prepare(
    `INSERT INTO targets (id, created_at, updated_at, hlc, indicator_code, org_unit_id, period, value, split_method) VALUES (?, ?, ?, 'bench', ?, ?, ?, ?, 'households')`,
  )
  const insertActual = db.prepare(
    `INSERT INTO actuals (id, created_at, updated_at, hlc, indicator_code, org_unit_id, period, value, as_of, source) VALUES (?, ?, ?, 'bench', ?, ?, ?, ?, ?, 'bench')`,
  )
  const actualOf = db.prepare(`SELECT value FROM actuals WHERE indicator_code = ? AND org_unit_id = ? AND period = ?`)
  let added = 0
  db.transaction(() => {
    const ts = now.toISOString()
    for (const t of source) {
      const earlier = shiftPeriod(t.period, -12)
      if (earlier >= firstDemo.p || t.period === thisMonth) continue
      const a = (actualOf.get(t.indicator_code, t.org_unit_id, t.period) as { value: number } | undefined)?.value ?? 0
      const jitter = 0.9 + ((added * 7919) % 21) / 100
      insertTarget.run(uuidv7(), ts, ts, t.indicator_code, t.org_unit_id, earlier, Math.round(t.value * jitter))
      insertActual.run(uuidv7(), ts, ts, t.indicator_code, t.org_unit_id, earlier, Math.round(a * jitter), `${earlier}-28T00:00:00.000Z`)
      added++
    }
  })()
  const months = (db.prepare(`SELECT count(DISTINCT period) AS n FROM actuals`).get() as { n: number }).n
  const actualRows = (db.prepare(`SELECT count(*) AS n FROM actuals`).get() as { n: number }).n
  log(`demo county: ${loaded.grids} grids, ${loaded.keyCustomers} key customers, ${loaded.visits} visits`)
  log(`actuals: ${months} months, ${actualRows} rows (${added} generated in ${Math.round(performance.now() - started)} ms)`)
  log()

  const from = shiftPeriod(thisMonth, -23)
  const year = thisMonth.slice(0, 4)
  const cases: { name: string; kind: 'dashboard' | 'analysis'; call: () => Promise<unknown> }[] = []
  const add = <K extends HandlerName>(label: string, kind: 'dashboard' | 'analysis', name: K, input: Input<K>) =>
    cases.push({ name: `${name} ${label}`.trim(), kind, call: () => core.call(name, input) })
  add('county, this month', 'dashboard', 'dashboard.get', { region: '451022', period: thisMonth })
  add(`county, year ${year}`, 'dashboard', 'dashboard.get', { region: '451022', period: year })
  add('county, last quarter', 'dashboard', 'dashboard.get', {
    region: '451022',
    period: `${shiftPeriod(thisMonth, -3).slice(0, 4)}-Q${Math.floor((Number(shiftPeriod(thisMonth, -3).slice(5, 7)) - 1) / 3) + 1}`,
  })
  add('by size', 'analysis', 'analysis.group', { region: '451022', period: thisMonth, indicatorCode: 'new_mobile', by: 'size' })
  add('', 'analysis', 'analysis.compare', { region: '451022', period: year, indicatorCode: 'new_mobile', focus: '451022-G07' })
  add('county, 24 months', 'analysis', 'analysis.trend', { orgUnitCode: '451022', indicatorCode: 'new_mobile', from, to: thisMonth })
  add('all indicators', 'analysis', 'analysis.anomalies', { region: '451022', period: thisMonth })
  add('24 grid-months', 'analysis', 'analysis.correlation', { region: '451022', x: 'new_mobile', y: 'broadband_net', from, to: thisMonth })
  add('', 'analysis', 'analysis.boston', { region: '451022' })
  add('', 'analysis', 'analysis.pareto', { region: '451022' })
  add('', 'analysis', 'analysis.funnel', { region: '451022' })

  const results: Record<string, ReturnType<typeof percentiles> & { target: number; pass: boolean }> = {}
  log(`${'handler'.padEnd(48)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}  target`)
  for (const c of cases) {
    const p = percentiles(await sampleAsync(ITER, WARMUP, c.call))
    const target = c.kind === 'dashboard' ? TARGETS.dashboardP95Ms : TARGETS.analysisP95Ms
    results[c.name] = { ...p, target, pass: p.p95 < target }
    log(
      `${c.name.padEnd(48)} ${p.p50.toFixed(1).padStart(8)} ${p.p95.toFixed(1).padStart(8)} ${p.max.toFixed(1).padStart(8)}  < ${target} ${p.p95 < target ? 'ok' : 'MISSED'}`,
    )
  }
  const allPass = Object.values(results).every((r) => r.pass)
  log()
  log(allPass ? 'all targets met' : 'some targets MISSED')
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true })
  writeFileSync(
    join(REPO_ROOT, 'bench', 'results', 'indicators.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        machine: { cpus: os.cpus().length, node: process.version },
        months,
        actualRows,
        customers: loaded.keyCustomers,
        iterations: ITER,
        results,
        allPass,
      },
      null,
      2,
    ) + '\n',
  )
  process.exitCode = allPass ? 0 : 1
} finally {
  core.close()
  if (!flags.keep) rmSync(dataDir, { recursive: true, force: true })
  else log(`kept ${dataDir}`)
}
