// `npm start`: builds, then opens the Electron window (a missing runtime is found before the build). Browser mode only when asked for
// (`npm start -- --browser` or GRIDDESK_BROWSER_MODE=1): where the Electron runtime is missing and
// cannot be downloaded, or its SQLite driver build fails, it stops and says how to fix that
// (startPlan.mjs). Arguments pass through: npm start -- --data-dir DIR
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureElectronBinding } from './native.mjs'
import { parseStartArgs, planStart } from './startPlan.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const { browser, args } = parseStartArgs(process.argv.slice(2), process.env)
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'

function build() {
  const built = spawnSync(npx, ['electron-vite', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' })
  if (built.status !== 0) process.exit(built.status ?? 1)
}

function electronBinary() {
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

const electron = browser ? undefined : electronBinary()
let native
if (electron?.path) {
  try {
    native = { path: await ensureElectronBinding() }
  } catch (error) {
    native = { error: error.message }
  }
}
const plan = planStart({ browser, electron, native })
if (plan.run !== 'none') build()
if (plan.run === 'electron') run(plan.binary, ['.', ...args], { GRIDDESK_NATIVE_BINDING: plan.nativeBinding })
else if (plan.run === 'browser') {
  console.log('Browser mode (asked for): open the address printed below in a browser on this machine.')
  run(process.execPath, ['out/main/devserver.js', ...args])
} else {
  console.error(plan.message)
  process.exit(1)
}
