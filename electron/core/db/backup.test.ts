// Rolling backups of the encrypted store: taken daily, before migrations and before the demo is
// cleared, kept encrypted with the store's key and private, restorable from the app, the CLI and
// at open; a restore keeps the store it replaces. The full check runs on demand and after an
// unclean shutdown.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../cli/main'
import { DB_FILE, openCore, type Core } from '../app'
import { REPO_ROOT } from '../resources'
import { backupDir, backupNow, DAILY_KEPT, listBackups } from './backup'

const dirs: string[] = []
const tempDir = (prefix = 'griddesk-backup-') => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}
const cores: Core[] = []
const open = (dataDir: string, resourcesDir = REPO_ROOT) => {
  const core = openCore({ dataDir, resourcesDir, version: 'test' })
  cores.push(core)
  return core
}
afterEach(() => {
  for (const core of cores.splice(0)) core.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const villageNotes = (core: Core, id: string) =>
  (core.ctx.db.$client.prepare('SELECT notes FROM villages WHERE id = ?').get(id) as { notes: string | null }).notes
const firstVillage = (core: Core) => (core.ctx.db.$client.prepare('SELECT id FROM villages ORDER BY id LIMIT 1').get() as { id: string }).id

describe('backups', () => {
  it('a daily backup is taken once a day, off the main thread, encrypted with the store key and private', async () => {
    const dir = tempDir()
    const core = open(dir)
    await core.call('demo.load', { keyCustomers: 10, visits: 20 })
    const taken = await core.backupIfDue()
    expect(taken).toMatchObject({ reason: 'daily' })
    expect(await core.backupIfDue()).toBeNull()
    const file = join(backupDir(dir), taken!.file)
    // Not a clear SQLite file, not readable without the key…
    expect(readFileSync(file).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3')
    const clear = new Database(file, { readonly: true })
    expect(() => clear.prepare('SELECT count(*) FROM villages').get()).toThrow()
    clear.close()
    // …and the same rows with it.
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(statSync(backupDir(dir)).mode & 0o777).toBe(0o700)
    }
    const restoredDir = tempDir()
    cpSync(join(dir, 'griddesk.key.json'), join(restoredDir, 'griddesk.key.json'))
    cpSync(file, join(restoredDir, DB_FILE))
    const copy = open(restoredDir)
    expect((await copy.call('app.info', {})).counts).toEqual((await core.call('app.info', {})).counts)
  })

  it('keeps the last 7 daily backups and the last few of each other kind', async () => {
    const dir = tempDir()
    const core = open(dir)
    for (let day = 1; day <= 10; day++) backupNow(core.ctx.db.$client, dir, 'daily', new Date(Date.UTC(2026, 10, day, 8)))
    for (let i = 0; i < 5; i++) backupNow(core.ctx.db.$client, dir, 'premigration', new Date(Date.UTC(2026, 9, 1, i)))
    const kept = listBackups(dir)
    expect(kept.filter((b) => b.reason === 'daily')).toHaveLength(DAILY_KEPT)
    expect(kept.filter((b) => b.reason === 'daily').at(-1)!.at).toBe('2026-11-04T08:00:00.000Z')
    expect(kept.filter((b) => b.reason === 'premigration')).toHaveLength(3)
    expect(kept[0]!.at).toBe('2026-11-10T08:00:00.000Z')
  })

  it('backs up before a migration, and before the demo county is cleared', async () => {
    // A store made by the release before the last migration.
    const older = tempDir('griddesk-older-')
    mkdirSync(join(older, 'migrations', 'meta'), { recursive: true })
    const journal = JSON.parse(readFileSync(join(REPO_ROOT, 'migrations', 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] }
    const last = journal.entries.pop()!
    writeFileSync(join(older, 'migrations', 'meta', '_journal.json'), JSON.stringify(journal))
    for (const f of readdirSync(join(REPO_ROOT, 'migrations')))
      if (f.endsWith('.sql') && f !== `${last.tag}.sql`) cpSync(join(REPO_ROOT, 'migrations', f), join(older, 'migrations', f))
    const dir = tempDir()
    open(dir, older).close()
    cores.pop()
    expect(listBackups(dir)).toEqual([])
    const core = open(dir)
    expect(listBackups(dir).map((b) => b.reason)).toEqual(['premigration'])
    await core.call('demo.load', { keyCustomers: 5, visits: 5 })
    await core.call('demo.clear', {})
    expect(listBackups(dir).map((b) => b.reason)).toEqual(['preclear', 'premigration'])
  })

  it('restores a backup from the app: later edits are gone, the replaced store is kept, the app carries on', async () => {
    const dir = tempDir()
    const core = open(dir)
    await core.call('demo.load', { keyCustomers: 10, visits: 20 })
    const village = firstVillage(core)
    await core.call('villages.update', { id: village, patch: { notes: '备份前' } })
    const backup = await core.call('store.backup', {})
    await core.call('villages.update', { id: village, patch: { notes: '备份后' } })
    const listed = await core.call('store.backups', {})
    expect(listed.backups.map((b) => b.file)).toEqual([backup.file])
    const result = await core.call('store.restore', { file: backup.file })
    expect(result.keptAside).toMatch(/^griddesk\.sqlite\.replaced-/)
    expect(existsSync(join(dir, result.keptAside!))).toBe(true)
    expect(villageNotes(core, village)).toBe('备份前')
    await core.call('villages.update', { id: village, patch: { notes: '恢复后' } })
    expect((await core.call('villages.get', { id: village })).notes).toBe('恢复后')
    // A name that is no backup: refused, nothing changed.
    const missing = await core.dispatch('store.restore', { file: 'griddesk-2020-01-01T00-00-00-000Z-daily.sqlite' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(villageNotes(core, village)).toBe('恢复后')
    expect((await core.dispatch('store.restore', { file: '../griddesk.sqlite' })).ok).toBe(false)
  })

  it('refuses a damaged backup and leaves the store as it was', async () => {
    const dir = tempDir()
    const core = open(dir)
    await core.call('demo.load', { keyCustomers: 10, visits: 20 })
    const backup = await core.call('store.backup', {})
    const file = join(backupDir(dir), backup.file)
    const bytes = readFileSync(file)
    bytes.fill(0x55, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 4096)
    writeFileSync(file, bytes)
    const refused = await core.dispatch('store.restore', { file: backup.file }, 'en')
    expect(refused).toMatchObject({ ok: false, error: { code: 'STORE', details: { reason: 'backupDamaged' } } })
    expect((await core.call('app.info', {})).counts.villages).toBeGreaterThan(0)
    expect(readdirSync(dir).some((f) => f.includes('replaced'))).toBe(false)
  })
})

describe('integrity check', () => {
  it('runs on demand and says the store is intact', async () => {
    const dir = tempDir()
    const core = open(dir)
    const check = await core.call('store.check', {})
    expect(check).toMatchObject({ kind: 'integrity', problems: [], afterUncleanShutdown: false })
    expect((await core.call('store.backups', {})).lastCheck).toEqual(check)
  })

  it('runs in full after an unclean shutdown (a process that had the store open is gone), not after a clean close', async () => {
    const dir = tempDir()
    open(dir).close()
    cores.pop()
    expect(readdirSync(dir).filter((f) => f.startsWith('.open-'))).toEqual([])
    // A process killed with the store open left its marker behind.
    writeFileSync(join(dir, '.open-999999999'), '2026-12-01T00:00:00Z')
    const core = open(dir)
    expect((await core.call('store.backups', {})).lastCheck).toMatchObject({ kind: 'integrity', problems: [], afterUncleanShutdown: true })
    expect(readdirSync(dir).filter((f) => f.startsWith('.open-'))).toEqual([`.open-${process.pid}`])
    core.close()
    cores.pop()
    expect(readdirSync(dir).filter((f) => f.startsWith('.open-'))).toEqual([])
  })
})

describe('the command line', () => {
  it('lists, checks and restores backups of a store that no longer opens', async () => {
    const dir = tempDir()
    const cli = (...args: string[]) => runCli([...args, '--data-dir', dir, '--lang', 'en'])
    const core = open(dir)
    await core.call('demo.load', { keyCustomers: 10, visits: 20 })
    const taken = await cli('store', 'backup')
    expect(taken.code).toBe(0)
    core.close()
    cores.pop()
    const listed = await cli('store', 'backups')
    expect(JSON.parse(listed.stdout)).toHaveLength(1)
    expect((await cli('store', 'check')).stderr).toContain('Full check: intact')
    // Damage the store mid-file.
    const file = join(dir, DB_FILE)
    const bytes = readFileSync(file)
    bytes.fill(0xa5, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 8192)
    writeFileSync(file, bytes)
    const refused = await cli('info')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('store restore')
    const checked = await cli('store', 'check')
    expect(checked.code).toBe(1)
    // Not under a running app (another process with the store open: here, a live child process's marker).
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'])
    writeFileSync(join(dir, `.open-${child.pid}`), 'now')
    try {
      const held = await cli('store', 'restore')
      expect(held.code).toBe(1)
      expect(held.stderr).toContain('held by another program')
      expect(readFileSync(file).equals(bytes)).toBe(true)
    } finally {
      child.kill()
      rmSync(join(dir, `.open-${child.pid}`))
    }
    const restored = await cli('store', 'restore')
    expect(restored.code).toBe(0)
    const { keptAside } = JSON.parse(restored.stdout) as { keptAside: string }
    expect(readFileSync(join(dir, keptAside)).equals(bytes)).toBe(true)
    const info = await cli('info')
    expect(info.code).toBe(0)
    expect(JSON.parse(info.stdout).counts.keyCustomers).toBe(10)
  })
})
