// Role rules at HQ, on the push path: a county manager places org units only under parents inside
// their regions (never at the top); an HQ analyst reads everything and writes nothing unless an
// admin assigned them a region, and then only there. Refused changes are set aside on the device
// with their reason, like any other refusal.
import { sql, type SQL } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertSynced, updateSynced } from '../electron/core/db/repos/changes'
import { rejectedChanges } from '../electron/core/db/repos/sync'
import { enrol, runSync } from '../electron/core/sync/engine'
import { openTestCore } from '../electron/core/testing'
import { assignRegion } from './accounts'
import { backends, startTestHq, type TestHq } from './testing'

type Device = ReturnType<typeof openTestCore>

const hqRows = async <T>(hq: TestHq, statement: SQL) => ((await hq.store.db.execute(statement)) as unknown as { rows: T[] }).rows
const hqUnit = async (hq: TestHq, code: string) =>
  (
    await hqRows<{ id: string; parent: string | null; name: string }>(
      hq,
      sql`SELECT row_id AS id, fields->>'parent_id' AS parent, fields->>'name' AS name FROM rows WHERE table_name = 'org_units' AND fields->>'code' = ${code}`,
    )
  )[0]!
const hqVillage = async (hq: TestHq, id: string) =>
  (
    await hqRows<{ households: number | null; notes: string | null }>(
      hq,
      sql`SELECT (fields->>'households')::int AS households, fields->>'notes' AS notes FROM rows WHERE table_name = 'villages' AND row_id = ${id}`,
    )
  )[0]!
const unitId = (d: Device, code: string) => (d.ctx.db.$client.prepare('SELECT id FROM org_units WHERE code = ?').get(code) as { id: string }).id
const villageIn = (d: Device, grid: string, not = false) =>
  (
    d.ctx.db.$client
      .prepare(
        `SELECT v.id FROM villages v JOIN org_units g ON g.id = v.grid_id WHERE g.code ${not ? '!=' : '='} ? AND v.deleted_at IS NULL ORDER BY v.id LIMIT 1`,
      )
      .get(grid) as { id: string }
  ).id
const edit = (d: Device, table: 'villages' | 'org_units', id: string, patch: Record<string, unknown>) =>
  d.ctx.db.transaction((tx) => updateSynced(tx, d.ctx.change, table, id, patch))
/** The last queued change, rewritten to a value the app would not let the user pick (a parent it does not hold). */
const rewriteLast = (d: Device, field: string, value: unknown, base: unknown) =>
  d.ctx.db.$client
    .prepare(
      'UPDATE outbox SET fields = json_set(fields, ?, json(?)), base = json_set(base, ?, json(?)) WHERE device_seq = (SELECT max(device_seq) FROM outbox)',
    )
    .run(`$.${field}`, JSON.stringify(value), `$.${field}`, JSON.stringify(base))
/** The reasons of the changes set aside, oldest first. */
const asideReasons = (d: Device) =>
  rejectedChanges(d.ctx.db.$client)
    .map((c) => c.reason?.match(/^[a-z_]+/)?.[0])
    .reverse()
const asideFor = (d: Device, rowId: string) =>
  rejectedChanges(d.ctx.db.$client)
    .find((c) => c.rowId === rowId)
    ?.reason?.match(/^[a-z_]+/)?.[0]

