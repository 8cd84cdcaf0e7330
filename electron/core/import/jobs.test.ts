// Import jobs on large files (generated here, in a temp dir): 100,000 rows are read, checked and
// written by the worker thread through import.start / import.progress; reads on the main
// connection meanwhile see all of them or none; writes meanwhile fail with BUSY and change
// nothing; a cancelled import changes nothing; a file with a few bad rows among 100,000 lists
// exactly those rows and writes nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportIssue, ImportJobProgress } from '../../../shared/api/imports'
import { openTestCore, storeDigest } from '../testing'

const ROWS = 100_000
const TABLES = ['villages', 'outbox', 'field_versions', 'sync_state']
const over = (p: ImportJobProgress) => ['done', 'failed', 'cancelled'].includes(p.phase)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** 100,000 villages of an imaginary province: 12-digit codes, names, a few profile fields. */
function villagesCsv(rows: number, bad: Map<number, string> = new Map()): string {
  const lines = ['区划代码,名称,户数,人口,经度,纬度,光纤覆盖']
  for (let i = 1; i <= rows; i++) {
    const code = String(130_000_000_000 + i * 7)
    lines.push(
      bad.get(i) ??
        `${code},第${i}村委会,${200 + (i % 700)},${800 + (i % 2000)},${(105 + (i % 900) / 100).toFixed(4)},${(23 + (i % 600) / 100).toFixed(4)},${i % 3 ? '是' : '否'}`,
    )
  }
  return lines.join('\r\n') + '\r\n'
}

describe('import jobs on large files', () => {
  let core: ReturnType<typeof openTestCore>
  let dir: string
  beforeAll(async () => {
    // A store without reference divisions (every well-formed code is accepted) and two villages.
    core = openTestCore()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-import-jobs-'))
    writeFileSync(join(dir, 'province.csv'), villagesCsv(ROWS))
    writeFileSync(join(dir, 'two.csv'), '区划代码,名称\n139000000001,甲村\n139000000002,乙村\n')
    await core.call('import.commit', { kind: 'villages', source: { path: join(dir, 'two.csv') } })
  })
  const aVillage = async () => (await core.call('villages.list', { search: '139000000001' })).rows[0]!.id
  afterAll(() => {
    core?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const villages = () => (core.ctx.db.$client.prepare('SELECT count(*) AS n FROM villages').get() as { n: number }).n
  const start = (file: string) => core.call('import.start', { kind: 'villages', source: { path: join(dir, file) } })
  const untilPhase = async (jobId: string, phases: string[]) => {
    for (;;) {
      const p = await core.call('import.progress', { jobId })
      if (phases.includes(p.phase) || over(p)) return p
      await sleep(20)
    }
  }

  it('cancels a commit while it writes: nothing is stored, and writes work again afterwards', async () => {
    const before = storeDigest(core, TABLES)
    const { jobId } = await start('province.csv')
    const writing = await untilPhase(jobId, ['writing'])
    expect(writing).toMatchObject({ phase: 'writing', background: true, unit: 'rows', total: ROWS })
    const cancelled = await core.call('import.cancel', { jobId })
    expect(cancelled.phase).toBe('cancelled')
    expect(storeDigest(core, TABLES)).toEqual(before)
    // No lock is left behind, and the main connection waits for locks again: it writes.
    expect(await core.call('villages.update', { id: await aVillage(), patch: { households: 12 } })).toMatchObject({ households: 12 })
  })

  it('imports 100,000 rows in the background: progress by phase, reads see none or all, writes get BUSY', async () => {
    const villagesBefore = villages()
    const outboxBefore = (core.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n
    const { jobId } = await start('province.csv')
    const seen: ImportJobProgress[] = []
    let busyTried = false
    let progress: ImportJobProgress
    for (;;) {
      progress = await core.call('import.progress', { jobId })
      seen.push(progress)
      if (over(progress)) break
      // Reads answer meanwhile, and see the store as it was or as it is after the commit: never half.
      expect([villagesBefore, villagesBefore + ROWS]).toContain((await core.call('villages.list', { limit: 1 })).total)
      if (progress.phase === 'writing' && progress.done < ROWS / 2 && !busyTried) {
        busyTried = true
        const id = await aVillage()
        const digest = storeDigest(core, ['villages'])
        const edit = await core.dispatch('villages.update', { id, patch: { households: 4321 } })
        expect(edit).toMatchObject({ ok: false, error: { code: 'BUSY' } })
        expect(storeDigest(core, ['villages'])).toEqual(digest)
      }
      await sleep(30)
    }
    expect(progress.error).toBeUndefined()
    expect(progress).toMatchObject({ phase: 'done', background: true, result: { file: 'province.csv', inserted: ROWS, updated: 0 } })
    expect(busyTried).toBe(true)
    // Phases come in order; the counts only grow within a phase.
    const order = ['queued', 'reading', 'parsing', 'validating', 'writing', 'done']
    const phases = seen.map((p) => order.indexOf(p.phase))
    expect(phases).toEqual([...phases].sort((a, b) => a - b))
    expect(seen.some((p) => p.phase === 'writing' && p.done > 0 && p.done < ROWS)).toBe(true)
    expect(villages()).toBe(villagesBefore + ROWS)
    // One outbox entry per row, and device_seq stays gapless across main's writes and the worker's.
    const outbox = core.ctx.db.$client
      .prepare('SELECT count(*) AS n, count(DISTINCT device_seq) AS seqs, max(device_seq) - min(device_seq) + 1 AS span FROM outbox')
      .get()
    expect(outbox).toEqual({ n: outboxBefore + ROWS, seqs: outboxBefore + ROWS, span: outboxBefore + ROWS })
    // The main clock moved past the worker's last HLC: the next edit's change sorts after the import's.
    const lastImported = (core.ctx.db.$client.prepare('SELECT max(hlc) AS hlc FROM outbox').get() as { hlc: string }).hlc
    await core.call('villages.update', { id: await aVillage(), patch: { households: 4321 } })
    const edited = (core.ctx.db.$client.prepare('SELECT hlc FROM outbox ORDER BY device_seq DESC LIMIT 1').get() as { hlc: string }).hlc
    expect(edited > lastImported, `${edited} after ${lastImported}`).toBe(true)
  }, 240_000) // 100,000 rows through the worker: minutes on a busy 2-core machine

  it('lists exactly the bad rows among 100,000 and writes nothing', async () => {
    const bad = new Map([
      [17, '130000000119,坏户数村,很多,100,106.1,23.5,是'],
      [50_000, '1300000,短代码村,10,100,106.1,23.5,是'],
      [99_999, '130000699993,,10,100,106.1,23.5,是'],
    ])
    writeFileSync(join(dir, 'province-bad.csv'), villagesCsv(ROWS, bad))
    const before = storeDigest(core, TABLES)
    const failed = await core.dispatch('import.commit', { kind: 'villages', source: { path: join(dir, 'province-bad.csv') } })
    if (failed.ok) throw new Error('expected the import to fail')
    const issues = failed.error.details!.importIssues as ImportIssue[]
    expect(issues.map((i) => `${i.row}:${i.field}:${i.code}`)).toEqual(['17:households:not_a_number', '50000:divisionCode:code_format', '99999:name:required'])
    expect(storeDigest(core, TABLES)).toEqual(before)
  })
})
