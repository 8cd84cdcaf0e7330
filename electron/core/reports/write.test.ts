// A failed export leaves nothing behind (no <file>.<pid>.tmp, no half report) and says where and
// why; temporary files of exports a crash cut short are removed at the next start.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorText } from '../../../shared/i18n/errorText'
import { openCore } from '../app'
import { runSyncCommand } from '../sync/cli'
import { openTestCore } from '../testing'
import { REPO_ROOT } from '../resources'

let core: ReturnType<typeof openTestCore>
let folder: string
beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 10, visits: 20 })
  folder = mkdtempSync(join(tmpdir(), 'griddesk-export-'))
})
afterAll(() => {
  core.dispose()
  rmSync(folder, { recursive: true, force: true })
})

const exportTo = (path: string, overwrite = false) => core.dispatch('reports.export', { region: '451022', period: '2026-10', format: 'csv', path, overwrite }, 'en')
const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'))

describe('a failing export', () => {
  it('an overwrite whose rename fails (the name is taken by a folder) removes its temporary file', async () => {
    const target = join(folder, 'report-grid.csv')
    mkdirSync(target)
    const result = await exportTo(target, true)
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { reason: 'cannotWrite', path: target } } })
    if (result.ok) return
    expect(errorText('en', result)).toContain(`Cannot write “${target}”`)
    expect(errorText('zh-CN', result)).toContain('无法写入')
    expect(leftovers(folder)).toEqual([])
  })

  it('a folder that cannot be made (its parent is a file) is VALIDATION on the path, not INTERNAL', async () => {
    writeFileSync(join(folder, 'plain-file'), 'x')
    const result = await exportTo(join(folder, 'plain-file', 'report.csv'))
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: ['path'] }] } })
  })

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('a folder that became read-only: nothing is left in it', async () => {
    const locked = join(folder, 'locked')
    mkdirSync(locked)
    chmodSync(locked, 0o500)
    try {
      for (const overwrite of [false, true]) {
        const result = await exportTo(join(locked, 'report.csv'), overwrite)
        expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { reason: 'cannotWrite' } } })
      }
      expect(readdirSync(locked)).toEqual([])
    } finally {
      chmodSync(locked, 0o700)
    }
  })

  it('writes whole when it can', async () => {
    const target = join(folder, 'ok.csv')
    expect(await exportTo(target)).toMatchObject({ ok: true })
    expect(await exportTo(target, true)).toMatchObject({ ok: true })
    expect(leftovers(folder)).toEqual([])
  })
})

// A full disk under the export target, for real: the export's temporary file is made a link to
// /dev/full, whose every write fails with ENOSPC (the kernel's, as on a full USB stick).
const onFullDisk = (target: string) => symlinkSync('/dev/full', `${target}.${process.pid}.tmp`)
const gone = (path: string) => {
  try {
    lstatSync(path)
    return false
  } catch {
    return true
  }
}

describe.skipIf(!existsSync('/dev/full'))('an export on a full disk', () => {
  it("a report: says the export target's disk is full (not the store's 'change was not saved'), leaves nothing behind", async () => {
    for (const overwrite of [false, true]) {
      const target = join(folder, `full-${overwrite}.csv`)
      onFullDisk(target)
      const result = await exportTo(target, overwrite)
      expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { reason: 'targetFull', path: target, cause: 'ENOSPC' } } })
      if (result.ok) return
      expect(errorText('en', result)).toContain(`The disk holding the export target “${target}” is full`)
      expect(errorText('zh-CN', result)).toContain('所在的磁盘已满')
      expect(errorText('zh-CN', result)).not.toContain('修改没有保存')
      expect(gone(`${target}.${process.pid}.tmp`)).toBe(true)
      expect(existsSync(target)).toBe(false)
    }
  })

  it("the demo's edits exported before a clear: the target is full, nothing is left, and the demo is not cleared", async () => {
    const target = join(folder, 'demo-edits.json')
    onFullDisk(target)
    const result = await core.dispatch('demo.clear', { exportPath: target }, 'zh-CN')
    expect(result).toMatchObject({ ok: false, error: { details: { reason: 'targetFull' } } })
    expect(gone(`${target}.${process.pid}.tmp`)).toBe(true)
    expect(existsSync(target)).toBe(false)
    expect((await core.call('app.info', {})).demoLoaded).toBe(true)
  })

  it('`sync enrol --clear-demo --export FILE`: the target is full, said in words, nothing enrolled or left behind', async () => {
    const target = join(folder, 'enrol-edits.json')
    onFullDisk(target)
    const result = await runSyncCommand(
      core,
      ['enrol'],
      { server: 'http://127.0.0.1:9', code: 'X', 'clear-demo': true, export: target },
      () => undefined,
      'zh-CN',
    )
    expect(result).toMatchObject({ code: 1 })
    expect(result!.stderr).toContain('所在的磁盘已满')
    expect(JSON.parse(result!.stdout)).toMatchObject({ ok: false, error: { details: { reason: 'targetFull' } } })
    expect(gone(`${target}.${process.pid}.tmp`)).toBe(true)
    expect(existsSync(target)).toBe(false)
    expect((await core.call('app.info', {})).demoLoaded).toBe(true)
  })

  it('a new file never replaces one that exists', async () => {
    const target = join(folder, 'taken.json')
    writeFileSync(target, 'mine')
    expect(await core.dispatch('demo.clear', { exportPath: target }, 'en')).toMatchObject({ ok: false, error: { code: 'CONFLICT', details: { reason: 'fileExists' } } })
    expect((await core.call('app.info', {})).demoLoaded).toBe(true)
  })
})

describe('at start-up', () => {
  it('removes temporary files of exports a killed process left, in the exports folder and saved reports’ folders, and nothing else', async () => {
    const weekly = join(folder, 'weekly')
    await core.call('reports.definitions.save', { name: '周报', region: '451022', periodRule: 'previous_month', formats: ['csv'], folder: weekly })
    const exportsDir = join(core.dataDir, 'exports')
    mkdirSync(exportsDir, { recursive: true })
    mkdirSync(weekly, { recursive: true })
    const dead = [join(exportsDir, 'report-451022_2026-10.xlsx.999999999.tmp'), join(weekly, '周报_2026-10.csv.999999998.tmp')]
    const kept = [join(exportsDir, `report-live.csv.${process.pid}.tmp`), join(exportsDir, 'notes.tmp'), join(weekly, '周报_2026-09.csv')]
    for (const f of [...dead, ...kept]) writeFileSync(f, 'partial')
    core.close()
    const reopened = openCore({ dataDir: core.dataDir, resourcesDir: REPO_ROOT, version: 'test' })
    Object.assign(core, { ctx: reopened.ctx, dispatch: reopened.dispatch, call: reopened.call, close: reopened.close })
    for (const f of dead) expect(existsSync(f), f).toBe(false)
    for (const f of kept) expect(existsSync(f), f).toBe(true)
  })
})
