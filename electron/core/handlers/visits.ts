// Visits (拜访): plan a day's route, keep the form as a draft while it is typed, complete it in
// one transaction (visit, co-visitors, products, objections, photos, rival news → intel, next
// action → work order, funnel move), the objection library, who to see next, the funnel.
import { v7 as uuidv7 } from 'uuid'
import { funnel } from '../../../shared/analysis'
import {
  VISIT_CORRECTION_DAYS,
  type DayPlan,
  type FunnelReport,
  type FunnelStageFlow,
  type NextUpReason,
  type NextUpRow,
  type VisitCompleteResult,
  type VisitDetail,
  type VisitDraft,
} from '../../../shared/api/visits'
import { dueDayOf } from '../../../shared/dates'
import { funnelStages, type FunnelStage } from '../../../shared/domain'
import { AppError, type Issue } from '../../../shared/errors'
import { haversineM, pathLengthM, planRoute } from '../../../shared/route'
import type { HandlerContext } from '../context'
import { deleteSynced, insertSynced, updateSynced } from '../db/repos/changes'
import {
  freshIntelKept,
  funnelFacts,
  gridExists,
  listObjections,
  listVisits,
  objectionById,
  objectionCodes,
  objectionCodeTaken,
  overdueVisitWorkOrders,
  rankingBounds,
  rankingCustomers,
  type RankingCustomer,
  targetFacts,
  visitChildIds,
  visitDetail,
  visitHistory,
  visitStatus,
  visitTargets,
  type TargetFacts,
  type VisitChildTable,
} from '../db/repos/visits'
import { unitManager } from '../db/repos/workOrders'
import { openPlannedVisitsOf } from '../db/repos/dayPlans'
import { dayPlanHandlers, loadDayPlan, saveDayPlan } from './dayPlans'
import { localToday } from '../indicators/measures'
import { blobExists, listDrafts, MAX_DRAFT_BYTES, mimeOf, removeDraft, storeBlob, writeDraft } from '../visits/files'
import { followUpOrder } from '../visits/followUp'
import type { HandlerTable } from './table'
import { endOfLocalDay } from './workOrders'

const DAY_MS = 86_400_000
const km = (m: number) => Math.round(m / 10) / 100

/** Issue messages are codes the UI translates (`visits.err.<code>`); the English is in the error's message. */
function invalid(issues: Issue[]): never {
  throw new AppError('VALIDATION', issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), { issues })
}

function getVisit(ctx: HandlerContext, id: string): VisitDetail {
  const v = visitDetail(ctx.db, id)
  if (!v) throw new AppError('NOT_FOUND', `visit ${id} not found`, { details: { id } })
  const { targetLon, targetLat, ...rest } = v
  const distanceM =
    v.checkInLon !== null && v.checkInLat !== null && targetLon !== null && targetLat !== null
      ? Math.round(haversineM({ lon: v.checkInLon, lat: v.checkInLat }, { lon: targetLon, lat: targetLat }))
      : null
  return { ...rest, distanceM }
}

