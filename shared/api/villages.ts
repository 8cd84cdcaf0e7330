// Contract of the village list and the profile edit history, and the parts of the profile
// patch that are more than one number (age structure, rivals, key persons). villages.get/update
// stay in contract.ts.
import { z } from 'zod'
import { ageFields, ageSharesAddUp, profileRivals } from '../profile'
import { normalisePhone, PHONE_RE } from './customers'
import { out } from './define'

/** Codes the profile form translates (i18n `villages.fieldError.<code>`) instead of zod's generic text. */
export const villageFieldErrors = ['pct_range', 'age_sum', 'phone_format', 'required', 'too_long', 'too_many'] as const

export const profileCount = z.number().int().min(0).max(10_000_000)
/** A percentage, 0–100. */
export const profilePct = z.number().min(0, { error: 'pct_range' }).max(100, { error: 'pct_range' })

const rivalFigures = (figure: z.ZodNumber) =>
  z
    .object(Object.fromEntries(profileRivals.map((r) => [r, figure.nullable()])) as Record<(typeof profileRivals)[number], z.ZodNullable<z.ZodNumber>>)
    .partial()
    .strict()
/** Rivals' ports by rival; an absent rival is unknown. */
export const rivalPortsSchema = rivalFigures(profileCount)
/** Our share against each rival (ours / (ours + theirs)), percent. */
export const shareVsRivalsSchema = rivalFigures(profilePct)

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: 'too_long' })
    .nullable()
    .optional()
    .transform((v) => (v ? v : null))

export const keyPersonSchema = z
  .object({
    name: z.string().trim().min(1, { error: 'required' }).max(30, { error: 'too_long' }),
    role: optionalText(30),
    phone: z
      .string()
      .transform(normalisePhone)
      .refine((p) => p === '' || PHONE_RE.test(p), { error: 'phone_format' })
      .nullable()
      .optional()
      .transform((v) => (v ? v : null)),
    notes: optionalText(200),
  })
  .strict()
export const keyPersonsSchema = z.array(keyPersonSchema).max(50, { error: 'too_many' })

/** Age shares given together must add up to about 100; the issue is reported on each of them. */
export function checkAgeShares(patch: Partial<Record<(typeof ageFields)[number], number | null>>, ctx: z.RefinementCtx): void {
  if (!ageFields.every((f) => typeof patch[f] === 'number')) return
  if (ageSharesAddUp(ageFields.map((f) => patch[f]))) return
  for (const f of ageFields) ctx.addIssue({ code: 'custom', message: 'age_sum', path: [f] })
}

export const villageSortKeys = [
  'divisionCode',
  'name',
  'townshipName',
  'gridName',
  'households',
  'population',
  'penetrationPct',
  'fibreCovered',
  'completeness',
  'updatedAt',
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
    /** Only villages whose profile completeness is below INCOMPLETE_BELOW (shared/profile.ts). */
    incompleteOnly: z.boolean().optional(),
    sort: z.enum(villageSortKeys).default('divisionCode'),
    order: z.enum(['asc', 'desc']).default('asc'),
    limit: z.number().int().min(1).max(5000).default(200),
    offset: z.number().int().min(0).default(0),
  })
  .strict()

export const villagesApi = {
  'villages.list': { input: villageListInputSchema, output: out<VillageList>() },
  'villages.history': {
    input: z.object({ id: z.uuid(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    output: out<VillageHistoryEntry[]>(),
  },
} as const
