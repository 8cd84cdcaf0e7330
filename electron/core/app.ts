// Opens a data directory: the SQLite store, the device identity and clock. Both shells and the
// CLI start here.
import { join } from 'node:path'
import { v7 as uuidv7 } from 'uuid'
import type { HandlerName, Input, Output } from '../../shared/api/contract'
import { unwrap, type Envelope } from '../../shared/errors'
import type { Language } from '../../shared/i18n'
import { closeAllBasemaps } from './db/mbtiles'
import { plainSecrets, type HandlerContext, type Secrets } from './context'
import { openDatabase, schemaVersion } from './db/client'
import { getState, setState } from './db/repos/syncState'
import { dispatch } from './handlers'
import { HybridClock } from './sync/hlc'
import { makeDataDirPrivate, restrictUmask } from './privateFiles'

export interface CoreOptions {
  dataDir: string
  resourcesDir: string
  version?: string
  nativeBinding?: string
  secrets?: Secrets
}

export interface Core {
  ctx: HandlerContext
  /** Untyped entry for transports: validates and answers with an envelope. */
  dispatch(name: string, input: unknown, lang?: Language): Promise<Envelope<unknown>>
  /** Typed entry for code and tests: returns the value or throws the AppError. */
  call<K extends HandlerName>(name: K, input: Input<K>): Promise<Output<K>>
  close(): void
}

export const DB_FILE = 'griddesk.sqlite'

export function openCore(options: CoreOptions): Core {
  restrictUmask()
  makeDataDirPrivate(options.dataDir)
  const db = openDatabase(join(options.dataDir, DB_FILE), {
    migrationsDir: join(options.resourcesDir, 'migrations'),
    nativeBinding: options.nativeBinding,
  })
  let deviceId = getState(db, 'device_id')
  if (!deviceId) {
    deviceId = uuidv7()
    setState(db, 'device_id', deviceId)
  }
  const clock = new HybridClock(deviceId, Date.now, Number(getState(db, 'server_offset_ms') ?? 0), getState(db, 'hlc'))
  const ctx: HandlerContext = {
    db,
    change: { deviceId, clock, schemaVersion: schemaVersion(db), now: () => new Date().toISOString() },
    dataDir: options.dataDir,
    resourcesDir: options.resourcesDir,
    version: options.version ?? '0.0.0',
    secrets: options.secrets ?? plainSecrets,
  }
  return {
    ctx,
    dispatch: (name, input, lang) => dispatch(ctx, name, input, lang),
    call: async (name, input) => unwrap(await dispatch(ctx, name, input)) as never,
    close: () => {
      closeAllBasemaps()
      db.$client.close()
    },
  }
}
