// The one search over key customers (customer_search, migrations/0004) and villages and org
// units (place_search, migrations/0007): name, full pinyin, pinyin initials, phone, code. Both
// indexes are kept in step by triggers; queries of 3+ characters go to their trigram FTS5 tables,
// shorter ones to B-tree prefix ranges, plus Han characters anywhere in a name through the
// character indexes (migrations/0010).
import { sql, type SQL } from 'drizzle-orm'
import type { SearchHit, SearchKind } from '../../../../shared/api/search'
import type { Db, Tx } from '../client'
import { charsPhrase, prefixEnd, quoteFts, searchRidsSql, searchTerms } from './customers'

type Handle = Pick<Db | Tx, 'all' | 'get'>

/** Candidates read per probe for search-as-you-type: a one-letter query does not rank thousands. */
const CAP = 200

/** SQL selecting place_search.rid of villages and org units matching a query. */
export function placeRidsSql(raw: string, cap?: number): SQL {
  const t = searchTerms(raw)
  const probes = [t.text, t.key, t.digits].filter((p, i, all): p is string => !!p && all.indexOf(p) === i)
  const parts: SQL[] = []
  for (const probe of probes) {
    // Prefixes through the B-tree indexes, always: the exact and prefix matches rank first and
    // must not be cut by the cap on a broad substring match.
    const end = prefixEnd(probe)
    for (const column of ['name', 'pinyin', 'initials', 'code'])
      parts.push(sql`SELECT rid FROM place_search WHERE ${sql.raw(column)} >= ${probe} AND ${sql.raw(column)} < ${end}`)
    if ([...probe].length >= 3) parts.push(sql`SELECT rowid AS rid FROM place_search_fts WHERE place_search_fts MATCH ${quoteFts(probe)}`)
    // Han characters anywhere in the name: a phrase on the character index (migrations/0010).
    else if (/\p{Script=Han}/u.test(probe)) parts.push(sql`SELECT rowid AS rid FROM place_chars_fts WHERE place_chars_fts MATCH ${charsPhrase(probe)}`)
  }
  if (parts.length === 0) return sql`SELECT NULL AS rid WHERE 0`
  const bounded = cap === undefined ? parts : parts.map((part) => sql`SELECT rid FROM (${part} LIMIT ${cap})`)
  return sql.join(bounded, sql` UNION `)
}

/** Ids of live villages matching a query (for the lists' search box). */
export function villageIdsSql(raw: string): SQL {
  return sql`SELECT ref_id FROM place_search WHERE kind = 'village' AND rid IN (${placeRidsSql(raw)})`
}

/** Ids of live org units (any level) matching a query. */
export function orgUnitIdsSql(raw: string): SQL {
  return sql`SELECT ref_id FROM place_search WHERE kind <> 'village' AND rid IN (${placeRidsSql(raw)})`
}

/** Ids of live key customers matching a query. */
export function customerIdsSql(raw: string): SQL {
  return sql`SELECT customer_id FROM customer_search WHERE rid IN (${searchRidsSql(raw)})`
}

/** 0 exact, 1 prefix of the name or a key, 2 elsewhere: the same rule for every kind. */
function rankSql(raw: string, s: string, extra: { digitsColumn: string }): SQL {
  const t = searchTerms(raw)
  const key = t.key ?? ''
  const digits = t.digits ?? ''
  const col = (c: string) => sql.raw(`${s}.${c}`)
  return sql`CASE
    WHEN ${col('name')} = ${t.text} OR ${col('initials')} = ${key} OR ${col('pinyin')} = ${key} OR (${digits} <> '' AND ${col(extra.digitsColumn)} = ${digits}) THEN 0
    WHEN ${col('name')} >= ${t.text} AND ${col('name')} < ${prefixEnd(t.text)} THEN 1
    WHEN ${key} <> '' AND ((${col('initials')} >= ${key} AND ${col('initials')} < ${prefixEnd(key)}) OR (${col('pinyin')} >= ${key} AND ${col('pinyin')} < ${prefixEnd(key)})) THEN 1
    WHEN ${digits} <> '' AND ${col(extra.digitsColumn)} >= ${digits} AND ${col(extra.digitsColumn)} < ${prefixEnd(digits)} THEN 1
    ELSE 2 END`
}

const kindOrder: Record<SearchKind, number> = { grid: 0, org: 1, village: 2, customer: 3 }

