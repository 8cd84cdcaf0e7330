// Contract of visits: day plan with a route, the visit log (draft, complete),
// the objection library, who to see next, and the funnel over a period.
import { z } from 'zod'
import { funnelStages, intelKinds, rivals, type FunnelStage, type IntelKind, type Rival, type ValueTier } from '../domain'
import { isTimeZone } from '../dates'
import { out } from './define'
import { isDay } from '../rules'

const id = z.uuid()
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must look like 2026-10-15' })
  .refine(isDay, { message: 'date must exist, like 2026-10-15' })
const isoTime = z.iso.datetime({ offset: true })
const lon = z.number().min(-180).max(180)
const lat = z.number().min(-90).max(90)
const text = (max: number) => z.string().trim().max(max)
const timeZone = z.string().max(64).refine(isTimeZone, { message: 'unknownTimeZone' })

export const visitTargetKinds = ['customer', 'village'] as const
export type VisitTargetKind = (typeof visitTargetKinds)[number]
export const participantRoles = ['grid_manager', 'customer_manager', 'community_manager', 'other'] as const
export type ParticipantRole = (typeof participantRoles)[number]
export const checkInSources = ['device', 'map', 'none'] as const
export type CheckInSource = (typeof checkInSources)[number]
export const DEFAULT_CHECK_IN_RADIUS_M = 500

/** Why a customer is on the next-up list; the UI translates `visits.reason.<code>` with params. */
export const nextUpReasons = ['a_tier_stale', 'contract_expiring', 'rival_intel_near', 'follow_up_overdue', 'work_order_overdue'] as const
export type NextUpReason = (typeof nextUpReasons)[number]

export interface VisitTargetRow {
  kind: VisitTargetKind
  id: string
  name: string
  /** Customer: role and organisation; village: township. */
  detail: string | null
  villageName: string | null
  tier: ValueTier | null
  funnelStage: FunnelStage | null
  lon: number | null
  lat: number | null
  lastVisitAt: string | null
}

export interface RouteStop {
  seq: number
  kind: VisitTargetKind
  id: string
  name: string
  lon: number
  lat: number
  /** Distance from the previous stop (or the start), km. */
  legKm: number
  cumulativeKm: number
}

export interface DayPlan {
  date: string
  /** The saved plan (null for a route only computed, not saved). */
  planId: string | null
  gridId: string | null
  start: { lon: number; lat: number } | null
  /** What the start is called (a village, "current location"): shown instead of coordinates. */
  startName: string | null
  stops: (RouteStop & PlannedStatus)[]
  /** Targets with no known location: not on the route, listed to visit anyway. */
  unplaced: ({ kind: VisitTargetKind; id: string; name: string } & PlannedStatus)[]
  totalKm: number
  /** The same targets in the order picked: what the suggested order saves. */
  pickedOrderKm: number
  /** Ids of the planned visits stored (save: true), in route order. */
  plannedVisitIds: string[]
}

/** A saved plan's stop: its planned visit and whether it was done. */
export interface PlannedStatus {
  visitId?: string | null
  visitStatus?: 'planned' | 'done' | null
}

/** A day with a saved plan in a grid. */
export interface PlanDateRow {
  date: string
  planned: number
  done: number
}

/** One change of a visit as this device recorded it (its outbox entries), newest first. */
export interface VisitHistoryEntry {
  at: string
  op: 'insert' | 'update' | 'delete'
  /** The record changed: the visit itself or one of its lists. */
  table: string
  changes: { field: string; value: unknown }[]
  synced: boolean
}

/** How many days after its check-in a visit can still be corrected. */
export const VISIT_CORRECTION_DAYS = 7

export interface ObjectionRow {
  id: string
  code: string
  nameZh: string
  nameEn: string
  suggestedAnswer: string | null
  /** Times heard in visits and how often the answer given worked. */
  heard: number
  worked: number
}

const participant = z.object({ name: text(50).min(1), role: z.enum(participantRoles) }).strict()
const product = z.object({ product: text(100).min(1), outcome: z.enum(['pitched', 'sold']), quantity: z.number().int().min(1).max(10_000).default(1) }).strict()
const objection = z.object({ code: text(64).min(1), detail: text(500).optional(), answer: text(1000).optional(), worked: z.boolean().optional() }).strict()
const rivalNews = z
  .object({
    rival: z.enum(rivals),
    kind: z.enum(intelKinds),
    title: text(200).min(1),
    description: text(5000).optional(),
    monthlyFee: z.number().min(0).max(100_000).optional(),
    dataGb: z.number().min(0).max(100_000).optional(),
    voiceMinutes: z.number().int().min(0).max(1_000_000).optional(),
    broadbandMbps: z.number().int().min(0).max(100_000).optional(),
    contractMonths: z.number().int().min(0).max(120).optional(),
    deviceSubsidy: z.number().min(0).max(1_000_000).optional(),
    threatLevel: z.number().int().min(1).max(5).optional(),
    validTo: day.optional(),
  })
  .strict()