function plan(ctx: HandlerContext, input: Parameters<HandlerTable['visits.plan']>[1]): DayPlan {
  const issues: Issue[] = []
  const facts: TargetFacts[] = []
  input.targets.forEach((t, i) => {
    const f = targetFacts(ctx.db, t.kind, t.id)
    if (!f) issues.push({ path: ['targets', i, 'id'], message: 'unknownTarget' })
    else facts.push(f)
  })
  if (issues.length) invalid(issues)
  const unique = [...new Map(facts.map((f) => [`${f.kind}:${f.id}`, f])).values()]
  const placed = unique.filter((f) => f.lon !== null && f.lat !== null) as (TargetFacts & { lon: number; lat: number })[]
  const unplaced = unique.filter((f) => f.lon === null || f.lat === null).map((f) => ({ kind: f.kind, id: f.id, name: f.name }))
  const start = input.start ?? null
  const order = planRoute(start, placed)
  let cumulative = 0
  let previous: { lon: number; lat: number } | null = start
  const stops = order.map((i, seq) => {
    const f = placed[i]!
    const leg = previous ? haversineM(previous, f) : 0
    cumulative += leg
    previous = f
    return { seq: seq + 1, kind: f.kind, id: f.id, name: f.name, lon: f.lon, lat: f.lat, legKm: km(leg), cumulativeKm: km(cumulative) }
  })
  const base = { date: input.date, gridId: input.gridId ?? null, start, startName: start ? (input.startName ?? null) : null }
  if (input.save && input.gridId) {
    const gridId = input.gridId
    // Saved in the suggested order; the plan keeps that order when it is opened again.
    const ordered = [...order.map((i) => placed[i]!), ...unique.filter((u) => u.lon === null || u.lat === null)]
    ctx.db.transaction((tx) => saveDayPlan(tx, ctx, { gridId, date: input.date, start, startName: input.startName ?? null, targets: ordered }))
    const saved = loadDayPlan(ctx, gridId, input.date)!
    return {
      ...saved,
      pickedOrderKm: km(
        pathLengthM(
          start,
          placed,
          placed.map((_, i) => i),
        ),
      ),
    }
  }
  return {
    ...base,
    planId: null,
    stops,
    unplaced,
    totalKm: km(pathLengthM(start, placed, order)),
    pickedOrderKm: km(
      pathLengthM(
        start,
        placed,
        placed.map((_, i) => i),
      ),
    ),
    plannedVisitIds: [],
  }
}

