// What the server knows of the device's synced tables: their columns (from the device's drizzle
// schema, the single source) and their registry entries (shared/sync/registry.ts).
import { getTableColumns } from 'drizzle-orm'
import { syncedTables } from '../electron/core/db/schema'
import { BOOKKEEPING_COLUMNS } from '../shared/sync/kernel'
import { checkSyncRegistry, syncRegistry, type SyncClass } from '../shared/sync/registry'

export interface ColumnInfo {
  name: string
  dataType: string
  notNull: boolean
  hasDefault: boolean
  enumValues?: readonly string[]
  boolean: boolean
}

export interface TableInfo {
  syncClass: SyncClass
  columns: Map<string, ColumnInfo>
}

// Start-up: the registry must cover every synced table completely (scoping fails closed).
checkSyncRegistry(Object.fromEntries(Object.entries(syncedTables).map(([name, { table }]) => [name, Object.values(getTableColumns(table)).map((c) => c.name)])))

export const deviceTables: Map<string, TableInfo> = new Map(
  Object.entries(syncedTables).map(([name, { table }]) => {
    const columns = new Map<string, ColumnInfo>()
    for (const column of Object.values(getTableColumns(table))) {
      if (BOOKKEEPING_COLUMNS.has(column.name)) continue
      columns.set(column.name, {
        name: column.name,
        dataType: column.dataType,
        notNull: column.notNull,
        hasDefault: column.hasDefault,
        enumValues: column.enumValues && column.enumValues.length > 0 ? column.enumValues : undefined,
        boolean: column.columnType === 'SQLiteBoolean',
      })
    }
    return [name, { syncClass: syncRegistry[name as keyof typeof syncRegistry].syncClass, columns }]
  }),
)

/** Why a value does not fit a column, or undefined when it does. */
export function valueProblem(column: ColumnInfo, value: unknown): string | undefined {
  if (value === null) return column.notNull ? `${column.name} may not be null` : undefined
  if (column.boolean) return typeof value === 'boolean' ? undefined : `${column.name} must be true or false`
  if (column.dataType === 'number') return typeof value === 'number' && Number.isFinite(value) ? undefined : `${column.name} must be a number`
  if (typeof value !== 'string') return `${column.name} must be text`
  if (column.enumValues && !column.enumValues.includes(value)) return `${column.name} must be one of ${column.enumValues.join(', ')}`
  return undefined
}
