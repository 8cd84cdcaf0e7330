// grids.setBoundary: a boundary drawn by hand is validated as the importer validates, repaired
// when a twist is a sliver, refused otherwise; saved through the outbox; warned about.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as turf from '@turf/turf'
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BoundaryGeometry } from '../../../shared/api/grids'
import { AppError } from '../../../shared/errors'
import { runCli } from '../../cli/main'
import { openTestCore } from '../testing'

type TestCore = ReturnType<typeof openTestCore>
type Area = Feature<Polygon | MultiPolygon>

const square = (w: number, s: number, size = 0.1): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [w + size, s],
      [w + size, s + size],
      [w, s + size],
      [w, s],
    ],
  ],
})

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('grids.setBoundary on the demo county', () => {
  let core: TestCore
  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', {})
  })
  afterAll(() => core?.dispose())

  const db = () => core.ctx.db.$client
  const outbox = () => db().prepare('SELECT * FROM outbox ORDER BY device_seq').all() as { table_name: string; row_id: string; op: string; fields: string }[]
  const snapshot = () => ({ units: db().prepare('SELECT * FROM org_units ORDER BY id').all(), outbox: outbox().length })
  const grid = (code: string) =>
    db().prepare('SELECT id, code, name, boundary, geometry_source AS source FROM org_units WHERE code = ?').get(code) as {
      id: string
      code: string
      name: string
      boundary: string
      source: string
    }
  const area = (code: string) => turf.feature(JSON.parse(grid(code).boundary)) as Area
  /** The grids sharing a border with `code` (touching, not just near). */
  const neighbours = (code: string) =>
    (db().prepare("SELECT code FROM org_units WHERE level = 'grid' AND code <> ?").all(code) as { code: string }[])
      .map((g) => g.code)
      .filter((other) => turf.booleanIntersects(area(code), area(other)))

  it('saves a grown boundary through the outbox and names each neighbour it now overlaps, with the area', async () => {
    const g = grid('451022-G05')
    const before = outbox().length
    const grown = turf.truncate(turf.buffer(area(g.code), 0.4, { units: 'kilometers' })!, { precision: 6 }).geometry as BoundaryGeometry
    const result = await core.call('grids.setBoundary', { gridId: g.id, geometry: grown })
    expect(result).toMatchObject({ gridId: g.id, saved: true, changed: true, repair: null })

    // Stored as returned, marked drawn, with its one outbox entry.
    const stored = grid(g.code)
    expect(JSON.parse(stored.boundary)).toEqual(result.geometry)
    expect(stored.source).toBe('drawn')
    const changes = outbox().slice(before)
    expect(changes).toHaveLength(1)
    expect(changes[0]).toMatchObject({ table_name: 'org_units', row_id: g.id, op: 'update' })
    // Only what changed (the demo's CRS was WGS-84 already), by column.
    expect(JSON.parse(changes[0]!.fields)).toEqual({ boundary: stored.boundary, geometry_source: 'drawn' })

    // Every neighbour is overlapped by a 400 m wider G05; the warning names it and the area agrees with turf's.
    const overlaps = result.warnings.filter((w) => w.kind === 'overlap')
    const named = new Set(overlaps.flatMap((w) => w.grids.map((x) => x.code)).filter((c) => c !== g.code))
    expect([...named].sort()).toEqual(neighbours(g.code).sort())
    for (const w of overlaps) {
      expect(w.grids.map((x) => x.code)).toContain(g.code)
      const other = w.grids.find((x) => x.code !== g.code)!
      expect(other.name).toBeTruthy()
      expect(w.areaM2).toBeGreaterThan(10_000)
    }
    const total = (code: string) => overlaps.filter((w) => w.grids.some((x) => x.code === code)).reduce((sum, w) => sum + w.areaM2!, 0)
    const first = [...named][0]!
    const expected = turf.area(turf.intersect(turf.featureCollection([turf.feature(result.geometry) as Area, area(first)]))!)
    expect(total(first) / expected).toBeGreaterThan(0.97)
    expect(total(first) / expected).toBeLessThan(1.03)
    // grids.check agrees: the layout now has those overlaps.
    const check = await core.call('grids.check', {})
    expect(check.issues.filter((i) => i.kind === 'overlap')).toHaveLength(overlaps.length)
  })

  it('a dry run warns about gaps and villages it would leave in no grid, and stores nothing', async () => {
    const g = grid('451022-G08')
    const before = snapshot()
    const shrunk = turf.truncate(turf.transformScale(area(g.code), 0.6), { precision: 6 }).geometry as BoundaryGeometry
    const result = await core.call('grids.setBoundary', { gridId: g.id, geometry: shrunk, dryRun: true })
    expect(result).toMatchObject({ saved: false, changed: true })
    const gap = result.warnings.find((w) => w.kind === 'gap')!
    expect(gap.grids.map((x) => x.code)).toContain(g.code)
    expect(gap.areaM2).toBeGreaterThan(1_000_000)
    // Villages of G08 whose point is outside the shrunk boundary now lie in no grid.
    const villages = db().prepare('SELECT name, lon, lat FROM villages WHERE grid_id = ?').all(g.id) as { name: string; lon: number; lat: number }[]
    const outside = villages.filter((v) => !turf.booleanPointInPolygon([v.lon, v.lat], turf.feature(shrunk) as Area)).map((v) => v.name)
    expect(outside.length).toBeGreaterThan(0)
    expect(
      result.warnings
        .filter((w) => w.kind === 'village_outside')
        .map((w) => w.village!.name)
        .sort(),
    ).toEqual(outside.sort())
    expect(snapshot()).toEqual(before)
  })

  it('saving the stored boundary again changes nothing and queues nothing', async () => {
    const g = grid('451022-G02')
    const before = snapshot()
    const result = await core.call('grids.setBoundary', { gridId: g.id, geometry: JSON.parse(g.boundary) as BoundaryGeometry })
    expect(result).toMatchObject({ saved: false, changed: false })
    expect(snapshot()).toEqual(before)
  })

  it('works from the command line, with the input from a file', async () => {
    const g = grid('451022-G02')
    const file = join(core.dataDir, 'boundary.json')
    const moved = turf.truncate(turf.transformTranslate(area(g.code), 0.05, 90), { precision: 6 }).geometry
    writeFileSync(file, JSON.stringify({ gridId: g.id, geometry: moved, dryRun: true }))
    // The CLI opens its own core on the same data directory.
    const result = await runCli(['call', 'grids.setBoundary', `@${file}`, '--data-dir', core.dataDir])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ gridId: g.id, saved: false, changed: true })
    const bad = await runCli(['call', 'grids.setBoundary', JSON.stringify({ gridId: g.id, geometry: square(2.3, 48.8) }), '--data-dir', core.dataDir])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('geometry.coordinates.0.0: outside_china')
  })
})

