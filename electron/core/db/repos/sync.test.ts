// The device's two apply paths, row by row against a real store: pulled rows written into the
// domain tables (applyPulledRows) and HQ's answers to a push adopted (applyPushResults). Each test
// runs in a transaction rolled back after it; every test ends with the running checksum equal to
// a full scan. `npm run mutate` runs these against mutants of both functions.
import { v7 as uuidv7 } from 'uuid'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChangeResult, PulledRow, ServerField, WireChange } from '../../../../shared/sync/protocol'
import { openTestCore } from '../../testing'
import { applyPulledRows, applyPushResults, beginRefetchSweep, localCheckpoint, storedChecksum, storeChecksum } from './sync'

const NOW = '2026-12-02T08:00:00.000Z'
const v = (n: number, node = 'hq') => `2026-12-01T00:00:${String(n).padStart(2, '0')}.000Z-0000-${node}`

let core: ReturnType<typeof openTestCore>
const db = () => core.ctx.db.$client
beforeAll(() => {
  core = openTestCore()
})
afterAll(() => core?.dispose())
beforeEach(() => {
  db().exec('BEGIN')
  storeChecksum(db(), { rows: 0, hash: '0' })
})
afterEach(() => {
  // Every write kept the running checksum equal to what a full scan finds.
  try {
    expect(storedChecksum(db())).toEqual(localCheckpoint(db()))
  } finally {
    db().exec('ROLLBACK')
  }
})

const divisions = new Map<string, string>()
const divisionOf = (id: string) => divisions.get(id) ?? divisions.set(id, String(451022100000 + divisions.size)).get(id)!
const village = (id: string, fields: Record<string, unknown> = {}, version = v(1), versions: Record<string, string> = {}): PulledRow => ({
  table_name: 'villages',
  row_id: id,
  fields: { division_code: divisionOf(id), name: '那坡村', kind: 'village', households: 100, ...fields },
  version,
  versions,
})
const pull = (rows: PulledRow[], receive: (hlc: string) => void = () => undefined, seen?: boolean) => applyPulledRows(db(), rows, NOW, receive, seen)
const row = (table: string, id: string) => db().prepare(`SELECT * FROM "${table}" WHERE id = ?`).get(id) as Record<string, unknown> | undefined
const versionsOf = (table: string, id: string) =>
  Object.fromEntries(
    (
      db().prepare('SELECT field, hlc FROM field_versions WHERE table_name = ? AND row_id = ? ORDER BY field').all(table, id) as {
        field: string
        hlc: string
      }[]
    ).map((f) => [f.field, f.hlc]),
  )
const conflicts = () =>
  db().prepare('SELECT table_name, row_id, field, mine, theirs, mine_hlc, theirs_hlc, resolved_at FROM sync_conflicts ORDER BY field').all()

let seq = 0
/** Queues a change in the outbox as the device would have; returns it as sent. */
function queue(
  table: string,
  rowId: string,
  fields: WireChange['fields'],
  base: Record<string, string | null>,
  hlc: string,
  extra: { result?: string; reason?: string; pushedAt?: string } = {},
): WireChange {
  const change = { device_seq: ++seq, change_id: uuidv7(), hlc, table_name: table, row_id: rowId, op: 'update' as const, fields, base, schema_version: 11 }
  db()
    .prepare(
      'INSERT INTO outbox (device_seq, change_id, device_id, hlc, table_name, row_id, op, fields, base, schema_version, created_at, pushed_at, result, result_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(
      change.device_seq,
      change.change_id,
      'dev',
      hlc,
      table,
      rowId,
      'update',
      JSON.stringify(fields),
      JSON.stringify(base),
      11,
      NOW,
      extra.pushedAt ?? null,
      extra.result ?? null,
      extra.reason ?? null,
    )
  return change
}
const outboxRow = (s: number) =>
  db().prepare('SELECT pushed_at, result, result_reason, base FROM outbox WHERE device_seq = ?').get(s) as {
    pushed_at: string | null
    result: string | null
    result_reason: string | null
    base: string
  }
