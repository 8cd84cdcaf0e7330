// Contract of the village list and the profile edit history (issue 4). villages.get/update stay
// in contract.ts.
import { z } from 'zod'
import { out } from './define'

export const villageSortKeys = [
  'divisionCode', 'name', 'townshipName', 'gridName', 'households', 'population', 'penetrationPct', 'fibreCovered', 'completeness', 'updatedAt',
] as const
export type VillageSortKey = (typeof villageSortKeys)[number]

export interface VillageListRow {
  id: string
  divisionCode: string
  name: string
  townshipName: string | null
  gridId: string | null
  gridName: string | null
  households: number | null
  population: number | null
  penetrationPct: number | null
  fibreCovered: boolean | null
  /** Share of profile fields filled, 0–1 (shared/profile.ts). */
  completeness: number
  updatedAt: string
}

export interface VillageList {
  rows: VillageListRow[]
  /** Villages matching the search and filter, before limit/offset. */
  total: number
}

/** One edit of a village as recorded in the outbox (this device's changes). */
export interface VillageHistoryEntry {
  at: string
  op: 'insert' | 'update' | 'delete'
  /** Changed fields (profile property names) and their new values. */
  changes: { field: string; value: unknown }[]
  /** Whether HQ has acknowledged the change. */
  synced: boolean
}

export const villageListInputSchema = z
  .object({
    /** Matches the name (anywhere) or the division code (prefix). */
    search: z.string().trim().max(50).optional(),
    gridId: z.uuid().optional(),
    sort: z.enum(villageSortKeys).default('divisionCode'),
    order: z.enum(['asc', 'desc']).default('asc'),
    limit: z.number().int().min(1).max(5000).default(200),
    offset: z.number().int().min(0).default(0),
  })
  .strict()

export const villagesApi = {
  'villages.list': { input: villageListInputSchema, output: out<VillageList>() },
  'villages.history': { input: z.object({ id: z.uuid(), limit: z.number().int().min(1).max(1000).default(200) }).strict(), output: out<VillageHistoryEntry[]>() },
} as const