const photo = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    fileName: text(200).min(1),
    mime: text(100).min(1),
    bytes: z.number().int().min(1),
    thumbSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  })
  .strict()

export const visitCompleteSchema = z
  .object({
    /** The draft (or planned visit) this completes; its id becomes the visit's id. */
    id: id.optional(),
    target: z.object({ kind: z.enum(visitTargetKinds), id }).strict(),
    checkIn: z
      .object({ at: isoTime, lon: lon.optional(), lat: lat.optional(), source: z.enum(checkInSources) })
      .strict()
      .refine((c) => c.source === 'none' || (c.lon !== undefined && c.lat !== undefined), {
        message: 'a device or map check-in needs a location',
        path: ['lon'],
      }),
    radiusM: z.number().int().min(10).max(100_000).default(DEFAULT_CHECK_IN_RADIUS_M),
    participants: z.array(participant).max(10).default([]),
    purpose: text(500).min(1),
    outcome: text(2000).min(1),
    /** Move the customer to this funnel stage (when the outcome says so). */
    funnelTo: z.enum(funnelStages).optional(),
    products: z.array(product).max(50).default([]),
    objections: z.array(objection).max(20).default([]),
    /** Rival news heard: stored as a competitor intel record from this visit. */
    rivalNews: rivalNews.optional(),
    /** Next action: stored on the visit and as a work order (origin 'visit'). */
    nextAction: z
      .object({ action: text(200).min(1), due: day })
      .strict()
      .optional(),
    photos: z.array(photo).max(20).default([]),
    /** The user's time zone (IANA): a due day ends at midnight there, wherever the core runs. */
    timeZone: timeZone.optional(),
  })
  .strict()
export type VisitCompleteInput = z.input<typeof visitCompleteSchema>

/** What a correction may change; lists given replace the stored list. */
export const visitCorrectionSchema = z
  .object({
    purpose: text(500).min(1),
    outcome: text(2000).min(1),
    participants: z.array(participant).max(10),
    products: z.array(product).max(50),
    objections: z.array(objection).max(20),
    nextAction: z
      .object({ action: text(200).min(1), due: day })
      .strict()
      .nullable(),
  })
  .partial()
  .strict()
export type VisitCorrection = z.input<typeof visitCorrectionSchema>

/** A draft is the form as typed, kept on the device until completed or discarded. */
export interface VisitDraft {
  id: string
  savedAt: string
  /** The form's own state, opaque to the core (at most 256 KB of JSON). */
  form: Record<string, unknown>
  /** For listing drafts: what the form says it is about. */
  label: string | null
}

export interface VisitDetail {
  id: string
  status: 'planned' | 'draft' | 'done' | 'cancelled'
  targetKind: string
  customerId: string | null
  customerName: string | null
  villageId: string | null
  villageName: string | null
  gridId: string | null
  plannedFor: string | null
  checkedInAt: string | null
  checkInLon: number | null
  checkInLat: number | null
  checkInSource: CheckInSource | null
  /** Distance from the check-in point to the target's location, metres. */
  distanceM: number | null
  purpose: string | null
  outcome: string | null
  nextAction: string | null
  nextActionDue: string | null
  participants: { name: string; role: ParticipantRole }[]
  products: { product: string; outcome: 'pitched' | 'sold'; quantity: number | null }[]
  objections: { code: string; detail: string | null; answer: string | null; worked: boolean | null }[]
  intel: { id: string; rival: Rival; kind: IntelKind; title: string }[]
  workOrders: { id: string; title: string; dueAt: string; status: string }[]
  funnelMoves: { fromStage: FunnelStage | null; toStage: FunnelStage; movedAt: string }[]
  photos: { id: string; fileName: string; sha256: string; mime: string; bytes: number; thumbSha256: string | null }[]
}

export interface VisitCompleteResult {
  visit: VisitDetail
  /** True when the check-in point is farther than the radius from the target. */
  farFromTarget: boolean
  intelId: string | null
  workOrderId: string | null
}

export interface VisitListRow {
  id: string
  status: VisitDetail['status']
  targetKind: string
  targetName: string | null
  villageName: string | null
  gridId: string | null
  at: string | null
  purpose: string | null
  outcome: string | null
  objections: number
  sold: number
}

export interface NextUpRow {
  customerId: string
  name: string
  role: string | null
  organisation: string | null
  villageName: string | null
  tier: ValueTier | null
  influence: number | null
  funnelStage: FunnelStage
  lastVisitAt: string | null
  score: number
  reasons: { code: NextUpReason; params: Record<string, string | number | null> }[]
}

export interface FunnelStageFlow {
  stage: FunnelStage
  /** Customers at this stage now (snapshot). */
  current: number
  /** Customers at this stage when the period began. */
  atStart: number
  /** Distinct customers who moved into this stage during the period. */
  entered: number
  /** Of those at this stage at the start or entering it in the period, the share who moved on to a later stage in the period. */
  conversion: number | null
  movedOn: number
}

