// One running app for a browser test: a temp data directory, the core and browser mode
// in-process (port 0), headless Chromium at a 1366×768 laptop size; `close()` undoes it all.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { openCore, type Core } from '../electron/core/app'
import { RENDERER_DIR, REPO_ROOT } from '../electron/core/resources'
import { LAUNCH_TOKEN_STORAGE_KEY } from '../shared/browserMode'
import { startBrowserMode, type BrowserMode } from '../electron/devserver/server'

export const ARTIFACTS_DIR = resolve(import.meta.dirname, 'artifacts')

/**
 * The demo county's time zone. The browser runs in it, and so does the core in this process (in
 * the desktop app both are on one machine): a test's "today" is the user's, whatever the CI's zone.
 */
export const E2E_TIME_ZONE = 'Asia/Shanghai'
process.env.TZ = E2E_TIME_ZONE

/** Clicks a grid's polygon on the map at a point where it is on top (not under a label or another layer). */
export async function clickGrid(page: Page, code: string): Promise<void> {
  const spot = await page.evaluate((cls) => {
    const path = document.querySelector(`path.${cls}`)!
    const box = path.getBoundingClientRect()
    for (let fy = 0.5; fy < 1; fy += 0.05)
      for (const sy of [1, -1])
        for (let fx = 0.1; fx < 1; fx += 0.05) {
          const x = box.left + box.width * fx
          const y = box.top + box.height * (0.5 + sy * (fy - 0.5))
          if (document.elementFromPoint(x, y) === path) return { x, y }
        }
    return null
  }, `grid-${code}`)
  if (!spot) throw new Error(`grid ${code} is not visible on the map`)
  await page.mouse.click(spot.x, spot.y)
}

export interface Harness {
  core: Core
  url: string
  /** The printed address (with this launch's secret). */
  launchUrl: string
  browser: Browser
  page: Page
  /** Page errors, console errors, failed requests and HTTP errors seen so far. */
  problems: string[]
  /** Saves e2e/artifacts/<name>.png of the whole viewport. */
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

export async function startHarness(options: { viewport?: { width: number; height: number } } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'griddesk-e2e-'))
  let core: Core | undefined
  let server: BrowserMode | undefined
  let browser: Browser | undefined
  const close = async () => {
    await browser?.close().catch(() => {})
    await server?.close().catch(() => {})
    core?.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    core = openCore({ dataDir, resourcesDir: REPO_ROOT })
    server = await startBrowserMode({ core, rendererDir: RENDERER_DIR, port: 0 })
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    })
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: E2E_TIME_ZONE })
    // Browser mode lets in only who opened the printed address: the page keeps its secret in
    // sessionStorage and sends it on every call (renderer/src/api/launchToken.ts), and the address
    // sets the cookie the static files need. Tests open app.url#/… directly, so the context puts
    // the secret where the page would have kept it and fetches the cookie (the context's request
    // API shares the pages' cookie jar); the printed address itself is tested in skeleton.e2e.
    await context.addInitScript(
      ([key, secret]) => {
        if (location.protocol === 'http:') sessionStorage.setItem(key!, secret!)
      },
      [LAUNCH_TOKEN_STORAGE_KEY, server.launchSecret],
    )
    const page = await context.newPage()
    const signIn = await context.request.get(server.launchUrl, { maxRedirects: 0 })
    if (signIn.status() !== 200) throw new Error(`browser mode refused its launch secret (HTTP ${signIn.status()})`)
    // Fail loudly on what a user would never see but a broken page would cause.
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`)
    })
    // A request the page itself gave up (a reload or navigation while it ran) is not a failure.
    page.on('requestfailed', (request) => {
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? ''})`)
    })
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`)
    })
    mkdirSync(ARTIFACTS_DIR, { recursive: true })
    return {
      core,
      url: server.url,
      launchUrl: server.launchUrl,
      browser,
      page,
      problems,
      screenshot: async (name: string) => {
        const path = join(ARTIFACTS_DIR, `${name}.png`)
        await page.screenshot({ path })
        return path
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
