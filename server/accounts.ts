// Users, region assignments, one-time enrolment codes and device tokens. Tokens and codes are
// stored only as sha256 hashes; a revoked or unknown token authenticates nobody.
import { createHash, randomBytes } from 'node:crypto'
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import { v7 as uuidv7 } from 'uuid'
import type { HqDb } from './db/client'
import { conflicts, devices, deviceProgress, enrolCodes, rows, userRegions, users } from './db/schema'

export type Role = (typeof users.$inferSelect)['role']
export const roles: Role[] = ['grid_manager', 'county_manager', 'hq_analyst', 'admin']

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export class AccountError extends Error {
  constructor(
    readonly code: 'ENROL_CODE_INVALID' | 'NOT_FOUND' | 'VALIDATION',
    message: string,
  ) {
    super(message)
  }
}

export async function createUser(db: HqDb, name: string, role: Role): Promise<{ id: string; name: string; role: Role }> {
  const user = { id: uuidv7(), name, role }
  await db.insert(users).values(user)
  return user
}

export async function findUser(db: HqDb, name: string) {
  const user = await db
    .select()
    .from(users)
    .where(eq(users.name, name))
    .then((r) => r[0])
  if (!user) throw new AccountError('NOT_FOUND', `no user named ${name}`)
  return user
}

export async function assignRegion(db: HqDb, userName: string, regionCode: string): Promise<void> {
  const user = await findUser(db, userName)
  await db.insert(userRegions).values({ userId: user.id, regionCode }).onConflictDoNothing()
}

export async function unassignRegion(db: HqDb, userName: string, regionCode: string): Promise<void> {
  const user = await findUser(db, userName)
  await db.delete(userRegions).where(and(eq(userRegions.userId, user.id), eq(userRegions.regionCode, regionCode)))
}

export async function regionsOf(db: HqDb, userId: string): Promise<string[]> {
  const list = await db.select({ code: userRegions.regionCode }).from(userRegions).where(eq(userRegions.userId, userId))
  return list.map((r) => r.code).sort()
}

/** Issues a one-time code for a user's next device; valid for `hours`. */
export async function issueEnrolCode(db: HqDb, userName: string, hours = 72): Promise<{ code: string; expiresAt: string }> {
  const user = await findUser(db, userName)
  // 10 characters from an alphabet without look-alikes: typed by hand from a phone message.
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
  const code = Array.from(randomBytes(10), (b) => alphabet[b % alphabet.length]).join('')
  const expiresAt = new Date(Date.now() + hours * 3600_000).toISOString()
  await db.insert(enrolCodes).values({ codeHash: sha256(code), userId: user.id, expiresAt })
  return { code, expiresAt }
}

/** Whether `code` is an enrolment code HQ would accept now (known, unused, unexpired). */
export async function enrolCodeIsLive(db: HqDb, code: string): Promise<boolean> {
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(enrolCodes)
    .where(and(eq(enrolCodes.codeHash, sha256(code.trim().toUpperCase())), isNull(enrolCodes.usedAt), sql`${enrolCodes.expiresAt} > now()`))
    .limit(1)
  return rows.length > 0
}

export async function enrolDevice(db: HqDb, input: { code: string; deviceName: string; deviceId?: string }) {
  const enrolled = await db.transaction(async (tx) => {
    const code = input.code.trim().toUpperCase()
    const row = await tx
      .select()
      .from(enrolCodes)
      .where(and(eq(enrolCodes.codeHash, sha256(code)), isNull(enrolCodes.usedAt), sql`${enrolCodes.expiresAt} > now()`))
      .for('update')
      .then((r) => r[0])
    if (!row) throw new AccountError('ENROL_CODE_INVALID', 'the enrolment code is unknown, used or expired')
    const deviceId = input.deviceId ?? uuidv7()
    const existing = await tx
      .select()
      .from(devices)
      .where(eq(devices.id, deviceId))
      .then((r) => r[0])
    if (existing && existing.userId !== row.userId) {
      // The code is used up and the answer is the one an unknown code gets: probing device ids
      // costs a code each and tells nothing.
      await tx
        .update(enrolCodes)
        .set({ usedAt: sql`now()` })
        .where(eq(enrolCodes.codeHash, row.codeHash))
      return { refused: true as const }
    }
    const token = randomBytes(32).toString('base64url')
    if (existing)
      await tx
        .update(devices)
        .set({ tokenHash: sha256(token), name: input.deviceName, revokedAt: null })
        .where(eq(devices.id, deviceId))
    else await tx.insert(devices).values({ id: deviceId, userId: row.userId, name: input.deviceName, tokenHash: sha256(token) })
    await tx
      .update(enrolCodes)
      .set({ usedAt: sql`now()`, usedByDevice: deviceId })
      .where(eq(enrolCodes.codeHash, row.codeHash))
    const user = (await tx.select().from(users).where(eq(users.id, row.userId)))[0]!
    return { deviceId, token, user: { id: user.id, name: user.name, role: user.role } }
  })
  if ('refused' in enrolled) throw new AccountError('ENROL_CODE_INVALID', 'the enrolment code is unknown, used or expired')
  return enrolled
}

