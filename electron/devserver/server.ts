// Browser mode: a local HTTP server on 127.0.0.1 that serves the built renderer and answers
// POST /rpc/:name over the same handler table as Electron IPC. Used by e2e tests and by anyone
// without the Electron runtime.
import { existsSync } from 'node:fs'
import fastifyStatic from '@fastify/static'
import Fastify from 'fastify'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import type { Core } from '../core/app'
import { parseTilePath, readTile } from '../core/basemaps/mbtiles'

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
