// Writing a report file whole or not at all, and removing what a crash left half-written. Kept
// apart from the writers (exceljs, pdfkit), so start-up can clean up without loading them.
import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { AppError } from '../../../shared/errors'
import { processAlive } from '../db/health'
import { syncDir, writeFlushed } from '../durable'

/**
 * Writes the file whole or not at all, durably (durable.ts): the bytes go to `<file>.<pid>.tmp`,
 * flushed, then take the file's name — by a rename for an overwrite, by a link that fails when
 * the file exists for a new one (a rename where the file system has no links, e.g. FAT on a USB
 * stick) — and the folder is flushed. On any failure the temporary file is removed, and the error
 * says where and why: a full disk under the export target is said as that, not as the store's.
 * Every export the user names goes through here: reports, the demo's edits, `sync --export`.
 */
export function writeReportFile(target: string, bytes: Buffer | string, overwrite: boolean): void {
  const temp = `${target}.${process.pid}.tmp`
  const exists = () => new AppError('CONFLICT', `${target} already exists; pass overwrite to replace it`, { details: { reason: 'fileExists', path: target } })
  let tempMade = false
  try {
    mkdirSync(dirname(target), { recursive: true })
    if (!overwrite && existsSync(target)) throw exists()
    tempMade = true
    writeFlushed(temp, bytes)
    if (overwrite) renameSync(temp, target)
    else {
      try {
        linkSync(temp, target)
        rmSync(temp, { force: true })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' || existsSync(target)) throw exists()
        renameSync(temp, target)
      }
    }
    tempMade = false
    syncDir(dirname(target))
  } catch (error) {
    if (tempMade) rmSync(temp, { force: true })
    if (error instanceof AppError) throw error
    throw exportWriteError(target, error)
  }
}

/** A failed export write in words: the export target's disk is full, or the target cannot be written. */
export function exportWriteError(target: string, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO'
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG')
    return new AppError('VALIDATION', `cannot write ${target}: the disk under it is full (${code})`, {
      issues: [{ path: ['path'], message: `the disk under ${target} is full (${code})` }],
      details: { reason: 'targetFull', path: target, cause: code },
    })
  return new AppError('VALIDATION', `cannot write ${target}: ${(error as Error).message}`, {
    issues: [{ path: ['path'], message: `cannot write ${target} (${code})` }],
    details: { reason: 'cannotWrite', path: target, cause: code },
  })
}

const STALE_TEMP = /\.(\d+)\.tmp$/

/**
 * Temporary files of exports a crash or a kill cut short (`<file>.<pid>.tmp` of a process that is
 * gone), removed from the given folders at start-up. Only those names: nothing else is touched.
 */
export function removeStaleExportTemps(folders: string[]): string[] {
  const removed: string[] = []
  for (const folder of new Set(folders)) {
    let names: string[]
    try {
      names = readdirSync(folder)
    } catch {
      continue
    }
    for (const name of names) {
      const pid = STALE_TEMP.exec(name)?.[1]
      if (!pid || processAlive(Number(pid))) continue
      rmSync(join(folder, name), { force: true })
      removed.push(join(folder, name))
    }
  }
  return removed
}