type Row = SearchHit & { pinyin: string }

export interface SearchQuery {
  query: string
  kinds?: readonly SearchKind[]
  gridId?: string
  limit: number
}

/** Best matches first: by rank, then grids, org units, villages, customers, then shorter names, then pinyin order. */
export function searchAll(db: Handle, q: SearchQuery): SearchHit[] {
  const kinds = new Set<SearchKind>(q.kinds ?? ['customer', 'village', 'grid', 'org'])
  // Scoped to a grid, every candidate is read (the cap could drop the grid's own); otherwise a bounded set.
  const cap = q.gridId ? undefined : CAP
  const rows: Row[] = []
  const placeKinds = [kinds.has('village') && 'village', kinds.has('grid') && 'grid', ...(kinds.has('org') ? ['county', 'center', 'microgrid'] : [])].filter(
    (k): k is string => typeof k === 'string',
  )
  if (placeKinds.length > 0) {
    // Ranked and cut on the narrow index table first; only the page is joined for its context.
    const scoped = q.gridId
      ? sql`AND (p.ref_id = ${q.gridId}
          OR (p.kind = 'village' AND p.ref_id IN (SELECT id FROM villages WHERE grid_id = ${q.gridId}))
          OR (p.kind = 'microgrid' AND p.ref_id IN (SELECT id FROM org_units WHERE parent_id = ${q.gridId})))`
      : sql``
    rows.push(
      ...db.all<Row>(sql`
        SELECT CASE p.kind WHEN 'village' THEN 'village' WHEN 'grid' THEN 'grid' ELSE 'org' END AS kind, p.kind AS level,
          p.ref_id AS id, p.name, p.code, p.pinyin,
          CASE WHEN p.kind = 'village' THEN coalesce(t.name, vg.name) ELSE op.name END AS context,
          CASE WHEN p.kind = 'village' THEN v.grid_id WHEN p.kind = 'grid' THEN p.ref_id WHEN p.kind = 'microgrid' THEN o.parent_id ELSE NULL END AS gridId,
          p.rank
        FROM (
          SELECT p.kind, p.ref_id, p.name, p.code, p.pinyin, ${rankSql(q.query, 'p', { digitsColumn: 'code' })} AS rank
          FROM place_search p
          WHERE p.rid IN (${placeRidsSql(q.query, cap)})
            AND p.kind IN (${sql.join(
              placeKinds.map((k) => sql`${k}`),
              sql`, `,
            )}) ${scoped}
          ORDER BY rank, length(p.name), p.pinyin, p.name
          LIMIT ${q.limit}) p
        LEFT JOIN villages v ON p.kind = 'village' AND v.id = p.ref_id
        LEFT JOIN divisions t ON t.code = v.township_code
        LEFT JOIN org_units vg ON vg.id = v.grid_id
        LEFT JOIN org_units o ON p.kind <> 'village' AND o.id = p.ref_id
        LEFT JOIN org_units op ON op.id = o.parent_id`),
    )
  }
  if (kinds.has('customer')) {
    rows.push(
      ...db.all<Row>(sql`
        SELECT 'customer' AS kind, 'customer' AS level, k.id, k.name, k.phone AS code, s.pinyin,
          nullif(s.village, '') AS context, k.grid_id AS gridId, s.rank
        FROM (
          SELECT s.customer_id, s.pinyin, s.village, ${rankSql(q.query, 's', { digitsColumn: 'phone' })} AS rank
          FROM customer_search s
          WHERE s.rid IN (${searchRidsSql(q.query, cap)})
            ${q.gridId ? sql`AND s.customer_id IN (SELECT id FROM key_customers WHERE grid_id = ${q.gridId})` : sql``}
          ORDER BY rank, length(s.name), s.pinyin, s.name
          LIMIT ${q.limit}) s
        JOIN key_customers k ON k.id = s.customer_id`),
    )
  }
  rows.sort(
    (a, b) =>
      a.rank - b.rank ||
      kindOrder[a.kind] - kindOrder[b.kind] ||
      [...a.name].length - [...b.name].length ||
      (a.pinyin < b.pinyin ? -1 : a.pinyin > b.pinyin ? 1 : 0),
  )
  return rows.slice(0, q.limit).map(({ pinyin: _pinyin, ...hit }) => hit)
}
