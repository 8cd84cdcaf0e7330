// Convergence property (docs/sync.md): three devices (two grid managers, an admin) create, edit
// and delete rows of every synced table (text, number, boolean, enum, JSON, day, moment and null
// values; HQ data by the admin only) while offline, sync in
// random order with duplicated pushes, lost responses and edits made while a pull is under way.
// A model of the protocol — HQ's rows with a version per field, what each device last saw and
// what it has queued — predicts every base a device records, every value HQ ends with and every
// conflict: exactly the fields two devices changed from the same base to different values. After
// everyone syncs, every device holds exactly HQ's rows.
//
// Seeded and replayable: the seed is printed for every run (CI fixes it with CONVERGENCE_SEED);
// every id and value is drawn from it. A failure prints the seed and path to replay it with
// CONVERGENCE_SEED=<seed> CONVERGENCE_PATH=<path>.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deleteSynced, insertSynced, updateSynced } from '../electron/core/db/repos/changes'
import { syncedColumns } from '../electron/core/db/repos/sync'
import type { SyncedTableName } from '../electron/core/db/schema'
import { enrol, runSync } from '../electron/core/sync/engine'
import type { FetchLike } from '../electron/core/sync/hqClient'
import { openTestCore } from '../electron/core/testing'
import { mayWrite, syncedTableNames, type SyncedTable } from '../shared/sync/registry'
import { backends, startTestHq, type TestHq } from './testing'

const REGION = '451022-G03'
const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 15)
const SEED = Number(process.env.CONVERGENCE_SEED ?? Math.floor(Math.random() * 2 ** 31))
const PATH = process.env.CONVERGENCE_PATH
type Device = ReturnType<typeof openTestCore>

// ---- What the devices do ----

type Table = SyncedTable
const TABLES: Table[] = [...syncedTableNames]
/**
 * Edited columns per table (snake_case) and the values an edit picks from: text, numbers,
 * booleans, enums, JSON, days, moments and null — every synced table, every kind of field.
 */
const EDITS: Record<Table, Record<string, readonly unknown[]>> = {
  org_units: { name: ['祥周网格', '祥周片区'], grid_kind: ['area', 'group', 'channel', null], households: [800, 1200, null], population: [3000, 4500] },
  users: { name: ['韦主任', '黄经理'], phone: ['13800000001', '13900000002', null] },
  indicators: {
    name_zh: ['新增宽带', '宽带新增'],
    unit: ['户', '%'],
    direction: ['higher_better', 'lower_better'],
    yellow_below_pp: [5, 8.5],
    red_below_pp: [10, 15],
  },
  targets: { value: [100, 250.5, 80], split_method: ['households', 'equal', null] },
  actuals: { value: [12, 30.5, 0], source: ['BOSS', '手工录入'], as_of: ['2026-11-30T16:00:00.000Z', '2026-11-29T16:00:00.000Z'] },
  objections: { name_zh: ['价格太高', '资费偏高'], name_en: ['Too expensive', 'Price too high'], suggested_answer: ['算总账', null] },
  villages: {
    households: [100, 200, 300, null],
    notes: ['甲', '乙', '丙', null],
    market_days: ['逢三', '逢五', '逢七', null],
    fibre_covered: [true, false, null],
    penetration_pct: [12.5, 40, 0],
  },
  key_customers: {
    name: ['王老板', '李主任', '张校长'],
    influence: [1, 3, 5, null],
    monthly_revenue: [88.5, 300, 1200.25],
    tier_override: ['A', 'B', 'C', null],
    notes: ['续约', '流失风险', null],
  },
  work_orders: {
    title: ['回访', '装机', '催缴'],
    status: ['open', 'in_progress', 'done', 'cancelled'],
    sla_hours: [24, 48, null],
    description: ['带宣传单', null],
  },
  customer_products: { product_kind: ['terminal', 'broadband', 'other'], product_name: ['千兆宽带', '5G套餐'], expiry: ['2027-06-30', null] },
  competitor_intel: {
    title: ['电信送宽带', '联通降价'],
    rival: ['telecom', 'unicom', 'broadnet'],
    threat_level: [1, 3, 5, null],
    monthly_fee: [39, 59.5, null],
  },
  visits: {
    status: ['planned', 'done', 'cancelled'],
    purpose: ['回访', '推广', null],
    check_in_lon: [107.1, 107.25, null],
    next_action_due: ['2026-12-09T15:59:59.999Z', null],
  },
  day_plans: { start_name: ['村委会', '营业厅', null], start_lon: [107.1, 107.3, null], targets: ['[]', '[{"kind":"village","id":"x"}]'] },
  visit_participants: { name: ['农明', '黄芳'], role: ['grid_manager', 'customer_manager', 'other'] },
  visit_objections: { detail: ['嫌贵', '信号差', null], answer: ['送宽带', null], answer_worked: [true, false, null] },
  visit_products: { product: ['宽带', '5G套餐'], outcome: ['pitched', 'sold'], quantity: [1, 2, null] },
  funnel_moves: { to_stage: ['contacted', 'intent', 'won'], by_user_id: [null] },
  attachments: { file_name: ['门头.jpg', '合同.jpg'], mime: ['image/jpeg', 'image/png'] },
}
const COLUMNS: Record<Table, string[]> = Object.fromEntries(TABLES.map((t) => [t, [...Object.keys(EDITS[t]), 'deleted_at']])) as Record<Table, string[]>
/** The roles of the three devices: two grid managers and an admin (HQ data is written by admins only). */
const ROLES = ['grid_manager', 'grid_manager', 'admin'] as const
const ADMIN_DEVICE = 2
/** The device that makes an action on a table: the one drawn, or the admin's when its role may not write the table. */
const writerFor = (device: number, table: Table) => (mayWrite(table, ROLES[device]!) ? device : ADMIN_DEVICE)

