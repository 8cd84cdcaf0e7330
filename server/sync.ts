// Push and pull over the generic `rows` table: idempotent push by device_seq with field-level
// merge, region-scoped pull by server_seq with checkpoints. Pushes run side by side: each locks its
// device and the rows it changes. Their server_seq values may then commit out of order, so a pull
// reads up to a visibility horizon below the seqs of writes still in flight (docs/sync.md).
import pg from 'pg'
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
import { changesLog, deviceProgress, regionChecksums, rows, serverMeta, userRegions } from './db/schema'
import { deviceTables, valueProblem } from './deviceSchema'
import { aliasSame, mergeChange, rowVersion, splitVersions, type FieldConflict, type StoredRow, type VersionAliases } from '../shared/sync/kernel'
import { mayWrite, syncEntry } from '../shared/sync/registry'

// Advisory lock keys. One-key (bigint) locks: WRITE_LOCK, taken shared by every push and
// exclusively by the server's own bulk writes; IN_FLIGHT_BASE + a seq, held by a writer from just
// before it takes seqs above that one until it ends (read back from pg_locks by pull). Two-key
// locks: a device's pushes (one at a time per device: a retried request waits for the first).
const WRITE_LOCK = 0x67726964 // 'grid'
const IN_FLIGHT_BASE = 2 ** 52
const DEVICE_LOCKS = 0x67726401

/** Whether other connections write the store at the same time (PostgreSQL; PGlite has one connection). */
export function hasConcurrentWriters(db: HqDb | HqTx): boolean {
  return (db as unknown as { $client?: unknown }).$client instanceof pg.Pool
}

/** The sequence's last handed-out value (0 before the first): every later seq is above it. */
const SEQ_NOW = sql.raw(`(last_value - (NOT is_called)::int)`)

/** Announces to pulls that this transaction may take server_seq values above the current one. */
async function markInFlight(tx: HqTx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock_shared(${IN_FLIGHT_BASE}::bigint + ${SEQ_NOW}) FROM server_seq`)
}

/** The server's own bulk writes (master data, epochs, purges): alone, no push beside them. */
export async function lockWrites(tx: HqTx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`)
  await markInFlight(tx)
}

/**
 * The greatest server_seq a pull may hand out as its cursor: every row at or below it that will
 * ever commit has committed. Read before the pull's snapshot, in this order: the sequence, then
 * the in-flight marks. A writer marks itself before it takes a seq, with a key below it; so a seq
 * at or below the sequence's value was either taken by a writer whose mark is read here, or its
 * writer has finished (and the snapshot taken after sees its rows). Infinity: no other writers.
 */
export async function visibleHorizon(db: HqDb): Promise<number> {
  if (!hasConcurrentWriters(db)) return Number.POSITIVE_INFINITY
  const found = await query<{ seq: string; mark: string | null }>(
    db,
    // The marks' subquery refers to the sequence's row, so it runs after the sequence is read.
    sql`SELECT s.seq::text AS seq, (
          SELECT min(((classid::bigint << 32) | objid::bigint) - ${IN_FLIGHT_BASE}::bigint) FROM pg_locks
          WHERE locktype = 'advisory' AND objsubid = 1 AND classid::bigint >= ${IN_FLIGHT_BASE / 2 ** 32} AND s.seq IS NOT NULL
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))::text AS mark
        FROM (SELECT ${SEQ_NOW} AS seq FROM server_seq) s`,
  )
  const seq = Number(found[0]!.seq)
  return found[0]!.mark == null ? seq : Math.min(seq, Number(found[0]!.mark))
}

/** Raw SQL rows: PGlite and node-postgres both answer `{ rows }`. */
export async function query<T>(db: HqDb | HqTx, statement: SQL): Promise<T[]> {
  return ((await db.execute(statement)) as unknown as { rows: T[] }).rows
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
  return descendantsScope(
    assigned,
    units.map((u) => [u.id, u.code, u.parent]),
  )
}

