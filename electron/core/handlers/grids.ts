// Grid cells and the map overview.
import { AppError } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import { gridSummary, listGrids, listOrgUnits, mapOverview } from '../db/repos/grids'
import type { HandlerTable } from './table'

export const gridHandlers = {
  'grids.list': (ctx, input) => listGrids(ctx.db, input.search, input.limit),
  'grids.summary': (ctx: HandlerContext, input) => {
    const summary = gridSummary(ctx.db, input.id, Date.now())
    if (!summary) throw new AppError('NOT_FOUND', `grid ${input.id} not found`, { details: { id: input.id } })
    return summary
  },
  'map.overview': (ctx) => mapOverview(ctx.db),
  'orgUnits.list': (ctx) => listOrgUnits(ctx.db),
} satisfies Partial<HandlerTable>
