// Store health at open: a 0-byte, foreign, damaged or newer-schema store is refused with a
// translated message saying what to do — never a raw SqliteError, never a new device.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DB_FILE, openCore } from '../app'
import { REPO_ROOT } from '../resources'
import { errorText } from '../../../shared/i18n/errorText'
import { AppError } from '../../../shared/errors'
import { StoreError } from './health'

// Faults root cannot be given by chmod (CI runs as root): SQLite opening the store read-only, as its
// unix VFS does when the file may not be written; a pragma's hook (to cap the file's size, as a full
// disk does); the file system refusing a write under the data directory.
const faults = vi.hoisted(() => ({
  readonly: false,
  onPragma: undefined as ((db: { pragma(source: string, options?: { simple?: boolean }): unknown }, source: string) => void) | undefined,
  writeFile: undefined as ((path: string) => void) | undefined,
}))
vi.mock('better-sqlite3', async (importOriginal) => {
  const Real = ((await importOriginal()) as { default: new (file: string, options?: object) => object }).default
  class Faulty extends (Real as unknown as new (file: string, options?: object) => { pragma(source: string, options?: object): unknown }) {
    constructor(file: string, options: { readonly?: boolean } = {}) {
      super(file, faults.readonly ? { ...options, readonly: true } : options)
    }
    override pragma(source: string, options?: object): unknown {
      faults.onPragma?.(this, source)
      return super.pragma(source, options)
    }
  }
  return { default: Faulty }
})
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>()
  return {
    ...real,
    writeFileSync: (...args: Parameters<typeof real.writeFileSync>) => {
      faults.writeFile?.(String(args[0]))
      return real.writeFileSync(...args)
    },
  }
})

const dirs: string[] = []
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'griddesk-health-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  faults.readonly = false
  faults.onPragma = undefined
  faults.writeFile = undefined
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const open = (dir: string) => openCore({ dataDir: dir, resourcesDir: REPO_ROOT, version: 'test' })
const refusal = (dir: string) => {
  try {
    open(dir).close()
  } catch (error) {
    return error
  }
  throw new Error('opened')
}

