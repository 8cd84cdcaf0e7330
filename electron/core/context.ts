// What every handler receives: the database and the device's change context.
import { openWith, sealWith } from './crypto/files'
import type { Db } from './db/client'
import type { ChangeContext } from './db/repos/changes'

/**
 * Seals secrets at rest (the HQ device token). Electron main passes one backed by the OS keychain
 * (safeStorage); otherwise they are encrypted with a key derived from the store key (`enc:`), on
 * top of the store's own encryption. `plain:` values from before are read once and sealed again.
 */
export interface Secrets {
  seal(text: string): string
  open(sealed: string): string
}

export function storeSecrets(key: Buffer): Secrets {
  return {
    seal: (text) => `enc:${sealWith(key, Buffer.from(text, 'utf8'), 'secret').toString('base64')}`,
    open: (sealed) => {
      if (sealed.startsWith('enc:')) return openWith(key, Buffer.from(sealed.slice(4), 'base64'), 'secret').toString('utf8')
      return legacyPlain(sealed)
    },
  }
}

/** Values written before sealing existed carry `plain:` or no prefix. */
export const legacyPlain = (sealed: string) => (sealed.startsWith('plain:') ? sealed.slice('plain:'.length) : sealed)

export interface HandlerContext {
  db: Db
  change: ChangeContext
  dataDir: string
  /** Folder holding migrations/ and data/ (repo root in development, resources when packaged). */
  resourcesDir: string
  version: string
  secrets: Secrets
  /** The store's SQLCipher key, for other connections to the same file (the import worker). */
  dbKey?: Buffer
  /** The store's file and how to open it again (a restore replaces the file under the open core). */
  store?: { file: string; key?: Buffer; nativeBinding?: string; migrationsDir: string; reopen(): void }
  /**
   * Set when the background check of a large store found damage during this session: the connection
   * is made query-only, every write is refused as a damaged store (restore a backup), reads go on.
   */
  storeDamaged?: { problems: number; at: string }
  /** Set when HQ revoked this device during this session: the key is gone, every call is refused. */
  revokedAt?: string
}
