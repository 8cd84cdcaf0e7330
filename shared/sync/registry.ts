// The sync-schema registry: every synced table with its class, the rule that scopes its rows to a
// region, the roles whose devices may change it, and its value rules. HQ and the device derive
// their sync behaviour from this one table; a synced table without a complete entry stops both at
// start-up (checkSyncRegistry), so scoping and permissions fail closed, never open.
import { tableRules, type FieldRule } from '../rules'

/**
 * - hq: HQ-authoritative master data (pull-only for most devices);
 * - shared: edited in the field and at HQ, merged per field;
 * - field: created on devices, append-mostly.
 */
export type SyncClass = 'hq' | 'shared' | 'field'
export const syncClasses: readonly SyncClass[] = ['hq', 'shared', 'field']

/** Roles of HQ accounts (server/db/schema.ts users.role). */
export type SyncRole = 'grid_manager' | 'county_manager' | 'hq_analyst' | 'admin'
export const syncRoles: readonly SyncRole[] = ['grid_manager', 'county_manager', 'hq_analyst', 'admin']

/**
 * Where a synced row's region comes from: its own org-unit code, the region of the row a field
 * points to (in a fixed table, or in the table another field names), or none (global HQ data
 * every device receives; only HQ-class tables may be global).
 */
export type RegionRule =
  | { kind: 'self'; field: string }
  | { kind: 'via'; field: string; table: string }
  | { kind: 'via_table_field'; field: string; tableField: string }
  | { kind: 'global' }

export interface SyncedTableEntry {
  syncClass: SyncClass
  region: RegionRule
  /** Roles whose devices may push changes of this table; HQ refuses the others (not_a_writer). */
  writers: readonly SyncRole[]
  /** Value rules of its columns (shared/rules.ts), checked by the device's writes, HQ's push and the device's pull. */
  rules: Readonly<Record<string, FieldRule>>
}

/** HQ data: changed by admins (master-data imports run as one). */
const ADMIN: readonly SyncRole[] = ['admin']
/**
 * Data people in the field type: the managers working the regions, admins, and an HQ analyst in
 * the regions an admin assigned for writing (none by default: HQ refuses an analyst's change
 * outside them as read_only_role / outside_write_region, server/sync.ts).
 */
const FIELD_WORKERS: readonly SyncRole[] = ['grid_manager', 'county_manager', 'hq_analyst', 'admin']
const byOrgUnit: RegionRule = { kind: 'via', field: 'org_unit_id', table: 'org_units' }
const byGrid: RegionRule = { kind: 'via', field: 'grid_id', table: 'org_units' }
const byCustomer: RegionRule = { kind: 'via', field: 'customer_id', table: 'key_customers' }
const byVisit: RegionRule = { kind: 'via', field: 'visit_id', table: 'visits' }

const entry = (
  syncClass: SyncClass,
  region: RegionRule,
  writers: readonly SyncRole[],
  rules: Readonly<Record<string, FieldRule>> | undefined,
): SyncedTableEntry => ({
  syncClass,
  region,
  writers,
  // A table without rules is caught by checkSyncRegistry (undefined is not a rule set).
  rules: rules as Readonly<Record<string, FieldRule>>,
})

/** Every synced table. The device's drizzle schema (electron/core/db/schema.ts syncedTables) lists exactly these. */
export const syncRegistry = {
  // County managers edit their county's organisation and grid boundaries in the field, within their regions.
  org_units: entry('hq', { kind: 'self', field: 'code' }, ['county_manager', 'admin'], tableRules.org_units),
  users: entry('hq', byOrgUnit, ADMIN, tableRules.users),
  indicators: entry('hq', { kind: 'global' }, ADMIN, tableRules.indicators),
  targets: entry('hq', byOrgUnit, ADMIN, tableRules.targets),
  actuals: entry('hq', byOrgUnit, ADMIN, tableRules.actuals),
  objections: entry('hq', { kind: 'global' }, ADMIN, tableRules.objections),
  villages: entry('shared', byGrid, FIELD_WORKERS, tableRules.villages),
  key_customers: entry('shared', byGrid, FIELD_WORKERS, tableRules.key_customers),
  work_orders: entry('shared', byOrgUnit, FIELD_WORKERS, tableRules.work_orders),
  customer_products: entry('shared', byCustomer, FIELD_WORKERS, tableRules.customer_products),
  competitor_intel: entry('field', byGrid, FIELD_WORKERS, tableRules.competitor_intel),
  visits: entry('field', byGrid, FIELD_WORKERS, tableRules.visits),
  day_plans: entry('field', byGrid, FIELD_WORKERS, tableRules.day_plans),
  visit_participants: entry('field', byVisit, FIELD_WORKERS, tableRules.visit_participants),
  visit_objections: entry('field', byVisit, FIELD_WORKERS, tableRules.visit_objections),
  visit_products: entry('field', byVisit, FIELD_WORKERS, tableRules.visit_products),
  funnel_moves: entry('field', byCustomer, FIELD_WORKERS, tableRules.funnel_moves),
  attachments: entry('field', { kind: 'via_table_field', field: 'owner_id', tableField: 'owner_table' }, FIELD_WORKERS, tableRules.attachments),
} satisfies Record<string, SyncedTableEntry>

