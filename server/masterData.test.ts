import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enrol, runSync } from '../electron/core/sync/engine'
import { openTestCore } from '../electron/core/testing'
import { runAdmin } from './cli'
import { importMasterFile } from './masterData'
import { query } from './sync'
import { startTestHq, type TestHq } from './testing'
import { sql } from 'drizzle-orm'

describe('master data from files on the HQ server', () => {
  let hq: TestHq
  let dir: string
  let villages: { row_id: string; code: string; name: string }[]
  const maxSeq = async () => Number((await query<{ m: string }>(hq.store.db, sql`SELECT max(server_seq)::text AS m FROM rows`))[0]!.m)
  const households = async (id: string) =>
    (
      await query<{ h: number | null }>(hq.store.db, sql`SELECT (fields->>'households')::int AS h FROM rows WHERE table_name = 'villages' AND row_id = ${id}`)
    )[0]!.h
  beforeAll(async () => {
    hq = await startTestHq()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-hq-files-'))
    villages = await query(
      hq.store.db,
      sql`SELECT row_id, fields->>'division_code' AS code, fields->>'name' AS name FROM rows WHERE table_name = 'villages' ORDER BY row_id LIMIT 2`,
    )
  }, 60_000)
  afterAll(async () => {
    await hq?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a bad file is refused with its row-level problems and changes nothing on the server', async () => {
    const before = await maxSeq()
    const file = join(dir, 'bad.csv')
    writeFileSync(file, `区划代码,名称,户数\n${villages[0]!.code},${villages[0]!.name},412\n${villages[1]!.code},${villages[1]!.name},很多\n`)
    const result = await importMasterFile(hq.store.db, 'villages', file)
    expect(result.ok).toBe(false)
    expect(result.report).toContain(`bad.csv row 2 [Households]: "很多"`)
    expect(await maxSeq()).toBe(before)
    expect(await households(villages[0]!.row_id)).not.toBe(412)
  })

  it('a good file is applied in one batch as the admin, and enrolled devices receive it at their next sync', async () => {
    const device = openTestCore()
    try {
      await enrol(device.ctx, hq.url, await hq.userWithCode('county', 'county_manager', ['451022']), 'county laptop')
      await runSync(device.ctx)
      const file = join(dir, 'good.csv')
      writeFileSync(file, `区划代码,名称,户数\n${villages[0]!.code},${villages[0]!.name},412\n${villages[1]!.code},${villages[1]!.name},388\n`)
      const out = await runAdmin(['import', 'villages', file, '--data-dir', 'unused-when-testing'], hq.store.db)
      expect(out.code).toBe(0)
      expect(JSON.parse(out.out)).toMatchObject({ ok: true, changes: 2, results: { applied: 2, rejected: 0 } })
      expect([await households(villages[0]!.row_id), await households(villages[1]!.row_id)]).toEqual([412, 388])
      const pulled = await runSync(device.ctx)
      expect(pulled.pulledRows).toBe(2)
      expect(pulled.checkpoint).toBe('ok')
      expect((await device.call('villages.get', { id: villages[1]!.row_id })).households).toBe(388)
    } finally {
      device.dispose()
    }
  })

  it('--map and --skip-invalid: a file with its own headers and a bad row writes the valid rows and reports the rest', async () => {
    const before = await maxSeq()
    const file = join(dir, 'own-headers.csv')
    const [a, b] = villages
    writeFileSync(file, `A,B,C\n${a!.code},${a!.name},501\n${b!.code},${b!.name},很多\n`)
    const args = ['import', 'villages', file, '--data-dir', 'unused-when-testing']
    // Without the mapping no column is known; without --skip-invalid the bad row stops the file.
    expect((await runAdmin(args, hq.store.db)).out).toContain('own-headers.csv [Division code]: Missing column')
    const refused = await runAdmin([...args, '--map', 'divisionCode=A,name=B,households=C'], hq.store.db)
    expect(refused.code).toBe(1)
    expect(refused.out).toContain('own-headers.csv row 2 [Households]: "很多"')
    expect(await maxSeq()).toBe(before)
    const out = await runAdmin([...args, '--map', 'divisionCode=A,name=B,households=C', '--skip-invalid'], hq.store.db)
    expect(out.code).toBe(0)
    const result = JSON.parse(out.out) as { ok: boolean; changes: number; results: Record<string, number>; report: string }
    expect(result).toMatchObject({ ok: true, changes: 1, results: { applied: 1, rejected: 0 } })
    expect(JSON.parse(result.report)).toMatchObject({ updated: 1, skipped: 1, skippedIssues: [{ row: 2, field: 'households', code: 'not_a_number' }] })
    expect(await households(a!.row_id)).toBe(501)
    expect(await households(b!.row_id)).not.toBe(501)
  })

  it("import county: the outline (properties named with --map) is written to the county's org unit on the server", async () => {
    const file = join(dir, 'county.geojson')
    const ring = [
      [106.9, 23.4],
      [107.3, 23.4],
      [107.3, 23.8],
      [106.9, 23.8],
      [106.9, 23.4],
    ]
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: { XZQDM: '451022', XZQMC: '田东县' }, geometry: { type: 'Polygon', coordinates: [ring] } }],
      }),
    )
    const args = ['import', 'county', file, '--data-dir', 'unused-when-testing']
    const unmapped = await runAdmin(args, hq.store.db)
    expect(unmapped.code).toBe(1)
    expect(unmapped.out).toContain('county.geojson row 1 [Code]')
    const out = await runAdmin([...args, '--map', 'code=XZQDM,name=XZQMC'], hq.store.db)
    expect(out.code).toBe(0)
    expect(JSON.parse(out.out)).toMatchObject({ ok: true, changes: 1, results: { applied: 1 } })
    const [county] = await query<{ boundary: string; source: string }>(
      hq.store.db,
      sql`SELECT fields->>'boundary' AS boundary, fields->>'geometry_source' AS source FROM rows WHERE table_name = 'org_units' AND fields->>'level' = 'county' AND NOT deleted`,
    )
    expect(county!.source).toBe('import:county.geojson')
    expect(JSON.parse(county!.boundary).coordinates[0]).toHaveLength(5)
  })
})
