import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { openTestCore } from '../testing'

type TestCore = ReturnType<typeof openTestCore>

function outboxRows(core: TestCore) {
  return core.ctx.db.$client.prepare('SELECT * FROM outbox ORDER BY device_seq').all() as {
    device_seq: number
    table_name: string
    row_id: string
    op: string
    fields: string
    base: string
    hlc: string
    device_id: string
  }[]
}

describe('villages.update', () => {
  let core: TestCore
  let villageId: string
  beforeEach(async () => {
    core = openTestCore()
    await core.call('demo.load', { keyCustomers: 20, visits: 50 })
    const overview = await core.call('map.overview', {})
    villageId = overview.villages.features[0]!.properties.id
  })
  afterEach(() => core.dispose())

  it('changes the profile and records exactly the changed fields in the outbox, in the same write', async () => {
    const before = await core.call('villages.get', { id: villageId })
    const after = await core.call('villages.update', {
      id: villageId,
      patch: { households: (before.households ?? 0) + 10, marketDays: '农历逢二、五、八', fibreCovered: !before.fibreCovered },
    })
    expect(after.households).toBe((before.households ?? 0) + 10)
    expect(after.marketDays).toBe('农历逢二、五、八')
    const [entry, ...more] = outboxRows(core)
    expect(more).toHaveLength(0)
    expect(entry).toMatchObject({ device_seq: 1, table_name: 'villages', row_id: villageId, op: 'update' })
    expect(entry!.device_id).toBe(core.ctx.change.deviceId)
    const fields = JSON.parse(entry!.fields)
    expect(Object.keys(fields).sort()).toEqual(
      ['fibre_covered', 'households', 'market_days'].filter((f) => f !== 'market_days' || before.marketDays !== '农历逢二、五、八').sort(),
    )
    expect(fields.households).toBe((before.households ?? 0) + 10)
    // Each field's base is the version the row had: its hlc, as the demo load stamped it.
    const rowHlc = (core.ctx.db.$client.prepare('SELECT hlc FROM villages WHERE id = ?').get(villageId) as { hlc: string }).hlc
    expect(rowHlc).toMatch(/-demo$/)
    expect(JSON.parse(entry!.base)).toEqual(Object.fromEntries(Object.keys(fields).map((f) => [f, rowHlc])))
    expect((await core.call('app.info', {})).pendingChanges).toBe(1)
  })

  it('numbers outbox entries without gaps and bases each change on the previous version of the field', async () => {
    await core.call('villages.update', { id: villageId, patch: { population: 1000 } })
    await core.call('villages.update', { id: villageId, patch: { population: 1001 } })
    await core.call('villages.update', { id: villageId, patch: { notes: '村口新开电信代理点' } })
    const rows = outboxRows(core)
    expect(rows.map((r) => r.device_seq)).toEqual([1, 2, 3])
    expect(JSON.parse(rows[1]!.base)).toEqual({ population: rows[0]!.hlc })
    expect(rows[0]!.hlc < rows[1]!.hlc && rows[1]!.hlc < rows[2]!.hlc).toBe(true)
  })

  it('records nothing when the new value equals the stored one', async () => {
    const before = await core.call('villages.get', { id: villageId })
    await core.call('villages.update', { id: villageId, patch: { population: before.population } })
    expect(outboxRows(core)).toHaveLength(0)
  })

  it.each([
    ['a negative household count', { households: -3 }, 'households'],
    ['a penetration over 100 %', { penetrationPct: 140 }, 'penetrationPct'],
    ['an unknown field', { secretField: 1 }, ''],
    ['an empty patch', {}, ''],
    ['a signal quality outside the list', { signal4g: 'excellent' }, 'signal4g'],
  ])('rejects %s with a VALIDATION error naming the field, and writes nothing', async (_label, patch, field) => {
    const before = await core.call('villages.get', { id: villageId })
    const envelope = await core.dispatch('villages.update', { id: villageId, patch })
    expect(envelope.ok).toBe(false)
    if (envelope.ok) return
    expect(envelope.error.code).toBe('VALIDATION')
    expect(envelope.error.issues?.length).toBeGreaterThan(0)
    if (field) expect(envelope.error.issues!.some((i) => i.path.includes(field))).toBe(true)
    expect(await core.call('villages.get', { id: villageId })).toEqual(before)
    expect(outboxRows(core)).toHaveLength(0)
  })

  it('gives validation messages in the caller’s language', async () => {
    const zh = await core.dispatch('villages.update', { id: villageId, patch: { households: 'many' } }, 'zh-CN')
    const en = await core.dispatch('villages.update', { id: villageId, patch: { households: 'many' } }, 'en')
    expect(!zh.ok && zh.error.issues![0]!.message).toBe('请填写数字')
    expect(!en.ok && en.error.issues![0]!.message).toBe('Enter a number')
  })

  it('answers NOT_FOUND for an unknown village and writes nothing', async () => {
    const missing = '01900000-0000-7000-8000-000000000000'
    await expect(core.call('villages.update', { id: missing, patch: { population: 5 } })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(core.call('villages.get', { id: missing })).rejects.toBeInstanceOf(AppError)
    expect(outboxRows(core)).toHaveLength(0)
  })
})

describe('dispatch', () => {
  let core: TestCore
  beforeEach(() => (core = openTestCore()))
  afterEach(() => core.dispose())

  it('refuses an unknown handler name with UNKNOWN_HANDLER', async () => {
    const envelope = await core.dispatch('villages.drop', {})
    expect(envelope).toMatchObject({ ok: false, error: { code: 'UNKNOWN_HANDLER' } })
  })

  it('does not treat inherited object keys as handler names', async () => {
    const envelope = await core.dispatch('constructor', {})
    expect(envelope).toMatchObject({ ok: false, error: { code: 'UNKNOWN_HANDLER' } })
  })
})