function complete(ctx: HandlerContext, input: Parameters<HandlerTable['visits.complete']>[1]): VisitCompleteResult {
  const issues: Issue[] = []
  const target = targetFacts(ctx.db, input.target.kind, input.target.id)
  if (!target) issues.push({ path: ['target', 'id'], message: 'unknownTarget' })
  let existing = input.id ? visitStatus(ctx.db, input.id) : undefined
  if (existing && existing.status !== 'planned') issues.push({ path: ['id'], message: 'alreadyDone' })
  const now = Date.parse(ctx.change.now())
  const checkedInAt = new Date(input.checkIn.at).toISOString()
  if (Date.parse(checkedInAt) > now + 10 * 60_000) issues.push({ path: ['checkIn', 'at'], message: 'inFuture' })
  const codes = objectionCodes(ctx.db)
  input.objections.forEach((o, i) => {
    if (!codes.has(o.code)) issues.push({ path: ['objections', i, 'code'], message: 'unknownObjection' })
  })
  const seenCodes = new Set<string>()
  input.objections.forEach((o, i) => {
    if (seenCodes.has(o.code)) issues.push({ path: ['objections', i, 'code'], message: 'duplicateObjection' })
    seenCodes.add(o.code)
  })
  const visitDay = localToday(new Date(checkedInAt))
  if (input.nextAction && input.nextAction.due < visitDay) issues.push({ path: ['nextAction', 'due'], message: 'dueBeforeVisit' })
  if (input.funnelTo && input.target.kind !== 'customer') issues.push({ path: ['funnelTo'], message: 'funnelNeedsCustomer' })
  if (input.rivalNews?.validTo && input.rivalNews.validTo < visitDay) issues.push({ path: ['rivalNews', 'validTo'], message: 'validToBeforeVisit' })
  input.photos.forEach((p, i) => {
    if (!blobExists(ctx.dataDir, p.sha256)) issues.push({ path: ['photos', i], message: 'photoMissing' })
  })
  if (issues.length || !target) invalid(issues)

  const point = input.checkIn.source === 'none' ? null : { lon: input.checkIn.lon!, lat: input.checkIn.lat! }
  const distanceM = point && target.lon !== null && target.lat !== null ? haversineM(point, { lon: target.lon, lat: target.lat }) : null
  const byUserId = target.gridId ? unitManager(ctx.db, target.gridId) : null
  // A visit to a planned target completes its planned visit (the one planned for the visit's day
  // or the latest before it); older open ones for the same target are closed as cancelled.
  let id = input.id ?? uuidv7()
  const open = existing ? [] : openPlannedVisitsOf(ctx.db, input.target.kind, input.target.id, visitDay)
  const draftId = input.id
  if (open[0]) {
    id = open[0].id
    existing = { status: 'planned' }
  }
  let intelId: string | null = null
  let workOrderId: string | null = null

  ctx.db.transaction((tx) => {
    const visit = {
      status: 'done' as const,
      targetKind: target.kind === 'customer' ? (target.category === 'group' ? 'group' : 'customer') : 'village',
      villageId: target.villageId,
      customerId: target.customerId,
      gridId: target.gridId,
      checkedInAt,
      checkInLon: point?.lon ?? null,
      checkInLat: point?.lat ?? null,
      checkInSource: input.checkIn.source,
      purpose: input.purpose,
      outcome: input.outcome,
      nextAction: input.nextAction?.action ?? null,
      nextActionDue: input.nextAction?.due ?? null,
      byUserId,
    }
    if (existing) updateSynced(tx, ctx.change, 'visits', id, visit)
    else insertSynced(tx, ctx.change, 'visits', { id, ...visit })
    for (const stale of open.slice(1)) updateSynced(tx, ctx.change, 'visits', stale.id, { status: 'cancelled' })
    for (const p of input.participants) insertSynced(tx, ctx.change, 'visit_participants', { visitId: id, userId: null, name: p.name, role: p.role })
    for (const p of input.products)
      insertSynced(tx, ctx.change, 'visit_products', { visitId: id, product: p.product, outcome: p.outcome, quantity: p.quantity })
    for (const o of input.objections)
      insertSynced(tx, ctx.change, 'visit_objections', {
        visitId: id,
        objectionCode: o.code,
        detail: o.detail ?? null,
        answer: o.answer ?? null,
        answerWorked: o.worked ?? null,
      })
    for (const p of input.photos)
      insertSynced(tx, ctx.change, 'attachments', {
        ownerTable: 'visits',
        ownerId: id,
        fileName: p.fileName,
        sha256: p.sha256,
        mime: p.mime,
        bytes: p.bytes,
        thumbSha256: p.thumbSha256 ?? null,
      })
    if (input.rivalNews) {
      const n = input.rivalNews
      intelId = insertSynced(tx, ctx.change, 'competitor_intel', {
        rival: n.rival,
        kind: n.kind,
        title: n.title,
        description: n.description ?? null,
        villageId: target.villageId,
        gridId: target.gridId,
        lon: point?.lon ?? target.lon,
        lat: point?.lat ?? target.lat,
        seenAt: checkedInAt,
        validFrom: visitDay,
        validTo: n.validTo ?? null,
        source: 'visit',
        reliability: 3,
        monthlyFee: n.monthlyFee ?? null,
        dataGb: n.dataGb ?? null,
        voiceMinutes: n.voiceMinutes ?? null,
        broadbandMbps: n.broadbandMbps ?? null,
        contractMonths: n.contractMonths ?? null,
        deviceSubsidy: n.deviceSubsidy ?? null,
        threatLevel: n.threatLevel ?? null,
        suggestedResponse: null,
        fromVisitId: id,
        createdBy: byUserId,
      })
    }
    if (input.nextAction) {
      // The same row workOrders.create makes from a visit: origin 'visit', due at the end of that day.
      workOrderId = insertSynced(tx, ctx.change, 'work_orders', {
        ...followUpOrder({ purpose: input.purpose, outcome: input.outcome, targetName: target.name, nextAction: input.nextAction.action }),
        orgUnitId: target.gridId,
        customerId: target.customerId,
        visitId: id,
        origin: 'visit',
        assigneeUserId: byUserId,
        dueAt: endOfLocalDay(input.nextAction.due, input.timeZone),
        slaHours: null,
        status: 'open',
        closedAt: null,
      })
    }
    if (target.customerId) {
      const patch: Record<string, unknown> = { nextFollowUp: input.nextAction?.due ?? null }
      if (input.funnelTo && input.funnelTo !== target.funnelStage) {
        insertSynced(tx, ctx.change, 'funnel_moves', {
          customerId: target.customerId,
          fromStage: target.funnelStage,
          toStage: input.funnelTo,
          movedAt: checkedInAt,
          byUserId,
        })
        patch.funnelStage = input.funnelTo
      }
      updateSynced(tx, ctx.change, 'key_customers', target.customerId, patch)
    }
  })
  // The draft has become the visit; a draft file left behind by a failed delete would only reappear as a draft.
  removeDraft(ctx.dataDir, id)
  if (draftId && draftId !== id) removeDraft(ctx.dataDir, draftId)
  return { visit: getVisit(ctx, id), farFromTarget: distanceM !== null && distanceM > input.radiusM, intelId, workOrderId }
}

