// What every handler receives: the database and the device's change context.
import type { Db } from './db/client'
import type { ChangeContext } from './db/repos/changes'

export interface HandlerContext {
  db: Db
  change: ChangeContext
  dataDir: string
  /** Folder holding migrations/ and data/ (repo root in development, resources when packaged). */
  resourcesDir: string
  version: string
}
