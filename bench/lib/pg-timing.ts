// Loaded into HQ by bench/hq-load.ts --sql-timing (`node --import`): times every statement the
// node-postgres driver runs (from the call to its answer, so it includes waiting behind the
// connection's earlier statements and for the database's CPU) and, when HQ exits, writes the sums
// per statement text, largest first, to the file GRIDDESK_SQL_TIMING names plus `.<pid>` (SIGUSR2 starts over). PostgreSQL's own
// statement log needs a superuser; this needs nothing from the database.
import { writeFileSync } from 'node:fs'
import pg from 'pg'

const file = process.env.GRIDDESK_SQL_TIMING
if (file) {
  const sums = new Map<string, { calls: number; ms: number }>()
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown
  const patched = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0]
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '')
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 240)
    const started = performance.now()
    const result = original.apply(this, args)
    const done = () => {
      const entry = sums.get(key) ?? { calls: 0, ms: 0 }
      entry.calls++
      entry.ms += performance.now() - started
      sums.set(key, entry)
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, done)
    return result
  }
  pg.Client.prototype.query = patched as typeof pg.Client.prototype.query
  // The bench sends SIGUSR2 when the measured day starts: what came before (enrolment) is dropped.
  process.on('SIGUSR2', () => sums.clear())
  process.on('exit', () => {
    const list = [...sums].map(([sql, s]) => ({ sql, ...s })).sort((a, b) => b.ms - a.ms)
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(list))
  })
}
