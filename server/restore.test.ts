// A device whose store was restored from its own backup (db/backup.ts) after it had sent more work
// to HQ: the changes it makes next reuse the numbers of those HQ already holds, which HQ would
// answer as replays (and the device would drop them as sent). The first sync after the restore
// moves them past HQ's last one and fetches the region again, so the work sent after the backup
// comes back and nothing is lost on either side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runSync, enrol } from '../electron/core/sync/engine'
import { openTestCore } from '../electron/core/testing'
import { compareDeviceWithHq, outboxArrivedOnce } from './faults/compare'
import { startTestHq, type TestHq } from './testing'

type Device = ReturnType<typeof openTestCore>
const GRID = '451022-G03'

describe('a device restored from its own backup', () => {
  let hq: TestHq
  let device: Device
  beforeAll(async () => {
    hq = await startTestHq()
    device = openTestCore()
    await enrol(device.ctx, hq.url, await hq.userWithCode('restore-a', 'grid_manager', [GRID]), 'laptop')
    expect((await runSync(device.ctx)).checkpoint).toBe('ok')
  }, 240_000)
  afterAll(async () => {
    device.dispose()
    await hq.close()
  })

  const notesAtHq = async (id: string) =>
    (
      (await hq.store.db.execute(`SELECT fields->>'notes' AS notes FROM rows WHERE table_name = 'villages' AND row_id = '${id}'`)) as unknown as {
        rows: { notes: string | null }[]
      }
    ).rows[0]?.notes

  it('sends what it makes after the restore and gets back what it had sent after the backup', async () => {
    const [a, b, c] = (device.ctx.db.$client.prepare('SELECT id FROM villages WHERE deleted_at IS NULL ORDER BY id LIMIT 3').all() as { id: string }[]).map(
      (r) => r.id,
    )
    await device.call('villages.update', { id: a!, patch: { notes: '备份前' } })
    await runSync(device.ctx)
    const backup = await device.call('store.backup', {})
    await device.call('villages.update', { id: b!, patch: { notes: '备份后已发送' } })
    await device.call('villages.update', { id: b!, patch: { households: 321 } })
    expect((await runSync(device.ctx)).results.applied).toBe(2)

    await device.call('store.restore', { file: backup.file })
    expect((await device.call('villages.get', { id: b! })).notes).not.toBe('备份后已发送')
    await device.call('villages.update', { id: c!, patch: { notes: '恢复后' } })
    await device.call('villages.update', { id: a!, patch: { households: 123 } })

    const report = await runSync(device.ctx)
    expect(report.warnings.find((w) => w.code === 'restored_backup')).toMatchObject({ params: { count: 2 } })
    expect(report.results).toMatchObject({ applied: 2, rejected: 0 })
    expect(await notesAtHq(c!)).toBe('恢复后')
    // The work sent after the backup is back on the device.
    expect(await device.call('villages.get', { id: b! })).toMatchObject({ notes: '备份后已发送', households: 321 })
    expect(await device.call('villages.get', { id: a! })).toMatchObject({ notes: '备份前', households: 123 })
    expect(await compareDeviceWithHq(device, hq.store.db)).toEqual([])
    // Every change arrived once; HQ also holds the two sent after the backup, which the restored outbox no longer lists.
    expect((await outboxArrivedOnce(device, hq.store.db)).problems).toEqual([
      'HQ logged #2, which the device never wrote',
      'HQ logged #3, which the device never wrote',
    ])
    // Once: the next sync is an ordinary one.
    const again = await runSync(device.ctx)
    expect(again.warnings.map((w) => w.code)).not.toContain('restored_backup')
    expect(again.pushed).toBe(0)
    expect(again.checkpoint).toBe('ok')
  })
})
