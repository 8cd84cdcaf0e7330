// Regional reports for HQ: the report model the preview shows and every export writes,
// and the `reports.*` contract entries. Spread into `api` in contract.ts.
import { z } from 'zod'
import type { Light } from '../kpi'
import type { FunnelStage, Rival } from '../domain'
import { out, type PathFields } from './define'
import type { IntelPriceFields } from './intel'

export const reportFormats = ['xlsx', 'pdf', 'csv', 'geojson'] as const
export type ReportFormat = (typeof reportFormats)[number]
export const csvEncodings = ['utf8-bom', 'gb18030'] as const
export type CsvEncoding = (typeof csvEncodings)[number]

/** Region code: a grid (451022-G01), center (451022-C1) or county (451022) code. */
export const reportRegionSchema = z.string().trim().min(1).max(40)
/** Month 2026-10, quarter 2026-Q3 or year 2026. */
export const reportPeriodSchema = z
  .string()
  .trim()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/, { message: 'period must be a month (2026-10), a quarter (2026-Q3) or a year (2026)' })

export interface ReportRegion {
  code: string
  name: string
  level: 'county' | 'center' | 'grid'
  parentName: string | null
}

export interface KpiRow {
  indicatorCode: string
  indicatorName: string
  unit: string
  direction: 'higher_better' | 'lower_better'
  /** Grid code and name for the per-grid rows; null on the region's total. */
  gridCode: string | null
  gridName: string | null
  target: number | null
  actual: number | null
  /** actual / target as a fraction (0.93 = 93 %). */
  completion: number | null
  timeProgress: number
  gapPp: number | null
  light: Light
}

export interface VisitPurposeRow {
  purpose: string
  done: number
  sold: number
}
export interface VisitGridRow {
  gridCode: string
  gridName: string
  planned: number
  plannedDone: number
  done: number
}

export interface CoverageRow {
  gridCode: string
  gridName: string
  aTier: number
  visited30d: number
  /** visited30d / aTier, fraction; null without A-tier customers. */
  coverage: number | null
}

export interface FunnelRow {
  stage: FunnelStage
  stageName: string
  /** Customers whose current stage is this one. */
  current: number
  /** Customers who reached at least this stage. */
  reached: number
  /** reached / reached of the previous stage, fraction; null for the first stage. */
  conversion: number | null
  /** Moves into this stage during the period. */
  movedIn: number
}

export interface IntelRow extends IntelPriceFields {
  seenAt: string
  rival: Rival
  rivalName: string
  kind: string
  title: string
  villageName: string | null
  gridName: string | null
}
export interface PriceComparisonRow {
  rival: Rival
  rivalName: string
  offers: number
  minMonthlyFee: number | null
  avgMonthlyFee: number | null
  avgDataGb: number | null
  /** Average of monthly fee / data GB, yuan per GB. */
  avgFeePerGb: number | null
  avgBroadbandMbps: number | null
  avgDeviceSubsidy: number | null
}

export interface ProfileRow {
  divisionCode: string
  villageName: string
  gridName: string | null
  filled: number
  fields: number
  completeness: number
  missing: string[]
}
export interface ProfileFieldRow {
  field: string
  fieldName: string
  filled: number
  villages: number
  share: number
}

export interface ObjectionRow {
  code: string
  name: string
  heard: number
  answered: number
  worked: number
  /** worked / answered, fraction. */
  workedRate: number | null
  /** The answer that worked most often, with its count. */
  bestAnswer: string | null
  bestAnswerWorked: number
}

export interface OverdueOrderRow {
  title: string
  gridCode: string | null
  gridName: string | null
  customerName: string | null
  assignee: string | null
  status: string
  dueAt: string
  daysOverdue: number
}

export interface MapGridFeature {
  code: string
  name: string
  /** GeoJSON geometry (WGS-84). */
  geometry: { type: string; coordinates: unknown }
  value: number | null
  completion: number | null
  light: Light
}
export interface MapVillagePoint {
  divisionCode: string
  name: string
  lon: number
  lat: number
  households: number | null
  penetrationPct: number | null
}

