// The visit rollups the map and the ranking read (migration 0011) are kept by triggers: after any
// mix of writes — new visits, check-ins moved, visits cancelled, deleted or removed, customers moved
// to another village — they equal a recount over every visit.
import { v7 as uuidv7 } from 'uuid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestCore } from '../testing'

const COUNTED = `s.status = 'done' AND s.deleted_at IS NULL AND s.checked_in_at IS NOT NULL`
const RECOUNT = `
  SELECT unit AS unit_id, day, count(*) AS n, max(at) AS last_at FROM (
    SELECT coalesce(s.village_id, k.village_id) AS unit, substr(s.checked_in_at, 1, 10) AS day, s.checked_in_at AS at
    FROM visits s LEFT JOIN key_customers k ON k.id = s.customer_id WHERE ${COUNTED}
    UNION ALL SELECT s.grid_id, substr(s.checked_in_at, 1, 10), s.checked_in_at FROM visits s WHERE ${COUNTED}
  ) WHERE unit IS NOT NULL GROUP BY unit, day ORDER BY unit_id, day`
const LAST = `SELECT s.customer_id, max(s.checked_in_at) AS last_at FROM visits s WHERE ${COUNTED} AND s.customer_id IS NOT NULL GROUP BY s.customer_id ORDER BY 1`

describe('visit rollups', () => {
  let core: ReturnType<typeof openTestCore>
  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', { keyCustomers: 60, visits: 400 })
  })
  afterAll(() => core?.dispose())
  const sqlite = () => core.ctx.db.$client
  const same = () => {
    expect(sqlite().prepare('SELECT unit_id, day, n, last_at FROM visit_rollup ORDER BY unit_id, day').all()).toEqual(sqlite().prepare(RECOUNT).all())
    expect(sqlite().prepare('SELECT customer_id, last_at FROM customer_last_visit ORDER BY 1').all()).toEqual(sqlite().prepare(LAST).all())
  }

  it('are filled for a loaded county', () => {
    expect((sqlite().prepare('SELECT count(*) AS n FROM visit_rollup').get() as { n: number }).n).toBeGreaterThan(0)
    same()
  })

  it('stay equal to a recount through a random mix of writes', () => {
    const db = sqlite()
    let seed = 20261202
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    const customers = db.prepare('SELECT id, grid_id AS gridId FROM key_customers').all() as { id: string; gridId: string }[]
    const villages = (db.prepare('SELECT id FROM villages').all() as { id: string }[]).map((v) => v.id)
    const visitIds = () => (db.prepare('SELECT id FROM visits').all() as { id: string }[]).map((v) => v.id)
    const at = () => new Date(Date.UTC(2026, 9, 1 + rand(40), rand(24), rand(60))).toISOString()
    const now = new Date().toISOString()
    for (let step = 0; step < 300; step++) {
      const ids = visitIds()
      const visit = ids[rand(ids.length)]!
      const c = customers[rand(customers.length)]!
      switch (rand(8)) {
        case 0: // a new visit, to a customer or to a village
          db.prepare(
            `INSERT INTO visits (id, created_at, updated_at, hlc, status, target_kind, village_id, customer_id, grid_id, checked_in_at) VALUES (?, ?, ?, 'x', ?, ?, ?, ?, ?, ?)`,
          ).run(
            uuidv7(),
            now,
            now,
            rand(4) ? 'done' : 'planned',
            rand(2) ? 'customer' : 'village',
            rand(2) ? null : villages[rand(villages.length)],
            rand(3) ? c.id : null,
            c.gridId,
            rand(10) ? at() : null,
          )
          break
        case 1: // the check-in moved, maybe the same day
          db.prepare('UPDATE visits SET checked_in_at = ? WHERE id = ?').run(at(), visit)
          break
        case 2:
          db.prepare('UPDATE visits SET status = ? WHERE id = ?').run(['done', 'cancelled', 'draft'][rand(3)], visit)
          break
        case 3:
          db.prepare('UPDATE visits SET deleted_at = ? WHERE id = ?').run(rand(2) ? now : null, visit)
          break
        case 4: // removed outright (a refetch's sweep), with its children
          for (const t of ['visit_participants', 'visit_objections', 'visit_products']) db.prepare(`DELETE FROM ${t} WHERE visit_id = ?`).run(visit)
          db.prepare('UPDATE work_orders SET visit_id = NULL WHERE visit_id = ?').run(visit)
          db.prepare('DELETE FROM visits WHERE id = ?').run(visit)
          break
        case 5: // the customer moved to another village (or to none)
          db.prepare('UPDATE key_customers SET village_id = ? WHERE id = ?').run(rand(5) ? villages[rand(villages.length)] : null, c.id)
          break
        case 6: // the visit now counts for someone or somewhere else
          db.prepare('UPDATE visits SET customer_id = ?, village_id = ?, grid_id = ? WHERE id = ?').run(
            rand(2) ? c.id : null,
            rand(2) ? villages[rand(villages.length)] : null,
            rand(4) ? c.gridId : null,
            visit,
          )
          break
        default: // an edit the rollups do not read
          db.prepare('UPDATE visits SET outcome = ?, status = status WHERE id = ?').run(`step ${step}`, visit)
      }
    }
    same()
  })

  it('count visits whose customer arrives after them, and name a village in search when it arrives after its customers', () => {
    // A pull writes rows in HQ's order (foreign keys off): a customer edited after its visits comes after them.
    const db = sqlite()
    db.pragma('foreign_keys = OFF')
    const copy = (table: string, from: string, set: Record<string, string>) => {
      db.exec(`DROP TABLE IF EXISTS temp.late; CREATE TEMP TABLE late AS SELECT * FROM "${table}" WHERE id = '${from}'`)
      for (const [column, value] of Object.entries(set)) db.prepare(`UPDATE temp.late SET "${column}" = ?`).run(value)
      db.exec(`INSERT INTO "${table}" SELECT * FROM temp.late; DROP TABLE temp.late`)
    }
    const model = db.prepare('SELECT id, grid_id AS gridId FROM key_customers WHERE village_id IS NOT NULL LIMIT 1').get() as { id: string; gridId: string }
    const village = (db.prepare('SELECT id FROM villages LIMIT 1').get() as { id: string }).id
    const late = uuidv7()
    const now = new Date().toISOString()
    for (const day of [3, 3, 9])
      db.prepare(
        `INSERT INTO visits (id, created_at, updated_at, hlc, status, target_kind, customer_id, grid_id, checked_in_at) VALUES (?, ?, ?, 'x', 'done', 'customer', ?, ?, ?)`,
      ).run(uuidv7(), now, now, late, model.gridId, new Date(Date.UTC(2026, 10, day, 8)).toISOString())
    copy('key_customers', model.id, { id: late, village_id: village })
    same()
    // A village that arrives after its customers: their search keys get its name.
    const lateVillage = uuidv7()
    const customer = uuidv7()
    copy('key_customers', model.id, { id: customer, village_id: lateVillage })
    expect(db.prepare('SELECT village FROM customer_search WHERE customer_id = ?').get(customer)).toEqual({ village: '' })
    copy('villages', village, { id: lateVillage, name: '晚到村', division_code: '451022999999' })
    expect(db.prepare('SELECT village FROM customer_search WHERE customer_id = ?').get(customer)).toEqual({ village: '晚到村' })
    db.pragma('foreign_keys = ON')
  })
})
