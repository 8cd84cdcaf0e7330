// Writing a file so that a crash or power cut leaves either the old file or the new one, never a
// torn one: write a temporary file beside it, flush it, rename it over the old name, flush the
// folder (the rename itself lives in the folder's entry). Every file GridDesk replaces goes
// through here: key files, sealed attachments and drafts, the encrypted store, backups, restores.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { PRIVATE_FILE_MODE } from './privateFiles'

/** Flushes a folder's entries (a rename or a new file in it) to disk; Windows has no folder flush. */
export function syncDir(dir: string): void {
  if (process.platform === 'win32') return
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Flushes a file already written (a copy made by SQLite or copyFile) to disk. */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Moves a finished temporary file over `path`: flushed first, then renamed, then the folder flushed. */
export function replaceDurably(temp: string, path: string): void {
  syncFile(temp)
  renameSync(temp, path)
  syncDir(dirname(path))
}

/** Writes `data` whole to a new or truncated file and flushes it (readable by this user only). */
export function writeFlushed(path: string, data: Buffer | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const fd = openSync(path, 'w', PRIVATE_FILE_MODE)
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Writes `data` to `path` atomically and durably, readable by this user only. */
export function writeFileDurably(path: string, data: Buffer | string): void {
  const temp = `${path}.${process.pid}.tmp`
  writeFlushed(temp, data)
  renameSync(temp, path)
  syncDir(dirname(path))
}
