// Contract of indicators, targets and their decomposition, actuals (hand entry and the
// billing export import), the 时间进度 dashboard, work orders, and the module-3 analyses.
import { z } from 'zod'
import type { BostonQuadrant, Correlation, FunnelStep } from '../analysis'
import type { FunnelStage, GridKind, OrgLevel, ValueTier } from '../domain'
import type { Direction, Light } from '../kpi'
import { out } from './define'
import { isDay } from '../rules'

/** '2026-10' (month), '2026-Q3' (quarter) or '2026' (year). */
export const periodSchema = z
  .string()
  .trim()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/, { message: 'period must be 2026-10, 2026-Q3 or 2026' })
export const monthSchema = z
  .string()
  .trim()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must look like 2026-10' })
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must look like 2026-10-15' })
  .refine(isDay, { message: 'date must exist, like 2026-10-15' })
const code = z.string().trim().min(1).max(64)
const id = z.uuid({ message: 'must be a UUID' })
const amount = z.number().finite().min(-1e12).max(1e12)
const isoTime = z.iso.datetime({ offset: true })

export interface IndicatorRow {
  code: string
  nameZh: string
  nameEn: string
  unit: string
  direction: Direction
  yellowBelowPp: number
  redBelowPp: number
}

export interface TargetRow {
  id: string
  indicatorCode: string
  orgUnitCode: string
  period: string
  value: number
  splitMethod: string | null
}

export const splitMethods = ['households', 'last_year_share', 'equal'] as const
export type SplitMethod = (typeof splitMethods)[number]

export interface TargetSplit {
  indicatorCode: string
  period: string
  method: SplitMethod
  parent: { code: string; name: string; target: number }
  children: { code: string; name: string; level: OrgLevel; weight: number; proposed: number; value: number }[]
  sum: number
  /** False for a dry run: nothing was written. */
  stored: boolean
}

export interface ActualRow {
  id: string
  indicatorCode: string
  orgUnitCode: string
  period: string
  value: number
  asOf: string
  source: string
}

export interface KpiCell {
  target: number | null
  actual: number | null
  completion: number | null
  /** Ahead (+) or behind (−) of the calendar in percentage points, direction aware. */
  gapPp: number | null
  /** Units short of (+) or ahead of (−) the on-pace value (target × time progress), direction aware. */
  gapToPace: number | null
  light: Light
}

export interface DashboardRow {
  orgUnitId: string
  code: string
  name: string
  level: OrgLevel
  parentCode: string | null
  gridKind: GridKind | null
  cells: Record<string, KpiCell>
  /** Red > yellow > green > none over the row's indicators: for the map choropleth. */
  worst: Light
}

export interface Dashboard {
  region: { code: string; name: string; level: OrgLevel }
  period: string
  asOf: string
  timeProgress: number
  indicators: IndicatorRow[]
  /** The region first, then centers, then grids (then micro-grids), each by code. */
  rows: DashboardRow[]
}

export const workOrderStatuses = ['open', 'in_progress', 'done', 'cancelled'] as const
export type WorkOrderStatus = (typeof workOrderStatuses)[number]
export const workOrderOrigins = ['manual', 'visit', 'alert'] as const

export interface WorkOrderRow {
  id: string
  title: string
  description: string | null
  origin: (typeof workOrderOrigins)[number]
  status: WorkOrderStatus
  orgUnitCode: string | null
  orgUnitName: string | null
  customerId: string | null
  customerName: string | null
  visitId: string | null
  assigneeUserId: string | null
  assigneeName: string | null
  dueAt: string
  slaHours: number | null
  createdAt: string
  closedAt: string | null
  light: Light
  hoursLeft: number
  overdue: boolean
}

export interface AssigneeRow {
  id: string
  name: string
  role: string
  orgUnitCode: string | null
}

/** asOf: the day the calendar and the data are read at (default today); later actuals are ignored. */
const regionQuery = { region: code, period: periodSchema, asOf: day.optional() }

export interface GroupStat {
  key: string
  /** zh-CN / en labels (size bands carry their household range). */
  label: { zh: string; en: string }
  grids: string[]
  target: number | null
  actual: number | null
  completion: number | null
  medianCompletion: number | null
  minCompletion: number | null
  maxCompletion: number | null
  light: Light
}

export interface PeerRow {
  code: string
  name: string
  gridKind: GridKind | null
  households: number
  target: number | null
  actual: number | null
  completion: number | null
  /** Actual per 1,000 households: a size-fair comparison. */
  perThousandHouseholds: number | null
  rank: number | null
  /** Completion minus the peers' median, in percentage points. */
  vsMedianPp: number | null
  light: Light
}

export interface TrendPoint {
  period: string
  target: number | null
  actual: number | null
  completion: number | null
  /** 环比: growth over the previous month. */
  mom: number | null
  /** 同比: growth over the same month last year. */
  yoy: number | null
}

export interface Anomaly {
  indicatorCode: string
  code: string
  name: string
  completion: number
  peerMedian: number
  robustZ: number
  side: 'low' | 'high'
  /** Worse for the business (low completion of a more-is-better indicator, high for less-is-better). */
  worse: boolean
  explanation: { zh: string; en: string }
}

export interface ScatterPoint {
  code: string
  name: string
  period: string
  x: number
  y: number
}

export interface BostonItem {
  product: string
  holders: number
  holdersYearAgo: number
  share: number
  growth: number | null
  quadrant: BostonQuadrant
}

export interface ParetoCustomer {
  id: string
  name: string
  gridCode: string | null
  value: number
  rank: number
  share: number
  cumulativeShare: number
  tier: ValueTier
}