describe('store health at open', () => {
  it('a 0-byte store is an error, not a new device', () => {
    const dir = dataDir()
    writeFileSync(join(dir, DB_FILE), '')
    const error = refusal(dir)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).reason).toBe('empty')
    expect((error as StoreError).translated('en')).toContain('0 bytes')
    expect((error as StoreError).translated('zh-CN')).toContain('0 字节')
    expect(statSync(join(dir, DB_FILE)).size).toBe(0)
  })

  // Damaged stores under encryption: each refused with the right translated message, never a stack,
  // the file left as it was for a restore or an expert.
  const storeWithData = async () => {
    const dir = dataDir()
    const core = open(dir)
    await core.call('demo.load', { keyCustomers: 20, visits: 50 })
    core.close()
    return { dir, file: join(dir, DB_FILE) }
  }
  const damage = (file: string, at: number, length: number) => {
    const bytes = readFileSync(file)
    for (let i = at; i < at + length; i++) bytes[i] = bytes[i]! ^ 0xff
    writeFileSync(file, bytes)
    return bytes
  }

  it('flipped bytes mid-file: damaged (corrupt), with a restore to offer', async () => {
    const { dir, file } = await storeWithData()
    const size = statSync(file).size
    const bytes = damage(file, Math.floor(size / 2 / 4096) * 4096 + 100, 16)
    const error = refusal(dir) as StoreError
    expect(error).toBeInstanceOf(StoreError)
    expect(error.reason).toBe('corrupt')
    expect(error.translated('en')).toContain('is damaged')
    expect(error.translated('en')).toContain('npm run cli -- store restore')
    expect(error.translated('zh-CN')).toContain('已损坏')
    expect(error.translated('zh-CN')).toContain('从应用自动保存的备份恢复')
    expect(readFileSync(file).equals(bytes)).toBe(true)
  })

  it('a large store opens without waiting for its check; damage a background check finds stops writes at once, is in sync.status, and makes the next open refuse it', async () => {
    const { dir, file } = await storeWithData()
    const size = statSync(file).size
    damage(file, Math.floor(size / 2 / 4096) * 4096 + 100, 16)
    // As for a store above the inline limit: open at once, the quick_check in a worker right after.
    const core = openCore({ dataDir: dir, resourcesDir: REPO_ROOT, version: 'test', inlineCheckMaxBytes: 0, backgroundCheckDelayMs: 0 })
    try {
      const { lastCheck } = await (async () => {
        for (let i = 0; i < 200; i++) {
          const backups = await core.call('store.backups', {})
          if (backups.lastCheck?.kind === 'quick') return backups
          await new Promise((resolve) => setTimeout(resolve, 25))
        }
        throw new Error('no background check')
      })()
      expect(lastCheck!.problems.length).toBeGreaterThan(0)
      expect(existsSync(join(dir, '.check-needed'))).toBe(true)
      // The session stops writing at once and says why: the window reads it from sync.status.
      const status = await core.call('sync.status', {})
      expect(status.storeDamaged).toMatchObject({ problems: lastCheck!.problems.length })
      const sqlite = core.ctx.db.$client
      const outbox = (sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n
      const village = sqlite.prepare('SELECT id FROM villages LIMIT 1').get() as { id: string }
      const answer = await core.dispatch('villages.update', { id: village.id, patch: { notes: '损坏后的修改' } }, 'zh-CN')
      expect(answer).toMatchObject({ ok: false, error: { code: 'STORE', details: { reason: 'corrupt' } } })
      if (!answer.ok) {
        expect(errorText('zh-CN', answer)).toContain('已损坏')
        expect(errorText('zh-CN', answer)).toContain('备份恢复')
      }
      expect((sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n).toBe(outbox)
      // The full check on demand still answers (and writes nothing).
      expect((await core.call('store.check', {})).problems.length).toBeGreaterThan(0)
    } finally {
      core.close()
    }
    expect((refusal(dir) as StoreError).reason).toBe('corrupt')
  })

  it('flipped bytes in the first page: not a GridDesk data file (the key itself was right)', async () => {
    const { dir, file } = await storeWithData()
    damage(file, 200, 8)
    const error = refusal(dir) as StoreError
    expect(error.reason).toBe('notADatabase')
    expect(error.translated('zh-CN')).toContain('不是网格通的数据文件')
    expect(error.translated('en')).toContain('store restore')
  })

  it('a truncated store: damaged', async () => {
    const { dir, file } = await storeWithData()
    truncateSync(file, Math.floor(statSync(file).size / 4096 / 2) * 4096 + 1000)
    const error = refusal(dir) as StoreError
    expect(error).toBeInstanceOf(StoreError)
    expect(['corrupt', 'notADatabase']).toContain(error.reason)
    expect(error.translated('en')).toContain('restore')
  })

  it('random bytes in place of the store: not a GridDesk data file', () => {
    const dir = dataDir()
    open(dir).close()
    writeFileSync(join(dir, DB_FILE), randomBytes(64 * 1024))
    const error = refusal(dir) as StoreError
    expect(error.reason).toBe('notADatabase')
  })

  it('a wrong key: the key is wrong, not the store', async () => {
    const { dir } = await storeWithData()
    const other = join(dataDir(), 'other.key')
    writeFileSync(other, randomBytes(64))
    let error: unknown
    try {
      openCore({ dataDir: dir, resourcesDir: REPO_ROOT, version: 'test', key: { kind: 'keyfile', path: other } }).close()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(AppError)
    expect(error).not.toBeInstanceOf(StoreError)
    expect((error as AppError).code).toBe('STORE_KEY_WRONG')
    expect(errorText('zh-CN', { ok: false, error: (error as AppError).toBody() })).toContain('密钥文件不对')
    expect(errorText('en', { ok: false, error: (error as AppError).toBody() })).toContain('Wrong key file')
  })

  it('a store from a newer app: refused before anything is written', async () => {
    const { dir, file } = await storeWithData()
    const core = open(dir)
    core.ctx.db.$client.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 9999999999999)").run()
    core.close()
    const before = readFileSync(file)
    const error = refusal(dir) as StoreError
    expect(error.reason).toBe('newerSchema')
    expect(error.translated('en')).toContain('newer version of GridDesk')
    expect(readFileSync(file).equals(before)).toBe(true)
  })
})