/** The assigned codes and the codes of the org units below them ([id, code, parent id] each). */
function descendantsScope(assigned: string[], units: [string, string | null, string | null][]): string[] {
  if (assigned.length === 0) return []
  const children = new Map<string, string[]>()
  for (const [id, , parent] of units) if (parent) children.set(parent, [...(children.get(parent) ?? []), id])
  const codeOf = new Map(units.map(([id, code]) => [id, code]))
  const scope = new Set(assigned)
  const queue = units.filter(([, code]) => code !== null && scope.has(code)).map(([id]) => id)
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

/**
 * What a sync request needs to know before it reads or writes rows, in one statement: the user's
 * read and write scope (their assigned codes and the org units, put together as scopeOf and
 * writeScopeOf do), the device's progress, and for a pull the newest seq, the purge horizon and
 * the store's epochs. (Six statements each way before: a round trip each, under a peak's load.)
 */
async function syncContext(
  tx: HqTx,
  principal: DevicePrincipal,
): Promise<{
  read: Scope
  write: Scope
  progress?: { lastDeviceSeq: number; pullScope: string[] | null }
  maxSeq: number
  purgedBelow: number
  epochs: Epochs
}> {
  const found = (
    await query<{
      assigned: string[] | null
      units: [string, string | null, string | null][] | null
      progress: { last: number; scope: string[] | null } | null
      max_seq: string
      purged: string | null
      epochs: string | null
    }>(
      tx,
      sql`SELECT (SELECT json_agg(region_code) FROM ${userRegions} WHERE user_id = ${principal.userId}) AS assigned,
          (SELECT json_agg(json_build_array(row_id, fields->>'code', fields->>'parent_id')) FROM rows WHERE table_name = 'org_units') AS units,
          (SELECT json_build_object('last', last_device_seq, 'scope', pull_scope) FROM ${deviceProgress} WHERE device_id = ${principal.deviceId}) AS progress,
          (SELECT coalesce(max(server_seq), 0) FROM rows)::text AS max_seq,
          (SELECT value FROM ${serverMeta} WHERE key = 'purged_below_seq') AS purged,
          (SELECT value FROM ${serverMeta} WHERE key = 'epochs') AS epochs`,
    )
  )[0]!
  const assigned = found.assigned ?? []
  const own = assigned.length === 0 ? [] : descendantsScope(assigned, found.units ?? [])
  const read: Scope = principal.role === 'admin' || principal.role === 'hq_analyst' ? '*' : own
  return {
    read,
    write: principal.role === 'hq_analyst' ? own : read,
    progress: found.progress ? { lastDeviceSeq: Number(found.progress.last), pullScope: found.progress.scope } : undefined,
    maxSeq: Number(found.max_seq),
    purgedBelow: Number(found.purged ?? 0),
    epochs: found.epochs ? (JSON.parse(found.epochs) as Epochs) : [],
  }
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

/** A batch some of whose changes were rejected, pushed with `atomic`: nothing of it was written. */
export class BatchRejectedError extends Error {
  constructor(readonly results: ChangeResult[]) {
    super(`${results.filter((r) => r.status === 'rejected').length} change(s) rejected; nothing was written`)
  }
}

/** A row the batch read as absent was inserted by another push meanwhile: the batch runs again. */
class RowRaceError extends Error {}

/**
 * Applies a batch in one transaction, in a handful of statements whatever its size. Changes at or
 * below the device's last_device_seq are replays: they get their recorded answer and change nothing.
 */
export async function push(
  db: HqDb,
  principal: DevicePrincipal,
  request: Pick<PushRequest, 'changes'>,
  pullCursor?: number,
  /** All or nothing (an admin's master-data import): any rejected change rolls the batch back. */
  options: { atomic?: boolean } = {},
): Promise<{ results: ChangeResult[]; lastDeviceSeq: number }> {
  const changes = [...request.changes].sort((a, b) => a.device_seq - b.device_seq)
  const concurrent = hasConcurrentWriters(db)
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => pushBatch(tx, principal, changes, pullCursor, options, concurrent))
    } catch (error) {
      if (!(error instanceof RowRaceError || transient(error)) || attempt >= 5) throw error
    }
  }
}

/**
 * A transaction PostgreSQL rolled back because another one ran beside it: a serialization failure
 * (a pull's repeatable-read snapshot and the device's progress row written meanwhile, as when a
 * device prefetches its next page) or a deadlock. Nothing was written: it runs again.
 */
function transient(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (code === '40001' || code === '40P01') return true
  }
  return false
}

async function pushBatch(
  tx: HqTx,
  principal: DevicePrincipal,
  changes: WireChange[],
  pullCursor: number | undefined,
  options: { atomic?: boolean },
  concurrent: boolean,
): Promise<{ results: ChangeResult[]; lastDeviceSeq: number }> {
  // Beside other pushes (the server's bulk writes wait), one at a time per device.
  await tx.execute(sql`SELECT pg_advisory_xact_lock_shared(${WRITE_LOCK}), pg_advisory_xact_lock(${DEVICE_LOCKS}, hashtext(${principal.deviceId}))`)
  const context = await syncContext(tx, principal)
  const scope = { read: context.read, write: context.write }
  let last = context.progress?.lastDeviceSeq ?? 0
  const replays = changes.filter((c) => c.device_seq <= last).map((c) => c.device_seq)
  const replayed = new Map(
    replays.length === 0
      ? []
      : (
          await tx
            .select({ seq: changesLog.deviceSeq, result: changesLog.result })
            .from(changesLog)
            .where(and(eq(changesLog.deviceId, principal.deviceId), inArray(changesLog.deviceSeq, replays)))
        ).map((r) => [r.seq, r.result as ChangeResult]),
  )
  // The batch's rows, locked against other pushes of the same rows (in one order: no deadlock) and
  // read in one statement; then the rows they refer to and this device's earlier rejections of them.
  const fresh = changes.filter((c) => c.device_seq > last)
  const keys = uniqueKeys(fresh.map((c) => [c.table_name, c.row_id]))
  const cache = new Map<string, Loaded | null>()
  await loadRows(tx, keys, cache, concurrent)
  await loadRows(tx, uniqueKeys(fresh.flatMap((c) => referencedRows(c, cache.get(rowKey(c.table_name, c.row_id))?.stored.fields))), cache, false)
  const load = async (t: string, id: string) => {
    await loadRows(tx, [[t, id]], cache, false)
    return cache.get(rowKey(t, id)) ?? undefined
  }
  const batch: Batch = { writes: new Map(), conflicts: [], rejected: await rejectedRows(tx, principal.deviceId, keys), before: new Map() }
  const aliases: VersionAliases = new Map()
  const results: ChangeResult[] = []
  const log: Record<string, unknown>[] = []
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
    const result = await applyOne(principal, scope, change, load, aliases, (t, id, value) => cache.set(rowKey(t, id), value), pullCursor, batch)
    if (result.status === 'rejected') batch.rejected.add(rowKey(change.table_name, change.row_id))
    log.push({
      s: change.device_seq,
      c: change.change_id,
      t: change.table_name,
      r: change.row_id,
      h: change.hlc,
      o: change.op,
      // A change refused for its values is logged without them (they may not even be storable).
      f: result.status === 'rejected' && result.reason?.startsWith('invalid_value') ? {} : change.fields,
      b: change.base,
      v: change.schema_version,
      res: result,
    })
    results.push(result)
    last = change.device_seq
  }
  if (options.atomic && results.some((r) => r.status === 'rejected')) throw new BatchRejectedError(results)
  await writeBatch(tx, principal.deviceId, batch, log, last, concurrent)
  crashPoint('server.push-applied')
  return { results, lastDeviceSeq: last }
}

