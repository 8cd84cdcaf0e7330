// Electron main: the window, the app:// protocol that serves the renderer, and the one IPC
// channel to the handler table. The renderer is sandboxed with context isolation and no Node;
// main checks who sent each call and validates its input (the handler table's zod schemas).
import { statSync } from 'node:fs'
import { basename, extname, join, normalize, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, safeStorage, session, shell } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import { openCore, storeCare, type Core } from '../core/app'
import { legacyPlain, type Secrets } from '../core/context'
import type { KeySource } from '../core/crypto/keys'
import { logUnexpectedError } from '../core/errorLog'
import { AppError } from '../../shared/errors'
import { resources, type Language } from '../../shared/i18n'
import { storeMessage } from '../../shared/i18n/ruleIssues'
import { openFailureText, StoreError } from '../core/db/health'
import { parseTilePath, readTile } from '../core/db/mbtiles'
import { dataDirFromArgs } from '../core/paths'
import { grantPolicy } from '../core/pathPolicy'
import { setHqFetch } from '../core/sync/hqClient'
import { APP_ORIGIN, isAppUrl, keychainWarning, mayOpenExternally, tileCorsOrigin, withAppHeaders } from './policy'

app.setName('GridDesk')
protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  // Offline basemap tiles: griddesk-tiles://<basemap id>/<z>/<x>/<y> (img-src for raster tiles;
  // connect-src and fetch for vector ones, which the map reads as data).
  { scheme: 'griddesk-tiles', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
])

let core: Core | undefined
/** What the window may read and write: the paths the native dialogs returned, and the exports folder. */
let paths: ReturnType<typeof grantPolicy> = grantPolicy(app.getPath('userData'))
const importFilters = {
  villages: [{ name: 'CSV / Excel', extensions: ['csv', 'txt', 'xlsx'] }],
  grids: [{ name: 'GeoJSON / KML / Shapefile (zip)', extensions: ['geojson', 'json', 'kml', 'zip'] }],
  customers: [{ name: 'CSV / Excel', extensions: ['csv', 'txt', 'xlsx'] }],
  basemaps: [{ name: 'MBTiles / PMTiles', extensions: ['mbtiles', 'pmtiles'] }],
} as const

function resourcesDir(): string {
  // Packaged: migrations/ and data/ are extraResources; in development: the repository root.
  return app.isPackaged ? process.resourcesPath : app.getAppPath()
}

function rendererDir(): string {
  return join(app.getAppPath(), 'out', 'renderer')
}

/**
 * Serves out/renderer under app://griddesk/, refusing any path that escapes it. Every response
 * carries the CSP itself: session header hooks do not apply to custom protocol responses.
 */
function registerAppProtocol(): void {
  const root = rendererDir()
  protocol.handle('app', async (request) => {
    const url = new URL(request.url)
    if (url.host !== 'griddesk') return withAppHeaders(new Response('not found', { status: 404 }))
    const path = normalize(join(root, decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)))
    const rel = relative(root, path)
    if (rel.startsWith('..') || rel.includes(`..${sep}`)) return withAppHeaders(new Response('forbidden', { status: 403 }))
    return withAppHeaders(await net.fetch(pathToFileURL(path).toString()))
  })
}

/** Serves MBTiles and PMTiles tiles from <dataDir>/basemaps/ (browser mode has GET /tiles/... instead). */
function registerTilesProtocol(): void {
  protocol.handle('griddesk-tiles', async (request) => {
    const url = new URL(request.url)
    const at = parseTilePath(`${url.host}${url.pathname}`)
    const tile = at && core ? await readTile(core.ctx.dataDir, at.id, at.z, at.x, at.y) : null
    const allow = tileCorsOrigin(request.headers.get('origin'), { packaged: app.isPackaged, devUrl: process.env.ELECTRON_RENDERER_URL })
    const cors: Record<string, string> = allow ? { 'Access-Control-Allow-Origin': allow, Vary: 'Origin' } : { Vary: 'Origin' }
    if (!tile) return withAppHeaders(new Response(null, { status: 204, headers: cors }))
    return withAppHeaders(
      new Response(new Uint8Array(tile.bytes), { headers: { 'Content-Type': tile.contentType, 'Cache-Control': 'private, max-age=86400', ...cors } }),
    )
  })
}

