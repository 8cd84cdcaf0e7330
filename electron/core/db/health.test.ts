// Store health at open: a 0-byte, foreign, damaged or newer-schema store is refused with a
// translated message saying what to do — never a raw SqliteError, never a new device.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { DB_FILE, openCore } from '../app'
import { REPO_ROOT } from '../resources'
import { StoreError } from './health'

const dirs: string[] = []
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'griddesk-health-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
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

  it('a file that is not a database says so', () => {
    const dir = dataDir()
    writeFileSync(join(dir, DB_FILE), Buffer.alloc(8192, 'not a database at all '))
    const error = refusal(dir) as StoreError
    expect(error.reason).toBe('notADatabase')
    expect(error.translated('en')).toContain('not a GridDesk data file')
  })

  it('a store from a newer app is not written: "update the app"', () => {
    const dir = dataDir()
    open(dir).close()
    const sqlite = new Database(join(dir, DB_FILE))
    sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('future', Date.now() + 1e9)
    const before = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()
    sqlite.close()
    const error = refusal(dir) as StoreError
    expect(error.reason).toBe('newerSchema')
    expect(error.translated('en')).toContain('update the app')
    expect(error.translated('zh-CN')).toContain('请更新应用')
    const after = new Database(join(dir, DB_FILE), { readonly: true })
    expect(after.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual(before)
    after.close()
  })

  it('a store with damaged pages fails the quick check', () => {
    const dir = dataDir()
    const core = open(dir)
    // Enough rows for several b-tree pages, then scribble over the middle of the file.
    for (let i = 0; i < 200; i++) core.ctx.db.$client.prepare("INSERT INTO sync_state (key, value) VALUES (?, ?)").run(`k${i}`, 'x'.repeat(500))
    core.ctx.db.$client.pragma('wal_checkpoint(TRUNCATE)')
    core.close()
    const file = join(dir, DB_FILE)
    const size = statSync(file).size
    const bytes = readFileSync(file)
    for (let p = 4096 * 2; p < size - 4096; p += 4096) bytes.fill(0x5a, p, p + 200)
    writeFileSync(file, bytes)
    const error = refusal(dir) as StoreError
    expect(['corrupt', 'notADatabase']).toContain(error.reason)
    expect(error.translated('en')).toMatch(/damaged|not a GridDesk/)
  })
})