/** A stored row as push sees it: its merge state, region, seq and who wrote it. */
interface Loaded {
  stored: StoredRow
  region: string | null
  seq: number
  writer: string | null
}

/** A row as the batch writes it (keys short: they travel as JSON to jsonb_to_recordset). */
interface RowWrite {
  t: string
  r: string
  f: Record<string, unknown>
  v: Record<string, string>
  ver: string
  /** versions packed as protocol 2 sends them (splitVersions; pack_versions in SQL). */
  pv: [string | null, Record<string, string>]
  reg: string | null
  del: boolean
  w: string | null
}

/** What a push batch writes, gathered change by change and written in a few statements at the end. */
interface Batch {
  /** The final state of every row the batch changes, and whether the server held it before. */
  writes: Map<string, { row: RowWrite; existed: boolean }>
  /** Field conflicts, in change order. */
  conflicts: (FieldConflict & { table: string; rowId: string; deviceHlc: string; changeId: string })[]
  /** Rows of which this device had a change rejected (before or in this batch). */
  rejected: Set<string>
  /** The region each written row had before the batch (its checksum changes too). */
  before: Map<string, string | null>
}

/** versions as packed_versions stores them (pack_versions in SQL gives null for no versions). */
function packed(versions: Record<string, string>): RowWrite['pv'] {
  const split = splitVersions(versions)
  return [split.version || null, split.versions]
}

const rowKey = (table: string, rowId: string) => `${table}\u0000${rowId}`
const uniqueKeys = (keys: [string, string][]): [string, string][] => [...new Map(keys.map((k) => [rowKey(...k), k])).values()]
const keysJson = (keys: [string, string][]) => JSON.stringify(keys.map(([t, r]) => ({ t, r })))

/** Rows a change's region or parent check reads: what its table's region rule and parent_id point to. */
function referencedRows(change: WireChange, stored: Record<string, unknown> | undefined): [string, string][] {
  const fields = { ...stored, ...change.fields }
  const rule = syncEntry(change.table_name)?.region
  const out: [string, string][] = []
  const target = rule?.kind === 'via' ? rule.table : rule?.kind === 'via_table_field' ? fields[rule.tableField] : undefined
  const ref = rule && rule.kind !== 'self' && rule.kind !== 'global' ? fields[rule.field] : undefined
  if (typeof target === 'string' && typeof ref === 'string') out.push([target, ref])
  if (change.table_name === 'org_units' && typeof fields.parent_id === 'string') out.push(['org_units', fields.parent_id])
  return out
}

/**
 * Reads the listed rows not yet in the cache, in one statement (absent ones cached as null);
 * `lock`: FOR UPDATE, in key order, so two pushes of the same rows wait for each other.
 */
async function loadRows(tx: HqTx, keys: [string, string][], cache: Map<string, Loaded | null>, lock: boolean): Promise<void> {
  const wanted = keys.filter(([t, r]) => !cache.has(rowKey(t, r)))
  if (wanted.length === 0) return
  const found = await query<{
    t: string
    r: string
    fields: Record<string, unknown>
    versions: Record<string, string>
    region: string | null
    seq: string
    writer: string | null
  }>(
    tx,
    sql`SELECT x.table_name AS t, x.row_id AS r, x.fields, x.versions, x.region, x.server_seq::text AS seq, x.writer_device AS writer
        FROM rows x JOIN jsonb_to_recordset(${keysJson(wanted)}::jsonb) AS k(t text, r text) ON x.table_name = k.t AND x.row_id = k.r
        ${lock ? sql`ORDER BY x.table_name, x.row_id FOR UPDATE OF x` : sql``}`,
  )
  for (const [t, r] of wanted) cache.set(rowKey(t, r), null)
  for (const row of found)
    cache.set(rowKey(row.t, row.r), {
      stored: { fields: row.fields, versions: row.versions },
      region: row.region,
      seq: Number(row.seq),
      writer: row.writer,
    })
}