/** The HQ device token at rest, sealed with the OS keychain (DPAPI, Keychain, libsecret). */
function keychainSecrets(): Secrets | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined
  return {
    seal: (text) => `safe:${safeStorage.encryptString(text).toString('base64')}`,
    open: (sealed) => (sealed.startsWith('safe:') ? safeStorage.decryptString(Buffer.from(sealed.slice(5), 'base64')) : legacyPlain(sealed)),
  }
}

const uiLanguage = () => (app.getLocale().toLowerCase().startsWith('zh') ? 'zh-CN' : 'en')

/**
 * The store key: random, made on first start and sealed by the OS keychain. Where Linux has no
 * keyring, safeStorage falls back to basic_text (a fixed obfuscation key): that is said clearly at
 * every start (policy.ts keychainWarning decides). Without safeStorage at all, GRIDDESK_PASSPHRASE is the only way in.
 */
function storeKeySource(): KeySource | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined
  const warning = keychainWarning(process.platform, process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined, uiLanguage())
  if (warning) {
    console.warn(warning)
    dialog.showMessageBoxSync({ type: 'warning', title: 'GridDesk', message: warning })
  }
  return {
    kind: 'sealed',
    seal: (key) => safeStorage.encryptString(key.toString('base64')).toString('base64'),
    open: (sealed) => Buffer.from(safeStorage.decryptString(Buffer.from(sealed, 'base64')), 'base64'),
  }
}

/** The app's own pages (or, unpackaged, electron-vite's dev server by its exact origin). */
function isTrustedSender(frameUrl: string | undefined): boolean {
  return isAppUrl(frameUrl, { packaged: app.isPackaged, devUrl: process.env.ELECTRON_RENDERER_URL })
}

function registerIpc(): void {
  ipcMain.handle('griddesk:call', async (event, message: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'call from an untrusted frame' } }
    }
    const { name, input, lang } = (message ?? {}) as { name?: unknown; input?: unknown; lang?: unknown }
    if (typeof name !== 'string') return { ok: false, error: { code: 'VALIDATION', message: 'handler name must be a string' } }
    // Paths in the input (shared/api `paths`): only those the user chose in a native dialog.
    return core!.dispatch(name, input, lang === 'en' ? 'en' : 'zh-CN', paths)
  })
  // The native folder chooser (saved reports' folder): main-only, so outside the handler table.
  ipcMain.handle('griddesk:pickFolder', async (event) => {
    if (!isTrustedSender(event.senderFrame?.url)) return null
    const window = BrowserWindow.fromWebContents(event.sender)
    const options = { properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] }
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
    const folder = result.canceled ? undefined : result.filePaths[0]
    if (!folder) return null
    paths.grant('write', folder)
    return folder
  })
  // The native save chooser for a one-off report export: the exact file chosen may be written.
  ipcMain.handle('griddesk:pickSaveFile', async (event, fileName: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) return null
    if (typeof fileName !== 'string' || fileName.length > 200 || basename(fileName) !== fileName) return null
    const window = BrowserWindow.fromWebContents(event.sender)
    const extension = extname(fileName).slice(1)
    const options = { defaultPath: join(paths.exportsDir, fileName), filters: extension ? [{ name: extension.toUpperCase(), extensions: [extension] }] : [] }
    const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options)
    if (result.canceled || !result.filePath) return null
    paths.grant('write', result.filePath)
    return result.filePath
  })
  // The native file chooser for imports: main reads the file by path (import.start), so a 50 MB
  // file never crosses IPC as base64.
  ipcMain.handle('griddesk:pickImportFile', async (event, kind: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) return null
    if (typeof kind !== 'string' || !Object.hasOwn(importFilters, kind)) return null
    const window = BrowserWindow.fromWebContents(event.sender)
    const options = {
      properties: ['openFile'] as 'openFile'[],
      filters: [...importFilters[kind as keyof typeof importFilters]].map((f) => ({ ...f, extensions: [...f.extensions] })),
    }
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
    const path = result.canceled ? undefined : result.filePaths[0]
    if (!path) return null
    paths.grant('read', path)
    return { path, fileName: basename(path), bytes: statSync(path).size }
  })
}

