// Village / community profiles.
import { getTableColumns, sql } from 'drizzle-orm'
import type { VillageProfile } from '../../../../shared/api/contract'
import type { VillageHistoryEntry, VillageList, VillageListRow, VillageSortKey } from '../../../../shared/api/villages'
import {
  INCOMPLETE_BELOW,
  jsonProfileFields,
  parseKeyPersons,
  parseRivalPorts,
  profileFields,
  shareAgainst,
  type ProfileField,
} from '../../../../shared/profile'
import { allCached, type Db, type Tx } from '../client'
import { villages } from '../schema'
import { villageIdsSql } from './search'

type StoredProfile = Omit<VillageProfile, 'fibreCovered' | 'rivalPorts' | 'shareVsRivals' | 'keyPersons'> & {
  fibreCovered: number | null
  rivalPorts: string | null
  shareVsRivals: string | null
  keyPersons: string | null
}

export function getVillage(db: Db | Tx, id: string): VillageProfile | undefined {
  const row = db.get<StoredProfile>(sql`
    SELECT v.id, v.division_code AS divisionCode, v.name, v.kind, t.name AS townshipName,
      v.grid_id AS gridId, g.name AS gridName, v.lon, v.lat, v.geometry_source AS geometrySource,
      v.population, v.households, v.age_under_18_pct AS ageUnder18Pct, v.age_18_to_60_pct AS age18To60Pct,
      v.age_over_60_pct AS ageOver60Pct, v.migrant_away_pct AS migrantAwayPct, v.main_economy AS mainEconomy,
      v.market_days AS marketDays, v.festivals, v.education_level AS educationLevel,
      v.fibre_covered AS fibreCovered, v.our_ports AS ourPorts, v.rival_ports AS rivalPorts, v.signal_4g AS signal4g,
      v.signal_5g AS signal5g, v.our_mobile_subs AS ourMobileSubs,
      v.our_broadband_subs AS ourBroadbandSubs, v.penetration_pct AS penetrationPct,
      v.share_vs_rivals AS shareVsRivals, v.key_persons AS keyPersons, v.notes,
      v.updated_at AS updatedAt, ${completenessSql} AS completeness
    FROM villages v
    LEFT JOIN divisions t ON t.code = v.township_code
    LEFT JOIN org_units g ON g.id = v.grid_id
    WHERE v.id = ${id} AND v.deleted_at IS NULL`)
  if (!row) return undefined
  return {
    ...row,
    fibreCovered: row.fibreCovered == null ? null : row.fibreCovered === 1,
    rivalPorts: parseRivalPorts(row.rivalPorts),
    shareVsRivals: shareAgainst(row.shareVsRivals),
    keyPersons: parseKeyPersons(row.keyPersons),
  }
}

/** The stored values of the three age shares (the update handler checks them with the patch). */
export function villageAgeShares(
  db: Db | Tx,
  id: string,
): { ageUnder18Pct: number | null; age18To60Pct: number | null; ageOver60Pct: number | null } | undefined {
  return db.get(sql`
    SELECT age_under_18_pct AS ageUnder18Pct, age_18_to_60_pct AS age18To60Pct, age_over_60_pct AS ageOver60Pct
    FROM villages WHERE id = ${id} AND deleted_at IS NULL`)
}

/** Village ids by 12-digit division code (live rows). */
export function villageIdsByCode(db: Db | Tx): Map<string, string> {
  const rows = db.all<{ code: string; id: string }>(sql`SELECT division_code AS code, id FROM villages WHERE deleted_at IS NULL`)
  return new Map(rows.map((r) => [r.code, r.id]))
}

/** NBS division codes known to the store (reference data). */
export function knownDivisionCodes(db: Db | Tx): Set<string> {
  return new Set(db.all<{ code: string }>(sql`SELECT code FROM divisions`).map((r) => r.code))
}

export interface DivisionWrite {
  code: string
  name: string
  level: 'county' | 'township' | 'village'
  parentCode: string | null
  source: string
  boundary?: string
  geometrySource?: string
}

/**
 * A reference division named by an import (a township a village file names, a township or county
 * outline): inserted when new; an existing one gets the outline, and its name only when it had
 * none of its own source (NBS names stay). Says what it did.
 */
export function upsertDivision(db: Db | Tx, d: DivisionWrite): 'inserted' | 'updated' | 'unchanged' {
  const existing = db.get<{ name: string; boundary: string | null }>(sql`SELECT name, boundary FROM divisions WHERE code = ${d.code}`)
  if (!existing) {
    db.run(sql`INSERT INTO divisions (code, name, level, parent_code, source, boundary, geometry_source)
      VALUES (${d.code}, ${d.name}, ${d.level}, ${d.parentCode}, ${d.source}, ${d.boundary ?? null}, ${d.geometrySource ?? null})`)
    return 'inserted'
  }
  if (d.boundary === undefined || existing.boundary === d.boundary) return 'unchanged'
  db.run(sql`UPDATE divisions SET boundary = ${d.boundary}, geometry_source = ${d.geometrySource ?? null} WHERE code = ${d.code}`)
  return 'updated'
}

// --- The village list and the edit history.

/** Column(s) of each counted profile field (shared/profile.ts), for completeness in SQL. */
const profileColumns: Record<ProfileField, string | string[]> = {
  population: 'population',
  households: 'households',
  ageStructure: ['age_under_18_pct', 'age_18_to_60_pct', 'age_over_60_pct'],
  migrantAwayPct: 'migrant_away_pct',
  mainEconomy: 'main_economy',
  marketDays: 'market_days',
  festivals: 'festivals',
  educationLevel: 'education_level',
  fibreCovered: 'fibre_covered',
  ourPorts: 'our_ports',
  rivalPorts: 'rival_ports',
  signal4g: 'signal_4g',
  signal5g: 'signal_5g',
  ourMobileSubs: 'our_mobile_subs',
  ourBroadbandSubs: 'our_broadband_subs',
  penetrationPct: 'penetration_pct',
  shareVsRivals: 'share_vs_rivals',
  keyPersons: 'key_persons',
}

