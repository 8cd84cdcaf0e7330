// The end of every fault scenario: the device and HQ hold the same rows, field by field, and
// every outbox entry the device sent is in HQ's log exactly once (same change id, nothing lost,
// nothing doubled).
import type { Core } from '../../electron/core/app'
import { syncedColumns } from '../../electron/core/db/repos/sync'
import { syncedTables } from '../../electron/core/db/schema'
import { isDerived } from '../../shared/sync/protocol'
import type { HqDb } from '../db/client'

const bookkeeping = new Set(['id', 'created_at', 'updated_at', 'hlc'])
const rowsOf = async <T>(db: HqDb, statement: string) => ((await db.execute(statement)) as unknown as { rows: T[] }).rows

export interface Difference {
  table: string
  rowId: string
  field: string | null
  device: unknown
  hq: unknown
}

/**
 * Row-by-row, field-by-field comparison of the device's synced tables with HQ's rows in the
 * device's regions. Rows the device holds aside (a refused change it keeps) can be excluded.
 */
export async function compareDeviceWithHq(device: Core, hq: HqDb, options: { except?: Set<string> } = {}): Promise<Difference[]> {
  const sqlite = device.ctx.db.$client
  const regions = JSON.parse(
    (sqlite.prepare("SELECT value FROM sync_state WHERE key = 'hq_regions'").get() as { value: string } | undefined)?.value ?? '[]',
  ) as string[]
  const all = regions.includes('*')
  const differences: Difference[] = []
  for (const table of Object.keys(syncedTables)) {
    // Derived values are computed on each device from the rows it holds, not synced.
    const columns = [...syncedColumns(table)].filter(([name]) => !bookkeeping.has(name) && !isDerived(table, name))
    const local = new Map((sqlite.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]).map((r) => [r.id as string, r]))
    const server = await rowsOf<{ row_id: string; fields: Record<string, unknown>; region: string | null }>(
      hq,
      `SELECT row_id, fields, region FROM rows WHERE table_name = '${table}'`,
    )
    const held = new Map(server.filter((r) => all || r.region === null || regions.includes(r.region)).map((r) => [r.row_id, r.fields]))
    for (const [id, fields] of held) {
      if (options.except?.has(`${table}:${id}`)) continue
      const row = local.get(id)
      if (!row) {
        differences.push({ table, rowId: id, field: null, device: undefined, hq: fields })
        continue
      }
      for (const [name, meta] of columns) {
        const mine = meta.boolean && row[name] != null ? row[name] === 1 : (row[name] ?? null)
        const theirs = fields[name] ?? null
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) differences.push({ table, rowId: id, field: name, device: mine, hq: theirs })
      }
    }
    for (const id of local.keys())
      if (!held.has(id) && !options.except?.has(`${table}:${id}`)) differences.push({ table, rowId: id, field: null, device: local.get(id), hq: undefined })
  }
  return differences
}

/** Every outbox entry is acknowledged and in HQ's log exactly once with its change id; none waits. */
export async function outboxArrivedOnce(device: Core, hq: HqDb): Promise<{ entries: number; problems: string[] }> {
  const sqlite = device.ctx.db.$client
  const outbox = sqlite.prepare('SELECT device_seq, change_id, pushed_at FROM outbox ORDER BY device_seq').all() as {
    device_seq: number
    change_id: string
    pushed_at: string | null
  }[]
  const logged = await rowsOf<{ device_seq: string; change_id: string; n: string }>(
    hq,
    `SELECT device_seq::text, min(change_id) AS change_id, count(*)::text AS n FROM changes_log WHERE device_id = '${device.ctx.change.deviceId}' GROUP BY device_seq`,
  )
  const bySeq = new Map(logged.map((l) => [Number(l.device_seq), l]))
  const problems: string[] = []
  for (const entry of outbox) {
    if (entry.pushed_at === null) problems.push(`#${entry.device_seq} was never acknowledged`)
    const log = bySeq.get(entry.device_seq)
    if (!log) problems.push(`#${entry.device_seq} is not in HQ's log`)
    else if (Number(log.n) !== 1) problems.push(`#${entry.device_seq} is in HQ's log ${log.n} times`)
    else if (log.change_id !== entry.change_id) problems.push(`#${entry.device_seq} has another change id at HQ`)
  }
  for (const seq of bySeq.keys()) if (!outbox.some((o) => o.device_seq === seq)) problems.push(`HQ logged #${seq}, which the device never wrote`)
  return { entries: outbox.length, problems }
}
