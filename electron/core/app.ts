// Opens a data directory: the SQLite store, the device identity and clock. Both shells and the
// CLI start here.
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { v7 as uuidv7 } from 'uuid'
import type { HandlerName, Input, Output } from '../../shared/api/contract'
import { AppError, unwrap, type Envelope } from '../../shared/errors'
import type { Language } from '../../shared/i18n'
import { closeAllBasemaps } from './db/mbtiles'
import { legacyPlain, storeSecrets, type HandlerContext, type Secrets } from './context'
import { encryptClearFiles, registerFileKey } from './crypto/files'
import { keySourceFromEnv, keysFrom, unlock, type KeySource, type StoreKeys } from './crypto/keys'
import type { BackupInfo, StoreCheck } from '../../shared/api/store'
import { backupInBackground, checkFile, quickCheckInBackground, dailyBackupDue, listBackups, restoreBackup, STORE_CHECK_KEY } from './db/backup'
import { encryptClearStore, openDatabase, storeFileState, type Db } from './db/client'
import {
  BACKGROUND_CHECK_DELAY_MS,
  CHECK_NEEDED,
  checkBeforeOpen,
  INLINE_CHECK_MAX_BYTES,
  markOpen,
  otherOpenProcesses,
  staleOpenMarkers,
  StoreError,
  storeErrorOf,
} from './db/health'
import { listDefinitions } from './db/repos/reportDefinitions'
import { SYNC_SCHEMA_VERSION } from '../../shared/sync/versions'
import { getState, setState } from './db/repos/syncState'
import { removeStaleExportTemps } from './reports/write'
import { checkDeviceSyncSchema } from './db/syncSchema'
import { dispatch } from './handlers'
import type { PathPolicy } from './pathPolicy'
import { HybridClock } from './sync/hlc'
import { makeDataDirPrivate, restrictUmask } from './privateFiles'
import { startWarmUp, type WarmUp } from './warm'

export interface CoreOptions {
  dataDir: string
  resourcesDir: string
  version?: string
  nativeBinding?: string
  secrets?: Secrets
  /** How the store's key is obtained; by default from the environment (GRIDDESK_KEY_FILE, GRIDDESK_PASSPHRASE[_FILE]). */
  key?: KeySource
  /** Stores larger than this open without the quick_check, which a worker runs `backgroundCheckDelayMs` later (tests make both small). */
  inlineCheckMaxBytes?: number
  backgroundCheckDelayMs?: number
}

export interface Core {
  ctx: HandlerContext
  /**
   * Untyped entry for transports: validates and answers with an envelope. `paths`: which files the
   * transport's callers may name (pathPolicy.ts); the CLI gives none and passes any path it is given.
   */
  dispatch(name: string, input: unknown, lang?: Language, paths?: PathPolicy): Promise<Envelope<unknown>>
  /** Typed entry for code and tests: returns the value or throws the AppError. */
  call<K extends HandlerName>(name: K, input: Input<K>): Promise<Output<K>>
  /** Takes today's backup of the store if none was taken yet, off the main thread (the shells call it after open). */
  backupIfDue(): Promise<BackupInfo | null>
  /**
   * The shells call it once they listen (warm.ts): the first screen's calls run once in the
   * background, and the report writers load once no call has come for a while.
   */
  warmUp(options?: { idleMs?: number }): WarmUp
  /** Closes the store; a clean close (the next open needs no full check). */
  close(): void
}

export const DB_FILE = 'griddesk.sqlite'

export function openCore(options: CoreOptions): Core {
  try {
    return openCoreUnmapped(options)
  } catch (error) {
    // The file system's or SQLite's refusal anywhere in the open (a read-only or full disk under
    // the data directory, its markers or its key files) as a StoreError saying what to do.
    throw storeErrorOf(error, join(options.dataDir, DB_FILE)) ?? error
  }
}

