// The API contract: every handler's name (`domain.verb`), its zod input schema and its output
// type. Electron IPC, browser mode, the CLI and tests all call through this one table.
// Larger domains declare their entries in shared/api/<domain>.ts and are spread into `api`.
import { z } from 'zod'
import { gridKinds, signalQualities, valueTiers } from '../domain'

import { out } from './define'
import { syncApi } from './sync'
import { demoApi } from './demo'
import { reportsApi } from './reports'
import { importsApi } from './imports'
import { indicatorsApi } from './indicators'
import { checkAgeShares, keyPersonsSchema, profileCount, profilePct, rivalPortsSchema, shareVsRivalsSchema, villagesApi } from './villages'
import type { KeyPerson, RivalFigures } from '../profile'
import { customersApi } from './customers'
import { intelApi } from './intel'
import { mapApi } from './map'
import { visitsApi } from './visits'
import { orgApi } from './org'
import { gridsApi } from './grids'
import { searchApi } from './search'
import { storeApi } from './store'

const id = z.uuid()
const search = z.string().trim().max(50).optional()

export interface CountSet {
  grids: number
  villages: number
  keyCustomers: number
  visits: number
  competitorIntel: number
}

export interface AppInfo {
  version: string
  dataDir: string
  deviceId: string
  schemaVersion: number
  demoLoaded: boolean
  counts: CountSet
  pendingChanges: number
}

export interface DemoLoadResult extends CountSet {
  millis: number
}

export interface GridListRow {
  id: string
  code: string
  name: string
  kind: (typeof gridKinds)[number] | null
  centerName: string | null
  villages: number
  households: number
  keyCustomers: number
}

export interface GridSummary {
  id: string
  code: string
  name: string
  kind: (typeof gridKinds)[number] | null
  centerName: string | null
  managerName: string | null
  geometrySource: string | null
  villages: number
  households: number
  population: number
  keyCustomers: number
  keyCustomersByTier: Record<(typeof valueTiers)[number], number>
  visitsLast30Days: number
  intelLast30Days: number
  topVillages: { id: string; name: string; households: number }[]
  /** Mean profile completeness of its villages, 0–1 (shared/profile.ts); null without villages. */
  profileCompleteness: number | null
  /** Its villages below INCOMPLETE_BELOW (shared/profile.ts). */
  incompleteVillages: number
}

/** GeoJSON, typed loosely enough for both Leaflet and Node. */
export interface Feature<P = Record<string, unknown>> {
  type: 'Feature'
  geometry: { type: string; coordinates: unknown }
  properties: P
}
export interface FeatureCollection<P = Record<string, unknown>> {
  type: 'FeatureCollection'
  features: Feature<P>[]
}

export interface OrgUnitRow {
  id: string
  code: string
  name: string
  level: 'county' | 'center' | 'grid' | 'microgrid'
  parentId: string | null
}

export interface MapOverview {
  county: Feature<{ code: string; name: string; geometrySource: string | null }> | null
  grids: FeatureCollection<{ id: string; code: string; name: string; kind: string | null }>
  villages: FeatureCollection<{ id: string; name: string; households: number | null; gridId: string | null }>
  /** Township outlines imported from a boundary file (reference divisions; not synced): drawn as thin lines. */
  townships: FeatureCollection<{ code: string; name: string }>
  /** True when any geometry shown is generated rather than surveyed. */
  generatedGeometry: boolean
}

