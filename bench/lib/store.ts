// The store key of a bench run. Every device store is encrypted, and so is the bench's by default:
// a random key file made once per run and handed to child processes through GRIDDESK_KEY_FILE.
// GRIDDESK_BENCH_STORE=clear opens a clear store instead: only bench/encryption.ts does that, to
// measure what encryption costs.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import type { KeySource } from '../../electron/core/crypto/keys'

export const benchStoreMode = (): 'clear' | 'encrypted' => (process.env.GRIDDESK_BENCH_STORE === 'clear' ? 'clear' : 'encrypted')

export function benchKey(): KeySource {
  if (benchStoreMode() === 'clear') {
    process.env.GRIDDESK_BENCH_CLEAR = '1'
    return { kind: 'none' }
  }
  if (!process.env.GRIDDESK_KEY_FILE) {
    const path = join(mkdtempSync(join(os.tmpdir(), 'griddesk-bench-key-')), 'store.key')
    writeFileSync(path, randomBytes(32), { mode: 0o600 })
    process.env.GRIDDESK_KEY_FILE = path
  }
  return { kind: 'keyfile', path: process.env.GRIDDESK_KEY_FILE }
}