// ---- Correction of a recent visit, and its history.

function correct(ctx: HandlerContext, input: Parameters<HandlerTable['visits.correct']>[1]): VisitDetail {
  const visit = getVisit(ctx, input.id)
  const issues: Issue[] = []
  const p = input.patch
  if (visit.status !== 'done' || !visit.checkedInAt) issues.push({ path: ['id'], message: 'notDone' })
  else if (Date.parse(ctx.change.now()) - Date.parse(visit.checkedInAt) > VISIT_CORRECTION_DAYS * DAY_MS)
    issues.push({ path: ['id'], message: 'tooOldToCorrect' })
  const visitDay = visit.checkedInAt ? localToday(new Date(visit.checkedInAt)) : localToday()
  if (p.nextAction && p.nextAction.due < visitDay) issues.push({ path: ['patch', 'nextAction', 'due'], message: 'dueBeforeVisit' })
  if (p.objections) {
    const codes = objectionCodes(ctx.db)
    const seen = new Set<string>()
    p.objections.forEach((o, i) => {
      if (!codes.has(o.code)) issues.push({ path: ['patch', 'objections', i, 'code'], message: 'unknownObjection' })
      if (seen.has(o.code)) issues.push({ path: ['patch', 'objections', i, 'code'], message: 'duplicateObjection' })
      seen.add(o.code)
    })
  }
  if (issues.length) invalid(issues)
  const id = input.id
  const childIds = (table: VisitChildTable) => visitChildIds(ctx.db, table, id)
  ctx.db.transaction((tx) => {
    const fields: Record<string, unknown> = {}
    if (p.purpose !== undefined) fields.purpose = p.purpose
    if (p.outcome !== undefined) fields.outcome = p.outcome
    if (p.nextAction !== undefined) {
      fields.nextAction = p.nextAction?.action ?? null
      fields.nextActionDue = p.nextAction?.due ?? null
    }
    if (Object.keys(fields).length) updateSynced(tx, ctx.change, 'visits', id, fields)
    if (p.participants) {
      for (const c of childIds('visit_participants')) deleteSynced(tx, ctx.change, 'visit_participants', c)
      for (const x of p.participants) insertSynced(tx, ctx.change, 'visit_participants', { visitId: id, userId: null, name: x.name, role: x.role })
    }
    if (p.products) {
      for (const c of childIds('visit_products')) deleteSynced(tx, ctx.change, 'visit_products', c)
      for (const x of p.products)
        insertSynced(tx, ctx.change, 'visit_products', { visitId: id, product: x.product, outcome: x.outcome, quantity: x.quantity ?? 1 })
    }
    if (p.objections) {
      for (const c of childIds('visit_objections')) deleteSynced(tx, ctx.change, 'visit_objections', c)
      for (const o of p.objections)
        insertSynced(tx, ctx.change, 'visit_objections', {
          visitId: id,
          objectionCode: o.code,
          detail: o.detail ?? null,
          answer: o.answer ?? null,
          answerWorked: o.worked ?? null,
        })
    }
    if (p.nextAction !== undefined) {
      // The follow-up work order follows the next action: retitled and re-dated, cancelled when it is cleared.
      const order = visit.workOrders.find((w) => w.status === 'open' || w.status === 'in_progress')
      if (order && p.nextAction)
        updateSynced(tx, ctx.change, 'work_orders', order.id, { title: p.nextAction.action, dueAt: endOfLocalDay(p.nextAction.due, input.timeZone) })
      else if (order) updateSynced(tx, ctx.change, 'work_orders', order.id, { status: 'cancelled', closedAt: ctx.change.now() })
      else if (p.nextAction)
        insertSynced(tx, ctx.change, 'work_orders', {
          ...followUpOrder({
            purpose: p.purpose ?? visit.purpose,
            outcome: p.outcome ?? visit.outcome,
            targetName: visit.customerName ?? visit.villageName,
            nextAction: p.nextAction.action,
          }),
          orgUnitId: visit.gridId,
          customerId: visit.customerId,
          visitId: id,
          origin: 'visit',
          assigneeUserId: visit.gridId ? unitManager(tx, visit.gridId) : null,
          dueAt: endOfLocalDay(p.nextAction.due, input.timeZone),
          slaHours: null,
          status: 'open',
          closedAt: null,
        })
      if (visit.customerId) updateSynced(tx, ctx.change, 'key_customers', visit.customerId, { nextFollowUp: p.nextAction?.due ?? null })
    }
  })
  return getVisit(ctx, id)
}

