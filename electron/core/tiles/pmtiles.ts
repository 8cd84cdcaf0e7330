// PMTiles v3 archives: read with the `pmtiles` package over a file handle, and written here (the
// package only reads). The writer is deterministic: the same tiles give the same bytes whatever
// order they arrived in (entries sorted by tile id, identical tiles stored once, no timestamps),
// which is what lets a prefetch that was interrupted and resumed end in the very same archive.
// The writer keeps only the index in memory, so a large region fits (see writePmtiles).
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync, writeSync, fsyncSync, renameSync, rmSync } from 'node:fs'
import { gunzipSync, gzipSync } from 'node:zlib'
import { Compression, PMTiles, TileType, zxyToTileId, type Source } from 'pmtiles'

export { zxyToTileId }

/** A vector tile gzip-compressed (level 6, no name or time in the header: the same bytes every time), unless it already is. */
export const gzipped = (bytes: Buffer): Buffer => (bytes[0] === 0x1f && bytes[1] === 0x8b ? bytes : gzipSync(bytes, { level: 6 }))

const HEADER_BYTES = 127
const ROOT_MAX_BYTES = 16_384 - HEADER_BYTES

/** Reads byte ranges of a local file (the package's own FileSource is the browser's File API). */
class NodeFileSource implements Source {
  private fd: number | null
  constructor(private readonly file: string) {
    this.fd = openSync(file, 'r')
  }
  getKey = () => this.file
  async getBytes(offset: number, length: number) {
    if (this.fd === null) throw new Error('archive closed')
    const buf = Buffer.alloc(length)
    const n = readSync(this.fd, buf, 0, length, offset)
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + n) as ArrayBuffer }
  }
  close() {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }
}

const decompress = async (buf: ArrayBuffer, compression: Compression): Promise<ArrayBuffer> => {
  if (compression === Compression.None || compression === Compression.Unknown) return buf
  if (compression === Compression.Gzip) {
    const out = gunzipSync(new Uint8Array(buf))
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer
  }
  throw new Error(`PMTiles compression ${compression} is not supported`)
}

export const TILE_TYPES: Record<number, string> = {
  [TileType.Png]: 'png',
  [TileType.Jpeg]: 'jpg',
  [TileType.Webp]: 'webp',
  [TileType.Mvt]: 'pbf',
  [TileType.Avif]: 'avif',
}
const TYPE_OF: Record<string, TileType> = {
  png: TileType.Png,
  jpg: TileType.Jpeg,
  jpeg: TileType.Jpeg,
  webp: TileType.Webp,
  pbf: TileType.Mvt,
  mvt: TileType.Mvt,
}

export interface PmtilesReader {
  header: Awaited<ReturnType<PMTiles['getHeader']>>
  metadata: Record<string, unknown>
  /** The tile's bytes as stored (vector tiles may be gzip-compressed: tileCompression says). */
  tile(z: number, x: number, y: number): Promise<Buffer | null>
  close(): void
}

/** Opens a PMTiles file; throws when it is not one (bad magic, unknown version, unreadable directory). */
export async function openPmtiles(file: string): Promise<PmtilesReader> {
  const source = new NodeFileSource(file)
  try {
    const head = Buffer.from((await source.getBytes(0, 8)).data)
    if (head.subarray(0, 7).toString('latin1') !== 'PMTiles' || head[7] !== 3) throw new Error('not a PMTiles v3 file')
    const archive = new PMTiles(source, undefined, decompress)
    const header = await archive.getHeader()
    const metadata = ((await archive.getMetadata()) ?? {}) as Record<string, unknown>
    return {
      header,
      metadata,
      tile: async (z, x, y) => {
        const r = await archive.getZxy(z, x, y)
        return r ? Buffer.from(r.data) : null
      },
      close: () => source.close(),
    }
  } catch (error) {
    source.close()
    throw error
  }
}

