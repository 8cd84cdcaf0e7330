// Push and pull over the generic `rows` table: idempotent push by device_seq with field-level
// merge, region-scoped pull by server_seq with checkpoints. Writers take one advisory lock so
// server_seq order is commit order: a puller never skips a row committed late.
import { orgLevels } from '../shared/domain'
import { describeIssue, rowProblems } from '../shared/rules'
import { createHash } from 'node:crypto'
import { and, eq, gt, inArray, isNull, lte, notInArray, or, sql, type SQL } from 'drizzle-orm'
import { v7 as uuidv7 } from 'uuid'
import { crashPoint } from '../shared/sync/crashPoint'
import {
  isDerived,
  isPlaceholder,
  type ChangeResult,
  type PullResponse,
  type PulledRowV1,
  type PushRequest,
  type ServerField,
  type WireChange,
} from '../shared/sync/protocol'
import type { DevicePrincipal } from './accounts'
import type { HqDb, HqTx } from './db/client'
import { changesLog, conflicts, deviceProgress, regionChecksums, rows, serverMeta, userRegions } from './db/schema'
import { deviceTables, valueProblem } from './deviceSchema'
import { aliasSame, mergeChange, rowVersion, type StoredRow, type VersionAliases } from '../shared/sync/kernel'
import { mayWrite, syncEntry } from '../shared/sync/registry'

const WRITE_LOCK = 0x67726964 // 'grid'

