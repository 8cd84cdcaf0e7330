// Writing a report file whole or not at all, and removing what a crash left half-written. Kept
// apart from the writers (exceljs, pdfkit), so start-up can clean up without loading them.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { AppError } from '../../../shared/errors'
import { processAlive } from '../db/health'
import { PRIVATE_FILE_MODE } from '../privateFiles'

/**
 * Writes the file whole or not at all: an overwrite goes through `<file>.<pid>.tmp` and a rename;
 * a new file is created exclusively. On any failure (a full disk, a folder that cannot be
 * written) the temporary or partial file is removed and the error says where and why.
 */
export function writeReportFile(target: string, bytes: Buffer, overwrite: boolean): void {
  const temp = `${target}.${process.pid}.tmp`
  let created: string | undefined
  try {
    mkdirSync(dirname(target), { recursive: true })
    if (overwrite) {
      created = temp
      writeFileSync(temp, bytes, { mode: PRIVATE_FILE_MODE })
      renameSync(temp, target)
      created = undefined
    } else {
      try {
        // 'wx': create only; the check and the create are one step, so no race can clobber a file.
        writeFileSync(target, bytes, { flag: 'wx', mode: PRIVATE_FILE_MODE })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST')
          throw new AppError('CONFLICT', `${target} already exists; pass overwrite to replace it`, { details: { reason: 'fileExists', path: target } })
        // Created by this call and then cut short: never leave half a report.
        created = target
        throw error
      }
    }
  } catch (error) {
    if (created) rmSync(created, { force: true })
    if (error instanceof AppError) throw error
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO'
    // A full disk is the store's concern too (STORE diskFull); anything else names the file.
    if (code === 'ENOSPC') throw error
    throw new AppError('VALIDATION', `cannot write ${target}: ${(error as Error).message}`, {
      issues: [{ path: ['path'], message: `cannot write ${target} (${code})` }],
      details: { reason: 'cannotWrite', path: target, cause: code },
    })
  }
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
