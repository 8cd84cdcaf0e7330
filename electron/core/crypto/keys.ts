// Key custody of a data directory. One 32-byte master key per store; the SQLite file (SQLCipher 4
// format), attachments, thumbnails and drafts are encrypted with keys derived from it (HKDF-SHA256,
// one label each), so no key is used for two purposes.
//
// How the master key is kept is recorded in <dataDir>/griddesk.key.json (never the key itself):
//   sealed     — random, sealed by the OS keychain (Electron safeStorage); the file holds the sealed blob
//   passphrase — scrypt(passphrase, salt); the file holds the salt and the scrypt cost
//   keyfile    — HKDF(key file bytes, salt); the file holds the salt
// plus an HMAC check value, so a wrong passphrase or key file is told apart from a damaged store.
// Revocation by HQ replaces the file with a tombstone: without the salt or the sealed blob the master
// key cannot be recomputed, whatever the user still knows (crypto-shredding).
import { createHmac, hkdfSync, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../../shared/errors'
import { writeFileDurably } from '../durable'

export const KEY_INFO_FILE = 'griddesk.key.json'
const SCRYPT = { N: 1 << 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 }

/** What opens a store: the shells and the CLI decide; openCore reads the environment otherwise. */
export type KeySource =
  | { kind: 'passphrase'; passphrase: string }
  | { kind: 'keyfile'; path: string }
  /** Electron: a random key sealed by the OS keychain. */
  | { kind: 'sealed'; seal(bytes: Buffer): string; open(sealed: string): Buffer }
  /** A scratch store that never outlives the process (HQ's import replica). */
  | { kind: 'ephemeral' }
  /** No encryption: only the bench's baseline for the cost of encryption (GRIDDESK_BENCH_CLEAR=1). */
  | { kind: 'none' }

interface KeyInfo {
  v: 1
  kind?: 'sealed' | 'passphrase' | 'keyfile'
  salt?: string
  scrypt?: { N: number; r: number; p: number }
  sealed?: string
  check?: string
  /** Set when HQ revoked this device: the key material is gone. */
  revokedAt?: string
}

export interface StoreKeys {
  /** SQLCipher raw key of the SQLite file. */
  db: Buffer
  /** AES-256-GCM key of attachments, thumbnails and drafts. */
  files: Buffer
  /** AES-256-GCM key of secrets kept inside the store (the HQ device token). */
  secrets: Buffer
}

const derive = (master: Buffer, label: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `griddesk ${label} v1`, 32))
const checkOf = (master: Buffer) => createHmac('sha256', master).update('griddesk key check v1').digest('base64')

export function keysFrom(master: Buffer): StoreKeys {
  return { db: derive(master, 'sqlite'), files: derive(master, 'files'), secrets: derive(master, 'secrets') }
}

function readInfo(dataDir: string): KeyInfo | undefined {
  const path = join(dataDir, KEY_INFO_FILE)
  if (!existsSync(path)) return undefined
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as KeyInfo
  } catch {
    throw new AppError('STORE_KEY_MISSING', `${path} is damaged`, { details: { reason: 'key_info_damaged', file: path } })
  }
}

function fromSecret(kind: 'passphrase' | 'keyfile', secret: Buffer, salt: Buffer, cost = SCRYPT): Buffer {
  return kind === 'passphrase'
    ? scryptSync(secret, salt, 32, { N: cost.N, r: cost.r, p: cost.p, maxmem: SCRYPT.maxmem })
    : Buffer.from(hkdfSync('sha256', secret, salt, 'griddesk key file v1', 32))
}

function secretOf(source: Extract<KeySource, { kind: 'passphrase' | 'keyfile' }>): Buffer {
  if (source.kind === 'passphrase') {
    if (source.passphrase.length < 8)
      throw new AppError('STORE_KEY_WRONG', 'the passphrase must have at least 8 characters', { details: { reason: 'passphrase_short' } })
    return Buffer.from(source.passphrase.normalize('NFC'), 'utf8')
  }
  let bytes: Buffer
  try {
    bytes = readFileSync(source.path)
  } catch {
    throw new AppError('STORE_KEY_MISSING', `cannot read the key file ${source.path}`, { details: { reason: 'key_file_unreadable', file: source.path } })
  }
  if (bytes.length < 32)
    throw new AppError('STORE_KEY_WRONG', 'a key file holds at least 32 bytes', { details: { reason: 'key_file_short', file: source.path } })
  return bytes
}

/**
 * The master key of the store in `dataDir`, made on first use. `storeExists`: a store file (clear
 * or encrypted) is already there — an encrypted one without its key info cannot be opened.
 */