const answer = (change: WireChange, status: ChangeResult['status'], server?: Record<string, ServerField>, more: Partial<ChangeResult> = {}): ChangeResult => ({
  device_seq: change.device_seq,
  change_id: change.change_id,
  status,
  ...(server ? { server } : {}),
  ...more,
})
const push = (sent: WireChange[], results: ChangeResult[], receive: (hlc: string) => void = () => undefined) =>
  applyPushResults(db(), sent, results, NOW, receive)

describe('applyPulledRows: a row new to the device', () => {
  it('is inserted with its values, its version in hlc, only the other versions listed; booleans and objects stored as SQLite holds them', () => {
    const id = uuidv7()
    const receive = vi.fn()
    const stats = pull(
      [village(id, { fibre_covered: true, population: 800, hlc: 'ignored', no_such_column: 1 }, v(3), { population: v(5), households: v(3) })],
      receive,
    )
    expect(stats).toEqual({ rows: 1, conflicts: 0, refused: 0 })
    expect(row('villages', id)).toMatchObject({
      name: '那坡村',
      households: 100,
      population: 800,
      fibre_covered: 1,
      hlc: v(3),
      created_at: NOW,
      updated_at: NOW,
      deleted_at: null,
    })
    expect(versionsOf('villages', id)).toEqual({ population: v(5) })
    // The clock passes the newest version of the page once.
    expect(receive.mock.calls).toEqual([[v(5)]])
    expect(storedChecksum(db())!.rows).toBe(1)
  })

  it('the clock receives the newest version of the page, wherever it is in the page; a page with nothing applied tells it nothing', () => {
    const receive = vi.fn()
    pull([village(uuidv7(), {}, v(9)), village(uuidv7(), {}, v(2)), village(uuidv7(), {}, v(4))], receive)
    expect(receive.mock.calls).toEqual([[v(9)]])
    const none = vi.fn()
    pull([village(uuidv7(), { grid_id: 'no-such-grid' })], none)
    pull([], none)
    expect(none).not.toHaveBeenCalled()
  })

  it('takes the page time when the row has no version, and a tombstone is held but not counted', () => {
    const plain = uuidv7()
    const gone = uuidv7()
    const receive = vi.fn()
    expect(pull([village(plain, {}, ''), village(gone, { deleted_at: '2026-11-30T00:00:00.000Z' }, v(2))], receive).rows).toBe(2)
    expect(row('villages', plain)!.hlc).toBe(NOW)
    expect(row('villages', gone)).toMatchObject({ deleted_at: '2026-11-30T00:00:00.000Z', hlc: v(2) })
    expect(storedChecksum(db())).toEqual({ rows: 1, hash: localCheckpoint(db()).hash })
    expect(receive.mock.calls).toEqual([[v(2)]])
  })

  it('passes over tables that are not synced, but a refetch still marks them seen', () => {
    beginRefetchSweep(db())
    const id = uuidv7()
    const receive = vi.fn()
    expect(pull([{ table_name: 'outbox', row_id: 'x', fields: {}, version: v(9), versions: {} }, village(id)], receive, true)).toEqual({
      rows: 1,
      conflicts: 0,
      refused: 0,
    })
    expect(db().prepare('SELECT table_name, row_id FROM sync_refetch_seen ORDER BY table_name').all()).toEqual([
      { table_name: 'outbox', row_id: 'x' },
      { table_name: 'villages', row_id: id },
    ])
    expect(receive.mock.calls).toEqual([[v(1)]])
    db().exec('DROP TABLE sync_refetch_seen')
    pull([village(uuidv7())], receive, false)
  })

  it('refuses rows that break the value rules and lists each once, newest last, at most 200', () => {
    pull([village(uuidv7())])
    expect(db().prepare("SELECT value FROM sync_state WHERE key = 'pull_refused'").get()).toBeUndefined()
    const bad = uuidv7()
    const stats = pull([village(bad, { grid_id: 'no-such-grid' }), village(uuidv7())])
    expect(stats).toEqual({ rows: 1, conflicts: 0, refused: 1 })
    expect(row('villages', bad)).toBeUndefined()
    const listed = () =>
      JSON.parse(db().prepare("SELECT value FROM sync_state WHERE key = 'pull_refused'").pluck().get() as string) as {
        table: string
        rowId: string
        version: string
        problems: string[]
      }[]
    expect(listed()).toEqual([{ table: 'villages', rowId: bad, version: v(1), problems: [expect.stringContaining('grid_id')] }])
    // Pulled again (same version): listed once, moved to the end; a new version is another entry.
    const other = uuidv7()
    pull([village(other, { grid_id: 'no-such-grid' }), village(bad, { grid_id: 'no-such-grid' })])
    expect(listed().map((r) => r.rowId)).toEqual([other, bad])
    pull([village(bad, { grid_id: 'still-no-grid' }, v(2))])
    expect(listed().map((r) => `${r.rowId}@${r.version}`)).toEqual([`${other}@${v(1)}`, `${bad}@${v(1)}`, `${bad}@${v(2)}`])
    pull(Array.from({ length: 210 }, () => village(uuidv7(), { grid_id: 'no-such-grid' })))
    const capped = listed()
    expect(capped).toHaveLength(200)
    expect(capped.some((r) => r.rowId === bad)).toBe(false)
  })
})

