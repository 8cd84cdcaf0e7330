import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../cli/main'
import { openTestCore } from '../testing'
import { resolvePeriod } from './definitions'

describe('which period a saved report covers', () => {
  it.each([
    ['previous_month', '2026-01-05', '2025-12'],
    ['previous_month', '2026-11-23', '2026-10'],
    ['current_month', '2026-11-30', '2026-11'],
    ['previous_quarter', '2026-02-01', '2025-Q4'],
    ['current_quarter', '2026-07-01', '2026-Q3'],
    ['current_year', '2026-12-31', '2026'],
    ['2026-Q2', '2026-11-23', '2026-Q2'],
  ] as const)('%s on %s is %s', (rule, today, period) => {
    expect(resolvePeriod(rule, today)).toBe(period)
  })
})

describe('saved report definitions', () => {
  let core: ReturnType<typeof openTestCore>
  let folder: string
  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', { keyCustomers: 60, visits: 300 })
    folder = mkdtempSync(join(tmpdir(), 'griddesk-weekly-'))
  })
  afterAll(() => {
    core?.dispose()
    rmSync(folder, { recursive: true, force: true })
  })

  it('refuses an unknown region, a relative folder and a duplicate name, saving nothing', async () => {
    const bad = await core.dispatch('reports.definitions.save', { name: '周报', region: 'NOPE', periodRule: 'previous_month', formats: ['xlsx'], folder: 'exports' })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.issues!.map((i) => i.path[0]).sort()).toEqual(['folder', 'region'])
    const empty = await core.dispatch('reports.definitions.save', { name: '周报', region: '451022', periodRule: 'previous_month', formats: [], folder })
    expect(empty).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await core.call('reports.definitions.list', {})).toEqual([])
  })

  it('runs every format from one build, leaves existing files alone, overwrites when asked', async () => {
    const saved = await core.call('reports.definitions.save', { name: '县周报', region: '451022', periodRule: 'previous_month', formats: ['xlsx', 'csv', 'geojson'], folder })
    const dup = await core.dispatch('reports.definitions.save', { name: '县周报', region: '451022-G01', periodRule: 'current_month', formats: ['pdf'], folder })
    expect(dup).toMatchObject({ ok: false, error: { issues: [{ path: ['name'] }] } })

    const first = await core.call('reports.definitions.run', { id: saved.id, asOf: '2026-11-23' })
    expect(first.period).toBe('2026-10')
    expect(first.files.map((f) => [f.format, f.status])).toEqual([['xlsx', 'written'], ['csv', 'written'], ['geojson', 'written']])
    const csv = first.files.find((f) => f.format === 'csv')!.path
    expect(csv).toBe(join(folder, '县周报_451022_2026-10.csv'))
    expect(readFileSync(csv).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    const mtime = statSync(csv).mtimeMs

    const again = await core.call('reports.definitions.run', { id: saved.id, asOf: '2026-11-24' })
    expect(again.files.every((f) => f.status === 'exists')).toBe(true)
    expect(statSync(csv).mtimeMs).toBe(mtime)
    const forced = await core.call('reports.definitions.run', { id: saved.id, asOf: '2026-11-24', overwrite: true })
    expect(forced.files.every((f) => f.status === 'written')).toBe(true)
    expect((await core.call('reports.definitions.list', {}))[0]!.lastRunAt).not.toBeNull()
  })

  it('runs a saved report by name from the command line', async () => {
    await core.call('reports.definitions.save', { name: 'G01月报', region: '451022-G01', periodRule: '2026-10', formats: ['geojson'], folder })
    core.close()
    const run = await runCli(['report', 'run', 'G01月报', '--data-dir', core.dataDir])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).files[0]).toMatchObject({ format: 'geojson', status: 'written' })
    const missing = await runCli(['report', 'run', '没有这个', '--data-dir', core.dataDir])
    expect(missing.code).toBe(1)
  })
})