/** The batch's rows of which this device had a change rejected earlier. */
async function rejectedRows(tx: HqTx, deviceId: string, keys: [string, string][]): Promise<Set<string>> {
  if (keys.length === 0) return new Set()
  const found = await query<{ t: string; r: string }>(
    tx,
    sql`SELECT DISTINCT l.table_name AS t, l.row_id AS r
        FROM changes_log l JOIN jsonb_to_recordset(${keysJson(keys)}::jsonb) AS k(t text, r text) ON l.table_name = k.t AND l.row_id = k.r
        WHERE l.device_id = ${deviceId} AND l.result->>'status' = 'rejected'`,
  )
  return new Set(found.map((row) => rowKey(row.t, row.r)))
}

/**
 * Writes what a batch decided: its new rows (one insert) and changed rows (one update), each row
 * taking the next server_seq; its conflicts (one read of the open ones, one update, one insert);
 * its change log and the device's progress (one statement).
 */
async function writeBatch(tx: HqTx, deviceId: string, batch: Batch, log: Record<string, unknown>[], last: number, concurrent: boolean): Promise<void> {
  const writes = [...batch.writes.values()]
  if (writes.length > 0) {
    if (concurrent) {
      // Pulls hold their cursors below this batch's seqs until it ends; the per-region checksum
      // rows the triggers update are locked in one order (no deadlock between two pushes).
      const regions = [...new Set([...writes.map((w) => w.row.reg), ...batch.before.values()].map((r) => r ?? '(global)'))].sort()
      // One statement: the mark (markInFlight), then the region rows' locks.
      await tx.execute(
        sql`SELECT (SELECT pg_advisory_xact_lock_shared(${IN_FLIGHT_BASE}::bigint + ${SEQ_NOW}) FROM server_seq) IS NULL AS marked,
          (SELECT count(*) FROM (SELECT 1 FROM region_checksums WHERE region_key IN (SELECT jsonb_array_elements_text(${JSON.stringify(regions)}::jsonb))
            ORDER BY region_key FOR UPDATE) l) AS locked`,
      )
    }
    const inserts = writes.filter((w) => !w.existed).map((w) => w.row)
    const updates = writes.filter((w) => w.existed).map((w) => w.row)
    const recordset = (list: RowWrite[]) =>
      sql`jsonb_to_recordset(${JSON.stringify(list)}::jsonb) AS x(t text, r text, f jsonb, v jsonb, ver text, pv jsonb, reg text, del boolean, w text)`
    if (inserts.length > 0) {
      // A row another push inserted since this batch read it as absent is not overwritten: the batch runs again and merges into it.
      const inserted = await query<{ one: number }>(
        tx,
        sql`INSERT INTO rows (table_name, row_id, fields, versions, version, packed_versions, region, deleted, server_seq, writer_device, updated_at)
          SELECT t, r, f, v, ver, pv, reg, del, nextval('server_seq'), w, now() FROM ${recordset(inserts)}
          ON CONFLICT (table_name, row_id) DO NOTHING RETURNING 1 AS one`,
      )
      if (inserted.length !== inserts.length) throw new RowRaceError()
    }
    if (updates.length > 0)
      await tx.execute(sql`UPDATE rows SET fields = x.f, versions = x.v, version = x.ver, packed_versions = x.pv, region = x.reg, deleted = x.del,
          server_seq = nextval('server_seq'), writer_device = x.w, updated_at = now()
        FROM ${recordset(updates)} WHERE rows.table_name = x.t AND rows.row_id = x.r`)
  }
  if (batch.conflicts.length > 0) await writeConflicts(tx, deviceId, batch.conflicts)
  await tx.execute(sql`WITH logged AS (
      INSERT INTO changes_log (device_id, device_seq, change_id, table_name, row_id, hlc, op, fields, base, schema_version, result)
      SELECT ${deviceId}, s, c, t, r, h, o, f, b, v, res FROM jsonb_to_recordset(${JSON.stringify(log)}::jsonb)
        AS x(s bigint, c text, t text, r text, h text, o text, f jsonb, b jsonb, v integer, res jsonb))
    INSERT INTO device_progress (device_id, last_device_seq, last_push_at) VALUES (${deviceId}, ${last}, now())
    ON CONFLICT (device_id) DO UPDATE SET last_device_seq = excluded.last_device_seq, last_push_at = excluded.last_push_at`)
}

