// A real full disk: the data folder on a small tmpfs (mounted here when the machine allows it — as
// root on Linux, which CI is; said loudly and skipped otherwise), filled to the last byte by another
// file. Writes are refused in words with nothing half-written; with room again they go through,
// and the store reopens whole.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeSync, openSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorText } from '../../../shared/i18n/errorText'
import { openCore, type Core } from '../app'
import { REPO_ROOT } from '../resources'

const mountPoint = mkdtempSync(join(tmpdir(), 'griddesk-tmpfs-'))
let mounted = false
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint], { stdio: 'ignore' })
  mounted = true
} catch {
  console.warn('disk-full test skipped: this machine cannot mount a tmpfs here (needs root on Linux); the simulated cases in health.test.ts still run')
}

/** Fills the file system with one file until it refuses another byte. */
function fill(file: string): void {
  const fd = openSync(file, 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
    // The last partial chunk: write byte by byte to the very end.
    try {
      for (;;) writeSync(fd, chunk, 0, 1)
    } catch {
      // full
    }
  } finally {
    closeSync(fd)
  }
}

describe.skipIf(!mounted)('a full disk under the data folder (tmpfs)', () => {
  const dataDir = join(mountPoint, 'data')
  const filler = join(mountPoint, 'filler')
  let core: Core
  const open = () => openCore({ dataDir, resourcesDir: REPO_ROOT, version: 'test' })
  beforeAll(async () => {
    mkdirSync(dataDir)
    core = open()
    await core.call('demo.load', { keyCustomers: 50, visits: 50 })
  })
  afterAll(() => {
    try {
      core?.close()
    } finally {
      if (mounted) execFileSync('umount', [mountPoint])
      rmSync(mountPoint, { recursive: true, force: true })
    }
  })

  it('refuses writes as a full disk in words, keeps every stored row, and takes them again once there is room', async () => {
    const sqlite = core.ctx.db.$client
    const villages = sqlite.prepare('SELECT id, notes FROM villages ORDER BY id LIMIT 40').all() as { id: string; notes: string | null }[]
    const outbox = () => (sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n
    fill(filler)
    // Pages free inside the store or its WAL may take a write or two; the disk refuses soon after.
    let refused: Awaited<ReturnType<Core['dispatch']>> | undefined
    let written = 0
    for (const v of villages) {
      const before = outbox()
      const answer = await core.dispatch('villages.update', { id: v.id, patch: { notes: `满${'盘'.repeat(4000)}${v.id}` } }, 'zh-CN')
      if (answer.ok) {
        written++
        continue
      }
      refused = answer
      // The refused write left nothing: the row as it was, no outbox entry.
      expect(outbox()).toBe(before)
      expect((sqlite.prepare('SELECT notes FROM villages WHERE id = ?').get(v.id) as { notes: string | null }).notes).toBe(v.notes)
      break
    }
    expect(refused, `a write was refused after ${written} went through`).toMatchObject({ ok: false, error: { code: 'STORE', details: { reason: 'diskFull' } } })
    if (refused && !refused.ok) {
      expect(errorText('zh-CN', refused)).toMatch(/磁盘|空间/)
      expect(errorText('en', refused)).toMatch(/disk/i)
    }
    // Room again: the same write goes through, and the store reopens whole with every write kept.
    unlinkSync(filler)
    const last = villages[written]!
    expect((await core.dispatch('villages.update', { id: last.id, patch: { notes: '有空间了' } }, 'zh-CN')).ok).toBe(true)
    const pending = outbox()
    core.close()
    core = open()
    const reopened = core.ctx.db.$client
    expect(reopened.pragma('quick_check', { simple: true })).toBe('ok')
    expect((reopened.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n).toBe(pending)
    expect((reopened.prepare('SELECT notes FROM villages WHERE id = ?').get(last.id) as { notes: string }).notes).toBe('有空间了')
  })
})
