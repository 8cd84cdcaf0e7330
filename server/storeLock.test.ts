// One process at a time on a PGlite directory: `hq:admin` refuses in plain words while `npm run hq`
// has the directory open (it used to report success and lose what it wrote), and a lock left by
// a killed server is taken over.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../electron/core/resources'
import { runAdmin } from './cli'
import { openStore, StoreLockedError } from './db/client'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function startHq(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'server', 'main.ts'), '--data-dir', dataDir, '--port', '0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d
      if (out.includes('listening on')) resolve()
    })
    child.stderr!.on('data', (d) => (out += d))
    child.on('exit', (code) => reject(new Error(`HQ exited (${code}): ${out}`)))
  })
  return { child, ready, output: () => out }
}

describe('PGlite directory lock', () => {
  it('hq:admin refuses with a plain message while the HQ server runs, and works once it is gone (even after kill -9)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-hq-lock-'))
    dirs.push(dataDir)
    const hq = startHq(dataDir)
    await hq.ready
    const refused = await runAdmin(['user', 'create', 'lock-user', 'grid_manager', '--data-dir', dataDir])
    expect(refused.code).toBe(1)
    expect(refused.out).toMatch(/open in the HQ server \(npm run hq\) \(process \d+\)/)
    expect(refused.out).toMatch(/nothing was changed/)
    // A second server on the same directory refuses too.
    const second = startHq(dataDir)
    await expect(second.ready).rejects.toThrow(/in use by the HQ server/)
    hq.child.kill('SIGKILL')
    await new Promise((resolve) => hq.child.once('exit', resolve))
    expect(existsSync(join(dataDir, 'griddesk-hq.lock'))).toBe(true) // left behind by kill -9
    const created = await runAdmin(['user', 'create', 'lock-user', 'grid_manager', '--data-dir', dataDir])
    expect(created.code).toBe(0)
    expect(JSON.parse(created.out)).toMatchObject({ name: 'lock-user' })
    expect(existsSync(join(dataDir, 'griddesk-hq.lock'))).toBe(false)
  }, 240_000)

  it('two opens in one process are refused as well', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-hq-lock-'))
    dirs.push(dataDir)
    const store = await openStore({ dataDir })
    await expect(openStore({ dataDir })).rejects.toBeInstanceOf(StoreLockedError)
    await store.close()
    const again = await openStore({ dataDir })
    await again.close()
  }, 120_000)
})
