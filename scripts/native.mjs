// The SQLite driver is installed as `better-sqlite3` but is better-sqlite3-multiple-ciphers (an npm
// alias in package.json: SQLCipher-compatible encryption, same API, and drizzle's better-sqlite3 driver
// finds it by that name). It is a native module: Node (tests, CLI, browser mode) and Electron need builds for
// different ABIs. node_modules keeps the Node build; the Electron build lives beside it in
// .native/electron-<version>/ and main loads it through better-sqlite3's `nativeBinding` option
// (GRIDDESK_NATIVE_BINDING). So switching shells never rebuilds anything in place.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

export function electronVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version
}

export function electronBindingPath(version = electronVersion()) {
  return join(root, '.native', `electron-${version}`, 'better_sqlite3_multiple_ciphers.node')
}

/** Builds better-sqlite3 for Electron's ABI into .native/ (once per Electron version). */
export async function ensureElectronBinding({ force = false } = {}) {
  const version = electronVersion()
  const target = electronBindingPath(version)
  if (existsSync(target) && !force) return target
  const work = join(root, '.native', `build-${version}`)
  rmSync(work, { recursive: true, force: true })
  mkdirSync(join(work, 'node_modules'), { recursive: true })
  cpSync(join(root, 'node_modules', 'better-sqlite3'), join(work, 'node_modules', 'better-sqlite3'), { recursive: true })
  cpSync(join(root, 'package.json'), join(work, 'package.json'))
  console.log(`Building better-sqlite3 for Electron ${version} (one time)…`)
  const { rebuild } = require('@electron/rebuild')
  await rebuild({ buildPath: work, electronVersion: version, onlyModules: ['better-sqlite3', 'better-sqlite3-multiple-ciphers'], force: true })
  mkdirSync(dirname(target), { recursive: true })
  cpSync(join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), target)
  rmSync(work, { recursive: true, force: true })
  return target
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = await ensureElectronBinding({ force: process.argv.includes('--force') })
  console.log(`Electron build of better-sqlite3: ${target}`)
}
