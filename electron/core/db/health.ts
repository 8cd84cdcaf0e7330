// The store's health at open and while running: a 0-byte file is an error (never a new device),
// a foreign or damaged file and a store from a newer app are refused with a translated message
// saying what to do, and SQLite's own failures (disk full, read-only, corrupt) become StoreError
// instead of a raw SqliteError stack. Called from openDatabase (client.ts), the one open function.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import type Database from 'better-sqlite3'
import { AppError } from '../../../shared/errors'
import type { Language } from '../../../shared/i18n'
import { storeMessage } from '../../../shared/i18n/ruleIssues'

export const storeProblems = ['empty', 'notADatabase', 'corrupt', 'newerSchema', 'readOnly', 'diskFull', 'locked', 'cannotOpen'] as const
export type StoreProblem = (typeof storeProblems)[number]

/** A store that cannot be used as it is; `reason` names the i18n message `store.<reason>`. */
export class StoreError extends AppError {
  constructor(
    readonly reason: StoreProblem,
    readonly file: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super('STORE', `${file}: ${reason}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''}`, { details: { reason, file: basename(file), ...params } })
    this.name = 'StoreError'
  }

  /** The message for the user, with what to do. */
  translated(lang: Language): string {
    return storeMessage(this.reason, { ...this.params, file: this.file }, lang)
  }
}

/** Before SQLite opens the file: a file that exists must not be empty. */
export function checkBeforeOpen(file: string): void {
  if (existsSync(file) && statSync(file).isFile() && statSync(file).size === 0) throw new StoreError('empty', file)
}

/** After the file opened, before migrations: readable as a database, intact, not from a newer app. */
export function checkAfterOpen(sqlite: Database.Database, file: string, migrationsDir: string, full = false): void {
  const rows = sqlite.pragma(full ? 'integrity_check' : 'quick_check') as Record<string, string>[]
  const problems = rows.map((r) => Object.values(r)[0]).filter((v) => v !== 'ok')
  if (problems.length) throw new StoreError('corrupt', file, { count: problems.length })
  const supported = migrationCount(migrationsDir)
  const hasTable = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get()
  if (hasTable && supported !== undefined) {
    const { n } = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
    if (n > supported) throw new StoreError('newerSchema', file, { stored: n, supported })
  }
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
  const code = String((error as { code?: unknown })?.code ?? '')
  if (code === 'SQLITE_NOTADB') return new StoreError('notADatabase', file)
  if (code.startsWith('SQLITE_CORRUPT')) return new StoreError('corrupt', file)
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return new StoreError('diskFull', file)
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return new StoreError('readOnly', file)
  if (code.startsWith('SQLITE_CANTOPEN')) return new StoreError('cannotOpen', file, { cause: (error as Error).message })
  return undefined
}