describe('applyPulledRows: a row the device holds', () => {
  it('with no local change: the pulled fields and versions replace the held ones; fields not sent keep theirs', () => {
    const id = uuidv7()
    pull([village(id, { population: 10, notes: 'a' }, v(1), { notes: v(2) })])
    const receive = vi.fn()
    const next = village(id, { households: 120, population: 11 }, v(4), { population: v(3) })
    delete next.fields.notes
    const stats = pull([next], receive)
    expect(stats).toEqual({ rows: 1, conflicts: 0, refused: 0 })
    expect(row('villages', id)).toMatchObject({ households: 120, population: 11, notes: 'a', hlc: v(4), updated_at: NOW })
    expect(versionsOf('villages', id)).toEqual({ notes: v(2), population: v(3) })
    expect(receive.mock.calls).toEqual([[v(4)]])
    expect(conflicts()).toEqual([])
  })

  it('keeps a field with a pending change; a different value it was not based on is a conflict, one it was based on is not', () => {
    const id = uuidv7()
    pull([village(id, { population: 10, notes: 'a' })])
    db().prepare('UPDATE villages SET population = 12, notes = ? WHERE id = ?').run('mine', id)
    queue('villages', id, { population: 12 }, { population: v(1) }, v(5, 'dev'))
    queue('villages', id, { notes: 'mine' }, { notes: v(1) }, v(6, 'dev'))
    const stats = pull([village(id, { population: 10, notes: 'theirs', households: 101 }, v(7), { population: v(1) })])
    expect(stats).toEqual({ rows: 1, conflicts: 1, refused: 0 })
    expect(row('villages', id)).toMatchObject({ population: 12, notes: 'mine', households: 101, hlc: v(7) })
    expect(conflicts()).toEqual([
      { table_name: 'villages', row_id: id, field: 'notes', mine: '"mine"', theirs: '"theirs"', mine_hlc: null, theirs_hlc: v(7), resolved_at: null },
    ])
    // Kept fields keep the version they had.
    expect(versionsOf('villages', id)).toEqual({ notes: v(1), population: v(1) })
    // Seen again: the open conflict is refreshed, not doubled.
    pull([village(id, { notes: 'theirs 2' }, v(8))])
    expect(conflicts()).toEqual([expect.objectContaining({ field: 'notes', theirs: '"theirs 2"', theirs_hlc: v(8) })])
  })

  it('a pending boolean equal to the pulled one is no conflict', () => {
    const id = uuidv7()
    pull([village(id, { fibre_covered: false })])
    db().prepare('UPDATE villages SET fibre_covered = 1 WHERE id = ?').run(id)
    queue('villages', id, { fibre_covered: true }, { fibre_covered: v(1) }, v(5, 'dev'))
    expect(pull([village(id, { fibre_covered: true }, v(6))]).conflicts).toBe(0)
    expect(row('villages', id)!.fibre_covered).toBe(1)
  })

  it('never writes over nor conflicts on a derived value (value tier), but takes its version', () => {
    const id = uuidv7()
    const customer = (fields: Record<string, unknown>, version: string, versions: Record<string, string> = {}): PulledRow => ({
      table_name: 'key_customers',
      row_id: id,
      fields: { name: '张三', category: 'commerce', funnel_stage: 'potential', ...fields },
      version,
      versions,
    })
    pull([customer({ value_tier: 'C' }, v(1))])
    db().prepare("UPDATE key_customers SET value_tier = 'A' WHERE id = ?").run(id)
    queue('key_customers', id, { value_tier: 'A' }, { value_tier: v(1) }, v(5, 'dev'))
    expect(pull([customer({ value_tier: 'B', notes: 'x' }, v(6), { value_tier: v(4) })]).conflicts).toBe(0)
    expect(row('key_customers', id)).toMatchObject({ value_tier: 'A', notes: 'x' })
    expect(versionsOf('key_customers', id)).toEqual({ value_tier: v(4) })
    expect(conflicts()).toEqual([])
  })
})

