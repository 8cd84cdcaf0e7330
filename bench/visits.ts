// Visits benchmark: who-to-see-next ranking per grid, the funnel over 90 days, the county's 80/20,
// a day's route, and the map's first calls (choropleth facts, today's intel layer, the customers
// layer), on the demo county scaled to 20k key customers and 200k visits.
// `npx tsx bench/visits.ts [--customers N] [--visits N] [--iterations N] [--data-dir DIR]` (--data-dir: keep the county there and reuse it).
// Targets: ranking p95 < 100 ms per grid; analysis.pareto p95 < 500 ms; the map's calls small and quick (cold start < 2 s in all).
import { openBenchCounty } from './lib/county'
import { planRoute } from '../shared/route'
import { percentiles, sampleAsync, sampleSync } from './lib/stats'
import { benchArgs } from './lib/args'

const flags = benchArgs(import.meta.filename, {
  customers: { type: 'string', default: '20000' },
  visits: { type: 'string', default: '200000' },
  iterations: { type: 'string', default: '20' },
  warmup: { type: 'string', default: '3' },
  'data-dir': { type: 'string' },
})
const ITER = Number(flags.iterations)
const WARMUP = Number(flags.warmup)
const TARGET_RANKING_P95_MS = 100
const TARGET_PARETO_P95_MS = 500
const log = (line = '') => process.stdout.write(line + '\n')
const ms = (x: number) => `${x.toFixed(1)} ms`

