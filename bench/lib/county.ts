// The demo county a bench runs on: loaded fresh into a temporary data dir, or — with --data-dir —
// loaded once into that dir and reopened by later runs (bench/scale.ts keeps one per size, so the
// 100k county is generated once, not once per bench). The store key of a kept dir lives beside it.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { DB_FILE, openCore, type Core } from '../../electron/core/app'
import { REPO_ROOT } from '../../electron/core/resources'
import { benchKey } from './store'

export interface BenchCounty {
  core: Core
  dataDir: string
  loaded: { grids: number; keyCustomers: number; visits: number; competitorIntel: number; seconds: number; reused: boolean }
  close(): void
}

export async function openBenchCounty(options: { customers: number; visits: number; dataDir?: string }): Promise<BenchCounty> {
  const dataDir = options.dataDir ?? mkdtempSync(join(os.tmpdir(), 'griddesk-bench-county-'))
  if (options.dataDir && !process.env.GRIDDESK_KEY_FILE && process.env.GRIDDESK_BENCH_STORE !== 'clear') {
    const keyFile = `${options.dataDir.replace(/\/+$/, '')}.key`
    if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32), { mode: 0o600 })
    process.env.GRIDDESK_KEY_FILE = keyFile
  }
  const reused = existsSync(join(dataDir, DB_FILE))
  const started = performance.now()
  const core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: 'bench', key: benchKey() })
  const count = (table: string, where = 'deleted_at IS NULL') =>
    (core.ctx.db.$client.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n
  if (!reused || count('key_customers') === 0) await core.call('demo.load', { keyCustomers: options.customers, visits: options.visits })
  const loaded = {
    grids: count('org_units', "level = 'grid' AND deleted_at IS NULL"),
    keyCustomers: count('key_customers'),
    visits: count('visits'),
    competitorIntel: count('competitor_intel'),
    seconds: (performance.now() - started) / 1000,
    reused,
  }
  return {
    core,
    dataDir,
    loaded,
    close: () => {
      core.close()
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
