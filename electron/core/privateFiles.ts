// The data directory is private to the OS user who runs GridDesk: the folder 0700, every file in
// it 0600 (the SQLite store with its WAL/SHM, photos, drafts, uploads, basemaps, backups), and
// reports written elsewhere 0600 too. openCore, which every transport (Electron, browser mode,
// CLI) goes through, narrows the process umask so nothing created later is readable by others,
// and tightens what an earlier version left open. (On Windows modes are not POSIX: the per-user
// ACL of %APPDATA% does this job.)
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isMainThread } from 'node:worker_threads'

export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** New files and folders of this process are for its user only (umask 077). */
export function restrictUmask(): void {
  // Worker threads share the process's umask and may not set it.
  if (process.platform !== 'win32' && isMainThread) process.umask(0o077)
}

/** Creates the data directory 0700 and tightens whatever under it is open to others. */
export function makeDataDirPrivate(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE })
  if (process.platform === 'win32') return
  tighten(dataDir, 0)
}

function tighten(path: string, depth: number): void {
  const stat = lstatSync(path)
  if (stat.isSymbolicLink()) return // never follow a link out of the data directory
  if (stat.isDirectory()) {
    if (stat.mode & 0o077) chmodSync(path, PRIVATE_DIR_MODE)
    // The data directory is shallow (attachments/<aa>/<sha256>); the depth bound keeps a
    // mistaken --data-dir (a home folder) from a long walk.
    if (depth < 4) for (const entry of readdirSync(path)) tighten(join(path, entry), depth + 1)
  } else if (stat.isFile() && stat.mode & 0o077) chmodSync(path, PRIVATE_FILE_MODE)
}