export type SyncedTable = keyof typeof syncRegistry
export const syncedTableNames = Object.keys(syncRegistry) as SyncedTable[]

/** The table's entry, or undefined for a table that is not synced. */
export function syncEntry(table: string): SyncedTableEntry | undefined {
  return Object.hasOwn(syncRegistry, table) ? syncRegistry[table as SyncedTable] : undefined
}

/** Whether a role's devices may change a table (an unknown table: nobody). */
export function mayWrite(table: string, role: string): boolean {
  return syncEntry(table)?.writers.includes(role as SyncRole) ?? false
}

/**
 * Everything wrong with a registry against the synced tables' columns (from the drizzle schema):
 * a table without an entry or an entry without a table, a missing or unknown class, region rule,
 * writer or rule set, a region rule naming a column or table that does not exist, a global rule
 * on data that is not HQ's, a rule for a column that does not exist. Empty when all is well.
 */
export function syncRegistryProblems(
  columns: Readonly<Record<string, Iterable<string>>>,
  registry: Readonly<Record<string, Partial<SyncedTableEntry> | undefined>> = syncRegistry,
): string[] {
  const problems: string[] = []
  const tables = new Map(Object.entries(columns).map(([t, c]) => [t, new Set(c)]))
  for (const table of tables.keys()) if (!registry[table]) problems.push(`${table}: synced table without a registry entry`)
  for (const [table, e] of Object.entries(registry)) {
    const own = tables.get(table)
    if (!own) {
      problems.push(`${table}: registry entry for a table that is not synced`)
      continue
    }
    if (!e) continue
    if (!e.syncClass || !syncClasses.includes(e.syncClass)) problems.push(`${table}: no sync class (one of ${syncClasses.join(', ')})`)
    if (!Array.isArray(e.writers)) problems.push(`${table}: no writers`)
    else for (const role of e.writers) if (!syncRoles.includes(role)) problems.push(`${table}: unknown writer role ${role}`)
    if (!e.rules || typeof e.rules !== 'object') problems.push(`${table}: no value rules`)
    else for (const column of Object.keys(e.rules)) if (!own.has(column)) problems.push(`${table}: value rule for unknown column ${column}`)
    const region = e.region
    if (!region) {
      problems.push(`${table}: no region rule`)
      continue
    }
    const needColumn = (column: string) => {
      if (!own.has(column)) problems.push(`${table}: region rule names unknown column ${column}`)
    }
    switch (region.kind) {
      case 'global':
        if (e.syncClass !== 'hq') problems.push(`${table}: only HQ data may be global (every device receives it)`)
        break
      case 'self':
        needColumn(region.field)
        break
      case 'via':
        needColumn(region.field)
        if (!tables.has(region.table)) problems.push(`${table}: region rule points to ${region.table}, which is not synced`)
        break
      case 'via_table_field':
        needColumn(region.field)
        needColumn(region.tableField)
        break
      default:
        problems.push(`${table}: unknown region rule ${JSON.stringify(region)}`)
    }
  }
  return problems
}

/** Start-up check: throws, naming every problem, unless the registry covers the synced tables completely. */
export function checkSyncRegistry(
  columns: Readonly<Record<string, Iterable<string>>>,
  registry?: Readonly<Record<string, Partial<SyncedTableEntry> | undefined>>,
): void {
  const problems = syncRegistryProblems(columns, registry)
  if (problems.length) throw new Error(`the sync-schema registry (shared/sync/registry.ts) does not match the synced tables:\n  ${problems.join('\n  ')}`)
}
