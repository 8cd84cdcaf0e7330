// Offline basemaps: raster MBTiles files kept under <dataDir>/basemaps/ (<id>.mbtiles and a
// <id>.json sidecar with the name, declared CRS and the metadata read at import), and tile reads
// for the two servers (the griddesk-tiles: protocol in Electron, GET /tiles/... in browser mode).
// An MBTiles file is SQLite of its own, opened read-only: not the app database, so its SQL lives
// here rather than in db/repos.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { v7 as uuidv7 } from 'uuid'
import type { Basemap, BasemapCrs } from '../../../shared/api/map'
import { basemapCrsList } from '../../../shared/api/map'
import { AppError } from '../../../shared/errors'
import { PRIVATE_FILE_MODE } from '../privateFiles'

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const FORMATS: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' }

export const basemapsDir = (dataDir: string) => join(dataDir, 'basemaps')

type Sidecar = Omit<Basemap, 'bytes'> & { fileName: string }

function open(file: string): Database.Database {
  const nativeBinding = process.env.GRIDDESK_NATIVE_BINDING
  return new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) })
}

function refuse(reason: string, message: string, params: Record<string, string | number> = {}): never {
  throw new AppError('VALIDATION', message, { issues: [{ path: ['file'], message }], details: { reason, ...params } })
}

/** Reads and checks an MBTiles file's metadata; refuses vector and empty tile sets. */
function inspect(file: string, fallbackName: string): Omit<Sidecar, 'id' | 'crs' | 'addedAt' | 'fileName'> & { metadataCrs: BasemapCrs | null } {
  let db: Database.Database
  try {
    db = open(file)
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
    if (format === 'pbf' || format === 'mvt') refuse('basemapVector', 'vector tiles (pbf) are not supported: import a raster (png/jpg/webp) MBTiles file')
    if (!FORMATS[format]) format = sniff((db.prepare('SELECT tile_data FROM tiles LIMIT 1').get() as { tile_data: Buffer }).tile_data) ?? ''
    if (!FORMATS[format]) refuse('basemapFormat', `unknown tile format "${meta.get('format') ?? ''}"`, { format: meta.get('format') ?? '' })
    const zooms = db.prepare('SELECT min(zoom_level) AS lo, max(zoom_level) AS hi FROM tiles').get() as { lo: number; hi: number }
    const bounds = (meta.get('bounds') ?? '').split(',').map(Number)
    const declared = (meta.get('crs') ?? '').toUpperCase().replace('WGS84', 'WGS-84').replace('GCJ02', 'GCJ-02').replace('BD09', 'BD-09')
    return {
      name: meta.get('name')?.trim() || fallbackName,
      format,
      minzoom: Number.isInteger(Number(meta.get('minzoom'))) && meta.has('minzoom') ? Number(meta.get('minzoom')) : zooms.lo,
      maxzoom: Number.isInteger(Number(meta.get('maxzoom'))) && meta.has('maxzoom') ? Number(meta.get('maxzoom')) : zooms.hi,
      bounds: bounds.length === 4 && bounds.every(Number.isFinite) ? (bounds as [number, number, number, number]) : null,
      attribution: meta.get('attribution')?.trim() || null,
      tiles,
      metadataCrs: (basemapCrsList as readonly string[]).includes(declared) ? (declared as BasemapCrs) : null,
    }
  } finally {
    db.close()
  }
}

