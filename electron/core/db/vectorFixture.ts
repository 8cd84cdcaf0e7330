// A vector basemap made on the spot, for tests, e2e and the bench (geojson-vt and vt-pbf are dev
// dependencies: nothing the app ships imports this). It draws a county-like landscape in the
// Protomaps basemap layers the device's vector style reads (earth, landuse, water, roads, places):
// a river across the box, a lake, farmland, a net of roads between townships, their names. Tiles
// are Mapbox Vector Tiles, gzip-compressed as archives usually store them.
import { gzipSync } from 'node:zlib'
import Database from 'better-sqlite3'
import geojsonvt from 'geojson-vt'
import { fromGeojsonVt } from 'vt-pbf'
import type { Box } from '../../../shared/tiles'
import { tilesOf } from '../../../shared/tiles'
import { writePmtiles } from '../tiles/pmtiles'

export interface VectorFixtureOptions {
  bounds: Box
  minzoom: number
  maxzoom: number
  name?: string
  attribution?: string
  crs?: string
}

type Position = [number, number]
type Feature = { type: 'Feature'; properties: Record<string, string | number>; geometry: { type: string; coordinates: unknown } }

/** Deterministic numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) >>> 0
    return ((s ^ (s >>> 13)) >>> 0) / 2 ** 32
  }
}

const TOWNS = [
  ['平马镇', 'Pingma'],
  ['祥周镇', 'Xiangzhou'],
  ['林逢镇', 'Linfeng'],
  ['思林镇', 'Silin'],
  ['那坡镇', 'Napo'],
  ['印茶镇', 'Yincha'],
  ['作登乡', 'Zuodeng'],
  ['朔良镇', 'Shuoliang'],
  ['义圩镇', 'Yixu'],
  ['五村镇', 'Wucun'],
]

/** The landscape as GeoJSON, one collection per layer. */
export function fixtureLandscape(bounds: Box): Record<string, { type: 'FeatureCollection'; features: Feature[] }> {
  const [w, s, e, n] = bounds
  const dx = e - w
  const dy = n - s
  const rnd = random(20261202)
  const at = (fx: number, fy: number): Position => [w + fx * dx, s + fy * dy]
  const collection = (features: Feature[]) => ({ type: 'FeatureCollection' as const, features })
  const polygon = (ring: Position[], properties: Record<string, string | number>): Feature => ({
    type: 'Feature',
    properties,
    geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]!]] },
  })
  const line = (points: Position[], properties: Record<string, string | number>): Feature => ({
    type: 'Feature',
    properties,
    geometry: { type: 'LineString', coordinates: points },
  })
  // The river: a meander from west to east, as a band of water.
  const course = Array.from({ length: 60 }, (_, i) => at(-0.05 + (i / 59) * 1.1, 0.45 + 0.12 * Math.sin(i / 5) + 0.04 * Math.sin(i * 1.7)))
  const half = dy * 0.006
  const river = polygon([...course.map(([x, y]) => [x, y + half] as Position), ...[...course].reverse().map(([x, y]) => [x, y - half] as Position)], {
    kind: 'water',
  })
  const lake = polygon(
    Array.from({ length: 24 }, (_, i) => at(0.72 + 0.05 * Math.cos((i / 24) * 2 * Math.PI), 0.75 + 0.035 * Math.sin((i / 24) * 2 * Math.PI))),
    { kind: 'lake' },
  )
  const towns = TOWNS.map(([zh, en], i) => ({ zh: zh!, en: en!, at: at(0.08 + 0.84 * rnd(), i % 2 ? 0.15 + 0.25 * rnd() : 0.6 + 0.3 * rnd()) }))
  // Farmland patches along the river and around the towns.
  const farmland = Array.from({ length: 40 }, () => {
    const [cx, cy] = at(rnd(), 0.3 + 0.4 * rnd())
    const rx = dx * (0.01 + 0.02 * rnd())
    const ry = dy * (0.008 + 0.015 * rnd())
    return polygon(
      [
        [cx - rx, cy - ry],
        [cx + rx, cy - ry * 0.8],
        [cx + rx * 0.9, cy + ry],
        [cx - rx * 1.1, cy + ry * 0.7],
      ],
      { kind: 'farmland' },
    )
  })
  // Roads: a highway along the river, major roads between neighbouring towns, minor roads out of each town.
  const wiggle = (a: Position, b: Position, steps: number): Position[] =>
    Array.from({ length: steps + 1 }, (_, i) => {
      const t = i / steps
      const off = i === 0 || i === steps ? 0 : (rnd() - 0.5) * 0.01
      return [a[0] + (b[0] - a[0]) * t + off * dx, a[1] + (b[1] - a[1]) * t + off * dy] as Position
    })
  const roads: Feature[] = [
    line(
      course.map(([x, y]) => [x, y - dy * 0.03] as Position),
      { kind: 'highway', name: 'G324', ref: 'G324' },
    ),
  ]
  const byLon = [...towns].sort((a, b) => a.at[0] - b.at[0])
  byLon.forEach((town, i) => {
    const next = byLon[i + 1]
    if (next) roads.push(line(wiggle(town.at, next.at, 12), { kind: 'major_road', name: `${town.zh}—${next.zh}` }))
    for (let k = 0; k < 6; k++) {
      const angle = rnd() * 2 * Math.PI
      const length = 0.04 + 0.08 * rnd()
      roads.push(line(wiggle(town.at, [town.at[0] + Math.cos(angle) * length * dx, town.at[1] + Math.sin(angle) * length * dy], 8), { kind: 'minor_road' }))
    }
  })
  const places = towns.map(
    (t): Feature => ({
      type: 'Feature',
      properties: { kind: 'locality', name: t.zh, 'name:zh': t.zh, 'name:en': t.en, min_zoom: 8, population_rank: 8 },
      geometry: { type: 'Point', coordinates: t.at },
    }),
  )
  const margin = 0.2
  const earth = polygon(
    [
      [w - margin * dx, s - margin * dy],
      [e + margin * dx, s - margin * dy],
      [e + margin * dx, n + margin * dy],
      [w - margin * dx, n + margin * dy],
    ],
    { kind: 'earth' },
  )
  return {
    earth: collection([earth]),
    landuse: collection(farmland),
    water: collection([river, lake]),
    roads: collection(roads),
    places: collection(places),
  }
}