// Rows are picked among the first few live ones of a table, so devices often meet on the same row.
// A third of the time one of three busy tables, so that devices meet on the same fields often enough to conflict.
const table = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<Table>('villages', 'key_customers', 'work_orders') },
  { weight: 2, arbitrary: fc.constantFrom(...TABLES) },
)
const pick = { device: fc.nat(2), table, row: fc.nat(2) }
const edit = fc.record({ ...pick, column: fc.nat(9), value: fc.nat(3) })
const action = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('edit' as const), edit }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('create' as const), device: pick.device, table: pick.table }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), ...pick }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      device: pick.device,
      duplicate: fc.boolean(),
      /** The first request's answer is lost after HQ acted on it (the push's, or the first pull page's). */
      drop: fc.boolean(),
      /** An edit the user makes while the pull is under way (after the push). */
      during: fc.option(edit, { nil: undefined, freq: 3 }),
    }),
  },
)

// ---- The model ----

type Version = string | null
interface ModelRow {
  table: Table
  fields: Record<string, unknown>
  versions: Record<string, string>
}
interface Change {
  table: Table
  row: string
  hlc: string
  fields: Record<string, unknown>
  base: Record<string, Version>
  /** Fields HQ answered "same value" for, with the version it kept (replays carry them too). */
  same: Record<string, string>
  /** Fields HQ recorded a conflict for. */
  conflicts: string[]
}
interface ModelDevice {
  /** HQ's rows as of this device's last complete sync. */
  view: Map<string, ModelRow>
  /** Changes HQ has not acknowledged to the device, oldest first; `sent` ones HQ holds already (their answer was lost). */
  queue: (Change & { sent: boolean })[]
  /** Open conflicts the device holds: table|row|field. */
  conflicts: Set<string>
}

const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null)
const key = (table: string, row: string, field: string) => `${table}|${row}|${field}`
const copyRows = (rows: Map<string, ModelRow>) =>
  new Map([...rows].map(([id, r]) => [id, { table: r.table, fields: { ...r.fields }, versions: { ...r.versions } }]))

class Model {
  readonly hq = new Map<string, ModelRow>()
  readonly hqConflicts = new Set<string>()
  readonly devices: ModelDevice[]
  constructor(initial: Map<string, ModelRow>, n: number) {
    for (const [id, row] of copyRows(initial)) this.hq.set(id, row)
    this.devices = Array.from({ length: n }, () => ({ view: copyRows(initial), queue: [], conflicts: new Set<string>() }))
  }