export const indicatorsApi = {
  'indicators.list': { input: z.object({}).strict(), output: out<IndicatorRow[]>() },
  'indicators.setThresholds': {
    input: z
      .object({ code, yellowBelowPp: z.number().min(-100).max(0), redBelowPp: z.number().min(-100).max(0) })
      .strict()
      .refine((t) => t.redBelowPp <= t.yellowBelowPp, { message: 'the red threshold must be at or below the yellow one', path: ['redBelowPp'] }),
    output: out<IndicatorRow>(),
  },
  'targets.list': {
    input: z.object({ region: code, period: periodSchema, indicatorCode: code.optional() }).strict(),
    output: out<TargetRow[]>(),
  },
  'targets.set': {
    input: z.object({ indicatorCode: code, orgUnitCode: code, period: periodSchema, value: amount.min(0) }).strict(),
    output: out<TargetRow>(),
  },
  'targets.split': {
    input: z
      .object({
        indicatorCode: code,
        parentCode: code,
        period: periodSchema,
        method: z.enum(splitMethods).default('households'),
        /** Sets the parent's target first; otherwise its stored target is split. */
        parentValue: amount.min(0).optional(),
        /** Hand adjustments: child code → value, replacing the proposed value. */
        values: z.record(z.string(), amount.min(0)).optional(),
        dryRun: z.boolean().default(false),
      })
      .strict(),
    output: out<TargetSplit>(),
  },
  'actuals.record': {
    input: z.object({ indicatorCode: code, orgUnitCode: code, period: periodSchema, value: amount, asOf: isoTime.optional() }).strict(),
    output: out<ActualRow>(),
  },
  'actuals.history': {
    input: z.object({ indicatorCode: code, orgUnitCode: code, period: periodSchema }).strict(),
    output: out<ActualRow[]>(),
  },
  'dashboard.get': {
    input: z.object({ ...regionQuery, indicatorCodes: z.array(code).max(50).optional() }).strict(),
    output: out<Dashboard>(),
  },
  'workOrders.list': {
    input: z
      .object({
        region: code.optional(),
        status: z.array(z.enum(workOrderStatuses)).optional(),
        overdueOnly: z.boolean().default(false),
        limit: z.number().int().min(1).max(5000).default(500),
      })
      .strict(),
    output: out<WorkOrderRow[]>(),
  },
  'workOrders.assignees': { input: z.object({ region: code.optional() }).strict(), output: out<AssigneeRow[]>() },
  'workOrders.create': {
    input: z
      .object({
        title: z.string().trim().min(1).max(200).optional(),
        description: z.string().max(5000).optional(),
        orgUnitCode: code.optional(),
        customerId: id.optional(),
        assigneeUserId: id.optional(),
        dueAt: isoTime.optional(),
        slaHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 365)
          .optional(),
        /** From a visit's next action: title, due, grid and customer default to the visit's. */
        fromVisitId: id.optional(),
        /** From a dashboard alert: title and description say what is behind and by how much. */
        fromAlert: z.object({ indicatorCode: code, orgUnitCode: code, period: periodSchema }).strict().optional(),
      })
      .strict()
      .refine((i) => !(i.fromVisitId && i.fromAlert), { message: 'a work order comes from a visit or an alert, not both' }),
    output: out<WorkOrderRow>(),
  },
  'workOrders.update': {
    input: z
      .object({
        id,
        patch: z
          .object({
            title: z.string().trim().min(1).max(200),
            description: z.string().max(5000).nullable(),
            assigneeUserId: id.nullable(),
            dueAt: isoTime,
            slaHours: z
              .number()
              .int()
              .min(1)
              .max(24 * 365)
              .nullable(),
            status: z.enum(workOrderStatuses),
          })
          .partial()
          .strict()
          .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' }),
      })
      .strict(),
    output: out<WorkOrderRow>(),
  },
  'analysis.group': {
    input: z.object({ ...regionQuery, indicatorCode: code, by: z.enum(['center', 'kind', 'size']) }).strict(),
    output: out<{ by: 'center' | 'kind' | 'size'; groups: GroupStat[] }>(),
  },
  'analysis.compare': {
    input: z.object({ ...regionQuery, indicatorCode: code, focus: code.optional() }).strict(),
    output: out<{ median: number | null; peers: PeerRow[]; focus: PeerRow | null }>(),
  },
  'analysis.trend': {
    input: z.object({ orgUnitCode: code, indicatorCode: code, from: monthSchema.optional(), to: monthSchema.optional() }).strict(),
    output: out<{ points: TrendPoint[] }>(),
  },
  'analysis.anomalies': {
    input: z.object({ ...regionQuery, indicatorCode: code.optional(), threshold: z.number().min(1).max(10).default(3.5) }).strict(),
    output: out<{ threshold: number; anomalies: Anomaly[] }>(),
  },
  'analysis.correlation': {
    input: z
      .object({
        region: code,
        x: code,
        y: code,
        from: monthSchema,
        to: monthSchema.optional(),
        measure: z.enum(['actual', 'completion']).default('completion'),
      })
      .strict(),
    output: out<Correlation & { points: ScatterPoint[] }>(),
  },
  'analysis.boston': {
    input: z.object({ region: code, asOf: day.optional(), growthSplit: z.number().min(-1).max(10).default(0.1) }).strict(),
    output: out<{ shareSplit: number; growthSplit: number; items: BostonItem[] }>(),
  },
  'analysis.pareto': {
    input: z.object({ region: code, limit: z.number().int().min(1).max(5000).default(200) }).strict(),
    output: out<{ total: number; customers: number; top20Share: number; itemsFor80: number; itemShareFor80: number; items: ParetoCustomer[] }>(),
  },
  'analysis.funnel': {
    input: z.object({ region: code }).strict(),
    output: out<{ steps: FunnelStep<FunnelStage>[]; overall: number | null }>(),
  },
} as const
