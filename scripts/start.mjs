// `npm start`: builds, then opens the Electron window. Where the Electron runtime is missing and
// cannot be downloaded, says so in one line and starts browser mode instead (printing its URL).
// Arguments pass through: npm start -- --data-dir DIR
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureElectronBinding } from './native.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const args = process.argv.slice(2)
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'

const build = spawnSync(npx, ['electron-vite', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' })
if (build.status !== 0) process.exit(build.status ?? 1)

function electronBinary() {
  if (process.env.GRIDDESK_BROWSER_MODE === '1') return { reason: 'GRIDDESK_BROWSER_MODE=1' }
  const electronDir = dirname(require.resolve('electron/package.json'))
  const installed = () => {
    const pathFile = resolve(electronDir, 'path.txt')
    if (!existsSync(pathFile)) return undefined
    const binary = resolve(electronDir, 'dist', readFileSync(pathFile, 'utf8'))
    return existsSync(binary) ? binary : undefined
  }
  if (installed()) return { path: installed() }
  // Electron ≥ 42 fetches its runtime on first use; do it here, quietly, so a failure is one line.
  console.log('Downloading the Electron runtime (first start only)…')
  const download = spawnSync(process.execPath, [resolve(electronDir, 'install.js')], { cwd: root, encoding: 'utf8', timeout: 600_000 })
  if (installed()) return { path: installed() }
  const lines = `${download.stderr ?? ''}${download.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return { reason: lines.find((l) => /error/i.test(l)) ?? lines[0] ?? `download exited with ${download.status}` }
}

function run(command, commandArgs, env = {}) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, shell: process.platform === 'win32' })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code) => process.exit(code ?? 0))
}

const electron = electronBinary()
if (electron.path) {
  let nativeBinding
  try {
    nativeBinding = await ensureElectronBinding()
  } catch (error) {
    console.error(`Could not build better-sqlite3 for Electron (${error.message}); starting browser mode instead.`)
  }
  if (nativeBinding) run(electron.path, ['.', ...args], { GRIDDESK_NATIVE_BINDING: nativeBinding })
  else run(npx, ['tsx', 'electron/devserver/main.ts', ...args])
} else {
  console.log(`Electron runtime not available (${electron.reason}); starting browser mode — open the URL below in a browser.`)
  run(npx, ['tsx', 'electron/devserver/main.ts', ...args])
}
