// Every handler, called through the one dispatch with inputs generated from the contract's JSON
// Schemas (z.toJSONSchema) by fast-check: values of the declared shape, real record ids and region
// codes so calls get past validation, and adversarial values (NUL, lone surrogates, dates that do
// not exist, huge or deeply nested values, wrong types, NaN, extra keys). Whatever comes in, no
// call ends as INTERNAL, and a refused call changes nothing (every user table and the outbox,
// hashed before and after).
//   GRIDDESK_FUZZ_RUNS=5000 npx vitest run --project unit electron/core/handlers/fuzz.test.ts
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { z } from 'zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, handlerNames, type HandlerName } from '../../../shared/api/contract'
import { openTestCore } from '../testing'

const RUNS = Number(process.env.GRIDDESK_FUZZ_RUNS ?? 200)
/** Calls that leave the store for the network or throw the demo away; everything else is called. */
const SKIPPED = new Set<HandlerName>(['sync.enrol', 'sync.probe', 'demo.clear', 'import.start'])

type Schema = {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  items?: Schema
  prefixItems?: Schema[]
  minItems?: number
  maxItems?: number
  enum?: unknown[]
  const?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  $ref?: string
  $defs?: Record<string, Schema>
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
}

let core: ReturnType<typeof openTestCore>
let sandbox: string
let ids: string[] = []
let codes: string[] = []
let tables: string[] = []

beforeAll(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 20, visits: 60 })
  sandbox = mkdtempSync(join(tmpdir(), 'griddesk-fuzz-'))
  const sqlite = core.ctx.db.$client
  const column = (sql: string) => sqlite.prepare(sql).pluck().all() as string[]
  ids = ['villages', 'org_units', 'key_customers', 'visits', 'competitor_intel', 'work_orders', 'objections', 'day_plans'].flatMap((t) =>
    column(`SELECT id FROM ${t} ORDER BY id LIMIT 4`),
  )
  codes = column('SELECT code FROM org_units ORDER BY level, code LIMIT 12')
  tables = column(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' AND name NOT IN ('sync_state', '__drizzle_migrations')",
  )
})
afterAll(() => {
  core.dispose()
  rmSync(sandbox, { recursive: true, force: true })
})

/** Every user table and the outbox, hashed. */
function storeHash(): string {
  const hash = createHash('sha256')
  for (const table of tables) {
    hash.update(`\u0001${table}`)
    for (const row of core.ctx.db.$client.prepare(`SELECT * FROM "${table}"`).raw().iterate() as Iterable<unknown[]>)
      hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))
  }
  return hash.digest('hex')
}

const adversarialText = fc.constantFrom(
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '2026-02-30',
  '2026-13-01',
  '2025-02-29T10:00:00Z',
  ' ',
  '',
  '\u202e',
  '../../etc/passwd',
  '%s%n',
  "'; DROP TABLE villages; --",
  '😀'.repeat(60),
  'x'.repeat(5_001),
)
const adversarial: fc.Arbitrary<unknown> = fc.oneof(
  adversarialText,
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 53, -1, 1e308, null, undefined, true, [], {}),
  fc.constant(null).map(() => {
    let deep: unknown = 1
    for (let i = 0; i < 200; i++) deep = { a: deep }
    return deep
  }),
  fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: false }),
)

/** A date of the calendar or one that does not exist; an instant; the path fields stay in the sandbox. */
function stringOf(schema: Schema, key: string | undefined): fc.Arbitrary<string> {
  if (key && /path|folder/i.test(key))
    return fc.oneof(
      fc.string({ maxLength: 12 }).map((name) => join(sandbox, name.replace(/[/\\\0]/g, '_') || 'f')),
      fc.constant(join(sandbox, 'a\u0000b')),
    )
  const text = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 80), unit: 'binary' })
  const choices: fc.Arbitrary<string>[] = []
  if (schema.format === 'uuid') choices.push(fc.constantFrom(...ids), fc.uuid())
  else if (schema.format === 'date')
    choices.push(fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)))
  else if (schema.format === 'date-time')
    choices.push(fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString()))
  else if (schema.format === 'uri') choices.push(fc.constantFrom('https://hq.invalid', 'http://127.0.0.1:1', 'ftp://x', 'not a url'))
  else if (schema.pattern) {
    try {
      choices.push(fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 1_000)))
    } catch {
      // A pattern fast-check cannot generate from: plain text only.
    }
  }
  if (codes.length) choices.push(fc.constantFrom(...codes, '2026-10', '2026-Q3', '2026', '2026-02-28', '2026-02-30'))
  return choices.length ? fc.oneof({ arbitrary: fc.oneof(...choices), weight: 3 }, { arbitrary: text, weight: 1 }) : text
}

