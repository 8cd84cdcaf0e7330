// Day plans (今日计划) as a real object: one live plan per grid and day with its targets in route
// order and its start; saving again replaces it (targets left out have their planned visits
// cancelled, none is doubled); targets not visited yet can be carried to another day. A plan
// syncs like other field data (day_plans through the outbox).
import type { DayPlan, PlanDateRow, VisitTargetKind } from '../../../shared/api/visits'
import { AppError } from '../../../shared/errors'
import { haversineM, pathLengthM } from '../../../shared/route'
import type { HandlerContext } from '../context'
import type { Tx } from '../db/client'
import { deleteSynced, insertSynced, updateSynced } from '../db/repos/changes'
import { dayPlanOf, otherDayPlans, planDates, plannedVisitsOf } from '../db/repos/dayPlans'
import { targetFacts, type TargetFacts } from '../db/repos/visits'
import { unitManager } from '../db/repos/workOrders'

const km = (m: number) => Math.round(m / 10) / 100
const keyOf = (t: { kind: VisitTargetKind; id: string }) => `${t.kind}:${t.id}`

export interface PlanToSave {
  gridId: string
  date: string
  start: { lon: number; lat: number } | null
  startName: string | null
  /** In the order to keep: the route first, then targets with no location. */
  targets: TargetFacts[]
}

/** Writes the grid's plan for the day, replacing the one there; returns its id. */
export function saveDayPlan(tx: Tx, ctx: HandlerContext, plan: PlanToSave): string {
  const unique = [...new Map(plan.targets.map((t) => [keyOf(t), t])).values()]
  const fields = {
    targets: JSON.stringify(unique.map((t) => ({ kind: t.kind, id: t.id }))),
    startLon: plan.start?.lon ?? null,
    startLat: plan.start?.lat ?? null,
    startName: plan.start ? plan.startName : null,
  }
  const existing = dayPlanOf(tx, plan.gridId, plan.date)
  let planId: string
  if (existing) {
    planId = existing.id
    updateSynced(tx, ctx.change, 'day_plans', planId, fields)
    // Two devices may each have saved one before a sync: the newest stays, the others go.
    for (const other of otherDayPlans(tx, plan.gridId, plan.date, planId)) deleteSynced(tx, ctx.change, 'day_plans', other)
  } else {
    planId = insertSynced(tx, ctx.change, 'day_plans', { gridId: plan.gridId, planDate: plan.date, ...fields, byUserId: unitManager(tx, plan.gridId) })
  }
  // Planned visits: one per target, whatever was saved before.
  const wanted = new Set(unique.map(keyOf))
  const seen = new Set<string>()
  for (const v of plannedVisitsOf(tx, plan.gridId, plan.date)) {
    const key = keyOf({ kind: v.kind, id: v.targetId })
    if (v.status !== 'planned') {
      seen.add(key)
      continue
    }
    if (!wanted.has(key) || seen.has(key)) updateSynced(tx, ctx.change, 'visits', v.id, { status: 'cancelled' })
    else seen.add(key)
  }
  for (const f of unique) {
    if (seen.has(keyOf(f))) continue
    insertSynced(tx, ctx.change, 'visits', {
      status: 'planned',
      targetKind: f.kind === 'customer' ? (f.category === 'group' ? 'group' : 'customer') : 'village',
      villageId: f.villageId,
      customerId: f.customerId,
      gridId: plan.gridId,
      plannedFor: plan.date,
      byUserId: unitManager(tx, plan.gridId),
    })
  }
  return planId
}

/** A route in the given order: legs from the start, totals. */
export function routeInOrder(start: { lon: number; lat: number } | null, facts: TargetFacts[]) {
  const placed = facts.filter((f) => f.lon !== null && f.lat !== null) as (TargetFacts & { lon: number; lat: number })[]
  const unplaced = facts.filter((f) => f.lon === null || f.lat === null).map((f) => ({ kind: f.kind, id: f.id, name: f.name }))
  let cumulative = 0
  let previous: { lon: number; lat: number } | null = start
  const stops = placed.map((f, i) => {
    const leg = previous ? haversineM(previous, f) : 0
    cumulative += leg
    previous = f
    return { seq: i + 1, kind: f.kind, id: f.id, name: f.name, lon: f.lon, lat: f.lat, legKm: km(leg), cumulativeKm: km(cumulative) }
  })
  return {
    stops,
    unplaced,
    totalKm: km(
      pathLengthM(
        start,
        placed,
        placed.map((_, i) => i),
      ),
    ),
  }
}