function openCoreUnmapped(options: CoreOptions): Core {
  // A synced table the registry does not fully describe would sync unscoped: refuse to start.
  checkDeviceSyncSchema()
  restrictUmask()
  makeDataDirPrivate(options.dataDir)
  const file = join(options.dataDir, DB_FILE)
  const keys = unlockStore(options.dataDir, file, options.key, options.nativeBinding)
  // A process that had the store open and is gone did not close it: check it in full this time.
  const stale = staleOpenMarkers(options.dataDir)
  // A background check found a problem last time: the full check now, before anything is written.
  const checkNeeded = existsSync(join(options.dataDir, CHECK_NEEDED))
  const deferQuickCheck =
    stale.length === 0 && !checkNeeded && existsSync(file) && statSync(file).size > (options.inlineCheckMaxBytes ?? INLINE_CHECK_MAX_BYTES)
  const started = performance.now()
  const store = { file, key: keys.db, nativeBinding: options.nativeBinding, migrationsDir: join(options.resourcesDir, 'migrations') }
  const db = openDatabase(file, { ...store, fullCheck: stale.length > 0 || checkNeeded, deferQuickCheck, dataDir: options.dataDir })
  // What the open writes after the store is up (its check, its marker, the device id): a failure
  // closes the store again, so no half-open store is left behind.
  let unmark: (() => void) | undefined
  let ctx: HandlerContext
  try {
    if (stale.length > 0 || checkNeeded)
      setState(
        db,
        STORE_CHECK_KEY,
        JSON.stringify({
          kind: 'integrity',
          at: new Date().toISOString(),
          problems: [],
          millis: Math.round(performance.now() - started),
          afterUncleanShutdown: stale.length > 0,
        } satisfies StoreCheck),
      )
    if (checkNeeded) rmSync(join(options.dataDir, CHECK_NEEDED), { force: true })
    unmark = markOpen(options.dataDir, stale)
    sealFilesOnce(db, options.dataDir)
    // Exports a crash cut short: their temporary files go (the default exports folder and the saved reports' folders).
    removeStaleExportTemps([join(options.dataDir, 'exports'), ...listDefinitions(db).map((d) => d.folder)])
    let deviceId = getState(db, 'device_id')
    if (!deviceId) {
      deviceId = uuidv7()
      setState(db, 'device_id', deviceId)
    }
    // An offset stored unreadable (older apps stored "NaN" after a server answered `{}`) counts as none.
    const offset = Number(getState(db, 'server_offset_ms') ?? 0)
    const clock = new HybridClock(deviceId, Date.now, Number.isFinite(offset) ? offset : 0, getState(db, 'hlc'))
    ctx = {
      db,
      // Event times follow the clock as corrected by HQ, like the HLC stamps beside them.
      change: { deviceId, clock, schemaVersion: SYNC_SCHEMA_VERSION, now: () => new Date(ctx.change.clock.correctedTime()).toISOString() },
      dataDir: options.dataDir,
      resourcesDir: options.resourcesDir,
      version: options.version ?? '0.0.0',
      secrets: options.secrets ?? storeSecrets(keys.secrets),
      dbKey: keys.db,
      store: {
        ...store,
        reopen: () => {
          ctx.db = openDatabase(file, { ...store, dataDir: options.dataDir })
          // A restored backup is checked at its open: the damage found in the old file is gone with it.
          ctx.storeDamaged = undefined
        },
      },
    }
    resealToken(ctx)
  } catch (error) {
    unmark?.()
    if (db.$client.open) db.$client.close()
    throw error
  }
  const backgroundCheck = deferQuickCheck
    ? setTimeout(() => void checkInBackground(ctx, store), options.backgroundCheckDelayMs ?? BACKGROUND_CHECK_DELAY_MS)
    : undefined
  backgroundCheck?.unref()
  let lastCallAt: number | undefined
  let warming: WarmUp | undefined
  const inner = async (name: string, input: unknown, lang?: Language, paths?: PathPolicy) =>
    ctx.revokedAt ? revokedEnvelope(ctx) : dispatch(ctx, name, input, lang, paths)
  return {
    ctx,
    dispatch: async (name, input, lang, paths) => {
      lastCallAt = performance.now()
      return inner(name, input, lang, paths)
    },
    call: async (name, input) => unwrap(ctx.revokedAt ? revokedEnvelope(ctx) : await dispatch(ctx, name, input)) as never,
    backupIfDue: async () => {
      if (!dailyBackupDue(options.dataDir)) return null
      return backupInBackground({ ...store, dataDir: options.dataDir }, 'daily')
    },
    warmUp: (warmOptions) =>
      (warming ??= startWarmUp({ dispatch: inner, lastCallAt: () => lastCallAt, resourcesDir: options.resourcesDir, idleMs: warmOptions?.idleMs })),
    close: () => {
      warming?.stop()
      clearTimeout(backgroundCheck)
      closeAllBasemaps()
      if (ctx.db.$client.open) ctx.db.$client.close()
      unmark?.()
    },
  }
}

/**
 * The quick_check a large store opened without, off the main thread. A problem is kept for the store
 * page, makes the next open check in full, and ends writing in this session: the connection turns
 * query-only (every write is refused as a damaged store, to be restored from a backup) and
 * `sync.status` carries it, so the window says so at once.
 */
async function checkInBackground(ctx: HandlerContext, store: { file: string; key?: Buffer; nativeBinding?: string }): Promise<void> {
  const started = performance.now()
  const problems = await quickCheckInBackground(store)
  if (problems === undefined || !ctx.db.$client.open) return
  const at = new Date().toISOString()
  if (problems.length > 0) {
    writeFileSync(join(ctx.dataDir, CHECK_NEEDED), at, { mode: 0o600 })
    console.error(`store check: ${problems.length} problem(s) in ${store.file}`)
  }
  try {
    setState(
      ctx.db,
      STORE_CHECK_KEY,
      JSON.stringify({
        kind: 'quick',
        at,
        problems: problems.slice(0, 100),
        millis: Math.round(performance.now() - started),
        afterUncleanShutdown: false,
      } satisfies StoreCheck),
    )
  } catch (error) {
    // The damage may be where the state is kept: the marker file and the session's flag still say it.
    if (problems.length === 0) throw error
  }
  if (problems.length > 0) {
    ctx.db.$client.pragma('query_only = ON')
    ctx.storeDamaged = { problems: problems.length, at }
  }
}

