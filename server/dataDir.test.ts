// HQ's data folder is for the OS user who runs HQ only: umask 077 at start, the PGlite and basemaps
// folders 0700, every file 0600, and what an earlier version left open is tightened.
import { spawn } from 'node:child_process'
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../electron/core/resources'
import { makeHqDataPrivate } from './dataDir'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** Every file or folder under `root` that its group or others may read, write or enter. */
function openToOthers(root: string): string[] {
  const open: string[] = []
  const walk = (path: string) => {
    const stat = lstatSync(path)
    if (stat.isSymbolicLink()) return
    if (stat.mode & 0o077) open.push(`${path.slice(root.length) || '/'} ${(stat.mode & 0o777).toString(8)}`)
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry))
  }
  walk(root)
  return open
}

describe.skipIf(process.platform === 'win32')('HQ data folder', () => {
  it('tightens a data folder an earlier version left open and creates basemaps/ 0700', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'griddesk-hq-modes-')), 'hq-data')
    dirs.push(dataDir)
    mkdirSync(join(dataDir, 'base', '1'), { recursive: true, mode: 0o755 })
    writeFileSync(join(dataDir, 'base', '1', '16384'), '张三 13812345678', { mode: 0o644 })
    writeFileSync(join(dataDir, 'PG_VERSION'), '17', { mode: 0o644 })
    chmodSync(dataDir, 0o755)
    chmodSync(join(dataDir, 'base'), 0o755)
    chmodSync(join(dataDir, 'base', '1'), 0o755)
    chmodSync(join(dataDir, 'base', '1', '16384'), 0o644)
    expect(openToOthers(dataDir).length).toBeGreaterThan(0)
    makeHqDataPrivate(dataDir)
    expect(openToOthers(dataDir)).toEqual([])
    expect(statSync(join(dataDir, 'basemaps')).mode & 0o777).toBe(0o700)
    expect(statSync(join(dataDir, 'base', '1', '16384')).mode & 0o777).toBe(0o600)
    // From now on this process creates nothing others can read.
    expect(process.umask()).toBe(0o077)
  })

  it('npm run hq keeps its PGlite store from other users: folders 0700 while it runs, every file 0600 once stopped', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'griddesk-hq-start-'))
    dirs.push(parent)
    const dataDir = join(parent, 'hq-data')
    // Started from a shell with the usual umask 022.
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'server', 'main.ts'), '--data-dir', dataDir, '--port', '0'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: '' },
    })
    let out = ''
    let whileRunning: string[] = []
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          out += d
          if (out.includes('listening on')) resolve()
        })
        child.stderr!.on('data', (d) => (out += d))
        child.on('exit', (code) => reject(new Error(`HQ exited (${code}): ${out}`)))
      })
      // While it runs, no folder lets another user in (so none of its files can be reached).
      whileRunning = openToOthers(dataDir).filter((entry) => statSync(join(dataDir, entry.split(' ')[0]!)).isDirectory())
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    expect(whileRunning).toEqual([])
    expect(readdirSync(dataDir).length).toBeGreaterThan(3) // PGlite's files, migrated
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dataDir, 'basemaps')).mode & 0o777).toBe(0o700)
    expect(openToOthers(dataDir)).toEqual([])
  })
})