export async function lockWrites(tx: HqTx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`)
}

/** Raw SQL rows: PGlite and node-postgres both answer `{ rows }`. */
export async function query<T>(db: HqDb | HqTx, statement: SQL): Promise<T[]> {
  return ((await db.execute(statement)) as unknown as { rows: T[] }).rows
}

export async function nextSeq(tx: HqTx): Promise<number> {
  return Number((await query<{ seq: string }>(tx, sql`SELECT nextval('server_seq')::text AS seq`))[0]!.seq)
}

/** '*' (everything) for HQ roles; otherwise the assigned org-unit codes and their descendants. */
export type Scope = '*' | string[]

export async function scopeOf(db: HqDb | HqTx, principal: Pick<DevicePrincipal, 'userId' | 'role'>): Promise<Scope> {
  if (principal.role === 'admin' || principal.role === 'hq_analyst') return '*'
  return assignedScope(db, principal.userId)
}

/**
 * Where a user may write: an admin everywhere; an HQ analyst reads everything but writes only in
 * the regions an admin assigned to them (none: read-only); everyone else where they read.
 */
export async function writeScopeOf(db: HqDb | HqTx, principal: Pick<DevicePrincipal, 'userId' | 'role'>, read: Scope): Promise<Scope> {
  return principal.role === 'hq_analyst' ? assignedScope(db, principal.userId) : read
}

/** The assigned org-unit codes and their descendants. */
async function assignedScope(db: HqDb | HqTx, userId: string): Promise<Scope> {
  const assigned = (await db.select({ code: userRegions.regionCode }).from(userRegions).where(eq(userRegions.userId, userId))).map((r) => r.code)
  if (assigned.length === 0) return []
  const units = await query<{ id: string; code: string; parent: string | null }>(
    db,
    sql`SELECT row_id AS id, fields->>'code' AS code, fields->>'parent_id' AS parent FROM rows WHERE table_name = 'org_units'`,
  )
  const children = new Map<string, string[]>()
  for (const u of units) if (u.parent) children.set(u.parent, [...(children.get(u.parent) ?? []), u.id])
  const codeOf = new Map(units.map((u) => [u.id, u.code]))
  const scope = new Set(assigned)
  const queue = units.filter((u) => scope.has(u.code)).map((u) => u.id)
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      const code = codeOf.get(child)
      if (code && !scope.has(code)) {
        scope.add(code)
        queue.push(child)
      }
    }
  }
  return [...scope].sort()
}

export const scopeHash = (scope: Scope) =>
  createHash('sha256')
    .update(scope === '*' ? '*' : scope.join('\n'))
    .digest('hex')
    .slice(0, 16)
const inScope = (scope: Scope, region: string | null) => region === null || scope === '*' || scope.includes(region)

function scopeFilter(scope: Scope): SQL | undefined {
  if (scope === '*') return undefined
  return scope.length === 0 ? isNull(rows.region) : or(isNull(rows.region), inArray(rows.region, scope))
}

type Lookup = (table: string, rowId: string) => Promise<{ region: string | null } | undefined>

/**
 * The region a row belongs to, from its fields and its table's region rule (shared/sync/registry.ts);
 * null for global HQ data; undefined when it cannot be known (a referenced row is unknown, or the
 * table has no rule): such a row is in no device's scope.
 */
export async function regionOf(table: string, fields: Record<string, unknown>, lookup: Lookup): Promise<string | null | undefined> {
  const rule = syncEntry(table)?.region
  if (!rule) return undefined
  if (rule.kind === 'global') return null
  if (rule.kind === 'self') return typeof fields[rule.field] === 'string' ? (fields[rule.field] as string) : undefined
  const target = rule.kind === 'via' ? rule.table : fields[rule.tableField]
  const ref = fields[rule.field]
  if (typeof target !== 'string' || typeof ref !== 'string') return undefined
  return (await lookup(target, ref))?.region ?? undefined
}

function validate(change: WireChange, exists: boolean, role: DevicePrincipal['role']): string | undefined {
  if (isPlaceholder(change)) return 'set_aside_on_device: the device kept this change aside and sent no fields'
  const table = deviceTables.get(change.table_name)
  if (!table) return `unknown_table: ${change.table_name}`
  // Who may change the table: its writers in the registry (within their regions, checked after merge).
  if (!mayWrite(change.table_name, role))
    return table.syncClass === 'hq'
      ? `read_only_table: ${change.table_name} is HQ master data`
      : `read_only_role: a ${role} may not change ${change.table_name}`
  for (const [field, value] of Object.entries(change.fields)) {
    const column = table.columns.get(field)
    if (!column) return `unknown_field: ${change.table_name}.${field}`
    const problem = valueProblem(column, value)
    if (problem) return `invalid_value: ${problem}`
    if (!(field in change.base)) return `missing_base: ${field}`
  }
  // The value rules the device enforces (shared/rules.ts): clean text, lengths, dates that exist,
  // ids, hashes, boundary sizes. The reason names the field and rule, never the value.
  const broken = rowProblems(change.table_name, change.fields, change.op === 'insert' ? change.row_id : undefined)
  if (broken.length)
    return `invalid_value: ${broken
      .slice(0, 5)
      .map((i) => describeIssue(change.table_name, i))
      .join('; ')}`
  if (!exists) {
    if (change.op !== 'insert') return `unknown_row: ${change.table_name} ${change.row_id} is not on the server`
    for (const column of table.columns.values())
      if (column.notNull && !column.hasDefault && change.fields[column.name] == null) return `missing_field: ${column.name} is required`
  }
  return undefined
}

/**
 * Who may place an org unit where: only an admin makes a top-level unit or moves one to the top;
 * everyone else may give a unit (new or moved) only a parent inside the regions they write. The
 * parent is always at a higher level (county > center > grid > microgrid; a grid may sit right
 * under its county), which also rules out cycles. Reasons name the rule, never the values.
 */
async function parentProblem(
  principal: DevicePrincipal,
  write: Scope,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  load: (t: string, id: string) => Promise<Loaded | undefined>,
): Promise<string | undefined> {
  const parentId = (after.parent_id ?? null) as string | null
  if (before && (before.parent_id ?? null) === parentId && before.level === after.level) return undefined
  if (parentId === null) return principal.role === 'admin' ? undefined : 'reparent_outside_scope: only an admin makes or moves a top-level org unit'
  const parent = await load('org_units', parentId)
  if (!parent || parent.stored.fields.deleted_at != null) return 'unknown_region: the parent org unit is not on the server'
  if (!inScope(write, parent.region)) return 'reparent_outside_scope: the new parent org unit is outside your regions'
  const rank = (level: unknown) => orgLevels.indexOf(level as (typeof orgLevels)[number])
  const parentRank = rank(parent.stored.fields.level)
  if (parentRank < 0 || parentRank >= rank(after.level)) return 'parent_level: the parent must be at a higher level'
  return undefined
}

export class SeqGapError extends Error {
  constructor(readonly expected: number) {
    super(`expected device_seq ${expected} next`)
  }
}

/**
 * Applies a batch in one transaction. Changes at or below the device's last_device_seq are replays:
 * they get their recorded answer and change nothing.
 */
/** A batch some of whose changes were rejected, pushed with `atomic`: nothing of it was written. */
export class BatchRejectedError extends Error {
  constructor(readonly results: ChangeResult[]) {
    super(`${results.filter((r) => r.status === 'rejected').length} change(s) rejected; nothing was written`)
  }
}

export async function push(
  db: HqDb,
  principal: DevicePrincipal,
  request: Pick<PushRequest, 'changes'>,
  pullCursor?: number,
  /** All or nothing (an admin's master-data import): any rejected change rolls the batch back. */
  options: { atomic?: boolean } = {},
): Promise<{ results: ChangeResult[]; lastDeviceSeq: number }> {
  const changes = [...request.changes].sort((a, b) => a.device_seq - b.device_seq)
  return db.transaction(async (tx) => {
    await lockWrites(tx)
    const read = await scopeOf(tx, principal)
    const scope = { read, write: await writeScopeOf(tx, principal, read) }
    const progress = (await tx.select().from(deviceProgress).where(eq(deviceProgress.deviceId, principal.deviceId)))[0]
    let last = progress?.lastDeviceSeq ?? 0
    const replayed = new Map(
      (
        await tx
          .select({ seq: changesLog.deviceSeq, result: changesLog.result })
          .from(changesLog)
          .where(
            and(
              eq(changesLog.deviceId, principal.deviceId),
              lte(changesLog.deviceSeq, last),
              inArray(
                changesLog.deviceSeq,
                changes.map((c) => c.device_seq),
              ),
            ),
          )
      ).map((r) => [r.seq, r.result as ChangeResult]),
    )
    const cache = new Map<string, Loaded | null>()
    const key = (t: string, id: string) => `${t}\u0000${id}`
    const load = async (t: string, id: string) => {
      const k = key(t, id)
      if (!cache.has(k)) {
        const row = (
          await tx
            .select()
            .from(rows)
            .where(and(eq(rows.tableName, t), eq(rows.rowId, id)))
        )[0]
        cache.set(k, row ? { stored: { fields: row.fields, versions: row.versions }, region: row.region, seq: row.serverSeq, writer: row.writerDevice } : null)
      }
      return cache.get(k) ?? undefined
    }
    const aliases: VersionAliases = new Map()
    const results: ChangeResult[] = []
    for (const change of changes) {
      if (change.device_seq <= last) {
        const answer = replayed.get(change.device_seq) ?? {
          device_seq: change.device_seq,
          change_id: change.change_id,
          status: 'rejected',
          reason: 'replay_unknown',
        }
        // Its answer still tells the later changes of this batch which versions the device holds.
        for (const [field, held] of Object.entries(answer.server ?? {}))
          if (held.outcome === 'same' && held.version) aliasSame(aliases, change, field, held.version)
        results.push(answer)
        continue
      }
      if (change.device_seq !== last + 1) throw new SeqGapError(last + 1)
      const result = await applyOne(tx, principal, scope, change, load, aliases, (t, id, value) => cache.set(key(t, id), value), pullCursor)
      await tx.insert(changesLog).values({
        deviceId: principal.deviceId,
        deviceSeq: change.device_seq,
        changeId: change.change_id,
        tableName: change.table_name,
        rowId: change.row_id,
        hlc: change.hlc,
        op: change.op,
        // A change refused for its values is logged without them (they may not even be storable).
        fields: result.status === 'rejected' && result.reason?.startsWith('invalid_value') ? {} : change.fields,
        base: change.base,
        schemaVersion: change.schema_version,
        result,
      })
      results.push(result)
      last = change.device_seq
    }
    await tx
      .insert(deviceProgress)
      .values({ deviceId: principal.deviceId, lastDeviceSeq: last, lastPushAt: sql`now()` })
      .onConflictDoUpdate({ target: deviceProgress.deviceId, set: { lastDeviceSeq: last, lastPushAt: sql`now()` } })
    if (options.atomic && results.some((r) => r.status === 'rejected')) throw new BatchRejectedError(results)
    crashPoint('server.push-applied')
    return { results, lastDeviceSeq: last }
  })
}

/** A stored row as push sees it: its merge state, region, seq and who wrote it. */
interface Loaded {
  stored: StoredRow
  region: string | null
  seq: number
  writer: string | null
}

/**
 * Whether the device writing this change will hold exactly the row the server stores, so pull
 * need not send it back. After a push the device holds, for the fields it sent, what the server
 * kept (the results carry every value it did not take, and the device adopts them); for the
 * other fields, what it had pulled. So the stored row is the device's when the device already
 * held the version the merge started from: a new row; a version this device wrote cleanly
 * (writer_device); or a version at or below the pull cursor the device had when it pushed.
 * (Not the cursor of a later pull: pages pulled after the push skip past that version.)
 * A device that had a change of this row rejected still holds its own refused value: never clean.
 */
async function cleanWriter(tx: HqTx, deviceId: string, change: WireChange, current: Loaded | undefined, pullCursor: number | undefined): Promise<boolean> {
  if (current && current.writer !== deviceId && (pullCursor === undefined || current.seq > pullCursor)) return false
  const rejected = await query<{ one: number }>(
    tx,
    sql`SELECT 1 AS one FROM changes_log WHERE table_name = ${change.table_name} AND row_id = ${change.row_id} AND device_id = ${deviceId} AND result->>'status' = 'rejected' LIMIT 1`,
  )
  return rejected.length === 0
}

async function applyOne(
  tx: HqTx,
  principal: DevicePrincipal,
  scope: { read: Scope; write: Scope },
  change: WireChange,
  load: (t: string, id: string) => Promise<Loaded | undefined>,
  aliases: VersionAliases,
  remember: (t: string, id: string, value: Loaded) => void,
  pullCursor: number | undefined,
): Promise<ChangeResult> {
  const head = { device_seq: change.device_seq, change_id: change.change_id }
  const current = await load(change.table_name, change.row_id)
  // A refused change tells the device what the server holds of its fields (within the device's
  // regions only), so the device shows that instead of its refused value; or that there is no such row.
  const reject = (reason: string): ChangeResult => {
    const result: ChangeResult = { ...head, status: 'rejected', reason }
    if (reason === 'outside_region' || isPlaceholder(change)) return result
    if (!current || !inScope(scope.read, current.region)) return { ...result, absent: true }
    const server: Record<string, ServerField> = {}
    for (const field of Object.keys(change.fields))
      if (deviceTables.get(change.table_name)?.columns.has(field))
        server[field] = { value: current.stored.fields[field] ?? null, version: current.stored.versions[field] ?? null, outcome: 'rejected' }
    return Object.keys(server).length > 0 ? { ...result, server } : result
  }
  const problem = validate(change, current !== undefined, principal.role)
  if (problem) return reject(problem)
  if (principal.role === 'hq_analyst' && scope.write !== '*' && scope.write.length === 0)
    return reject('read_only_role: an HQ analyst reads only; an admin grants writing in a region with region assign')
  // Outside the device's regions: refused without saying anything about the row the server holds.
  if (current && !inScope(scope.read, current.region)) return reject('outside_region')
  if (current && !inScope(scope.write, current.region)) return reject('outside_write_region')
  // Derived values (value_tier) sent by an older app are not data: never stored, never a conflict.
  const merged = Object.keys(change.fields).some((f) => isDerived(change.table_name, f))
    ? { ...change, fields: Object.fromEntries(Object.entries(change.fields).filter(([f]) => !isDerived(change.table_name, f))) }
    : change
  const outcome = mergeChange(current?.stored, merged, aliases)
  const region = await regionOf(change.table_name, outcome.next.fields, load)
  if (region === undefined) return reject('unknown_region: the row refers to a grid or record the server does not hold')
  if (!inScope(scope.write, region)) return reject(inScope(scope.read, region) ? 'outside_write_region' : 'outside_region')
  const misplaced =
    change.table_name === 'org_units' ? await parentProblem(principal, scope.write, current?.stored.fields, outcome.next.fields, load) : undefined
  if (misplaced) return reject(misplaced)
  if (outcome.changed) {
    const version = rowVersion(outcome.next.versions)
    const clean = await cleanWriter(tx, principal.deviceId, change, current, pullCursor)
    const values = {
      fields: outcome.next.fields,
      versions: outcome.next.versions,
      version,
      region,
      deleted: outcome.next.fields.deleted_at != null,
      serverSeq: await nextSeq(tx),
      writerDevice: clean ? principal.deviceId : null,
      updatedAt: sql`now()`,
    }
    await tx
      .insert(rows)
      .values({ tableName: change.table_name, rowId: change.row_id, ...values })
      .onConflictDoUpdate({ target: [rows.tableName, rows.rowId], set: values })
    remember(change.table_name, change.row_id, { stored: outcome.next, region, seq: values.serverSeq, writer: values.writerDevice })
  }
  for (const c of outcome.conflicts) {
    // One open conflict per field: a later conflicting change refreshes it with the latest values.
    const open = await tx
      .select({ id: conflicts.id })
      .from(conflicts)
      .where(and(eq(conflicts.tableName, change.table_name), eq(conflicts.rowId, change.row_id), eq(conflicts.field, c.field), isNull(conflicts.resolvedAt)))
      .limit(1)
    if (open[0]) {
      await tx
        .update(conflicts)
        .set({
          serverValue: c.serverValue ?? null,
          serverHlc: c.serverHlc,
          deviceValue: c.deviceValue ?? null,
          deviceHlc: change.hlc,
          deviceId: principal.deviceId,
          changeId: change.change_id,
        })
        .where(eq(conflicts.id, open[0].id))
      continue
    }
    await tx.insert(conflicts).values({
      id: uuidv7(),
      tableName: change.table_name,
      rowId: change.row_id,
      field: c.field,
      serverValue: c.serverValue ?? null,
      serverHlc: c.serverHlc,
      deviceValue: c.deviceValue ?? null,
      deviceHlc: change.hlc,
      deviceId: principal.deviceId,
      changeId: change.change_id,
    })
  }
  const result: ChangeResult = { ...head, status: outcome.status }
  if (Object.keys(outcome.server).length > 0) result.server = outcome.server
  return result
}

/** The store's epochs, oldest first: [id, first server_seq of the epoch]. */
type Epochs = [string, number][]
const MAX_EPOCHS = 1000

async function epochsOf(db: HqDb | HqTx): Promise<Epochs> {
  const stored = await getMeta(db, 'epochs')
  return stored ? (JSON.parse(stored) as Epochs) : []
}

/**
 * Starts a new epoch of the store: every server start does. A device remembers the epoch and the
 * cursor it pulled to; a cursor past the end of its epoch (or an epoch the store never had) means
 * the store was restored from a backup older than what the device saw.
 */
export async function startEpoch(db: HqDb): Promise<string> {
  return db.transaction(async (tx) => {
    await lockWrites(tx)
    const seq = (await query<{ last: string; called: boolean }>(tx, sql`SELECT last_value::text AS last, is_called AS called FROM server_seq`))[0]!
    const first = Number(seq.last) + (seq.called ? 1 : 0)
    const id = uuidv7()
    const epochs = [...(await epochsOf(tx)), [id, first] as [string, number]].slice(-MAX_EPOCHS)
    await tx
      .insert(serverMeta)
      .values({ key: 'epochs', value: JSON.stringify(epochs) })
      .onConflictDoUpdate({ target: serverMeta.key, set: { value: JSON.stringify(epochs), updatedAt: sql`now()` } })
    return id
  })
}

/** Whether a device that pulled to `cursor` in `epoch` saw rows this store does not hold. */
function restoredSince(epochs: Epochs, epoch: string, cursor: number): boolean {
  if (cursor === 0 || epochs.at(-1)?.[0] === epoch) return false
  const i = epochs.findIndex(([id]) => id === epoch)
  if (i < 0) return true
  const next = epochs[i + 1]
  return next !== undefined && cursor > next[1] - 1
}

export async function getMeta(db: HqDb | HqTx, key: string): Promise<string | undefined> {
  return (await db.select().from(serverMeta).where(eq(serverMeta.key, key)))[0]?.value
}

export interface PullQuery {
  cursor: number
  limit: number
  /** The scope hash the device's cursor belongs to (absent on a first pull). */
  scope?: string
  /** Restrict to these regions (must be inside the user's scope). */
  regions?: string[]
  /**
   * Leave out rows whose current version this device wrote and already holds (see cleanWriter).
   * The device asks for it on incremental pulls only, never while refetching: a refetch must see
   * every row, or it would drop the ones not sent.
   */
  skipOwn?: boolean
  /** The device's protocol: 1 gets rows with a version per field. */
  protocol?: 1 | 2
  /** Also count the rows still to pull from the cursor (the device's progress bar). */
  count?: boolean
  /** The store epoch the device's cursor belongs to. */
  epoch?: string
  /** Tables the device's sync schema version does not know (shared/sync/versions.ts): not sent, not in the checkpoint. */
  excludeTables?: string[]
}

export class OutsideScopeError extends Error {}

/**
 * A pull's answer before encoding. Protocol 2: each row as JSON text the database built (WireRow),
 * which app.ts splices into the response without parsing; protocol 1: rows as objects.
 */
export type PullResult =
  | Extract<PullResponse, { must_refetch: true }>
  | (Omit<Extract<PullResponse, { must_refetch: false }>, 'rows'> & ({ protocol: 1; rows: PulledRowV1[] } | { protocol: 2; wire: string[] }))

export async function pull(db: HqDb, principal: DevicePrincipal, request: PullQuery): Promise<PullResult> {
  return db.transaction(
    async (tx) => {
      const serverTime = new Date().toISOString()
      let scope = await scopeOf(tx, principal)
      if (request.regions) {
        const outside = request.regions.filter((r) => !inScope(scope, r))
        if (outside.length > 0) throw new OutsideScopeError(`regions outside your assignment: ${outside.join(', ')}`)
        scope = [...request.regions].sort()
      }
      const hash = scopeHash(scope)
      const progress = (await tx.select().from(deviceProgress).where(eq(deviceProgress.deviceId, principal.deviceId)))[0]
      const maxSeq = Number((await query<{ m: string }>(tx, sql`SELECT coalesce(max(server_seq), 0)::text AS m FROM rows`))[0]!.m)
      const purgedBelow = Number((await getMeta(tx, 'purged_below_seq')) ?? 0)
      const epochs = await epochsOf(tx)
      const epoch = epochs.at(-1)?.[0]
      const lastDeviceSeq = progress?.lastDeviceSeq ?? 0
      const refetch = (reason: 'scope_changed' | 'cursor_too_old' | 'cursor_ahead' | 'hq_restored'): PullResult => {
        const before = progress?.pullScope ?? []
        const removed = scope === '*' ? [] : before.filter((r) => r !== '*' && !scope.includes(r))
        return {
          must_refetch: true,
          reason,
          region_removed: removed,
          scope: hash,
          server_time: serverTime,
          last_device_seq: lastDeviceSeq,
          ...(epoch ? { epoch } : {}),
        }
      }
      if (request.epoch && restoredSince(epochs, request.epoch, request.cursor)) return refetch('hq_restored')
      if (request.cursor > 0 && request.scope !== undefined && request.scope !== hash) return refetch('scope_changed')
      // Purging the newest rows lowers max(server_seq); a cursor up to the purged ones was real.
      if (request.cursor > Math.max(maxSeq, purgedBelow)) return refetch('cursor_ahead')
      if (request.cursor > 0 && request.cursor < purgedBelow) return refetch('cursor_too_old')

      const filter = scopeFilter(scope)
      const own = request.skipOwn && request.cursor > 0 ? sql`${rows.writerDevice} IS DISTINCT FROM ${principal.deviceId}` : undefined
      const excluded = request.excludeTables?.length ? request.excludeTables : undefined
      const where = and(gt(rows.serverSeq, request.cursor), filter, own, excluded ? notInArray(rows.tableName, excluded) : undefined)
      let page: { serverSeq: number }[]
      let body: { protocol: 1; rows: PulledRowV1[] } | { protocol: 2; wire: string[] }
      if (request.protocol === 1) {
        const list = await tx
          .select()
          .from(rows)
          .where(where)
          .orderBy(rows.serverSeq)
          .limit(request.limit + 1)
        page = list
        body = {
          protocol: 1,
          rows: list
            .slice(0, request.limit)
            .map((r) => ({ table_name: r.tableName, row_id: r.rowId, fields: r.fields, versions: r.versions, deleted: r.deleted, server_seq: r.serverSeq })),
        }
      } else {
        const list = await tx
          .select({
            serverSeq: rows.serverSeq,
            wire: sql<string>`json_build_array(${rows.tableName}, ${rows.rowId}, ${rows.packedVersions}->0, ${rows.fields}, nullif(${rows.packedVersions}->1, '{}'::jsonb))::text`,
          })
          .from(rows)
          .where(where)
          .orderBy(rows.serverSeq)
          .limit(request.limit + 1)
        page = list
        body = { protocol: 2, wire: list.slice(0, request.limit).map((r) => r.wire) }
      }
      const hasMore = page.length > request.limit
      const remaining = request.count
        ? Number(
            (
              await tx
                .select({ n: sql<string>`count(*)::text` })
                .from(rows)
                .where(where)
            )[0]!.n,
          )
        : undefined
      // Past the last row in scope, the cursor jumps to the newest seq: rows of other regions are never rescanned.
      const nextCursor = hasMore ? page[request.limit - 1]!.serverSeq : Math.max(request.cursor, maxSeq)
      await tx
        .insert(deviceProgress)
        .values({ deviceId: principal.deviceId, lastPullCursor: request.cursor, pullScope: scope === '*' ? ['*'] : scope, lastPullAt: sql`now()` })
        .onConflictDoUpdate({
          target: deviceProgress.deviceId,
          set: { lastPullCursor: request.cursor, pullScope: scope === '*' ? ['*'] : scope, lastPullAt: sql`now()` },
        })
      const response: PullResult = {
        must_refetch: false,
        ...body,
        next_cursor: nextCursor,
        has_more: hasMore,
        ...(remaining === undefined ? {} : { remaining }),
        scope: hash,
        regions: scope === '*' ? ['*'] : scope,
        server_time: serverTime,
        last_device_seq: lastDeviceSeq,
        ...(epoch ? { epoch } : {}),
      }
      // Past the last page the cursor is at or past every row in this snapshot: the checkpoint is
      // the whole scope, read from the per-region aggregates the triggers keep.
      // An older device's checkpoint leaves out the tables it does not know: counted by a scan.
      if (!hasMore)
        response.checkpoint = { cursor: nextCursor, ...(excluded ? await checkpoint(tx, scope, nextCursor, excluded) : await scopeChecksum(tx, scope)) }
      return response
    },
    { isolationLevel: 'repeatable read' },
  )
}

/** The checkpoint of every row in scope, from region_checksums (kept by triggers on `rows`). */
export async function scopeChecksum(tx: HqDb | HqTx, scope: Scope): Promise<{ rows: number; hash: string }> {
  const keys = scope === '*' ? undefined : ['(global)', ...scope]
  const result = await query<{ n: string; h: string }>(
    tx,
    sql`
    SELECT coalesce(sum(${regionChecksums.rows}), 0)::text AS n, coalesce(bit_xor(${regionChecksums.hash}), 0)::text AS h
    FROM ${regionChecksums} ${keys ? sql`WHERE ${inArray(regionChecksums.regionKey, keys)}` : sql``}`,
  )
  return { rows: Number(result[0]!.n), hash: result[0]!.h }
}

/**
 * Count and XOR-of-md5 hash of (table:row:version) over the live rows in scope up to a cursor
 * (tombstones are not counted), by scanning them: the reference scopeChecksum is tested against.
 */
export async function checkpoint(tx: HqDb | HqTx, scope: Scope, cursor: number, excludeTables: string[] = []): Promise<{ rows: number; hash: string }> {
  const where = and(
    lte(rows.serverSeq, cursor),
    eq(rows.deleted, false),
    scopeFilter(scope),
    excludeTables.length ? notInArray(rows.tableName, excludeTables) : undefined,
  )
  const result = await query<{ n: string; h: string }>(
    tx,
    sql`
    SELECT count(*)::text AS n,
      coalesce(bit_xor(('x' || substr(md5(table_name || ':' || row_id || ':' || version), 1, 16))::bit(64)::bigint), 0)::text AS h
    FROM rows WHERE ${where}`,
  )
  return { rows: Number(result[0]!.n), hash: result[0]!.h }
}

/**
 * HQ master data (grids, villages, indicators ...) written by the server itself: every field
 * gets the given HLC as its version. Rows whose region cannot be resolved yet are written in a
 * second pass (a village after its grid).
 */
export async function upsertMasterRows(db: HqDb, table: string, list: { id: string; fields: Record<string, unknown> }[], hlc: string): Promise<number> {
  return db.transaction(async (tx) => {
    await lockWrites(tx)
    // Regions of the rows this table refers to, loaded once (a county's visits refer to 200k rows).
    const rule = syncEntry(table)?.region
    const regionCache = new Map<string, string | null>()
    if (rule?.kind === 'via') {
      const refs = await query<{ row_id: string; region: string | null }>(tx, sql`SELECT row_id, region FROM rows WHERE table_name = ${rule.table}`)
      for (const r of refs) regionCache.set(`${rule.table}\u0000${r.row_id}`, r.region)
    }
    const lookup: Lookup = async (t, id) => {
      const k = `${t}\u0000${id}`
      if (!regionCache.has(k)) {
        const row = (
          await tx
            .select({ region: rows.region })
            .from(rows)
            .where(and(eq(rows.tableName, t), eq(rows.rowId, id)))
        )[0]
        if (!row) return undefined
        regionCache.set(k, row.region)
      }
      return { region: regionCache.get(k) ?? null }
    }
    // Multi-row upserts; each row still takes its own server_seq, in list order.
    // An id listed twice keeps its last fields (one statement cannot upsert a row twice).
    const unique = [...new Map(list.map((item) => [item.id, item])).values()]
    const CHUNK = 500
    for (let i = 0; i < unique.length; i += CHUNK) {
      const values = []
      for (const item of unique.slice(i, i + CHUNK)) {
        const versions = Object.fromEntries(Object.keys(item.fields).map((f) => [f, hlc]))
        const resolved = await regionOf(table, item.fields, lookup)
        // Unresolvable: '' is in no device's scope (HQ roles still see it).
        const region = resolved === undefined ? '' : resolved
        values.push({
          tableName: table,
          rowId: item.id,
          fields: item.fields,
          versions,
          version: hlc,
          region,
          deleted: item.fields.deleted_at != null,
          serverSeq: sql`nextval('server_seq')`,
          writerDevice: null,
          updatedAt: sql`now()`,
        })
        regionCache.set(`${table}\u0000${item.id}`, region)
      }
      await tx
        .insert(rows)
        .values(values as never)
        .onConflictDoUpdate({
          target: [rows.tableName, rows.rowId],
          set: {
            fields: sql`excluded.fields`,
            versions: sql`excluded.versions`,
            version: sql`excluded.version`,
            region: sql`excluded.region`,
            deleted: sql`excluded.deleted`,
            serverSeq: sql`excluded.server_seq`,
            writerDevice: null,
            updatedAt: sql`now()`,
          },
        })
    }
    return list.length
  })
}

/** Days a tombstone is kept before purgeTombstones may drop it (docs/sync.md: at least 180). */
export const TOMBSTONE_RETENTION_DAYS = 180

/**
 * Drops tombstones older than `days` (by their last write). A device whose cursor is below the
 * newest purged row may have missed a delete, so its next pull is told to refetch
 * (purged_below_seq, cursor_too_old); devices that saw the tombstones are not affected, since
 * checkpoints count live rows only.
 */
export async function purgeTombstones(db: HqDb, days = TOMBSTONE_RETENTION_DAYS): Promise<{ purged: number; purgedBelowSeq: number }> {
  if (!(Number.isFinite(days) && days >= TOMBSTONE_RETENTION_DAYS)) throw new RangeError(`tombstones are kept at least ${TOMBSTONE_RETENTION_DAYS} days`)
  return db.transaction(async (tx) => {
    await lockWrites(tx)
    const gone = await query<{ seq: string }>(
      tx,
      sql`DELETE FROM rows WHERE deleted AND updated_at < now() - make_interval(days => ${Math.floor(days)}) RETURNING server_seq::text AS seq`,
    )
    const before = Number((await getMeta(tx, 'purged_below_seq')) ?? 0)
    const below = gone.reduce((m, r) => Math.max(m, Number(r.seq)), before)
    if (below !== before)
      await tx
        .insert(serverMeta)
        .values({ key: 'purged_below_seq', value: String(below) })
        .onConflictDoUpdate({ target: serverMeta.key, set: { value: String(below) } })
    return { purged: gone.length, purgedBelowSeq: below }
  })
}
