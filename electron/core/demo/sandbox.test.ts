// The demo county is a sandbox: a device that tried the demo (and typed into it) becomes a real
// device. Enrolment refuses while the demo is there, offers the user's changes for export, then
// clears the demo in the transaction that stores the enrolment; the first sync pulls HQ's rows
// (the same county, the same org-unit codes: no UNIQUE collision) and nothing is rejected.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHq, type TestHq } from '../../../server/testing'
import { runCli } from '../../cli/main'
import { openTestCore } from '../testing'

let hq: TestHq
beforeAll(async () => {
  hq = await startTestHq()
})
afterAll(async () => {
  await hq?.close()
})

const count = (core: ReturnType<typeof openTestCore>, table: string) =>
  (core.ctx.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n

describe('demo → edit → enrol → sync', () => {
  let core: ReturnType<typeof openTestCore>
  let dir: string
  let typed = 0
  beforeAll(async () => {
    core = openTestCore()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-demo-export-'))
    await core.call('demo.load', { keyCustomers: 20, visits: 20 })
  })
  afterAll(() => {
    core?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('what the user typed into the demo is listed for export, with the record and its values', async () => {
    const [village] = (await core.call('villages.list', { limit: 1 })).rows
    await core.call('villages.update', { id: village!.id, patch: { households: 777 } })
    await core.call('customers.create', { name: '演示里录入的客户', category: 'admin_power' })
    const edits = await core.call('demo.edits', {})
    // The customer comes with its first funnel step: every outbox entry is there.
    typed = edits.changes
    expect(typed).toBeGreaterThanOrEqual(2)
    expect(edits.fileName).toMatch(/^griddesk-demo-edits-\d{8}-\d{6}\.json$/)
    const file = JSON.parse(edits.content) as { changes: { table: string; op: string; fields: Record<string, unknown>; label: string | null }[] }
    expect(file.changes).toHaveLength(typed)
    expect(file.changes[0]).toMatchObject({ table: 'villages', op: 'update', fields: { households: 777 }, label: village!.name })
    expect(file.changes).toContainEqual(expect.objectContaining({ table: 'key_customers', op: 'insert', label: '演示里录入的客户' }))
  })

  it('enrolling refuses while the demo is there and stores nothing; the command line says what to do', async () => {
    const code = await hq.userWithCode('zhaoliu', 'grid_manager', ['451022-G03'])
    await expect(core.call('sync.enrol', { server: hq.url, code })).rejects.toMatchObject({ code: 'DEMO_DATA', details: { edits: typed } })
    expect(await core.call('sync.status', {})).toMatchObject({ enrolled: false })
    expect((await core.call('app.info', {})).demoLoaded).toBe(true)
    const cli = await runCli(['sync', 'enrol', '--server', hq.url, '--code', code, '--data-dir', core.ctx.dataDir])
    expect(cli.code).toBe(1)
    expect(cli.stderr).toContain('--clear-demo')
  })

  it("enrols with the demo cleared (the changes exported first), then syncs HQ's county with nothing rejected", async () => {
    const exported = join(dir, 'edits.json')
    const code = await hq.code('zhaoliu')
    const cli = await runCli(['sync', 'enrol', '--server', hq.url, '--code', code, '--clear-demo', '--export', exported, '--data-dir', core.ctx.dataDir])
    expect(cli.stderr).toBe('')
    expect(cli.code).toBe(0)
    expect(JSON.parse(readFileSync(exported, 'utf8')).changes).toHaveLength(typed)
    const info = await core.call('app.info', {})
    expect(info.demoLoaded).toBe(false)
    expect(info.counts.grids).toBe(0)
    expect(count(core, 'outbox')).toBe(0)
    expect(count(core, 'key_customers')).toBe(0)
    expect(await core.call('sync.status', {})).toMatchObject({ enrolled: true, pendingChanges: 0 })

    const report = await core.call('sync.run', {})
    expect(report.results.rejected).toBe(0)
    expect(report.pulledRows).toBeGreaterThan(0)
    expect((await core.call('sync.status', {})).lastError).toBeNull()
    // HQ's G03 under the same code the demo used: no collision.
    expect(core.ctx.db.$client.prepare("SELECT count(*) AS n FROM org_units WHERE code = '451022-G03'").get()).toEqual({ n: 1 })
    // An enrolled device does not take the demo again.
    await expect(core.call('demo.load', {})).rejects.toMatchObject({ code: 'CONFLICT', details: { reason: 'enrolled' } })
  })
})

describe('clearing the demo without enrolling', () => {
  it('from the command line, exporting the changes first; a second clear finds no demo', async () => {
    const core = openTestCore()
    const dir = mkdtempSync(join(tmpdir(), 'griddesk-demo-clear-'))
    try {
      await core.call('demo.load', { keyCustomers: 5, visits: 5 })
      const [village] = (await core.call('villages.list', { limit: 1 })).rows
      await core.call('villages.update', { id: village!.id, patch: { population: 1234 } })
      core.close()
      const exported = join(dir, 'mine.json')
      const cli = await runCli(['demo', 'clear', '--export', exported, '--data-dir', core.dataDir])
      expect(cli.code).toBe(0)
      expect(JSON.parse(cli.stdout)).toMatchObject({ edits: 1, exported })
      expect(existsSync(exported)).toBe(true)
      const again = await runCli(['demo', 'clear', '--data-dir', core.dataDir])
      expect(again.code).toBe(1)
      const info = await runCli(['info', '--data-dir', core.dataDir])
      expect(JSON.parse(info.stdout)).toMatchObject({ demoLoaded: false, pendingChanges: 0 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
      rmSync(core.dataDir, { recursive: true, force: true })
    }
  })

  it("takes the demo county's reference divisions with it: another county's village file imports without township columns", async () => {
    const core = openTestCore()
    const dir = mkdtempSync(join(tmpdir(), 'griddesk-demo-clear-'))
    try {
      await core.call('demo.load', { keyCustomers: 0, visits: 0 })
      expect(count(core, 'divisions')).toBeGreaterThan(0)
      await core.call('demo.clear', {})
      // The demo's own divisions go; what the user imported does not come from the demo.
      expect(count(core, 'divisions')).toBe(0)
      // 德保县 (451024), not the demo's 田东县: codes and names only, no 乡镇 columns.
      const path = join(dir, 'debao.csv')
      writeFileSync(path, '区划代码,名称,户数\n451024100201,城关村委会,410\n451024101202,那甲村委会,385\n')
      expect(await core.call('import.commit', { kind: 'villages', source: { path } })).toMatchObject({ inserted: 2 })
    } finally {
      core.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