export function unlock(dataDir: string, source: KeySource, storeEncrypted: boolean): Buffer {
  if (source.kind === 'ephemeral' || source.kind === 'none') return randomBytes(32)
  const info = readInfo(dataDir)
  if (info?.revokedAt)
    throw new AppError('STORE_REVOKED', `HQ revoked this device on ${info.revokedAt}; its store is locked for good`, {
      details: { reason: 'revoked', at: info.revokedAt },
    })
  if (!info) {
    if (storeEncrypted)
      throw new AppError('STORE_KEY_MISSING', `the key information of this store (${KEY_INFO_FILE}) is missing`, { details: { reason: 'key_info_missing' } })
    // A new store, or a clear one about to be encrypted: make its key.
    let master: Buffer
    let made: KeyInfo
    if (source.kind === 'sealed') {
      master = randomBytes(32)
      made = { v: 1, kind: 'sealed', sealed: source.seal(master) }
    } else {
      const salt = randomBytes(16)
      master = fromSecret(source.kind, secretOf(source), salt)
      made = {
        v: 1,
        kind: source.kind,
        salt: salt.toString('base64'),
        ...(source.kind === 'passphrase' ? { scrypt: { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p } } : {}),
      }
    }
    writeFileDurably(join(dataDir, KEY_INFO_FILE), JSON.stringify({ ...made, check: checkOf(master) }, null, 2))
    return master
  }
  if (info.kind !== source.kind)
    throw new AppError('STORE_KEY_MISSING', `this store is opened with a ${info.kind}, not a ${source.kind}`, {
      details: { reason: `needs_${info.kind ?? 'unknown'}` },
    })
  let master: Buffer
  if (source.kind === 'sealed') {
    try {
      master = source.open(info.sealed ?? '')
    } catch {
      throw new AppError('STORE_KEY_WRONG', 'the OS keychain could not unseal the store key (another user or computer?)', {
        details: { reason: 'unseal_failed' },
      })
    }
  } else {
    master = fromSecret(source.kind, secretOf(source), Buffer.from(info.salt ?? '', 'base64'), { ...SCRYPT, ...info.scrypt })
  }
  const check = Buffer.from(checkOf(master))
  const stored = Buffer.from(info.check ?? '')
  if (check.length !== stored.length || !timingSafeEqual(check, stored))
    throw new AppError(
      'STORE_KEY_WRONG',
      `wrong ${source.kind === 'keyfile' ? 'key file' : source.kind === 'passphrase' ? 'passphrase' : 'key'} for this store`,
      { details: { reason: `wrong_${source.kind}` } },
    )
  return master
}

/** HQ revoked this device: the key material goes, the store stays unreadable. */
export function shredKey(dataDir: string, at = new Date().toISOString()): void {
  const path = join(dataDir, KEY_INFO_FILE)
  if (existsSync(path)) {
    // Overwrite before replacing, so the old salt/sealed key is not left in the old inode's blocks.
    const size = readFileSync(path).length
    const fd = openSync(path, 'r+')
    try {
      writeSync(fd, randomBytes(size))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }
  writeFileDurably(path, JSON.stringify({ v: 1, revokedAt: at } satisfies KeyInfo, null, 2))
}

/** Where the environment names a key: GRIDDESK_PASSPHRASE, GRIDDESK_PASSPHRASE_FILE, GRIDDESK_KEY_FILE. */
export function keySourceFromEnv(env: NodeJS.ProcessEnv = process.env): KeySource | undefined {
  if (env.GRIDDESK_KEY_FILE) return { kind: 'keyfile', path: env.GRIDDESK_KEY_FILE }
  if (env.GRIDDESK_PASSPHRASE_FILE) return { kind: 'passphrase', passphrase: readPassphraseFile(env.GRIDDESK_PASSPHRASE_FILE) }
  if (env.GRIDDESK_PASSPHRASE) return { kind: 'passphrase', passphrase: env.GRIDDESK_PASSPHRASE }
  return undefined
}

export function readPassphraseFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '')
  } catch {
    throw new AppError('STORE_KEY_MISSING', `cannot read the passphrase file ${path}`, { details: { reason: 'key_file_unreadable', file: path } })
  }
}

/** What kind of key a data directory's store wants (for the CLI's prompt), if it has one yet. */
export function keyKindOf(dataDir: string): KeyInfo['kind'] | 'revoked' | undefined {
  const info = existsSync(join(dataDir, KEY_INFO_FILE)) ? readInfo(dataDir) : undefined
  return info?.revokedAt ? 'revoked' : info?.kind
}

export function removeKeyInfo(dataDir: string): void {
  rmSync(join(dataDir, KEY_INFO_FILE), { force: true })
}
