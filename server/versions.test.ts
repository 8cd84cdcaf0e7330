// Old laptops still sync: a device a few sync schema versions behind pushes and pulls against this
// HQ (without the tables its version lacks, its checkpoint agreeing); one older than HQ serves is
// told in words to update the app, and its outbox stays exactly as it was.
import i18next from 'i18next'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertSynced } from '../electron/core/db/repos/changes'
import { enrol, runSync } from '../electron/core/sync/engine'
import { openTestCore } from '../electron/core/testing'
import { resources } from '../shared/i18n'
import { MIN_SYNC_SCHEMA_VERSION, SYNC_SCHEMA_VERSION, versionSteps } from '../shared/sync/versions'
import { backends, startTestHq, type TestHq } from './testing'

const GRID = '451022-G03'
type Device = ReturnType<typeof openTestCore>
const outbox = (d: Device) => d.ctx.db.$client.prepare('SELECT device_seq, pushed_at, result, fields FROM outbox ORDER BY device_seq').all()

describe.each(backends)('devices of older sync schema versions (%s)', (backend) => {
  let hq: TestHq
  let current: Device
  let gridId: string
  beforeAll(async () => {
    hq = await startTestHq(undefined, { backend })
    current = openTestCore()
    await enrol(current.ctx, hq.url, await hq.userWithCode('now', 'grid_manager', [GRID]), 'new laptop')
    await runSync(current.ctx)
    gridId = (current.ctx.db.$client.prepare('SELECT id FROM org_units WHERE code = ?').get(GRID) as { id: string }).id
    // A table older versions do not know, with a row in the grid they share.
    current.ctx.db.transaction((tx) => insertSynced(tx, current.ctx.change, 'day_plans', { gridId, planDate: '2026-12-02', targets: '[]' }))
    expect((await runSync(current.ctx)).results.applied).toBe(1)
  })
  afterAll(async () => {
    current?.dispose()
    await hq?.close()
  })

  it(`a device ${SYNC_SCHEMA_VERSION - MIN_SYNC_SCHEMA_VERSION} versions behind pushes and pulls; it is not sent the tables it lacks and its checkpoint agrees`, async () => {
    const missing = versionSteps.filter((s) => s.version > MIN_SYNC_SCHEMA_VERSION).flatMap((s) => s.addedTables ?? [])
    expect(missing).toEqual(['day_plans'])
    const old = openTestCore()
    try {
      old.ctx.change.schemaVersion = MIN_SYNC_SCHEMA_VERSION
      await enrol(old.ctx, hq.url, await hq.userWithCode('old', 'grid_manager', [GRID]), 'old laptop')
      const first = await runSync(old.ctx)
      expect(first.checkpoint).toBe('ok')
      expect(first.refetched).toBe(false)
      expect(old.ctx.db.$client.prepare('SELECT count(*) AS n FROM day_plans').get()).toEqual({ n: 0 })
      // Its edit reaches HQ and the current device, and the current device's edit reaches it.
      const village = (old.ctx.db.$client.prepare('SELECT id FROM villages WHERE grid_id = ? ORDER BY id LIMIT 1').get(gridId) as { id: string }).id
      await old.call('villages.update', { id: village, patch: { notes: '旧版本改的' } })
      const pushed = await runSync(old.ctx)
      expect(pushed.results).toEqual({ applied: 1, superseded: 0, conflict: 0, rejected: 0 })
      expect(pushed.checkpoint).toBe('ok')
      await runSync(current.ctx)
      expect(await current.call('villages.get', { id: village })).toMatchObject({ notes: '旧版本改的' })
      await current.call('villages.update', { id: village, patch: { households: 321 } })
      await runSync(current.ctx)
      const pulled = await runSync(old.ctx)
      expect(pulled.checkpoint).toBe('ok')
      expect(await old.call('villages.get', { id: village })).toMatchObject({ notes: '旧版本改的', households: 321 })
    } finally {
      old.dispose()
    }
  })

  it('a device older than HQ serves is told to update the app, in Chinese and English; its outbox is untouched', async () => {
    const old = openTestCore()
    try {
      await enrol(old.ctx, hq.url, await hq.userWithCode('older', 'grid_manager', [GRID]), 'older laptop')
      await runSync(old.ctx)
      const village = (old.ctx.db.$client.prepare('SELECT id FROM villages WHERE grid_id = ? ORDER BY id LIMIT 1').get(gridId) as { id: string }).id
      old.ctx.change.schemaVersion = MIN_SYNC_SCHEMA_VERSION - 1
      await old.call('villages.update', { id: village, patch: { notes: '等升级后再发' } })
      await old.call('villages.update', { id: village, patch: { households: 88 } })
      const before = outbox(old)
      const error = await old.call('sync.run', {}).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toMatchObject({
        code: 'SYNC_FAILED',
        details: { server: 'UPGRADE_REQUIRED', schema_version: MIN_SYNC_SCHEMA_VERSION - 1, oldest: MIN_SYNC_SCHEMA_VERSION },
      })
      expect(outbox(old)).toEqual(before)
      expect(before.filter((c) => (c as { pushed_at: string | null }).pushed_at === null)).toHaveLength(2)
      expect(await old.call('sync.status', {})).toMatchObject({ pendingChanges: 2, lastErrorCode: 'UPGRADE_REQUIRED' })
      // What the sync page shows for it (renderer/src/features/sync/format.ts picks sync.errors.<code>).
      const i18n = i18next.createInstance()
      await i18n.init({ resources, lng: 'zh-CN', fallbackLng: 'en' })
      const server = (error as { details: { server: string } }).details.server
      expect(i18n.t(`sync.errors.${server}`)).toMatch(/升级.*保留/)
      expect(i18n.t(`sync.errors.${server}`, { lng: 'en' })).toMatch(/update GridDesk.*kept/i)
    } finally {
      old.dispose()
    }
  })
})
