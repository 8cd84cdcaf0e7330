// Rolling backups of the device store, kept in <dataDir>/backups (0700, files 0600): one a day
// (the last DAILY_KEPT), one before every migration and before the demo county is cleared, and any
// the user asks for. Each is a consistent copy taken while the store stays open and encrypted with
// the store's own key: SQLite's `VACUUM INTO` on a connection keyed like the store. (The online
// backup API, better-sqlite3's db.backup(), refuses an encrypted source: the driver opens its
// target without a key, and SQLite3 Multiple Ciphers will not copy encrypted pages into it.)
// A restore never deletes the store it replaces: that file is kept aside beside it.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { AppError } from '../../../shared/errors'
import type { BackupInfo, BackupReason } from '../../../shared/api/store'
import { replaceDurably, syncDir, syncFile } from '../durable'
import { PRIVATE_DIR_MODE } from '../privateFiles'
import { applyKey } from './client'
import { StoreError } from './health'

export const BACKUP_DIR = 'backups'
/** sync_state key of the last full check (StoreCheck as JSON). */
export const STORE_CHECK_KEY = 'store_last_check'
export const DAILY_KEPT = 7
/** How many of each reason are kept; the oldest go first. */
const KEPT: Record<BackupReason, number> = { daily: DAILY_KEPT, premigration: 3, preclear: 3, manual: 5 }
const NAME = /^griddesk-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)-(daily|premigration|preclear|manual)\.sqlite$/

export const backupDir = (dataDir: string) => join(dataDir, BACKUP_DIR)

const stampOf = (at: Date) => at.toISOString().replace(/[:.]/g, '-')
const atOf = (stamp: string) => `${stamp.slice(0, 13)}:${stamp.slice(14, 16)}:${stamp.slice(17, 19)}.${stamp.slice(20, 23)}Z`

/** The backups of a data directory, newest first. */
export function listBackups(dataDir: string): BackupInfo[] {
  const dir = backupDir(dataDir)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .map((file) => ({ file, m: NAME.exec(file) }))
    .filter((f): f is { file: string; m: RegExpExecArray } => f.m !== null)
    .map(({ file, m }) => ({ file, at: atOf(m[1]!), reason: m[2] as BackupReason, bytes: statSync(join(dir, file)).size }))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
}

/** A daily backup is due when none was taken on this calendar day (the computer's). */
export function dailyBackupDue(dataDir: string, now = new Date()): boolean {
  const today = localDay(now)
  return !listBackups(dataDir).some((b) => b.reason === 'daily' && localDay(new Date(b.at)) === today)
}

