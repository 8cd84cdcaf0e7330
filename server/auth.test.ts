import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION, type PullResponse } from '../shared/sync/protocol'
import { sql } from 'drizzle-orm'
import { LAST_SEEN_EVERY_S, revokeDevice } from './accounts'
import { MIN_SYNC_SCHEMA_VERSION, SYNC_SCHEMA_VERSION } from '../shared/sync/versions'
import { backends, startTestHq, type TestHq } from './testing'

describe.each(backends)('HQ server refusals (%s)', (backend) => {
  let hq: TestHq
  let token: string
  let deviceId: string
  let otherVillage: string
  const call = (path: string, init: RequestInit = {}) => fetch(`${hq.url}${path}`, init)
  const auth = (t = token) => ({ authorization: `Bearer ${t}` })
  const pushBody = (changes: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ protocol_version: PROTOCOL_VERSION, schema_version: SYNC_SCHEMA_VERSION, device_id: deviceId, changes, ...extra })
  const change = (seq: number, rowId: string, fields: Record<string, unknown>) => ({
    device_seq: seq,
    change_id: `c${seq}`,
    hlc: `2030-01-01T00:00:00.000Z-0000-${deviceId}`,
    table_name: 'villages',
    row_id: rowId,
    op: 'update',
    fields,
    base: Object.fromEntries(Object.keys(fields).map((f) => [f, null])),
    schema_version: SYNC_SCHEMA_VERSION,
  })
  const pull = (t = token, q = '') =>
    call(`/v1/pull?cursor=0&protocol_version=${PROTOCOL_VERSION}&schema_version=${SYNC_SCHEMA_VERSION}${q}`, { headers: auth(t) })

  beforeAll(async () => {
    hq = await startTestHq(undefined, { backend })
    const code = await hq.userWithCode('zhao', 'grid_manager', ['451022-G03'])
    const enrolled = await call('/v1/enrol', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceName: 'test' }),
    })
    expect(enrolled.status).toBe(201)
    ;({ token, device_id: deviceId } = (await enrolled.json()) as { token: string; device_id: string })
    const r = (await hq.store.db.execute("SELECT row_id FROM rows WHERE table_name = 'villages' AND region <> '451022-G03' LIMIT 1")) as unknown as {
      rows: { row_id: string }[]
    }
    otherVillage = r.rows[0]!.row_id
  })
  afterAll(() => hq?.close())

  it('an enrolment code works once', async () => {
    const code = await hq.code('zhao')
    const body = JSON.stringify({ code, deviceName: 'x' })
    expect((await call('/v1/enrol', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(201)
    const again = await call('/v1/enrol', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(again.status).toBe(403)
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('ENROL_CODE_INVALID')
  })

  it('no token, a wrong token → 401 and no data', async () => {
    const none = await call(`/v1/pull?cursor=0&protocol_version=1&schema_version=1`)
    expect(none.status).toBe(401)
    expect(JSON.stringify(await none.json())).not.toContain('villages')
    expect((await pull('x'.repeat(43))).status).toBe(401)
  })

  it('a pull of a region outside the assignment → 403; the scope never includes other grids', async () => {
    const res = await pull(token, '&regions=451022-G01')
    expect(res.status).toBe(403)
    const body = (await (await pull()).json()) as PullResponse & { must_refetch: false }
    expect(body.regions).toEqual(['451022-G03'])
    const ids = body.rows.map(([, rowId]) => rowId)
    expect(ids.length).toBeGreaterThan(0)
    expect(ids).not.toContain(otherVillage)
  })

  it('a change to a row outside the regions is rejected without revealing it, and nothing is written', async () => {
    const res = await call('/v1/push', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: pushBody([change(1, otherVillage, { notes: 'x' })]),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { results: { status: string; reason: string }[] }
    expect(body.results).toEqual([expect.objectContaining({ status: 'rejected', reason: 'outside_region' })])
    const row = (await hq.store.db.execute(`SELECT fields->>'notes' AS notes FROM rows WHERE row_id = '${otherVillage}'`)) as unknown as {
      rows: { notes: string | null }[]
    }
    expect(row.rows[0]!.notes).not.toBe('x')
  })

  it('malformed, oversized, future-protocol and out-of-order bodies get clear errors', async () => {
    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      call('/v1/push', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json', ...headers }, body })
    const malformed = await post('{"protocol_version": 1,')
    expect(malformed.status).toBe(400)
    const invalid = await post(pushBody([{ device_seq: 'one' }]))
    expect(invalid.status).toBe(400)
    expect(((await invalid.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('changes.0'),
    })
    const future = await post(pushBody([change(2, otherVillage, {})], { protocol_version: PROTOCOL_VERSION + 1, shiny: true }))
    expect(future.status).toBe(400)
    expect(((await future.json()) as { error: { code: string } }).error.code).toBe('PROTOCOL_TOO_NEW')
    const old = await post(pushBody([change(2, otherVillage, {})], { schema_version: MIN_SYNC_SCHEMA_VERSION - 1 }))
    expect(old.status).toBe(426)
    expect(((await old.json()) as { error: { code: string } }).error.code).toBe('UPGRADE_REQUIRED')
    const tooMany = await post(pushBody(Array.from({ length: 501 }, (_, i) => change(i + 2, otherVillage, { notes: 'x' }))))
    expect(tooMany.status).toBe(400)
    // A gzip bomb-ish body: 5 MB of JSON compresses to a few KB but is refused once inflated.
    const huge = gzipSync(pushBody([change(2, otherVillage, { notes: 'x'.repeat(5 * 1024 * 1024) })]))
    const big = await post(huge, { 'content-encoding': 'gzip' })
    expect(big.status).toBe(413)
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('BODY_TOO_LARGE')
    const gap = await post(pushBody([change(7, otherVillage, { notes: 'y' })]))
    expect(gap.status).toBe(409)
    expect(await gap.json()).toMatchObject({ error: { code: 'SEQ_GAP', details: { expected: 2 } } })
  })

  it('a request marks its device seen, at most once a minute; a revoked device is not marked', async () => {
    const seen = async (id = deviceId) =>
      (
        (await hq.store.db.execute(sql`SELECT last_seen_at::text AS at FROM devices WHERE id = ${id}`)) as unknown as {
          rows: { at: string | null }[]
        }
      ).rows[0]!.at
    await hq.store.db.execute(sql`UPDATE devices SET last_seen_at = NULL WHERE id = ${deviceId}`)
    expect((await pull()).status).toBe(200)
    const first = await seen()
    expect(first).not.toBeNull()
    // Within the minute: the same stamp (no write per request).
    expect((await pull()).status).toBe(200)
    expect(await seen()).toBe(first)
    // Older than LAST_SEEN_EVERY_S: written again.
    await hq.store.db.execute(sql`UPDATE devices SET last_seen_at = now() - make_interval(secs => ${LAST_SEEN_EVERY_S + 5}) WHERE id = ${deviceId}`)
    const stale = await seen()
    expect((await pull()).status).toBe(200)
    expect(Date.parse(String(await seen()))).toBeGreaterThan(Date.parse(String(stale)))
    // A revoked device's token marks nothing.
    const code = await hq.code('zhao')
    const other = (await (
      await call('/v1/enrol', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName: 'revoked' }) })
    ).json()) as { token: string; device_id: string }
    await revokeDevice(hq.store.db, other.device_id)
    await hq.store.db.execute(sql`UPDATE devices SET last_seen_at = NULL WHERE id = ${other.device_id}`)
    expect((await pull(other.token)).status).toBe(401)
    expect(await seen(other.device_id)).toBeNull()
  })

  it('a revoked device is refused', async () => {
    expect((await pull()).status).toBe(200)
    await revokeDevice(hq.store.db, deviceId)
    const res = await pull()
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('revoked')
  })
})