export interface ReportModel {
  region: ReportRegion
  period: string
  periodStart: string
  periodEnd: string
  /** The day figures are measured on: today, or the period's last day when it is over. */
  asOf: string
  generatedAt: string
  grids: { code: string; name: string }[]
  generatedGeometry: boolean
  kpi: { timeProgress: number; rows: KpiRow[]; byGrid: KpiRow[] }
  visits: {
    planned: number
    plannedDone: number
    adHoc: number
    done: number
    plannedRate: number | null
    byPurpose: VisitPurposeRow[]
    byGrid: VisitGridRow[]
  }
  coverage: { aTier: number; visited30d: number; coverage: number | null; windowStart: string; byGrid: CoverageRow[] }
  funnel: { customers: number; rows: FunnelRow[] }
  intel: { rows: IntelRow[]; prices: PriceComparisonRow[] }
  profiles: { villages: number; completeness: number | null; byField: ProfileFieldRow[]; rows: ProfileRow[] }
  objections: { heard: number; rows: ObjectionRow[] }
  /** Open and overdue as of `asOfAt`: the end of the period, or the moment of making a report of a running one. */
  workOrders: { open: number; overdue: OverdueOrderRow[]; asOfAt: string }
  map: { indicatorCode: string | null; indicatorName: string | null; grids: MapGridFeature[]; villages: MapVillagePoint[] }
}

export interface ReportExportResult {
  path: string
  bytes: number
  format: ReportFormat
  millis: number
}

/** Which period a saved report covers when it runs: relative to the run date, or fixed. */
export const periodRules = ['previous_month', 'current_month', 'previous_quarter', 'current_quarter', 'current_year'] as const
export const periodRuleSchema = z.union([z.enum(periodRules), reportPeriodSchema])
export type PeriodRule = z.infer<typeof periodRuleSchema>

export const reportDefinitionInput = z
  .object({
    id: z.uuid().optional(),
    name: z.string().trim().min(1).max(60),
    region: reportRegionSchema,
    periodRule: periodRuleSchema,
    formats: z.array(z.enum(reportFormats)).min(1).max(4),
    /** Absolute folder the files go to; created when missing. */
    folder: z.string().trim().min(1).max(1000),
    csvEncoding: z.enum(csvEncodings).default('utf8-bom'),
    lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
  })
  .strict()

export interface ReportDefinition extends Required<Omit<z.output<typeof reportDefinitionInput>, 'id'>> {
  id: string
  createdAt: string
  updatedAt: string
  lastRunAt: string | null
}

export interface ReportRunFile {
  format: ReportFormat
  path: string
  /** written, or exists: the file was there and was left alone (run again with overwrite). */
  status: 'written' | 'exists'
  bytes: number | null
}

export interface ReportRunResult {
  definitionId: string
  period: string
  files: ReportRunFile[]
  millis: number
}

export const reportsApi = {
  'reports.preview': {
    input: z.object({ region: reportRegionSchema, period: reportPeriodSchema }).strict(),
    output: out<ReportModel>(),
  },
  'reports.export': {
    input: z
      .object({
        region: reportRegionSchema,
        period: reportPeriodSchema,
        format: z.enum(reportFormats),
        /** Absolute path of the file to write; its folder is created. */
        path: z.string().trim().min(1).max(1000),
        overwrite: z.boolean().default(false),
        csvEncoding: z.enum(csvEncodings).default('utf8-bom'),
        lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
      })
      .strict(),
    output: out<ReportExportResult>(),
    paths: { write: ['path'] } satisfies PathFields,
  },
  'reports.definitions.list': { input: z.object({}).strict(), output: out<ReportDefinition[]>() },
  'reports.definitions.save': { input: reportDefinitionInput, output: out<ReportDefinition>(), paths: { write: ['folder'] } satisfies PathFields },
  'reports.definitions.delete': { input: z.object({ id: z.uuid() }).strict(), output: out<{ deleted: boolean }>() },
  /** Builds the report once and writes every format of the definition into its folder. */
  'reports.definitions.run': {
    input: z.object({ id: z.uuid(), overwrite: z.boolean().default(false), asOf: z.iso.date().optional() }).strict(),
    output: out<ReportRunResult>(),
  },
} as const
