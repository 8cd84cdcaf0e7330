// Key customers: the list (filters, sort, paging in SQL), search over the customer_search index
// (migrations/0004: FTS5 trigram for 3+ characters, B-tree prefixes for shorter queries), the
// customer page, duplicates, and the 80/20 value tiers.
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm'
import type {
  CustomerDetail,
  CustomerList,
  CustomerListQuery,
  CustomerListRow,
  CustomerSearchHit,
  CustomerSortKey,
  DuplicateCandidate,
  TimelineEntry,
} from '../../../../shared/api/customers'
import type { Rival, ValueTier } from '../../../../shared/domain'
import { allCached, getCached, queryOf, type Db, type Tx } from '../client'
import { nameChars } from '../pinyin'
import { keyCustomers } from '../schema'
import { storeVersion } from './mapLayers'

type Handle = Db | Tx

// ---- Search.

/** Upper bound of a prefix range on a BINARY-collated column: any continuation sorts below it. */
export const prefixEnd = (prefix: string) => `${prefix}\u{10FFFF}`

export interface SearchTerms {
  /** As typed, trimmed, lower-cased for Latin letters. */
  text: string
  /** Latin letters only, spaces and apostrophes removed: a pinyin or initials key ("zhang san" → zhangsan). */
  key: string | null
  /** Digits only, for phone fragments ("138 1234" → 1381234). */
  digits: string | null
}