const localDay = (d: Date) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`

function prepare(dataDir: string, reason: BackupReason, at: Date): { final: string; partial: string } {
  const dir = backupDir(dataDir)
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  const final = join(dir, `griddesk-${stampOf(at)}-${reason}.sqlite`)
  const partial = `${final}.partial`
  rmSync(partial, { force: true })
  return { final, partial }
}

/** The copy is flushed and renamed into place (a crash leaves a .partial, never a half backup), then old ones go. */
function finish(dataDir: string, partial: string, final: string, reason: BackupReason): BackupInfo {
  replaceDurably(partial, final)
  prune(dataDir, reason)
  return listBackups(dataDir).find((b) => b.file === basename(final))!
}

function prune(dataDir: string, reason: BackupReason): void {
  for (const old of listBackups(dataDir)
    .filter((b) => b.reason === reason)
    .slice(KEPT[reason]))
    rmSync(join(backupDir(dataDir), old.file), { force: true })
  // Copies a crash interrupted.
  for (const file of readdirSync(backupDir(dataDir))) if (file.endsWith('.partial')) rmSync(join(backupDir(dataDir), file), { force: true })
}

/** A backup on the open connection (blocks its thread for the copy: about 1.5 s per 100 MB). */
export function backupNow(sqlite: Database.Database, dataDir: string, reason: BackupReason, at = new Date()): BackupInfo {
  const { final, partial } = prepare(dataDir, reason, at)
  try {
    sqlite.prepare('VACUUM INTO ?').run(partial)
  } catch (error) {
    rmSync(partial, { force: true })
    throw error
  }
  return finish(dataDir, partial, final, reason)
}

/**
 * The same on a connection of its own in a worker thread, so that the window and the handlers do
 * not wait for a large store's copy. Where no worker can start, the copy is taken here.
 */
export async function backupInBackground(
  options: { file: string; dataDir: string; key?: Buffer; nativeBinding?: string },
  reason: BackupReason,
  at = new Date(),
): Promise<BackupInfo> {
  const { final, partial } = prepare(options.dataDir, reason, at)
  const outcome = await inStoreWorker(options, "db.prepare('VACUUM INTO ?').run(workerData.partial); parentPort.postMessage({ ok: true })", { partial })
  if (!outcome.ok) {
    rmSync(partial, { force: true })
    if (outcome.code !== 'NO_WORKER') throw Object.assign(new Error(outcome.message), { code: outcome.code })
    const sqlite = openKeyed(options.file, options.key, options.nativeBinding, true)
    try {
      return backupNow(sqlite, options.dataDir, reason, at)
    } finally {
      sqlite.close()
    }
  }
  return finish(options.dataDir, partial, final, reason)
}

type WorkerOutcome = { ok: boolean; code?: string; message?: string; problems?: string[] }

/**
 * Runs `body` (plain JavaScript with `db`, a connection to the store — read-only unless
 * `writable` — `workerData` and `parentPort`; it posts one message) in a worker thread: the main
 * thread stays free meanwhile.
 */
function inStoreWorker(
  options: { file: string; key?: Buffer; nativeBinding?: string; writable?: boolean },
  body: string,
  data: Record<string, unknown>,
): Promise<WorkerOutcome> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  // A plain CommonJS script: it needs no build step and no TypeScript loader.
  const script = `
    const { workerData, parentPort } = require('node:worker_threads')
    const Database = require(workerData.driver)
    const db = new Database(workerData.file, { readonly: !workerData.writable, fileMustExist: true, ...(workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {}) })
    try {
      if (workerData.key) {
        db.pragma("cipher = 'sqlcipher'"); db.pragma('legacy = 4'); db.pragma('key = "x\\'' + Buffer.from(workerData.key).toString('hex') + '\\'"')
      }
      db.pragma('busy_timeout = 5000')
      ${body}
    } catch (error) {
      parentPort.postMessage({ ok: false, code: error.code, message: error.message })
    } finally {
      db.close()
    }`
  return new Promise<WorkerOutcome>((resolve) => {
    let worker: Worker
    try {
      worker = new Worker(script, {
        eval: true,
        workerData: { driver, file: options.file, key: options.key, nativeBinding: options.nativeBinding, writable: options.writable === true, ...data },
      })
    } catch (error) {
      resolve({ ok: false, code: 'NO_WORKER', message: (error as Error).message })
      return
    }
    worker.once('message', resolve)
    worker.once('error', (error) => resolve({ ok: false, code: 'NO_WORKER', message: error.message }))
    worker.once('exit', () => resolve({ ok: false, code: 'NO_WORKER', message: 'the store worker stopped' }))
  })
}

/**
 * Copies the store's WAL into its file in a worker thread, after a bulk load held checkpoints
 * back (repos/bulkLoad.ts). PASSIVE: it neither waits for nor blocks the app's reads and writes;
 * frames it cannot copy yet are left to the next automatic checkpoint. False when it could not run.
 */
export async function checkpointInBackground(options: { file: string; key?: Buffer; nativeBinding?: string }): Promise<boolean> {
  return (await inStoreWorker({ ...options, writable: true }, "db.pragma('wal_checkpoint(PASSIVE)'); parentPort.postMessage({ ok: true })", {})).ok
}

/** `PRAGMA quick_check` of the store in a worker thread: the problems found (none when intact; the error when damage stopped it), or undefined when it could not run. */
export async function quickCheckInBackground(options: { file: string; key?: Buffer; nativeBinding?: string }): Promise<string[] | undefined> {
  const outcome = await inStoreWorker(
    options,
    "parentPort.postMessage({ ok: true, problems: db.pragma('quick_check').map((r) => String(Object.values(r)[0])).filter((v) => v !== 'ok') })",
    {},
  )
  if (outcome.ok) return outcome.problems ?? []
  // A check SQLite stops with a damage error (a page it could not read) found damage too.
  if (isDamageError(outcome)) return [outcome.message ?? String(outcome.code)]
  return undefined
}

function openKeyed(file: string, key: Buffer | undefined, nativeBinding: string | undefined, readonly: boolean): Database.Database {
  const sqlite = new Database(file, { readonly, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) })
  try {
    if (key) applyKey(sqlite, key, 'key')
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get()
    return sqlite
  } catch (error) {
    sqlite.close()
    throw error
  }
}

/** Runs `PRAGMA integrity_check` (or quick_check) on a file: the problems found, none when intact. */
export function checkFile(file: string, key: Buffer | undefined, nativeBinding?: string, full = true): string[] {
  const sqlite = openKeyed(file, key, nativeBinding, true)
  try {
    return problemsOf(sqlite, full)
  } finally {
    sqlite.close()
  }
}

export function problemsOf(sqlite: Database.Database, full = true): string[] {
  try {
    return (sqlite.pragma(full ? 'integrity_check' : 'quick_check') as Record<string, string>[])
      .map((r) => String(Object.values(r)[0]))
      .filter((v) => v !== 'ok')
  } catch (error) {
    // A check SQLite stops with a damage error (a page it could not read) found damage too.
    if (isDamageError(error)) return [(error as Error).message]
    throw error
  }
}

const isDamageError = (error: unknown) => {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}

/**
 * An enrolled store put back from a backup tells its next sync so (engine.ts afterRestore): HQ may
 * hold this device's changes made after the backup, under the numbers the waiting ones reuse.
 */
function markRestored(file: string, name: string, key: Buffer | undefined, nativeBinding: string | undefined): void {
  const sqlite = openKeyed(file, key, nativeBinding, false)
  try {
    const enrolled =
      sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sync_state'").get() && sqlite.prepare("SELECT 1 FROM sync_state WHERE key = 'hq_token'").get()
    if (enrolled)
      sqlite.prepare("INSERT INTO sync_state (key, value) VALUES ('restored_from_backup', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(name)
  } finally {
    sqlite.close()
  }
}

export interface RestoreResult {
  restored: BackupInfo
  /** Where the store it replaced was kept (file name in the data directory), if there was one. */
  keptAside: string | null
}

/**
 * Puts a backup in place of the store at `file`, which must be closed. The backup is checked
 * first (it opens with the key, integrity_check passes); the store it replaces is renamed to
 * `<file>.replaced-<time>` with its WAL, never deleted; the copy is flushed before it takes the
 * store's name, so a crash leaves the old store or the restored one.
 */
export function restoreBackup(options: { file: string; dataDir: string; key?: Buffer; nativeBinding?: string }, name: string, at = new Date()): RestoreResult {
  const backup = listBackups(options.dataDir).find((b) => b.file === name)
  if (!backup) throw new AppError('NOT_FOUND', `no backup named ${name}`, { details: { reason: 'noBackup', file: name } })
  const source = join(backupDir(options.dataDir), name)
  let problems: string[]
  try {
    problems = checkFile(source, options.key, options.nativeBinding)
  } catch (error) {
    throw new StoreError('backupDamaged', source, { cause: (error as Error).message })
  }
  if (problems.length) throw new StoreError('backupDamaged', source, { cause: problems.slice(0, 3).join('; ') })
  const temp = `${options.file}.restoring`
  copyFileSync(source, temp)
  markRestored(temp, name, options.key, options.nativeBinding)
  syncFile(temp)
  let keptAside: string | null = null
  if (existsSync(options.file)) {
    keptAside = `${basename(options.file)}.replaced-${stampOf(at)}`
    for (const side of ['-wal', '-shm', '']) {
      const from = `${options.file}${side}`
      if (existsSync(from)) renameSync(from, join(dirname(options.file), `${keptAside}${side}`))
    }
  }
  for (const side of ['-wal', '-shm', '-journal']) rmSync(`${options.file}${side}`, { force: true })
  renameSync(temp, options.file)
  syncDir(dirname(options.file))
  return { restored: backup, keptAside }
}
