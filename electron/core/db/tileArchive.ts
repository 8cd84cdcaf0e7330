// A tile archive, MBTiles (SQLite, opened read-only) or PMTiles (one file, read by byte ranges),
// behind one interface: what it holds (format, zooms, bounds, attribution, declared CRS) and its
// tiles in XYZ numbering. Used by the device's local basemaps and by HQ's catalogue. A file that is
// neither, or whose index cannot be read, is refused with a reason the UI translates.
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import Database from 'better-sqlite3'
import type { BasemapCrs } from '../../../shared/api/map'
import { basemapCrsList } from '../../../shared/api/map'
import { AppError } from '../../../shared/errors'

export const TILE_CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  pbf: 'application/x-protobuf',
}

export type ArchiveKind = 'mbtiles' | 'pmtiles'

export interface ArchiveInfo {
  kind: ArchiveKind
  name: string | null
  /** png, jpg, webp, or pbf (vector). */
  format: string
  minzoom: number
  maxzoom: number
  bounds: [number, number, number, number] | null
  attribution: string | null
  /** Tiles held (addressed tiles for PMTiles). */
  tiles: number
  /** The CRS the archive's metadata declares (a GridDesk extension), or null. */
  crs: BasemapCrs | null
}

export interface TileArchive extends ArchiveInfo {
  tile(z: number, x: number, y: number): Promise<Buffer | null>
  close(): void
}

export function refuse(reason: string, message: string, params: Record<string, string | number> = {}): never {
  throw new AppError('VALIDATION', message, { issues: [{ path: ['file'], message }], details: { reason, ...params } })
}

function openSqlite(file: string): Database.Database {
  const nativeBinding = process.env.GRIDDESK_NATIVE_BINDING
  return new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) })
}

export function sniffImage(bytes: Buffer | undefined | null): string | null {
  if (!bytes) return null
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'png'
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg'
  if (bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp'
  return null
}

const normaliseCrs = (text: string | undefined): BasemapCrs | null => {
  const declared = (text ?? '').toUpperCase().replace('WGS84', 'WGS-84').replace('GCJ02', 'GCJ-02').replace('BD09', 'BD-09')
  return (basemapCrsList as readonly string[]).includes(declared) ? (declared as BasemapCrs) : null
}

const validBounds = (b: unknown): [number, number, number, number] | null => {
  const list = Array.isArray(b) ? b.map(Number) : typeof b === 'string' ? b.split(',').map(Number) : []
  return list.length === 4 && list.every(Number.isFinite) ? (list as [number, number, number, number]) : null
}

function magic(file: string): string {
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(16)
    const n = readSync(fd, buf, 0, 16, 0)
    return buf.subarray(0, n).toString('latin1')
  } finally {
    closeSync(fd)
  }
}

function openMbtiles(file: string): TileArchive {
  let db: Database.Database
  try {
    db = openSqlite(file)
    db.prepare('SELECT count(*) FROM sqlite_master').get()
  } catch {
    refuse('basemapNotMbtiles', 'the file is not an MBTiles (SQLite) file')
  }
  try {
    const names = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").all() as { name: string }[]).map((r) => r.name))
    if (!names.has('tiles') || !names.has('metadata')) refuse('basemapNotMbtiles', 'the file has no tiles or metadata table: not an MBTiles file')
    const meta = new Map((db.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]))
    const tiles = (db.prepare('SELECT count(*) AS n FROM tiles').get() as { n: number }).n
    if (tiles === 0) refuse('basemapEmpty', 'the file holds no tiles')
    let format = (meta.get('format') ?? '').toLowerCase()
    if (format === 'mvt') format = 'pbf'
    if (!TILE_CONTENT_TYPES[format]) format = sniffImage((db.prepare('SELECT tile_data FROM tiles LIMIT 1').get() as { tile_data: Buffer }).tile_data) ?? ''
    if (!TILE_CONTENT_TYPES[format]) refuse('basemapFormat', `unknown tile format "${meta.get('format') ?? ''}"`, { format: meta.get('format') ?? '' })
    const zooms = db.prepare('SELECT min(zoom_level) AS lo, max(zoom_level) AS hi FROM tiles').get() as { lo: number; hi: number }
    const zoomOf = (key: string, fallback: number) => (meta.has(key) && Number.isInteger(Number(meta.get(key))) ? Number(meta.get(key)) : fallback)
    const select = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?')
    return {
      kind: 'mbtiles',
      name: meta.get('name')?.trim() || null,
      format,
      minzoom: zoomOf('minzoom', zooms.lo),
      maxzoom: zoomOf('maxzoom', zooms.hi),
      bounds: validBounds(meta.get('bounds')),
      attribution: meta.get('attribution')?.trim() || null,
      tiles,
      crs: normaliseCrs(meta.get('crs')),
      // MBTiles rows are TMS: row 0 is the south edge, so tile_row = 2^z − 1 − y.
      tile: async (z, x, y) => (select.get(z, x, 2 ** z - 1 - y) as { tile_data: Buffer } | undefined)?.tile_data ?? null,
      close: () => db.close(),
    }
  } catch (error) {
    db.close()
    throw error
  }
}

