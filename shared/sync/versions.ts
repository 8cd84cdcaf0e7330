// Sync schema versions: the shape of the synced tables (which tables, which columns) that a device
// and HQ exchange. Bumped only when synced columns change — synced-columns.json beside this file
// holds them, and a test fails when they change without a bump. Index-only and device-local
// migrations never change it. HQ serves devices down to MIN_SYNC_SCHEMA_VERSION, translating the
// shapes listed in versionSteps; an older device is told, in words, to update the app, and keeps
// its outbox until it does.

/**
 * This build's sync schema version. It continues the numbers earlier releases sent (their count of
 * device migrations), so their devices are recognised.
 */
export const SYNC_SCHEMA_VERSION = 11

/** How one version differs from the one before it. */
export interface VersionStep {
  version: number
  /** What changed, in words (for the people reading this table). */
  note: string
  /** Tables new in this version: older devices neither hold nor receive them. */
  addedTables?: readonly string[]
  /** Columns new in this version, per table: older devices do not receive them. */
  addedFields?: Readonly<Record<string, readonly string[]>>
  /** Columns renamed in this version, per table: old name → new name. */
  renamedFields?: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** Columns dropped in this version, per table: HQ ignores them in older devices' pushes. */
  removedFields?: Readonly<Record<string, readonly string[]>>
}

/**
 * Every version HQ still serves, newest first; the last is the oldest served (its own changes do
 * not matter: devices older than it are refused). Add a step with every bump.
 */
export const versionSteps: readonly VersionStep[] = [
  { version: 11, note: 'search indexes (name_chars); no synced column changed' },
  { version: 10, note: 'day plans', addedTables: ['day_plans'] },
  { version: 9, note: 'division boundaries (divisions is not synced); the oldest version served' },
]

export const MIN_SYNC_SCHEMA_VERSION = versionSteps.at(-1)!.version

/** What HQ does for a device of one version: the tables and columns it lacks, the names it uses. */
export interface DeviceShape {
  version: number
  /** True when the device's shape is this build's: nothing to translate. */
  current: boolean
  /** Tables the device does not know. */
  missingTables: ReadonlySet<string>
  /** Columns the device does not know, per table (by their current names). */
  missingFields: ReadonlyMap<string, ReadonlySet<string>>
  /** Per table: the device's name → the current name (renames since its version, chained). */
  renamed: ReadonlyMap<string, ReadonlyMap<string, string>>
  /** Columns the device has that no longer exist (by the device's names), per table. */
  removed: ReadonlyMap<string, ReadonlySet<string>>
}

export type ShapeVerdict = { ok: true; shape: DeviceShape } | { ok: false; reason: 'too_old' | 'too_new'; oldest: number; newest: number }

/** The shape of a device of `version`, or why HQ cannot serve it. */
export function deviceShape(version: number, steps: readonly VersionStep[] = versionSteps): ShapeVerdict {
  const newest = steps[0]!.version
  const oldest = steps.at(-1)!.version
  if (version > newest) return { ok: false, reason: 'too_new', oldest, newest }
  if (version < oldest || !steps.some((s) => s.version === version)) return { ok: false, reason: 'too_old', oldest, newest }
  const missingTables = new Set<string>()
  const missingFields = new Map<string, Set<string>>()
  const renamed = new Map<string, Map<string, string>>()
  const removed = new Map<string, Set<string>>()
  const add = <T>(map: Map<string, Set<T>>, table: string, item: T) => map.set(table, (map.get(table) ?? new Set<T>()).add(item))
  // Oldest change first: renames chain (a → b, then b → c makes a → c).
  for (const step of [...steps].reverse()) {
    if (step.version <= version) continue
    for (const table of step.addedTables ?? []) missingTables.add(table)
    for (const [table, fields] of Object.entries(step.addedFields ?? {})) for (const f of fields) add(missingFields, table, f)
    for (const [table, names] of Object.entries(step.renamedFields ?? {})) {
      const map = renamed.get(table) ?? new Map<string, string>()
      for (const [from, to] of Object.entries(names)) {
        const deviceName = [...map].find(([, now]) => now === from)?.[0] ?? from
        map.set(deviceName, to)
      }
      renamed.set(table, map)
    }
    for (const [table, fields] of Object.entries(step.removedFields ?? {}))
      for (const f of fields) add(removed, table, [...(renamed.get(table) ?? [])].find(([, now]) => now === f)?.[0] ?? f)
  }
  const current = missingTables.size === 0 && missingFields.size === 0 && renamed.size === 0 && removed.size === 0
  return { ok: true, shape: { version, current, missingTables, missingFields, renamed, removed } }
}

/** A device's fields (or base versions) under this build's names: renamed, removed ones dropped. */
export function fromDevice<T>(shape: DeviceShape, table: string, fields: Record<string, T>): Record<string, T> {
  if (shape.current) return fields
  const renamed = shape.renamed.get(table)
  const removed = shape.removed.get(table)
  const out: Record<string, T> = {}
  for (const [name, value] of Object.entries(fields)) {
    if (removed?.has(name)) continue
    out[renamed?.get(name) ?? name] = value
  }
  return out
}

/** This build's fields under a device's names, without what it does not know (undefined: the whole table). */
export function toDevice<T>(shape: DeviceShape, table: string, fields: Record<string, T>): Record<string, T> | undefined {
  if (shape.current) return fields
  if (shape.missingTables.has(table)) return undefined
  const missing = shape.missingFields.get(table)
  const back = new Map([...(shape.renamed.get(table) ?? [])].map(([device, now]) => [now, device]))
  const out: Record<string, T> = {}
  for (const [name, value] of Object.entries(fields)) {
    if (missing?.has(name)) continue
    out[back.get(name) ?? name] = value
  }
  return out
}
