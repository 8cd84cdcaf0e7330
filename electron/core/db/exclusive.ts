// A long write on a second connection (the import worker's): it holds SQLite's write lock for
// seconds, so meanwhile the main connection must not wait on that lock (busy_timeout would block
// its thread for up to 5 s); its writes fail at once with SQLITE_BUSY, which callers report as BUSY.
import type { Db } from './client'

/** Takes the write lock now (or throws SQLITE_BUSY after the connection's busy timeout). */
export const beginExclusiveWrite = (db: Db) => db.$client.exec('BEGIN IMMEDIATE')
export const commitWrite = (db: Db) => db.$client.exec('COMMIT')
export const rollbackWrite = (db: Db) => {
  if (db.$client.inTransaction) db.$client.exec('ROLLBACK')
}

/** Moves committed WAL frames into the database file now (passive: never waits on readers). */
export function checkpoint(db: Db): void {
  try {
    db.$client.pragma('wal_checkpoint(PASSIVE)')
  } catch {
    // Not needed for correctness: SQLite checkpoints later.
  }
}

/** Makes the connection's writes fail at once instead of waiting for the lock; returns the undo. */
export function failWritesFast(db: Db): () => void {
  const before = Number(db.$client.pragma('busy_timeout', { simple: true }))
  db.$client.pragma('busy_timeout = 0')
  let undone = false
  return () => {
    if (undone) return
    undone = true
    if (db.$client.open) db.$client.pragma(`busy_timeout = ${Number.isFinite(before) ? before : 5000}`)
  }
}
