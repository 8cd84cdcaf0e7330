// The value rules at the handler boundary (shared/rules.ts): text without NUL or lone surrogates,
// dates that exist, sane nesting — refused as VALIDATION with a translated message, never
// INTERNAL, and nothing written.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportIssue } from '../../../shared/api/imports'
import { formatImportIssue } from '../../../shared/i18n/importIssues'
import { openTestCore, storeDigest } from '../testing'

let core: ReturnType<typeof openTestCore>
let villageId: string
let gridId: string
let workOrderId: string
let intelId: string
beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 40, visits: 200 })
  const q = (sql: string) => (core.ctx.db.$client.prepare(sql).get() as { id: string }).id
  villageId = q(`SELECT id FROM villages LIMIT 1`)
  gridId = q(`SELECT id FROM org_units WHERE level = 'grid' LIMIT 1`)
  intelId = q(`SELECT id FROM competitor_intel LIMIT 1`)
  workOrderId = (await core.call('workOrders.create', { title: '测速', orgUnitCode: '451022-G03', slaHours: 48 })).id
})
afterAll(() => core?.dispose())

const tables = ['villages', 'key_customers', 'org_units', 'work_orders', 'competitor_intel', 'actuals', 'outbox', 'field_versions']

async function refused(name: string, input: unknown, lang: 'zh-CN' | 'en' = 'en') {
  const before = storeDigest(core, tables)
  const result = await core.dispatch(name, input, lang)
  expect(result.ok, name).toBe(false)
  if (result.ok) throw new Error('accepted')
  expect(result.error.code).toBe('VALIDATION')
  expect(storeDigest(core, tables)).toEqual(before)
  return result.error
}

describe('text rules at the handler boundary', () => {
  it('refuses a lone surrogate or NUL in villages.update, with a message in the caller’s language', async () => {
    const e1 = await refused('villages.update', { id: villageId, patch: { notes: 'bad \ud800 text' } })
    expect(e1.issues).toEqual([{ path: ['patch', 'notes'], message: expect.stringContaining('lone UTF-16 surrogate') }])
    const e2 = await refused('villages.update', { id: villageId, patch: { mainEconomy: 'a\u0000b' } }, 'zh-CN')
    expect(e2.issues![0]!.message).toContain('空字符')
    // A well-formed pair (an emoji) is text like any other.
    const ok = await core.dispatch('villages.update', { id: villageId, patch: { notes: '好 😀' } })
    expect(ok.ok).toBe(true)
  })

  it('refuses them in workOrders.update', async () => {
    const e = await refused('workOrders.update', { id: workOrderId, patch: { title: 'x\udc00' } })
    expect(e.issues![0]!.path).toEqual(['patch', 'title'])
    await refused('workOrders.update', { id: workOrderId, patch: { title: 'x\u0000' } })
  })

  it('refuses NUL in a search and in an export path', async () => {
    await refused('villages.list', { search: 'a\u0000' })
    await refused('customers.search', { query: '\u0000' })
    await refused('reports.export', { region: '451022', period: '2026-10', format: 'csv', path: `/tmp/x\u0000.csv` })
  })

  it('refuses a 5,000-deep draft', async () => {
    let form: Record<string, unknown> = { leaf: 1 }
    for (let i = 0; i < 5000; i++) form = { a: form }
    const e = await refused('visits.saveDraft', { form })
    expect(e.issues![0]!.message).toContain('nested too deeply')
  })
})

describe('dates that exist', () => {
  const bad = ['2026-13-01', '2026-02-30', '2026-00-10', '2025-02-29']
  it.each(bad)('refuses %s everywhere a day is taken', async (day) => {
    await refused('dashboard.get', { region: '451022', period: '2026-10', asOf: day })
    await refused('analysis.group', { region: '451022', period: '2026-10', asOf: day, indicatorCode: 'new_mobile', by: 'center' })
    await refused('analysis.boston', { region: '451022', asOf: day })
    await refused('intel.update', { id: intelId, patch: { validTo: day } })
    await refused('visits.nextUp', { gridId, asOf: day })
    await refused('funnel.get', { from: '2026-01-01', to: day })
  })
  it('also with spaces around (schemas trim) and as a date-time', async () => {
    await refused('dashboard.get', { region: '451022', period: '2026-10', asOf: ' 2026-02-30 ' })
    await refused('workOrders.update', { id: workOrderId, patch: { dueAt: '2026-02-30T10:00:00Z' } })
  })
  it('accepts 29 February of a leap year', async () => {
    const r = await core.dispatch('dashboard.get', { region: '451022', period: '2028-02', asOf: '2028-02-29' })
    expect(r.ok).toBe(true)
  })
})

describe('imports and geometry', () => {
  const file = (name: string, content: string) => {
    const path = join(core.dataDir, name)
    writeFileSync(path, content)
    return path
  }
  const importIssues = (error: { details?: Record<string, unknown> }) => error.details!.importIssues as ImportIssue[]

  it.each([['NUL', '\u0000', 'nul_char', 'NUL']])('a village CSV with %s is refused with row and field, translated', async (_label, bad, code, words) => {
    const path = file('villages-bad.csv', `区划代码,名称,备注\n451022100201,好村,ok\n451022100202,坏村,备${bad}注\n`)
    const error = await refused('import.commit', { kind: 'villages', source: { path } })
    const issues = importIssues(error)
    expect(issues).toEqual([expect.objectContaining({ row: 2, field: 'notes', code })])
    expect(formatImportIssue(issues[0]!, 'en')).toContain(words)
    expect(formatImportIssue(issues[0]!, 'zh-CN')).toMatch(/villages-bad.csv .*2/)
  })

  it('a customer CSV with a NUL is refused with row and field', async () => {
    const path = file('customers-bad.csv', `姓名,类别,所属村\n韦\u0000一,商户,那坡村\n`)
    const result = await core.dispatch('import.commit', { kind: 'customers', source: { path } }, 'en')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('VALIDATION')
    expect(JSON.stringify(result.error)).toContain('nul_char')
  })

  it('an actuals CSV with a NUL is refused with row and column', async () => {
    const path = file('actuals-bad.csv', `org_unit_code,indicator_code,period,value\n451022-G03\u0000,new_mobile,2026-10,5\n`)
    const result = await core.dispatch('import.commit', { kind: 'actuals', source: { path } }, 'en')
    expect(JSON.stringify(result)).toContain('nul_char')
  })

  it('a 12,000-vertex boundary is refused with a translated message, nothing stored', async () => {
    const [lon, lat] = [107.1, 23.6]
    const ring = Array.from({ length: 12_000 }, (_, i) => [
      lon + Math.cos((2 * Math.PI * i) / 12_000) * 0.05,
      lat + Math.sin((2 * Math.PI * i) / 12_000) * 0.05,
    ])
    ring.push(ring[0]!)
    const error = await refused('grids.setBoundary', { gridId, geometry: { type: 'Polygon', coordinates: [ring] } })
    expect(error.issues![0]!.message).toContain('too many vertices')
    const zh = await core.dispatch('grids.setBoundary', { gridId, geometry: { type: 'Polygon', coordinates: [ring] } }, 'zh-CN')
    expect(JSON.stringify(zh)).toContain('顶点太多')
  })
})