describe('grids.setBoundary validation and repair', () => {
  let core: TestCore
  let gridId: string
  let countyId: string
  beforeAll(async () => {
    core = openTestCore()
    const county = await core.call('org.create', { parentId: null, code: '450000', name: '测试县', level: 'county' })
    const center = await core.call('org.create', { parentId: county.id, code: '450000-C1', name: '测试中心', level: 'center' })
    const grid = await core.call('org.create', { parentId: center.id, code: '450000-G1', name: '测试网格', level: 'grid', gridKind: 'area' })
    countyId = county.id
    gridId = grid.id
  })
  afterAll(() => core?.dispose())

  const db = () => core.ctx.db.$client
  const snapshot = () => ({ units: db().prepare('SELECT * FROM org_units ORDER BY id').all(), outbox: db().prepare('SELECT * FROM outbox').all() })
  const stored = () => (db().prepare('SELECT boundary FROM org_units WHERE id = ?').get(gridId) as { boundary: string | null }).boundary

  it('draws a first boundary for a grid that had none', async () => {
    const result = await core.call('grids.setBoundary', { gridId, geometry: square(107, 23.5) })
    expect(result).toMatchObject({ saved: true, changed: true, warnings: [] })
    expect(result.areaM2).toBeGreaterThan(110_000_000)
    expect(result.areaM2).toBeLessThan(115_000_000)
    expect(JSON.parse(stored()!)).toEqual(square(107, 23.5))
  })

  it('repairs a small twist (a vertex dragged a little past an edge) by cutting the sliver off', async () => {
    const twisted: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [107, 23.5],
          [107.1, 23.5],
          [107.1, 23.6],
          [107.05, 23.6],
          [107.052, 23.601],
          [107.051, 23.599],
          [107, 23.6],
          [107, 23.5],
        ],
      ],
    }
    expect(turf.kinks(turf.feature(twisted) as Area).features.length).toBeGreaterThan(0)
    const result = await core.call('grids.setBoundary', { gridId, geometry: twisted })
    expect(result.saved).toBe(true)
    expect(result.repair!.droppedM2).toBeGreaterThan(5_000)
    expect(result.repair!.droppedM2).toBeLessThan(10_000)
    const saved = JSON.parse(stored()!) as Polygon
    expect(saved).toEqual(result.geometry)
    expect(turf.kinks(turf.feature(saved) as Area).features).toHaveLength(0)
  })

  it('drops repeated vertices (a double click) and keeps holes as holes', async () => {
    const outer = [
      [107, 23.5],
      [107.1, 23.5],
      [107.1, 23.5],
      [107.1, 23.6],
      [107, 23.6],
      [107, 23.5],
    ]
    const hole = [
      [107.02, 23.52],
      [107.04, 23.52],
      [107.04, 23.54],
      [107.02, 23.52],
    ]
    const result = await core.call('grids.setBoundary', { gridId, geometry: { type: 'Polygon', coordinates: [outer, hole] } })
    expect(result.repair).toEqual({ droppedM2: 0, duplicatePoints: 1 })
    expect(result.geometry.type).toBe('Polygon')
    expect(result.geometry.coordinates).toHaveLength(2)
    expect(result.geometry.coordinates[0]).toHaveLength(5)
  })

  it('refuses a bow-tie (which half was meant?), says where it crosses, and stores nothing', async () => {
    const before = snapshot()
    const bowtie: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [107, 23.5],
          [107.1, 23.6],
          [107.1, 23.5],
          [107, 23.6],
          [107, 23.5],
        ],
      ],
    }
    const error = await rejection(core.call('grids.setBoundary', { gridId, geometry: bowtie }))
    expect(error.code).toBe('VALIDATION')
    expect(error.issues).toEqual([{ path: ['geometry'], message: 'self_intersection' }])
    expect(error.details!.lon).toBeCloseTo(107.05, 4)
    expect(error.details!.lat).toBeCloseTo(23.55, 4)
    expect(snapshot()).toEqual(before)
  })

  it('refuses coordinates outside China, lon/lat swapped, open or too short rings, saying where, and stores nothing', async () => {
    const before = snapshot()
    const cases: [unknown, { path: (string | number)[]; message: string }][] = [
      [square(2.3, 48.8), { path: ['geometry', 'coordinates', 0, 0], message: 'outside_china' }],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [107, 23.5],
              [107.1, 23.5],
              [107.1, 23.6],
              [160, 23.6],
              [107, 23.5],
            ],
          ],
        },
        { path: ['geometry', 'coordinates', 0, 3], message: 'outside_china' },
      ],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [23.5, 107],
              [23.5, 107.1],
              [23.6, 107.1],
              [23.5, 107],
            ],
          ],
        },
        { path: ['geometry', 'coordinates', 0, 0], message: 'swapped_lonlat' },
      ],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [107, 23.5],
              [107.1, 23.5],
              [107.1, 23.6],
              [107, 23.6],
            ],
          ],
        },
        { path: ['geometry', 'coordinates', 0], message: 'ring_open' },
      ],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [107, 23.5],
              [107.1, 23.5],
              [107, 23.5],
            ],
          ],
        },
        { path: ['geometry', 'coordinates', 0], message: 'ring_too_short' },
      ],
    ]
    for (const [geometry, issue] of cases) {
      const error = await rejection(core.call('grids.setBoundary', { gridId, geometry: geometry as BoundaryGeometry }))
      expect(error.code).toBe('VALIDATION')
      expect(error.issues).toContainEqual(issue)
    }
    // Not a polygon at all: zod's own (translated) message.
    const line = await rejection(
      core.call('grids.setBoundary', {
        gridId,
        geometry: {
          type: 'LineString',
          coordinates: [
            [107, 23.5],
            [107.1, 23.6],
          ],
        } as never,
      }),
    )
    expect(line.issues![0]!.path).toEqual(['geometry', 'type'])
    expect(snapshot()).toEqual(before)
  })

  it('keeps a MultiPolygon, drops altitudes; refuses a unit that is not a grid and an unknown id', async () => {
    const parts: MultiPolygon = { type: 'MultiPolygon', coordinates: [square(107, 23.5).coordinates, square(107.2, 23.5).coordinates] }
    const withAltitude = { ...parts, coordinates: parts.coordinates.map((p) => p.map((r) => r.map(([x, y]) => [x!, y!, 120]))) }
    const result = await core.call('grids.setBoundary', { gridId, geometry: withAltitude })
    expect(result.geometry).toEqual(parts)
    const before = snapshot()
    const county = await rejection(core.call('grids.setBoundary', { gridId: countyId, geometry: parts }))
    expect(county.issues).toEqual([{ path: ['gridId'], message: 'not_a_grid' }])
    const unknown = await rejection(core.call('grids.setBoundary', { gridId: '0199fbab-db13-7781-b8c6-1e341b37291c', geometry: parts }))
    expect(unknown.code).toBe('NOT_FOUND')
    expect(snapshot()).toEqual(before)
  })
})

describe('CLI file input', () => {
  it('says so when the @file cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'griddesk-boundary-cli-'))
    try {
      const result = await runCli(['call', 'grids.setBoundary', `@${join(dir, 'missing.json')}`, '--data-dir', dir])
      expect(result.code).toBe(1)
      expect(result.stdout).toContain('missing.json')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