  /** A field's value and version on a device: its newest queued change, else what it last pulled. */
  held(d: number, row: string, field: string): { value: unknown; version: Version } {
    const device = this.devices[d]!
    for (const c of [...device.queue].reverse()) if (c.row === row && field in c.fields) return { value: c.fields[field], version: c.hlc }
    const viewed = device.view.get(row)
    return { value: viewed?.fields[field], version: viewed?.versions[field] ?? null }
  }

  /** Live rows of a table on a device, by id. */
  liveRows(d: number, table: Table): string[] {
    const ids = new Set<string>()
    for (const [id, r] of this.devices[d]!.view) if (r.table === table) ids.add(id)
    for (const c of this.devices[d]!.queue) if (c.table === table) ids.add(c.row)
    return [...ids].filter((id) => this.held(d, id, 'deleted_at').value == null).sort()
  }

  /** HQ merges one change (docs/sync.md, the merge rule). */
  private merge(change: Change, aliases: Map<string, string>): void {
    const row = this.hq.get(change.row) ?? { table: change.table, fields: {}, versions: {} }
    this.hq.set(change.row, row)
    for (const [field, value] of Object.entries(change.fields)) {
      const k = key(change.table, change.row, field)
      const held: Version = row.versions[field] ?? null
      const raw = change.base[field] ?? null
      const base = raw === null ? null : (aliases.get(`${k}|${raw}`) ?? raw)
      if (held === null) {
        row.fields[field] = value
        row.versions[field] = change.hlc
      } else if (same(row.fields[field], value)) {
        if (held !== change.hlc) {
          change.same[field] = held
          aliases.set(`${k}|${change.hlc}`, held)
        }
      } else if (base !== held) {
        change.conflicts.push(field)
        this.hqConflicts.add(k)
      } else if (change.hlc > held) {
        row.fields[field] = value
        row.versions[field] = change.hlc
      }
    }
  }

  /** A push reaching HQ: replays answered from its log, new changes merged, in order. */
  private push(d: number): void {
    const aliases = new Map<string, string>()
    for (const c of this.devices[d]!.queue) {
      if (c.sent) for (const [field, v] of Object.entries(c.same)) aliases.set(`${key(c.table, c.row, field)}|${c.hlc}`, v)
      else this.merge(c, aliases)
      c.sent = true
    }
  }

  /** A sync whose first answer was lost: HQ acted on the push; the device learnt nothing. */
  lostSync(d: number): void {
    this.push(d)
  }

  /**
   * A complete sync, first half: the push, and the device adopting HQ's answers (its conflicts
   * among them): it then holds HQ's versions of the fields it pushed, and what it last pulled of
   * the others (the base of an edit made while the pull is under way).
   */
  pushAndAdopt(d: number): void {
    const device = this.devices[d]!
    this.push(d)
    for (const c of device.queue) {
      for (const f of c.conflicts) device.conflicts.add(key(c.table, c.row, f))
      const viewRow = device.view.get(c.row) ?? { table: c.table, fields: {}, versions: {} }
      device.view.set(c.row, viewRow)
      const hqRow = this.hq.get(c.row)!
      for (const f of Object.keys(c.fields)) {
        viewRow.fields[f] = hqRow.fields[f]
        if (hqRow.versions[f] !== undefined) viewRow.versions[f] = hqRow.versions[f]!
      }
    }
    device.queue = []
  }

  /** Second half: the pull. A pulled field that differs from an edit made meanwhile, and is not its base, is a conflict. */
  pull(d: number, during?: Change): void {
    const device = this.devices[d]!
    device.view = copyRows(this.hq)
    if (!during) return
    const hqRow = this.hq.get(during.row)
    for (const [f, value] of Object.entries(during.fields)) {
      const theirs = hqRow?.versions[f] ?? null
      if (hqRow && theirs !== null && theirs !== during.base[f] && !same(hqRow.fields[f], value)) device.conflicts.add(key(during.table, during.row, f))
    }
    this.record(d, during)
  }

  sync(d: number): void {
    this.pushAndAdopt(d)
    this.pull(d)
  }