// Same rule as isProfileFieldFilled: not null, not blank text, not an empty JSON list or object; a
// field of several columns (the age structure) only when all hold a value. Computed in SQL so the
// list can sort and page by it.
const emptyWhen = (f: ProfileField, column: string) => {
  const c = `v.${column}`
  const emptyText = (jsonProfileFields as readonly string[]).includes(f) ? `trim(${c}) IN ('', '[]', '{}', 'null')` : `trim(${c}) = ''`
  return `${c} IS NULL OR (typeof(${c}) = 'text' AND ${emptyText})`
}
export const completenessSql = sql.raw(
  `(${profileFields
    .map((f) => {
      const columns = [profileColumns[f]].flat()
      return `(CASE WHEN ${columns.map((c) => emptyWhen(f, c)).join(' OR ')} THEN 0 ELSE 1 END)`
    })
    .join(' + ')}) * 1.0 / ${profileFields.length}`,
)

export interface GridCompleteness {
  gridId: string
  villages: number
  /** Mean completeness of its villages, 0–1. */
  mean: number
  /** Villages below INCOMPLETE_BELOW. */
  incomplete: number
}

/** Profile completeness per grid (of the grids with live villages), or of one grid. */
export function gridCompleteness(db: Db, gridId?: string): GridCompleteness[] {
  return allCached<GridCompleteness>(
    db,
    sql`
    SELECT gridId, count(*) AS villages, avg(c) AS mean, sum(c < ${INCOMPLETE_BELOW}) AS incomplete
    FROM (SELECT v.grid_id AS gridId, ${completenessSql} AS c FROM villages v
          WHERE v.deleted_at IS NULL AND v.grid_id IS NOT NULL ${gridId ? sql`AND v.grid_id = ${gridId}` : sql``})
    GROUP BY gridId`,
  )
}

const sortExpressions: Record<VillageSortKey, string> = {
  // Chinese names in pinyin order (the key place_search stores), not by code point.
  divisionCode: 'v.division_code',
  name: '(SELECT p.pinyin FROM place_search p WHERE p.ref_id = v.id)',
  townshipName: 't.name',
  gridName: 'g.name',
  households: 'v.households',
  population: 'v.population',
  penetrationPct: 'v.penetration_pct',
  fibreCovered: 'v.fibre_covered',
  completeness: 'completeness',
  updatedAt: 'v.updated_at',
}

export interface VillageListQuery {
  search?: string
  gridId?: string
  incompleteOnly?: boolean
  sort: VillageSortKey
  order: 'asc' | 'desc'
  limit: number
  offset: number
}

/**
 * Live villages matching the search (the one search: name, pinyin, initials, division code), grid and, when asked,
 * completeness below INCOMPLETE_BELOW (as the grid summary counts them), sorted, one page.
 */
export function listVillages(db: Db | Tx, q: VillageListQuery): VillageList {
  const where = sql`v.deleted_at IS NULL
    ${q.search ? sql`AND v.id IN (${villageIdsSql(q.search)})` : sql``}
    ${q.gridId ? sql`AND v.grid_id = ${q.gridId}` : sql``}
    ${q.incompleteOnly ? sql`AND ${completenessSql} < ${INCOMPLETE_BELOW}` : sql``}`
  const total = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM villages v WHERE ${where}`)?.n ?? 0
  // Nulls last whichever the direction, then the code so pages are stable.
  const by = sql.raw(`${sortExpressions[q.sort]} IS NULL, ${sortExpressions[q.sort]} ${q.order === 'desc' ? 'DESC' : 'ASC'}, v.division_code`)
  const rows = db.all<Omit<VillageListRow, 'fibreCovered'> & { fibreCovered: number | null }>(sql`
    SELECT v.id, v.division_code AS divisionCode, v.name, t.name AS townshipName, v.grid_id AS gridId, g.name AS gridName,
      v.households, v.population, v.penetration_pct AS penetrationPct, v.fibre_covered AS fibreCovered,
      ${completenessSql} AS completeness, v.updated_at AS updatedAt
    FROM villages v
    LEFT JOIN divisions t ON t.code = v.township_code
    LEFT JOIN org_units g ON g.id = v.grid_id
    WHERE ${where}
    ORDER BY ${by}
    LIMIT ${q.limit} OFFSET ${q.offset}`)
  return { total, rows: rows.map((r) => ({ ...r, fibreCovered: r.fibreCovered == null ? null : r.fibreCovered === 1 })) }
}

/** This device's outbox entries for one village, newest first: its edit history. */
export function villageHistory(db: Db | Tx, id: string, limit: number): VillageHistoryEntry[] {
  const propOf = new Map(Object.entries(getTableColumns(villages)).map(([prop, column]) => [column.name, prop]))
  const rows = db.all<{ at: string; op: VillageHistoryEntry['op']; fields: string; pushedAt: string | null }>(sql`
    SELECT created_at AS at, op, fields, pushed_at AS pushedAt FROM outbox
    WHERE table_name = 'villages' AND row_id = ${id}
    ORDER BY device_seq DESC LIMIT ${limit}`)
  return rows.map((r) => ({
    at: r.at,
    op: r.op,
    synced: r.pushedAt !== null,
    changes: Object.entries(JSON.parse(r.fields) as Record<string, unknown>).map(([column, value]) => ({ field: propOf.get(column) ?? column, value })),
  }))
}