/** Every tile of the box at the zooms as [z, x, y, gzip-compressed MVT]. */
export function* vectorFixtureTiles(options: VectorFixtureOptions): Generator<[number, number, number, Buffer]> {
  const indexes = Object.entries(fixtureLandscape(options.bounds)).map(
    ([layer, data]) => [layer, geojsonvt(data as never, { maxZoom: options.maxzoom, indexMaxZoom: 5, buffer: 64, extent: 4096 })] as const,
  )
  for (const [z, x, y] of tilesOf(options.bounds, options.minzoom, options.maxzoom)) {
    const layers: Record<string, NonNullable<ReturnType<(typeof indexes)[number][1]['getTile']>>> = {}
    for (const [name, index] of indexes) {
      const tile = index.getTile(z, x, y)
      if (tile && tile.features.length > 0) layers[name] = tile
    }
    yield [z, x, y, gzipSync(fromGeojsonVt(layers, { version: 2 }))]
  }
}

const metadataOf = (options: VectorFixtureOptions) => ({
  name: options.name ?? 'Test vector basemap',
  attribution: options.attribution ?? '© GridDesk test tiles',
  ...(options.crs ? { crs: options.crs } : {}),
  vector_layers: ['earth', 'landuse', 'water', 'roads', 'places'].map((id) => ({ id, fields: {} })),
})

/** A vector PMTiles file (tiles gzip-compressed, as the header says); returns the tiles written. */
export function writeFixtureVectorPmtiles(file: string, options: VectorFixtureOptions): number {
  return writePmtiles(file, {
    format: 'pbf',
    minzoom: options.minzoom,
    maxzoom: options.maxzoom,
    bounds: options.bounds,
    metadata: metadataOf(options),
    tiles: vectorFixtureTiles(options),
    tileCompression: 'gzip',
  }).tiles
}

/** A vector MBTiles file (format pbf, gzip-compressed tiles, TMS rows); returns the tiles written. */
export function writeFixtureVectorMbtiles(file: string, options: VectorFixtureOptions): number {
  const db = new Database(file)
  let count = 0
  try {
    db.exec(
      'CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB); CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);',
    )
    const meta = metadataOf(options)
    const insertMeta = db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)')
    for (const [k, v] of [
      ['name', meta.name],
      ['attribution', meta.attribution],
      ['format', 'pbf'],
      ['minzoom', String(options.minzoom)],
      ['maxzoom', String(options.maxzoom)],
      ['bounds', options.bounds.join(',')],
      ['json', JSON.stringify({ vector_layers: meta.vector_layers })],
      ...(options.crs ? [['crs', options.crs]] : []),
    ] as [string, string][])
      insertMeta.run(k, v)
    const insert = db.prepare('INSERT INTO tiles VALUES (?, ?, ?, ?)')
    db.transaction(() => {
      for (const [z, x, y, bytes] of vectorFixtureTiles(options)) {
        insert.run(z, x, 2 ** z - 1 - y, bytes)
        count++
      }
    })()
  } finally {
    db.close()
  }
  return count
}