  /** Edited fields of rows the device holds whose HQ version it has not seen yet (where a pull conflict can happen). */
  unseen(d: number): { table: Table; row: string; field: string }[] {
    const device = this.devices[d]!
    const out: { table: Table; row: string; field: string }[] = []
    for (const [id, row] of [...this.hq].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const viewed = device.view.get(id)
      if (!viewed || viewed.fields.deleted_at != null) continue
      for (const field of Object.keys(EDITS[row.table]))
        if (row.versions[field] !== undefined && row.versions[field] !== viewed.versions[field]) out.push({ table: row.table, row: id, field })
    }
    return out
  }

  record(d: number, change: Change): void {
    this.devices[d]!.queue.push({ ...change, sent: false })
  }
}

// ---- The harness ----

const propOf = (table: Table, column: string) => syncedColumns(table).get(column)!.prop

function lastChange(d: Device, table: Table): Change {
  const row = d.ctx.db.$client.prepare('SELECT hlc, row_id, fields, base FROM outbox ORDER BY device_seq DESC LIMIT 1').get() as {
    hlc: string
    row_id: string
    fields: string
    base: string
  }
  return { table, row: row.row_id, hlc: row.hlc, fields: JSON.parse(row.fields), base: JSON.parse(row.base), same: {}, conflicts: [] }
}

async function hqRows(hq: TestHq): Promise<Map<string, ModelRow>> {
  const list = (await hq.store.db.execute(
    `SELECT table_name, row_id, fields, versions FROM rows WHERE (region = '${REGION}' OR region IS NULL) AND table_name IN (${TABLES.map((t) => `'${t}'`).join(', ')})`,
  )) as unknown as { rows: { table_name: Table; row_id: string; fields: Record<string, unknown>; versions: Record<string, string> }[] }
  return new Map(list.rows.map((r) => [r.row_id, { table: r.table_name, fields: r.fields, versions: r.versions }]))
}

/**
 * A table's modelled columns as a device holds them (booleans as booleans); `only`: just these
 * rows (an admin's device holds the whole county, the model this grid and HQ-wide data).
 */
function deviceRows(d: Device, table: Table, only?: Set<string>): Record<string, unknown>[] {
  const columns = syncedColumns(table)
  const list = (d.ctx.db.$client.prepare(`SELECT id, ${COLUMNS[table].join(', ')} FROM ${table} ORDER BY id`).all() as Record<string, unknown>[]).filter(
    (r) => !only || only.has(r.id as string),
  )
  return list.map((r) => Object.fromEntries(Object.entries(r).map(([c, v]) => [c, columns.get(c)?.boolean && v != null ? v === 1 : v])))
}
/** The fields a device holds conflicts for: table|row|field. */
const conflictsOn = (d: Device) =>
  new Set(
    (
      d.ctx.db.$client.prepare('SELECT DISTINCT table_name, row_id, field FROM sync_conflicts').all() as { table_name: string; row_id: string; field: string }[]
    ).map((c) => key(c.table_name, c.row_id, c.field)),
  )
const modelRows = (rows: Map<string, ModelRow>, table: Table) =>
  [...rows]
    .filter(([, r]) => r.table === table)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, r]) => ({ id, ...Object.fromEntries(COLUMNS[table].map((c) => [c, r.fields[c] ?? null])) }))

/**
 * A new row of a table (drizzle field names) tagged `code`, hung on `parent(table)` where it needs
 * a parent row; undefined when none can be made.
 */