// ---- Who to see next.

const WEIGHTS = { a_tier_stale: 30, contract_expiring: 25, rival_intel_near: 15, follow_up_overdue: 20, work_order_overdue: 25 } as const

/**
 * The ranking's rule for one grid as of a day: `score` weighs one customer (null: no reason to
 * see them), `days` are the dates the reasons are counted against, `overdueCustomers` those with
 * a late work order, and `intelMost` the most points rival intel can add to anyone.
 */
export function nextUpRule(ctx: HandlerContext, gridId: string, asOf: string) {
  const asOfMs = Date.parse(`${asOf}T12:00:00`)
  const staleBefore = new Date(asOfMs - 30 * DAY_MS).toISOString()
  const expiryHorizon = localToday(new Date(asOfMs + 60 * DAY_MS))
  const intel = freshIntelKept(ctx.db, new Date(asOfMs - 14 * DAY_MS).toISOString().slice(0, 10)).filter((i) => i.seenAt.slice(0, 10) <= asOf)
  const intelByVillage = new Map<string, typeof intel>()
  // Cells of 0.012° × 0.01° (over 1 km each way at these latitudes): a 1 km search looks at the 3 × 3 around a customer.
  const cellOf = (lon: number, lat: number) => [Math.floor(lon / 0.012), Math.floor(lat / 0.01)] as const
  const intelByCell = new Map<string, typeof intel>()
  const push = <K>(map: Map<K, typeof intel>, key: K, i: (typeof intel)[number]) => {
    const list = map.get(key)
    if (list) list.push(i)
    else map.set(key, [i])
  }
  for (const i of intel) {
    if (i.villageId) push(intelByVillage, i.villageId, i)
    if (i.lon !== null && i.lat !== null) push(intelByCell, cellOf(i.lon, i.lat).join(':'), i)
  }
  const intelMost = Math.max(0, ...intel.map((i) => WEIGHTS.rival_intel_near + (i.threatLevel ?? 3) * 3))
  const overdue = new Map<string, { title: string; dueAt: string }[]>()
  for (const w of overdueVisitWorkOrders(ctx.db, gridId, new Date(Math.min(asOfMs, Date.parse(ctx.change.now()))).toISOString()))
    overdue.set(w.customerId, [...(overdue.get(w.customerId) ?? []), w])
  const daysBetween = (a: string, b: string) => Math.round((Date.parse(b.slice(0, 10)) - Date.parse(a.slice(0, 10))) / DAY_MS)

  const score = (c: RankingCustomer): NextUpRow | null => {
    const reasons: NextUpRow['reasons'] = []
    let score = 0
    const add = (code: NextUpReason, points: number, params: Record<string, string | number | null>) => {
      reasons.push({ code, params })
      score += points
    }
    if (c.tier === 'A' && (!c.lastVisitAt || c.lastVisitAt < staleBefore)) {
      const days = c.lastVisitAt ? daysBetween(c.lastVisitAt, asOf) : null
      add('a_tier_stale', WEIGHTS.a_tier_stale + (days === null ? 30 : Math.min(30, (days - 30) / 2)), { days, lastVisitAt: c.lastVisitAt })
    }
    if (c.contractExpiry && c.contractExpiry >= asOf && c.contractExpiry <= expiryHorizon) {
      const days = daysBetween(asOf, c.contractExpiry)
      add('contract_expiring', WEIGHTS.contract_expiring + (60 - days) / 3, { date: c.contractExpiry, days })
    }
    // Fresh rival intel in the same village or within 1 km: the strongest one speaks for the rest.
    let near: { rival: string; title: string; km: number; threat: number } | null = null
    const consider = (i: (typeof intel)[number], metres: number) => {
      const threat = i.threatLevel ?? 3
      if (!near || threat > near.threat || (threat === near.threat && metres / 1000 < near.km))
        near = { rival: i.rival, title: i.title, km: Math.round(metres / 100) / 10, threat }
    }
    if (c.villageId)
      for (const i of intelByVillage.get(c.villageId) ?? [])
        consider(
          i,
          c.lon !== null && c.lat !== null && i.lon !== null && i.lat !== null
            ? haversineM(c as { lon: number; lat: number }, i as { lon: number; lat: number })
            : 0,
        )
    if (c.lon !== null && c.lat !== null) {
      const [x, y] = cellOf(c.lon, c.lat)
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++)
          for (const i of intelByCell.get(`${x + dx}:${y + dy}`) ?? []) {
            if (i.villageId === c.villageId) continue
            const metres = haversineM(c as { lon: number; lat: number }, i as { lon: number; lat: number })
            if (metres <= 1000) consider(i, metres)
          }
    }
    if (near) {
      const n = near as { rival: string; title: string; km: number; threat: number }
      add('rival_intel_near', WEIGHTS.rival_intel_near + n.threat * 3, { rival: n.rival, title: n.title, km: n.km })
    }
    if (c.nextFollowUp && c.nextFollowUp < asOf) {
      const days = daysBetween(c.nextFollowUp, asOf)
      add('follow_up_overdue', WEIGHTS.follow_up_overdue + Math.min(20, days), { date: c.nextFollowUp, days })
    }
    const late = overdue.get(c.id)
    if (late)
      add('work_order_overdue', WEIGHTS.work_order_overdue + 5 * (late.length - 1), {
        title: late[0]!.title,
        due: dueDayOf(late[0]!.dueAt),
        count: late.length,
      })
    if (reasons.length === 0) return null
    // Influence (1–5) tips ties towards the people who sway a village.
    score = Math.round((score + 2 * (c.influence ?? 1)) * 10) / 10
    return {
      customerId: c.id,
      name: c.name,
      role: c.role,
      organisation: c.organisation,
      villageName: c.villageName,
      tier: c.tier,
      influence: c.influence,
      funnelStage: c.funnelStage,
      lastVisitAt: c.lastVisitAt,
      score,
      reasons,
    }
  }
  return { score, days: { asOf, staleBefore, expiryHorizon }, overdueCustomers: [...overdue.keys()], intelMost }
}

