// HQ's data folder is private to the OS user who runs HQ, like a device's (electron/core/privateFiles.ts):
// the process umask is 077, so every file PGlite, the basemap catalogue or a backup creates is 0600
// and every folder 0700; the data folder (PGlite's files), its basemaps/ folder and whatever an
// earlier version left open under them are tightened at start. This guards against other OS users
// of the HQ machine, not a thief of its disk: that needs disk encryption, or PostgreSQL on an
// encrypted volume (SECURITY.md).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { makeDataDirPrivate, PRIVATE_DIR_MODE, restrictUmask } from '../electron/core/privateFiles'

/** Where HQ keeps the basemaps it offers (MBTiles/PMTiles and their sidecars). */
export const hqBasemapsDir = (dataDir: string): string => join(dataDir, 'basemaps')

/** At HQ start (server, hq:admin): umask 077, the data and basemaps folders 0700, files in them 0600. */
export function makeHqDataPrivate(dataDir: string): void {
  restrictUmask()
  makeDataDirPrivate(dataDir)
  mkdirSync(hqBasemapsDir(dataDir), { recursive: true, mode: PRIVATE_DIR_MODE })
}