function newRow(
  table: Table,
  id: string,
  n: number,
  code: string,
  gridId: string,
  parent: (table: Table) => string | undefined,
): Record<string, unknown> | undefined {
  const at = '2026-12-01T02:30:00.000Z'
  const makers: Record<Table, () => Record<string, unknown> | undefined> = {
    // A new org unit is a region of its own, outside every device's scope here: only edits.
    org_units: () => undefined,
    users: () => ({ id, name: `用户${n}`, role: 'staff', orgUnitId: gridId }),
    indicators: () => ({
      id,
      code: `I${code}`,
      nameZh: `指标${n}`,
      nameEn: `Indicator ${n}`,
      unit: '户',
      direction: 'higher_better',
      yellowBelowPp: 5,
      redBelowPp: 10,
    }),
    targets: () => ({ id, indicatorCode: `I${code}`, orgUnitId: gridId, period: '2026-11', value: 100, splitMethod: null }),
    actuals: () => ({ id, indicatorCode: `I${code}`, orgUnitId: gridId, period: '2026-11', value: 10, asOf: at, source: 'BOSS' }),
    objections: () => ({ id, code: `O${code}`, nameZh: `异议${n}`, nameEn: `Objection ${n}` }),
    villages: () => ({ id, divisionCode: `C${code}`, name: `新村${n}`, kind: 'village', gridId, households: 50 }),
    key_customers: () => ({ id, name: `客户${n}`, category: 'commerce', funnelStage: 'potential', gridId, influence: 2, notes: null }),
    work_orders: () => ({
      id,
      title: `工单${n}`,
      origin: 'manual',
      orgUnitId: gridId,
      dueAt: '2026-12-10T00:00:00Z',
      status: 'open',
      slaHours: 24,
    }),
    customer_products: () => {
      const customerId = parent('key_customers')
      return customerId ? { id, customerId, productKind: 'broadband', productName: '宽带', since: '2026-01-01' } : undefined
    },
    competitor_intel: () => ({ id, rival: 'telecom', kind: 'price', title: `情报${n}`, gridId, seenAt: at }),
    visits: () => ({ id, status: 'done', targetKind: 'village', gridId, checkedInAt: at, checkInSource: 'none', purpose: '回访' }),
    day_plans: () => ({
      id,
      gridId,
      planDate: `2027-${String((n % 12) + 1).padStart(2, '0')}-${String((Number.parseInt(code, 10) % 28) + 1).padStart(2, '0')}`,
      targets: '[]',
    }),
    visit_participants: () => {
      const visitId = parent('visits')
      return visitId ? { id, visitId, name: `同行${n}`, role: 'customer_manager' } : undefined
    },
    visit_objections: () => {
      const visitId = parent('visits')
      return visitId ? { id, visitId, objectionCode: 'price', detail: '嫌贵' } : undefined
    },
    visit_products: () => {
      const visitId = parent('visits')
      return visitId ? { id, visitId, product: '宽带', outcome: 'pitched', quantity: 1 } : undefined
    },
    funnel_moves: () => {
      const customerId = parent('key_customers')
      return customerId ? { id, customerId, fromStage: 'potential', toStage: 'contacted', movedAt: at } : undefined
    },
    attachments: () => {
      const ownerId = parent('visits')
      return ownerId ? { id, ownerTable: 'visits', ownerId, fileName: `照片${n}.jpg`, sha256: 'a'.repeat(64), mime: 'image/jpeg', bytes: 1024 } : undefined
    },
  }
  return makers[table]()
}

