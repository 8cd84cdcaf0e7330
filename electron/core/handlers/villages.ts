// Village / community profiles.
import { AppError } from '../../../shared/errors'
import type { VillagePatch, VillageProfile } from '../../../shared/api/contract'
import { ageFields, ageSharesAddUp, profileRivals, type RivalFigures } from '../../../shared/profile'
import type { HandlerContext } from '../context'
import { updateSynced } from '../db/repos/changes'
import type { Tx } from '../db/client'
import { getVillage, listVillages, villageAgeShares, villageHistory } from '../db/repos/villages'
import type { HandlerTable } from './table'

function mustGet(ctx: HandlerContext, id: string): VillageProfile {
  const village = getVillage(ctx.db, id)
  if (!village) throw new AppError('NOT_FOUND', `village ${id} not found`, { details: { id } })
  return village
}

/** Rivals' figures as stored: JSON of the known ones, null when none is known. */
function rivalJson(figures: Partial<RivalFigures> | null): string | null {
  if (!figures) return null
  const known = profileRivals.filter((r) => typeof figures[r] === 'number').map((r) => [r, figures[r]])
  return known.length > 0 ? JSON.stringify(Object.fromEntries(known)) : null
}

/** The patch as column values: the JSON fields as text, an empty key-person list as null. */
function toStored(patch: VillagePatch): Record<string, unknown> {
  const { rivalPorts, shareVsRivals, keyPersons, ...rest } = patch
  const values: Record<string, unknown> = { ...rest }
  if (rivalPorts !== undefined) values.rivalPorts = rivalJson(rivalPorts)
  if (shareVsRivals !== undefined) values.shareVsRivals = rivalJson(shareVsRivals)
  if (keyPersons !== undefined) values.keyPersons = keyPersons && keyPersons.length > 0 ? JSON.stringify(keyPersons) : null
  return values
}

/**
 * The contract checks the age shares a patch gives together; a patch of one or two shares is
 * checked here against the stored others, with the same issue on the shares it changes.
 */
function checkAgeSharesAgainstStored(tx: Tx, id: string, patch: VillagePatch): void {
  const changed = ageFields.filter((f) => patch[f] !== undefined)
  if (changed.length === 0 || changed.length === ageFields.length) return
  const stored = villageAgeShares(tx, id)
  if (!stored) return
  const merged = ageFields.map((f) => (patch[f] !== undefined ? patch[f] : stored[f]))
  if (ageSharesAddUp(merged)) return
  const issues = changed.map((f) => ({ path: ['patch', f], message: 'age_sum' }))
  throw new AppError('VALIDATION', `invalid input for villages.update: the age shares add up to ${merged.reduce((a, b) => a! + b!, 0)}, not about 100`, {
    issues,
  })
}

export const villageHandlers = {
  'villages.get': (ctx, input) => mustGet(ctx, input.id),
  'villages.update': (ctx, input) => {
    ctx.db.transaction((tx) => {
      checkAgeSharesAgainstStored(tx, input.id, input.patch)
      updateSynced(tx, ctx.change, 'villages', input.id, toStored(input.patch))
    })
    return mustGet(ctx, input.id)
  },
  'villages.list': (ctx, input) => listVillages(ctx.db, input),
  'villages.history': (ctx, input) => {
    mustGet(ctx, input.id)
    return villageHistory(ctx.db, input.id, input.limit)
  },
} satisfies Partial<HandlerTable>
