// Where a basemap prefetch keeps the tiles it has received until the archive is written: a small
// SQLite file of its own (<dataDir>/basemaps/prefetch/staging.sqlite, not the app database), one
// row per tile asked for (its bytes, or NULL when HQ has no tile there). Every tile is committed as
// it arrives (WAL), so a prefetch killed at any point resumes without asking for a tile twice.
import { chmodSync } from 'node:fs'
import Database from 'better-sqlite3'

export interface TileStaging {
  /** Tile keys (z/x/y) already settled. */
  done(): Set<string>
  /** Tiles held and their bytes. */
  totals(): { tiles: number; settled: number; bytes: number }
  put(z: number, x: number, y: number, bytes: Buffer | null): void
  /** Every tile held (absent ones left out), in no particular order. */
  tiles(): Generator<[number, number, number, Buffer]>
  close(): void
}

export function openTileStaging(file: string): TileStaging {
  const nativeBinding = process.env.GRIDDESK_NATIVE_BINDING
  const db = new Database(file, nativeBinding ? { nativeBinding } : {})
  chmodSync(file, 0o600) // the WAL and shared-memory files take the store's mode
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec('CREATE TABLE IF NOT EXISTS tiles (z INTEGER NOT NULL, x INTEGER NOT NULL, y INTEGER NOT NULL, data BLOB, PRIMARY KEY (z, x, y)) WITHOUT ROWID')
  const insert = db.prepare('INSERT OR REPLACE INTO tiles (z, x, y, data) VALUES (?, ?, ?, ?)')
  return {
    done: () => new Set((db.prepare('SELECT z, x, y FROM tiles').all() as { z: number; x: number; y: number }[]).map((r) => `${r.z}/${r.x}/${r.y}`)),
    totals: () => {
      const r = db.prepare('SELECT count(data) AS tiles, count(*) AS settled, coalesce(sum(length(data)), 0) AS bytes FROM tiles').get() as {
        tiles: number
        settled: number
        bytes: number
      }
      return r
    },
    put: (z, x, y, bytes) => void insert.run(z, x, y, bytes),
    tiles: function* () {
      for (const r of db.prepare('SELECT z, x, y, data FROM tiles WHERE data IS NOT NULL').iterate() as Iterable<{
        z: number
        x: number
        y: number
        data: Buffer
      }>)
        yield [r.z, r.x, r.y, r.data]
    },
    close: () => db.close(),
  }
}
