// A small raster MBTiles file made on the spot, for tests, e2e and the bench: PNG tiles (a minimal
// PNG encoder: IHDR + one zlib IDAT + IEND) around a lon/lat box, each tile tinted by its position
// with a darker edge, so a wrong y flip or a missing tile shows.
import { deflateSync } from 'node:zlib'
import Database from 'better-sqlite3'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** An RGB PNG of `size`×`size` pixels coloured by `pixel(x, y)`. */
export function encodePng(size: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (size * 3 + 1))
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1) // each row starts with filter type 0
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), row + 1 + x * 3)
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit, RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array()),
  ])
}

const lonToX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z)
const latToY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z)
}

export interface FixtureOptions {
  /** [west, south, east, north] */
  bounds: [number, number, number, number]
  minzoom: number
  maxzoom: number
  name?: string
  attribution?: string
  /** Written as metadata `crs` (a GridDesk extension; absent means WGS-84). */
  crs?: string
  size?: number
  /** Speckle a band of rows whose height depends on the tile, so tile sizes vary as real ones do. */
  texture?: boolean
}

/** A tile's deterministic pseudo-random number in [0, 1). */
const hash01 = (z: number, x: number, y: number, i = 0) => {
  let h = (z * 374761393 + x * 668265263 + y * 2147483647 + i * 1274126177) | 0
  h = Math.imul(h ^ (h >>> 13), 1274126177)
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32
}

/** The PNG of tile z/x/y as the fixture draws it. */
export function fixtureTile(z: number, x: number, y: number, size: number | undefined = 256, texture = false): Buffer {
  // A soft green-beige ground, tinted by x/y so neighbours differ; a darker 2-px edge.
  const base: [number, number, number] = [226 - ((x * 7) % 24), 232 - ((y * 11) % 20), 208 + ((x + y) % 3) * 6]
  const edge: [number, number, number] = [base[0] - 40, base[1] - 40, base[2] - 40]
  const band = texture ? Math.floor(hash01(z, x, y) * size * 0.4) : 0
  return encodePng(size, (px, py) => {
    if (px < 2 || py < 2) return edge
    if (py >= size - band) {
      const n = Math.floor(hash01(px, py, x + y, z) * 40)
      return [base[0] - n, base[1] - n, base[2] - n]
    }
    return base
  })
}

/** Every tile of the fixture as [z, x, y, png] (for writing other archive kinds). */
export function* fixtureTiles(options: FixtureOptions): Generator<[number, number, number, Buffer]> {
  const [west, south, east, north] = options.bounds
  for (let z = options.minzoom; z <= options.maxzoom; z++)
    for (let x = lonToX(west, z); x <= lonToX(east, z); x++)
      for (let y = latToY(north, z); y <= latToY(south, z); y++) yield [z, x, y, fixtureTile(z, x, y, options.size, options.texture)]
}

/** Writes the MBTiles file; returns the XYZ tiles it holds and the PNG bytes of each. */
export function writeFixtureMbtiles(file: string, options: FixtureOptions): Map<string, Buffer> {
  const db = new Database(file)
  const tiles = new Map<string, Buffer>()
  try {
    db.exec(
      'CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB); CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);',
    )
    const meta = db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)')
    const entries: [string, string][] = [
      ['name', options.name ?? 'Test basemap'],
      ['format', 'png'],
      ['type', 'baselayer'],
      ['minzoom', String(options.minzoom)],
      ['maxzoom', String(options.maxzoom)],
      ['bounds', options.bounds.join(',')],
      ['attribution', options.attribution ?? '© GridDesk test tiles'],
    ]
    if (options.crs) entries.push(['crs', options.crs])
    for (const [k, v] of entries) meta.run(k, v)
    const insert = db.prepare('INSERT INTO tiles VALUES (?, ?, ?, ?)')
    db.transaction(() => {
      for (const [z, x, y, png] of fixtureTiles(options)) {
        insert.run(z, x, 2 ** z - 1 - y, png) // MBTiles rows are TMS
        tiles.set(`${z}/${x}/${y}`, png)
      }
    })()
  } finally {
    db.close()
  }
  return tiles
}
