// Test helper: a core over a fresh data directory in the OS temp folder, with the real
// migrations and the real SQLite file.
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
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
