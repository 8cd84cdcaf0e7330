// Browser-mode cold start: spawn a fresh server process on an existing data dir, open the app in
// a fresh Chromium profile, and time spawn → server listening → map drawn (data-map-ready="true").
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { createInterface } from 'node:readline'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'
import { BUNDLED_DEPS } from '../../scripts/bundledDeps'
import { median } from './stats'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]
export const MAP_READY_SELECTOR = '[data-map-ready="true"]'

export interface ColdStartRun {
  /** Chromium launch with a fresh profile; before the clock starts, not counted. */
  browserLaunchMs: number
  /** Spawn → server process printed READY (HTTP listening). */
  serverReadyMs: number
  /** Same, as seen inside the child: its own performance.now() at openCore done / listening. */
  childCoreMs: number
  childListenMs: number
  /** Spawn → DOMContentLoaded of the page. */
  domContentLoadedMs: number
  /** Spawn → something rendered into #root. */
  firstRenderMs: number
  /** Spawn → the map page root has data-map-ready="true"; null when skipped. */
  mapReadyMs: number | null
  /** /rpc calls the page made before map-ready (or first render): name, server-side ms, bytes. */
  rpc: { name: string; ms: number; bytes: number }[]
}

export interface ColdStartResult {
  status: 'ok' | 'skipped' | 'partial'
  /** Why the map-ready part was skipped, when it was. */
  skipReason?: string
  warnings: string[]
  runner: string
  runs: ColdStartRun[]
  median?: { serverReadyMs: number; domContentLoadedMs: number; firstRenderMs: number; mapReadyMs: number | null; browserLaunchMs: number }
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

/** Does the built renderer (out/renderer) know the map-ready contract yet? */
export function probeRenderer(repoRoot: string, rendererDir: string): { built: boolean; hasMapReady: boolean; stale: boolean } {
  if (!existsSync(join(rendererDir, 'index.html'))) return { built: false, hasMapReady: false, stale: false }
  const assets = join(rendererDir, 'assets')
  const js = existsSync(assets) ? readdirSync(assets).filter((f) => f.endsWith('.js')) : []
  const hasMapReady = js.some((f) => readFileSync(join(assets, f), 'utf8').includes('data-map-ready'))
  const src = join(repoRoot, 'renderer')
  const stale = existsSync(src) && newestMtime(src) > statSync(join(rendererDir, 'index.html')).mtimeMs
  return { built: true, hasMapReady, stale }
}

/**
 * Bundles bench/serve-for-bench.ts to plain JS as electron-vite builds the shells' entries: the
 * packages start-up needs (scripts/bundledDeps.ts) bundled in, the rest external, with code
 * splitting: handlers load heavy modules (turf, exceljs, pdfkit) with dynamic import, and an
 * unsplit bundle would hoist them all into start-up.
 */
export async function bundleServer(repoRoot: string, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true })
  const outfile = join(outDir, 'serve-for-bench.mjs')
  const bundled = (path: string) => BUNDLED_DEPS.some((dep) => path === dep || path.startsWith(`${dep}/`))
  await build({
    entryPoints: { 'serve-for-bench': join(repoRoot, 'bench', 'serve-for-bench.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [
      {
        name: 'external-packages',
        setup(b) {
          // A bare specifier (a package, not a relative path) stays external unless start-up needs it.
          b.onResolve({ filter: /^[^./]/ }, (args) => (bundled(args.path) ? undefined : { path: args.path, external: true }))
        },
      },
    ],
    // The bundled packages are CommonJS in part: their require() of Node's modules needs a require.
    banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
    logLevel: 'error',
  })
  return outfile
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
  await exited
  clearTimeout(timer)
}

export interface ColdStartOptions {
  repoRoot: string
  rendererDir: string
  dataDir: string
  runs: number
  /**
   * 'bundle': bundle now, run plain node on it; 'prebuilt': reuse the last bundle (when the tree
   * does not build right now); 'tsx': node --import tsx on the .ts (counts transpiling).
   */
  runner: 'bundle' | 'prebuilt' | 'tsx'
  buildDir: string
  timeoutMs: number
  log: (line: string) => void
  /** Writes a V8 CPU profile of each server process there (node --cpu-prof). */
  cpuProfDir?: string
  /** Starts the server without its warm-up (electron/core/warm.ts), for comparison. */
  noWarm?: boolean
}

