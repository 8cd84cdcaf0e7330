// Key customers: list and search, the customer page, create/edit (tiers by the 80/20
// rule, recomputed when revenue changes), funnel moves, duplicates and merge, import. Every write
// goes through the outbox (changes.ts) in one transaction.
import type { CustomerDetail, CustomerPatch, MergeResult } from '../../../shared/api/customers'
import type { FunnelStage } from '../../../shared/domain'
import { AppError } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import type { Tx } from '../db/client'
import { deleteSynced, insertSynced, updateSynced } from '../db/repos/changes'
import {
  attachmentsOf,
  customerReferences,
  customerRow,
  customerTags,
  findDuplicates,
  getCustomer,
  listCustomers,
  searchCustomers,
  storeTiers,
  villagePlacement,
} from '../db/repos/customers'
import type { HandlerTable } from './table'

function mustGet(ctx: HandlerContext, id: string): CustomerDetail {
  const customer = getCustomer(ctx.db, id)
  if (!customer) throw new AppError('NOT_FOUND', `key customer ${id} not found`, { details: { id } })
  return customer
}

function unknownVillage(villageId: string): never {
  throw new AppError('VALIDATION', `village ${villageId} does not exist`, {
    issues: [{ path: ['villageId'], message: 'unknown_village' }],
    details: { villageId },
  })
}

/**
 * Re-ranks every live customer by revenue and stores the tiers that changed. The tier is derived
 * from the customers this device holds, so it is written here only, never through the outbox:
 * two devices holding different customers would otherwise flip each other's tiers at every sync.
 */
export function recomputeTiers(tx: Tx, _ctx?: HandlerContext): number {
  return storeTiers(tx)
}

const encodeTags = (tags: string[] | undefined) => (tags === undefined ? undefined : JSON.stringify([...new Set(tags)]))

/** Patch → stored values: tags as JSON, village → grid (and location when the customer has none). */
function toStored(tx: Tx, patch: CustomerPatch, current?: { lon: number | null }): Record<string, unknown> {
  const { tags, ...rest } = patch
  const values: Record<string, unknown> = { ...rest }
  if (tags !== undefined) values.tags = encodeTags(tags)
  if (patch.villageId) {
    const placement = villagePlacement(tx, patch.villageId)
    if (!placement) unknownVillage(patch.villageId)
    values.gridId = placement.gridId
    if (!current || current.lon === null) Object.assign(values, { lon: placement.lon, lat: placement.lat, geometrySource: 'village' })
  } else if (patch.villageId === null) values.gridId = null
  return values
}

export function moveStage(tx: Tx, ctx: HandlerContext, customerId: string, fromStage: string | null, toStage: FunnelStage, movedAt: string): void {
  insertSynced(tx, ctx.change, 'funnel_moves', { customerId, fromStage, toStage, movedAt, byUserId: null })
  updateSynced(tx, ctx.change, 'key_customers', customerId, { funnelStage: toStage })
}

