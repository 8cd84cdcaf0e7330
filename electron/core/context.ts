// What every handler receives: the database and the device's change context.
import type { Db } from './db/client'
import type { ChangeContext } from './db/repos/changes'

/**
 * Seals secrets at rest (the HQ device token). Electron main passes one backed by the OS keychain
 * (safeStorage); browser mode and the CLI keep them as they are, marked 'plain:'.
 */
export interface Secrets {
  seal(text: string): string
  open(sealed: string): string
}

export const plainSecrets: Secrets = {
  seal: (text) => `plain:${text}`,
  // Values written before sealing existed carry no prefix.
  open: (sealed) => (sealed.startsWith('plain:') ? sealed.slice('plain:'.length) : sealed),
}

export interface HandlerContext {
  db: Db
  change: ChangeContext
  dataDir: string
  /** Folder holding migrations/ and data/ (repo root in development, resources when packaged). */
  resourcesDir: string
  version: string
  secrets: Secrets
}
