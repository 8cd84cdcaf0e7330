import { existsSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { openTestCore } from '../testing'
import { attachmentPath } from '../visits/files'

let core: ReturnType<typeof openTestCore>
let village: { id: string; gridId: string; lon: number; lat: number }
const intelCount = () =>
  core.ctx.db.$client.prepare('SELECT (SELECT count(*) FROM competitor_intel) i, (SELECT count(*) FROM outbox) o, (SELECT count(*) FROM attachments) a').get()
// A 1×1 PNG and a tiny JPEG header (the core checks signatures, not pixels).
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]).toString('base64')

beforeEach(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 60, visits: 100 })
  village = core.ctx.db.$client.prepare('SELECT id, grid_id AS gridId, lon, lat FROM villages ORDER BY division_code LIMIT 1').get() as typeof village
})
afterEach(() => core.dispose())

const offer = {
  rival: 'telecom',
  kind: 'bundle',
  title: '电信99元融合',
  seenAt: '2026-11-01',
  monthlyFee: 99,
  dataGb: 40,
  voiceMinutes: 500,
  broadbandMbps: 1000,
  contractMonths: 24,
  deviceSubsidy: 300,
  validFrom: '2026-11-01',
  validTo: '2026-12-31',
  source: '宣传单',
  reliability: 4,
  threatLevel: 4,
  suggestedResponse: '推荐家庭融合套餐对标',
} as const

