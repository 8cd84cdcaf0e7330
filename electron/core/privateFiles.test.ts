import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startBrowserMode } from '../devserver/server'
import { DB_FILE, openCore } from './app'
import { writeFixtureMbtiles } from './db/mbtilesFixture'
import { REPO_ROOT } from './testing'

const mode = (path: string) => statSync(path).mode & 0o777

/** Every file and folder under dir with a mode open to the group or others. */
function openToOthers(dir: string): string[] {
  const open: string[] = []
  const walk = (path: string) => {
    const stat = statSync(path)
    if (stat.mode & 0o077) open.push(`${path} ${(stat.mode & 0o777).toString(8)}`)
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry))
  }
  walk(dir)
  return open
}

describe.skipIf(process.platform === 'win32')('the data directory is private to its user', () => {
  let root: string
  let savedUmask: number
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'griddesk-perms-'))
    chmodSync(root, 0o755)
    // As a shell leaves it: new files 0644, folders 0755.
    savedUmask = process.umask(0o022)
  })
  afterEach(() => {
    process.umask(savedUmask)
    rmSync(root, { recursive: true, force: true })
  })

  it('creates the folder 0700 and every file 0600: store, WAL/SHM, photos, drafts, basemaps, uploads, reports', async () => {
    const dataDir = join(root, 'data')
    const core = openCore({ dataDir, resourcesDir: REPO_ROOT })
    try {
      expect(mode(dataDir)).toBe(0o700)
      core.ctx.db.$client.pragma('wal_checkpoint(PASSIVE)')
      for (const file of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) expect(mode(join(dataDir, file)), file).toBe(0o600)
      await core.call('visits.saveDraft', { form: { note: '张三 13800000000' } })
      await core.call('visits.addPhoto', { fileName: 'flyer.png', base64: Buffer.from('photo').toString('base64') })
      // A basemap copied from a file readable by everyone keeps no such mode in the data dir.
      const mbtiles = join(root, 'open.mbtiles')
      writeFixtureMbtiles(mbtiles, { bounds: [107.0, 23.4, 107.3, 23.8], minzoom: 1, maxzoom: 2 })
      chmodSync(mbtiles, 0o644)
      await core.call('basemaps.add', { source: { path: mbtiles } })
      // Browser mode's upload of an import file.
      const rendererDir = join(root, 'renderer')
      mkdirSync(rendererDir)
      writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>')
      const server = await startBrowserMode({ core, rendererDir })
      try {
        const cookie = (await fetch(server.launchUrl, { redirect: 'manual' })).headers.get('set-cookie')!.split(';')[0]!
        const uploaded = await fetch(new URL('upload?name=v.csv', server.url), {
          method: 'POST',
          headers: { cookie, 'x-griddesk-token': server.launchSecret, 'content-type': 'application/octet-stream' },
          body: '名称\n张三\n',
        })
        expect(uploaded.status).toBe(200)
        // (Checked while browser mode runs: it deletes every upload when it stops.)
        expect(openToOthers(dataDir)).toEqual([])
        expect(readdirSync(join(dataDir, 'uploads')).length).toBeGreaterThan(0)
      } finally {
        await server.close()
      }
      // A report written outside the data directory is the user's alone too.
      const report = join(root, 'out', 'report.csv')
      await core.call('demo.load', { keyCustomers: 10, visits: 10 })
      await core.call('reports.export', { region: '451022', period: '2026-10', format: 'csv', path: report })
      expect(mode(report)).toBe(0o600)
      expect(openToOthers(dataDir)).toEqual([])
      for (const dir of ['drafts', 'attachments', 'basemaps']) expect(readdirSync(join(dataDir, dir)).length, dir).toBeGreaterThan(0)
    } finally {
      core.close()
    }
  })

  it('tightens a data directory an earlier version left open', () => {
    const dataDir = join(root, 'old')
    mkdirSync(join(dataDir, 'attachments', 'ab'), { recursive: true, mode: 0o755 })
    writeFileSync(join(dataDir, 'attachments', 'ab', 'abcdef'), 'photo', { mode: 0o644 })
    chmodSync(dataDir, 0o755)
    openCore({ dataDir, resourcesDir: REPO_ROOT }).close()
    expect(openToOthers(dataDir)).toEqual([])
  })

  it('the command line makes the store private whatever the shell umask', () => {
    const dataDir = join(root, 'cli')
    execFileSync('sh', ['-c', 'umask 022; exec "$0" --import tsx electron/cli/main.ts info --data-dir "$1"', process.execPath, dataDir], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    })
    expect(mode(dataDir)).toBe(0o700)
    expect(openToOthers(dataDir)).toEqual([])
  })
})