describe.each(backends)('convergence (%s)', (backend) => {
  let hq: TestHq
  beforeAll(async () => {
    hq = await startTestHq(undefined, { backend })
  })
  afterAll(() => hq?.close())

  it(`devices and HQ agree, with exactly the conflicts people made, after random edits, partitions, duplicates and losses (${RUNS} runs)`, async () => {
    console.log(`convergence (${backend}): seed ${SEED}${PATH ? ` path ${PATH}` : ''}, ${RUNS} runs — replay with CONVERGENCE_SEED=${SEED}`)
    let run = 0
    const stats = { actions: 0, syncs: 0, lost: 0, duplicated: 0, during: 0, conflicts: 0, deviceConflicts: 0 }
    /** Rows created and fields edited per table, over all runs: every synced table must be exercised. */
    const touched = Object.fromEntries(TABLES.map((t) => [t, { created: 0, edited: 0, deleted: 0 }])) as Record<
      Table,
      { created: number; edited: number; deleted: number }
    >
    // A checkpoint mismatch repairs itself by a refetch, which would hide a merge bug: demand none.
    const noRefetchOpening = (r: Awaited<ReturnType<typeof runSync>>) => expect(r.warnings).toEqual([])
    const noRefetch = (r: Awaited<ReturnType<typeof runSync>>) =>
      expect({ refetched: r.refetched, warnings: r.warnings }).toEqual({ refetched: false, warnings: [] })
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 10, maxLength: 40 }), async (actions) => {
        run++
        // Ids come from the run and a counter: a replay makes the same rows.
        let counter = 0
        const nextId = () => `${run.toString(16).padStart(8, '0')}-0000-7000-8000-${(++counter).toString(16).padStart(12, '0')}`
        const devices = [openTestCore(), openTestCore(), openTestCore()]
        try {
          const names = ['a', 'b', 'c'].map((n) => `${n}${run}-${SEED}`)
          for (const [i, d] of devices.entries()) await enrol(d.ctx, hq.url, await hq.userWithCode(names[i]!, ROLES[i]!, [REGION]), names[i])
          for (const d of devices) await runSync(d.ctx)
          const gridId = (devices[0]!.ctx.db.$client.prepare('SELECT id FROM org_units WHERE code = ?').get(REGION) as { id: string }).id
          // Every table starts with a row of this run (parents first, in the registry's order),
          // made by the admin's device, so that edits and deletes reach every table.
          const admin = devices[ADMIN_DEVICE]!
          const opened = new Map<Table, string>()
          for (const table of TABLES) {
            const id = nextId()
            const values = newRow(table, id, counter, `${run}-${counter}-${SEED}`, gridId, (t) => opened.get(t))
            if (!values) continue
            admin.ctx.db.transaction((tx) => insertSynced(tx, admin.ctx.change, table, values))
            opened.set(table, id)
            touched[table].created++
          }
          for (const d of [admin, ...devices.filter((d) => d !== admin)]) noRefetchOpening(await runSync(d.ctx))
          const model = new Model(await hqRows(hq), devices.length)

          /** Applies an edit on a device and checks the base it recorded against the model's. */
          const applyEdit = (
            i: number,
            e: { table: Table; row: number; column: number; value: number },
            at?: { table: Table; row: string; field: string },
          ): Change | undefined => {
            const live = model.liveRows(i, e.table)
            if (live.length === 0 && !at) return undefined
            const table = at?.table ?? e.table
            const id = at?.row ?? live[e.row % live.length]!
            const columns = Object.keys(EDITS[table])
            const column = at?.field ?? columns[e.column % columns.length]!
            const values = EDITS[table][column]!
            // An edit aimed at a field HQ changed meanwhile takes a value other than HQ's (a real conflict).
            const value = at
              ? (values.find((v, n) => n >= e.value % values.length && !same(v, model.hq.get(id)!.fields[column])) ??
                values.find((v) => !same(v, model.hq.get(id)!.fields[column])))
              : values[e.value % values.length]
            const before = model.held(i, id, column)
            if (same(before.value, value)) return undefined
            const d = devices[i]!
            d.ctx.db.transaction((tx) => updateSynced(tx, d.ctx.change, table as SyncedTableName, id, { [propOf(table, column)]: value }))
            const change = lastChange(d, table)
            expect(change.fields).toEqual({ [column]: value })
            if (before.version !== null) expect(change.base, `base of ${table} ${id}.${column} on device ${i}`).toEqual({ [column]: before.version })
            return change
          }

          // Every table gets one edit per run, by devices in turn, before the random actions (which
          // then sync, edit over and conflict with them): no table is left to chance.
          for (const [k, table] of TABLES.entries()) {
            const device = writerFor((run + k) % devices.length, table)
            const change = applyEdit(device, { table, row: run, column: run + k, value: run })
            if (change) {
              model.record(device, change)
              touched[table].edited++
            }
          }
          for (const act of actions) {
            stats.actions++
            if (act.kind === 'create') {
              const device = writerFor(act.device, act.table)
              const d = devices[device]!
              const id = nextId()
              const n = counter
              const values = newRow(act.table, id, n, `${run}-${n}-${SEED}`, gridId, (t) => model.liveRows(device, t)[n % 3])
              if (!values) continue
              d.ctx.db.transaction((tx) => insertSynced(tx, d.ctx.change, act.table, values))
              model.record(device, lastChange(d, act.table))
              touched[act.table].created++
            } else if (act.kind === 'edit') {
              const device = writerFor(act.edit.device, act.edit.table)
              const change = applyEdit(device, act.edit)
              if (change) {
                model.record(device, change)
                touched[act.edit.table].edited++
              }
            } else if (act.kind === 'delete') {
              const device = writerFor(act.device, act.table)
              const live = model.liveRows(device, act.table)
              if (live.length < 2) continue
              const d = devices[device]!
              d.ctx.db.transaction((tx) => deleteSynced(tx, d.ctx.change, act.table, live[act.row % live.length]!))
              model.record(device, lastChange(d, act.table))
              touched[act.table].deleted++
            } else {
              stats.syncs++
              const d = devices[act.device]!
              let requests = 0
              let during: Change | undefined
              const duringEdit =
                act.during && !act.drop && writerFor(act.device, act.during.table) === act.device ? { ...act.during, device: act.device } : undefined
              const flaky: FetchLike = async (url, init) => {
                requests++
                if (duringEdit && init.method === 'GET' && String(url).includes('/v1/pull') && !during) {
                  stats.during++
                  // Half of these edits aim at a field another device changed since this one last pulled.
                  const unseen = duringEdit.column % 2 === 0 ? model.unseen(act.device).filter((u) => writerFor(act.device, u.table) === act.device) : []
                  during = applyEdit(act.device, duringEdit, unseen.length ? unseen[duringEdit.row % unseen.length] : undefined) ?? ({} as Change)
                }
                if (act.duplicate && init.method === 'POST') {
                  stats.duplicated++
                  await (await fetch(url, init)).arrayBuffer()
                }
                const res = await fetch(url, init)
                if (act.drop && requests === 1) {
                  stats.lost++
                  await res.arrayBuffer()
                  throw new Error('connection reset')
                }
                return res
              }
              if (!act.drop) model.pushAndAdopt(act.device)
              const report = await runSync(d.ctx, { fetch: flaky, pullLimit: 5 }).catch((error: Error) => {
                if (!/connection reset/.test(error.message)) throw error
              })
              if (act.drop) model.lostSync(act.device)
              else {
                model.pull(act.device, during?.row ? during : undefined)
                // Conflicts are found when they happen: at the push, or at the pull for an edit made meanwhile.
                expect(conflictsOn(d), `conflicts on device ${act.device} after its sync`).toEqual(model.devices[act.device]!.conflicts)
              }
              if (report) noRefetch(report)
            }
          }
          for (let round = 0; round < 2; round++)
            for (const [i, d] of devices.entries()) {
              noRefetch(await runSync(d.ctx))
              model.sync(i)
            }
          const rows = await hqRows(hq)
          for (const table of TABLES) {
            const expected = modelRows(model.hq, table)
            expect(modelRows(rows, table), `HQ's ${table}`).toEqual(expected)
            const ids = new Set(expected.map((r) => r.id))
            for (const [i, d] of devices.entries())
              expect(deviceRows(d, table, ROLES[i] === 'admin' ? ids : undefined), `device ${i}'s ${table}`).toEqual(expected)
          }
          const runDevices = devices.map((d) => `'${d.ctx.change.deviceId}'`).join(', ')
          const hqConflicts = (await hq.store.db.execute(
            `SELECT DISTINCT table_name, row_id, field FROM conflicts WHERE device_id IN (${runDevices})`,
          )) as unknown as {
            rows: { table_name: string; row_id: string; field: string }[]
          }
          expect(new Set(hqConflicts.rows.map((c) => key(c.table_name, c.row_id, c.field))), 'conflicts at HQ').toEqual(model.hqConflicts)
          stats.conflicts += model.hqConflicts.size
          for (const [i, d] of devices.entries()) {
            expect(conflictsOn(d), `conflicts on device ${i}`).toEqual(model.devices[i]!.conflicts)
            stats.deviceConflicts += model.devices[i]!.conflicts.size
            expect(d.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox WHERE pushed_at IS NULL').get()).toEqual({ n: 0 })
            expect((await runSync(d.ctx)).checkpoint).toBe('ok')
          }
        } finally {
          for (const d of devices) d.dispose()
        }
      }),
      { numRuns: RUNS, seed: SEED, ...(PATH ? { path: PATH } : {}) },
    )
    console.log(`convergence (${backend}): seed ${SEED}, ${RUNS} runs`, stats, touched)
    // Every synced table had rows created (org units: only edited) and fields edited.
    if (RUNS >= 15)
      expect(
        TABLES.filter((t) => (touched[t].created === 0 && t !== 'org_units') || touched[t].edited === 0),
        'tables not exercised',
      ).toEqual([])
  }, 600_000)
})