function hardenSessions(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  // Geolocation only (visit check-in); everything else is refused.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'geolocation'))
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedSender(url)) event.preventDefault()
    })
    contents.setWindowOpenHandler(({ url }) => {
      if (mayOpenExternally(url)) void shell.openExternal(url)
      return { action: 'deny' }
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1366,
    height: 768,
    minWidth: 1024,
    minHeight: 640,
    title: '网格通 GridDesk',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  window.once('ready-to-show', () => window.show())
  // The renderer holds back its close (or reload) while a form has unsaved changes; Electron
  // shows no question of its own, so main asks in the UI language and lets it go on "discard".
  window.webContents.on('will-prevent-unload', (event) => {
    const guard = resources[uiLanguage()].translation.field.guard
    const choice = dialog.showMessageBoxSync(window, {
      type: 'question',
      title: guard.title,
      message: guard.title,
      detail: guard.body,
      buttons: [guard.stay, guard.leave],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    })
    if (choice === 1) event.preventDefault()
  })
  const devUrl = process.env.ELECTRON_RENDERER_URL
  void window.loadURL(!app.isPackaged && devUrl ? devUrl : `${APP_ORIGIN}/index.html`)
}

/** Asks whether to restore the newest backup; true when it was restored (then the store is opened again). */
function offerRestore(options: Parameters<typeof storeCare>[0], problem: string, lang: Language): boolean {
  const words = resources[lang].translation.store
  const care = storeCare(options)
  const newest = care.backups()[0]
  if (!newest) return false
  const reason = resources[lang].translation.backups.reason[newest.reason]
  const answer = dialog.showMessageBoxSync({
    type: 'error',
    title: words.title,
    message: problem,
    detail: storeMessage('restoreOffer', { at: new Date(newest.at).toLocaleString(lang), reason }, lang),
    buttons: [words.restoreButton, words.quitButton],
    defaultId: 0,
    cancelId: 1,
  })
  if (answer !== 0) return false
  try {
    const result = care.restore(newest.file)
    dialog.showMessageBoxSync({
      type: 'info',
      title: 'GridDesk',
      message: storeMessage('restored', { file: result.restored.file, kept: result.keptAside ?? '-' }, lang),
    })
    return true
  } catch (error) {
    dialog.showErrorBox('GridDesk', error instanceof StoreError ? error.translated(lang) : String((error as Error).message))
    return false
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows()
    if (window) {
      if (window.isMinimized()) window.restore()
      window.focus()
    }
  })
  void app.whenReady().then(() => {
    // HQ over Chromium's network stack: the OS certificate store (a county's internal CA) is trusted.
    setHqFetch((url, init) => net.fetch(url, init as unknown as RequestInit))
    const dataDir = dataDirFromArgs(process.argv) ?? process.env.GRIDDESK_DATA_DIR ?? app.getPath('userData')
    paths = grantPolicy(dataDir)
    const options = {
      dataDir,
      resourcesDir: resourcesDir(),
      version: app.getVersion(),
      nativeBinding: process.env.GRIDDESK_NATIVE_BINDING,
      secrets: keychainSecrets(),
      key: storeKeySource(),
    }
    for (let attempt = 0; !core; attempt++) {
      try {
        core = openCore(options)
      } catch (error) {
        // A store that does not open (no key, wrong key, revoked, damaged, or a fault nobody
        // foresaw) is said in words in a dialog, not a stack and never no window at all.
        const lang = uiLanguage()
        if (!(error instanceof AppError)) logUnexpectedError('the store did not open', error)
        const text =
          error instanceof AppError && !(error instanceof StoreError) && error.details?.reason === 'no_key'
            ? resources[lang].translation.crypt.noKeychain
            : openFailureText(error, lang, dataDir)
        // A damaged, empty or foreign store: offer the newest backup (the store is kept aside, never deleted).
        if (attempt === 0 && error instanceof StoreError && ['corrupt', 'notADatabase', 'empty'].includes(error.reason) && offerRestore(options, text, lang))
          continue
        dialog.showErrorBox('GridDesk', text)
        app.quit()
        return
      }
    }
    void core.backupIfDue().catch((error: unknown) => logUnexpectedError('daily backup failed', error))
    Menu.setApplicationMenu(null)
    hardenSessions()
    registerAppProtocol()
    registerTilesProtocol()
    registerIpc()
    createWindow()
    // While the window loads its scripts: the first screen's calls once, later the report writers (core/warm.ts).
    core.warmUp()
  })
  app.on('window-all-closed', () => {
    core?.close()
    app.quit()
  })
}