/** Values of a JSON Schema, with an adversarial value in place of any part now and then. */
function arbitraryOf(schema: Schema, root: Schema, key?: string, depth = 0): fc.Arbitrary<unknown> {
  const valid = shapeOf(schema, root, key, depth)
  return fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: adversarial, weight: 1 })
}

function shapeOf(schema: Schema, root: Schema, key: string | undefined, depth: number): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null)
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop()!
    return shapeOf(root.$defs?.[name] ?? {}, root, key, depth + 1)
  }
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum) return fc.constantFrom(...schema.enum)
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives) return fc.oneof(...alternatives.map((s) => shapeOf(s, root, key, depth + 1)))
  if (schema.allOf?.length) return shapeOf(schema.allOf[0]!, root, key, depth + 1)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const props = schema.properties ?? {}
      const required = new Set(schema.required ?? [])
      const fields = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, arbitraryOf(s, root, k, depth + 1)]))
      const known = fc.record(fields, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) })
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        return fc.dictionary(fc.string({ maxLength: 10 }), shapeOf(schema.additionalProperties, root, key, depth + 1), { maxKeys: 4 })
      // Now and then a key the schema does not know.
      return fc.oneof(
        { arbitrary: known, weight: 9 },
        { arbitrary: fc.tuple(known, fc.string({ minLength: 1, maxLength: 8 })).map(([o, extra]) => ({ ...o, [extra]: 1 })), weight: 1 },
      )
    }
    case 'array': {
      if (schema.prefixItems) return fc.tuple(...schema.prefixItems.map((s) => arbitraryOf(s, root, key, depth + 1)))
      return fc.array(arbitraryOf(schema.items ?? {}, root, key, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 8) })
    }
    case 'string':
      return stringOf(schema, key)
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (type === 'integer' ? 1 : 1e-9) : -1e6)
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (type === 'integer' ? 1 : 1e-9) : 1e6)
      const inRange =
        type === 'integer'
          ? fc.integer({ min: Math.max(Math.ceil(min), -(2 ** 31)), max: Math.min(Math.floor(max), 2 ** 31) })
          : fc.double({ min, max, noNaN: true })
      return fc.oneof({ arbitrary: inRange, weight: 4 }, { arbitrary: fc.constantFrom(min - 1, max + 1, 0.5), weight: 1 })
    }
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    default:
      return fc.anything({ maxDepth: 2 })
  }
}

const names = handlerNames.filter((n) => !SKIPPED.has(n))
const inputs = Object.fromEntries(names.map((n) => [n, z.toJSONSchema(api[n].input, { io: 'input', unrepresentable: 'any' }) as Schema]))

describe('handler fuzz', () => {
  it(`${RUNS} calls of random handlers with generated and adversarial input: never INTERNAL; a refused call changes nothing`, async () => {
    // The store's hash before each call, recomputed only after a call that wrote (SQLite's
    // total_changes() moved): a refused call that wrote nothing cannot have changed anything.
    let before: string | undefined
    const changes = () => core.ctx.db.$client.prepare('SELECT total_changes()').pluck().get() as number
    const seen = { ok: 0, refused: 0, hashed: 0, byCode: {} as Record<string, number> }
    const call = fc
      .constantFrom(...names)
      .chain((name) =>
        fc.tuple(fc.constant(name), fc.oneof({ arbitrary: arbitraryOf(inputs[name]!, inputs[name]!), weight: 9 }, { arbitrary: adversarial, weight: 1 })),
      )
    await fc.assert(
      fc.asyncProperty(call, fc.constantFrom('zh-CN' as const, 'en' as const), async ([name, input], lang) => {
        if (before === undefined) {
          before = storeHash()
          seen.hashed++
        }
        const changesBefore = changes()
        const result = await core.dispatch(name, input, lang)
        const wrote = changes() !== changesBefore
        if (result.ok) {
          seen.ok++
          if (wrote) before = undefined
          return
        }
        seen.refused++
        seen.byCode[result.error.code] = (seen.byCode[result.error.code] ?? 0) + 1
        expect(result.error.code, `${name} ${JSON.stringify(input)?.slice(0, 300)}: ${result.error.message}`).not.toBe('INTERNAL')
        expect(typeof result.error.message).toBe('string')
        if (wrote) expect(storeHash(), `${name} was refused (${result.error.code}) but changed the store`).toBe(before)
      }),
      { numRuns: RUNS, seed: process.env.GRIDDESK_FUZZ_SEED ? Number(process.env.GRIDDESK_FUZZ_SEED) : undefined },
    )
    // The generator reaches past validation: some calls succeed, and refusals are not only VALIDATION.
    console.log(
      `handler fuzz: ${RUNS} calls over ${names.length} handlers, ${seen.ok} ok, ${seen.refused} refused ${JSON.stringify(seen.byCode)}, store hashed ${seen.hashed} times`,
    )
    expect(seen.ok).toBeGreaterThan(RUNS / 20)
  })
})
