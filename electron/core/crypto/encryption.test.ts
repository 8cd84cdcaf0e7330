// Encryption at rest: the store file, its WAL, attachments, thumbnails and drafts hold none of a
// set of planted phone numbers; a store does not open without its key or with a wrong one (and
// says so in words); a clear store from an earlier release is encrypted in place without losing a
// row or a queued outbox entry; the device token is never kept as `plain:`.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { errorText } from '../../../shared/i18n/errorText'
import { customerCategories } from '../../../shared/domain'
import { DB_FILE, openCore, type Core } from '../app'
import { getState, setState } from '../db/repos/syncState'
import { REPO_ROOT } from '../resources'
import { storeFileState } from '../db/client'
import { KEY_INFO_FILE, shredKey } from './keys'

const PHONES = ['13912345678', '18687654321', '15011223344', '13700001111']
const dirs: string[] = []
const cores: Core[] = []
afterEach(() => {
  for (const core of cores.splice(0)) core.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'griddesk-crypt-'))
  dirs.push(dir)
  return dir
}

function open(dataDir: string, key?: Parameters<typeof openCore>[0]['key']): Core {
  const core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: 'test', ...(key ? { key } : {}) })
  cores.push(core)
  return core
}

/** Every file under `dir` whose bytes contain one of the phone numbers (UTF-8, UTF-16LE or base64 of the UTF-8). */
function filesHolding(dir: string, needles: string[]): string[] {
  const found: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path)
      else {
        const bytes = readFileSync(path)
        for (const n of needles)
          for (const form of [Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le'), Buffer.from(Buffer.from(n).toString('base64').slice(0, 12))])
            if (bytes.includes(form)) found.push(`${path}: ${n}`)
      }
    }
  }
  walk(dir)
  return found
}

const jpegWith = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`photo of ${text}`), Buffer.from([0xff, 0xd9])])