/** Highest score first, then by name (one collator for the whole sort: localeCompare builds one per call). */
export function byNextUpRank(): (a: NextUpRow, b: NextUpRow) => number {
  const byName = new Intl.Collator().compare
  return (a, b) => b.score - a.score || byName(a.name, b.name)
}

/**
 * Who to see next in a grid: the customers with the highest scores. Only those who can reach the
 * top are read and weighed: the `limit` with the highest bound from the kept inputs
 * (repos/visits.ts rankingBounds) and those with a late work order give a score the list's last
 * place reaches at least; then every customer whose bound plus the most rival intel can add comes
 * within a point of it. Everyone else scores lower than that place, so the list is the one
 * weighing every customer gives (handlers/visits.test.ts checks it against that).
 */
export function rankNextUp(ctx: HandlerContext, gridId: string, asOf: string, limit: number): NextUpRow[] {
  const rule = nextUpRule(ctx, gridId, asOf)
  const weighed = new Map<string, NextUpRow | null>()
  const weigh = (ids: string[]) => {
    const fresh = ids.filter((id) => !weighed.has(id))
    if (fresh.length > 0) for (const c of rankingCustomers(ctx.db, gridId, fresh)) weighed.set(c.id, rule.score(c))
  }
  weigh([...rankingBounds(ctx.db, gridId, rule.days, { top: limit }), ...rule.overdueCustomers])
  const scores = [...weighed.values()].flatMap((r) => (r ? [r.score] : [])).sort((a, b) => b - a)
  const last = scores.length >= limit ? scores[limit - 1]! : -Infinity
  weigh(rankingBounds(ctx.db, gridId, rule.days, { atLeast: last - rule.intelMost - 1 }))
  return [...weighed.values()]
    .filter((r): r is NextUpRow => r !== null)
    .sort(byNextUpRank())
    .slice(0, limit)
}

