// Browser mode: a local HTTP server on 127.0.0.1 that serves the built renderer and answers
// POST /rpc/:name over the same handler table as Electron IPC. Used by e2e tests and by anyone
// without the Electron runtime.
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import fastifyStatic from '@fastify/static'
import Fastify from 'fastify'
import { v7 as uuidv7 } from 'uuid'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import type { Core } from '../core/app'
import { parseTilePath, readTile } from '../core/db/mbtiles'

export interface BrowserModeOptions {
  core: Core
  rendererDir: string
  port?: number
  host?: string
}

export interface BrowserMode {
  url: string
  close(): Promise<void>
}

export async function startBrowserMode({ core, rendererDir, port = 0, host = '127.0.0.1' }: BrowserModeOptions): Promise<BrowserMode> {
  if (!existsSync(rendererDir)) throw new Error(`renderer not built: ${rendererDir} is missing (run npm run build)`)
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 })
  let origin = ''

  app.addHook('onRequest', async (request, reply) => {
    // Only pages served by this server may call it: a Host check stops DNS rebinding, an Origin
    // check stops other local pages from posting to /rpc.
    const hostHeader = request.headers.host ?? ''
    const allowedHosts = [new URL(origin).host, `localhost:${new URL(origin).port}`]
    if (!allowedHosts.includes(hostHeader)) return reply.code(421).send({ ok: false, error: { code: 'FORBIDDEN', message: 'wrong host' } })
    const requestOrigin = request.headers.origin
    if (request.method !== 'GET' && requestOrigin && !allowedHosts.some((h) => requestOrigin === `http://${h}`))
      return reply.code(403).send({ ok: false, error: { code: 'FORBIDDEN', message: 'cross-origin call refused' } })
  })
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Referrer-Policy', 'no-referrer')
  })

  app.post<{ Params: { name: string } }>('/rpc/:name', async (request, reply) => {
    const lang = request.headers['x-griddesk-lang'] === 'en' ? 'en' : 'zh-CN'
    const envelope = await core.dispatch(request.params.name, request.body ?? {}, lang)
    reply.header('Cache-Control', 'no-store')
    return envelope
  })
  // Import uploads: browser mode has no native file dialog, so the page sends the chosen file's
  // raw bytes here (not base64 inside JSON: a 50 MB file would be 67 MB of JSON parsed on this
  // thread) and import.start reads the kept copy by path, as Electron reads the chosen file.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload))
  app.post<{ Querystring: { name?: string } }>('/upload', async (request, reply) => {
    reply.header('Cache-Control', 'no-store')
    const fileName = uploadName(request.query.name)
    if (!fileName || request.headers['content-type'] !== 'application/octet-stream')
      return reply.code(400).send({ ok: false, error: { code: 'VALIDATION', message: 'POST the file as application/octet-stream with ?name=<file name>' } })
    const uploads = join(core.ctx.dataDir, 'uploads')
    removeOldUploads(uploads)
    const dir = join(uploads, uuidv7())
    mkdirSync(dir, { recursive: true })
    const path = join(dir, fileName)
    let bytes = 0
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length
        callback(bytes > UPLOAD_LIMIT ? new Error('too large') : null, chunk)
      },
    })
    try {
      await pipeline(request.body as Readable, counted, createWriteStream(path))
    } catch {
      rmSync(dir, { recursive: true, force: true })
      return reply.code(bytes > UPLOAD_LIMIT ? 413 : 400).send({ ok: false, error: { code: 'VALIDATION', message: `upload failed (at most ${UPLOAD_LIMIT / 1024 / 1024} MB)`, details: { bytes } } })
    }
    return { ok: true, value: { path, fileName, bytes } }
  })
  // Offline basemap tiles (MBTiles under <dataDir>/basemaps/); Electron serves the same through
  // the griddesk-tiles: protocol.
  app.get<{ Params: { id: string; z: string; x: string; y: string } }>('/tiles/:id/:z/:x/:y', async (request, reply) => {
    const { id, z, x, y } = request.params
    const at = parseTilePath(`${id}/${z}/${x}/${y}`)
    const tile = at && readTile(core.ctx.dataDir, at.id, at.z, at.x, at.y)
    if (!tile) return reply.code(204).header('Cache-Control', 'no-store').send()
    return reply.header('Content-Type', tile.contentType).header('Cache-Control', 'private, max-age=86400').send(tile.bytes)
  })
  await app.register(fastifyStatic, { root: rendererDir, index: 'index.html' })

  const address = await app.listen({ port, host })
  origin = address.replace('[::1]', 'localhost')
  return { url: `${origin}/`, close: () => app.close() }
}

const UPLOAD_LIMIT = 200 * 1024 * 1024
const UPLOAD_KEEP_MS = 24 * 3600_000

/** The uploaded file's name as a plain file name (no folders, no characters Windows refuses). */
function uploadName(name: string | undefined): string | null {
  const plain = basename(String(name ?? '').replace(/\\/g, '/')).replace(/[\p{Cc}<>:"|?*]/gu, '_').slice(0, 200)
  return plain && plain !== '.' && plain !== '..' ? plain : null
}

/** Uploads are kept a day: long enough to preview and commit, not to pile up. */
function removeOldUploads(uploads: string): void {
  if (!existsSync(uploads)) return
  const now = Date.now()
  for (const entry of readdirSync(uploads)) {
    const dir = join(uploads, entry)
    try {
      if (now - statSync(dir).mtimeMs > UPLOAD_KEEP_MS) rmSync(dir, { recursive: true, force: true })
    } catch {
      // Another request removed it first.
    }
  }
}
