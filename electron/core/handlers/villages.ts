// Village / community profiles.
import { AppError } from '../../../shared/errors'
import type { VillageProfile } from '../../../shared/api/contract'
import type { HandlerContext } from '../context'
import { updateSynced } from '../db/repos/changes'
import { getVillage, listVillages, villageHistory } from '../db/repos/villages'
import type { HandlerTable } from './table'

function mustGet(ctx: HandlerContext, id: string): VillageProfile {
  const village = getVillage(ctx.db, id)
  if (!village) throw new AppError('NOT_FOUND', `village ${id} not found`, { details: { id } })
  return village
}

export const villageHandlers = {
  'villages.get': (ctx, input) => mustGet(ctx, input.id),
  'villages.update': (ctx, input) => {
    ctx.db.transaction((tx) => updateSynced(tx, ctx.change, 'villages', input.id, input.patch))
    return mustGet(ctx, input.id)
  },
  'villages.list': (ctx, input) => listVillages(ctx.db, input),
  'villages.history': (ctx, input) => {
    mustGet(ctx, input.id)
    return villageHistory(ctx.db, input.id, input.limit)
  },
} satisfies Partial<HandlerTable>
