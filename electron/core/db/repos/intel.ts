// Competitor intel (竞争对手动态): list with filters, one record with its flyer photos.
import { sql, type SQL } from 'drizzle-orm'
import type { IntelDetail, IntelListQuery, IntelPhoto, IntelPin, IntelRow } from '../../../../shared/api/intel'
import type { Db, Tx } from '../client'

type Handle = Db | Tx

const columns = sql`i.id, i.rival, i.kind, i.title, i.description, i.village_id AS villageId, v.name AS villageName,
  i.grid_id AS gridId, g.name AS gridName, i.lon, i.lat, i.seen_at AS seenAt, i.valid_from AS validFrom, i.valid_to AS validTo,
  i.source, i.reliability, i.monthly_fee AS monthlyFee, i.data_gb AS dataGb, i.voice_minutes AS voiceMinutes,
  i.broadband_mbps AS broadbandMbps, i.contract_months AS contractMonths, i.device_subsidy AS deviceSubsidy,
  i.threat_level AS threatLevel, i.suggested_response AS suggestedResponse, i.from_visit_id AS fromVisitId,
  (SELECT count(*) FROM attachments a WHERE a.owner_table = 'competitor_intel' AND a.owner_id = i.id AND a.deleted_at IS NULL) AS photoCount,
  i.updated_at AS updatedAt`

export function listIntel(db: Handle, q: IntelListQuery): { rows: IntelRow[]; total: number } {
  const conditions: SQL[] = [sql`i.deleted_at IS NULL`]
  if (q.rival) conditions.push(sql`i.rival = ${q.rival}`)
  if (q.kind) conditions.push(sql`i.kind = ${q.kind}`)
  if (q.gridId) conditions.push(sql`i.grid_id = ${q.gridId}`)
  if (q.villageId) conditions.push(sql`i.village_id = ${q.villageId}`)
  if (q.validOn) conditions.push(sql`(i.valid_from IS NULL OR i.valid_from <= ${q.validOn}) AND (i.valid_to IS NULL OR i.valid_to >= ${q.validOn})`)
  if (q.minThreat) conditions.push(sql`i.threat_level >= ${q.minThreat}`)
  const where = sql.join(conditions, sql` AND `)
  const total = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM competitor_intel i WHERE ${where}`)?.n ?? 0
  const rows = db.all<IntelRow>(sql`
    SELECT ${columns} FROM competitor_intel i
    LEFT JOIN villages v ON v.id = i.village_id
    LEFT JOIN org_units g ON g.id = i.grid_id
    WHERE ${where}
    ORDER BY i.seen_at DESC, i.id DESC
    LIMIT ${q.limit} OFFSET ${q.offset}`)
  return { rows, total }
}

/** Located, live intel valid on `day`, newest first (competitor_intel_live_seen_idx walks it in order). */
export function intelPins(db: Handle, day: string, limit: number): IntelPin[] {
  return db.all<IntelPin>(sql`
    SELECT i.id, i.rival, i.title, i.lon, i.lat, i.seen_at AS seenAt, i.threat_level AS threatLevel FROM competitor_intel i
    WHERE i.deleted_at IS NULL AND i.lon IS NOT NULL AND i.lat IS NOT NULL
      AND (i.valid_from IS NULL OR i.valid_from <= ${day}) AND (i.valid_to IS NULL OR i.valid_to >= ${day})
    ORDER BY i.seen_at DESC, i.id DESC LIMIT ${limit}`)
}

export function getIntel(db: Handle, id: string): IntelDetail | undefined {
  const row = db.get<IntelRow>(sql`
    SELECT ${columns} FROM competitor_intel i
    LEFT JOIN villages v ON v.id = i.village_id
    LEFT JOIN org_units g ON g.id = i.grid_id
    WHERE i.id = ${id} AND i.deleted_at IS NULL`)
  if (!row) return undefined
  return { ...row, photos: photosOf(db, 'competitor_intel', id) }
}

export function photosOf(db: Handle, ownerTable: string, ownerId: string): IntelPhoto[] {
  return db
    .all<Omit<IntelPhoto, 'hasThumb'> & { thumb: string | null }>(
      sql`
      SELECT id, file_name AS fileName, mime, bytes, sha256, thumb_sha256 AS thumb, created_at AS createdAt FROM attachments
      WHERE owner_table = ${ownerTable} AND owner_id = ${ownerId} AND deleted_at IS NULL ORDER BY created_at, id`,
    )
    .map(({ thumb, ...p }) => ({ ...p, hasThumb: thumb !== null }))
}

export function getAttachment(db: Handle, id: string): { sha256: string; thumbSha256: string | null; mime: string } | undefined {
  return db.get(sql`SELECT sha256, thumb_sha256 AS thumbSha256, mime FROM attachments WHERE id = ${id} AND deleted_at IS NULL`)
}

/** The village's grid, for intel placed in a village. */
export function villageGrid(db: Handle, villageId: string): { gridId: string | null } | undefined {
  return db.get(sql`SELECT grid_id AS gridId FROM villages WHERE id = ${villageId} AND deleted_at IS NULL`)
}

/** The village nearest to a map point (by planar distance over a county: small enough), and its grid. */
export function nearestVillage(db: Handle, lon: number, lat: number): { id: string; gridId: string | null } | undefined {
  const k = Math.cos((lat * Math.PI) / 180) ** 2
  return db.get(sql`
    SELECT id, grid_id AS gridId FROM villages WHERE deleted_at IS NULL AND lon IS NOT NULL
    ORDER BY (lon - ${lon}) * (lon - ${lon}) * ${k} + (lat - ${lat}) * (lat - ${lat}) LIMIT 1`)
}
