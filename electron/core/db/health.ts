// The store's health at open and while running: a 0-byte file is an error (never a new device),
// a foreign or damaged file and a store from a newer app are refused with a translated message
// saying what to do, and SQLite's own failures (disk full, read-only, corrupt) become StoreError
// instead of a raw SqliteError stack. Called from openDatabase (client.ts), the one open function.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type Database from 'better-sqlite3'
import { AppError } from '../../../shared/errors'
import type { Language } from '../../../shared/i18n'
import { errorText } from '../../../shared/i18n/errorText'
import { storeMessage } from '../../../shared/i18n/ruleIssues'

export const storeProblems = ['empty', 'notADatabase', 'corrupt', 'newerSchema', 'readOnly', 'diskFull', 'locked', 'cannotOpen', 'backupDamaged'] as const
export type StoreProblem = (typeof storeProblems)[number]

/** A store that cannot be used as it is; `reason` names the i18n message `store.<reason>`. */
export class StoreError extends AppError {
  constructor(
    readonly reason: StoreProblem,
    readonly file: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super('STORE', `${file}: ${reason}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''}`, {
      details: { reason, file: basename(file), ...params },
    })
    this.name = 'StoreError'
  }

  /** The message for the user, with what to do. */
  translated(lang: Language): string {
    return storeMessage(this.reason, { ...this.params, file: this.file }, lang)
  }
}

/**
 * What a shell says when the store does not open: a StoreError's message, an AppError's text, and
 * for anything else (a fault nobody foresaw) a translated last-resort line — never a stack alone.
 */
export function openFailureText(error: unknown, lang: Language, dataDir: string): string {
  if (error instanceof StoreError) return error.translated(lang)
  if (error instanceof AppError) return errorText(lang, { ok: false, error: error.toBody() })
  const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return storeMessage('openFailed', { dir: dataDir, cause }, lang)
}

/** Before SQLite opens the file: a file that exists must not be empty. */
export function checkBeforeOpen(file: string): void {
  if (existsSync(file) && statSync(file).isFile() && statSync(file).size === 0) throw new StoreError('empty', file)
}

/** After the file opened, before migrations: readable as a database, intact, not from a newer app. */
export function checkAfterOpen(sqlite: Database.Database, file: string, migrationsDir: string, full = false, deferQuick = false): void {
  const rows = full || !deferQuick ? (sqlite.pragma(full ? 'integrity_check' : 'quick_check') as Record<string, string>[]) : []
  const problems = rows.map((r) => Object.values(r)[0]).filter((v) => v !== 'ok')
  if (problems.length) throw new StoreError('corrupt', file, { count: problems.length })
  const supported = migrationCount(migrationsDir)
  const hasTable = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get()
  if (hasTable && supported !== undefined) {
    const { n } = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
    if (n > supported) throw new StoreError('newerSchema', file, { stored: n, supported })
  }
}

/** A store that holds data and lacks some of this app's migrations (a new store is not backed up). */
export function migrationsPending(sqlite: Database.Database, migrationsDir: string): boolean {
  const supported = migrationCount(migrationsDir)
  const hasTable = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get()
  if (!hasTable || supported === undefined) return false
  const { n } = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
  return n > 0 && n < supported
}

function migrationCount(migrationsDir: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(migrationsDir, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length
  } catch {
    return undefined
  }
}

/** SQLite's (or the file system's) failure as a StoreError, or undefined when it is something else. */
export function storeErrorOf(error: unknown, file: string): StoreError | undefined {
  if (error instanceof StoreError) return error
  // Drizzle wraps SQLite's error (a migration's statement) in its own: the cause says what failed.
  const cause = (error as { cause?: unknown })?.cause
  if (cause !== undefined && cause !== error && !(error as { code?: unknown })?.code) return storeErrorOf(cause, file)
  const code = String((error as { code?: unknown })?.code ?? '')
  if (code === 'SQLITE_NOTADB') return new StoreError('notADatabase', file)
  if (code.startsWith('SQLITE_CORRUPT')) return new StoreError('corrupt', file)
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return new StoreError('diskFull', file)
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return new StoreError('readOnly', file)
  if (code.startsWith('SQLITE_CANTOPEN')) return new StoreError('cannotOpen', file, { cause: (error as Error).message })
  return undefined
}

// Unclean shutdown: each process that opens the store leaves `.open-<pid>` in the data directory
// and removes it at a clean close. A marker whose process is gone means that process crashed, was
// killed or lost power with the store open: the next open runs the full integrity_check.
const MARKER = /^\.open-(\d+)$/

/** Whether a process of this computer is running (this one counts). */
export const processAlive = (pid: number) => {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Markers left by processes that are gone. */
export function staleOpenMarkers(dataDir: string): string[] {
  if (!existsSync(dataDir)) return []
  return readdirSync(dataDir).filter((f) => {
    const m = MARKER.exec(f)
    return m !== null && !processAlive(Number(m[1]))
  })
}

/** Other processes that have the store open now (a restore under them would be lost). */
export function otherOpenProcesses(dataDir: string): number[] {
  if (!existsSync(dataDir)) return []
  return readdirSync(dataDir)
    .map((f) => Number(MARKER.exec(f)?.[1] ?? NaN))
    .filter((pid) => Number.isFinite(pid) && pid !== process.pid && processAlive(pid))
}

/**
 * A quick_check reads every page: about a second per 100 MB on a slow laptop. Larger stores closed
 * cleanly open without it and are checked by a worker thread once the first screen is up; a problem
 * found there leaves CHECK_NEEDED, and the next open runs the full check before anything else.
 */
export const INLINE_CHECK_MAX_BYTES = 64 * 1024 * 1024
export const BACKGROUND_CHECK_DELAY_MS = 15_000
export const CHECK_NEEDED = '.check-needed'

/** Marks the store open by this process (after stale markers are removed); returns the clean close's unmark. */
export function markOpen(dataDir: string, stale: string[]): () => void {
  for (const f of stale) rmSync(join(dataDir, f), { force: true })
  const marker = join(dataDir, `.open-${process.pid}`)
  writeFileSync(marker, new Date().toISOString(), { mode: 0o600 })
  return () => rmSync(marker, { force: true })
}
