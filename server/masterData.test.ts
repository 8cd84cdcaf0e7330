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
})
