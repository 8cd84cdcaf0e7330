// The folder of bad files (fixtures/bad/), table-driven by fixtures/expectations.ts: each file's
// row-level report is exactly the expected one, and a failed commit leaves the store byte for byte
// as it was. Each file goes through both ways an import runs: on the caller's thread (small
// files) and in the import worker thread (large files).
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportInput, ImportIssue } from '../../../shared/api/imports'
import { AppError } from '../../../shared/errors'
import { openTestCore, storeDigest } from '../testing'
import { expectations } from './fixtures/expectations'
import { runImportJob, type RunIn } from './jobs'

const BAD = join(import.meta.dirname, 'fixtures', 'bad')
const TABLES = ['villages', 'org_units', 'outbox', 'field_versions', 'sync_state', 'divisions']

it('every file in fixtures/bad has an expectation, and every expectation a file', () => {
  expect(readdirSync(BAD).sort()).toEqual(Object.keys(expectations).sort())
})

describe.each<RunIn>(['inline', 'worker'])('fixtures/bad, %s', (runIn) => {
  let core: ReturnType<typeof openTestCore>
  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', { keyCustomers: 10, visits: 10 })
  })
  afterAll(() => core?.dispose())

  const input = (file: string): ImportInput => ({
    kind: expectations[file]!.kind,
    source: { path: join(BAD, file) },
    encoding: 'auto',
    crs: 'WGS-84',
    mapping: {},
  })

  it.each(Object.keys(expectations).sort())('%s', async (file) => {
    const expected = expectations[file]!
    const preview = await runImportJob(core.ctx, input(file), 'preview', runIn)
    const where = (i: Pick<ImportIssue, 'row' | 'field' | 'code'>) => `${i.row ?? '-'}:${i.field ?? '-'}:${i.code}`
    if (expected.preview) expect(preview).toMatchObject(expected.preview)

    if (expected.outcome === 'rejected') {
      expect(preview.issues.map(where)).toEqual(expected.issues.map(where))
      expected.issues.forEach((e, n) => {
        expect(preview.issues[n]).toMatchObject({ file, ...e })
      })
      const before = storeDigest(core, TABLES)
      const failed = await runImportJob(core.ctx, input(file), 'commit', runIn).then(
        () => null,
        (error: unknown) => error,
      )
      expect(failed).toBeInstanceOf(AppError)
      expect(failed).toMatchObject({ code: 'VALIDATION' })
      expect(((failed as AppError).details!.importIssues as ImportIssue[]).map(where)).toEqual(expected.issues.map(where))
      expect(storeDigest(core, TABLES)).toEqual(before)
    } else {
      expect(preview.issues).toEqual([])
      const result = await runImportJob(core.ctx, input(file), 'commit', runIn)
      expect(result).toMatchObject(expected.result)
      // Imported once: the second run finds the same data and changes nothing.
      const before = storeDigest(core, TABLES)
      expect(await runImportJob(core.ctx, input(file), 'commit', runIn)).toMatchObject({ inserted: 0, updated: 0 })
      expect(storeDigest(core, TABLES)).toEqual(before)
    }
  })
})
