// HQ's basemaps: tile archives (MBTiles or PMTiles, raster or vector) an admin adds with
// `hq:admin basemap add FILE --name …`, kept in <data-dir>/basemaps/ (<id>.<kind> and <id>.json),
// and served to enrolled devices only, each within the box of its regions plus a margin:
//   GET /v1/basemaps                        the catalogue and the device's box
//   GET /v1/basemaps/:id/estimate           tiles per zoom in the box and their measured mean size
//   GET /v1/basemaps/:id/tiles/:z/:x/:y     one tile (ETag, If-None-Match, Range)
import { createHash, randomUUID } from 'node:crypto'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { BasemapCrs } from '../shared/api/map'
import { basemapCrsList } from '../shared/api/map'
import { AppError } from '../shared/errors'
import type { HqBasemap, HqBasemapList, HqEstimate } from '../shared/sync/basemaps'
import { boxOfGeometries, growBox, tileCount, tileInBox, tileRange, type Box } from '../shared/tiles'
import { checkTileArchive, openTileArchive, TILE_CONTENT_TYPES, type ArchiveKind, type TileArchive } from '../electron/core/db/tileArchive'
import { gzipped } from '../electron/core/tiles/pmtiles'
import type { DevicePrincipal } from './accounts'
import type { HqDb } from './db/client'
import { query, scopeOf } from './sync'

/** Margin around the regions' box: a tenth of its size, and at least ~2 km. */
export const BOX_MARGIN = { fraction: 0.1, minDegrees: 0.02 }
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** Tiles read per zoom to measure the mean tile size. */
const SAMPLE_PER_ZOOM = 48

type Entry = Omit<HqBasemap, 'bytes'> & { kind: ArchiveKind }

export class BasemapAdminError extends Error {}

/** Copies the archive into the catalogue after checking it; refuses a damaged or unknown file. */
export async function addHqBasemap(dir: string, file: string, options: { name?: string; crs?: string }): Promise<HqBasemap> {
  if (!existsSync(file)) throw new BasemapAdminError(`no file at ${file}`)
  if (options.crs !== undefined && !(basemapCrsList as readonly string[]).includes(options.crs))
    throw new BasemapAdminError(`--crs must be one of ${basemapCrsList.join(', ')}`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const id = randomUUID()
  const part = join(dir, `${id}.part`)
  try {
    copyFileSync(file, part)
    chmodSync(part, 0o600)
    let info
    try {
      info = await checkTileArchive(part)
    } catch (error) {
      if (error instanceof AppError) throw new BasemapAdminError(`${file}: ${error.message}; nothing was added`)
      throw error
    }
    const entry: Entry = {
      id,
      name:
        options.name ??
        info.name ??
        file
          .split(/[\\/]/)
          .at(-1)!
          .replace(/\.(mbtiles|pmtiles)$/i, ''),
      format: info.format,
      vector: info.format === 'pbf',
      minzoom: info.minzoom,
      maxzoom: info.maxzoom,
      bounds: info.bounds,
      attribution: info.attribution,
      crs: (options.crs as BasemapCrs | undefined) ?? info.crs ?? 'WGS-84',
      tiles: info.tiles,
      kind: info.kind,
      addedAt: new Date().toISOString(),
    }
    renameSync(part, join(dir, `${id}.${info.kind}`))
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(entry, null, 2), { mode: 0o600 })
    return { ...publicOf(entry), bytes: statSync(join(dir, `${id}.${info.kind}`)).size }
  } finally {
    rmSync(part, { force: true })
  }
}

const publicOf = ({ kind: _kind, ...entry }: Entry): Omit<HqBasemap, 'bytes'> => entry

function readEntry(dir: string, id: string): Entry | null {
  if (!ID.test(id)) return null
  try {
    const entry = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as Entry
    return existsSync(join(dir, `${id}.${entry.kind}`)) ? entry : null
  } catch {
    return null
  }
}

export function listHqBasemaps(dir: string): HqBasemap[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readEntry(dir, f.slice(0, -5)))
    .filter((e): e is Entry => e !== null)
    .sort((a, b) => a.addedAt.localeCompare(b.addedAt))
    .map((e) => ({ ...publicOf(e), bytes: statSync(join(dir, `${e.id}.${e.kind}`)).size }))
}

export function removeHqBasemap(dir: string, id: string): boolean {
  const entry = readEntry(dir, id)
  if (!entry) return false
  closeArchive(dir, id)
  rmSync(join(dir, `${id}.${entry.kind}`), { force: true })
  rmSync(join(dir, `${id}.json`), { force: true })
  return true
}

