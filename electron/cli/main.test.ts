import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from './main'

describe('the command line', () => {
  let dataDir: string
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'griddesk-cli-'))))
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }))
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dataDir])

  it('loads the demo county and answers handler calls with JSON', async () => {
    const loaded = await cli('demo', 'load', '--customers', '40', '--visits', '100')
    expect(loaded.code).toBe(0)
    expect(JSON.parse(loaded.stdout)).toMatchObject({ grids: 12, villages: 173, keyCustomers: 40, visits: 100 })
    const listed = await cli('call', 'grids.list', '{"search":"作登"}')
    expect(listed.code).toBe(0)
    const rows = JSON.parse(listed.stdout) as { name: string }[]
    expect(rows.map((r) => r.name)).toEqual(['作登网格'])
  })

  it('exits 1 with the error envelope and a translated message on bad input', async () => {
    const result = await cli('call', 'grids.summary', '{"id":"not-a-uuid"}')
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: 'VALIDATION', issues: [{ path: ['id'] }] } })
    expect(result.stderr).toContain('输入有误')
    const english = await runCli(['call', 'grids.summary', '{"id":"not-a-uuid"}', '--data-dir', dataDir, '--lang', 'en'])
    expect(english.stderr).toContain('Please correct')
  })

  it('exits 1 on input that is not JSON, 2 on an unknown command', async () => {
    expect((await cli('call', 'app.info', '{oops')).code).toBe(1)
    expect((await cli('frobnicate')).code).toBe(2)
  })

  it('lists every handler with its input as JSON Schema', async () => {
    const result = await runCli(['handlers'])
    const list = JSON.parse(result.stdout) as { name: string; input: { type: string; properties: Record<string, unknown> } }[]
    expect(list.map((h) => h.name)).toContain('grids.summary')
    expect(list.find((h) => h.name === 'grids.summary')!.input.properties).toHaveProperty('id')
  })
})