describe.each(backends)('role rules at HQ (%s)', (backend) => {
  let hq: TestHq
  beforeAll(async () => {
    hq = await startTestHq(undefined, { backend })
  }, 240_000)
  afterAll(async () => {
    await hq?.close()
  })

  describe('a county manager of two centers', () => {
    let device: Device
    beforeAll(async () => {
      device = openTestCore()
      await enrol(device.ctx, hq.url, await hq.userWithCode('county-c1c2', 'county_manager', ['451022-C1', '451022-C2']), 'laptop')
      expect((await runSync(device.ctx)).checkpoint).toBe('ok')
    }, 240_000)
    afterAll(() => device?.dispose())

    it('moves a grid between two centers of its own', async () => {
      const grid = device.ctx.db.$client
        .prepare(
          "SELECT g.code, p.code AS parent FROM org_units g JOIN org_units p ON p.id = g.parent_id WHERE g.level = 'grid' AND p.code = '451022-C1' ORDER BY g.code DESC LIMIT 1",
        )
        .get() as { code: string }
      edit(device, 'org_units', unitId(device, grid.code), { parentId: unitId(device, '451022-C2') })
      const report = await runSync(device.ctx)
      expect(report.results).toMatchObject({ applied: 1, rejected: 0 })
      expect((await hqUnit(hq, grid.code)).parent).toBe((await hqUnit(hq, '451022-C2')).id)
    })

    it('may not move a grid under a center outside its regions, nor to the top, nor make a top-level unit', async () => {
      // A grid of center C1 the test above left in place (its fields all at the row's version).
      const grid = (
        device.ctx.db.$client
          .prepare(
            "SELECT g.code FROM org_units g JOIN org_units p ON p.id = g.parent_id WHERE g.level = 'grid' AND p.code = '451022-C1' ORDER BY g.code LIMIT 1",
          )
          .get() as { code: string }
      ).code
      const before = await hqUnit(hq, grid)
      const outside = await hqUnit(hq, '451022-C3')
      // Under another center: the device does not even hold it, so the change is rewritten in the outbox.
      edit(device, 'org_units', unitId(device, grid), { name: '移走的网格' })
      const version = (
        device.ctx.db.$client.prepare("SELECT json_extract(base, '$.name') AS v FROM outbox WHERE device_seq = (SELECT max(device_seq) FROM outbox)").get() as {
          v: unknown
        }
      ).v
      rewriteLast(device, 'parent_id', outside.id, version)
      // To the top.
      edit(device, 'org_units', unitId(device, grid), { parentId: null })
      // A new top-level unit, with a code assigned to the manager (else its own code is outside their regions).
      await assignRegion(hq.store.db, 'county-c1c2', '451022-C9')
      device.ctx.db.transaction((tx) =>
        insertSynced(tx, device.ctx.change, 'org_units', { code: '451022-C9', name: '新中心', level: 'center', parentId: null }),
      )
      const report = await runSync(device.ctx)
      expect(report.results.rejected).toBe(3)
      expect(asideReasons(device)).toEqual(['reparent_outside_scope', 'reparent_outside_scope', 'reparent_outside_scope'])
      const after = await hqUnit(hq, grid)
      expect([after.parent, after.name]).toEqual([before.parent, before.name])
      expect(await hqRows(hq, sql`SELECT 1 FROM rows WHERE table_name = 'org_units' AND fields->>'code' = '451022-C9'`)).toEqual([])
      // Set aside, listed with a translated reason; nothing waits in the outbox.
      const listed = await device.call('sync.rejected', {})
      expect(listed.map((c) => c.reasonCode)).toEqual(['reparent_outside_scope', 'reparent_outside_scope', 'reparent_outside_scope'])
      expect((await runSync(device.ctx)).pushed).toBe(0)
    })
  })

  describe('an HQ analyst', () => {
    let analyst: Device
    beforeAll(async () => {
      analyst = openTestCore()
      await enrol(analyst.ctx, hq.url, await hq.userWithCode('analyst', 'hq_analyst', []), 'hq laptop')
      expect((await runSync(analyst.ctx)).checkpoint).toBe('ok')
    }, 240_000)
    afterAll(() => analyst?.dispose())

    it('reads everything and writes nothing: each change is set aside as read-only, HQ keeps its values', async () => {
      expect(analyst.ctx.db.$client.prepare("SELECT count(*) AS n FROM org_units WHERE level = 'grid'").get()).toEqual({ n: 12 })
      const village = villageIn(analyst, '451022-G03')
      const before = await hqVillage(hq, village)
      edit(analyst, 'villages', village, { households: 4321, notes: '=HYPERLINK("http://x.example","点我")' })
      // Org units are HQ data an analyst's role never writes: refused on the device at once, nothing queued.
      expect(() => edit(analyst, 'org_units', unitId(analyst, '451022-G03'), { name: '分析员改名' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }))
      const report = await runSync(analyst.ctx)
      expect(report.results).toMatchObject({ applied: 0, rejected: 1 })
      expect(asideReasons(analyst)).toEqual(['read_only_role'])
      expect(await hqVillage(hq, village)).toEqual(before)
      expect((await hqUnit(hq, '451022-G03')).name).not.toBe('分析员改名')
      // The rows stay on the analyst's device (HQ's values), and the set-aside export writes the
      // refused note as text a spreadsheet will not run.
      expect(analyst.ctx.db.$client.prepare('SELECT households FROM villages WHERE id = ?').get(village)).toEqual({ households: before.households })
      const csv = await analyst.call('sync.rejectedExport', { format: 'csv' })
      expect(csv.content).toContain(`"'=HYPERLINK(""http://x.example"",""点我"")"`)
      expect(csv.content).not.toMatch(/(^|,)"?=HYPERLINK/m)
    })

    it('writes in a region an admin assigned, and only there', async () => {
      await assignRegion(hq.store.db, 'analyst', '451022-G05')
      const inside = villageIn(analyst, '451022-G05')
      const outside = villageIn(analyst, '451022-G05', true)
      edit(analyst, 'villages', inside, { households: 1234 })
      edit(analyst, 'villages', outside, { households: 5678 })
      const report = await runSync(analyst.ctx)
      expect(report.results).toMatchObject({ applied: 1, rejected: 1 })
      expect((await hqVillage(hq, inside)).households).toBe(1234)
      expect((await hqVillage(hq, outside)).households).not.toBe(5678)
      expect(asideFor(analyst, outside)).toBe('outside_write_region')
    })
  })
})
