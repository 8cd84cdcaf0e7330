// Work orders (工单): by hand, from a visit's next action or from a dashboard alert; the SLA
// traffic light on the time left and the overdue list.
import type { WorkOrderRow } from '../../../shared/api/indicators'
import { AppError } from '../../../shared/errors'
import { shownCompletion } from '../../../shared/kpi'
import { dueStatus } from '../../../shared/kpi'
import { endOfDay } from '../../../shared/dates'
import type { HandlerContext } from '../context'
import { insertSynced, updateSynced } from '../db/repos/changes'
import { orgSubtree } from '../db/repos/indicators'
import {
  customerGrid,
  getWorkOrder,
  listAssignees,
  listWorkOrders,
  unitManager,
  userExists,
  visitForWorkOrder,
  type StoredWorkOrder,
} from '../db/repos/workOrders'
import { loadRegionKpis } from '../indicators/measures'
import { followUpOrder } from '../visits/followUp'
import type { HandlerTable } from './table'

const HOUR = 3_600_000
const DEFAULT_SLA_HOURS = 72

function withLight(w: StoredWorkOrder, nowMs: number): WorkOrderRow {
  const closed = w.status === 'done' || w.status === 'cancelled'
  return { ...w, ...dueStatus(nowMs, w.dueAt, w.slaHours, closed) }
}

/** A visit's next-action due date (YYYY-MM-DD) means the end of that day in the user's zone (this machine's when not given). */
export function endOfLocalDay(dueDate: string, timeZone?: string): string {
  return endOfDay(dueDate, timeZone)
}

const fmt = (x: number | null, digits = 0) => (x === null ? '—' : x.toFixed(digits))

function createWorkOrder(ctx: HandlerContext, input: Parameters<HandlerTable['workOrders.create']>[1]): WorkOrderRow {
  const nowMs = Date.parse(ctx.change.now())
  let title = input.title
  let description = input.description ?? null
  let orgUnitId: string | null = null
  let customerId = input.customerId ?? null
  let assignee = input.assigneeUserId ?? null
  let dueAt = input.dueAt ? new Date(input.dueAt).toISOString() : null
  let origin: WorkOrderRow['origin'] = 'manual'
  let visitId: string | null = null

  if (input.orgUnitCode) {
    const unit = orgSubtree(ctx.db, input.orgUnitCode)[0]
    if (!unit)
      throw new AppError('NOT_FOUND', `no org unit with code ${input.orgUnitCode}`, { issues: [{ path: ['orgUnitCode'], message: 'unknown org unit' }] })
    orgUnitId = unit.id
  }
  if (input.fromVisitId) {
    const visit = visitForWorkOrder(ctx.db, input.fromVisitId)
    if (!visit) throw new AppError('NOT_FOUND', `visit ${input.fromVisitId} not found`, { issues: [{ path: ['fromVisitId'], message: 'unknown visit' }] })
    origin = 'visit'
    visitId = visit.id
    const made = followUpOrder({ ...visit, targetName: visit.customerName ?? visit.villageName })
    title ??= made.title
    description ??= made.description
    orgUnitId ??= visit.gridId
    customerId ??= visit.customerId
    assignee ??= visit.byUserId
    if (!dueAt && visit.nextActionDue) dueAt = endOfLocalDay(visit.nextActionDue)
  }
  if (input.fromAlert) {
    const a = input.fromAlert
    const kpis = loadRegionKpis(ctx.db, { region: a.orgUnitCode, period: a.period, indicatorCodes: [a.indicatorCode] })
    const unit = kpis.region
    const ind = kpis.indicators[0]!
    const c = kpis.cell(unit.id, ind.code)
    const shown = shownCompletion(c.actual, c.target, ind.direction)
    origin = 'alert'
    orgUnitId ??= unit.id
    assignee ??= unitManager(ctx.db, unit.id)
    title ??=
      c.gapPp !== null && c.gapPp < 0 ? `【预警】${unit.name} ${ind.nameZh} 落后时间进度 ${fmt(-c.gapPp, 1)} 个百分点` : `【预警】${unit.name} ${ind.nameZh}`
    description ??=
      `${a.period} ${ind.nameZh}：目标 ${fmt(c.target, 2)}${ind.unit}，完成 ${fmt(c.actual, 2)}${ind.unit}，` +
      `完成率 ${shown === null ? '—' : `${(shown * 100).toFixed(1)}%`}${ind.direction === 'lower_better' ? '（逆向指标：目标÷完成）' : ''}，时间进度 ${(kpis.timeProgress * 100).toFixed(1)}%（截至 ${kpis.asOf}）` +
      (c.gapToPace !== null && c.gapToPace > 0 ? `，还差 ${fmt(c.gapToPace, 1)}${ind.unit} 才能回到时间进度。` : '。')
  }
  if (!title) throw new AppError('VALIDATION', 'a work order needs a title', { issues: [{ path: ['title'], message: 'required' }] })
  if (customerId && !customerGrid(ctx.db, customerId))
    throw new AppError('NOT_FOUND', `customer ${customerId} not found`, { issues: [{ path: ['customerId'], message: 'unknown customer' }] })
  if (customerId && !orgUnitId) orgUnitId = customerGrid(ctx.db, customerId)!.gridId
  if (assignee && !userExists(ctx.db, assignee))
    throw new AppError('NOT_FOUND', `user ${assignee} not found`, { issues: [{ path: ['assigneeUserId'], message: 'unknown user' }] })
  const slaHours = input.slaHours ?? (dueAt ? null : DEFAULT_SLA_HOURS)
  dueAt ??= new Date(nowMs + (slaHours ?? DEFAULT_SLA_HOURS) * HOUR).toISOString()

  const id = ctx.db.transaction((tx) =>
    insertSynced(tx, ctx.change, 'work_orders', {
      title,
      description,
      orgUnitId,
      customerId,
      visitId,
      origin,
      assigneeUserId: assignee,
      dueAt,
      slaHours,
      status: 'open',
      closedAt: null,
    }),
  )
  return withLight(getWorkOrder(ctx.db, id)!, nowMs)
}

