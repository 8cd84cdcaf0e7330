// The device's key/value sync state (device id, HLC, cursors, flags).
import { eq } from 'drizzle-orm'
import type { Db, Tx } from '../client'
import { syncState } from '../schema'

export function getState(db: Db | Tx, key: string): string | undefined {
  return db.select({ value: syncState.value }).from(syncState).where(eq(syncState.key, key)).get()?.value
}

export function setState(db: Db | Tx, key: string, value: string): void {
  db.insert(syncState).values({ key, value }).onConflictDoUpdate({ target: syncState.key, set: { value } }).run()
}