function varint(out: number[], value: number) {
  let v = value
  while (v >= 0x80) {
    out.push(v % 0x80 | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
}

interface DirEntry {
  tileId: number
  offset: number
  length: number
  runLength: number
}

function serializeDirectory(entries: DirEntry[]): Buffer {
  const out: number[] = []
  varint(out, entries.length)
  let last = 0
  for (const e of entries) {
    varint(out, e.tileId - last)
    last = e.tileId
  }
  for (const e of entries) varint(out, e.runLength)
  for (const e of entries) varint(out, e.length)
  entries.forEach((e, i) => {
    const prev = entries[i - 1]
    varint(out, i > 0 && prev && e.offset === prev.offset + prev.length ? 0 : e.offset + 1)
  })
  return Buffer.from(out)
}

/** Root directory, and leaves when the root alone would not fit in the first 16 KB. */
function buildDirectories(entries: DirEntry[]): { root: Buffer; leaves: Buffer } {
  const whole = serializeDirectory(entries)
  if (whole.length <= ROOT_MAX_BYTES) return { root: whole, leaves: Buffer.alloc(0) }
  for (let leafSize = 4096; ; leafSize *= 2) {
    const rootEntries: DirEntry[] = []
    const leafParts: Buffer[] = []
    let offset = 0
    for (let i = 0; i < entries.length; i += leafSize) {
      const leaf = serializeDirectory(entries.slice(i, i + leafSize))
      rootEntries.push({ tileId: entries[i]!.tileId, offset, length: leaf.length, runLength: 0 })
      leafParts.push(leaf)
      offset += leaf.length
    }
    const root = serializeDirectory(rootEntries)
    if (root.length <= ROOT_MAX_BYTES) return { root, leaves: Buffer.concat(leafParts) }
  }
}

export interface PmtilesInput {
  /** png, jpg, webp or pbf. */
  format: string
  minzoom: number
  maxzoom: number
  /** [west, south, east, north] */
  bounds: [number, number, number, number]
  /** JSON metadata (name, attribution, crs, ...). */
  metadata: Record<string, unknown>
  /** Tiles as [z, x, y, bytes], in any order. */
  tiles: Iterable<[number, number, number, Buffer]>
  /** pbf tiles stored gzip-compressed. */
  tileCompression?: 'none' | 'gzip'
}

const u64 = (buf: Buffer, at: number, v: number) => buf.writeBigUInt64LE(BigInt(v), at)
const e7 = (buf: Buffer, at: number, deg: number) => buf.writeInt32LE(Math.round(deg * 1e7), at)

/**
 * Writes the archive to `file` (through a .tmp file renamed into place) in bounded memory: each
 * tile's bytes go to a spool file beside it as they come (identical tiles once), only the index
 * (tile id, where its bytes are) stays in memory; the directories are built from the index sorted
 * by tile id, then the bytes are copied from the spool in that order.
 */
export function writePmtiles(file: string, input: PmtilesInput): { bytes: number; tiles: number } {
  const spoolFile = `${file}.spool`
  const spool = openSync(spoolFile, 'w+', 0o600)
  try {
    // Pass 1: spool the distinct contents, index every tile.
    let ids = new Float64Array(1024)
    let contentOf = new Uint32Array(1024)
    let count = 0
    const contents = new Map<string, number>()
    const spooledAt: number[] = []
    const lengths: number[] = []
    let spooled = 0
    for (const [z, x, y, data] of input.tiles) {
      if (count === ids.length) {
        const grownIds = new Float64Array(count * 2)
        grownIds.set(ids)
        ids = grownIds
        const grownContents = new Uint32Array(count * 2)
        grownContents.set(contentOf)
        contentOf = grownContents
      }
      const hash = createHash('sha256').update(data).digest('base64')
      let content = contents.get(hash)
      if (content === undefined) {
        content = spooledAt.length
        contents.set(hash, content)
        spooledAt.push(spooled)
        lengths.push(data.length)
        writeSync(spool, data, 0, data.length, spooled)
        spooled += data.length
      }
      ids[count] = zxyToTileId(z, x, y)
      contentOf[count] = content
      count++
    }
    // Pass 2: entries in tile id order (a tile given twice: the last one counts); each content is
    // placed where it is first used, and a run of one content over consecutive ids is one entry.
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => ids[a]! - ids[b]! || a - b)
    const entries: DirEntry[] = []
    const placedAt = new Map<number, number>()
    const placement: number[] = [] // contents in the order their bytes go into the archive
    let dataLength = 0
    let addressed = 0
    order.forEach((i, k) => {
      const id = ids[i]!
      const next = order[k + 1]
      if (next !== undefined && ids[next] === id) return
      addressed++
      const content = contentOf[i]!
      let offset = placedAt.get(content)
      const last = entries.at(-1)
      if (offset !== undefined && last && last.offset === offset && last.tileId + last.runLength === id) {
        last.runLength++
        return
      }
      if (offset === undefined) {
        offset = dataLength
        placedAt.set(content, offset)
        placement.push(content)
        dataLength += lengths[content]!
      }
      entries.push({ tileId: id, offset, length: lengths[content]!, runLength: 1 })
    })
    return writeArchive(file, input, { entries, dataLength, addressed, contents: placedAt.size }, (fd) => {
      for (const content of placement) {
        const bytes = Buffer.allocUnsafe(lengths[content]!)
        readSync(spool, bytes, 0, bytes.length, spooledAt[content]!)
        writeSync(fd, bytes)
      }
    })
  } finally {
    closeSync(spool)
    rmSync(spoolFile, { force: true })
  }
}

function writeArchive(
  file: string,
  input: PmtilesInput,
  index: { entries: DirEntry[]; dataLength: number; addressed: number; contents: number },
  writeData: (fd: number) => void,
): { bytes: number; tiles: number } {
  const { entries, dataLength } = index
  const { root, leaves } = buildDirectories(entries)
  const meta = Buffer.from(JSON.stringify(input.metadata))
  const header = Buffer.alloc(HEADER_BYTES)
  header.write('PMTiles', 0, 'latin1')
  header[7] = 3
  const rootOffset = HEADER_BYTES
  const metaOffset = rootOffset + root.length
  const leafOffset = metaOffset + meta.length
  const dataOffset = leafOffset + leaves.length
  u64(header, 8, rootOffset)
  u64(header, 16, root.length)
  u64(header, 24, metaOffset)
  u64(header, 32, meta.length)
  u64(header, 40, leafOffset)
  u64(header, 48, leaves.length)
  u64(header, 56, dataOffset)
  u64(header, 64, dataLength)
  u64(header, 72, index.addressed)
  u64(header, 80, entries.length)
  u64(header, 88, index.contents)
  header[96] = 1 // clustered: tile data in tile id order
  header[97] = Compression.None
  header[98] = input.tileCompression === 'gzip' ? Compression.Gzip : Compression.None
  header[99] = TYPE_OF[input.format.toLowerCase()] ?? TileType.Unknown
  header[100] = input.minzoom
  header[101] = input.maxzoom
  const [w, s, e, n] = input.bounds
  e7(header, 102, w)
  e7(header, 106, s)
  e7(header, 110, e)
  e7(header, 114, n)
  header[118] = Math.round((input.minzoom + input.maxzoom) / 2)
  e7(header, 119, (w + e) / 2)
  e7(header, 123, (s + n) / 2)
  const tmp = `${file}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    for (const part of [header, root, meta, leaves]) writeSync(fd, part)
    writeData(fd)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, { force: true })
    throw error
  }
  return { bytes: dataOffset + dataLength, tiles: index.addressed }
}
