import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { api, handlerNames } from '../../shared/api/contract'
import { AppError } from '../../shared/errors'
import { browserPolicy, checkPaths, declaredPaths, grantPolicy, type PathPolicy } from './pathPolicy'
import { openTestCore } from './testing'

/** A field name that names a file or folder: path, exportPath, folder, file, dir, dataDir… (not fileName). */
const PATH_LIKE = /(^|[a-z])(path|folder|file|dir|directory)s?$/i

/** Every property of a JSON schema, as dot paths (unions and arrays walked into). */
function fields(schema: unknown, prefix = ''): string[] {
  if (!schema || typeof schema !== 'object') return []
  const s = schema as Record<string, unknown>
  const out: string[] = []
  for (const [key, sub] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) out.push(`${prefix}${key}`, ...fields(sub, `${prefix}${key}.`))
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) for (const sub of (s[k] ?? []) as unknown[]) out.push(...fields(sub, prefix))
  if (s.items) out.push(...fields(s.items, prefix))
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.push(...fields(s.additionalProperties, prefix))
  return out
}

describe('path fields in the contract', () => {
  it('every input field named like a path is declared as read, written or a bare name', () => {
    const undeclared: string[] = []
    const unknownDeclared: string[] = []
    for (const name of handlerNames) {
      const all = new Set(fields(z.toJSONSchema(api[name].input, { io: 'input', unrepresentable: 'any' })))
      const declared = declaredPaths(name)
      const listed = [...(declared.read ?? []), ...(declared.write ?? []), ...(declared.names ?? [])]
      for (const field of all) if (PATH_LIKE.test(field.split('.').at(-1)!) && !listed.includes(field)) undeclared.push(`${name}: ${field}`)
      for (const field of listed) if (!all.has(field)) unknownDeclared.push(`${name}: ${field}`)
    }
    expect(undeclared).toEqual([])
    expect(unknownDeclared).toEqual([])
  })

  it('declares the file-reading and file-writing handlers', () => {
    for (const name of ['import.preview', 'import.commit', 'import.start', 'basemaps.add'] as const) expect(declaredPaths(name).read).toEqual(['source.path'])
    expect(declaredPaths('reports.export').write).toEqual(['path'])
    expect(declaredPaths('reports.definitions.save').write).toEqual(['folder'])
    expect(declaredPaths('demo.clear').write).toEqual(['exportPath'])
  })
})

