// Browser mode: a local HTTP server on 127.0.0.1 that serves the built renderer and answers
// POST /rpc/:name over the same handler table as Electron IPC. Used by e2e tests and by anyone
// without the Electron runtime.
//
// Any local process or other OS user can reach 127.0.0.1, so every request needs this launch's
// secret. The printed URL carries it once (?k=…); the page keeps it in sessionStorage, takes it
// out of the address bar and sends it in a header (X-GridDesk-Token) on every /rpc call and
// upload: nothing but that header opens the handlers. The server also sets an HttpOnly
// SameSite=Strict cookie, but cookies are per host, not per port (a server of another local user
// on another 127.0.0.1 port can receive it), so the cookie only lets GET the page's static files
// and map tiles (no personal data: the renderer bundle and basemap imagery).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createWriteStream, existsSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import fastifyStatic from '@fastify/static'
import Fastify from 'fastify'
import { LAUNCH_SECRET_PARAM, LAUNCH_TOKEN_HEADER } from '../../shared/browserMode'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import { BROWSER_SESSION_MESSAGE } from '../../shared/i18n/security'
import type { Core } from '../core/app'
import { parseTilePath, readTile } from '../core/db/mbtiles'
import { browserPolicy } from '../core/pathPolicy'
import { PRIVATE_FILE_MODE } from '../core/privateFiles'
import { Uploads } from './uploads'

export interface BrowserModeOptions {
  core: Core
  rendererDir: string
  port?: number
  host?: string
}

export interface BrowserMode {
  /** The server's base URL (no secret): its pages need the session cookie, its calls the launch token. */
  url: string
  /** The URL to open once: it carries this launch's secret, which the page keeps as its token. */
  launchUrl: string
  /** This launch's secret: the value of the X-GridDesk-Token header that /rpc and /upload require. */
  launchSecret: string
  close(): Promise<void>
}

export { LAUNCH_SECRET_PARAM, LAUNCH_TOKEN_HEADER }