export function searchTerms(raw: string): SearchTerms {
  const text = raw.trim().toLowerCase()
  const compact = text.replace(/[\s'’-]/g, '')
  return {
    text,
    key: /^[a-zü]+$/.test(compact) ? compact.replace(/ü/g, 'v') : null,
    digits: /^[\d\s-]+$/.test(text) ? text.replace(/\D/g, '') : null,
  }
}

export const quoteFts = (s: string) => `"${s.replace(/"/g, '""')}"`
/** A phrase of single characters for the character indexes (name_chars). */
export const charsPhrase = (s: string) => quoteFts(nameChars(s))

/**
 * SQL selecting customer_search.rid of live customers matching a query: prefixes of every key
 * through the B-tree indexes, substrings of 3+ characters through the trigram index, shorter Han
 * text anywhere in the name through the character index.
 */
export function searchRidsSql(raw: string, cap?: number): SQL {
  const t = searchTerms(raw)
  const probes = [t.text, t.key, t.digits].filter((p, i, all): p is string => !!p && all.indexOf(p) === i)
  const parts: SQL[] = []
  for (const probe of probes) {
    // Prefixes through the B-tree indexes, always (names start with the surname, pinyin and
    // initials with its syllable, villages and organisations with their place name): exact and
    // prefix matches rank first and are never cut by the cap on a broad substring match.
    const end = prefixEnd(probe)
    for (const column of ['name', 'pinyin', 'initials', 'phone', 'organisation', 'village'])
      parts.push(sql`SELECT rid FROM customer_search WHERE ${sql.raw(column)} >= ${probe} AND ${sql.raw(column)} < ${end}`)
    // Substrings of 3+ characters through the trigram index; a given name without the surname
    // (秀英 for 王秀英) as a phrase of single characters on the character index (migrations/0010).
    if ([...probe].length >= 3) parts.push(sql`SELECT rowid AS rid FROM customer_search_fts WHERE customer_search_fts MATCH ${quoteFts(probe)}`)
    else if (/\p{Script=Han}/u.test(probe)) parts.push(sql`SELECT rowid AS rid FROM customer_chars_fts WHERE customer_chars_fts MATCH ${charsPhrase(probe)}`)
  }
  if (parts.length === 0) return sql`SELECT NULL AS rid WHERE 0`
  // Search-as-you-type ranks a bounded set per probe: a one-letter query does not sort thousands.
  const bounded = cap === undefined ? parts : parts.map((part) => sql`SELECT rid FROM (${part} LIMIT ${cap})`)
  return sql.join(bounded, sql` UNION `)
}

const SEARCH_CAP = 400

/** Best matches first: exact name/initials/pinyin/phone, then prefixes, then substrings. */
export function searchCustomers(db: Handle, raw: string, limit: number): CustomerSearchHit[] {
  const t = searchTerms(raw)
  const key = t.key ?? ''
  const digits = t.digits ?? ''
  return db.all<CustomerSearchHit>(sql`
    SELECT k.id, k.name, k.phone, k.organisation, s.village AS villageName,
      coalesce(k.tier_override, k.value_tier) AS tier, k.funnel_stage AS funnelStage
    FROM customer_search s JOIN key_customers k ON k.id = s.customer_id
    WHERE s.rid IN (${searchRidsSql(raw, SEARCH_CAP)})
    ORDER BY
      CASE WHEN s.name = ${t.text} OR s.initials = ${key} OR s.pinyin = ${key} OR (${digits} <> '' AND s.phone = ${digits}) THEN 0
        WHEN s.name >= ${t.text} AND s.name < ${prefixEnd(t.text)} THEN 1
        WHEN ${key} <> '' AND ((s.initials >= ${key} AND s.initials < ${prefixEnd(key)}) OR (s.pinyin >= ${key} AND s.pinyin < ${prefixEnd(key)})) THEN 1
        ELSE 2 END,
      length(s.name), s.name, k.id
    LIMIT ${limit}`)
}

// ---- List.

const sortExpressions: Record<CustomerSortKey, string> = {
  // Chinese names in pinyin order (the key customer_search stores), not by code point.
  name: 's.pinyin',
  tier: 'coalesce(k.tier_override, k.value_tier)',
  influence: 'k.influence',
  monthlyRevenue: 'k.monthly_revenue',
  contractExpiry: 'k.contract_expiry',
  funnelStage: "CASE k.funnel_stage WHEN 'potential' THEN 0 WHEN 'contacted' THEN 1 WHEN 'intent' THEN 2 WHEN 'won' THEN 3 ELSE 4 END",
  nextFollowUp: 'k.next_follow_up',
  villageName: 'v.name',
  updatedAt: 'k.updated_at',
  // The kept last visit (migrations/0011); never visited sorts as the longest ago.
  lastVisit: 'lv.last_at',
}

const listColumns = sql`k.id, k.name, k.category, k.role, k.organisation, k.village_id AS villageId, v.name AS villageName,
  k.grid_id AS gridId, g.name AS gridName, k.phone, k.influence, coalesce(k.tier_override, k.value_tier) AS tier,
  k.monthly_revenue AS monthlyRevenue, k.contract_expiry AS contractExpiry, k.rival_used AS rivalUsed,
  k.funnel_stage AS funnelStage, k.next_follow_up AS nextFollowUp, k.tags,
  (SELECT c.last_at FROM customer_last_visit c WHERE c.customer_id = k.id) AS lastVisitAt,
  k.updated_at AS updatedAt`

type RawRow = Omit<CustomerListRow, 'tags'> & { tags: string | null }
const parseTags = (tags: string | null): string[] => {
  if (!tags) return []
  try {
    const parsed = JSON.parse(tags) as unknown
    return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : []
  } catch {
    return []
  }
}
const toRow = <T extends RawRow>(r: T) => ({ ...r, tags: parseTags(r.tags) })

/** Today as YYYY-MM-DD (UTC date; contract dates carry no time). */
const today = (now: Date) => now.toISOString().slice(0, 10)
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

type CustomerFilters = Omit<CustomerListQuery, 'sort' | 'order' | 'limit' | 'offset'>

export function customerListWhere(q: CustomerFilters, now = new Date()): SQL {
  return sql.join([sql`k.deleted_at IS NULL`, ...customerListFilters(q, now)], sql` AND `)
}

/** The conditions the list's filters add to "live". */
function customerListFilters(q: CustomerFilters, now: Date): SQL[] {
  const from = today(now)
  const conditions: SQL[] = []
  if (q.search) conditions.push(sql`k.id IN (SELECT customer_id FROM customer_search WHERE rid IN (${searchRidsSql(q.search)}))`)
  if (q.gridId) conditions.push(sql`k.grid_id = ${q.gridId}`)
  if (q.villageId) conditions.push(sql`k.village_id = ${q.villageId}`)
  if (q.category) conditions.push(sql`k.category = ${q.category}`)
  if (q.tier) conditions.push(sql`coalesce(k.tier_override, k.value_tier) = ${q.tier}`)
  if (q.stage) conditions.push(sql`k.funnel_stage = ${q.stage}`)
  if (q.rival) conditions.push(sql`k.rival_used = ${q.rival}`)
  if (q.expiringWithinDays !== undefined) conditions.push(sql`k.contract_expiry BETWEEN ${from} AND ${addDays(from, q.expiringWithinDays)}`)
  // The instr() test is a cheap pre-filter (most rows have no such tag); json_each decides.
  if (q.tag)
    conditions.push(
      sql`instr(k.tags, ${JSON.stringify(q.tag)}) > 0 AND EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(k.tags) THEN k.tags ELSE '[]' END) WHERE value = ${q.tag})`,
    )
  return conditions
}

/** Sort keys whose column is NOT NULL: no "nulls last" term, so an index can give the order. */
const notNullSorts = new Set<CustomerSortKey>(['funnelStage', 'updatedAt'])

/**
 * The list's statements run through prepared statements kept per connection (client.ts
 * allCached): a page costs its SQL, not drizzle preparing the statement again at every call.
 */
export function listCustomers(db: Db, q: CustomerListQuery, now = new Date()): CustomerList {
  const filters = customerListFilters(q, now)
  const where = sql.join([sql`k.deleted_at IS NULL`, ...filters], sql` AND `)
  const total = filters.length === 0 ? liveCustomers(db) : matches(db, where)
  // No match: no page to read (the sort's plan would still read every row its filters' index gives).
  if (total === 0) return { total, rows: [] }
  const dir = q.order === 'desc' ? 'DESC' : 'ASC'
  // By village: name, then village, then customer id, each in the chosen direction; customers
  // without a village row last. The tie-break by village id keeps two villages of one name apart.
  // A grid alone is always walked: its customers come off key_customers_grid_village_idx by
  // (grid, village) in id order, so the walk reads offset + limit entries and a seek per village.
  const gridOnly = filters.length === 1 && !!q.gridId
  if (q.sort === 'villageName' && (gridOnly || walksInOrder(q, total, filters.length === 0 ? total : liveCustomers(db), 3))) {
    // One statement for a full page; the last page (customers without a village follow) in steps.
    const rows = pageOf(db, villageWalkIds(q, where, dir))
    return { total, rows: rows.length === q.limit ? rows : rowsInOrder(db, villageWalk(db, q, where, total, dir)) }
  }
  // Tier and stage together test a walked entry on key_customers_tier_live_idx by (tier, stage, id),
  // and a rival (with a tag) on key_customers_rival_live_idx by (rival, id) with the tags in the
  // entry: one seek in a narrow index, not the customer's row. A sorted match then costs about 3
  // walked entries with tier and stage (at 100,000 customers: 3,000 entries walked in 2.3 ms,
  // 3,329 matches sorted in 7 ms) and 4 with a rival and a tag (5,500 walked in 5.5 ms, 1,806
  // matches sorted in 8.2 ms).
  const sortCost = filters.length === 2 && q.tier && q.stage ? 3 : q.rival && (filters.length === 1 || (filters.length === 2 && q.tag)) ? 4 : 0.5
  if (q.sort === 'name' && (filters.length === 0 || walksInOrder(q, total, liveCustomers(db), sortCost))) {
    return { total, rows: pageOf(db, nameWalk(q, filters.length === 0 ? null : where, dir)) }
  }
  const expr = sortExpressions[q.sort]
  // Nulls last whichever the direction, then the id (ascending) so pages are stable. NULLS LAST,
  // not an "IS NULL" term, so an index on the filter's equalities then the sort column gives the
  // order (a grid by revenue off key_customers_grid_revenue_idx, expiring contracts off
  // key_customers_list_idx): SQLite walks it and sorts only each run of equal values by id.
  const by = sql.raw(
    q.sort === 'villageName'
      ? `v.name IS NULL, v.name ${dir}, v.id ${dir}, k.id ${dir}`
      : q.sort === 'name'
        ? `s.pinyin ${dir}, s.name ${dir}, k.id ${dir}`
        : notNullSorts.has(q.sort) || q.sort === 'lastVisit'
          ? `${expr} ${dir}, k.id ${dir}`
          : `${expr} ${dir} NULLS LAST, k.id`,
  )
  const needsVillage = q.sort === 'villageName'
  const rows = pageOf(
    db,
    sql`SELECT k.id FROM key_customers k ${needsVillage ? sql`LEFT JOIN villages v ON v.id = k.village_id` : sql``}
      ${q.sort === 'name' ? sql`LEFT JOIN customer_search s ON s.customer_id = k.id` : sql``}
      ${q.sort === 'lastVisit' ? sql`LEFT JOIN customer_last_visit lv ON lv.customer_id = k.id` : sql``}
      WHERE ${where}
      ORDER BY ${by}
      LIMIT ${q.limit} OFFSET ${q.offset}`,
  )
  return { total, rows }
}

/**
 * A page's list rows in one statement, from `ids` (a SELECT of `id`, ordered and cut to the page):
 * the page's ids are chosen on the narrow rows (walked or sorted, and cut), and only those rows are
 * joined and get their last visit: per-row subqueries never run for the whole list, and the ids
 * never travel to JavaScript and back. CROSS JOIN keeps the page the outer loop (SQLite may
 * otherwise misjudge a walked page's size and scan every customer to join it).
 */
function pageOf(db: Db, ids: SQL): CustomerListRow[] {
  return allCached<RawRow>(
    db,
    sql`
    SELECT ${listColumns}
    FROM (SELECT p.id, row_number() OVER () AS position FROM (${ids}) p) page
    CROSS JOIN key_customers k ON k.id = page.id
    LEFT JOIN villages v ON v.id = k.village_id
    LEFT JOIN org_units g ON g.id = k.grid_id
    ORDER BY page.position`,
  ).map(toRow)
}

/**
 * Sorted by name or by village, a page can be read off indexes in order — the search keys in
 * pinyin order (migrations/0012), or villages in name order with each one's customers in id order
 * (migrations/0006) — stopping once offset + limit customers matched, after reading about
 * (offset + limit) × live / matches of them; or every match can be read and sorted. The cheaper
 * one: the walk for all customers or a broad filter, the sort for a narrow one or a page deep
 * into it. `sortCost` is a sorted match's cost in walked entries (bench/customers.ts, 20k
 * customers): about 3 by village (each village's customers come off a covering index), 0.5 by
 * name (each walked entry reads its customer's row to test the filters, and the filters' own
 * indexes find the matches).
 */
function walksInOrder(q: CustomerListQuery, total: number, live: number, sortCost: number): boolean {
  return total > 0 && (q.offset + q.limit) * live <= sortCost * total * total
}

/**
 * The statement of the page's customer ids by name (pinyin, then name, then id), read off the search keys in order
 * (no sort). Every live customer has exactly one search row and no other customer has one (the
 * triggers of migrations/0004), so with no filter the index alone answers, rows unread.
 */
function nameWalk(q: CustomerListQuery, where: SQL | null, direction: 'ASC' | 'DESC'): SQL {
  const dir = sql.raw(direction)
  return sql`
      SELECT s.customer_id AS id FROM customer_search s INDEXED BY customer_search_order_idx
      ${where ? sql`CROSS JOIN key_customers k ON k.id = s.customer_id WHERE ${where}` : sql``}
      ORDER BY s.pinyin ${dir}, s.name ${dir}, s.customer_id ${dir}
      LIMIT ${q.limit} OFFSET ${q.offset}`
}

const keptCounts = new WeakMap<Db['$client'], { version: string; byQuery: Map<string, number> }>()
/** Counts kept at once (the most recent ones). */
const KEPT_COUNTS = 32

/** A count(*) statement's answer, kept until the store changes (mapLayers.ts storeVersion). */
function keptCount(db: Db, query: SQL): number {
  const version = storeVersion(db)
  let kept = keptCounts.get(db.$client)
  if (kept?.version !== version) keptCounts.set(db.$client, (kept = { version, byQuery: new Map() }))
  const { sql: text, params } = queryOf(query)
  const key = `${text}\u0000${JSON.stringify(params)}`
  const known = kept.byQuery.get(key)
  if (known !== undefined) return known
  const n = getCached<{ n: number }>(db, query)?.n ?? 0
  if (kept.byQuery.size >= KEPT_COUNTS) kept.byQuery.delete(kept.byQuery.keys().next().value!)
  kept.byQuery.set(key, n)
  return n
}

/**
 * How many customers a filter matches, kept until the store changes: paging, sorting again and
 * coming back from a customer count nothing again. A filter's first page counts (at 100,000
 * customers a rival and a tag: 4 ms, 30,117 index entries tested).
 */
const matches = (db: Db, where: SQL) => keptCount(db, sql`SELECT count(*) AS n FROM key_customers k WHERE ${where}`)

/**
 * Live customers, counted on the narrowest index holding them all (migrations/0006), and kept
 * until the store changes (mapLayers.ts storeVersion): every filtered list asks for it to choose
 * its plan, and at 100,000 customers the count reads 100,000 index entries (1–60 ms, by how much
 * of the index the page cache still holds).
 */
function liveCustomers(db: Db): number {
  return keptCount(db, sql`SELECT count(*) AS n FROM key_customers INDEXED BY key_customers_village_live_idx WHERE deleted_at IS NULL`)
}

/**
 * The statement of the page's customer ids, sorted by village, read off the indexes in order (no sort). With a grid
 * filter, each village's customers of that grid come off key_customers_grid_village_idx (grid,
 * village, id: no customer row read for the grid test); else off key_customers_village_live_idx.
 */
function villageWalkIds(q: CustomerListQuery, where: SQL, direction: 'ASC' | 'DESC'): SQL {
  const dir = sql.raw(direction)
  const byVillage = sql.raw(q.gridId ? 'key_customers_grid_village_idx' : 'key_customers_village_live_idx')
  return sql`
      SELECT k.id FROM villages v INDEXED BY villages_name_uq
      CROSS JOIN key_customers k INDEXED BY ${byVillage} ON k.village_id = v.id
      WHERE ${where}
      ORDER BY v.name ${dir}, v.id ${dir}, k.id ${dir}
      LIMIT ${q.limit} OFFSET ${q.offset}`
}

/** The last page by village: the walk's customers, then those without a village (by id). */
function villageWalk(db: Db, q: CustomerListQuery, where: SQL, total: number, direction: 'ASC' | 'DESC'): string[] {
  const dir = sql.raw(direction)
  const ids = allCached<{ id: string }>(db, villageWalkIds(q, where, direction)).map((r) => r.id)
  if (ids.length === q.limit) return ids
  // Past the last village: customers with no village, or one this device no longer has (sync
  // applies pulled rows with foreign keys off), by id.
  const withoutVillage = sql`${where} AND (k.village_id IS NULL OR k.village_id NOT IN (SELECT id FROM villages))`
  const skip =
    ids.length > 0 ? 0 : q.offset - (total - (getCached<{ n: number }>(db, sql`SELECT count(*) AS n FROM key_customers k WHERE ${withoutVillage}`)?.n ?? 0))
  const rest = allCached<{ id: string }>(
    db,
    sql`SELECT k.id FROM key_customers k WHERE ${withoutVillage} ORDER BY k.id ${dir} LIMIT ${q.limit - ids.length} OFFSET ${Math.max(0, skip)}`,
  )
  return [...ids, ...rest.map((r) => r.id)]
}

/** List rows of the given customers, in the given order. */
function rowsInOrder(db: Db, ids: string[]): CustomerListRow[] {
  if (ids.length === 0) return []
  const rows = allCached<RawRow>(
    db,
    sql`
    SELECT ${listColumns}
    FROM json_each(${JSON.stringify(ids)}) page
    JOIN key_customers k ON k.id = page.value
    LEFT JOIN villages v ON v.id = k.village_id
    LEFT JOIN org_units g ON g.id = k.grid_id
    ORDER BY page.key`,
  )
  return rows.map(toRow)
}

// ---- One customer.

export function getCustomer(db: Handle, id: string): CustomerDetail | undefined {
  const row = db.get<
    RawRow & {
      valueTier: ValueTier | null
      tierOverride: ValueTier | null
      ownerName: string | null
      notes: string | null
      lon: number | null
      lat: number | null
      createdAt: string
    }
  >(sql`
    SELECT ${listColumns}, k.value_tier AS valueTier, k.tier_override AS tierOverride, u.name AS ownerName, k.notes, k.lon, k.lat,
      k.created_at AS createdAt
    FROM key_customers k
    LEFT JOIN villages v ON v.id = k.village_id
    LEFT JOIN org_units g ON g.id = k.grid_id
    LEFT JOIN users u ON u.id = k.owner_user_id
    WHERE k.id = ${id} AND k.deleted_at IS NULL`)
  if (!row) return undefined
  const products = db.all<CustomerDetail['products'][number]>(sql`
    SELECT id, product_kind AS productKind, product_name AS productName, since, expiry FROM customer_products
    WHERE customer_id = ${id} AND deleted_at IS NULL ORDER BY since DESC, id`)
  const moves = db.all<CustomerDetail['moves'][number]>(sql`
    SELECT id, from_stage AS fromStage, to_stage AS toStage, moved_at AS movedAt FROM funnel_moves
    WHERE customer_id = ${id} AND deleted_at IS NULL ORDER BY moved_at DESC, id DESC`)
  // A planned visit sorts by its day (a local day, kept as such for the label) and says it is planned.
  const visits = db.all<{
    id: string
    at: string
    status: string
    plannedFor: string | null
    purpose: string | null
    outcome: string | null
    nextAction: string | null
  }>(sql`
    SELECT id, coalesce(checked_in_at, planned_for, created_at) AS at, status, CASE WHEN status = 'planned' THEN planned_for END AS plannedFor,
      purpose, outcome, next_action AS nextAction FROM visits
    WHERE customer_id = ${id} AND deleted_at IS NULL AND status IN ('planned', 'done') ORDER BY at DESC LIMIT 200`)
  const intel = row.villageId
    ? db.all<{ id: string; at: string; rival: Rival; intelKind: string; title: string; threatLevel: number | null }>(sql`
        SELECT id, seen_at AS at, rival, kind AS intelKind, title, threat_level AS threatLevel FROM competitor_intel
        WHERE village_id = ${row.villageId} AND deleted_at IS NULL ORDER BY seen_at DESC LIMIT 50`)
    : []
  const timeline: TimelineEntry[] = [
    // One planned entry per day (two devices' plans for the same day may each have planned her).
    ...visits
      .filter((v, i) => v.status !== 'planned' || visits.findIndex((w) => w.status === 'planned' && w.plannedFor === v.plannedFor) === i)
      .map((v) => ({ kind: 'visit' as const, ...v })),
    ...moves.map((m) => ({ kind: 'move' as const, id: m.id, at: m.movedAt, fromStage: m.fromStage, toStage: m.toStage })),
    ...intel.map((i) => ({ kind: 'intel' as const, ...i })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
  return { ...toRow(row), products, moves, timeline }
}

export type KeyCustomerRow = typeof keyCustomers.$inferSelect

/** The stored row of a live customer (property names as in schema.ts). */
export function customerRow(db: Handle, id: string): KeyCustomerRow | undefined {
  return db
    .select()
    .from(keyCustomers)
    .where(and(eq(keyCustomers.id, id), isNull(keyCustomers.deletedAt)))
    .get()
}

/** Grid and default owner (the grid's manager) of a village. */
export function villagePlacement(
  db: Handle,
  villageId: string,
): { gridId: string | null; ownerUserId: string | null; lon: number | null; lat: number | null } | undefined {
  return db.get(sql`
    SELECT v.grid_id AS gridId, g.manager_user_id AS ownerUserId, v.lon, v.lat
    FROM villages v LEFT JOIN org_units g ON g.id = v.grid_id WHERE v.id = ${villageId} AND v.deleted_at IS NULL`)
}

/** Other live customers with the same phone, or the same name in the same village. */
export function findDuplicates(db: Handle, c: { id?: string; name: string; phone: string | null; villageId: string | null }): DuplicateCandidate[] {
  return db.all<DuplicateCandidate>(sql`
    SELECT k.id, k.name, k.phone, k.organisation, v.name AS villageName, coalesce(k.tier_override, k.value_tier) AS tier,
      k.funnel_stage AS funnelStage,
      CASE WHEN ${c.phone} IS NOT NULL AND k.phone = ${c.phone} THEN 'phone' ELSE 'name_village' END AS reason
    FROM key_customers k LEFT JOIN villages v ON v.id = k.village_id
    WHERE k.deleted_at IS NULL AND k.id IS NOT ${c.id ?? null}
      AND ((${c.phone} IS NOT NULL AND k.phone = ${c.phone})
        OR (${c.villageId} IS NOT NULL AND k.village_id = ${c.villageId} AND k.name = ${c.name}))
    ORDER BY reason, k.name LIMIT 50`)
}

/** Rows referring to a customer, by table, for a merge. */
export function customerReferences(db: Handle, customerId: string): { table: 'customer_products' | 'visits' | 'funnel_moves' | 'work_orders'; id: string }[] {
  return db.all(sql`
    SELECT 'customer_products' AS "table", id FROM customer_products WHERE customer_id = ${customerId} AND deleted_at IS NULL
    UNION ALL SELECT 'visits', id FROM visits WHERE customer_id = ${customerId} AND deleted_at IS NULL
    UNION ALL SELECT 'funnel_moves', id FROM funnel_moves WHERE customer_id = ${customerId} AND deleted_at IS NULL
    UNION ALL SELECT 'work_orders', id FROM work_orders WHERE customer_id = ${customerId} AND deleted_at IS NULL`)
}

export function attachmentsOf(db: Handle, ownerTable: string, ownerId: string): { id: string }[] {
  return db.all(sql`SELECT id FROM attachments WHERE owner_table = ${ownerTable} AND owner_id = ${ownerId} AND deleted_at IS NULL`)
}

/**
 * The 80/20 rule over live customers: top 20% by monthly revenue A, next 30% B, the rest C
 * (no revenue counts as 0). Returns the customers whose computed tier differs from the stored one.
 */
export function tierChanges(db: Handle): { id: string; tier: ValueTier }[] {
  return db.all(sql`
    SELECT id, tier FROM (
      SELECT id, value_tier AS stored,
        CASE WHEN rank_share <= 0.2 THEN 'A' WHEN rank_share <= 0.5 THEN 'B' ELSE 'C' END AS tier
      FROM (
        SELECT id, value_tier,
          (row_number() OVER (ORDER BY coalesce(monthly_revenue, 0) DESC, id)) * 1.0 / count(*) OVER () AS rank_share
        FROM key_customers WHERE deleted_at IS NULL))
    WHERE stored IS NOT tier`)
}

/** Writes the computed tiers that changed, outside the outbox (derived, never synced as data). */
export function storeTiers(db: Handle): number {
  const changes = tierChanges(db)
  for (const { id, tier } of changes) db.run(sql`UPDATE key_customers SET value_tier = ${tier} WHERE id = ${id}`)
  return changes.length
}

/** Distinct tags in use, for the tag filter. */
export function customerTags(db: Handle): string[] {
  return db
    .all<{ tag: string }>(
      sql`
      SELECT DISTINCT j.value AS tag FROM key_customers k, json_each(CASE WHEN json_valid(k.tags) THEN k.tags ELSE '[]' END) j
      WHERE k.deleted_at IS NULL AND k.tags IS NOT NULL AND k.tags <> '[]' ORDER BY tag`,
    )
    .map((r) => r.tag)
}

/** Live customers by phone and by (village, name), for the import's duplicate rules. */
export function customerIdentityIndex(db: Handle): { byPhone: Map<string, string>; byVillageName: Map<string, string> } {
  const rows = db.all<{ id: string; phone: string | null; villageId: string | null; name: string }>(sql`
    SELECT id, phone, village_id AS villageId, name FROM key_customers WHERE deleted_at IS NULL`)
  const byPhone = new Map<string, string>()
  const byVillageName = new Map<string, string>()
  for (const r of rows) {
    if (r.phone) byPhone.set(r.phone, r.id)
    if (r.villageId) byVillageName.set(`${r.villageId}\u0000${r.name}`, r.id)
  }
  return { byPhone, byVillageName }
}

/** Live village ids by name (a name may belong to more than one village). */
export function villagesByName(db: Handle): Map<string, string[]> {
  const byName = new Map<string, string[]>()
  for (const r of db.all<{ id: string; name: string }>(sql`SELECT id, name FROM villages WHERE deleted_at IS NULL`)) {
    byName.set(r.name, [...(byName.get(r.name) ?? []), r.id])
    // "龙帮村委会" is also typed "龙帮村".
    const short = r.name.replace(/(村民委员会|村委会|社区居委会|居委会|社区居民委员会)$/, (m) => (m.startsWith('社区') ? '社区' : '村'))
    if (short !== r.name) byName.set(short, [...(byName.get(short) ?? []), r.id])
  }
  return byName
}
