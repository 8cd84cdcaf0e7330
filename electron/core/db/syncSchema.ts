// The device's side of the sync-schema registry (shared/sync/registry.ts): the synced tables'
// columns from the drizzle schema, checked against the registry when the core starts.
import { getTableColumns } from 'drizzle-orm'
import { checkSyncRegistry } from '../../../shared/sync/registry'
import { syncedTables, type SyncedTableName } from './schema'

/** Every column of every synced table (bookkeeping ones included), as stored and synced. */
export function syncedColumnNames(): Record<SyncedTableName, string[]> {
  return Object.fromEntries(
    Object.entries(syncedTables).map(([name, { table }]) => [name, Object.values(getTableColumns(table)).map((c) => c.name)]),
  ) as Record<SyncedTableName, string[]>
}

let checked = false
/** Throws, naming each problem, unless the registry covers every synced table completely. */
export function checkDeviceSyncSchema(): void {
  if (checked) return
  checkSyncRegistry(syncedColumnNames())
  checked = true
}
