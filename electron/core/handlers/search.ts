// The one search (customers, villages, grids, org units), for the map, the lists and the pickers.
import { searchAll } from '../db/repos/search'
import type { HandlerTable } from './table'

export const searchHandlers: Pick<HandlerTable, 'search.all'> = {
  'search.all': (ctx, input) => searchAll(ctx.db, input),
}
