// Customer import by path with a hand-made column mapping (the import dialog's mapping override),
// and the mapping rules every tabular import shares.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImportIssue } from '../../../shared/api/imports'
import { openTestCore, storeDigest } from '../testing'
import { runImportJob } from './jobs'
import { mapColumns } from './read'

const fields = { name: { aliases: ['name', '姓名'] }, phone: { aliases: ['phone', '手机号', '电话'] }, notes: { aliases: ['notes', '备注'] } }

describe('column mapping', () => {
  it('maps by header, lets a hand-made mapping win, and leaves a field out for an empty column', () => {
    expect(mapColumns(['姓名', '电话', '备注'], fields, {})).toEqual({ name: '姓名', phone: '电话', notes: '备注' })
    expect(mapColumns(['姓名', '电话', '备注'], fields, { notes: '' })).toEqual({ name: '姓名', phone: '电话' })
    expect(mapColumns(['姓名', '联系方式', '备注'], fields, { phone: '联系方式' })).toEqual({ name: '姓名', phone: '联系方式', notes: '备注' })
  })

  it('does not give a column chosen by hand to another field as well', () => {
    // 备注 holds the phones here: notes must not read it too (a later field) ...
    expect(mapColumns(['姓名', '备注'], fields, { phone: '备注' })).toEqual({ name: '姓名', phone: '备注' })
    // ... nor an earlier field: 姓名 chosen for notes leaves name unmapped.
    expect(mapColumns(['姓名', '电话'], fields, { notes: '姓名' })).toEqual({ phone: '电话', notes: '姓名' })
    // A hand-made entry for a field the import does not have takes nothing.
    expect(mapColumns(['姓名'], fields, { other: '姓名' })).toEqual({ name: '姓名' })
  })
})

describe('customer import by path with a hand-made mapping', () => {
  let core: ReturnType<typeof openTestCore>
  let dir: string
  let villageName: string
  beforeEach(async () => {
    core = openTestCore()
    await core.call('demo.load', { keyCustomers: 10, visits: 10 })
    dir = mkdtempSync(join(tmpdir(), 'griddesk-customer-import-'))
    // A village name that names one village only.
    villageName = (core.ctx.db.$client.prepare('SELECT name FROM villages GROUP BY name HAVING count(*) = 1 ORDER BY name LIMIT 1').get() as { name: string })
      .name
  })
  afterEach(() => {
    core.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const write = (name: string, lines: string[]) => {
    const path = join(dir, name)
    writeFileSync(path, lines.join('\r\n'))
    return path
  }
  const counts = () => core.ctx.db.$client.prepare('SELECT (SELECT count(*) FROM key_customers) c, (SELECT count(*) FROM outbox) o').get()

  it('lists the target fields and the unmapped column, then imports with the column mapped by hand', async () => {
    const path = write('客户.csv', [
      '客户姓名,类型,联系方式,所属村,说明',
      `韦一,商业,13600000101,${villageName},老客户`,
      `韦二,教育,13600000102,${villageName},`,
    ])
    const auto = await core.call('import.preview', { kind: 'customers', source: { path } })
    expect(auto.issues).toEqual([])
    expect(auto.headers).toEqual(['客户姓名', '类型', '联系方式', '所属村', '说明'])
    expect(auto.mapping).not.toHaveProperty('phone')
    expect(auto.fields).toEqual(
      expect.arrayContaining([
        { name: 'name', required: true },
        { name: 'category', required: true },
        { name: 'phone', required: false },
      ]),
    )
    expect(auto.fields!.map((f) => f.name)).toContain('notes')

    const mapping = { phone: '联系方式', notes: '说明' }
    const preview = await core.call('import.preview', { kind: 'customers', source: { path }, mapping })
    expect(preview.mapping).toMatchObject({ name: '客户姓名', category: '类型', phone: '联系方式', notes: '说明', villageName: '所属村' })
    expect(preview.sample[0]).toMatchObject({ name: '韦一', phone: '13600000101', notes: '老客户' })
    const result = await core.call('import.commit', { kind: 'customers', source: { path }, mapping })
    expect(result).toMatchObject({ file: '客户.csv', inserted: 2, updated: 0 })
    const stored = core.ctx.db.$client.prepare("SELECT name, phone, notes FROM key_customers WHERE name IN ('韦一', '韦二') ORDER BY name").all()
    expect(stored).toEqual([
      { name: '韦一', phone: '13600000101', notes: '老客户' },
      { name: '韦二', phone: '13600000102', notes: null },
    ])
  })

  it('reports a required field left out or a column that is not there, and stores nothing', async () => {
    const path = write('客户.csv', ['姓名,类别,手机号', '韦三,商业,13600000103'])
    const before = counts()
    const noName = await core.call('import.preview', { kind: 'customers', source: { path }, mapping: { name: '' } })
    expect(noName.issues.map((i) => `${i.field}:${i.code}`)).toEqual(['name:missing_column'])
    const nowhere = await core.call('import.preview', { kind: 'customers', source: { path }, mapping: { phone: '电话号码' } })
    expect(nowhere.issues.map((i) => `${i.field}:${i.code}:${i.params.column}`)).toEqual(['phone:missing_column:电话号码'])
    await expect(core.call('import.commit', { kind: 'customers', source: { path }, mapping: { name: '' } })).rejects.toMatchObject({ code: 'VALIDATION' })
    await expect(core.call('import.commit', { kind: 'customers', source: { path: join(dir, 'gone.csv') } })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(counts()).toEqual(before)
  })

  it('runs as an import job in the worker like the other imports: one issue shape, all or nothing, or the valid rows with --skip-invalid', async () => {
    const path = write('客户.csv', [
      '姓名,类别,手机号,所属村',
      `韦四,商业,13600000104,${villageName}`,
      `韦五,零售,13600000105,${villageName}`,
      `韦六,商业,1360000,${villageName}`,
    ])
    const before = storeDigest(core, ['key_customers', 'funnel_moves', 'outbox'])
    const failed = await runImportJob(
      core.ctx,
      { kind: 'customers', source: { path }, encoding: 'auto', crs: 'WGS-84', mapping: {} },
      'commit',
      'worker',
    ).catch((e: unknown) => e)
    expect(failed).toMatchObject({ code: 'VALIDATION' })
    expect((failed as { details: { importIssues: ImportIssue[] } }).details.importIssues).toEqual([
      { file: '客户.csv', row: 2, field: 'category', code: 'unknown_value', params: expect.objectContaining({ value: '零售' }) },
      { file: '客户.csv', row: 3, field: 'phone', code: 'phone_format', params: { value: '1360000' } },
    ])
    expect(storeDigest(core, ['key_customers', 'funnel_moves', 'outbox'])).toEqual(before)
    const skipped = await runImportJob(
      core.ctx,
      { kind: 'customers', source: { path }, encoding: 'auto', crs: 'WGS-84', mapping: {}, onInvalid: 'skip' },
      'commit',
      'worker',
    )
    expect(skipped).toMatchObject({ inserted: 1, updated: 0, skipped: 2 })
    expect(skipped.skippedIssues!.map((i) => `${i.row}:${i.field}:${i.code}`)).toEqual(['2:category:unknown_value', '3:phone:phone_format'])
    expect(
      core.ctx.db.$client
        .prepare("SELECT k.name, m.to_stage FROM key_customers k JOIN funnel_moves m ON m.customer_id = k.id WHERE k.name IN ('韦四', '韦五', '韦六')")
        .all(),
    ).toEqual([{ name: '韦四', to_stage: 'potential' }])
  })
})
