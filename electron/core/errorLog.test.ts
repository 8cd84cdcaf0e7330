// An unexpected error is logged as what failed and where, never with the values it carries: a
// failing SQL statement's error can hold the row (names, phone numbers).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { describeErrorForLog, scrubMessage } from './errorLog'
import { openTestCore } from './testing'

const PHONE = '13812345678'
const NAME = '韦秀英'

describe('error log entries', () => {
  it('keep the name, code, a message without values and our stack frames', () => {
    const cause = Object.assign(new Error(`lookup of "${NAME}" failed`), { code: 'ENOENT' })
    const error = Object.assign(new TypeError(`row (${NAME}, ${PHONE}, 'a@b.cn') violates rule 'x' at 12.5`, { cause }), { code: 'SQLITE_ERROR' })
    const entry = describeErrorForLog(error)
    expect(entry).toMatch(/^TypeError \[SQLITE_ERROR\]: row \(…, #, '…'\) violates rule '…' at #/)
    expect(entry).toContain('electron/core/errorLog.test.ts')
    expect(entry).toContain('caused by Error [ENOENT]: lookup of "…" failed')
    expect(entry).not.toMatch(/13812345678|韦秀英|a@b\.cn|node_modules/)
    expect(scrubMessage('UNIQUE constraint failed: key_customers.phone')).toBe('UNIQUE constraint failed: key_customers.phone')
    expect(describeErrorForLog('a string')).toBe('non-error thrown (string)')
  })
})

describe('a handler that fails unexpectedly', () => {
  let core: ReturnType<typeof openTestCore>
  let printed: string[]
  beforeEach(async () => {
    core = openTestCore()
    await core.call('demo.load', { keyCustomers: 0, visits: 0 })
    // A failure below the handler whose error carries the row's values, as a failed statement's can.
    const sqlite = core.ctx.db.$client
    sqlite.function('griddesk_test_fail', (name: unknown, phone: unknown) => {
      throw new Error(`cannot store customer ${String(name)} with phone ${String(phone)}`)
    })
    sqlite.exec('CREATE TEMP TRIGGER fail_customer BEFORE INSERT ON main.key_customers BEGIN SELECT griddesk_test_fail(NEW.name, NEW.phone); END')
    printed = []
    const keep = (...args: unknown[]) => printed.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(' '))
    vi.spyOn(console, 'error').mockImplementation(keep)
    vi.spyOn(console, 'warn').mockImplementation(keep)
    vi.spyOn(console, 'log').mockImplementation(keep)
  })
  afterEach(() => {
    vi.restoreAllMocks()
    core.dispose()
  })

  it('logs what failed and where, without the phone number or name of its input', async () => {
    const villageId = (core.ctx.db.$client.prepare('SELECT id FROM villages LIMIT 1').get() as { id: string }).id
    const answer = await core.dispatch('customers.create', { name: NAME, category: 'commerce', villageId, phone: PHONE })
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(JSON.stringify(answer)).not.toContain(PHONE)
    expect(printed.join('\n')).toMatch(/^handler failed: Error: cannot store customer … with phone #/)
    expect(printed.join('\n')).toMatch(/at .*electron\/core\//)
    expect(printed.join('\n')).not.toContain(PHONE)
    expect(printed.join('\n')).not.toContain(NAME)
  })

  it('logs an import that fails the same way, without the rows it was writing', async () => {
    const code = (core.ctx.db.$client.prepare('SELECT division_code c FROM villages LIMIT 1').get() as { c: string }).c
    const source = { fileName: 'customers.csv', base64: Buffer.from(`姓名,类别,村代码,手机号\r\n${NAME},商业,${code},${PHONE}\r\n`).toString('base64') }
    const answer = await core.dispatch('import.commit', { kind: 'customers', source })
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(printed.join('\n')).toMatch(/failed: Error: cannot store customer … with phone #/)
    expect(printed.join('\n')).not.toContain(PHONE)
    expect(printed.join('\n')).not.toContain(NAME)
  })
})
