// The value rules on both sides of sync (shared/rules.ts): HQ rejects a change breaking them with
// a reason (never a 500, never a stuck outbox), and a device refuses a pulled row breaking them
// (an attachment whose sha256 is a path never becomes a file read).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enrol, runSync } from '../electron/core/sync/engine'
import { HqClient, SyncHttpError } from '../electron/core/sync/hqClient'
import { openTestCore } from '../electron/core/testing'
import { PROTOCOL_VERSION, type EnrolResponse, type PushResponse, type WireChange } from '../shared/sync/protocol'
import { SYNC_SCHEMA_VERSION } from '../shared/sync/versions'
import { upsertMasterRows } from './sync'
import { backends, startTestHq, type TestHq } from './testing'

describe.each(backends)('value rules through HQ (%s)', (backend) => {
  let hq: TestHq
  let client: HqClient
  let deviceId: string
  let villageId: string
  let seq = 0
  const schema = SYNC_SCHEMA_VERSION
  beforeAll(async () => {
    hq = await startTestHq(undefined, { backend })
    const code = await hq.userWithCode('lisi', 'grid_manager', ['451022-G03'])
    const enrolled = await new HqClient(hq.url).request<EnrolResponse>('POST', '/v1/enrol', { code, deviceName: 'raw' })
    client = new HqClient(hq.url, enrolled.token)
    deviceId = enrolled.device_id
    const rows = (await hq.store.db.execute(
      `SELECT r.row_id FROM rows r JOIN rows g ON g.table_name = 'org_units' AND g.row_id = r.fields->>'grid_id' WHERE r.table_name = 'villages' AND g.fields->>'code' = '451022-G03' LIMIT 1`,
    )) as unknown as { rows: { row_id: string }[] }
    villageId = rows.rows[0]!.row_id
  })
  afterAll(async () => hq?.close())

  const change = (fields: Record<string, unknown>, extra: Partial<WireChange> = {}): WireChange => {
    seq++
    return {
      device_seq: seq,
      change_id: `0190aaaa-0000-7000-8000-${String(seq).padStart(12, '0')}`,
      hlc: `2026-12-01T00:00:00.000Z-${String(seq).padStart(4, '0')}-${deviceId}`,
      table_name: 'villages',
      row_id: villageId,
      op: 'update',
      fields: fields as WireChange['fields'],
      base: Object.fromEntries(Object.keys(fields).map((f) => [f, null])),
      schema_version: schema,
      ...extra,
    }
  }
  const push = (changes: WireChange[]) =>
    client.request<PushResponse>('POST', '/v1/push', { protocol_version: PROTOCOL_VERSION, schema_version: schema, device_id: deviceId, changes })

  it('rejects NUL and lone surrogates with a reason, and applies the changes after them', async () => {
    const answer = await push([change({ notes: 'a\u0000b' }), change({ market_days: 'x\ud800' }), change({ notes: '好的 😀' })])
    expect(answer.results.map((r) => r.status)).toEqual(['rejected', 'rejected', expect.not.stringMatching('rejected')])
    expect(answer.results[0]!.reason).toBe('invalid_value: villages.notes: nul_char')
    expect(answer.results[1]!.reason).toBe('invalid_value: villages.market_days: lone_surrogate')
    expect(answer.last_device_seq).toBe(seq)
  })

  it('rejects impossible dates, oversized text and a boundary over the limit', async () => {
    // Short coordinates: under HQ's per-field size limit, over the vertex limit.
    const ring = Array.from({ length: 9_000 }, (_, i) => [107 + (i % 10) / 10, 23.5])
    const answer = await push([
      change({ notes: 'x'.repeat(6000) }),
      change({ boundary: JSON.stringify({ type: 'Polygon', coordinates: [ring] }) }),
      change({ deleted_at: '2026-02-30T00:00:00Z' }),
    ])
    expect(answer.results.map((r) => r.reason)).toEqual([
      'invalid_value: villages.notes: too_long (max=5000)',
      expect.stringMatching(/^invalid_value: villages.boundary: too_many_vertices/),
      'invalid_value: villages.deleted_at: bad_time',
    ])
  })

  it('refuses a batch whose own ids or clocks hold NUL as a malformed request (400), not a server failure', async () => {
    const bad = change({ notes: 'ok' }, { hlc: 'a\u0000b' })
    const error = await push([bad]).catch((e: unknown) => e)
    seq--
    expect(error).toBeInstanceOf(SyncHttpError)
    expect((error as SyncHttpError).status).toBe(400)
    expect((error as SyncHttpError).code).toBe('VALIDATION')
  })

  it('rejects a pushed attachment whose sha256 (or thumbnail sha256) is a path, and stores nothing of it', async () => {
    const attachment = (id: string, fields: Record<string, unknown>) =>
      change(
        { owner_table: 'competitor_intel', owner_id: '0190aaaa-0000-7000-8000-0000000000b0', file_name: 'a.jpg', mime: 'image/jpeg', bytes: 10, ...fields },
        { table_name: 'attachments', row_id: id, op: 'insert' },
      )
    const ids = ['0190aaaa-0000-7000-8000-0000000000b1', '0190aaaa-0000-7000-8000-0000000000b2', '0190aaaa-0000-7000-8000-0000000000b3']
    const answer = await push([
      attachment(ids[0]!, { sha256: '../../../../etc/passwd' }),
      attachment(ids[1]!, { sha256: 'a'.repeat(64), thumb_sha256: '/etc/shadow' }),
      attachment(ids[2]!, { sha256: `..\\..\\${'a'.repeat(58)}` }),
    ])
    expect(answer.results.map((r) => r.reason)).toEqual([
      'invalid_value: attachments.sha256: bad_sha256',
      'invalid_value: attachments.thumb_sha256: bad_sha256',
      'invalid_value: attachments.sha256: bad_sha256',
    ])
    const stored = (await hq.store.db.execute(
      `SELECT count(*)::int AS n FROM rows WHERE table_name = 'attachments' AND row_id IN ('${ids.join("','")}')`,
    )) as unknown as { rows: { n: number }[] }
    expect(stored.rows[0]!.n).toBe(0)
  })

  it('a device refuses a pulled attachment whose sha256 is a path, and never serves a file outside attachments/', async () => {
    // A row from an HQ that did not check (before these rules): written straight into HQ's store.
    const intel = (await hq.store.db.execute(`SELECT row_id FROM rows WHERE table_name = 'org_units' AND fields->>'code' = '451022-G03'`)) as unknown as {
      rows: { row_id: string }[]
    }
    const gridId = intel.rows[0]!.row_id
    const intelId = '0190aaaa-0000-7000-8000-0000000000a1'
    const attachmentId = '0190aaaa-0000-7000-8000-0000000000a2'
    await upsertMasterRows(
      hq.store.db,
      'competitor_intel',
      [{ id: intelId, fields: { rival: 'telecom', kind: 'price', title: '传单', grid_id: gridId, seen_at: '2026-11-01' } }],
      '2026-11-01T00:00:00.000Z-0000-hq',
    )
    await upsertMasterRows(
      hq.store.db,
      'attachments',
      [
        {
          id: attachmentId,
          fields: { owner_table: 'competitor_intel', owner_id: intelId, file_name: 'a.jpg', sha256: '../../../../etc/passwd', mime: 'image/jpeg', bytes: 10 },
        },
      ],
      '2026-11-01T00:00:00.000Z-0000-hq',
    )
    const device = openTestCore()
    try {
      await enrol(device.ctx, hq.url, await hq.code('lisi'), 'peer')
      const report = await runSync(device.ctx)
      expect(report.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'rows_refused', params: { count: 1 } })]))
      const held = device.ctx.db.$client.prepare('SELECT count(*) AS n FROM attachments WHERE id = ?').get(attachmentId) as { n: number }
      expect(held.n).toBe(0)
      const listed = JSON.parse((device.ctx.db.$client.prepare("SELECT value FROM sync_state WHERE key = 'pull_refused'").get() as { value: string }).value)
      expect(listed).toEqual([expect.objectContaining({ table: 'attachments', rowId: attachmentId, problems: ['attachments.sha256: bad_sha256'] })])
      // HQ's checkpoint counts the row the device refused: the device counts it as HQ holds it, so
      // the checkpoint matches and no sync refetches the regions again and again for it.
      const codes = (r: { warnings: { code: string }[] }) => r.warnings.map((w) => w.code)
      expect(codes(report)).not.toContain('checkpoint_mismatch')
      for (let i = 0; i < 2; i++) {
        const again = await runSync(device.ctx)
        expect(codes(again)).not.toContain('checkpoint_refetch')
        expect(again.refetched).toBeFalsy()
        expect(again.checkpoint).toBe('ok')
      }
      // A full scan (a rebuilt checksum) counts it the same way.
      device.ctx.db.$client.prepare("DELETE FROM sync_state WHERE key = 'checksum'").run()
      const rebuilt = await runSync(device.ctx)
      expect(codes(rebuilt)).not.toContain('checkpoint_refetch')
      expect(rebuilt.checkpoint).toBe('ok')
      // Even a row that got in some other way is never read from outside attachments/.
      device.ctx.db.$client
        .prepare(
          `INSERT INTO attachments (id, created_at, updated_at, hlc, owner_table, owner_id, file_name, sha256, mime, bytes) VALUES (?, 'x', 'x', 'x', 'competitor_intel', ?, 'a.jpg', '../../../../etc/passwd', 'image/jpeg', 10)`,
        )
        .run(attachmentId, intelId)
      const photo = await device.dispatch('intel.photo', { id: attachmentId })
      expect(photo).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    } finally {
      device.dispose()
    }
  })
})