/** The saved plan of a grid and day, in its saved order, each stop with its planned visit's state. */
export function loadDayPlan(ctx: HandlerContext, gridId: string, date: string): DayPlan | null {
  const row = dayPlanOf(ctx.db, gridId, date)
  if (!row) return null
  const refs = JSON.parse(row.targets) as { kind: VisitTargetKind; id: string }[]
  const facts = refs.map((r) => targetFacts(ctx.db, r.kind, r.id)).filter((f): f is TargetFacts => f !== undefined)
  const start = row.startLon !== null && row.startLat !== null ? { lon: row.startLon, lat: row.startLat } : null
  const route = routeInOrder(start, facts)
  const visits = new Map<string, { visitId: string; visitStatus: 'planned' | 'done' }>()
  for (const v of plannedVisitsOf(ctx.db, gridId, date)) {
    const key = keyOf({ kind: v.kind, id: v.targetId })
    // A done visit speaks for the target over a planned one.
    if (v.status === 'done' || (v.status === 'planned' && !visits.has(key))) visits.set(key, { visitId: v.id, visitStatus: v.status })
  }
  const status = (t: { kind: VisitTargetKind; id: string }) => visits.get(keyOf(t)) ?? { visitId: null, visitStatus: null }
  return {
    date,
    planId: row.id,
    gridId,
    start,
    startName: row.startName,
    stops: route.stops.map((s) => ({ ...s, ...status(s) })),
    unplaced: route.unplaced.map((u) => ({ ...u, ...status(u) })),
    totalKm: route.totalKm,
    pickedOrderKm: route.totalKm,
    plannedVisitIds: [...visits.values()].map((v) => v.visitId),
  }
}

function carry(ctx: HandlerContext, gridId: string, from: string, to: string): DayPlan {
  const source = loadDayPlan(ctx, gridId, from)
  if (!source) throw new AppError('NOT_FOUND', `no plan for ${from}`, { details: { date: from }, issues: [{ path: ['from'], message: 'noPlan' }] })
  const all = [...source.stops, ...source.unplaced]
  const open = all.filter((t) => t.visitStatus !== 'done')
  const done = all.filter((t) => t.visitStatus === 'done')
  const target = loadDayPlan(ctx, gridId, to)
  const facts = (list: { kind: VisitTargetKind; id: string }[]) =>
    list.map((t) => targetFacts(ctx.db, t.kind, t.id)).filter((f): f is TargetFacts => f !== undefined)
  ctx.db.transaction((tx) => {
    const already = target ? [...target.stops, ...target.unplaced] : []
    saveDayPlan(tx, ctx, {
      gridId,
      date: to,
      start: target?.start ?? source.start,
      startName: target ? target.startName : source.startName,
      targets: facts([...already, ...open]),
    })
    saveDayPlan(tx, ctx, { gridId, date: from, start: source.start, startName: source.startName, targets: facts(done) })
  })
  return loadDayPlan(ctx, gridId, to)!
}

function addToPlan(ctx: HandlerContext, date: string, ref: { kind: VisitTargetKind; id: string }) {
  const target = targetFacts(ctx.db, ref.kind, ref.id)
  if (!target)
    throw new AppError('NOT_FOUND', `${ref.kind} ${ref.id} not found`, {
      details: { id: ref.id },
      issues: [{ path: ['target', 'id'], message: 'unknownTarget' }],
    })
  if (!target.gridId) throw new AppError('VALIDATION', 'the target is in no grid', { issues: [{ path: ['target', 'id'], message: 'noGrid' }] })
  const gridId = target.gridId
  const plan = loadDayPlan(ctx, gridId, date)
  const current = plan ? [...plan.stops, ...plan.unplaced] : []
  if (current.some((t) => t.kind === ref.kind && t.id === ref.id)) return { added: false, gridId, count: current.length }
  const facts = current.map((t) => targetFacts(ctx.db, t.kind, t.id)).filter((f): f is TargetFacts => f !== undefined)
  ctx.db.transaction((tx) =>
    saveDayPlan(tx, ctx, { gridId, date, start: plan?.start ?? null, startName: plan?.startName ?? null, targets: [...facts, target] }),
  )
  return { added: true, gridId, count: current.length + 1 }
}

export const dayPlanHandlers = {
  'dayPlans.add': (ctx: HandlerContext, input: { date: string; target: { kind: VisitTargetKind; id: string } }) => addToPlan(ctx, input.date, input.target),
  'dayPlans.get': (ctx: HandlerContext, input: { gridId: string; date: string }) => loadDayPlan(ctx, input.gridId, input.date),
  'dayPlans.dates': (ctx: HandlerContext, input: { gridId: string; from: string; limit: number }): PlanDateRow[] =>
    planDates(ctx.db, input.gridId, input.from, input.limit),
  'dayPlans.carry': (ctx: HandlerContext, input: { gridId: string; from: string; to: string }) => carry(ctx, input.gridId, input.from, input.to),
}
