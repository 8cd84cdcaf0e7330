// Convergence property (docs/sync.md): three devices make random creates, edits
// and deletes of villages while offline, sync in random order with duplicated pushes and dropped
// responses; after everyone syncs twice, every device holds exactly the server's rows.
import fc from 'fast-check'
import { v7 as uuidv7 } from 'uuid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deleteSynced, insertSynced, updateSynced } from '../electron/core/db/repos/changes'
import { enrol, runSync } from '../electron/core/sync/engine'
import type { FetchLike } from '../electron/core/sync/hqClient'
import { openTestCore } from '../electron/core/testing'
import { backends, startTestHq, type TestHq } from './testing'

const REGION = '451022-G03'
const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 60)
type Device = ReturnType<typeof openTestCore>

const field = fc.constantFrom('households', 'notes', 'marketDays', 'fibreCovered')
const valueFor: Record<string, fc.Arbitrary<unknown>> = {
  households: fc.constantFrom(100, 200, 300, null),
  notes: fc.constantFrom('甲', '乙', '丙'),
  marketDays: fc.constantFrom('逢三', '逢五'),
  fibreCovered: fc.boolean(),
}
const action = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('edit' as const), device: fc.nat(2), row: fc.nat(7), field, pick: fc.nat(3), bool: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('create' as const), device: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), device: fc.nat(2), row: fc.nat(7) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), device: fc.nat(2), duplicate: fc.boolean(), drop: fc.nat(3) }) },
)

function valueOf(fieldName: string, pick: number, bool: boolean): unknown {
  if (fieldName === 'households') return [100, 200, 300, null][pick]
  if (fieldName === 'notes') return ['甲', '乙', '丙', '丁'][pick]
  if (fieldName === 'marketDays') return ['逢三', '逢五', '逢七', null][pick]
  return bool
}
void valueFor

const COLUMNS = ['name', 'division_code', 'grid_id', 'households', 'notes', 'market_days', 'fibre_covered', 'deleted_at'] as const

function deviceRows(d: Device, gridId: string) {
  const list = d.ctx.db.$client.prepare(`SELECT id, ${COLUMNS.join(', ')} FROM villages WHERE grid_id = ? ORDER BY id`).all(gridId) as Record<string, unknown>[]
  return list.map((r) => ({ ...r, fibre_covered: r.fibre_covered == null ? null : r.fibre_covered === 1 }))
}

async function serverRows(hq: TestHq) {
  const result = (await hq.store.db.execute(`SELECT row_id, fields FROM rows WHERE table_name = 'villages' AND region = '${REGION}' ORDER BY row_id`)) as unknown as {
    rows: { row_id: string; fields: Record<string, unknown> }[]
  }
  return result.rows
    .map((r) => ({ id: r.row_id, ...Object.fromEntries(COLUMNS.map((c) => [c, r.fields[c] ?? null])) }))
    .sort((x, y) => (x.id < y.id ? -1 : 1))
}

describe.each(backends)('convergence (%s)', (backend) => {
  let hq: TestHq
  beforeAll(async () => {
    hq = await startTestHq(undefined, { backend })
  })
  afterAll(() => hq?.close())

  it(`every device equals the server after random edits, partitions, duplicates and drops (${RUNS} runs)`, async () => {
    let run = 0
    const stats = { actions: 0, syncs: 0, dropped: 0, duplicated: 0, conflicts: 0 }
    // A checkpoint mismatch repairs itself by a refetch, which would hide a merge bug: demand none.
    const noRefetch = (r: Awaited<ReturnType<typeof runSync>>) => expect({ refetched: r.refetched, warnings: r.warnings }).toEqual({ refetched: false, warnings: [] })
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 40 }), async (actions) => {
        run++
        const devices = [openTestCore(), openTestCore(), openTestCore()]
        try {
          const names = ['a', 'b', 'c'].map((n) => `${n}${run}`)
          for (const [i, d] of devices.entries()) await enrol(d.ctx, hq.url, await hq.userWithCode(names[i]!, 'grid_manager', [REGION]), names[i])
          for (const d of devices) await runSync(d.ctx)
          const gridId = (devices[0]!.ctx.db.$client.prepare("SELECT id FROM org_units WHERE code = ?").get(REGION) as { id: string }).id
          for (const act of actions) {
            stats.actions++
            const d = devices[act.device]!
            const cx = d.ctx.change
            const live = d.ctx.db.$client.prepare('SELECT id FROM villages WHERE grid_id = ? AND deleted_at IS NULL ORDER BY id').all(gridId) as { id: string }[]
            if (act.kind === 'create') {
              const code = `4510229${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}-${uuidv7()}`
              d.ctx.db.transaction((tx) => insertSynced(tx, cx, 'villages', { divisionCode: code, name: `新村${run}`, kind: 'village', gridId }))
            } else if (act.kind === 'edit' && live.length > 0) {
              const id = live[act.row % live.length]!.id
              d.ctx.db.transaction((tx) => updateSynced(tx, cx, 'villages', id, { [act.field]: valueOf(act.field, act.pick, act.bool) }))
            } else if (act.kind === 'delete' && live.length > 1) {
              const id = live[act.row % live.length]!.id
              d.ctx.db.transaction((tx) => deleteSynced(tx, cx, 'villages', id))
            } else if (act.kind === 'sync') {
              stats.syncs++
              let requests = 0
              const flaky: FetchLike = async (url, init) => {
                requests++
                if (act.duplicate && init.method === 'POST') {
                  stats.duplicated++
                  await (await fetch(url, init)).arrayBuffer()
                }
                const res = await fetch(url, init)
                // Drop the response of the act.drop-th request (0: none) after the server acted on it.
                if (act.drop > 0 && requests === act.drop) {
                  stats.dropped++
                  await res.arrayBuffer()
                  throw new Error('connection reset')
                }
                return res
              }
              const report = await runSync(d.ctx, { fetch: flaky, pushBatch: 3, pullLimit: 5 }).catch((error: Error) => {
                if (!/connection reset/.test(error.message)) throw error
              })
              if (report) noRefetch(report)
            }
          }
          for (let round = 0; round < 2; round++) for (const d of devices) noRefetch(await runSync(d.ctx))
          const expected = await serverRows(hq)
          for (const d of devices) {
            expect(deviceRows(d, gridId)).toEqual(expected)
            expect(d.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox WHERE pushed_at IS NULL').get()).toEqual({ n: 0 })
            const report = await runSync(d.ctx)
            expect(report.checkpoint).toBe('ok')
            stats.conflicts += (d.ctx.db.$client.prepare('SELECT count(*) AS n FROM sync_conflicts').get() as { n: number }).n
          }
        } finally {
          for (const d of devices) d.dispose()
        }
      }),
      { numRuns: RUNS },
    )
    console.log(`convergence: ${RUNS} runs`, stats)
  }, 600_000)
})
