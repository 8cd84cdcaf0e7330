// 时间进度 traffic lights (docs/glossary.md): completion of a target measured against the share
// of the period already elapsed. Pure functions shared by the core (dashboards, reports) and UI.

export type Direction = 'higher_better' | 'lower_better'
export type Light = 'green' | 'yellow' | 'red' | 'none'

export interface PeriodRange {
  /** First day, YYYY-MM-DD. */
  start: string
  /** Last day, YYYY-MM-DD (inclusive). */
  end: string
  days: number
}

const DAY = 86_400_000

/** Parses '2026-10' (month), '2026-Q3' (quarter) or '2026' (year). */
export function periodRange(period: string): PeriodRange {
  let m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period)
  let startMs: number, endMs: number
  if (m) {
    const [y, mo] = [Number(m[1]), Number(m[2])]
    startMs = Date.UTC(y, mo - 1, 1)
    endMs = Date.UTC(y, mo, 1) - DAY
  } else if ((m = /^(\d{4})-Q([1-4])$/.exec(period))) {
    const [y, q] = [Number(m[1]), Number(m[2])]
    startMs = Date.UTC(y, (q - 1) * 3, 1)
    endMs = Date.UTC(y, q * 3, 1) - DAY
  } else if ((m = /^(\d{4})$/.exec(period))) {
    const y = Number(m[1])
    startMs = Date.UTC(y, 0, 1)
    endMs = Date.UTC(y + 1, 0, 1) - DAY
  } else throw new RangeError(`not a period: ${period} (expected 2026-10, 2026-Q3 or 2026)`)
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)
  return { start: iso(startMs), end: iso(endMs), days: Math.round((endMs - startMs) / DAY) + 1 }
}

/**
 * Share of the period elapsed on `asOf` (YYYY-MM-DD), counting asOf itself as elapsed: 1/31 on
 * the first day of October, 1 on its last day; 0 before the period, 1 after it.
 */
export function timeProgress(period: string, asOf: string): number {
  const range = periodRange(period)
  if (asOf < range.start) return 0
  if (asOf > range.end) return 1
  const elapsed = Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${range.start}T00:00:00Z`)) / DAY) + 1
  return elapsed / range.days
}

export interface Thresholds {
  /** Below this gap (percentage points, negative) the light turns yellow, e.g. -5. */
  yellowBelowPp: number
  /** Below this gap the light turns red, e.g. -15. */
  redBelowPp: number
}

export interface KpiStatus {
  /** actual / target; null when there is no target to measure against. */
  completion: number | null
  timeProgress: number
  /** How far ahead (+) or behind (−) of the calendar, in percentage points, direction aware. */
  gapPp: number | null
  light: Light
}

/**
 * The traffic light. More-is-better: on pace when completion ≥ time progress. Less-is-better
 * (churn, complaints): the target is a ceiling, on pace while the share used ≤ time progress.
 * A zero target: more-is-better is met by anything; less-is-better only by zero.
 */
export function kpiStatus(actual: number, target: number | null, direction: Direction, progress: number, t: Thresholds): KpiStatus {
  if (target === null || !Number.isFinite(target) || target < 0) return { completion: null, timeProgress: progress, gapPp: null, light: 'none' }
  if (target === 0) {
    const met = direction === 'higher_better' ? actual >= 0 : actual <= 0
    return { completion: null, timeProgress: progress, gapPp: null, light: met ? 'green' : 'red' }
  }
  const completion = actual / target
  const gapPp = round2((direction === 'higher_better' ? completion - progress : progress - completion) * 100)
  const light: Light = gapPp >= t.yellowBelowPp ? 'green' : gapPp >= t.redBelowPp ? 'yellow' : 'red'
  return { completion, timeProgress: progress, gapPp, light }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}

export interface DueStatus {
  light: Light
  /** Hours until the due time; negative once overdue. */
  hoursLeft: number
  overdue: boolean
}

/**
 * The same traffic light on a work order's time left (工单 SLA): red once overdue, yellow in the
 * last quarter of its SLA window (the last 24 hours when it has no SLA), green before that;
 * 'none' once it is done or cancelled, since a closed order is no longer at risk.
 */
export function dueStatus(nowMs: number, dueAt: string, slaHours: number | null, closed: boolean): DueStatus {
  const msLeft = Date.parse(dueAt) - nowMs
  const hoursLeft = round2(msLeft / 3_600_000)
  const overdue = !closed && msLeft < 0
  if (closed) return { light: 'none', hoursLeft, overdue }
  const warnMs = (slaHours && slaHours > 0 ? slaHours / 4 : 24) * 3_600_000
  return { light: overdue ? 'red' : msLeft <= warnMs ? 'yellow' : 'green', hoursLeft, overdue }
}

/**
 * Completion as a person reads it, direction aware: actual ÷ target when more is better; for a
 * less-is-better indicator (complaints, churn) target ÷ actual, so staying under the target reads
 * as 100% or more and overshooting it as less (5.2 complaints against 4 → 76.9%, not 130%).
 */
export function shownCompletion(actual: number | null, target: number | null, direction: Direction): number | null {
  if (actual === null || target === null || target <= 0) return null
  if (direction === 'higher_better') return actual / target
  return actual <= 0 ? null : target / actual
}