const county = await openBenchCounty({ customers: Number(flags.customers), visits: Number(flags.visits), dataDir: flags['data-dir'] })
const { core, loaded } = county
let failed = false
try {
  log(
    `demo county: ${loaded.grids} grids, ${loaded.keyCustomers} key customers, ${loaded.visits} visits, ${loaded.competitorIntel} intel (${loaded.reused ? 'reopened' : 'loaded'} in ${loaded.seconds.toFixed(1)} s)`,
  )
  const db = core.ctx.db.$client
  const grids = db
    .prepare(
      `SELECT g.id, g.code, (SELECT count(*) FROM key_customers k WHERE k.grid_id = g.id) AS customers FROM org_units g WHERE g.level = 'grid' ORDER BY g.code`,
    )
    .all() as { id: string; code: string; customers: number }[]

  log('\nvisits.nextUp per grid (through the handler table, as the UI calls it):')
  log('grid            customers   rows   p50        p95        max')
  const all: number[] = []
  for (const g of grids) {
    let rows = 0
    const samples = await sampleAsync(ITER, WARMUP, async () => {
      rows = (await core.call('visits.nextUp', { gridId: g.id, limit: 50 })).length
    })
    all.push(...samples)
    const p = percentiles(samples)
    log(`${g.code.padEnd(16)}${String(g.customers).padStart(9)}${String(rows).padStart(7)}   ${ms(p.p50).padEnd(10)} ${ms(p.p95).padEnd(10)} ${ms(p.max)}`)
  }
  const overall = percentiles(all)
  const ok = overall.p95 < TARGET_RANKING_P95_MS
  failed ||= !ok
  log(`all grids: p50 ${ms(overall.p50)}, p95 ${ms(overall.p95)}, max ${ms(overall.max)} — target p95 < ${TARGET_RANKING_P95_MS} ms: ${ok ? 'PASS' : 'FAIL'}`)

  const to = new Date().toISOString().slice(0, 10)
  const from = new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10)
  const grid = grids[Math.floor(grids.length / 2)]!
  const funnelGrid = percentiles(await sampleAsync(ITER, WARMUP, () => core.call('funnel.get', { gridId: grid.id, from, to })))
  const funnelAll = percentiles(await sampleAsync(ITER, WARMUP, () => core.call('funnel.get', { from, to })))
  log(`\nfunnel.get, 90 days: one grid p95 ${ms(funnelGrid.p95)}; all grids p95 ${ms(funnelAll.p95)}`)
  // 80/20 over the whole county (the analysis page's Pareto chart), so bench/scale.ts follows it too.
  const pareto = percentiles(await sampleAsync(ITER, WARMUP, () => core.call('analysis.pareto', { region: '451022' })))
  const paretoOk = pareto.p95 < TARGET_PARETO_P95_MS
  failed ||= !paretoOk
  log(`analysis.pareto, whole county: p50 ${ms(pareto.p50)}, p95 ${ms(pareto.p95)} — target p95 < ${TARGET_PARETO_P95_MS} ms: ${paretoOk ? 'PASS' : 'FAIL'}`)

  const targets = (await core.call('visits.targets', { gridId: grid.id, kind: 'customer', limit: 60 })).filter((t) => t.lon !== null)
  for (const n of [10, 30, 60]) {
    const points = targets.slice(0, n).map((t) => ({ lon: t.lon!, lat: t.lat! }))
    const p = percentiles(sampleSync(5, 1, () => planRoute(points[0]!, points)))
    log(`route order (nearest neighbour + 2-opt + or-opt), ${points.length} stops: p95 ${ms(p.p95)}`)
  }
  const targetsP = percentiles(await sampleAsync(ITER, WARMUP, () => core.call('visits.targets', { gridId: grid.id, limit: 2000 })))
  log(`visits.targets (the log form's target list, whole grid): p95 ${ms(targetsP.p95)}`)

  // The map page's first calls: the first (cold) call, then p95 of the rest, and the answer's size.
  const mapCalls: Record<string, number> = {}
  const mapCall = async (label: string, call: () => Promise<unknown>) => {
    const t = performance.now()
    const bytes = JSON.stringify(await call()).length
    const first = performance.now() - t
    const p = percentiles(await sampleAsync(ITER, 0, call))
    Object.assign(mapCalls, { [`${label}FirstMs`]: first, [`${label}P95`]: p.p95, [`${label}KiB`]: bytes / 1024 })
    log(`${label.padEnd(14)} first ${ms(first).padEnd(10)} p95 ${ms(p.p95).padEnd(10)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB`)
  }
  log("\nthe map page's calls:")
  await mapCall('choropleth', () => core.call('map.choropleth', {}))
  const extent = db.prepare('SELECT min(lon) AS w, min(lat) AS s, max(lon) AS e, max(lat) AS n FROM key_customers WHERE lon IS NOT NULL').get() as Record<
    'w' | 's' | 'e' | 'n',
    number
  >
  const countyBox: [number, number, number, number] = [extent.w, extent.s, extent.e, extent.n]
  // Today's intel as the map page asks for it (clusters for the county view), beside every pin as the page asked before.
  await mapCall('intelPins', () => core.call('intel.pins', { validOn: to, limit: 2000 }))
  await mapCall('intelLayer', () => core.call('map.intel', { validOn: to, bbox: countyBox, zoom: 10 }))
  // The customers layer as the page asks for it: clusters for the view (the whole county, as first drawn), and zoomed in.
  await mapCall('customersLayer', () => core.call('map.customers', { bbox: countyBox, zoom: 10 }))
  const mid = [(extent.w + extent.e) / 2, (extent.s + extent.n) / 2] as const
  await mapCall('customersZ15', () => core.call('map.customers', { bbox: [mid[0] - 0.03, mid[1] - 0.02, mid[0] + 0.03, mid[1] + 0.02], zoom: 15 }))
  log(
    JSON.stringify({
      bench: 'visits',
      customers: loaded.keyCustomers,
      visits: loaded.visits,
      rankingP50: overall.p50,
      rankingP95: overall.p95,
      rankingMax: overall.max,
      funnelGridP95: funnelGrid.p95,
      funnelAllP95: funnelAll.p95,
      paretoP50: pareto.p50,
      paretoP95: pareto.p95,
      targetsP95: targetsP.p95,
      ...mapCalls,
    }),
  )
} finally {
  county.close()
}
process.exit(failed ? 1 : 0)