export const customerHandlers = {
  'customers.list': (ctx, input) => listCustomers(ctx.db, input),
  'customers.search': (ctx, input) => searchCustomers(ctx.db, input.query, input.limit),
  'customers.get': (ctx, input) => mustGet(ctx, input.id),
  'customers.tags': (ctx) => customerTags(ctx.db),

  'customers.create': (ctx, input) => {
    const id = ctx.db.transaction((tx) => {
      const { funnelStage, ...fields } = input
      const values = toStored(tx, fields)
      const ownerUserId = input.villageId ? (villagePlacement(tx, input.villageId)?.ownerUserId ?? null) : null
      const id = insertSynced(tx, ctx.change, 'key_customers', { ...values, tags: values.tags ?? '[]', funnelStage, ownerUserId })
      insertSynced(tx, ctx.change, 'funnel_moves', { customerId: id, fromStage: null, toStage: funnelStage, movedAt: ctx.change.now(), byUserId: null })
      recomputeTiers(tx, ctx)
      return id
    })
    return mustGet(ctx, id)
  },

  'customers.update': (ctx, input) => {
    ctx.db.transaction((tx) => {
      const current = customerRow(tx, input.id)
      if (!current) throw new AppError('NOT_FOUND', `key customer ${input.id} not found`, { details: { id: input.id } })
      const changed = updateSynced(tx, ctx.change, 'key_customers', input.id, toStored(tx, input.patch, current))
      if (changed.includes('monthlyRevenue')) recomputeTiers(tx, ctx)
    })
    return mustGet(ctx, input.id)
  },

  'customers.moveStage': (ctx, input) => {
    ctx.db.transaction((tx) => {
      const current = customerRow(tx, input.id)
      if (!current) throw new AppError('NOT_FOUND', `key customer ${input.id} not found`, { details: { id: input.id } })
      if (current.funnelStage === input.toStage)
        throw new AppError('VALIDATION', `customer is already at stage ${input.toStage}`, {
          issues: [{ path: ['toStage'], message: 'same_stage' }],
          details: { stage: input.toStage },
        })
      const now = ctx.change.now()
      const movedAt = input.on ? (input.on === now.slice(0, 10) ? now : `${input.on}T00:00:00.000Z`) : now
      if (movedAt > now) throw new AppError('VALIDATION', 'a stage move cannot be dated in the future', { issues: [{ path: ['on'], message: 'future_date' }] })
      moveStage(tx, ctx, input.id, current.funnelStage, input.toStage, movedAt)
    })
    return mustGet(ctx, input.id)
  },

  'customers.duplicates': (ctx, input) => {
    const c = mustGet(ctx, input.id)
    return findDuplicates(ctx.db, { id: c.id, name: c.name, phone: c.phone, villageId: c.villageId })
  },

  'customers.merge': (ctx, input): MergeResult => {
    const moved = { products: 0, visits: 0, moves: 0, workOrders: 0, attachments: 0 }
    ctx.db.transaction((tx) => {
      const keep = customerRow(tx, input.keepId)
      const drop = customerRow(tx, input.dropId)
      if (!keep || !drop) throw new AppError('NOT_FOUND', 'customer to merge not found', { details: { keepId: input.keepId, dropId: input.dropId } })
      for (const ref of customerReferences(tx, drop.id)) {
        const field = ref.table === 'customer_products' ? 'products' : ref.table === 'visits' ? 'visits' : ref.table === 'funnel_moves' ? 'moves' : 'workOrders'
        updateSynced(tx, ctx.change, ref.table, ref.id, { customerId: keep.id })
        moved[field]++
      }
      for (const a of attachmentsOf(tx, 'key_customers', drop.id)) {
        updateSynced(tx, ctx.change, 'attachments', a.id, { ownerId: keep.id })
        moved.attachments++
      }
      // What the kept record lacks, the dropped one fills; tags and notes are combined.
      const fill: Record<string, unknown> = {}
      for (const field of [
        'role',
        'organisation',
        'villageId',
        'gridId',
        'phone',
        'influence',
        'monthlyRevenue',
        'tierOverride',
        'contractExpiry',
        'rivalUsed',
        'ownerUserId',
        'nextFollowUp',
        'lon',
        'lat',
        'geometrySource',
      ] as const)
        if (keep[field] === null && drop[field] !== null) fill[field] = drop[field]
      const tags = [...new Set([...parseTagList(keep.tags), ...parseTagList(drop.tags)])]
      if (tags.length !== parseTagList(keep.tags).length) fill.tags = JSON.stringify(tags)
      if (drop.notes && drop.notes !== keep.notes) fill.notes = keep.notes ? `${keep.notes}\n${drop.notes}` : drop.notes
      if (Object.keys(fill).length > 0) updateSynced(tx, ctx.change, 'key_customers', keep.id, fill)
      deleteSynced(tx, ctx.change, 'key_customers', drop.id)
      recomputeTiers(tx, ctx)
    })
    return { keptId: input.keepId, moved }
  },
} satisfies Partial<HandlerTable>

function parseTagList(tags: string | null): string[] {
  try {
    const parsed = JSON.parse(tags ?? '[]') as unknown
    return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : []
  } catch {
    return []
  }
}