export interface DevicePrincipal {
  deviceId: string
  userId: string
  role: Role
}

/** How stale a device's last_seen_at may get: a busy device's requests write it at most this often. */
export const LAST_SEEN_EVERY_S = 60

/**
 * The device a bearer token belongs to, 'revoked' for a revoked device's token, or undefined
 * (unknown). One statement: the lookup, and last_seen_at written when it is older than
 * LAST_SEEN_EVERY_S (not a write and a commit on every request of a syncing device).
 */
export async function authenticate(db: HqDb, token: string): Promise<DevicePrincipal | 'revoked' | undefined> {
  const found = (await db.execute(sql`
    WITH found AS (
      SELECT d.id, d.user_id, u.role, d.revoked_at IS NOT NULL AS revoked, d.last_seen_at
      FROM ${devices} d JOIN ${users} u ON u.id = d.user_id WHERE d.token_hash = ${sha256(token)}),
    seen AS (
      UPDATE ${devices} SET last_seen_at = now() FROM found
      WHERE ${devices}.id = found.id AND NOT found.revoked
        AND (found.last_seen_at IS NULL OR found.last_seen_at < now() - make_interval(secs => ${LAST_SEEN_EVERY_S})))
    SELECT id, user_id, role, revoked FROM found`)) as unknown as { rows: { id: string; user_id: string; role: Role; revoked: boolean }[] }
  const row = found.rows[0]
  if (!row) return undefined
  if (row.revoked) return 'revoked'
  return { deviceId: row.id, userId: row.user_id, role: row.role }
}

export async function revokeDevice(db: HqDb, deviceId: string): Promise<void> {
  const done = await db
    .update(devices)
    .set({ revokedAt: sql`now()` })
    .where(eq(devices.id, deviceId))
    .returning({ id: devices.id })
  if (done.length === 0) throw new AccountError('NOT_FOUND', `no device ${deviceId}`)
}

/** Per-device sync state for admins. */
export async function listDevices(db: HqDb) {
  return db
    .select({
      id: devices.id,
      name: devices.name,
      user: users.name,
      revokedAt: devices.revokedAt,
      lastSeenAt: devices.lastSeenAt,
      lastDeviceSeq: deviceProgress.lastDeviceSeq,
      lastPushAt: deviceProgress.lastPushAt,
      lastPullCursor: deviceProgress.lastPullCursor,
      lastPullAt: deviceProgress.lastPullAt,
    })
    .from(devices)
    .innerJoin(users, eq(users.id, devices.userId))
    .leftJoin(deviceProgress, eq(deviceProgress.deviceId, devices.id))
    .orderBy(users.name, devices.name)
}

/**
 * Conflicts the server recorded, newest first, with who made the losing edit and the field's value
 * now. `open`: the field still holds the value it had when the conflict arose (no device has
 * resolved it since: a resolution is a new change of that field).
 */
export async function listConflicts(db: HqDb, options: { openOnly?: boolean; limit?: number } = {}) {
  const list = await db
    .select({
      id: conflicts.id,
      at: conflicts.createdAt,
      table: conflicts.tableName,
      rowId: conflicts.rowId,
      field: conflicts.field,
      serverValue: conflicts.serverValue,
      serverHlc: conflicts.serverHlc,
      deviceValue: conflicts.deviceValue,
      device: devices.name,
      user: users.name,
      nowValue: sql<unknown>`${rows.fields} -> ${conflicts.field}`,
      nowHlc: sql<string | null>`${rows.versions} ->> ${conflicts.field}`,
    })
    .from(conflicts)
    .leftJoin(devices, eq(devices.id, conflicts.deviceId))
    .leftJoin(users, eq(users.id, devices.userId))
    .leftJoin(rows, and(eq(rows.tableName, conflicts.tableName), eq(rows.rowId, conflicts.rowId)))
    .orderBy(desc(conflicts.createdAt))
    .limit(options.limit ?? 1000)
  const withState = list.map(({ nowHlc, ...c }) => ({ ...c, open: nowHlc === c.serverHlc }))
  return options.openOnly ? withState.filter((c) => c.open) : withState
}
