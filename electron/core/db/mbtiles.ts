// Offline basemaps: raster or vector MBTiles or PMTiles archives kept under <dataDir>/basemaps/
// (<id>.mbtiles or <id>.pmtiles, and a <id>.json sidecar with the name, declared CRS and the
// metadata read at import), imported from a file or prefetched from HQ, and tile reads for the two
// servers (the griddesk-tiles: protocol in Electron, GET /tiles/... in browser mode).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { v7 as uuidv7 } from 'uuid'
import type { Basemap, BasemapCrs } from '../../../shared/api/map'
import { AppError } from '../../../shared/errors'
import { PRIVATE_FILE_MODE } from '../privateFiles'
import { checkTileArchive, openTileArchive, TILE_CONTENT_TYPES, type ArchiveInfo, type ArchiveKind, type TileArchive } from './tileArchive'

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const basemapsDir = (dataDir: string) => join(dataDir, 'basemaps')

/** `archive`: the file's kind (absent in sidecars written before PMTiles: MBTiles). */
type Sidecar = Omit<Basemap, 'bytes'> & { fileName: string; archive?: ArchiveKind }

const fileOf = (dir: string, id: string, archive: ArchiveKind = 'mbtiles') => join(dir, `${id}.${archive}`)

export interface BasemapSource {
  path?: string
  fileName?: string
  bytes?: Uint8Array
}

/** Copies the file into the data dir, checks it, writes the sidecar. Nothing stays on failure. */
export async function addBasemap(dataDir: string, source: BasemapSource, options: { name?: string; crs?: BasemapCrs }, now = new Date()): Promise<Basemap> {
  const dir = basemapsDir(dataDir)
  mkdirSync(dir, { recursive: true })
  const id = uuidv7()
  const part = join(dir, `${id}.part`)
  const fileName = source.path ? source.path.split(/[\\/]/).at(-1)! : (source.fileName ?? 'basemap.mbtiles')
  try {
    if (source.path) {
      if (!existsSync(source.path)) throw new AppError('NOT_FOUND', `no file at ${source.path}`, { details: { path: source.path } })
      copyFileSync(source.path, part)
      chmodSync(part, PRIVATE_FILE_MODE) // a copy keeps the source's mode, whatever the umask
    } else writeFileSync(part, source.bytes ?? new Uint8Array(), { mode: PRIVATE_FILE_MODE })
    const info = await checkTileArchive(part)
    return saveBasemap(dataDir, part, info, {
      id,
      name: options.name ?? info.name ?? fileName.replace(/\.(mbtiles|pmtiles)$/i, ''),
      crs: options.crs ?? info.crs ?? 'WGS-84',
      fileName,
      addedAt: now.toISOString(),
    })
  } finally {
    rmSync(part, { force: true })
  }
}

/** Moves a checked archive into place under `id` and writes its sidecar (import and prefetch). */
export function saveBasemap(
  dataDir: string,
  file: string,
  info: ArchiveInfo,
  given: { id: string; name: string; crs: BasemapCrs; fileName: string; addedAt: string; source?: Basemap['source'] },
): Basemap {
  const dir = basemapsDir(dataDir)
  mkdirSync(dir, { recursive: true })
  const sidecar: Sidecar = {
    ...given,
    format: info.format,
    minzoom: info.minzoom,
    maxzoom: info.maxzoom,
    bounds: info.bounds,
    attribution: info.attribution,
    tiles: info.tiles,
    archive: info.kind,
  }
  renameSync(file, fileOf(dir, given.id, info.kind))
  writeFileSync(join(dir, `${given.id}.json`), JSON.stringify(sidecar, null, 2), { mode: PRIVATE_FILE_MODE })
  return toBasemap(dir, sidecar)
}

function toBasemap(dir: string, sidecar: Sidecar): Basemap {
  const { fileName: _fileName, archive: _archive, ...basemap } = sidecar
  const file = fileOf(dir, sidecar.id, sidecar.archive)
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
    .filter((f) => f.endsWith('.json') && ID.test(f.slice(0, -5)))
    .map((f) => readSidecar(dir, f.slice(0, -5)))
    .filter((s): s is Sidecar => s !== null && existsSync(fileOf(dir, s.id, s.archive)))
    .sort((a, b) => a.addedAt.localeCompare(b.addedAt))
    .map((s) => toBasemap(dir, s))
}

export function removeBasemap(dataDir: string, id: string): boolean {
  const dir = basemapsDir(dataDir)
  const file = fileOf(dir, id, readSidecar(dir, id)?.archive)
  closeTiles(file)
  const existed = existsSync(file)
  rmSync(file, { force: true })
  rmSync(join(dir, `${id}.json`), { force: true })
  return existed
}

// Open archives, one per basemap file, kept for the tile requests that follow.
const handles = new Map<string, Promise<{ archive: TileArchive; contentType: string }>>()

function closeTiles(file: string) {
  const handle = handles.get(file)
  handles.delete(file)
  void handle?.then((h) => h.archive.close()).catch(() => undefined)
}

/** Closes every open basemap (core shutdown, tests). */
export function closeAllBasemaps() {
  for (const file of [...handles.keys()]) closeTiles(file)
}

/** One tile in XYZ numbering (what Leaflet asks for). Null when the basemap or the tile is not there. */
export async function readTile(dataDir: string, id: string, z: number, x: number, y: number): Promise<{ bytes: Buffer; contentType: string } | null> {
  if (!ID.test(id) || ![z, x, y].every(Number.isInteger) || z < 0 || z > 24) return null
  const max = 2 ** z
  if (x < 0 || y < 0 || x >= max || y >= max) return null
  const dir = basemapsDir(dataDir)
  const sidecar = readSidecar(dir, id)
  if (!sidecar) return null
  const file = fileOf(dir, id, sidecar.archive)
  let handle = handles.get(file)
  if (!handle) {
    if (!existsSync(file)) return null
    handle = openTileArchive(file).then((archive) => ({ archive, contentType: TILE_CONTENT_TYPES[archive.format] ?? 'image/png' }))
    handles.set(file, handle)
    handle.catch(() => handles.delete(file))
  }
  try {
    const { archive, contentType } = await handle
    const bytes = await archive.tile(z, x, y)
    if (!bytes) return null
    // Vector tiles go to the map as plain protobuf (MBTiles usually hold them gzip-compressed).
    return { bytes: archive.format === 'pbf' ? gunzipped(bytes) : bytes, contentType }
  } catch {
    return null
  }
}

/** A tile's bytes without their gzip compression (as they are when not compressed). */
export const gunzipped = (bytes: Buffer): Buffer => (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes)

/** Parses /<id>/<z>/<x>/<y>[.ext] (the path part of both tile URLs). */
export function parseTilePath(path: string): { id: string; z: number; x: number; y: number } | null {
  const match = /^\/?([0-9a-f-]{36})\/(\d{1,2})\/(\d{1,8})\/(\d{1,8})(?:\.\w+)?$/.exec(path)
  return match ? { id: match[1]!, z: Number(match[2]), x: Number(match[3]), y: Number(match[4]) } : null
}