/** One open conflict per field: a later conflicting change refreshes it with the latest values. */
async function writeConflicts(tx: HqTx, deviceId: string, list: Batch['conflicts']): Promise<void> {
  const keys = uniqueKeys(list.map((c) => [c.table, c.rowId]))
  const open = await query<{ id: string; t: string; r: string; field: string }>(
    tx,
    sql`SELECT DISTINCT ON (c.table_name, c.row_id, c.field) c.id, c.table_name AS t, c.row_id AS r, c.field FROM conflicts c
        JOIN jsonb_to_recordset(${keysJson(keys)}::jsonb) AS k(t text, r text) ON c.table_name = k.t AND c.row_id = k.r
        WHERE c.resolved_at IS NULL ORDER BY c.table_name, c.row_id, c.field, c.created_at, c.id`,
  )
  const fieldKey = (t: string, r: string, field: string) => `${rowKey(t, r)}\u0000${field}`
  const ids = new Map(open.map((o) => [fieldKey(o.t, o.r, o.field), o.id]))
  const inserted = new Set<string>()
  const latest = new Map<string, Record<string, unknown>>()
  for (const c of list) {
    const k = fieldKey(c.table, c.rowId, c.field)
    let id = ids.get(k)
    if (!id) {
      id = uuidv7()
      ids.set(k, id)
      inserted.add(id)
    }
    latest.set(id, {
      id,
      t: c.table,
      r: c.rowId,
      field: c.field,
      sv: c.serverValue ?? null,
      sh: c.serverHlc,
      dv: c.deviceValue ?? null,
      dh: c.deviceHlc,
      ch: c.changeId,
    })
  }
  const updates = [...latest.values()].filter((c) => !inserted.has(c.id as string))
  const inserts = [...latest.values()].filter((c) => inserted.has(c.id as string))
  const recordset = (items: Record<string, unknown>[]) =>
    sql`jsonb_to_recordset(${JSON.stringify(items)}::jsonb) AS x(id text, t text, r text, field text, sv jsonb, sh text, dv jsonb, dh text, ch text)`
  // JSON null stays a JSON null value, as the row-by-row writes stored it.
  if (updates.length)
    await tx.execute(sql`UPDATE conflicts SET server_value = x.sv, server_hlc = x.sh, device_value = x.dv, device_hlc = x.dh, device_id = ${deviceId}, change_id = x.ch
      FROM ${recordset(updates)} WHERE conflicts.id = x.id`)
  if (inserts.length)
    await tx.execute(sql`INSERT INTO conflicts (id, table_name, row_id, field, server_value, server_hlc, device_value, device_hlc, device_id, change_id)
      SELECT id, t, r, field, sv, sh, dv, dh, ${deviceId}, ch FROM ${recordset(inserts)}`)
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
function cleanWriter(deviceId: string, change: WireChange, current: Loaded | undefined, pullCursor: number | undefined, rejected: Set<string>): boolean {
  if (current && current.writer !== deviceId && (pullCursor === undefined || current.seq > pullCursor)) return false
  return !rejected.has(rowKey(change.table_name, change.row_id))
}

async function applyOne(
  principal: DevicePrincipal,
  scope: { read: Scope; write: Scope },
  change: WireChange,
  load: (t: string, id: string) => Promise<Loaded | undefined>,
  aliases: VersionAliases,
  remember: (t: string, id: string, value: Loaded) => void,
  pullCursor: number | undefined,
  batch: Batch,
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
    const key = rowKey(change.table_name, change.row_id)
    const previous = batch.writes.get(key)
    if (!previous && current) batch.before.set(key, current.region)
    const writer = cleanWriter(principal.deviceId, change, current, pullCursor, batch.rejected) ? principal.deviceId : null
    const { fields, versions } = outcome.next
    const row: RowWrite = {
      t: change.table_name,
      r: change.row_id,
      f: fields,
      v: versions,
      ver: rowVersion(versions),
      pv: packed(versions),
      reg: region,
      del: fields.deleted_at != null,
      w: writer,
    }
    batch.writes.set(key, { row, existed: previous ? previous.existed : current !== undefined })
    // Its server_seq is taken when the batch is written: newer than any pull cursor.
    remember(change.table_name, change.row_id, { stored: outcome.next, region, seq: Number.POSITIVE_INFINITY, writer })
  }
  for (const c of outcome.conflicts)
    batch.conflicts.push({ ...c, table: change.table_name, rowId: change.row_id, deviceHlc: change.hlc, changeId: change.change_id })
  const result: ChangeResult = { ...head, status: outcome.status }
  if (Object.keys(outcome.server).length > 0) result.server = outcome.server
  return result
}

/** server_meta key: '1' once backfillWire has stored the text of every row written before 0004. */
const WIRE_STORED = 'wire_stored'

/**
 * Rows written before migration 0004 have no stored wire text (a pull builds theirs on every
 * read): fills it, `batch` rows per transaction in key order, pausing between batches so that
 * syncs go first; then VACUUM (PGlite has no autovacuum to clear the old row versions). Nothing a
 * device sees changes: no server_seq, no checksum. A row a push holds is skipped (the push writes
 * it, and the trigger its text); the batch's rows are locked before the region checksum rows its
 * update's trigger touches, in the order pushes lock them (rows by key, then regions sorted), so
 * it never deadlocks with a push. `stop`: asked between batches. Returns the rows filled.
 */
