// Village / community profiles.
import { sql } from 'drizzle-orm'
import type { VillageProfile } from '../../../../shared/api/contract'
import type { Db, Tx } from '../client'

export function getVillage(db: Db | Tx, id: string): VillageProfile | undefined {
  const row = db.get<Omit<VillageProfile, 'fibreCovered'> & { fibreCovered: number | null }>(sql`
    SELECT v.id, v.division_code AS divisionCode, v.name, v.kind, t.name AS townshipName,
      v.grid_id AS gridId, g.name AS gridName, v.lon, v.lat, v.geometry_source AS geometrySource,
      v.population, v.households, v.migrant_away_pct AS migrantAwayPct, v.main_economy AS mainEconomy,
      v.market_days AS marketDays, v.festivals, v.education_level AS educationLevel,
      v.fibre_covered AS fibreCovered, v.our_ports AS ourPorts, v.signal_4g AS signal4g,
      v.signal_5g AS signal5g, v.our_mobile_subs AS ourMobileSubs,
      v.our_broadband_subs AS ourBroadbandSubs, v.penetration_pct AS penetrationPct, v.notes,
      v.updated_at AS updatedAt
    FROM villages v
    LEFT JOIN divisions t ON t.code = v.township_code
    LEFT JOIN org_units g ON g.id = v.grid_id
    WHERE v.id = ${id} AND v.deleted_at IS NULL`)
  if (!row) return undefined
  return { ...row, fibreCovered: row.fibreCovered == null ? null : row.fibreCovered === 1 }
}