export async function startBrowserMode({ core, rendererDir, port = 0, host = '127.0.0.1' }: BrowserModeOptions): Promise<BrowserMode> {
  if (!existsSync(rendererDir)) throw new Error(`renderer not built: ${rendererDir} is missing (run npm run build)`)
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 })
  let origin = ''
  // One secret per launch; the cookie holds a second random value so the secret in the printed
  // URL (terminal scroll-back, shell history) is not what every request carries.
  const launchSecret = randomBytes(32).toString('base64url')
  const sessionValue = randomBytes(32).toString('base64url')
  let cookieName = ''
  const signIns = new WeakSet<object>()
  const uploads = new Uploads(join(core.ctx.dataDir, 'uploads'))
  // A page may read only the files it uploaded and write only into the exports folder.
  const paths = browserPolicy(core.ctx.dataDir, uploads.root)
  app.addHook('onClose', async () => uploads.close())

  app.addHook('onRequest', async (request, reply) => {
    // Only pages served by this server may call it: a Host check stops DNS rebinding, an Origin
    // check stops other local pages from posting to /rpc.
    const hostHeader = request.headers.host ?? ''
    const allowedHosts = [new URL(origin).host, `localhost:${new URL(origin).port}`]
    if (!allowedHosts.includes(hostHeader)) return reply.code(421).send({ ok: false, error: { code: 'FORBIDDEN', message: 'wrong host' } })
    const requestOrigin = request.headers.origin
    if (request.method !== 'GET' && requestOrigin && !allowedHosts.some((h) => requestOrigin === `http://${h}`))
      return reply.code(403).send({ ok: false, error: { code: 'FORBIDDEN', message: 'cross-origin call refused' } })
    // The handlers and uploads (every method but GET and HEAD) answer only the launch token in
    // its header; the cookie alone opens nothing but GET of static files and tiles.
    const readOnly = request.method === 'GET' || request.method === 'HEAD'
    if (sameSecret(tokenHeader(request.headers[LAUNCH_TOKEN_HEADER.toLowerCase()]), launchSecret)) return
    if (readOnly && !isCall(request.url) && sameSecret(readCookie(request.headers.cookie, cookieName), sessionValue)) return
    const url = new URL(request.url, origin)
    const offered = url.searchParams.get(LAUNCH_SECRET_PARAM)
    if (readOnly && offered !== null && sameSecret(offered, launchSecret)) {
      // The page itself is served at the printed address: it keeps the secret as its token and
      // takes it out of the address bar (renderer/src/api/launchToken.ts). The cookie lets the
      // page's scripts, styles and tiles load. Cookies are per host, not per port: the port in
      // the name keeps two launches apart.
      reply.header('Set-Cookie', `${cookieName}=${sessionValue}; Path=/; HttpOnly; SameSite=Strict`)
      signIns.add(request)
      return
    }
    reply.header('Cache-Control', 'no-store')
    if (readOnly && !isCall(request.url) && !request.url.startsWith('/tiles/')) return reply.code(401).type('text/html; charset=utf-8').send(SIGN_IN_PAGE)
    return reply
      .code(401)
      .send({ ok: false, error: { code: 'FORBIDDEN', message: 'open the address printed when browser mode started', details: { reason: 'browserSession' } } })
  })
  app.addHook('onSend', async (request, reply) => {
    if (signIns.has(request)) reply.header('Cache-Control', 'no-store') // the page at the printed address is not kept
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Referrer-Policy', 'no-referrer')
  })

  app.post<{ Params: { name: string } }>('/rpc/:name', async (request, reply) => {
    const lang = request.headers['x-griddesk-lang'] === 'en' ? 'en' : 'zh-CN'
    const envelope = await core.dispatch(request.params.name, request.body ?? {}, lang, paths)
    uploads.afterCall(request.params.name, request.body, envelope)
    reply.header('Cache-Control', 'no-store')
    return envelope
  })
  // Import uploads: browser mode has no native file dialog, so the page sends the chosen file's
  // raw bytes here (not base64 inside JSON: a 50 MB file would be 67 MB of JSON parsed on this
  // thread) and import.start reads the kept copy by path, as Electron reads the chosen file. The
  // copy is deleted once used (uploads.ts).
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload))
  app.post<{ Querystring: { name?: string } }>('/upload', async (request, reply) => {
    reply.header('Cache-Control', 'no-store')
    const fileName = uploadName(request.query.name)
    if (!fileName || request.headers['content-type'] !== 'application/octet-stream')
      return reply.code(400).send({ ok: false, error: { code: 'VALIDATION', message: 'POST the file as application/octet-stream with ?name=<file name>' } })
    const dir = uploads.folder()
    const path = join(dir, fileName)
    let bytes = 0
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length
        callback(bytes > UPLOAD_LIMIT ? new Error('too large') : null, chunk)
      },
    })
    try {
      await pipeline(request.body as Readable, counted, createWriteStream(path, { mode: PRIVATE_FILE_MODE }))
    } catch {
      rmSync(dir, { recursive: true, force: true })
      return reply
        .code(bytes > UPLOAD_LIMIT ? 413 : 400)
        .send({ ok: false, error: { code: 'VALIDATION', message: `upload failed (at most ${UPLOAD_LIMIT / 1024 / 1024} MB)`, details: { bytes } } })
    }
    return { ok: true, value: { path, fileName, bytes } }
  })
  // Offline basemap tiles (MBTiles and PMTiles under <dataDir>/basemaps/); Electron serves the same through
  // the griddesk-tiles: protocol.
  app.get<{ Params: { id: string; z: string; x: string; y: string } }>('/tiles/:id/:z/:x/:y', async (request, reply) => {
    const { id, z, x, y } = request.params
    const at = parseTilePath(`${id}/${z}/${x}/${y}`)
    const tile = at && (await readTile(core.ctx.dataDir, at.id, at.z, at.x, at.y))
    if (!tile) return reply.code(204).header('Cache-Control', 'no-store').send()
    return reply.header('Content-Type', tile.contentType).header('Cache-Control', 'private, max-age=86400').send(tile.bytes)
  })
  await app.register(fastifyStatic, { root: rendererDir, index: 'index.html' })

  const address = await app.listen({ port, host })
  origin = address.replace('[::1]', 'localhost')
  cookieName = `griddesk_session_${new URL(origin).port}`
  return { url: `${origin}/`, launchUrl: `${origin}/?${LAUNCH_SECRET_PARAM}=${launchSecret}`, launchSecret, close: () => app.close() }
}

/** /rpc and /upload: never opened by the cookie, whatever the method. */
function isCall(url: string): boolean {
  return url.startsWith('/rpc/') || url === '/upload' || url.startsWith('/upload?')
}

function tokenHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return undefined
}

function sameSecret(offered: string | undefined, expected: string): boolean {
  if (offered === undefined) return false
  const a = Buffer.from(offered)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** What a browser without the session sees (it cannot load the app's translations yet): both languages. */
const SIGN_IN_PAGE = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>GridDesk</title>
<p>${BROWSER_SESSION_MESSAGE['zh-CN']}</p><p lang="en">${BROWSER_SESSION_MESSAGE.en}</p></html>`

const UPLOAD_LIMIT = 200 * 1024 * 1024

/** The uploaded file's name as a plain file name (no folders, no characters Windows refuses). */
function uploadName(name: string | undefined): string | null {
  const plain = basename(String(name ?? '').replace(/\\/g, '/'))
    .replace(/[\p{Cc}<>:"|?*]/gu, '_')
    .slice(0, 200)
  return plain && plain !== '.' && plain !== '..' ? plain : null
}
