// Sync with HQ: enrolment, running a sync, status, conflict review. A resolution is a new change
// through the outbox like any other edit.
import { z } from 'zod'
import { villagePatchSchema } from '../../../shared/api/contract'
import { AppError } from '../../../shared/errors'
import type { SyncConflict, SyncRejectedChange, SyncStatus } from '../../../shared/api/sync'
import { csvField } from '../../../shared/spreadsheet'
import type { HandlerContext } from '../context'
import { insertSynced, updateSynced } from '../db/repos/changes'
import {
  countOpenConflicts,
  listConflicts,
  markConflictResolved,
  discardRejected,
  pendingCount,
  readField,
  rejectedChanges,
  rejectedCount,
  syncedColumns,
  type RejectedChange,
} from '../db/repos/sync'
import { getState } from '../db/repos/syncState'
import { clearDemoRows, demoEdits, demoLoaded } from '../db/repos/demo'
import type { SyncedTableName } from '../db/schema'
import { enrol, isEnrolled } from '../sync/engine'
import { currentRun, lastProbe, lastRun, noteEnrolled, probe, runSyncExclusive } from '../sync/runner'
import { SyncHttpError } from '../sync/hqClient'
import { backupNow } from '../db/backup'
import type { HandlerTable } from './table'

function status(ctx: HandlerContext): SyncStatus {
  const sqlite = ctx.db.$client
  const user = getState(ctx.db, 'hq_user')
  const lastError = getState(ctx.db, 'last_sync_error') || null
  const probed = lastProbe(ctx)
  return {
    enrolled: getState(ctx.db, 'hq_token') !== undefined,
    server: getState(ctx.db, 'hq_url') ?? null,
    deviceId: ctx.change.deviceId,
    user: user ? JSON.parse(user) : null,
    regions: JSON.parse(getState(ctx.db, 'hq_regions') ?? '[]'),
    pendingChanges: pendingCount(sqlite),
    openConflicts: countOpenConflicts(sqlite),
    rejectedChanges: rejectedChanges(sqlite, 20).map((c) => ({ deviceSeq: c.deviceSeq, table: c.table, rowId: c.rowId, reason: c.reason })),
    rejectedCount: rejectedCount(sqlite),
    lastSyncAt: getState(ctx.db, 'last_sync_at') ?? null,
    lastError,
    lastErrorCode: lastError ? (/^([A-Z_]+):/.exec(lastError)?.[1] ?? 'ERROR') : null,
    cursor: Number(getState(ctx.db, 'pull_cursor') ?? 0),
    clockOffsetMs: Number(getState(ctx.db, 'server_offset_ms') ?? 0) || 0,
    running: currentRun(ctx),
    reachable: probed ? probed.reachable : null,
    reachableCheckedAt: probed?.checkedAt ?? null,
    storeDamaged: ctx.storeDamaged ?? null,
  }
}

// Which record a conflict is about, in words: its name or title as this device holds it.
function describe(sqlite: HandlerContext['db']['$client'], conflict: Omit<SyncConflict, 'rowLabel' | 'fieldProp'>): SyncConflict {
  const columns = syncedColumns(conflict.tableName)
  const labelColumn = ['name', 'title'].find((c) => columns.has(c))
  const label = labelColumn ? readField(sqlite, conflict.tableName, conflict.rowId, labelColumn) : null
  return { ...conflict, rowLabel: typeof label === 'string' ? label : null, fieldProp: columns.get(conflict.field)?.prop ?? null }
}

const MAX_LISTED_REJECTED = 500
// Records a person types, which a copy with a new id can stand in for (not master data, nor
// villages and grids, whose code is their identity).
const copyableTables = new Set(['key_customers', 'work_orders', 'competitor_intel', 'visits'])

// A refused change for the sync page: its fields with their labels' keys, the record's name.
function describeRejected(sqlite: HandlerContext['db']['$client'], change: RejectedChange): SyncRejectedChange {
  let columns: ReturnType<typeof syncedColumns> | undefined
  try {
    columns = syncedColumns(change.table)
  } catch {
    columns = undefined // a table this app no longer syncs
  }
  const labelColumn = columns ? ['name', 'title'].find((c) => columns.has(c)) : undefined
  const own = labelColumn ? change.fields[labelColumn] : undefined
  const held = labelColumn && own === undefined ? readField(sqlite, change.table, change.rowId, labelColumn) : undefined
  const label = typeof own === 'string' ? own : typeof held === 'string' ? held : null
  return {
    deviceSeq: change.deviceSeq,
    table: change.table,
    rowId: change.rowId,
    op: change.op,
    reasonCode: /^([a-z_]+)/.exec(change.reason ?? '')?.[1] ?? 'unknown',
    reason: change.reason,
    fields: Object.entries(change.fields).map(([field, value]) => ({ field, prop: columns?.get(field)?.prop ?? null, value })),
    createdAt: change.createdAt,
    rowLabel: label,
    copyable: change.op !== 'delete' && copyableTables.has(change.table),
  }
}