function failure(run: () => unknown): AppError {
  try {
    run()
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected the store not to open')
}

describe('encryption at rest', () => {
  it('the store file, WAL, photos, thumbnails and drafts contain none of the planted phone numbers', async () => {
    const dataDir = tempDir()
    const core = open(dataDir)
    for (const [i, phone] of PHONES.entries())
      await core.call('customers.create', { name: `客户${i}`, category: customerCategories[0], phone, notes: `回电 ${phone}` } as never)
    await core.call('visits.saveDraft', { form: { notes: `联系人电话 ${PHONES[0]}` }, label: PHONES[1] })
    await core.call('visits.addPhoto', {
      fileName: 'card.jpg',
      base64: jpegWith(PHONES[2]!).toString('base64'),
      thumbBase64: jpegWith(PHONES[3]!).toString('base64'),
    })
    // While open (WAL not checkpointed) and after closing.
    expect(filesHolding(dataDir, PHONES)).toEqual([])
    core.close()
    cores.length = 0
    expect(filesHolding(dataDir, PHONES)).toEqual([])
    expect(storeFileState(join(dataDir, DB_FILE))).toBe('encrypted')
    expect(existsSync(join(dataDir, KEY_INFO_FILE))).toBe(true)

    // Everything reads back with the key.
    const again = open(dataDir)
    const found = (await again.call('customers.list', { search: PHONES[1] } as never)) as unknown as { rows?: unknown[] }
    expect(JSON.stringify(found)).toContain(PHONES[1])
    const drafts = await again.call('visits.drafts', {})
    expect(JSON.stringify(drafts)).toContain(PHONES[0])
  })

  it('does not open without its key, with a wrong key file or a wrong passphrase, and says why in zh-CN and en', () => {
    const dataDir = tempDir()
    open(dataDir).close()
    cores.length = 0
    const saved = process.env.GRIDDESK_KEY_FILE
    delete process.env.GRIDDESK_KEY_FILE
    try {
      const none = failure(() => openCore({ dataDir, resourcesDir: REPO_ROOT }))
      expect(none.code).toBe('STORE_KEY_MISSING')
      expect(errorText('zh-CN', { ok: false, error: none.toBody() })).toContain('GRIDDESK_PASSPHRASE')
      expect(errorText('en', { ok: false, error: none.toBody() })).toMatch(/encrypted and needs its key/)
    } finally {
      process.env.GRIDDESK_KEY_FILE = saved
    }
    const other = join(tempDir(), 'other.key')
    writeFileSync(other, 'x'.repeat(64))
    const wrong = failure(() => openCore({ dataDir, resourcesDir: REPO_ROOT, key: { kind: 'keyfile', path: other } }))
    expect(wrong.code).toBe('STORE_KEY_WRONG')
    expect(errorText('zh-CN', { ok: false, error: wrong.toBody() })).toBe('密钥文件不对，数据没有打开。请检查是否选了这个数据目录对应的密钥文件。')
    const kind = failure(() => openCore({ dataDir, resourcesDir: REPO_ROOT, key: { kind: 'passphrase', passphrase: 'correct horse battery' } }))
    expect(errorText('en', { ok: false, error: kind.toBody() })).toMatch(/encrypted with a key file/)
    // Even with the key information gone, the SQLite file itself does not open without the key.
    const raw = new Database(join(dataDir, DB_FILE))
    expect(() => raw.prepare('SELECT count(*) FROM sqlite_master').get()).toThrow(/not a database/)
    raw.close()

    const phraseDir = tempDir()
    open(phraseDir, { kind: 'passphrase', passphrase: 'correct horse battery' }).close()
    cores.length = 0
    const bad = failure(() => openCore({ dataDir: phraseDir, resourcesDir: REPO_ROOT, key: { kind: 'passphrase', passphrase: 'wrong horse battery' } }))
    expect(bad.code).toBe('STORE_KEY_WRONG')
    expect(errorText('zh-CN', { ok: false, error: bad.toBody() })).toBe('口令不正确，数据没有打开。请重新输入。')
    open(phraseDir, { kind: 'passphrase', passphrase: 'correct horse battery' })
  })

  it('a revoked device: the key is shredded, the store stays locked and says so', () => {
    const dataDir = tempDir()
    open(dataDir).close()
    cores.length = 0
    const before = readFileSync(join(dataDir, KEY_INFO_FILE), 'utf8')
    shredKey(dataDir, '2026-12-02T08:00:00.000Z')
    expect(readFileSync(join(dataDir, KEY_INFO_FILE), 'utf8')).not.toContain(JSON.parse(before).salt)
    const locked = failure(() => openCore({ dataDir, resourcesDir: REPO_ROOT }))
    expect(locked.code).toBe('STORE_REVOKED')
    expect(errorText('zh-CN', { ok: false, error: locked.toBody() })).toContain('总部已于 2026-12-02T08:00:00.000Z 注销本机')
  })

  it('the HQ device token is sealed with a key of the store, and a plain: token from before is sealed again', () => {
    const dataDir = tempDir()
    const core = open(dataDir)
    setState(core.ctx.db, 'hq_token', 'plain:secret-token-value')
    core.close()
    cores.length = 0
    const again = open(dataDir)
    const stored = getState(again.ctx.db, 'hq_token')!
    expect(stored.startsWith('enc:')).toBe(true)
    expect(stored).not.toContain('secret-token-value')
    expect(again.ctx.secrets.open(stored)).toBe('secret-token-value')
  })
})

describe('a clear store from an earlier release', () => {
  it('is encrypted in place: every row and queued outbox entry survives, attachments and drafts are encrypted, no planted number is left', async () => {
    const dataDir = tempDir()
    const file = join(dataDir, DB_FILE)
    writeFileSync(file, gunzipSync(readFileSync(join(REPO_ROOT, 'electron/core/db/fixtures/store-0.1.0-c875b0b.sqlite.gz'))))
    const clear = new Database(file)
    const tables = clear
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' ORDER BY name")
      .pluck()
      .all() as string[]
    const before = Object.fromEntries(tables.map((t) => [t, clear.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all()]))
    // Planted: phone numbers of real rows of the old store, and clear files beside it.
    const planted = clear.prepare('SELECT phone FROM key_customers WHERE phone IS NOT NULL AND length(phone) >= 11 LIMIT 20').pluck().all() as string[]
    clear.close()
    expect(planted.length).toBeGreaterThan(5)
    expect(filesHolding(dataDir, planted).length).toBeGreaterThan(0)
    const attachment = join(dataDir, 'attachments', 'ab', 'ab'.padEnd(64, '0'))
    const draft = join(dataDir, 'drafts', 'visits', '01900000-0000-7000-8000-000000000001.json')
    for (const [path, text] of [
      [attachment, `名片 ${planted[0]}`],
      [draft, JSON.stringify({ id: '01900000-0000-7000-8000-000000000001', form: { phone: planted[1] }, label: null, savedAt: '2026-11-01T00:00:00Z' })],
    ] as const) {
      rmSync(path, { force: true })
      mkdirSync(join(path, '..'), { recursive: true })
      writeFileSync(path, text)
    }
    expect((before.outbox as unknown[]).length).toBe(1810)

    const core = open(dataDir)
    const sqlite = core.ctx.db.$client
    for (const t of tables) {
      const after = sqlite.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all() as Record<string, unknown>[]
      const old = before[t] as Record<string, unknown>[]
      if (t === '__drizzle_migrations' || t === 'sync_state') {
        expect(after.length, t).toBeGreaterThanOrEqual(old.length)
        continue
      }
      // Later migrations may add columns; every column the old release wrote keeps its value.
      expect(
        after.map((row, i) => Object.fromEntries(Object.keys(old[i] ?? {}).map((k) => [k, row[k]]))),
        t,
      ).toEqual(old)
    }
    expect(core.ctx.secrets).toBeDefined()
    core.close()
    cores.length = 0
    expect(storeFileState(file)).toBe('encrypted')
    expect(filesHolding(dataDir, planted)).toEqual([])
    expect(existsSync(`${file}.encrypting`)).toBe(false)
    // The draft still reads back, decrypted.
    const again = open(dataDir)
    expect(JSON.stringify(await again.call('visits.drafts', {}))).toContain(planted[1])
  })
})