async function openPm(file: string): Promise<TileArchive> {
  // The PMTiles library loads with the first archive, not at start-up.
  const { openPmtiles, TILE_TYPES } = await import('../tiles/pmtiles')
  let reader: Awaited<ReturnType<typeof openPmtiles>>
  try {
    reader = await openPmtiles(file)
  } catch {
    return refuse('basemapCorrupt', 'the PMTiles file is damaged or not a PMTiles v3 archive: its header or directory cannot be read')
  }
  const { header, metadata } = reader
  // A file cut short (a copy that stopped, a download that did not finish) ends before its tile data.
  if (header.tileDataOffset + (header.tileDataLength ?? 0) > statSync(file).size) {
    reader.close()
    refuse('basemapCorrupt', 'the PMTiles file is damaged: it ends before its tile data (an interrupted copy?)')
  }
  const format = TILE_TYPES[header.tileType] ?? ''
  if (!TILE_CONTENT_TYPES[format]) {
    reader.close()
    refuse('basemapFormat', `unknown tile format (PMTiles tile type ${header.tileType})`, { format: String(header.tileType) })
  }
  if (header.numAddressedTiles === 0) {
    reader.close()
    refuse('basemapEmpty', 'the file holds no tiles')
  }
  const text = (k: string) => (typeof metadata[k] === 'string' ? (metadata[k] as string).trim() || null : null)
  const bounds: [number, number, number, number] = [header.minLon, header.minLat, header.maxLon, header.maxLat]
  return {
    kind: 'pmtiles',
    name: text('name'),
    format,
    minzoom: header.minZoom,
    maxzoom: header.maxZoom,
    bounds: bounds.every(Number.isFinite) && bounds[0] < bounds[2] ? bounds : validBounds(metadata.bounds),
    attribution: text('attribution'),
    tiles: header.numAddressedTiles,
    crs: normaliseCrs(text('crs') ?? undefined),
    tile: async (z, x, y) => {
      try {
        return await reader.tile(z, x, y)
      } catch {
        return null
      }
    },
    close: () => reader.close(),
  }
}

/** Opens an MBTiles or PMTiles file by its first bytes; refuses anything else in words. */
export async function openTileArchive(file: string): Promise<TileArchive> {
  let head: string
  try {
    head = magic(file)
  } catch {
    return refuse('basemapNotArchive', 'the file cannot be read')
  }
  if (head.startsWith('PMTiles')) return openPm(file)
  if (head.startsWith('SQLite format 3')) return openMbtiles(file)
  return refuse('basemapNotArchive', 'the file is neither an MBTiles nor a PMTiles archive')
}

/** What the archive holds; refuses a file that is not one, or is damaged, in words. */
export async function checkTileArchive(file: string): Promise<ArchiveInfo> {
  const archive = await openTileArchive(file)
  try {
    const { tile: _tile, close: _close, ...info } = archive
    return info
  } finally {
    archive.close()
  }
}