describe('store faults at open: translated, never a raw error', () => {
  const expectStoreError = (error: unknown, reason: string) => {
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).reason).toBe(reason)
    return error as StoreError
  }

  it('a read-only store file: refused at open as readOnly (not at the first change), with what to do', () => {
    const dir = dataDir()
    open(dir).close()
    faults.readonly = true
    const error = expectStoreError(refusal(dir), 'readOnly')
    expect(error.translated('zh-CN')).toContain('只读')
    expect(error.translated('en')).toContain('read-only')
    expect(readdirSync(dir).filter((f) => f.startsWith('.open-'))).toEqual([])
    faults.readonly = false
    open(dir).close()
  })

  it('a read-only data folder (EACCES on the open marker): readOnly, the store closed again', () => {
    const dir = dataDir()
    open(dir).close()
    faults.writeFile = (path) => {
      if (path.includes('.open-')) throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' })
    }
    expectStoreError(refusal(dir), 'readOnly')
    faults.writeFile = undefined
    open(dir).close()
  })

  it('a full disk (ENOSPC) under the data folder at open: diskFull', () => {
    const dir = dataDir()
    open(dir).close()
    faults.writeFile = (path) => {
      if (path.includes('.open-')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
    }
    const error = expectStoreError(refusal(dir), 'diskFull')
    expect(error.translated('zh-CN')).toMatch(/磁盘/)
  })

  it('a full disk while a new store is created (SQLITE_FULL in the WAL switch or the migrations): diskFull', () => {
    const dir = dataDir()
    faults.onPragma = (db, source) => {
      // The file may not grow past its first page, as on a full disk.
      if (source === 'journal_mode = WAL') db.pragma('max_page_count = 1')
    }
    const error = expectStoreError(refusal(dir), 'diskFull')
    expect(error.translated('en')).toContain('disk is full')
  })

  it('a fault nobody foresaw: the shells get a translated last-resort message, not a stack', async () => {
    const { openFailureText } = await import('./health')
    const error = new TypeError('boom')
    expect(openFailureText(error, 'zh-CN', '/data')).toContain('网格通打开数据目录 /data 时出错')
    expect(openFailureText(error, 'en', '/data')).toContain('could not open its data directory /data (TypeError: boom)')
    expect(openFailureText(new StoreError('readOnly', '/data/x.sqlite'), 'en', '/data')).toContain('read-only')
  })
})

describe('store health while in use', () => {
  it('a full disk: the write is refused as diskFull in words, nothing half-written; with room again it goes through', async () => {
    const { openTestCore } = await import('../testing')
    const core = openTestCore()
    try {
      await core.call('demo.load', { keyCustomers: 5, visits: 5 })
      const sqlite = core.ctx.db.$client
      const village = sqlite.prepare('SELECT id, notes FROM villages LIMIT 1').get() as { id: string; notes: string | null }
      const outbox = () => (sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n
      const before = outbox()
      // The file may not grow by a page: as when the disk under it is full.
      sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`)
      const answer = await core.dispatch('villages.update', { id: village.id, patch: { notes: '满'.repeat(4000) } }, 'zh-CN')
      expect(answer).toMatchObject({ ok: false, error: { code: 'STORE', details: { reason: 'diskFull' } } })
      if (!answer.ok) expect(errorText('zh-CN', answer)).toMatch(/磁盘|空间/)
      expect(outbox()).toBe(before)
      expect((sqlite.prepare('SELECT notes FROM villages WHERE id = ?').get(village.id) as { notes: string | null }).notes).toBe(village.notes)
      sqlite.pragma('max_page_count = 1073741823')
      expect((await core.dispatch('villages.update', { id: village.id, patch: { notes: '有空间了' } }, 'zh-CN')).ok).toBe(true)
      expect(outbox()).toBe(before + 1)
    } finally {
      core.dispose()
    }
  })
})