// One CSV cell: text and numbers as they are (text that would run as a formula neutralised),
// anything else as JSON.
const csvCell = (value: unknown) =>
  csvField(value === null || value === undefined || typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value))

// An edited value must pass the same rules as the record's own edit form. Handlers do not know the
// caller's language, so the field's messages come in both (details.messages) for the UI to pick.
const editRules: Record<string, z.ZodType<Record<string, unknown>>> = { villages: villagePatchSchema }
const issueLocales = { 'zh-CN': z.locales.zhCN().localeError, en: z.locales.en().localeError }

// Server refusals become the app's error codes; the message keeps the server's words.
function asAppError(error: unknown): never {
  if (error instanceof SyncHttpError) {
    if (error.code === 'DEVICE_REVOKED')
      throw new AppError('STORE_REVOKED', error.message, { details: { reason: 'revoked', at: new Date().toISOString(), server: 'DEVICE_REVOKED' } })
    const code = error.status === 401 || error.status === 403 ? 'FORBIDDEN' : error.code === 'VALIDATION' ? 'VALIDATION' : 'SYNC_FAILED'
    // `server` names the precise reason for the UI: NETWORK, ENROL_CODE_INVALID, UNAUTHORIZED, NOT_HQ, …
    const server = error.status === 404 || error.details?.notJson ? 'NOT_HQ' : error.code
    throw new AppError(code, error.message, { details: { ...error.details, server, status: error.status } })
  }
  throw error
}

