// Properties of the village import (fast-check): any village name, rare CJK and characters outside
// the BMP included, comes back exactly through a UTF-8, UTF-8-with-BOM or GB18030 CSV; and any mix
// of good and bad rows is written all or nothing, with exactly the bad rows reported.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportIssue } from '../../../shared/api/imports'
import { AppError } from '../../../shared/errors'
import { openTestCore, storeDigest } from '../testing'
import { runImportJob, type RunIn } from './jobs'

const codePoint = (min: number, max: number) => fc.integer({ min, max }).map((cp) => String.fromCodePoint(cp))
/** Characters of village names: common and rare CJK (Ext A, Ext B outside the BMP), Latin, digits, the punctuation seen in names, and CSV's own specials. */
const nameChar = fc.oneof(
  { arbitrary: codePoint(0x4e00, 0x9fa5), weight: 6 },
  { arbitrary: codePoint(0x3400, 0x4db5), weight: 2 },
  { arbitrary: codePoint(0x20000, 0x2a6d6), weight: 3 },
  { arbitrary: fc.constantFrom('𡐓', '莫', '𠮷', '㐀', '䶵'), weight: 1 },
  { arbitrary: fc.constantFrom('a', 'Z', '0', '9', ' ', '·', '（', '）', '-', ',', '"', '、'), weight: 2 },
)
const villageName = fc
  .array(nameChar, { minLength: 1, maxLength: 50 })
  .map((chars) => chars.join(''))
  .filter((name) => name.trim() === name && name !== '')
const quoted = (cell: string) => `"${cell.replace(/"/g, '""')}"`
const encode = (text: string, as: 'utf-8' | 'utf-8-bom' | 'gb18030') =>
  as === 'gb18030' ? iconv.encode(text, 'gb18030') : Buffer.concat([Buffer.from(as === 'utf-8-bom' ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, 'utf8')])

describe('village import properties', () => {
  let core: ReturnType<typeof openTestCore>
  let dir: string
  let serial = 0
  beforeAll(() => {
    // No reference divisions: every well-formed code is a new village.
    core = openTestCore()
    dir = mkdtempSync(join(tmpdir(), 'griddesk-import-props-'))
  })
  afterAll(() => {
    core?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })
  const nextCode = () => String(140_000_000_000 + ++serial)
  const commit = (path: string, runIn: RunIn) =>
    runImportJob(core.ctx, { kind: 'villages', source: { path }, encoding: 'auto', crs: 'WGS-84', mapping: {} }, 'commit', runIn)

  it('keeps any village name exactly, in UTF-8, UTF-8 with BOM or GB18030', async () => {
    await fc.assert(
      fc.asyncProperty(villageName, fc.constantFrom('utf-8' as const, 'utf-8-bom' as const, 'gb18030' as const), async (name, as) => {
        const code = nextCode()
        const path = join(dir, `name-${serial}.csv`)
        writeFileSync(path, encode(`区划代码,名称,户数\r\n${code},${quoted(name)},12\r\n`, as))
        expect(await commit(path, 'inline')).toMatchObject({ inserted: 1 })
        const stored = core.ctx.db.$client.prepare('SELECT name FROM villages WHERE division_code = ?').get(code) as { name: string }
        expect(stored.name).toBe(name)
        expect([...stored.name].length).toBe([...name].length)
      }),
      { numRuns: 150 },
    )
  })

  type Flaw = 'none' | 'households_text' | 'negative' | 'no_name' | 'short_code' | 'swapped' | 'duplicate'
  const expectedCode: Record<Exclude<Flaw, 'none'>, [string, ImportIssue['code']]> = {
    households_text: ['households', 'not_a_number'],
    negative: ['households', 'out_of_range'],
    no_name: ['name', 'required'],
    short_code: ['divisionCode', 'code_format'],
    swapped: ['lon', 'swapped_lonlat'],
    duplicate: ['divisionCode', 'duplicate_code'],
  }
  const flaw = fc.oneof(
    { arbitrary: fc.constant<Flaw>('none'), weight: 8 },
    { arbitrary: fc.constantFrom<Flaw>('households_text', 'negative', 'no_name', 'short_code', 'swapped', 'duplicate'), weight: 2 },
  )

  it('writes a mix of good and bad rows all or nothing, and reports exactly the bad rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ flaw, households: fc.nat(5000), located: fc.boolean() }), { minLength: 1, maxLength: 30 }),
        fc.constantFrom<RunIn>('inline', 'inline', 'inline', 'worker'),
        async (rows, runIn) => {
          const lines = ['区划代码,名称,户数,经度,纬度']
          const bad = new Map<number, [string, ImportIssue['code']]>()
          let firstWellFormed: string | undefined
          rows.forEach(({ flaw, households, located }, i) => {
            const row = i + 1
            // A duplicate needs an earlier well-formed code; without one the row is simply good.
            const kind: Flaw = flaw === 'duplicate' && !firstWellFormed ? 'none' : flaw
            const code = kind === 'short_code' ? '1400000' : kind === 'duplicate' ? firstWellFormed! : nextCode()
            if (kind !== 'short_code' && kind !== 'duplicate') firstWellFormed ??= code
            const name = kind === 'no_name' ? '' : `村${serial}-${row}`
            const count = kind === 'households_text' ? '很多' : kind === 'negative' ? '-5' : String(households)
            const [lon, lat] = kind === 'swapped' ? ['23.6', '107.1'] : located ? ['107.1', '23.6'] : ['', '']
            lines.push([code, name, count, lon, lat].join(','))
            if (kind !== 'none') bad.set(row, expectedCode[kind])
          })
          const path = join(dir, `mix-${serial}.csv`)
          writeFileSync(path, lines.join('\r\n'))
          const before = storeDigest(core, ['villages', 'outbox', 'sync_state'])
          const outcome = await commit(path, runIn).then(
            (result) => ({ result }),
            (error: unknown) => ({ error }),
          )
          if (bad.size === 0) {
            expect(outcome).toMatchObject({ result: { inserted: rows.length, updated: 0 } })
            return
          }
          expect('error' in outcome && outcome.error).toBeInstanceOf(AppError)
          const issues = ((outcome as { error: AppError }).error.details!.importIssues as ImportIssue[]).map((i) => `${i.row}:${i.field}:${i.code}`)
          expect(issues).toEqual([...bad].map(([row, [field, code]]) => `${row}:${field}:${code}`))
          expect(storeDigest(core, ['villages', 'outbox', 'sync_state'])).toEqual(before)
        },
      ),
      { numRuns: 80 },
    )
  })
})