/**
 * The store's care when it may not open (the CLI's `store` commands, Electron's dialog at open):
 * its backups, a full check of the file, a restore. Only the key is needed, not a working store.
 */
export function storeCare(options: Pick<CoreOptions, 'dataDir' | 'key' | 'nativeBinding'>) {
  const file = join(options.dataDir, DB_FILE)
  const key = () => {
    const chosen = options.key ?? keySourceFromEnv()
    if (!chosen)
      throw new AppError('STORE_KEY_MISSING', 'no key for the store: set GRIDDESK_PASSPHRASE or give --passphrase-file / --key-file', {
        details: { reason: 'no_key' },
      })
    return keysFrom(unlock(options.dataDir, chosen, storeFileState(file) !== 'clear')).db
  }
  return {
    backups: () => listBackups(options.dataDir),
    /** PRAGMA integrity_check of the file; a file that does not open at all is a StoreError. */
    check: (): StoreCheck => {
      const started = performance.now()
      checkBeforeOpen(file)
      if (!existsSync(file)) throw new StoreError('cannotOpen', file, { cause: 'no such file' })
      let problems: string[]
      try {
        problems = checkFile(file, key(), options.nativeBinding)
      } catch (error) {
        throw storeErrorOf(error, file) ?? error
      }
      return {
        kind: 'integrity',
        at: new Date().toISOString(),
        problems: problems.slice(0, 100),
        millis: Math.round(performance.now() - started),
        afterUncleanShutdown: false,
      }
    },
    /** Puts the named backup (the newest when none is named) in the store's place; the store is kept aside. */
    restore: (name?: string) => {
      // A running app would go on writing to the store it has open, which the restore moves aside.
      const holders = otherOpenProcesses(options.dataDir)
      if (holders.length) throw new StoreError('locked', file, { pids: holders.join(', ') })
      const chosen = name ?? listBackups(options.dataDir)[0]?.file
      if (!chosen) throw new AppError('NOT_FOUND', 'there is no backup of this store yet', { details: { reason: 'noBackup' } })
      return restoreBackup({ file, dataDir: options.dataDir, key: key(), nativeBinding: options.nativeBinding }, chosen)
    },
  }
}

/**
 * The store's keys: from the given source or the environment; a clear store (from before
 * encryption) is encrypted in place first. Without a key an encrypted store does not open.
 */
function unlockStore(dataDir: string, file: string, source: KeySource | undefined, nativeBinding?: string): Omit<StoreKeys, 'db'> & { db: Buffer | undefined } {
  const chosen = source ?? keySourceFromEnv()
  if (!chosen)
    throw new AppError('STORE_KEY_MISSING', 'no key for the store: set GRIDDESK_PASSPHRASE or give --passphrase-file / --key-file', {
      details: { reason: 'no_key' },
    })
  const state = storeFileState(file)
  const keys = keysFrom(unlock(dataDir, chosen, state === 'encrypted'))
  if (chosen.kind === 'none') {
    if (process.env.GRIDDESK_BENCH_CLEAR !== '1')
      throw new AppError('STORE_KEY_MISSING', 'a clear store is only for the encryption bench', { details: { reason: 'no_key' } })
    registerFileKey(dataDir, keys.files)
    return { ...keys, db: undefined }
  }
  if (state === 'clear') encryptClearStore(file, keys.db, nativeBinding)
  registerFileKey(dataDir, keys.files)
  return keys
}

/** Attachments and drafts written before encryption are encrypted once, at the first keyed open. */
function sealFilesOnce(db: Db, dataDir: string): void {
  if (getState(db, 'files_sealed') === '1') return
  encryptClearFiles(dataDir)
  setState(db, 'files_sealed', '1')
}

/** A device token kept as `plain:` (or bare) before encryption is sealed again. */
function resealToken(ctx: HandlerContext): void {
  const stored = getState(ctx.db, 'hq_token')
  if (stored === undefined || !(stored.startsWith('plain:') || !/^[a-z]+:/.test(stored))) return
  setState(ctx.db, 'hq_token', ctx.secrets.seal(legacyPlain(stored)))
}

/** After HQ revoked the device: the connection (and the key in it) goes, every call gets this. */
function revokedEnvelope(ctx: HandlerContext): Envelope<never> {
  if (ctx.db.$client.open) ctx.db.$client.close()
  return {
    ok: false,
    error: {
      code: 'STORE_REVOKED',
      message: `HQ revoked this device on ${ctx.revokedAt}; its store is locked`,
      details: { reason: 'revoked', at: ctx.revokedAt },
    },
  }
}