describe('applyPushResults', () => {
  it('marks each answered change with its result and reason; an answer for no sent change, or an entry already acknowledged, is left alone', () => {
    const a = queue('villages', uuidv7(), { notes: 'a' }, { notes: null }, v(1, 'dev'))
    const b = queue('villages', uuidv7(), { notes: 'b' }, { notes: null }, v(2, 'dev'))
    const done = queue('villages', uuidv7(), { notes: 'c' }, { notes: null }, v(3, 'dev'), { pushedAt: '2026-12-01T00:00:00.000Z', result: 'applied' })
    push(
      [a, b, done],
      [
        answer(a, 'applied'),
        answer(b, 'rejected', undefined, { reason: 'read_only_table' }),
        answer(done, 'conflict'),
        { device_seq: 99, change_id: 'x', status: 'applied' },
      ],
    )
    expect(outboxRow(a.device_seq)).toMatchObject({ pushed_at: NOW, result: 'applied', result_reason: null })
    expect(outboxRow(b.device_seq)).toMatchObject({ pushed_at: NOW, result: 'rejected', result_reason: 'read_only_table' })
    expect(outboxRow(done.device_seq)).toMatchObject({ pushed_at: '2026-12-01T00:00:00.000Z', result: 'applied' })
  })

  it('a change set aside on the device keeps its own reason; sent as a placeholder, nothing of the answer is adopted', () => {
    const id = uuidv7()
    pull([village(id)])
    const aside = queue('villages', id, { notes: 'too big' }, { notes: v(1) }, v(2, 'dev'), { result: 'rejected', reason: 'too_large' })
    const placeholder = { ...aside, fields: {}, base: {} }
    push(
      [placeholder],
      [answer(placeholder, 'rejected', { notes: { value: 'hq', version: v(3), outcome: 'rejected' } }, { reason: 'placeholder', absent: true })],
    )
    expect(outboxRow(aside.device_seq)).toMatchObject({ pushed_at: NOW, result: 'rejected', result_reason: 'too_large' })
    expect(row('villages', id)).toMatchObject({ notes: null, hlc: v(1) })
  })

  it("adopts HQ's value and version of each field it did not take, and records a conflict with both values", () => {
    const id = uuidv7()
    pull([village(id, { notes: 'a', population: 5 })])
    db().prepare("UPDATE villages SET notes = 'mine', population = 6, households = 7 WHERE id = ?").run(id)
    const change = queue('villages', id, { notes: 'mine', population: 6, households: 7 }, { notes: v(1), population: v(1), households: v(1) }, v(5, 'dev'))
    const receive = vi.fn()
    push(
      [change],
      [
        answer(change, 'conflict', {
          notes: { value: 'theirs', version: v(4), outcome: 'conflict' },
          population: { value: 9, version: v(6), outcome: 'superseded' },
          households: { value: 8, version: null, outcome: 'rejected' },
          no_such_column: { value: 1, version: v(7), outcome: 'same' },
        }),
      ],
      receive,
    )
    expect(row('villages', id)).toMatchObject({ notes: 'theirs', population: 9, households: 8, updated_at: NOW })
    expect(versionsOf('villages', id)).toEqual({ notes: v(4), population: v(6) })
    expect(conflicts()).toEqual([
      { table_name: 'villages', row_id: id, field: 'notes', mine: '"mine"', theirs: '"theirs"', mine_hlc: v(5, 'dev'), theirs_hlc: v(4), resolved_at: null },
    ])
    expect(receive.mock.calls).toEqual([[v(4)], [v(6)], [v(7)]])
  })

  it('a later pending change of the field keeps its value; one built on a value HQ held as "same" is rebased onto HQ\'s version', () => {
    const id = uuidv7()
    pull([village(id)])
    const first = queue('villages', id, { notes: 'x', households: 3 }, { notes: v(1), households: v(1) }, v(5, 'dev'))
    const later = queue('villages', id, { notes: 'y', households: 4 }, { notes: v(5, 'dev'), households: v(1) }, v(6, 'dev'))
    db().prepare("UPDATE villages SET notes = 'y', households = 4 WHERE id = ?").run(id)
    push(
      [first],
      [
        answer(first, 'applied', {
          notes: { value: 'x', version: v(4), outcome: 'same' },
          households: { value: 2, version: v(4), outcome: 'same' },
        }),
      ],
    )
    expect(row('villages', id)).toMatchObject({ notes: 'y', households: 4 })
    expect(JSON.parse(outboxRow(later.device_seq).base)).toEqual({ notes: v(4), households: v(1) })
    expect(versionsOf('villages', id)).toEqual({})
  })

  it('a superseded answer with a later pending change is not rebased', () => {
    const id = uuidv7()
    pull([village(id)])
    const first = queue('villages', id, { notes: 'x' }, { notes: v(1) }, v(5, 'dev'))
    const later = queue('villages', id, { notes: 'y' }, { notes: v(5, 'dev') }, v(6, 'dev'))
    push([first], [answer(first, 'superseded', { notes: { value: 'z', version: v(7), outcome: 'superseded' } })])
    expect(JSON.parse(outboxRow(later.device_seq).base)).toEqual({ notes: v(5, 'dev') })
  })

  it('a row HQ refused and does not hold goes, children first, unless changes of it wait or HQ accepted one', () => {
    const grid = uuidv7()
    pull([{ table_name: 'org_units', row_id: grid, fields: { code: '451022-G99', name: '新网格', level: 'grid' }, version: v(1), versions: {} }])
    const [lost, waiting, accepted, customer] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()]
    pull([village(lost, { grid_id: grid }, v(1), { notes: v(2) }), village(waiting), village(accepted)])
    pull([
      {
        table_name: 'key_customers',
        row_id: customer,
        fields: { name: '李四', category: 'commerce', funnel_stage: 'potential', village_id: lost },
        version: v(1),
        versions: {},
      },
    ])
    const sent = [
      queue('villages', lost, { name: 'x' }, { name: null }, v(3, 'dev')),
      queue('key_customers', customer, { name: 'y' }, { name: null }, v(4, 'dev')),
      queue('villages', waiting, { name: 'x' }, { name: null }, v(5, 'dev')),
      queue('villages', accepted, { name: 'x' }, { name: null }, v(6, 'dev')),
      queue('divisions', 'd1', { name: 'x' }, { name: null }, v(7, 'dev')),
    ]
    queue('villages', waiting, { notes: 'more' }, { notes: v(1) }, v(8, 'dev'))
    queue('villages', accepted, { notes: 'ok' }, { notes: v(1) }, v(9, 'dev'), { pushedAt: NOW, result: 'applied' })
    const refused = sent.map((c) => answer(c, 'rejected', undefined, { reason: 'unknown_region', absent: true }))
    push(sent, [...refused, answer(sent[0]!, 'rejected', undefined, { absent: false })])
    expect(row('villages', lost)).toBeUndefined()
    expect(row('key_customers', customer)).toBeUndefined()
    expect(versionsOf('villages', lost)).toEqual({})
    expect(row('villages', waiting)).toBeDefined()
    expect(row('villages', accepted)).toBeDefined()
    expect(outboxRow(sent[0]!.device_seq)).toMatchObject({ result: 'rejected', result_reason: 'unknown_region' })
  })

  it('a rejected change of a row HQ holds keeps the row, and only a refusal removes one', () => {
    const [held, taken] = [uuidv7(), uuidv7()]
    pull([village(held), village(taken)])
    const change = queue('villages', held, { name: 'x' }, { name: v(1) }, v(3, 'dev'))
    const applied = queue('villages', taken, { name: 'y' }, { name: v(1) }, v(4, 'dev'))
    push(
      [change, applied],
      [answer(change, 'rejected', undefined, { reason: 'outside_write_region' }), answer(applied, 'applied', undefined, { absent: true })],
    )
    expect(row('villages', held)).toBeDefined()
    expect(row('villages', taken)).toBeDefined()
  })

  it("adopts HQ's answer for a row deleted here meanwhile (a tombstone, not in the checkpoint)", () => {
    const id = uuidv7()
    pull([village(id)])
    const change = queue('villages', id, { notes: 'mine' }, { notes: v(1) }, v(5, 'dev'))
    db().prepare("UPDATE villages SET deleted_at = '2026-12-01T00:00:00.000Z' WHERE id = ?").run(id)
    storeChecksum(db(), localCheckpoint(db()))
    push([change], [answer(change, 'superseded', { notes: { value: 'theirs', version: v(6), outcome: 'superseded' } })])
    expect(row('villages', id)).toMatchObject({ notes: 'theirs', deleted_at: '2026-12-01T00:00:00.000Z' })
  })

  it('an edit HQ applied as sent keeps the version it was made with', () => {
    const id = uuidv7()
    pull([village(id)])
    const change = queue('villages', id, { notes: 'mine', households: 5 }, { notes: v(1), households: v(1) }, v(5, 'dev'))
    db()
      .prepare("INSERT INTO field_versions (table_name, row_id, field, hlc) VALUES ('villages', ?, 'notes', ?), ('villages', ?, 'households', ?)")
      .run(id, v(5, 'dev'), id, v(5, 'dev'))
    storeChecksum(db(), localCheckpoint(db()))
    push([change], [answer(change, 'applied')])
    expect(versionsOf('villages', id)).toEqual({ households: v(5, 'dev'), notes: v(5, 'dev') })
  })

  it('drops the version an older app gave a derived value HQ does not store, and only that one', () => {
    const [tiered, kept, answered, refused] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()]
    const customer = (id: string): PulledRow => ({
      table_name: 'key_customers',
      row_id: id,
      fields: { name: '王五', category: 'commerce', funnel_stage: 'potential', value_tier: 'C' },
      version: v(1),
      versions: {},
    })
    pull([customer(tiered), customer(kept), customer(answered), customer(refused)])
    const tier = (id: string, hlc: string, fields: WireChange['fields'] = { value_tier: 'A' }) => {
      db().prepare("INSERT INTO field_versions (table_name, row_id, field, hlc) VALUES ('key_customers', ?, 'value_tier', ?)").run(id, hlc)
      return queue('key_customers', id, fields, { value_tier: v(1) }, hlc)
    }
    const a = tier(tiered, v(5, 'dev'), { value_tier: 'A', notes: 'n' })
    const b = tier(kept, v(6, 'dev'))
    db().prepare("UPDATE field_versions SET hlc = ? WHERE row_id = ? AND field = 'value_tier'").run(v(7, 'dev'), kept) // a later local version
    const c = tier(answered, v(8, 'dev'))
    const d = tier(refused, v(9, 'dev'))
    storeChecksum(db(), localCheckpoint(db()))
    push(
      [a, b, c, d],
      [
        answer(a, 'applied'),
        answer(b, 'superseded'),
        answer(c, 'applied', { value_tier: { value: 'C', version: v(1), outcome: 'same' } }),
        answer(d, 'rejected', undefined, { reason: 'x' }),
      ],
    )
    expect(versionsOf('key_customers', tiered)).toEqual({})
    expect(versionsOf('key_customers', kept)).toEqual({ value_tier: v(7, 'dev') })
    expect(versionsOf('key_customers', answered)).toEqual({ value_tier: v(1) })
    expect(versionsOf('key_customers', refused)).toEqual({ value_tier: v(9, 'dev') })
  })
})