describe('competitor intel', () => {
  it('creates intel in a village or at a map point, with its grid, and lists it by every filter', async () => {
    const inVillage = await core.call('intel.create', { ...offer, villageId: village.id })
    expect(inVillage).toMatchObject({ gridId: village.gridId, monthlyFee: 99, contractMonths: 24, photos: [] })
    const atPoint = await core.call('intel.create', {
      ...offer,
      rival: 'unicom',
      kind: 'outlet',
      title: '联通新代理点',
      lon: village.lon + 0.0001,
      lat: village.lat,
      threatLevel: 2,
    })
    expect(atPoint.villageId).toBeNull()
    expect(atPoint.gridId).toBe(village.gridId)
    const ids = async (q: Parameters<typeof core.call<'intel.list'>>[1]) => (await core.call('intel.list', { ...q, limit: 2000 })).rows.map((r) => r.id)
    expect(await ids({ rival: 'unicom', kind: 'outlet' })).toContain(atPoint.id)
    expect(await ids({ rival: 'telecom', villageId: village.id })).toContain(inVillage.id)
    expect(await ids({ gridId: village.gridId, minThreat: 4 })).toContain(inVillage.id)
    expect(await ids({ gridId: village.gridId, minThreat: 4 })).not.toContain(atPoint.id)
    expect(await ids({ validOn: '2026-12-01' })).toContain(inVillage.id)
    expect(await ids({ validOn: '2027-01-01' })).not.toContain(inVillage.id)
    const updated = await core.call('intel.update', { id: inVillage.id, patch: { monthlyFee: 89, threatLevel: 5 } })
    expect(updated).toMatchObject({ monthlyFee: 89, threatLevel: 5 })
  })

  it('gives the map its pins: the located intel valid on the day, newest first, a few fields each', async () => {
    const day = new Date().toISOString().slice(0, 10)
    const { rows } = await core.call('intel.list', { validOn: day, limit: 2000 })
    const pins = await core.call('intel.pins', { validOn: day })
    const located = rows.filter((r) => r.lon !== null && r.lat !== null)
    expect(located.length).toBeGreaterThan(0)
    expect(pins).toEqual(
      located.map((r) => ({ id: r.id, rival: r.rival, title: r.title, lon: r.lon, lat: r.lat, seenAt: r.seenAt, threatLevel: r.threatLevel })),
    )
    expect(await core.call('intel.pins', { validOn: day, limit: 1 })).toEqual(pins.slice(0, 1))
  })

  it('rejects bad input with the field named and stores nothing', async () => {
    const before = intelCount()
    const error = (await core
      .call('intel.create', { ...offer, title: '', validFrom: '2026-12-31', validTo: '2026-11-01', reliability: 9 })
      .catch((e: unknown) => e)) as AppError
    expect(error.code).toBe('VALIDATION')
    expect(error.issues!.map((i) => `${i.path.join('.')}:${i.message}`)).toEqual(expect.arrayContaining(['title:required']))
    const noWhere = (await core.call('intel.create', { ...offer }).catch((e: unknown) => e)) as AppError
    expect(noWhere.issues!.map((i) => i.message)).toContain('where_required')
    const range = (await core
      .call('intel.create', { ...offer, villageId: village.id, validFrom: '2026-12-31', validTo: '2026-11-01' })
      .catch((e: unknown) => e)) as AppError
    expect(range.issues!.map((i) => `${i.path.join('.')}:${i.message}`)).toContain('validTo:valid_range')
    const created = await core.call('intel.create', { ...offer, villageId: village.id })
    const mid = intelCount()
    await expect(core.call('intel.update', { id: created.id, patch: { validTo: '2026-01-01' } })).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(
      core.call('intel.addPhoto', { intelId: created.id, fileName: 'x.png', mime: 'image/png', base64: Buffer.from('not an image').toString('base64') }),
    ).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(intelCount()).toEqual(mid)
    expect((mid as { i: number }).i).toBe((before as { i: number }).i + 1)
  })

  it('edits only the fields sent, through the outbox, and moves the grid with the place', async () => {
    const created = await core.call('intel.create', { ...offer, villageId: village.id })
    const other = core.ctx.db.$client
      .prepare('SELECT id, grid_id AS gridId, lon, lat FROM villages WHERE grid_id <> ? ORDER BY division_code LIMIT 1')
      .get(village.gridId) as typeof village
    const edited = await core.call('intel.update', { id: created.id, patch: { monthlyFee: 79, validTo: '2027-01-31' } })
    expect(edited).toMatchObject({ monthlyFee: 79, validTo: '2027-01-31', dataGb: 40, title: offer.title, villageId: village.id })
    const change = core.ctx.db.$client
      .prepare("SELECT op, fields FROM outbox WHERE table_name = 'competitor_intel' AND row_id = ? ORDER BY device_seq DESC LIMIT 1")
      .get(created.id) as { op: string; fields: string }
    expect(change.op).toBe('update')
    expect(Object.keys(JSON.parse(change.fields) as object).sort()).toEqual(['monthly_fee', 'valid_to'])
    // Moved to a village of another grid: the grid follows; then to a map point only.
    expect((await core.call('intel.update', { id: created.id, patch: { villageId: other.id } })).gridId).toBe(other.gridId)
    const atPoint = await core.call('intel.update', { id: created.id, patch: { villageId: null, lon: village.lon, lat: village.lat } })
    expect(atPoint).toMatchObject({ villageId: null, lon: village.lon, lat: village.lat, gridId: village.gridId })
  })

  it('rejects an edit that leaves half a point or no place, naming the field, and stores nothing', async () => {
    const created = await core.call('intel.create', { ...offer, lon: village.lon, lat: village.lat })
    const before = intelCount()
    const half = (await core.call('intel.update', { id: created.id, patch: { lat: null } }).catch((e: unknown) => e)) as AppError
    expect(half.code).toBe('VALIDATION')
    expect(half.issues!.map((i) => `${i.path.join('.')}:${i.message}`)).toEqual(['patch.lat:lonlat_pair'])
    const nowhere = (await core.call('intel.update', { id: created.id, patch: { lon: null, lat: null } }).catch((e: unknown) => e)) as AppError
    expect(nowhere.issues!.map((i) => `${i.path.join('.')}:${i.message}`)).toEqual(['patch.villageId:where_required'])
    const bad = (await core
      .call('intel.update', { id: created.id, patch: { title: ' ', reliability: 9, monthlyFee: -1 } })
      .catch((e: unknown) => e)) as AppError
    expect(bad.issues!.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['patch.title', 'patch.reliability', 'patch.monthlyFee']))
    expect(bad.issues!.find((i) => i.path[1] === 'reliability')!.message).toBe('level_range')
    expect(intelCount()).toEqual(before)
    expect(await core.call('intel.get', { id: created.id })).toMatchObject({
      lon: village.lon,
      lat: village.lat,
      title: offer.title,
      reliability: 4,
      monthlyFee: 99,
    })
  })

  it("compares a rival's offer with ours", async () => {
    const intel = await core.call('intel.create', { ...offer, villageId: village.id })
    const closest = await core.call('intel.compare', { id: intel.id })
    expect(closest.ours.kind).toBe('bundle')
    expect(closest.rivalMetrics).toMatchObject({ feePerGb: 2.48, feePerMbps: 0.099, contractMonths: 24, deviceSubsidy: 300, totalCost: 99 * 24 - 300 })
    const chosen = await core.call('intel.compare', { id: intel.id, offerCode: 'family-129' })
    expect(chosen.ourMetrics.feePerGb).toBe(2.15)
    expect(chosen.better.feePerGb).toBe('ours')
    expect(chosen.better.deviceSubsidy).toBe('rival')
  })

  it('stores flyer photos by hash with a thumbnail and reads them back', async () => {
    const intel = await core.call('intel.create', { ...offer, villageId: village.id })
    const photo = await core.call('intel.addPhoto', { intelId: intel.id, fileName: '传单.png', mime: 'image/png', base64: PNG, thumbBase64: JPEG })
    expect(photo).toMatchObject({ fileName: '传单.png', mime: 'image/png', hasThumb: true })
    expect(photo.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(existsSync(attachmentPath(core.dataDir, photo.sha256))).toBe(true)
    expect(attachmentPath(core.dataDir, photo.sha256)).toContain(`attachments/${photo.sha256.slice(0, 2)}/${photo.sha256}`)
    expect((await core.call('intel.photo', { id: photo.id })).base64).toBe(PNG)
    expect((await core.call('intel.photo', { id: photo.id, thumb: true })).mime).toBe('image/jpeg')
    const again = await core.call('intel.addPhoto', { intelId: intel.id, fileName: 'copy.png', mime: 'image/png', base64: PNG })
    expect(again.sha256).toBe(photo.sha256)
    expect((await core.call('intel.get', { id: intel.id })).photos).toHaveLength(2)
    expect((await core.call('intel.list', { villageId: village.id })).rows.find((r) => r.id === intel.id)!.photoCount).toBe(2)
  })
})