export const syncHandlers = {
  'sync.status': (ctx) => status(ctx),
  'sync.enrol': async (ctx, input) => {
    if (currentRun(ctx)) throw new AppError('CONFLICT', 'a sync is running; enrol again when it has finished', { details: { server: 'BUSY' } })
    // The demo county never meets HQ: a device holding it enrols only with the demo cleared, in
    // the same transaction that stores the enrolment.
    const demo = demoLoaded(ctx.db)
    if (demo && !input.clearDemo)
      throw new AppError('DEMO_DATA', 'this device holds the demo county; enrolling clears it (clearDemo), export your changes first (demo.edits)', {
        details: { edits: demoEdits(ctx.db).length },
      })
    // What was typed into the demo stays restorable after the enrolment clears it.
    if (demo) backupNow(ctx.db.$client, ctx.dataDir, 'preclear')
    await enrol(
      ctx,
      input.server,
      input.code,
      input.deviceName,
      undefined,
      input.allowInsecureHttp ?? false,
      demo ? () => void clearDemoRows(ctx.db) : undefined,
    ).catch(asAppError)
    noteEnrolled(ctx)
    return status(ctx)
  },
  'sync.run': (ctx) => {
    if (!isEnrolled(ctx)) throw new AppError('FORBIDDEN', 'this device is not enrolled with an HQ server yet', { details: { server: 'NOT_ENROLLED' } })
    return runSyncExclusive(ctx).catch(asAppError)
  },
  'sync.probe': (ctx) => probe(ctx),
  'sync.lastRun': (ctx) => lastRun(ctx),
  'sync.rejected': (ctx) => rejectedChanges(ctx.db.$client, MAX_LISTED_REJECTED).map((c) => describeRejected(ctx.db.$client, c)),
  'sync.rejectedDiscard': (ctx, input) => ({ discarded: discardRejected(ctx.db.$client, input.deviceSeq) }),
  'sync.rejectedCopy': (ctx, input) => {
    const sqlite = ctx.db.$client
    const change = rejectedChanges(sqlite, Number.MAX_SAFE_INTEGER).find((c) => c.deviceSeq === input.deviceSeq)
    if (!change) throw new AppError('NOT_FOUND', `set-aside change #${input.deviceSeq} not found`, { details: { deviceSeq: input.deviceSeq } })
    const described = describeRejected(sqlite, change)
    if (!described.copyable)
      throw new AppError('VALIDATION', `a change of ${change.table} cannot be copied into a new record`, { details: { reason: 'not_copyable' } })
    const columns = syncedColumns(change.table)
    // An edit is copied onto the record as this device holds it; a new record as it was typed.
    const current =
      change.op === 'update'
        ? (sqlite.prepare(`SELECT * FROM "${change.table}" WHERE id = ?`).get(change.rowId) as Record<string, unknown> | undefined)
        : undefined
    const values: Record<string, unknown> = {}
    for (const [column, meta] of columns) {
      if (['id', 'created_at', 'updated_at', 'hlc', 'deleted_at'].includes(column)) continue
      const value = column in change.fields ? change.fields[column] : current?.[column]
      if (value === undefined) continue
      values[meta.prop] = meta.boolean && typeof value === 'number' ? value === 1 : value
    }
    try {
      const id = ctx.db.transaction((tx) => insertSynced(tx, ctx.change, change.table as SyncedTableName, values))
      return { table: change.table, id }
    } catch (error) {
      throw new AppError('VALIDATION', `the refused values do not make a valid new record: ${(error as Error).message}`, {
        details: { reason: 'copy_invalid' },
      })
    }
  },
  'sync.rejectedExport': (ctx, input) => {
    const list = rejectedChanges(ctx.db.$client, Number.MAX_SAFE_INTEGER).map((c) => describeRejected(ctx.db.$client, c))
    const stamp = new Date().toISOString().slice(0, 10)
    if (input.format === 'json')
      return {
        fileName: `griddesk-set-aside-${stamp}.json`,
        mime: 'application/json',
        content: `${JSON.stringify(
          list.map(({ fields, ...c }) => ({ ...c, fields: Object.fromEntries(fields.map((f) => [f.field, f.value])) })),
          null,
          2,
        )}\n`,
      }
    const lines = [['device_seq', 'table', 'row_id', 'op', 'record', 'reason', 'created_at', 'field', 'value']]
    for (const c of list)
      for (const f of c.fields)
        lines.push([String(c.deviceSeq), c.table, c.rowId, c.op, c.rowLabel ?? '', c.reason ?? '', c.createdAt, f.field, f.value as string])
    return {
      fileName: `griddesk-set-aside-${stamp}.csv`,
      mime: 'text/csv;charset=utf-8',
      content: `\uFEFF${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`,
    }
  },
  'sync.conflicts': (ctx, input) => listConflicts(ctx.db.$client, !input.all).map((c) => describe(ctx.db.$client, c)),
  'sync.resolve': (ctx, input) => {
    const sqlite = ctx.db.$client
    const conflict = listConflicts(sqlite, false).find((c) => c.id === input.id)
    if (!conflict) throw new AppError('NOT_FOUND', `conflict ${input.id} not found`, { details: { id: input.id } })
    if (conflict.resolvedAt) return describe(sqlite, conflict)
    let value = input.choice === 'mine' ? conflict.mine : input.choice === 'theirs' ? conflict.theirs : input.value
    const prop = syncedColumns(conflict.tableName).get(conflict.field)?.prop
    if (!prop) throw new AppError('NOT_FOUND', `field ${conflict.field} is not synced`)
    const rules = editRules[conflict.tableName]
    if (input.choice === 'edit' && rules) {
      const checked = rules.safeParse({ [prop]: value })
      if (!checked.success) {
        const messages = Object.fromEntries(
          Object.entries(issueLocales).map(([lang, error]) => [
            lang,
            (rules.safeParse({ [prop]: value }, { error }).error?.issues ?? []).map((i) => i.message).join('; '),
          ]),
        )
        throw new AppError('VALIDATION', `the value for ${conflict.field} is not valid: ${messages.en}`, {
          issues: checked.error.issues.map((i) => ({ path: ['value'], message: i.message })),
          details: { field: conflict.field, messages },
        })
      }
      value = checked.data[prop] as typeof value
    }
    ctx.db.transaction((tx) => {
      // Keeping a value equal to what the device holds records nothing: theirs is usually already there.
      if (readField(sqlite, conflict.tableName, conflict.rowId, conflict.field) !== value)
        updateSynced(tx, ctx.change, conflict.tableName as SyncedTableName, conflict.rowId, { [prop]: value })
      markConflictResolved(sqlite, conflict.id, input.choice === 'edit' ? 'edited' : input.choice, new Date().toISOString())
    })
    return describe(sqlite, listConflicts(sqlite, false).find((c) => c.id === input.id)!)
  },
} satisfies Partial<HandlerTable>
