// Contract of competitor intel: list with filters, create/edit with structured price
// fields, where (village or map point), validity, source and reliability, threat; comparison of a
// rival's offer with ours; photos of the flyer stored as content-addressed files.
import { z } from 'zod'
import { intelKinds, rivals, type IntelKind, type Rival } from '../domain'
import type { OfferMetrics, OurOffer } from '../offers'
import { out } from './define'
import { isDay, isMoment } from '../rules'

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/
const isoDay = z
  .string()
  .trim()
  .refine((s) => DATE_RE.test(s) && isDay(s), { error: 'date_format' })
const money = z.number().min(0).max(100_000)
/** Reliability and threat: a whole number 1–5, with our own message (zod's names the type). */
const level = z.number().int({ error: 'level_range' }).min(1, { error: 'level_range' }).max(5, { error: 'level_range' })

export const intelFieldsSchema = z.object({
  rival: z.enum(rivals),
  kind: z.enum(intelKinds),
  title: z.string().trim().min(1, { error: 'required' }).max(100),
  description: z.string().trim().max(2000).nullable(),
  villageId: z.uuid().nullable(),
  lon: z.number().min(73.4).max(135.1).nullable(),
  lat: z.number().min(18.1).max(53.6).nullable(),
  /** When it was seen: an ISO date or date-time. */
  seenAt: z
    .string()
    .trim()
    .refine((s) => isMoment(s) && !Number.isNaN(Date.parse(s)), { error: 'date_format' }),
  validFrom: isoDay.nullable(),
  validTo: isoDay.nullable(),
  source: z.string().trim().max(100).nullable(),
  reliability: level.nullable(),
  monthlyFee: money.nullable(),
  dataGb: z.number().min(0).max(10_000).nullable(),
  voiceMinutes: z.number().int().min(0).max(100_000).nullable(),
  broadbandMbps: z.number().int().min(0).max(100_000).nullable(),
  contractMonths: z.number().int().min(0).max(120).nullable(),
  deviceSubsidy: money.nullable(),
  threatLevel: level.nullable(),
  suggestedResponse: z.string().trim().max(1000).nullable(),
  fromVisitId: z.uuid().nullable(),
})
export type IntelFields = z.output<typeof intelFieldsSchema>

const validRange = (v: { validFrom?: string | null; validTo?: string | null }) => !v.validFrom || !v.validTo || v.validFrom <= v.validTo
const lonLatPair = (v: { lon?: number | null; lat?: number | null }) => (v.lon == null) === (v.lat == null)

export const intelCreateSchema = intelFieldsSchema
  .partial()
  .required({ rival: true, kind: true, title: true, seenAt: true })
  .strict()
  .refine(validRange, { error: 'valid_range', path: ['validTo'] })
  .refine(lonLatPair, { error: 'lonlat_pair', path: ['lat'] })
  .refine((v) => v.villageId != null || v.lon != null, { error: 'where_required', path: ['villageId'] })

export const intelPatchSchema = intelFieldsSchema
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, { error: 'empty patch' })
  .refine(validRange, { error: 'valid_range', path: ['validTo'] })

/** An offer's structured price fields and how threatening it is: one shape for intel and reports. */
export interface IntelPriceFields {
  monthlyFee: number | null
  dataGb: number | null
  voiceMinutes: number | null
  broadbandMbps: number | null
  contractMonths: number | null
  deviceSubsidy: number | null
  threatLevel: number | null
  suggestedResponse: string | null
}

export interface IntelRow extends IntelPriceFields {
  id: string
  rival: Rival
  kind: IntelKind
  title: string
  description: string | null
  villageId: string | null
  villageName: string | null
  gridId: string | null
  gridName: string | null
  lon: number | null
  lat: number | null
  seenAt: string
  validFrom: string | null
  validTo: string | null
  source: string | null
  reliability: number | null
  fromVisitId: string | null
  photoCount: number
  updatedAt: string
}

/** What a pin on the map needs of a record (the map page asks for these, not whole rows). */
export type IntelPin = Pick<IntelRow, 'id' | 'rival' | 'title' | 'lon' | 'lat' | 'seenAt' | 'threatLevel'>

export interface IntelPhoto {
  id: string
  fileName: string
  mime: string
  bytes: number
  sha256: string
  hasThumb: boolean
  createdAt: string
}

export interface IntelDetail extends IntelRow {
  photos: IntelPhoto[]
}

export interface IntelComparison {
  intelId: string
  rival: Rival
  title: string
  ours: OurOffer
  rivalMetrics: OfferMetrics
  ourMetrics: OfferMetrics
  /** Per figure: who offers the customer more. */
  better: Record<keyof OfferMetrics, 'rival' | 'ours' | 'even' | null>
}

export const intelListInputSchema = z
  .object({
    rival: z.enum(rivals).optional(),
    kind: z.enum(intelKinds).optional(),
    gridId: z.uuid().optional(),
    villageId: z.uuid().optional(),
    /** Only intel valid on this date (valid_from ≤ date ≤ valid_to, open ends count as valid). */
    validOn: isoDay.optional(),
    minThreat: z.number().int().min(1).max(5).optional(),
    limit: z.number().int().min(1).max(2000).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .strict()
export type IntelListQuery = z.output<typeof intelListInputSchema>

const id = z.uuid()
const MAX_PHOTO_BYTES = 15 * 1024 * 1024
const imageMime = z.enum(['image/jpeg', 'image/png', 'image/webp', 'image/gif'])

export const intelApi = {
  'intel.list': { input: intelListInputSchema, output: out<{ rows: IntelRow[]; total: number }>() },
  /** Located intel valid on a day, newest first, as pins: a few fields each, at most `limit`. */
  'intel.pins': {
    input: z.object({ validOn: isoDay, limit: z.number().int().min(1).max(5000).default(2000) }).strict(),
    output: out<IntelPin[]>(),
  },
  'intel.get': { input: z.object({ id }).strict(), output: out<IntelDetail>() },
  'intel.create': { input: intelCreateSchema, output: out<IntelDetail>() },
  'intel.update': { input: z.object({ id, patch: intelPatchSchema }).strict(), output: out<IntelDetail>() },
  'intel.offers': { input: z.object({}).strict(), output: out<OurOffer[]>() },
  'intel.compare': { input: z.object({ id, offerCode: z.string().max(50).optional() }).strict(), output: out<IntelComparison>() },
  'intel.addPhoto': {
    input: z
      .object({
        intelId: id,
        fileName: z.string().trim().min(1).max(255),
        mime: imageMime,
        base64: z
          .string()
          .min(1)
          .max(Math.ceil((MAX_PHOTO_BYTES * 4) / 3) + 4),
        /** A JPEG thumbnail the renderer drew on a canvas (no native image library in the core). */
        thumbBase64: z
          .string()
          .max(2 * 1024 * 1024)
          .optional(),
      })
      .strict(),
    output: out<IntelPhoto>(),
  },
  'intel.photo': { input: z.object({ id, thumb: z.boolean().default(false) }).strict(), output: out<{ mime: string; base64: string }>() },
} as const
