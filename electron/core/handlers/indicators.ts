// Indicators, targets (set, decompose to children by weights with hand adjustments), actuals (hand
// entry, billing-export import, history) and the 时间进度 dashboard.
import { samePeriodLastYear, sameTotal, splitByWeights } from '../../../shared/analysis'
import type { SplitMethod, TargetSplit } from '../../../shared/api/indicators'
import { AppError } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import { updateSynced } from '../db/repos/changes'
import {
  actualHistory,
  getActual,
  getTarget,
  indicatorIdByCode,
  insertActual,
  listIndicators,
  listTargets,
  orgSubtree,
  upsertTarget,
  type OrgUnitRow,
} from '../db/repos/indicators'
import { buildDashboard, checkIndicators, loadRegionKpis, regionSubtree } from '../indicators/measures'
import type { HandlerTable } from './table'

function unitByCode(ctx: HandlerContext, code: string, field = 'orgUnitCode'): OrgUnitRow {
  const unit = orgSubtree(ctx.db, code)[0]
  if (!unit)
    throw new AppError('NOT_FOUND', `no org unit with code ${code}`, { issues: [{ path: [field], message: `unknown org unit ${code}` }], details: { code } })
  return unit
}

const MONEY_UNITS = new Set(['万元', '元', '千元'])

export function splitTarget(
  ctx: HandlerContext,
  input: {
    indicatorCode: string
    parentCode: string
    period: string
    method: SplitMethod
    parentValue?: number
    values?: Record<string, number>
    dryRun: boolean
  },
): TargetSplit {
  const [indicator] = checkIndicators(ctx.db, [input.indicatorCode])
  const units = regionSubtree(ctx.db, input.parentCode)
  const parent = units[0]!
  const children = units.filter((u) => u.parentId === parent.id)
  if (children.length === 0)
    throw new AppError('VALIDATION', `${parent.code} has no children to split its target among`, {
      issues: [{ path: ['parentCode'], message: 'no child org units' }],
    })
  const total = input.parentValue ?? getTarget(ctx.db, input.indicatorCode, parent.id, input.period)?.value
  if (total === undefined)
    throw new AppError('VALIDATION', `${parent.code} has no ${input.indicatorCode} target for ${input.period}; give parentValue`, {
      issues: [{ path: ['parentValue'], message: 'the parent has no target for this period' }],
    })

  let weights: number[]
  if (input.method === 'equal') weights = children.map(() => 1)
  else if (input.method === 'households') weights = children.map((c) => c.households)
  else {
    const lastYear = loadRegionKpis(ctx.db, {
      region: parent.code,
      period: samePeriodLastYear(input.period),
      asOf: '9999-12-31',
      indicatorCodes: [input.indicatorCode],
    })
    weights = children.map((c) => Math.max(0, lastYear.actual(c.id, input.indicatorCode) ?? 0))
  }
  const proposed = splitByWeights(total, weights, MONEY_UNITS.has(indicator!.unit) ? 2 : 0)
  const values = input.values ?? {}
  const unknown = Object.keys(values).filter((code) => !children.some((c) => c.code === code))
  if (unknown.length)
    throw new AppError('VALIDATION', `not children of ${parent.code}: ${unknown.join(', ')}`, {
      issues: unknown.map((code) => ({ path: ['values', code], message: `${code} is not a child of ${parent.code}` })),
    })
  const rows = children.map((c, i) => ({
    code: c.code,
    name: c.name,
    level: c.level,
    weight: weights[i]!,
    proposed: proposed[i]!,
    value: values[c.code] ?? proposed[i]!,
  }))
  const sum = Math.round(rows.reduce((a, r) => a + r.value, 0) * 1e6) / 1e6
  if (!sameTotal(sum, total)) {
    const difference = Math.round((sum - total) * 1e6) / 1e6
    throw new AppError(
      'VALIDATION',
      `the children's targets add up to ${sum} but ${parent.code}'s target is ${total} (${difference > 0 ? '+' : ''}${difference})`,
      {
        issues: [{ path: ['values'], message: `children sum to ${sum}, parent target is ${total}, difference ${difference}` }],
        details: { sum, parentTarget: total, difference },
      },
    )
  }
  if (!input.dryRun)
    ctx.db.transaction((tx) => {
      if (input.parentValue !== undefined)
        upsertTarget(tx, ctx.change, { indicatorCode: input.indicatorCode, orgUnitId: parent.id, period: input.period, value: total, splitMethod: 'manual' })
      children.forEach((c, i) => {
        const adjusted = values[c.code] !== undefined && values[c.code] !== proposed[i]
        upsertTarget(tx, ctx.change, {
          indicatorCode: input.indicatorCode,
          orgUnitId: c.id,
          period: input.period,
          value: rows[i]!.value,
          splitMethod: adjusted ? 'manual' : input.method,
        })
      })
    })
  return {
    indicatorCode: input.indicatorCode,
    period: input.period,
    method: input.method,
    parent: { code: parent.code, name: parent.name, target: total },
    children: rows,
    sum,
    stored: !input.dryRun,
  }
}

export const indicatorHandlers = {
  'indicators.list': (ctx) => listIndicators(ctx.db),
  'indicators.setThresholds': (ctx, input) => {
    const id = indicatorIdByCode(ctx.db, input.code)
    if (!id) throw new AppError('NOT_FOUND', `unknown indicator ${input.code}`, { details: { code: input.code } })
    ctx.db.transaction((tx) => updateSynced(tx, ctx.change, 'indicators', id, { yellowBelowPp: input.yellowBelowPp, redBelowPp: input.redBelowPp }))
    return listIndicators(ctx.db, [input.code])[0]!
  },
  'targets.list': (ctx, input) => {
    regionSubtree(ctx.db, input.region)
    return listTargets(ctx.db, input.region, input.period, input.indicatorCode)
  },
  'targets.set': (ctx, input) => {
    checkIndicators(ctx.db, [input.indicatorCode])
    const unit = unitByCode(ctx, input.orgUnitCode)
    ctx.db.transaction((tx) =>
      upsertTarget(tx, ctx.change, { indicatorCode: input.indicatorCode, orgUnitId: unit.id, period: input.period, value: input.value, splitMethod: 'manual' }),
    )
    return getTarget(ctx.db, input.indicatorCode, unit.id, input.period)!
  },
  'targets.split': (ctx, input) => splitTarget(ctx, input),
  'actuals.record': (ctx, input) => {
    checkIndicators(ctx.db, [input.indicatorCode])
    const unit = unitByCode(ctx, input.orgUnitCode)
    const asOf = input.asOf ? new Date(input.asOf).toISOString() : ctx.change.now()
    const id = ctx.db.transaction((tx) =>
      insertActual(tx, ctx.change, {
        indicatorCode: input.indicatorCode,
        orgUnitId: unit.id,
        period: input.period,
        value: input.value,
        asOf,
        source: 'manual',
      }),
    )
    return getActual(ctx.db, id)!
  },
  'actuals.history': (ctx, input) => {
    checkIndicators(ctx.db, [input.indicatorCode])
    const unit = unitByCode(ctx, input.orgUnitCode)
    return actualHistory(ctx.db, input.indicatorCode, unit.id, input.period)
  },
  'dashboard.get': (ctx, input) => buildDashboard(loadRegionKpis(ctx.db, input)),
} satisfies Partial<HandlerTable>