export async function measureColdStart(o: ColdStartOptions): Promise<ColdStartResult> {
  const warnings: string[] = []
  const probe = probeRenderer(o.repoRoot, o.rendererDir)
  if (!probe.built)
    return { status: 'skipped', skipReason: `renderer not built (${o.rendererDir} missing); run npx electron-vite build`, warnings, runner: o.runner, runs: [] }
  if (probe.stale) warnings.push(`out/renderer is older than renderer/ sources; rebuild (npx electron-vite build) for current figures`)
  const skipReason = probe.hasMapReady
    ? undefined
    : `the built renderer has no data-map-ready marker yet (map page not finished or not rebuilt); map-ready not measured, first render of #root measured instead`
  if (!existsSync(CHROMIUM)) return { status: 'skipped', skipReason: `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`, warnings, runner: o.runner, runs: [] }

  let command: string[]
  if (o.runner === 'bundle') command = [process.execPath, await bundleServer(o.repoRoot, o.buildDir)]
  else if (o.runner === 'prebuilt') {
    const bundle = join(o.buildDir, 'serve-for-bench.mjs')
    if (!existsSync(bundle)) throw new Error(`no prebuilt bundle at ${bundle}`)
    warnings.push(`reused the bundle built ${statSync(bundle).mtime.toISOString()}; it may not match the current tree`)
    command = [process.execPath, bundle]
  } else command = [process.execPath, '--import', 'tsx', join(o.repoRoot, 'bench', 'serve-for-bench.ts')]
  if (o.cpuProfDir) command.splice(1, 0, '--cpu-prof', '--cpu-prof-dir', o.cpuProfDir)
  const args = ['--data-dir', o.dataDir, '--resources-dir', o.repoRoot, '--renderer-dir', o.rendererDir, ...(o.noWarm ? ['--no-warm'] : [])]

  const runs: ColdStartRun[] = []
  for (let r = 0; r < o.runs; r++) {
    const profile = mkdtempSync(join(tmpdir(), 'griddesk-bench-profile-'))
    const tLaunch = performance.now()
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
    const browserLaunchMs = performance.now() - tLaunch
    const page = context.pages()[0] ?? (await context.newPage())
    let child: ChildProcess | undefined
    try {
      const rpc: ColdStartRun['rpc'] = []
      let childCoreMs = NaN
      const t0 = performance.now()
      child = spawn(command[0]!, [...command.slice(1), ...args], { cwd: o.repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
      const stderr: string[] = []
      child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()))
      const ready = new Promise<{ url: string; childListenMs: number; at: number }>((resolve, reject) => {
        const rl = createInterface({ input: child!.stdout! })
        rl.on('line', (line) => {
          const [tag, ...rest] = line.split(' ')
          if (tag === 'CORE') childCoreMs = Number(rest[0])
          else if (tag === 'READY') resolve({ url: rest[0]!, childListenMs: Number(rest[1]), at: performance.now() })
          else if (tag === 'RPC') rpc.push({ name: rest[0]!, ms: Number(rest[2]), bytes: Number(rest[3]) })
        })
        child!.once('exit', (code) => reject(new Error(`server exited (${code}) before READY: ${stderr.join('').slice(0, 2000)}`)))
        setTimeout(() => reject(new Error(`server not READY within ${o.timeoutMs} ms`)), o.timeoutMs).unref()
      })
      const { url, childListenMs, at } = await ready
      const serverReadyMs = at - t0

      const domContentLoaded = page.waitForEvent('domcontentloaded', { timeout: o.timeoutMs }).then(() => performance.now() - t0)
      const firstRender = page.waitForSelector('#root > *', { state: 'attached', timeout: o.timeoutMs }).then(() => performance.now() - t0)
      await page.goto(url, { waitUntil: 'commit', timeout: o.timeoutMs })
      let mapReadyMs: number | null = null
      if (!skipReason) {
        await page.waitForSelector(MAP_READY_SELECTOR, { timeout: o.timeoutMs, state: 'attached' })
        mapReadyMs = performance.now() - t0
      }
      const run: ColdStartRun = {
        browserLaunchMs,
        serverReadyMs,
        childCoreMs,
        childListenMs,
        domContentLoadedMs: await domContentLoaded,
        firstRenderMs: await firstRender,
        mapReadyMs,
        rpc: [...rpc],
      }
      runs.push(run)
      o.log(
        `  cold start run ${r + 1}/${o.runs}: server ready ${serverReadyMs.toFixed(0)} ms, first render ${run.firstRenderMs.toFixed(0)} ms, ` +
          `map ready ${mapReadyMs === null ? 'SKIP' : mapReadyMs.toFixed(0) + ' ms'} (browser launch ${browserLaunchMs.toFixed(0)} ms, not counted)`,
      )
    } finally {
      if (child) await stopChild(child)
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
  const med = (k: keyof Pick<ColdStartRun, 'serverReadyMs' | 'domContentLoadedMs' | 'firstRenderMs' | 'browserLaunchMs'>) => median(runs.map((x) => x[k]))
  return {
    status: skipReason ? 'partial' : 'ok',
    skipReason,
    warnings,
    runner: o.runner !== 'tsx' ? `node ${relative(o.repoRoot, command[1]!)} (esbuild bundle)` : 'node --import tsx bench/serve-for-bench.ts',
    runs,
    median: {
      serverReadyMs: med('serverReadyMs'),
      domContentLoadedMs: med('domContentLoadedMs'),
      firstRenderMs: med('firstRenderMs'),
      mapReadyMs: skipReason ? null : median(runs.map((x) => x.mapReadyMs!)),
      browserLaunchMs: med('browserLaunchMs'),
    },
  }
}
