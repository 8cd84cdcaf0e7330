// Turns the SQL a repo function would run into text + params, without copying SQL into bench/.
// The repo functions (listGrids, gridSummary, ...) build drizzle `sql` objects internally and hand
// them to db.all / db.get. We call them with a stand-in `db` that records those objects instead of
// running them, then render each with drizzle's SQLite dialect — the same `sqlToQuery` step
// drizzle's better-sqlite3 session performs before `client.prepare(query.sql)`.
import type { SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../electron/core/db/client'

export interface CapturedQuery {
  sql: string
  params: unknown[]
  /** Which db method the repo used: 'all' returns rows, 'get' one row. */
  method: 'all' | 'get'
}

const dialect = new SQLiteSyncDialect()

/**
 * Runs `fn` against a recording db. `get` answers with `fakeRow` so code that stops when a row
 * is missing (gridSummary returns early without the grid row) goes on to its later queries.
 */
export function captureQueries(fn: (db: Db) => unknown, fakeRow: Record<string, unknown> = {}): CapturedQuery[] {
  const captured: CapturedQuery[] = []
  const record = (method: 'all' | 'get') => (query: SQL) => {
    const { sql, params } = dialect.sqlToQuery(query)
    captured.push({ sql, params, method })
    return method === 'all' ? [] : fakeRow
  }
  const refuse = (name: string) => () => {
    throw new Error(`captureQueries: the repo called db.${name}; only db.all / db.get are recorded`)
  }
  // Repos that cache prepared statements (allCached/getCached) prepare through $client instead.
  const $client = {
    prepare: (sql: string) => ({
      all: (...params: unknown[]) => (captured.push({ sql, params, method: 'all' }), []),
      get: (...params: unknown[]) => (captured.push({ sql, params, method: 'get' }), fakeRow),
    }),
  }
  const fake = {
    $client,
    all: record('all'),
    get: record('get'),
    run: refuse('run'),
    values: refuse('values'),
    select: refuse('select'),
    insert: refuse('insert'),
    update: refuse('update'),
    delete: refuse('delete'),
    transaction: refuse('transaction'),
  }
  fn(fake as unknown as Db)
  return captured
}