export const workOrderHandlers = {
  'workOrders.list': (ctx, input) => {
    const nowMs = Date.parse(ctx.change.now())
    if (input.region && !orgSubtree(ctx.db, input.region)[0])
      throw new AppError('NOT_FOUND', `no org unit with code ${input.region}`, { details: { region: input.region } })
    return listWorkOrders(ctx.db, {
      region: input.region,
      statuses: input.status,
      overdueBefore: input.overdueOnly ? new Date(nowMs).toISOString() : undefined,
      limit: input.limit,
    }).map((w) => withLight(w, nowMs))
  },
  'workOrders.assignees': (ctx, input) => listAssignees(ctx.db, input.region),
  'workOrders.create': (ctx, input) => createWorkOrder(ctx, input),
  'workOrders.update': (ctx, input) => {
    const current = getWorkOrder(ctx.db, input.id)
    if (!current) throw new AppError('NOT_FOUND', `work order ${input.id} not found`, { details: { id: input.id } })
    const { patch } = input
    if (patch.assigneeUserId && !userExists(ctx.db, patch.assigneeUserId))
      throw new AppError('NOT_FOUND', `user ${patch.assigneeUserId} not found`, { issues: [{ path: ['patch', 'assigneeUserId'], message: 'unknown user' }] })
    const changes: Record<string, unknown> = { ...patch }
    if (patch.dueAt) changes.dueAt = new Date(patch.dueAt).toISOString()
    if (patch.status && patch.status !== current.status) {
      const closing = patch.status === 'done' || patch.status === 'cancelled'
      changes.closedAt = closing ? ctx.change.now() : null
    }
    ctx.db.transaction((tx) => updateSynced(tx, ctx.change, 'work_orders', input.id, changes))
    return withLight(getWorkOrder(ctx.db, input.id)!, Date.parse(ctx.change.now()))
  },
} satisfies Partial<HandlerTable>
