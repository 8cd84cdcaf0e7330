// Contract of key customers: list with filters and search (name, pinyin, initials,
// phone, village, organisation), the customer page, create/edit with field rules, funnel moves,
// duplicates and merge, CSV/XLSX import with the village import's row-level report.
import { z } from 'zod'
import { customerCategories, funnelStages, rivals, valueTiers, type CustomerCategory, type FunnelStage, type Rival, type ValueTier } from '../domain'
import { out } from './define'
import { isDay } from '../rules'

/** Mobile (11 digits, 1[3-9]…) or landline with area code (0776-1234567). Spaces and dashes are dropped first. */
export const PHONE_RE = /^(?:1[3-9]\d{9}|0\d{2,3}\d{7,8})$/
export const normalisePhone = (raw: string) => raw.replace(/[\s-]/g, '')
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/
const validDate = (s: string) => DATE_RE.test(s) && isDay(s)

/** Codes the UI translates (i18n `customers.fieldError.<code>`) instead of zod's generic text. */
export const customerFieldErrors = ['phone_format', 'date_format', 'required', 'influence_range'] as const

const phone = z
  .string()
  .transform(normalisePhone)
  .refine((p) => PHONE_RE.test(p), { error: 'phone_format' })
const isoDate = z.string().trim().refine(validDate, { error: 'date_format' })

export const customerFieldsSchema = z.object({
  name: z.string().trim().min(1, { error: 'required' }).max(50),
  category: z.enum(customerCategories),
  role: z.string().trim().max(50).nullable(),
  organisation: z.string().trim().max(100).nullable(),
  villageId: z.uuid().nullable(),
  phone: phone.nullable(),
  influence: z.number().int().min(1, { error: 'influence_range' }).max(5, { error: 'influence_range' }).nullable(),
  monthlyRevenue: z.number().min(0).max(10_000_000).nullable(),
  tierOverride: z.enum(valueTiers).nullable(),
  contractExpiry: isoDate.nullable(),
  rivalUsed: z.enum(rivals).nullable(),
  nextFollowUp: isoDate.nullable(),
  tags: z.array(z.string().trim().min(1).max(20)).max(20),
  notes: z.string().max(5000).nullable(),
})
export type CustomerFields = z.output<typeof customerFieldsSchema>

export const customerCreateSchema = customerFieldsSchema
  .partial()
  .required({ name: true, category: true })
  .extend({ funnelStage: z.enum(funnelStages).default('potential') })
  .strict()

export const customerPatchSchema = customerFieldsSchema
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, { error: 'empty patch' })
export type CustomerPatch = z.output<typeof customerPatchSchema>

export const customerSortKeys = [
  'name',
  'tier',
  'influence',
  'monthlyRevenue',
  'contractExpiry',
  'funnelStage',
  'nextFollowUp',
  'villageName',
  'updatedAt',
  'lastVisit',
] as const
export type CustomerSortKey = (typeof customerSortKeys)[number]

export const customerListInputSchema = z
  .object({
    search: z.string().trim().max(50).optional(),
    gridId: z.uuid().optional(),
    villageId: z.uuid().optional(),
    category: z.enum(customerCategories).optional(),
    tier: z.enum(valueTiers).optional(),
    stage: z.enum(funnelStages).optional(),
    rival: z.enum(rivals).optional(),
    /** Contract or plan expiring from today to today + N days. */
    expiringWithinDays: z.number().int().min(0).max(3650).optional(),
    tag: z.string().trim().min(1).max(20).optional(),
    sort: z.enum(customerSortKeys).default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
    limit: z.number().int().min(1).max(1000).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .strict()
export type CustomerListQuery = z.output<typeof customerListInputSchema>

export interface CustomerListRow {
  id: string
  name: string
  category: CustomerCategory
  role: string | null
  organisation: string | null
  villageId: string | null
  villageName: string | null
  gridId: string | null
  gridName: string | null
  phone: string | null
  influence: number | null
  /** Effective tier: the override when set, else the computed one. */
  tier: ValueTier | null
  monthlyRevenue: number | null
  contractExpiry: string | null
  rivalUsed: Rival | null
  funnelStage: FunnelStage
  nextFollowUp: string | null
  tags: string[]
  lastVisitAt: string | null
  updatedAt: string
}

export interface CustomerList {
  rows: CustomerListRow[]
  total: number
}

export interface CustomerProductRow {
  id: string
  productKind: string
  productName: string
  since: string | null
  expiry: string | null
}

export interface FunnelMoveRow {
  id: string
  fromStage: FunnelStage | null
  toStage: FunnelStage
  movedAt: string
}

export type TimelineEntry =
  | {
      kind: 'visit'
      id: string
      at: string
      status: string
      /** The day a planned visit is planned for (a local day, YYYY-MM-DD); null once done. */
      plannedFor: string | null
      purpose: string | null
      outcome: string | null
      nextAction: string | null
    }
  | { kind: 'move'; id: string; at: string; fromStage: FunnelStage | null; toStage: FunnelStage }
  | { kind: 'intel'; id: string; at: string; rival: Rival; intelKind: string; title: string; threatLevel: number | null }

export interface CustomerDetail extends CustomerListRow {
  valueTier: ValueTier | null
  tierOverride: ValueTier | null
  ownerName: string | null
  notes: string | null
  lon: number | null
  lat: number | null
  createdAt: string
  products: CustomerProductRow[]
  moves: FunnelMoveRow[]
  /** Visits, stage moves and intel seen in the customer's village, newest first. */
  timeline: TimelineEntry[]
}

export interface CustomerSearchHit {
  id: string
  name: string
  phone: string | null
  organisation: string | null
  villageName: string | null
  tier: ValueTier | null
  funnelStage: FunnelStage
}

export interface DuplicateCandidate extends CustomerSearchHit {
  reason: 'phone' | 'name_village'
}

export interface MergeResult {
  keptId: string
  moved: { products: number; visits: number; moves: number; workOrders: number; attachments: number }
}

const id = z.uuid()
const day = z.string().refine(validDate, { error: 'date_format' })

export const customersApi = {
  'customers.list': { input: customerListInputSchema, output: out<CustomerList>() },
  'customers.search': {
    input: z.object({ query: z.string().trim().min(1).max(50), limit: z.number().int().min(1).max(100).default(20) }).strict(),
    output: out<CustomerSearchHit[]>(),
  },
  'customers.get': { input: z.object({ id }).strict(), output: out<CustomerDetail>() },
  'customers.create': { input: customerCreateSchema, output: out<CustomerDetail>() },
  'customers.update': { input: z.object({ id, patch: customerPatchSchema }).strict(), output: out<CustomerDetail>() },
  'customers.moveStage': { input: z.object({ id, toStage: z.enum(funnelStages), on: day.optional() }).strict(), output: out<CustomerDetail>() },
  'customers.duplicates': { input: z.object({ id }).strict(), output: out<DuplicateCandidate[]>() },
  'customers.merge': {
    input: z
      .object({ keepId: id, dropId: id })
      .strict()
      .refine((m) => m.keepId !== m.dropId, { error: 'same customer' }),
    output: out<MergeResult>(),
  },
  'customers.tags': { input: z.object({}).strict(), output: out<string[]>() },
} as const