export interface VillageProfile {
  id: string
  divisionCode: string
  name: string
  kind: 'village' | 'community'
  townshipName: string | null
  gridId: string | null
  gridName: string | null
  lon: number | null
  lat: number | null
  geometrySource: string | null
  population: number | null
  households: number | null
  ageUnder18Pct: number | null
  age18To60Pct: number | null
  ageOver60Pct: number | null
  migrantAwayPct: number | null
  mainEconomy: string | null
  marketDays: string | null
  festivals: string | null
  educationLevel: string | null
  fibreCovered: boolean | null
  ourPorts: number | null
  /** Rivals' ports; null when none is known. */
  rivalPorts: RivalFigures | null
  signal4g: (typeof signalQualities)[number] | null
  signal5g: (typeof signalQualities)[number] | null
  ourMobileSubs: number | null
  ourBroadbandSubs: number | null
  penetrationPct: number | null
  /** Our share against each rival, percent (shared/profile.ts shareAgainst). */
  shareVsRivals: RivalFigures
  keyPersons: KeyPerson[]
  notes: string | null
  updatedAt: string
  /** Share of profile fields filled, 0–1 (shared/profile.ts). */
  completeness: number
}

const count = profileCount
const pct = profilePct

/** Editable profile fields; each is optional, null clears it. Rivals' figures and key persons replace the stored ones whole. */
export const villagePatchSchema = z
  .object({
    population: count.nullable(),
    households: count.nullable(),
    ageUnder18Pct: pct.nullable(),
    age18To60Pct: pct.nullable(),
    ageOver60Pct: pct.nullable(),
    migrantAwayPct: pct.nullable(),
    mainEconomy: z.string().trim().max(200).nullable(),
    marketDays: z.string().trim().max(100).nullable(),
    festivals: z.string().trim().max(500).nullable(),
    educationLevel: z.string().trim().max(100).nullable(),
    fibreCovered: z.boolean().nullable(),
    ourPorts: count.nullable(),
    rivalPorts: rivalPortsSchema.nullable(),
    signal4g: z.enum(signalQualities).nullable(),
    signal5g: z.enum(signalQualities).nullable(),
    ourMobileSubs: count.nullable(),
    ourBroadbandSubs: count.nullable(),
    penetrationPct: pct.nullable(),
    shareVsRivals: shareVsRivalsSchema.nullable(),
    keyPersons: keyPersonsSchema.nullable(),
    notes: z.string().max(5000).nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0)
  .superRefine(checkAgeShares)
export type VillagePatch = z.infer<typeof villagePatchSchema>

export const api = {
  'app.info': { input: z.object({}).strict(), output: out<AppInfo>() },
  'demo.load': {
    input: z
      .object({
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31)
          .default(451022),
        keyCustomers: z.number().int().min(0).max(100_000).default(360),
        visits: z.number().int().min(0).max(1_000_000).default(2400),
      })
      .strict(),
    output: out<DemoLoadResult>(),
  },
  'grids.list': {
    input: z.object({ search, limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    output: out<GridListRow[]>(),
  },
  'grids.summary': { input: z.object({ id }).strict(), output: out<GridSummary>() },
  'map.overview': { input: z.object({}).strict(), output: out<MapOverview>() },
  'orgUnits.list': { input: z.object({}).strict(), output: out<OrgUnitRow[]>() },
  'villages.get': { input: z.object({ id }).strict(), output: out<VillageProfile>() },
  'villages.update': {
    input: z.object({ id, patch: villagePatchSchema }).strict(),
    output: out<VillageProfile>(),
  },
  ...reportsApi,
  ...importsApi,
  ...indicatorsApi,
  ...villagesApi,
  ...customersApi,
  ...intelApi,
  ...mapApi,
  ...visitsApi,
  ...orgApi,
  ...gridsApi,
  ...searchApi,
  ...syncApi,
  ...demoApi,
  ...storeApi,
} as const

export type Api = typeof api
export type HandlerName = keyof Api
export type Input<K extends HandlerName> = z.input<Api[K]['input']>
export type ParsedInput<K extends HandlerName> = z.output<Api[K]['input']>
export type Output<K extends HandlerName> = Api[K]['output']

export const handlerNames = Object.keys(api) as HandlerName[]
export const isHandlerName = (name: string): name is HandlerName => Object.hasOwn(api, name)