export async function backfillWire(db: HqDb, options: { batch?: number; pauseMs?: number; stop?: () => boolean } = {}): Promise<number> {
  // Once done, every row written since has its text from the trigger: no walk at the next start.
  if ((await getMeta(db, WIRE_STORED)) === '1') return 0
  const batch = options.batch ?? 2000
  let after: [string, string] = ['', '']
  let filled = 0
  for (let done = false; !done && !options.stop?.(); ) {
    done = await db.transaction(async (tx) => {
      const found = await query<{ t: string; r: string; region: string | null }>(
        tx,
        sql`SELECT table_name AS t, row_id AS r, region FROM rows WHERE (table_name, row_id) > (${after[0]}, ${after[1]}) AND wire IS NULL
          ORDER BY table_name, row_id LIMIT ${batch} FOR UPDATE SKIP LOCKED`,
      )
      if (found.length === 0) return true
      const regions = [...new Set(found.map((f) => f.region ?? '(global)'))].sort()
      await tx.execute(sql`SELECT 1 FROM region_checksums WHERE region_key IN (SELECT jsonb_array_elements_text(${JSON.stringify(regions)}::jsonb))
        ORDER BY region_key FOR UPDATE`)
      await tx.execute(sql`UPDATE rows SET wire = row_wire(table_name, row_id, fields, packed_versions)
        FROM jsonb_to_recordset(${keysJson(found.map((f) => [f.t, f.r]))}::jsonb) AS k(t text, r text) WHERE rows.table_name = k.t AND rows.row_id = k.r`)
      const last = found.at(-1)!
      after = [last.t, last.r]
      filled += found.length
      return found.length < batch
    })
    if (!done && options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs))
  }
  if (options.stop?.()) return filled
  if (filled > 0) await db.execute(sql`VACUUM (ANALYZE) rows`)
  await setMeta(db, WIRE_STORED, '1')
  return filled
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
    await setMeta(tx, 'epochs', JSON.stringify(epochs))
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

async function setMeta(db: HqDb | HqTx, key: string, value: string): Promise<void> {
  await db
    .insert(serverMeta)
    .values({ key, value })
    .onConflictDoUpdate({ target: serverMeta.key, set: { value, updatedAt: sql`now()` } })
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
 * A pull's answer before encoding. Protocol 2: the page's rows as JSON text the database built
 * (WireRow elements joined by commas, '' for none), which app.ts splices into the response
 * without parsing; protocol 1: rows as objects.
 */
export type PullResult =
  | Extract<PullResponse, { must_refetch: true }>
  | (Omit<Extract<PullResponse, { must_refetch: false }>, 'rows'> & ({ protocol: 1; rows: PulledRowV1[] } | { protocol: 2; wire: string }))

export async function pull(db: HqDb, principal: DevicePrincipal, request: PullQuery): Promise<PullResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await pullOnce(db, principal, request)
    } catch (error) {
      if (!transient(error) || attempt >= 5) throw error
    }
  }
}

