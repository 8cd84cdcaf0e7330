// Store health at open: a 0-byte, foreign, damaged or newer-schema store is refused with a
// translated message saying what to do — never a raw SqliteError, never a new device.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
})
