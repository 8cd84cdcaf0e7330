// Sync with HQ: enrolment, running a sync, status, conflict review. A resolution is a new change
// through the outbox like any other edit.
import { AppError } from '../../../shared/errors'
import type { SyncStatus } from '../../../shared/api/sync'
import type { HandlerContext } from '../context'
import { updateSynced } from '../db/repos/changes'
import { countOpenConflicts, listConflicts, markConflictResolved, pendingCount, readField, rejectedChanges, syncedColumns } from '../db/repos/sync'
import { getState } from '../db/repos/syncState'
import type { SyncedTableName } from '../db/schema'
import { enrol, runSync } from '../sync/engine'
import { SyncHttpError } from '../sync/hqClient'
import type { HandlerTable } from './table'

function status(ctx: HandlerContext): SyncStatus {
  const sqlite = ctx.db.$client
  const user = getState(ctx.db, 'hq_user')
  return {
    enrolled: getState(ctx.db, 'hq_token') !== undefined,
    server: getState(ctx.db, 'hq_url') ?? null,
    deviceId: ctx.change.deviceId,
    user: user ? JSON.parse(user) : null,
    regions: JSON.parse(getState(ctx.db, 'hq_regions') ?? '[]'),
    pendingChanges: pendingCount(sqlite),
    openConflicts: countOpenConflicts(sqlite),
    rejectedChanges: rejectedChanges(sqlite, 20),
    lastSyncAt: getState(ctx.db, 'last_sync_at') ?? null,
    lastError: getState(ctx.db, 'last_sync_error') || null,
    cursor: Number(getState(ctx.db, 'pull_cursor') ?? 0),
    clockOffsetMs: Number(getState(ctx.db, 'server_offset_ms') ?? 0),
  }
}

// Server refusals become the app's error codes; the message keeps the server's words.
function asAppError(error: unknown): never {
  if (error instanceof SyncHttpError) {
    const code = error.status === 401 || error.status === 403 ? 'FORBIDDEN' : error.code === 'VALIDATION' ? 'VALIDATION' : 'SYNC_FAILED'
    throw new AppError(code, error.message, { details: { server: error.code, status: error.status, ...error.details } })
  }
  throw error
}

export const syncHandlers = {
  'sync.status': (ctx) => status(ctx),
  'sync.enrol': async (ctx, input) => {
    await enrol(ctx, input.server, input.code, input.deviceName).catch(asAppError)
    return status(ctx)
  },
  'sync.run': (ctx) => runSync(ctx).catch(asAppError),
  'sync.conflicts': (ctx, input) => listConflicts(ctx.db.$client, !input.all),
  'sync.resolve': (ctx, input) => {
    const sqlite = ctx.db.$client
    const conflict = listConflicts(sqlite, false).find((c) => c.id === input.id)
    if (!conflict) throw new AppError('NOT_FOUND', `conflict ${input.id} not found`, { details: { id: input.id } })
    if (conflict.resolvedAt) return conflict
    const value = input.choice === 'mine' ? conflict.mine : input.choice === 'theirs' ? conflict.theirs : input.value
    const prop = syncedColumns(conflict.tableName).get(conflict.field)?.prop
    if (!prop) throw new AppError('NOT_FOUND', `field ${conflict.field} is not synced`)
    ctx.db.transaction((tx) => {
      // Keeping a value equal to what the device holds records nothing: theirs is usually already there.
      if (readField(sqlite, conflict.tableName, conflict.rowId, conflict.field) !== value)
        updateSynced(tx, ctx.change, conflict.tableName as SyncedTableName, conflict.rowId, { [prop]: value })
      markConflictResolved(sqlite, conflict.id, input.choice === 'edit' ? 'edited' : input.choice, new Date().toISOString())
    })
    return listConflicts(sqlite, false).find((c) => c.id === input.id)!
  },
} satisfies Partial<HandlerTable>
