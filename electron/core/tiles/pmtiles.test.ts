// The PMTiles writer: every tile reads back (root directory alone, and with leaf directories),
// identical tiles are stored once, the same tiles in any order give the same bytes, and a region
// far larger than memory should hold is written with only its index in memory.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openPmtiles, writePmtiles, type PmtilesInput } from './pmtiles'

const dir = mkdtempSync(join(tmpdir(), 'griddesk-pmtiles-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const base: Omit<PmtilesInput, 'tiles'> = { format: 'png', minzoom: 6, maxzoom: 12, bounds: [106.75, 23.2, 107.65, 24.1], metadata: { name: '测试' } }

/** Every tile of z6-12 over a box, with bytes of its own (some shared: the sea is the same everywhere). */
function tilesOfBox(): [number, number, number, Buffer][] {
  const out: [number, number, number, Buffer][] = []
  for (let z = 6; z <= 12; z++) {
    const n = 2 ** (z - 6)
    for (let x = 52 * n; x < 52 * n + Math.min(n, 64); x++)
      for (let y = 28 * n; y < 28 * n + Math.min(n, 64); y++) out.push([z, x, y, (x + y) % 5 === 0 ? Buffer.from('sea') : Buffer.from(`${z}/${x}/${y}`)])
  }
  return out
}

describe('writePmtiles', () => {
  it('writes an archive whose every tile reads back, with leaf directories when the root is full, sea tiles once', async () => {
    const tiles = tilesOfBox()
    expect(tiles.length).toBeGreaterThan(5000) // more entries than a 16 KB root holds
    const file = join(dir, 'box.pmtiles')
    const written = writePmtiles(file, { ...base, tiles })
    expect(written.tiles).toBe(tiles.length)
    const reader = await openPmtiles(file)
    try {
      expect(reader.header.leafDirectoryLength).toBeGreaterThan(0)
      expect(reader.header.numAddressedTiles).toBe(tiles.length)
      expect(reader.header.numTileContents).toBe(tiles.filter((t) => t[3].toString() !== 'sea').length + 1)
      expect(reader.metadata).toEqual({ name: '测试' })
      for (const [z, x, y, bytes] of tiles) expect((await reader.tile(z, x, y))?.equals(bytes), `${z}/${x}/${y}`).toBe(true)
      expect(await reader.tile(12, 0, 0)).toBeNull()
    } finally {
      reader.close()
    }
    expect(statSync(file).size).toBe(written.bytes)
  })

  it('gives the same bytes whatever order the tiles came in', () => {
    const tiles = tilesOfBox()
    writePmtiles(join(dir, 'a.pmtiles'), { ...base, tiles })
    // Reversed, then shuffled by a fixed stride.
    writePmtiles(join(dir, 'b.pmtiles'), { ...base, tiles: [...tiles].reverse() })
    const strided = tiles.map((_, i) => tiles[(i * 7919) % tiles.length]!)
    expect(new Set(strided).size).toBe(tiles.length)
    writePmtiles(join(dir, 'c.pmtiles'), { ...base, tiles: strided })
    const a = readFileSync(join(dir, 'a.pmtiles'))
    expect(readFileSync(join(dir, 'b.pmtiles')).equals(a)).toBe(true)
    expect(readFileSync(join(dir, 'c.pmtiles')).equals(a)).toBe(true)
  })

  it('writes ~200 MB of tiles holding only the index in memory', async () => {
    const TILE = 64 * 1024
    const COUNT = 3200
    const before = process.memoryUsage()
    let peak = 0
    function* big(): Generator<[number, number, number, Buffer]> {
      for (let i = 0; i < COUNT; i++) {
        const bytes = Buffer.alloc(TILE, i % 251)
        bytes.writeUInt32BE(i, 0)
        if (i % 50 === 0) {
          const now = process.memoryUsage()
          peak = Math.max(peak, now.arrayBuffers - before.arrayBuffers + (now.heapUsed - before.heapUsed))
        }
        yield [14, 13_300 + (i % 80), 7_100 + Math.floor(i / 80), bytes]
      }
    }
    const file = join(dir, 'big.pmtiles')
    const written = writePmtiles(file, { ...base, minzoom: 14, maxzoom: 14, tiles: big() })
    expect(written.tiles).toBe(COUNT)
    expect(written.bytes).toBeGreaterThan(COUNT * TILE)
    // Holding the tiles would take COUNT × 64 KB = 210 MB; the index takes a few hundred KB.
    expect(peak, `peak ${Math.round(peak / 1e6)} MB`).toBeLessThan(80e6)
    const reader = await openPmtiles(file)
    try {
      const last = await reader.tile(14, 13_300 + ((COUNT - 1) % 80), 7_100 + Math.floor((COUNT - 1) / 80))
      expect(last?.readUInt32BE(0)).toBe(COUNT - 1)
      expect(last?.length).toBe(TILE)
    } finally {
      reader.close()
    }
    rmSync(file)
  }, 120_000)
})