async function pullOnce(db: HqDb, principal: DevicePrincipal, request: PullQuery): Promise<PullResult> {
  // Before the snapshot (visibleHorizon): rows above it may still be joined by rows below it.
  const horizon = await visibleHorizon(db)
  const sizes = request.protocol === 1 ? undefined : await regionSizes(db)
  return db.transaction(
    async (tx) => {
      const serverTime = new Date().toISOString()
      const context = await syncContext(tx, principal)
      let scope = context.read
      if (request.regions) {
        const outside = request.regions.filter((r) => !inScope(scope, r))
        if (outside.length > 0) throw new OutsideScopeError(`regions outside your assignment: ${outside.join(', ')}`)
        scope = [...request.regions].sort()
      }
      const hash = scopeHash(scope)
      const { progress, maxSeq, purgedBelow, epochs } = context
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
      // The rows up to the horizon among the first limit + 1 past the cursor: how many, and the
      // seq of the page's last row when there are more than a page.
      let visible: number
      let lastSeq: number | undefined
      let body: { protocol: 1; rows: PulledRowV1[] } | { protocol: 2; wire: string }
      // Rows above the horizon wait for the next pull (cut: the checkpoint would count them).
      let cut = false
      let remaining: number | undefined
      const progressWrite = sql`INSERT INTO ${deviceProgress} (device_id, last_pull_cursor, pull_scope, last_pull_at)
        VALUES (${principal.deviceId}, ${request.cursor}, ${JSON.stringify(scope === '*' ? ['*'] : scope)}::jsonb, now())
        ON CONFLICT (device_id) DO UPDATE SET last_pull_cursor = excluded.last_pull_cursor, pull_scope = excluded.pull_scope, last_pull_at = excluded.last_pull_at`
      let checksum: { rows: number; hash: string } | undefined
      const counted = scopedCount(scope, request.cursor, and(own, excluded ? notInArray(rows.tableName, excluded) : undefined))
      if (request.protocol === 1) {
        const all = await tx
          .select()
          .from(rows)
          .where(where)
          .orderBy(rows.serverSeq)
          .limit(request.limit + 1)
        const list = all.filter((r) => r.serverSeq <= horizon)
        cut = list.length < all.length
        visible = list.length
        lastSeq = list[request.limit - 1]?.serverSeq
        body = {
          protocol: 1,
          rows: list
            .slice(0, request.limit)
            .map((r) => ({ table_name: r.tableName, row_id: r.rowId, fields: r.fields, versions: r.versions, deleted: r.deleted, server_seq: r.serverSeq })),
        }
        if (request.count) remaining = Number((await query<{ n: string }>(tx, sql`SELECT ${counted}::text AS n`))[0]!.n)
        await tx.execute(progressWrite)
      } else {
        // The page built by the database as one JSON text (the rows' wire texts, stored with each
        // row when it was written, joined by commas), the horizon applied there and the rows to
        // come counted in the same statement (counted only when they are more than the page: else
        // the page's own rows are all of them): one value to receive, not a row object per row.
        const limit = request.limit
        const byRegion = readsByRegion(scope, sizes!)
        const top = Number.isFinite(horizon) ? horizon : Number.MAX_SAFE_INTEGER
        // Also in this statement: the device's progress written, and the scope's checkpoint
        // (used when the page turns out to be the last).
        const found = (
          await query<{
            fetched: number
            visible: number
            last: string | null
            wire: string | null
            remaining: string | null
            checksum: [string, string] | null
          }>(
            tx,
            sql`WITH progress AS (${progressWrite})
              SELECT count(*)::int AS fetched, count(*) FILTER (WHERE p.server_seq <= ${top})::int AS visible,
                max(p.server_seq) FILTER (WHERE p.server_seq <= ${top} AND p.n <= ${limit})::text AS last,
                string_agg(p.wire, ',' ORDER BY p.server_seq) FILTER (WHERE p.server_seq <= ${top} AND p.n <= ${limit}) AS wire,
                ${request.count ? sql`(CASE WHEN count(*) > ${limit} THEN ${counted} ELSE count(*) END)::text` : sql`NULL`} AS remaining,
                ${excluded ? sql`NULL` : sql`(SELECT json_build_array(n, h) FROM ${scopeChecksumSql(scope)} c)`} AS checksum
              FROM (SELECT server_seq, row_number() OVER (ORDER BY server_seq) AS n, wire
                FROM ${scopedRows(
                  scope,
                  request.cursor,
                  and(own, excluded ? notInArray(rows.tableName, excluded) : undefined),
                  sql`server_seq, coalesce(wire, row_wire(table_name, row_id, fields, packed_versions)) AS wire`,
                  limit + 1,
                  byRegion,
                )} ORDER BY server_seq LIMIT ${limit + 1}) p`,
          )
        )[0]!
        cut = found.visible < found.fetched
        visible = found.visible
        lastSeq = found.visible > limit ? Number(found.last) : undefined
        body = { protocol: 2, wire: found.wire ?? '' }
        if (found.remaining !== null) remaining = Number(found.remaining)
        if (found.checksum) checksum = { rows: Number(found.checksum[0]), hash: found.checksum[1] }
      }
      const hasMore = visible > request.limit
      // Past the last row in scope, the cursor jumps to the newest seq: rows of other regions are never rescanned.
      const nextCursor = hasMore ? lastSeq! : Math.max(request.cursor, Math.min(maxSeq, horizon))
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
      if (!hasMore && !cut)
        response.checkpoint = {
          cursor: nextCursor,
          ...(excluded ? await checkpoint(tx, scope, nextCursor, excluded) : (checksum ?? (await scopeChecksum(tx, scope)))),
        }
      return response
    },
    { isolationLevel: 'repeatable read' },
  )
}

/**
 * The rows of region `s.region` past a cursor, for rows_region_seq_idx. Written as `region IN (…)
 * AND server_seq > cursor` alone, the planner walked rows_seq_idx past the cursor through every
 * region's new rows and filtered them (it reads the heap in order; the region index's rows look
 * scattered to it): at a morning peak each pull read the whole province's day, 30k rows for a
 * grid's 2k. The row comparison, true of every row of the region, is a condition only the
 * (region, server_seq) index serves, and makes the planner take it. (A lower bound written as a
 * row comparison would not do: the scan would start at the region's first entry.)
 */
const inRegion = (cursor: number) =>
  sql`rows.region = s.region AND rows.server_seq > ${cursor} AND (rows.region, rows.server_seq) < (s.region, ${Number.MAX_SAFE_INTEGER}::bigint)`

/**
 * The first `limit` rows of a scope past a cursor (and `extra`) in server_seq order, as a FROM item
 * `q` of `columns`, read one of two ways (`byRegion`, see walksBySeq):
 * - walking rows_seq_idx from the cursor and keeping the scope's rows: reads about a page over
 *   the scope's share of the store (a county's device in its county's store: the page itself);
 * - each region's rows through rows_region_seq_idx (inRegion), at most `limit` each, then the
 *   first `limit` of them: reads up to a page per region (a grid's device: its grid's rows only).
 */
