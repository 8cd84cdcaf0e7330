// insertSyncedMany writes exactly what insertSynced writes, row by row: the row, one outbox entry
// (gapless device_seq, same fields and base), the field versions, the persisted clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestCore } from '../../testing'
import { insertSynced, insertSyncedMany } from './changes'

describe('insertSyncedMany', () => {
  let core: ReturnType<typeof openTestCore>
  beforeEach(() => {
    core = openTestCore()
  })
  afterEach(() => core.dispose())
  const all = (sql: string) => core.ctx.db.$client.prepare(sql).all() as Record<string, unknown>[]
  const village = (code: string, extra: Record<string, unknown> = {}) => ({
    divisionCode: code,
    name: `村${code}`,
    kind: 'village',
    townshipCode: code.slice(0, 9),
    ...extra,
  })

  it('records the same as insertSynced, with device_seq continuing gaplessly', () => {
    core.ctx.db.transaction((tx) => {
      insertSynced(tx, core.ctx.change, 'villages', village('451022100001', { fibreCovered: true, households: 10 }))
      insertSyncedMany(tx, core.ctx.change, 'villages', [
        village('451022100002', { fibreCovered: true, households: 10 }),
        village('451022100003', { lon: undefined }),
      ])
      insertSynced(tx, core.ctx.change, 'villages', village('451022100004'))
    })
    const rows = all('SELECT division_code, fibre_covered, households, kind, created_at = updated_at AS same, hlc FROM villages ORDER BY division_code')
    expect(rows.map((r) => [r.division_code, r.fibre_covered, r.households, r.same])).toEqual([
      ['451022100001', 1, 10, 1],
      ['451022100002', 1, 10, 1],
      ['451022100003', null, null, 1],
      ['451022100004', null, null, 1],
    ])
    const outbox = all('SELECT device_seq, op, table_name, fields, base, hlc, row_id FROM outbox ORDER BY device_seq')
    expect(outbox.map((o) => o.device_seq)).toEqual([1, 2, 3, 4])
    const fieldsOf = (i: number) => JSON.parse(outbox[i]!.fields as string) as Record<string, unknown>
    const strip = (f: Record<string, unknown>) => ({ ...f, division_code: '-', name: '-', township_code: '-' })
    expect(strip(fieldsOf(1))).toEqual(strip(fieldsOf(0)))
    expect(JSON.parse(outbox[1]!.base as string)).toEqual(JSON.parse(outbox[0]!.base as string))
    expect(Object.keys(fieldsOf(2)).sort()).toEqual(Object.keys(fieldsOf(3)).sort())
    // Versions are sparse: a new row's fields all carry the row's hlc, the change's HLC, and
    // field_versions lists none of them.
    expect(all('SELECT count(*) AS n FROM field_versions')[0]!.n).toBe(0)
    const hlcOf = new Map(all('SELECT id, hlc FROM villages').map((r) => [r.id, r.hlc]))
    for (const o of outbox) expect(hlcOf.get(o.row_id)).toBe(o.hlc)
    expect(all("SELECT value FROM sync_state WHERE key = 'device_seq'")[0]!.value).toBe('4')
    expect(all("SELECT value FROM sync_state WHERE key = 'hlc'")[0]!.value).toBe(outbox[3]!.hlc)
  })
})