const archives = new Map<string, Promise<TileArchive>>()
function archiveOf(dir: string, entry: Entry): Promise<TileArchive> {
  const key = join(dir, entry.id)
  let open = archives.get(key)
  if (!open) {
    open = openTileArchive(join(dir, `${entry.id}.${entry.kind}`))
    archives.set(key, open)
    open.catch(() => archives.delete(key))
  }
  return open
}
function closeArchive(dir: string, id: string) {
  const open = archives.get(join(dir, id))
  archives.delete(join(dir, id))
  void open?.then((a) => a.close()).catch(() => undefined)
}
export function closeHqBasemaps(): void {
  for (const key of [...archives.keys()]) closeArchive(key, '')
}

/**
 * The box a device may have tiles in: its regions' grid and village outlines (org units and
 * villages HQ holds for those regions), grown by the margin. Null for HQ roles (everywhere), and
 * 'none' for a user without regions or outlines.
 */
export async function deviceBox(db: HqDb, principal: Pick<DevicePrincipal, 'userId' | 'role'>): Promise<Box | null | 'none'> {
  // A prefetch asks for thousands of tiles: the box is worked out once a minute per user, not per tile.
  const key = `${principal.userId}:${principal.role}`
  const cached = boxes.get(key)
  if (cached && cached.until > Date.now()) return cached.box
  const box = await computeBox(db, principal)
  boxes.set(key, { box, until: Date.now() + 60_000 })
  return box
}
const boxes = new Map<string, { box: Box | null | 'none'; until: number }>()

async function computeBox(db: HqDb, principal: Pick<DevicePrincipal, 'userId' | 'role'>): Promise<Box | null | 'none'> {
  const scope = await scopeOf(db, principal)
  if (scope === '*') return null
  if (scope.length === 0) return 'none'
  const rows = await query<{ boundary: string }>(
    db,
    sql`SELECT fields->>'boundary' AS boundary FROM rows WHERE table_name IN ('org_units', 'villages') AND NOT deleted AND fields->>'boundary' IS NOT NULL AND region IN (${sql.join(
      scope.map((r) => sql`${r}`),
      sql`, `,
    )})`,
  )
  const geometries = rows.flatMap((r) => {
    try {
      return [JSON.parse(r.boundary) as { coordinates?: unknown }]
    } catch {
      return []
    }
  })
  const box = boxOfGeometries(geometries)
  return box ? growBox(box, BOX_MARGIN.fraction, BOX_MARGIN.minDegrees) : 'none'
}

/** The device's box within the basemap's own bounds (the box alone when the archive does not say). */
function effectiveBox(entry: Entry, box: Box | null): Box | null {
  const b = entry.bounds
  if (!box) return b
  if (!b) return box
  const out: Box = [Math.max(box[0], b[0]), Math.max(box[1], b[1]), Math.min(box[2], b[2]), Math.min(box[3], b[3])]
  return out[0] <= out[2] && out[1] <= out[3] ? out : null
}

export async function estimateTiles(archive: TileArchive, box: Box, minzoom: number, maxzoom: number): Promise<HqEstimate> {
  const zooms: HqEstimate['zooms'] = []
  for (let z = minzoom; z <= maxzoom; z++) {
    const r = tileRange(box, z)
    const count = tileCount(box, z)
    const width = r.x1 - r.x0 + 1
    const step = Math.max(1, Math.floor(count / SAMPLE_PER_ZOOM))
    let sampled = 0
    let present = 0
    let bytes = 0
    for (let i = Math.floor(step / 2); i < count && sampled < SAMPLE_PER_ZOOM; i += step) {
      const tile = await archive.tile(z, r.x0 + (i % width), r.y0 + Math.floor(i / width))
      sampled++
      if (tile) {
        present++
        // A device keeps vector tiles gzip-compressed: measured so, even where this archive does not store them so.
        bytes += archive.format === 'pbf' ? gzipped(tile).length : tile.length
      }
    }
    const meanBytes = present ? bytes / present : 0
    const presentShare = sampled ? present / sampled : 0
    zooms.push({ z, tiles: count, meanBytes: Math.round(meanBytes), bytes: Math.round(count * presentShare * meanBytes) })
  }
  return { zooms, tiles: zooms.reduce((n, z) => n + z.tiles, 0), bytes: zooms.reduce((n, z) => n + z.bytes, 0) }
}

class RouteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Registers the basemap routes behind the sync routes' device authentication. */
export function registerBasemapRoutes(
  app: FastifyInstance,
  options: { db: HqDb; dir: string; requireDevice: (request: FastifyRequest) => Promise<void> },
): void {
  const { db, dir, requireDevice } = options
  const send = (reply: { status(n: number): { send(body: unknown): unknown } }, e: RouteError) =>
    reply.status(e.status).send({ error: { code: e.code, message: e.message } })
  const find = async (request: FastifyRequest, id: string) => {
    const entry = readEntry(dir, id)
    if (!entry) throw new RouteError(404, 'NOT_FOUND', 'HQ has no such basemap (an admin may have removed it)')
    const box = await deviceBox(db, request.principal!)
    if (box === 'none') throw new RouteError(403, 'FORBIDDEN', 'your user has no regions with outlines at HQ: there is no area to send basemap tiles for')
    return { entry, box: effectiveBox(entry, box) }
  }
  const guard = async <T>(reply: Parameters<typeof send>[0], work: () => Promise<T>) => {
    try {
      return await work()
    } catch (error) {
      if (error instanceof RouteError) return send(reply, error)
      throw error
    }
  }

  app.get('/v1/basemaps', { preHandler: requireDevice }, async (request) => {
    const box = await deviceBox(db, request.principal!)
    const body: HqBasemapList = { box: box === 'none' ? null : box, hasArea: box !== 'none', basemaps: listHqBasemaps(dir) }
    return body
  })

  app.get<{ Params: { id: string }; Querystring: { minzoom?: string; maxzoom?: string } }>(
    '/v1/basemaps/:id/estimate',
    { preHandler: requireDevice },
    async (request, reply) =>
      guard(reply, async () => {
        const { entry, box } = await find(request, request.params.id)
        const minzoom = Math.max(entry.minzoom, Number(request.query.minzoom ?? entry.minzoom))
        const maxzoom = Math.min(entry.maxzoom, Number(request.query.maxzoom ?? entry.maxzoom))
        if (!Number.isInteger(minzoom) || !Number.isInteger(maxzoom) || minzoom > maxzoom)
          throw new RouteError(400, 'VALIDATION', `zoom levels must lie within ${entry.minzoom}–${entry.maxzoom}`)
        if (!box) return { zooms: [], tiles: 0, bytes: 0, box: null } satisfies HqEstimate & { box: null }
        return { ...(await estimateTiles(await archiveOf(dir, entry), box, minzoom, maxzoom)), box }
      }),
  )

  app.get<{ Params: { id: string; z: string; x: string; y: string } }>(
    '/v1/basemaps/:id/tiles/:z/:x/:y',
    { preHandler: requireDevice },
    async (request, reply) =>
      guard(reply, async () => {
        const [z, x, y] = [request.params.z, request.params.x, request.params.y.replace(/\.\w+$/, '')].map(Number) as [number, number, number]
        if (![z, x, y].every(Number.isInteger) || z < 0 || z > 24 || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z)
          throw new RouteError(400, 'VALIDATION', 'no such tile address')
        const { entry, box } = await find(request, request.params.id)
        if (!box || !tileInBox(box, z, x, y)) throw new RouteError(403, 'OUTSIDE_REGION', 'this tile lies outside your regions')
        const bytes = await (await archiveOf(dir, entry)).tile(z, x, y)
        if (!bytes) throw new RouteError(404, 'NO_TILE', 'the basemap has no tile there')
        const etag = `"${createHash('sha1').update(bytes).digest('base64url')}"`
        reply
          .header('etag', etag)
          .header('cache-control', 'private, max-age=86400')
          .header('accept-ranges', 'bytes')
          .header('content-type', TILE_CONTENT_TYPES[entry.format] ?? 'application/octet-stream')
        if (entry.format === 'pbf' && bytes[0] === 0x1f && bytes[1] === 0x8b) reply.header('content-encoding', 'gzip')
        if (request.headers['if-none-match'] === etag) return reply.status(304).send()
        const range = /^bytes=(\d*)-(\d*)$/.exec(String(request.headers.range ?? ''))
        const ifRange = request.headers['if-range']
        if (range && (!ifRange || ifRange === etag) && (range[1] || range[2])) {
          const start = range[1] ? Number(range[1]) : Math.max(0, bytes.length - Number(range[2]))
          const end = range[1] && range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1
          if (start > end || start >= bytes.length) return reply.status(416).header('content-range', `bytes */${bytes.length}`).send()
          return reply
            .status(206)
            .header('content-range', `bytes ${start}-${end}/${bytes.length}`)
            .send(bytes.subarray(start, end + 1))
        }
        return reply.send(bytes)
      }),
  )
}