function scopedRows(scope: Scope, cursor: number, extra: SQL | undefined, columns: SQL, limit: number, byRegion: boolean): SQL {
  const more = extra ? sql` AND ${extra}` : sql``
  if (scope === '*' || !byRegion)
    return sql`(SELECT ${columns} FROM rows WHERE server_seq > ${cursor} AND ${scopeFilter(scope) ?? sql`true`}${more} ORDER BY server_seq LIMIT ${limit}) q`
  // Cut to the page before the caller projects (a pull builds each row's JSON: for the page's rows only).
  return sql`(SELECT * FROM ((SELECT ${columns} FROM rows WHERE region IS NULL AND server_seq > ${cursor}${more} ORDER BY server_seq LIMIT ${limit})
    UNION ALL (SELECT x.* FROM jsonb_array_elements_text(${JSON.stringify(scope)}::jsonb) AS s(region) CROSS JOIN LATERAL (
      SELECT ${columns} FROM rows WHERE ${inRegion(cursor)}${more} ORDER BY rows.server_seq LIMIT ${limit}) x)) u ORDER BY server_seq LIMIT ${limit}) q`
}

/**
 * Whether a pull of `scope` reads each region through rows_region_seq_idx (true) or walks
 * rows_seq_idx keeping the scope's rows (false), by the rows each reads per row it returns:
 * walking, the store's rows over the scope's (`sizes`: live rows per region key, '(global)' for
 * region null); by region, up to one page per region that holds rows. A county's device in its
 * own county's store walks (a first pull by region read up to 20,000 rows per grid for every
 * 20,000-row page: 4–5 s a page); a grid's device in a county's store reads its regions.
 */
export function readsByRegion(scope: Scope, sizes: ReadonlyMap<string, number>): boolean {
  if (scope === '*') return false
  let total = 0
  for (const n of sizes.values()) total += n
  const held = scope.filter((r) => (sizes.get(r) ?? 0) > 0)
  const inScope = (sizes.get('(global)') ?? 0) + held.reduce((sum, r) => sum + sizes.get(r)!, 0)
  if (inScope === 0) return true
  return total / inScope > Math.max(1, held.length)
}

/** How long an HQ process reuses the per-region row counts a pull's read path is chosen from. */
const REGION_SIZES_MS = 60_000
const regionSizesCache = new WeakMap<object, { at: number; sizes: Promise<Map<string, number>> }>()

/**
 * Live rows per region key, from region_checksums (kept by triggers), read at most once a minute
 * per process and database: only the choice of a read path depends on it, never a result.
 */
async function regionSizes(db: HqDb): Promise<ReadonlyMap<string, number>> {
  const cached = regionSizesCache.get(db)
  if (cached && Date.now() - cached.at < REGION_SIZES_MS) return cached.sizes
  const sizes = db
    .select({ key: regionChecksums.regionKey, rows: regionChecksums.rows })
    .from(regionChecksums)
    .then((found) => new Map(found.map((r) => [r.key, Number(r.rows)])))
  regionSizesCache.set(db, { at: Date.now(), sizes })
  sizes.catch(() => regionSizesCache.delete(db))
  return sizes
}

/**
 * How many rows of a scope lie past a cursor (and `extra`): a count per region, each through
 * rows_region_seq_idx (inRegion), in a correlated subquery (as a join, the planner hashed the
 * regions against a scan of the whole table).
 */
function scopedCount(scope: Scope, cursor: number, extra: SQL | undefined): SQL {
  const more = extra ? sql` AND ${extra}` : sql``
  if (scope === '*') return sql`(SELECT count(*) FROM rows WHERE server_seq > ${cursor}${more})`
  return sql`((SELECT count(*) FROM rows WHERE region IS NULL AND server_seq > ${cursor}${more})
    + (SELECT coalesce(sum((SELECT count(*) FROM rows WHERE ${inRegion(cursor)}${more})), 0)
       FROM jsonb_array_elements_text(${JSON.stringify(scope)}::jsonb) AS s(region)))`
}

/** The checkpoint of every row in scope, from region_checksums (kept by triggers on `rows`). */
export async function scopeChecksum(tx: HqDb | HqTx, scope: Scope): Promise<{ rows: number; hash: string }> {
  const result = await query<{ n: string; h: string }>(tx, sql`SELECT n, h FROM ${scopeChecksumSql(scope)} c`)
  return { rows: Number(result[0]!.n), hash: result[0]!.h }
}

/** scopeChecksum's sums as a FROM item: one row of n (rows) and h (hash), as text. */
function scopeChecksumSql(scope: Scope): SQL {
  const keys = scope === '*' ? undefined : ['(global)', ...scope]
  return sql`(SELECT coalesce(sum(${regionChecksums.rows}), 0)::text AS n, coalesce(bit_xor(${regionChecksums.hash}), 0)::text AS h
    FROM ${regionChecksums} ${keys ? sql`WHERE ${inArray(regionChecksums.regionKey, keys)}` : sql``})`
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
          packedVersions: packed(versions),
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
            packedVersions: sql`excluded.packed_versions`,
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
    if (below !== before) await setMeta(tx, 'purged_below_seq', String(below))
    return { purged: gone.length, purgedBelowSeq: below }
  })
}