describe('the path rule', () => {
  const root = mkdtempSync(join(tmpdir(), 'griddesk-paths-'))
  const dataDir = join(root, 'data')
  const uploads = join(dataDir, 'uploads')
  const exportsDir = join(dataDir, 'exports')
  const outside = join(root, 'outside')
  mkdirSync(join(uploads, 'u1'), { recursive: true })
  mkdirSync(exportsDir, { recursive: true })
  mkdirSync(outside)
  const uploaded = join(uploads, 'u1', 'villages.csv')
  writeFileSync(uploaded, 'a,b\n')
  writeFileSync(join(outside, 'secret.txt'), 'secret')
  writeFileSync(join(dataDir, 'griddesk.sqlite'), '')
  symlinkSync(join(outside, 'secret.txt'), join(uploads, 'u1', 'link.csv'))
  symlinkSync(outside, join(exportsDir, 'escape'))
  symlinkSync(join(outside, 'nothing-yet.xlsx'), join(exportsDir, 'dangling.xlsx'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('browser mode reads only uploaded files and writes only inside the exports folder', () => {
    const policy = browserPolicy(dataDir, uploads)
    expect(policy.allows('read', uploaded)).toBe(true)
    expect(policy.allows('read', '/etc/passwd')).toBe(false)
    expect(policy.allows('read', join(uploads, 'u1', '..', '..', 'griddesk.sqlite'))).toBe(false) // .. out of uploads
    expect(policy.allows('read', join(uploads, 'u1', 'link.csv'))).toBe(false) // symlink out of uploads
    expect(policy.allows('read', uploads)).toBe(false)
    expect(policy.allows('read', join(exportsDir, 'r.xlsx'))).toBe(false)

    expect(policy.allows('write', join(exportsDir, 'r.xlsx'))).toBe(true)
    expect(policy.allows('write', join(exportsDir, 'weekly', 'new', 'r.pdf'))).toBe(true) // a saved report's folder, made later
    expect(policy.allows('write', exportsDir)).toBe(true)
    expect(policy.allows('write', join(exportsDir, '..', 'griddesk.sqlite'))).toBe(false)
    expect(policy.allows('write', `${exportsDir}-evil/r.xlsx`)).toBe(false) // a sibling whose name starts alike
    expect(policy.allows('write', join(exportsDir, 'escape', 'r.xlsx'))).toBe(false) // symlinked folder out
    expect(policy.allows('write', join(exportsDir, 'dangling.xlsx'))).toBe(false) // a write would follow it out
    expect(policy.allows('write', join(root, '.ssh', 'authorized_keys'))).toBe(false)
    expect(policy.allows('write', uploaded)).toBe(false)
  })

  it('Electron allows the exact paths its dialogs granted, and writes into the exports folder', () => {
    const policy = grantPolicy(dataDir)
    const chosen = join(outside, 'secret.txt')
    expect(policy.allows('read', chosen)).toBe(false)
    policy.grant('read', chosen)
    expect(policy.allows('read', chosen)).toBe(true)
    expect(policy.allows('read', join(outside, 'other.txt'))).toBe(false)
    expect(policy.allows('write', chosen)).toBe(false) // a read grant is not a write grant
    expect(policy.allows('write', join(outside, 'weekly'))).toBe(false)
    policy.grant('write', join(outside, 'weekly'))
    expect(policy.allows('write', join(outside, 'weekly'))).toBe(true)
    expect(policy.allows('write', join(exportsDir, 'r.xlsx'))).toBe(true)
    expect(policy.allows('write', join(exportsDir, '..', 'x.xlsx'))).toBe(false)
    expect(policy.allows('write', join(exportsDir, 'escape', 'r.xlsx'))).toBe(false)
  })

  it('refuses a path not allowed with a translated message naming the field; the CLI (no policy) passes any', () => {
    const policy: PathPolicy = browserPolicy(dataDir, uploads)
    expect(() => checkPaths('import.preview', { source: { path: '/etc/passwd' } }, undefined, 'en')).not.toThrow()
    expect(() => checkPaths('import.preview', { source: { fileName: 'a.csv', base64: '' } }, policy, 'en')).not.toThrow()
    expect(() => checkPaths('import.preview', { source: { path: uploaded } }, policy, 'en')).not.toThrow()
    const refusal = (lang: 'en' | 'zh-CN', name: 'import.preview' | 'reports.export', input: unknown) => {
      try {
        checkPaths(name, input, policy, lang)
      } catch (error) {
        return error as AppError
      }
      throw new Error('not refused')
    }
    const read = refusal('en', 'import.preview', { source: { path: '/etc/passwd' } })
    expect(read).toMatchObject({ code: 'VALIDATION', details: { reason: 'pathRead', field: 'source.path' }, issues: [{ path: ['source', 'path'] }] })
    expect(read.message).toContain('file chooser')
    const write = refusal('zh-CN', 'reports.export', { path: '/home/u/.ssh/authorized_keys' })
    expect(write).toMatchObject({ code: 'VALIDATION', details: { reason: 'pathWrite', field: 'path', folder: exportsDir } })
    expect(write.message).toContain('导出文件夹')
    expect(write.message).toContain(exportsDir)
  })

  it('is applied by dispatch before the handler runs', async () => {
    const core = openTestCore()
    try {
      const policy = browserPolicy(core.dataDir, join(core.dataDir, 'uploads'))
      const refused = await core.dispatch('demo.clear', { exportPath: join(outside, 'edits.json') }, 'en', policy)
      expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { reason: 'pathWrite', field: 'exportPath' } } })
      const definition = await core.dispatch(
        'reports.definitions.save',
        { name: 'w', region: 'X', periodRule: 'previous_month', formats: ['csv'], folder: outside },
        'en',
        policy,
      )
      expect(definition).toMatchObject({ ok: false, error: { details: { reason: 'pathWrite', field: 'folder' } } })
      // The CLI's call: no policy, the handler itself answers (the import cannot parse this file).
      const cli = await core.dispatch('import.preview', { kind: 'villages', source: { path: join(outside, 'secret.txt') } }, 'en')
      expect(cli.ok ? null : cli.error.details?.reason).not.toBe('pathRead')
    } finally {
      core.dispose()
    }
  })
})
