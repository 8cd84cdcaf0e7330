// The HQ server's PostgreSQL schema (PGlite by default, PostgreSQL in production).
// Synced data lives in one generic `rows` table keyed by (table_name, row_id): a JSONB map of
// column values and a JSONB map of per-field HLC versions. Field-level merge, region scoping and
// pull are the same for every synced table, so one table keeps the server small and lets a new
// device column sync without a server migration; HQ reports read it through views when needed.
import { sql } from 'drizzle-orm'
import { bigint, boolean, index, integer, jsonb, pgSequence, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow()

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  role: text('role', { enum: ['grid_manager', 'county_manager', 'hq_analyst', 'admin'] }).notNull(),
  createdAt: createdAt(),
})

/** Region assignments: org-unit codes; a code covers its descendants. */
export const userRegions = pgTable(
  'user_regions',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    regionCode: text('region_code').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.regionCode] })],
)

export const devices = pgTable('devices', {
  /** The device's own id (UUID it generated; also the node of its HLC). */
  id: text('id').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  name: text('name').notNull(),
  /** sha256 of the bearer token; the token itself is never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'string' }),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'string' }),
  createdAt: createdAt(),
})

/** One-time enrolment codes (stored hashed). */
export const enrolCodes = pgTable('enrol_codes', {
  codeHash: text('code_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'string' }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true, mode: 'string' }),
  usedByDevice: text('used_by_device'),
  createdAt: createdAt(),
})

/** Every write to `rows` takes the next value; pull pages by it. */
export const serverSeq = pgSequence('server_seq', { startWith: 1 })

export const rows = pgTable(
  'rows',
  {
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    fields: jsonb('fields').$type<Record<string, unknown>>().notNull(),
    versions: jsonb('versions').$type<Record<string, string>>().notNull(),
    /** Greatest field version: the row's version in checkpoint hashes. */
    version: text('version').notNull(),
    /**
     * `versions` as protocol 2 sends it: [the version most fields carry, {field: version} of the
     * others]. Set by PostgreSQL on every write of the row (trigger rows_wire, migration 0004).
     */
    packedVersions: jsonb('packed_versions').$type<[string | null, Record<string, string>]>(),
    /**
     * The row as a pull page carries it (protocol 2: [table, id, base version, fields, other
     * versions] as JSON text), set by the same trigger: built once per write, not per pull and
     * device. Null for rows written before migration 0004 until they are written again or
     * backfilled (backfillWire); a pull builds those itself.
     */
    wire: text('wire'),
    /** Org-unit code whose devices receive this row; null: global HQ data. */
    region: text('region'),
    deleted: boolean('deleted').notNull().default(false),
    serverSeq: bigint('server_seq', { mode: 'number' }).notNull(),
    /**
     * The device whose push wrote this version when that device holds exactly this row (see
     * cleanWriter in sync.ts); pull does not send the row back to it. Null otherwise, and for
     * the server's own writes (master data).
     */
    writerDevice: text('writer_device'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tableName, t.rowId] }), index('rows_seq_idx').on(t.serverSeq), index('rows_region_seq_idx').on(t.region, t.serverSeq)],
)

/**
 * Count and XOR of the 64-bit md5 prefixes of (table:row:version) of the rows of each region
 * ('(global)' for rows without one), kept by statement triggers on `rows` in the same
 * transaction as every write: a checkpoint reads a few rows instead of hashing the whole scope.
 */
export const regionChecksums = pgTable('region_checksums', {
  regionKey: text('region_key').primaryKey(),
  rows: bigint('row_count', { mode: 'number' }).notNull().default(0),
  hash: bigint('hash', { mode: 'bigint' })
    .notNull()
    .default(sql`0`),
})

/** Every pushed change with the result it got: audit, and the answer to a replayed batch. */
export const changesLog = pgTable(
  'changes_log',
  {
    deviceId: text('device_id').notNull(),
    deviceSeq: bigint('device_seq', { mode: 'number' }).notNull(),
    changeId: text('change_id').notNull(),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    hlc: text('hlc').notNull(),
    op: text('op').notNull(),
    fields: jsonb('fields').notNull(),
    base: jsonb('base').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    /** The ChangeResult sent to the device. */
    result: jsonb('result').notNull(),
    receivedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.deviceSeq] }), index('changes_log_row_idx').on(t.tableName, t.rowId)],
)

export const deviceProgress = pgTable('device_progress', {
  deviceId: text('device_id').primaryKey(),
  lastDeviceSeq: bigint('last_device_seq', { mode: 'number' }).notNull().default(0),
  lastPushAt: timestamp('last_push_at', { withTimezone: true, mode: 'string' }),
  /** The cursor the device last pulled from, and the scope (region codes) it was served. */
  lastPullCursor: bigint('last_pull_cursor', { mode: 'number' }),
  pullScope: jsonb('pull_scope').$type<string[]>(),
  lastPullAt: timestamp('last_pull_at', { withTimezone: true, mode: 'string' }),
})

export const conflicts = pgTable(
  'conflicts',
  {
    id: text('id').primaryKey(),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    field: text('field').notNull(),
    serverValue: jsonb('server_value'),
    serverHlc: text('server_hlc'),
    deviceValue: jsonb('device_value'),
    deviceHlc: text('device_hlc').notNull(),
    deviceId: text('device_id').notNull(),
    changeId: text('change_id').notNull(),
    createdAt: createdAt(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [index('conflicts_row_idx').on(t.tableName, t.rowId)],
)

/** Server-wide settings: epoch, tombstone purge horizon. */
export const serverMeta = pgTable('server_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
    .notNull()
    .default(sql`now()`),
})
