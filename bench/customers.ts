// Key customer benchmark: key customer search and list/filter over the demo county scaled to 20k key
// customers and 200k visits, each next to the raw SQL doing the same work on the same connection.
// `npx tsx bench/customers.ts [--customers N] [--visits N] [--iterations N] [--data-dir DIR]` (--data-dir: keep the county there and reuse it).
// Targets: search p95 < 10 ms; list/filter p95 < 15 ms and within 1.5× of raw SQL.
import type { Input } from '../shared/api/contract'
import { benchStoreMode } from './lib/store'
import { openBenchCounty } from './lib/county'
import { percentiles, sampleAsync, samplePair, sampleSync } from './lib/stats'
import { benchArgs } from './lib/args'

const flags = benchArgs(import.meta.filename, {
  customers: { type: 'string', default: '20000' },
  visits: { type: 'string', default: '200000' },
  iterations: { type: 'string', default: '20' },
  'data-dir': { type: 'string' },
})
const ITER = Number(flags.iterations)
const TARGETS = { searchP95Ms: 10, listP95Ms: 15, listRatio: 1.5 }
const log = (line = '') => process.stdout.write(line + '\n')
const fmt = (x: number) => x.toFixed(2).padStart(7)

const county = await openBenchCounty({ customers: Number(flags.customers), visits: Number(flags.visits), dataDir: flags['data-dir'] })
const { core, loaded } = county
try {
  log(
    `demo county: ${loaded.keyCustomers} key customers, ${loaded.visits} visits, ${loaded.reused ? 'reopened' : 'loaded'} in ${loaded.seconds.toFixed(1)} s (search index filled by triggers)`,
  )
  const db = core.ctx.db.$client
  const sample = db
    .prepare(
      `SELECT k.name, k.phone, k.organisation, v.name AS village FROM key_customers k JOIN villages v ON v.id = k.village_id WHERE k.organisation IS NOT NULL LIMIT 1 OFFSET ?`,
    )
    .get(Math.floor(loaded.keyCustomers * 0.03)) as { name: string; phone: string; organisation: string; village: string }
  const someone = db.prepare(`SELECT name FROM key_customers LIMIT 1 OFFSET ?`).get(Math.floor(loaded.keyCustomers * 0.2)) as { name: string }
  const { g: grid, n: gridCustomers } = db
    .prepare(`SELECT grid_id AS g, count(*) AS n FROM key_customers GROUP BY grid_id ORDER BY count(*) DESC LIMIT 1`)
    .get() as { g: string; n: number }
  // Deep pages at the same relative depth whatever the county's size (page 50 of 200 at 20k).
  const deepPage = Math.floor(loaded.keyCustomers / 400)
  const gridPage = Math.floor(gridCustomers / 200)

  // ---- Search: through the handler table (validation, dispatch, JSON-ready rows) vs raw SQL.
  const queries = [
    'zs',
    'wxy',
    'zhang',
    'zhangwei',
    '张',
    someone.name,
    someone.name.slice(1),
    sample.phone.slice(-4),
    sample.phone.slice(0, 7),
    '138',
    sample.village.slice(0, 2),
    sample.village,
    sample.organisation.slice(0, 3),
    'l',
    'huang',
  ]
  const rawSearchFts = db.prepare(
    `SELECT k.id, k.name FROM customer_search_fts f JOIN customer_search s ON s.rid = f.rowid JOIN key_customers k ON k.id = s.customer_id WHERE customer_search_fts MATCH ? LIMIT 20`,
  )
  const rawSearchPrefix = db.prepare(
    `SELECT k.id, k.name FROM customer_search s JOIN key_customers k ON k.id = s.customer_id WHERE (s.initials >= @q AND s.initials < @q || char(1114111)) OR (s.name >= @q AND s.name < @q || char(1114111)) LIMIT 20`,
  )
  log()
  log(`search over ${loaded.keyCustomers} customers, ${ITER} runs per query (ms)`)
  log(`${'query'.padEnd(16)} ${'hits'.padStart(5)} ${'p50'.padStart(7)} ${'p95'.padStart(7)}   raw p95`)
  const allSearch: number[] = []
  for (const query of queries) {
    const hits = (await core.call('customers.search', { query, limit: 20 })).length
    const samples = await sampleAsync(ITER, 3, () => core.call('customers.search', { query, limit: 20 }))
    allSearch.push(...samples)
    const raw = sampleSync(ITER, 3, () => ([...query].length >= 3 ? rawSearchFts.all(`"${query}"`) : rawSearchPrefix.all({ q: query })))
    const p = percentiles(samples)
    log(`${query.padEnd(16)} ${String(hits).padStart(5)} ${fmt(p.p50)} ${fmt(p.p95)}   ${fmt(percentiles(raw).p95)}`)
  }
  const searchAll = percentiles(allSearch)
  log(
    `search overall: p50 ${fmt(searchAll.p50)} p95 ${fmt(searchAll.p95)} max ${fmt(searchAll.max)}  target p95 < ${TARGETS.searchP95Ms} ms: ${searchAll.p95 < TARGETS.searchP95Ms ? 'MET' : 'NOT MET'}`,
  )

  // ---- List/filter: the handler vs the same count + page statements prepared by hand.
  const today = new Date().toISOString().slice(0, 10)
  const in60 = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10)
  // The customer's last visit as the store keeps it (customer_last_visit, kept by triggers), or, in a store without it, over the visits.
  const kept = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'customer_last_visit'").get() !== undefined
  const lastVisit = kept
    ? `(SELECT c.last_at FROM customer_last_visit c WHERE c.customer_id = k.id)`
    : `(SELECT max(checked_in_at) FROM visits x WHERE x.customer_id = k.id AND x.deleted_at IS NULL AND x.status = 'done')`
  const cols = `k.id, k.name, k.category, k.role, k.organisation, k.village_id, v.name, k.grid_id, g.name, k.phone, k.influence, coalesce(k.tier_override, k.value_tier), k.monthly_revenue, k.contract_expiry, k.rival_used, k.funnel_stage, k.next_follow_up, k.tags, ${lastVisit}, k.updated_at`
  const villageWalk = 'villages v INDEXED BY villages_name_uq CROSS JOIN key_customers k INDEXED BY key_customers_village_live_idx ON k.village_id = v.id'
  // A grid's customers by village: each village's customers of the grid off its (grid, village, id) index, on every page.
  const gridVillageWalk = 'villages v INDEXED BY villages_name_uq CROSS JOIN key_customers k INDEXED BY key_customers_grid_village_idx ON k.village_id = v.id'
  const cases: { label: string; input: Input<'customers.list'>; where: string; params: unknown[]; order: string; from?: string }[] = [
    { label: 'all, by name', input: { limit: 100 }, where: 'k.deleted_at IS NULL', params: [], order: 'k.name ASC, k.id ASC' },
    {
      label: 'grid, by revenue',
      input: { gridId: grid, sort: 'monthlyRevenue', order: 'desc', limit: 100 },
      where: 'k.deleted_at IS NULL AND k.grid_id = ?',
      params: [grid],
      order: 'k.monthly_revenue DESC NULLS LAST, k.id',
    },
    {
      label: 'tier A + stage',
      input: { tier: 'A', stage: 'intent', limit: 100 },
      where: "k.deleted_at IS NULL AND coalesce(k.tier_override, k.value_tier) = 'A' AND k.funnel_stage = 'intent'",
      params: [],
      order: 'k.name ASC, k.id ASC',
    },
    {
      label: 'expiring 60d',
      input: { expiringWithinDays: 60, sort: 'contractExpiry', limit: 100 },
      where: 'k.deleted_at IS NULL AND k.contract_expiry BETWEEN ? AND ?',
      params: [today, in60],
      order: 'k.contract_expiry ASC NULLS LAST, k.id',
    },
    {
      label: 'rival + tag',
      input: { rival: 'telecom', tag: '意见领袖', limit: 100 },
      where:
        "k.deleted_at IS NULL AND k.rival_used = 'telecom' AND EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(k.tags) THEN k.tags ELSE '[]' END) WHERE value = '意见领袖')",
      params: [],
      order: 'k.name ASC, k.id ASC',
    },
    // By village, all customers or the first pages of a broad filter: villages walked in name order, each one's
    // customers by id (no sort); deep into a filter's matches: the matches sorted (repos/customers.ts walksVillages).
    {
      // Labels name the page by where it lies, not its number, so bench/scale.ts lines the sizes up.
      label: 'page ¼ in, by village',
      input: { sort: 'villageName', offset: deepPage * 100, limit: 100 },
      where: 'k.deleted_at IS NULL',
      params: [],
      order: 'v.name ASC, v.id ASC, k.id ASC',
      from: villageWalk,
    },
    {
      label: 'grid, by village',
      input: { gridId: grid, sort: 'villageName', limit: 100 },
      where: 'k.deleted_at IS NULL AND k.grid_id = ?',
      params: [grid],
      order: 'v.name ASC, v.id ASC, k.id ASC',
      from: gridVillageWalk,
    },
    {
      label: 'grid page ½ in, by village',
      input: { gridId: grid, sort: 'villageName', offset: gridPage * 100, limit: 100 },
      where: 'k.deleted_at IS NULL AND k.grid_id = ?',
      params: [grid],
      order: 'v.name ASC, v.id ASC, k.id ASC',
      from: gridVillageWalk,
    },
    {
      label: 'search zs in grid',
      input: { search: 'zs', gridId: grid, limit: 100 },
      where: `k.deleted_at IS NULL AND k.id IN (SELECT customer_id FROM customer_search WHERE initials >= 'zs' AND initials < 'zs' || char(1114111) OR name >= 'zs' AND name < 'zs' || char(1114111)) AND k.grid_id = ?`,
      params: [grid],
      order: 'k.name ASC, k.id ASC',
    },
  ]
  log()
  log(`list/filter over ${loaded.keyCustomers} customers and ${loaded.visits} visits, page of 100 with total and last visit, ${ITER} runs (ms)`)
  log(`${'case'.padEnd(22)} ${'total'.padStart(6)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'raw p95'.padStart(8)}  ratio`)
  let worstRatio = 0
  const allList: number[] = []
  const listP95: Record<string, number> = {}
  const listP50: Record<string, number> = {}
  for (const c of cases) {
    // All live customers are counted on the narrowest index holding them, as the repo does.
    const count = db.prepare(
      c.where === 'k.deleted_at IS NULL'
        ? 'SELECT count(*) AS n FROM key_customers k INDEXED BY key_customers_village_live_idx WHERE k.deleted_at IS NULL'
        : `SELECT count(*) AS n FROM key_customers k WHERE ${c.where}`,
    )
    const total = (await core.call('customers.list', c.input)).total
    // By name, the repo's plan (repos/customers.ts walksInOrder): the search keys walked in pinyin
    // order for all customers or a broad filter's first pages, else the matches sorted; tier +
    // stage test a walked entry on their index by (tier, stage, id), a sorted match costing 3 entries;
    // a rival (and a tag) on theirs by (rival, id), 4 entries.
    const byName = c.order === 'k.name ASC, k.id ASC'
    const keys = Object.keys(c.input).length
    const sortCost = c.input.tier && c.input.stage && keys === 3 ? 3 : c.input.rival && (keys === 2 || (keys === 3 && c.input.tag)) ? 4 : 0.5
    const walksNames = byName && ((c.input.offset ?? 0) + (c.input.limit ?? 100)) * loaded.keyCustomers <= sortCost * total * total
    const from = walksNames
      ? 'customer_search s INDEXED BY customer_search_order_idx CROSS JOIN key_customers k ON k.id = s.customer_id'
      : byName
        ? 'key_customers k LEFT JOIN customer_search s ON s.customer_id = k.id'
        : (c.from ?? 'key_customers k')
    const order = walksNames ? 's.pinyin, s.name, s.customer_id' : byName ? 's.pinyin, k.name, k.id' : c.order
    // With no filter the walk reads the search keys alone (one per live customer).
    const indexOnly = walksNames && c.where === 'k.deleted_at IS NULL'
    // The same two-step plan the repo uses (ids of the page first, then their columns), hand-written.
    const page = db.prepare(
      `SELECT ${cols} FROM (SELECT k.id, row_number() OVER () AS position FROM (SELECT ${indexOnly ? 's.customer_id AS id' : 'k.id'} FROM ${indexOnly ? 'customer_search s INDEXED BY customer_search_order_idx' : from} WHERE ${indexOnly ? '1' : c.where} ORDER BY ${order} LIMIT ${c.input.limit ?? 100} OFFSET ${c.input.offset ?? 0}) k) page JOIN key_customers k ON k.id = page.id LEFT JOIN villages v ON v.id = k.village_id LEFT JOIN org_units g ON g.id = k.grid_id ORDER BY page.position`,
    )
    // Interleaved, so both see the same machine (separate blocks let the shared machine's drift read as a ratio).
    const [handlerSamples, rawSamples] = await samplePair(
      ITER,
      3,
      () => core.call('customers.list', c.input),
      () => [count.get(...c.params), page.all(...c.params)],
    )
    const handler = percentiles(handlerSamples)
    const raw = percentiles(rawSamples)
    const ratio = handler.p95 / raw.p95
    worstRatio = Math.max(worstRatio, ratio)
    allList.push(handler.p95)
    listP95[c.label] = handler.p95
    listP50[c.label] = handler.p50
    log(`${c.label.padEnd(22)} ${String(total).padStart(6)} ${fmt(handler.p50)} ${fmt(handler.p95)} ${fmt(raw.p95).padStart(8)}  ${ratio.toFixed(2)}×`)
  }
  const worstList = Math.max(...allList)
  log(
    `list worst p95 ${fmt(worstList)} ms (target < ${TARGETS.listP95Ms}: ${worstList < TARGETS.listP95Ms ? 'MET' : 'NOT MET'}); worst ratio to raw SQL ${worstRatio.toFixed(2)}× (target ≤ ${TARGETS.listRatio}: ${worstRatio <= TARGETS.listRatio ? 'MET' : 'NOT MET'})`,
  )

  // ---- One write: the triggers' cost on an edit (pinyin, FTS) next to the same edit's outbox work.
  const id = (db.prepare('SELECT id FROM key_customers LIMIT 1').get() as { id: string }).id
  let n = 0
  const edits = percentiles(await sampleAsync(ITER, 2, () => core.call('customers.update', { id, patch: { name: n++ % 2 ? '韦秀英' : '韦秀兰' } })))
  log()
  log(`customers.update (rename, search index kept by triggers): p50 ${fmt(edits.p50)} p95 ${fmt(edits.p95)} ms`)
  // Machine-readable summary (bench/encryption.ts compares a clear and an encrypted run).
  log(
    JSON.stringify({
      bench: 'customers',
      customers: loaded.keyCustomers,
      listWorstP95: worstList,
      listWorstRatio: worstRatio,
      store: benchStoreMode(),
      handlerP95: {
        'customers.search (all queries)': searchAll.p95,
        ...Object.fromEntries(Object.entries(listP95).map(([k, v]) => [`customers.list ${k}`, v])),
        'customers.update': edits.p95,
      },
      handlerP50: {
        'customers.search (all queries)': searchAll.p50,
        ...Object.fromEntries(Object.entries(listP50).map(([k, v]) => [`customers.list ${k}`, v])),
        'customers.update': edits.p50,
      },
    }),
  )
} finally {
  county.close()
}
