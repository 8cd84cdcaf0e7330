// Test helper: a core over a fresh data directory in the OS temp folder, with the real
// migrations and the real SQLite file.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openCore, type Core } from './app'
import { REPO_ROOT } from './resources'

export { REPO_ROOT }

export function openTestCore(): Core & { dataDir: string; dispose(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-test-'))
  const core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: 'test' })
  return {
    ...core,
    dataDir,
    dispose() {
      core.close()
      // Retried: a worker thread (a checkpoint after a first pull) may still be closing its files.
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 })
    },
  }
}

/**
 * Every row of the given tables, counted and hashed (SHA-256 of the rows in a fixed order): two
 * equal digests mean the tables are byte for byte the same, as a failed import must leave them.
 */
export function storeDigest(core: Core, tables: string[]): Record<string, { rows: number; sha256: string }> {
  return Object.fromEntries(
    tables.map((table) => {
      const { n } = core.ctx.db.$client.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }
      const rows = (core.ctx.db.$client.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][])
        .map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))
        .sort()
      return [table, { rows: n, sha256: createHash('sha256').update(rows.join('\n')).digest('hex') }]
    }),
  )
}

/**
 * Runs `write` as a release from before devices checked who may change HQ data: it queued the
 * change whatever the user's role (HQ still refuses it at push, and the device sets it aside).
 */
export async function asOlderRelease<T>(core: Core, write: () => T | Promise<T>): Promise<T> {
  const sqlite = core.ctx.db.$client
  const user = sqlite.prepare("SELECT value FROM sync_state WHERE key = 'hq_user'").get() as { value: string } | undefined
  sqlite.prepare("DELETE FROM sync_state WHERE key = 'hq_user'").run()
  try {
    return await write()
  } finally {
    if (user) sqlite.prepare("INSERT INTO sync_state (key, value) VALUES ('hq_user', ?)").run(user.value)
  }
}

/** One-row and all-rows SQL reads on a test core's store (the core is looked up at call time). */
export function sqlReads(core: () => Core) {
  const prepare = (q: string) => core().ctx.db.$client.prepare(q)
  return {
    one: <T>(q: string, ...args: unknown[]) => prepare(q).get(...args) as T,
    all: <T>(q: string, ...args: unknown[]) => prepare(q).all(...args) as T[],
  }
}