export interface FunnelReport {
  gridId: string | null
  from: string
  to: string
  stages: FunnelStageFlow[]
  moves: number
  /** Customers who reached 成交 (won) in the period over those who were in the funnel before won. */
  overall: number | null
}

export const visitsApi = {
  'visits.targets': {
    input: z
      .object({ gridId: id, search: text(50).optional(), kind: z.enum(visitTargetKinds).optional(), limit: z.number().int().min(1).max(2000).default(300) })
      .strict(),
    output: out<VisitTargetRow[]>(),
  },
  'visits.plan': {
    input: z
      .object({
        date: day,
        start: z.object({ lon, lat }).strict().optional(),
        startName: text(100).optional(),
        targets: z
          .array(z.object({ kind: z.enum(visitTargetKinds), id }).strict())
          .min(1)
          .max(60),
        /**
         * Save as the grid's plan for the date, replacing the one saved before: a planned visit per
         * target (status 'planned', planned_for = date), targets left out are cancelled, none doubled.
         */
        save: z.boolean().default(false),
        /** The grid the plan belongs to (needed to save). */
        gridId: id.optional(),
      })
      .strict()
      .refine((i) => !i.save || i.gridId !== undefined, { message: 'required', path: ['gridId'] }),
    output: out<DayPlan>(),
  },
  'dayPlans.get': { input: z.object({ gridId: id, date: day }).strict(), output: out<DayPlan | null>() },
  'dayPlans.dates': { input: z.object({ gridId: id, from: day, limit: z.number().int().min(1).max(366).default(30) }).strict(), output: out<PlanDateRow[]>() },
  /** Adds one target to a day's plan of its grid (made if there is none); already in it: nothing changes. */
  'dayPlans.add': {
    input: z.object({ date: day, target: z.object({ kind: z.enum(visitTargetKinds), id }).strict() }).strict(),
    output: out<{ added: boolean; gridId: string; count: number }>(),
  },
  /** Moves a plan's targets not visited yet to another day's plan (added after its own). */
  'dayPlans.carry': {
    input: z
      .object({ gridId: id, from: day, to: day })
      .strict()
      .refine((i) => i.from !== i.to, { message: 'sameDay', path: ['to'] }),
    output: out<DayPlan>(),
  },
  /** Correct a recent done visit: the fields given replace the stored ones, through the outbox. */
  'visits.correct': { input: z.object({ id, patch: visitCorrectionSchema, timeZone: timeZone.optional() }).strict(), output: out<VisitDetail>() },
  'visits.history': { input: z.object({ id, limit: z.number().int().min(1).max(500).default(100) }).strict(), output: out<VisitHistoryEntry[]>() },
  'visits.saveDraft': {
    input: z.object({ id: id.optional(), form: z.record(z.string(), z.unknown()), label: text(200).nullable().optional() }).strict(),
    output: out<VisitDraft>(),
  },
  'visits.drafts': { input: z.object({}).strict(), output: out<VisitDraft[]>() },
  'visits.discardDraft': { input: z.object({ id }).strict(), output: out<{ discarded: boolean }>() },
  'visits.addPhoto': {
    input: z.object({ fileName: text(200).min(1), base64: z.string().min(1).max(14_000_000), thumbBase64: z.string().max(400_000).optional() }).strict(),
    output: out<{ sha256: string; fileName: string; mime: string; bytes: number; thumbSha256?: string }>(),
  },
  'visits.get': { input: z.object({ id }).strict(), output: out<VisitDetail>() },
  'visits.complete': { input: visitCompleteSchema, output: out<VisitCompleteResult>() },
  'visits.list': {
    input: z
      .object({
        gridId: id.optional(),
        customerId: id.optional(),
        from: day.optional(),
        to: day.optional(),
        status: z.enum(['planned', 'done']).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
    output: out<VisitListRow[]>(),
  },
  'visits.nextUp': {
    input: z.object({ gridId: id, asOf: day.optional(), limit: z.number().int().min(1).max(500).default(50) }).strict(),
    output: out<NextUpRow[]>(),
  },
  'objections.list': { input: z.object({}).strict(), output: out<ObjectionRow[]>() },
  'objections.create': {
    input: z
      .object({
        code: z
          .string()
          .trim()
          .regex(/^[a-z][a-z0-9_]{1,39}$/, { message: 'code: lower-case letters, digits and _' }),
        nameZh: text(50).min(1),
        nameEn: text(80).min(1),
        suggestedAnswer: text(1000).optional(),
      })
      .strict(),
    output: out<ObjectionRow>(),
  },
  'objections.update': {
    input: z
      .object({
        id,
        patch: z
          .object({ nameZh: text(50).min(1), nameEn: text(80).min(1), suggestedAnswer: text(1000).nullable() })
          .partial()
          .strict(),
      })
      .strict(),
    output: out<ObjectionRow>(),
  },
  'funnel.get': {
    input: z
      .object({ gridId: id.optional(), from: day, to: day })
      .strict()
      .refine((i) => i.from <= i.to, { message: 'from must not be after to', path: ['from'] }),
    output: out<FunnelReport>(),
  },
} as const