function sniff(bytes: Buffer | undefined): string | null {
  if (!bytes) return null
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'png'
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg'
  if (bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp'
  return null
}

export interface BasemapSource {
  path?: string
  fileName?: string
  bytes?: Uint8Array
}

/** Copies the file into the data dir, checks it, writes the sidecar. Nothing stays on failure. */
export function addBasemap(dataDir: string, source: BasemapSource, options: { name?: string; crs?: BasemapCrs }, now = new Date()): Basemap {
  const dir = basemapsDir(dataDir)
  mkdirSync(dir, { recursive: true })
  const id = uuidv7()
  const part = join(dir, `${id}.mbtiles.part`)
  const fileName = source.path ? source.path.split(/[\\/]/).at(-1)! : (source.fileName ?? 'basemap.mbtiles')
  try {
    if (source.path) {
      if (!existsSync(source.path)) throw new AppError('NOT_FOUND', `no file at ${source.path}`, { details: { path: source.path } })
      copyFileSync(source.path, part)
      chmodSync(part, PRIVATE_FILE_MODE) // a copy keeps the source's mode, whatever the umask
    } else writeFileSync(part, source.bytes ?? new Uint8Array(), { mode: PRIVATE_FILE_MODE })
    const info = inspect(part, fileName.replace(/\.mbtiles$/i, ''))
    const { metadataCrs, ...rest } = info
    const sidecar: Sidecar = { id, ...rest, name: options.name ?? rest.name, crs: options.crs ?? metadataCrs ?? 'WGS-84', addedAt: now.toISOString(), fileName }
    renameSync(part, join(dir, `${id}.mbtiles`))
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(sidecar, null, 2), { mode: PRIVATE_FILE_MODE })
    return toBasemap(dir, sidecar)
  } finally {
    rmSync(part, { force: true })
  }
}

function toBasemap(dir: string, sidecar: Sidecar): Basemap {
  const { fileName: _fileName, ...basemap } = sidecar
  const file = join(dir, `${sidecar.id}.mbtiles`)
  return { ...basemap, bytes: existsSync(file) ? statSync(file).size : 0 }
}

function readSidecar(dir: string, id: string): Sidecar | null {
  try {
    return JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as Sidecar
  } catch {
    return null
  }
}

export function listBasemaps(dataDir: string): Basemap[] {
  const dir = basemapsDir(dataDir)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && ID.test(f.slice(0, -5)) && existsSync(join(dir, `${f.slice(0, -5)}.mbtiles`)))
    .map((f) => readSidecar(dir, f.slice(0, -5)))
    .filter((s): s is Sidecar => s !== null)
    .sort((a, b) => a.addedAt.localeCompare(b.addedAt))
    .map((s) => toBasemap(dir, s))
}

export function removeBasemap(dataDir: string, id: string): boolean {
  const dir = basemapsDir(dataDir)
  const file = join(dir, `${id}.mbtiles`)
  closeTiles(file)
  const existed = existsSync(file)
  rmSync(file, { force: true })
  rmSync(join(dir, `${id}.json`), { force: true })
  return existed
}

// Open read-only handles, one per basemap file, kept for the tile requests that follow.
const handles = new Map<string, { db: Database.Database; tile: Database.Statement; contentType: string }>()

function closeTiles(file: string) {
  handles.get(file)?.db.close()
  handles.delete(file)
}

/** Closes every open basemap (core shutdown, tests). */
export function closeAllBasemaps() {
  for (const file of [...handles.keys()]) closeTiles(file)
}

/**
 * One tile in XYZ numbering (what Leaflet asks for). MBTiles rows are TMS: row 0 is the south
 * edge, so tile_row = 2^z − 1 − y. Null when the basemap or the tile is not there.
 */
export function readTile(dataDir: string, id: string, z: number, x: number, y: number): { bytes: Buffer; contentType: string } | null {
  if (!ID.test(id) || ![z, x, y].every(Number.isInteger) || z < 0 || z > 24) return null
  const max = 2 ** z
  if (x < 0 || y < 0 || x >= max || y >= max) return null
  const dir = basemapsDir(dataDir)
  const file = join(dir, `${id}.mbtiles`)
  let handle = handles.get(file)
  if (!handle) {
    if (!existsSync(file)) return null
    const sidecar = readSidecar(dir, id)
    const db = open(file)
    handle = { db, tile: db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?'), contentType: FORMATS[sidecar?.format ?? 'png'] ?? 'image/png' }
    handles.set(file, handle)
  }
  const row = handle.tile.get(z, x, max - 1 - y) as { tile_data: Buffer } | undefined
  return row ? { bytes: row.tile_data, contentType: handle.contentType } : null
}

/** Parses /<id>/<z>/<x>/<y>[.ext] (the path part of both tile URLs). */
export function parseTilePath(path: string): { id: string; z: number; x: number; y: number } | null {
  const match = /^\/?([0-9a-f-]{36})\/(\d{1,2})\/(\d{1,8})\/(\d{1,8})(?:\.\w+)?$/.exec(path)
  return match ? { id: match[1]!, z: Number(match[2]), x: Number(match[3]), y: Number(match[4]) } : null
}