// ---- Funnel over a period.

function funnelReport(ctx: HandlerContext, input: { gridId?: string; from: string; to: string }): FunnelReport {
  const toExclusive = new Date(Date.parse(`${input.to}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10)
  const facts = funnelFacts(ctx.db, { gridId: input.gridId, from: input.from, toExclusive })
  const rank = (s: FunnelStage) => funnelStages.indexOf(s)
  // The snapshot (analysis.funnel's logic): customers at each stage now.
  const snapshot = funnel(
    funnelStages,
    facts.current.flatMap((r) => Array<FunnelStage>(r.n).fill(r.stage)),
  )
  const startOf = new Map(facts.atStart.map((r) => [r.customerId, r.stage]))
  const pathOf = new Map<string, FunnelStage[]>()
  for (const m of facts.moves) {
    if (!pathOf.has(m.customerId)) pathOf.set(m.customerId, startOf.has(m.customerId) ? [startOf.get(m.customerId)!] : [])
    pathOf.get(m.customerId)!.push(m.toStage)
  }
  const wasAt = new Map(funnelStages.map((s) => [s, new Set<string>()]))
  const entered = new Map(funnelStages.map((s) => [s, new Set<string>()]))
  const movedOn = new Map(funnelStages.map((s) => [s, new Set<string>()]))
  for (const [customerId, stage] of startOf) wasAt.get(stage)!.add(customerId)
  for (const [customerId, path] of pathOf) {
    const firstMove = startOf.has(customerId) ? 1 : 0
    path.forEach((stage, i) => {
      wasAt.get(stage)!.add(customerId)
      if (i >= firstMove) entered.get(stage)!.add(customerId)
      if (i > 0 && rank(stage) > rank(path[i - 1]!)) movedOn.get(path[i - 1]!)!.add(customerId)
    })
  }
  const atStartCount = (s: FunnelStage) => facts.atStart.filter((r) => r.stage === s).length
  const stages: FunnelStageFlow[] = funnelStages.map((stage, i) => {
    const was = wasAt.get(stage)!.size
    const last = i === funnelStages.length - 1
    return {
      stage,
      current: snapshot[i]!.current,
      atStart: atStartCount(stage),
      entered: entered.get(stage)!.size,
      movedOn: last ? 0 : movedOn.get(stage)!.size,
      conversion: last || was === 0 ? null : movedOn.get(stage)!.size / was,
    }
  })
  const beforeWon = new Set(funnelStages.filter((s) => rank(s) < rank('won')).flatMap((s) => [...wasAt.get(s)!]))
  const reachedWon = [...entered.get('won')!].filter((c) => beforeWon.has(c)).length
  return {
    gridId: input.gridId ?? null,
    from: input.from,
    to: input.to,
    stages,
    moves: facts.moves.length,
    overall: beforeWon.size ? reachedWon / beforeWon.size : null,
  }
}

export const visitHandlers = {
  'visits.targets': (ctx, input) => {
    if (!gridExists(ctx.db, input.gridId))
      throw new AppError('NOT_FOUND', `grid ${input.gridId} not found`, { issues: [{ path: ['gridId'], message: 'unknownGrid' }] })
    return visitTargets(ctx.db, input)
  },
  'visits.plan': (ctx, input) => plan(ctx, input),
  'visits.saveDraft': (ctx, input) => {
    const draft: VisitDraft = { id: input.id ?? uuidv7(), savedAt: ctx.change.now(), form: input.form, label: input.label ?? null }
    if (Buffer.byteLength(JSON.stringify(draft)) > MAX_DRAFT_BYTES) invalid([{ path: ['form'], message: 'draftTooLarge' }])
    if (input.id && visitStatus(ctx.db, input.id)?.status === 'done') invalid([{ path: ['id'], message: 'alreadyDone' }])
    writeDraft(ctx.dataDir, draft)
    return draft
  },
  'visits.drafts': (ctx) => listDrafts(ctx.dataDir),
  'visits.discardDraft': (ctx, input) => ({ discarded: removeDraft(ctx.dataDir, input.id) }),
  'visits.addPhoto': (ctx, input) => {
    const mime = mimeOf(input.fileName)
    if (!mime) invalid([{ path: ['fileName'], message: 'photoType' }])
    const bytes = Buffer.from(input.base64, 'base64')
    if (bytes.length === 0) invalid([{ path: ['base64'], message: 'photoEmpty' }])
    if (bytes.length > 10 * 1024 * 1024) invalid([{ path: ['base64'], message: 'photoTooLarge' }])
    const sha256 = storeBlob(ctx.dataDir, bytes)
    // The thumbnail comes from the renderer (a canvas scales it; no native image library here).
    const thumbSha256 = input.thumbBase64 ? storeBlob(ctx.dataDir, Buffer.from(input.thumbBase64, 'base64')) : undefined
    return { sha256, fileName: input.fileName, mime: mime!, bytes: bytes.length, ...(thumbSha256 ? { thumbSha256 } : {}) }
  },
  'visits.get': (ctx, input) => getVisit(ctx, input.id),
  'visits.complete': (ctx, input) => complete(ctx, input),
  'visits.correct': (ctx, input) => correct(ctx, input),
  'visits.history': (ctx, input) => {
    getVisit(ctx, input.id)
    return visitHistory(ctx.db, input.id, input.limit)
  },
  ...dayPlanHandlers,
  'visits.list': (ctx, input) => listVisits(ctx.db, input),
  'visits.nextUp': (ctx, input) => {
    if (!gridExists(ctx.db, input.gridId))
      throw new AppError('NOT_FOUND', `grid ${input.gridId} not found`, { issues: [{ path: ['gridId'], message: 'unknownGrid' }] })
    return rankNextUp(ctx, input.gridId, input.asOf ?? localToday(), input.limit)
  },
  'objections.list': (ctx) => listObjections(ctx.db),
  'objections.create': (ctx, input) => {
    if (objectionCodeTaken(ctx.db, input.code)) invalid([{ path: ['code'], message: 'codeTaken' }])
    const id = ctx.db.transaction((tx) =>
      insertSynced(tx, ctx.change, 'objections', {
        code: input.code,
        nameZh: input.nameZh,
        nameEn: input.nameEn,
        suggestedAnswer: input.suggestedAnswer ?? null,
      }),
    )
    return objectionById(ctx.db, id)!
  },
  'objections.update': (ctx, input) => {
    if (!objectionById(ctx.db, input.id)) throw new AppError('NOT_FOUND', `objection ${input.id} not found`, { details: { id: input.id } })
    ctx.db.transaction((tx) => updateSynced(tx, ctx.change, 'objections', input.id, input.patch))
    return objectionById(ctx.db, input.id)!
  },
  'funnel.get': (ctx, input) => {
    if (input.gridId && !gridExists(ctx.db, input.gridId))
      throw new AppError('NOT_FOUND', `grid ${input.gridId} not found`, { issues: [{ path: ['gridId'], message: 'unknownGrid' }] })
    return funnelReport(ctx, input)
  },
} satisfies Partial<HandlerTable>
