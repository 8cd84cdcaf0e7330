// How long the boundary editor waits for its check: grids.setBoundary dryRun on the demo county
// (12 grids, 173 villages), for the stored boundary and for one grown by 400 m (overlaps).
// Prints figures; run with `npx tsx bench/boundary-check.ts` (no flags but --help).
import * as turf from '@turf/turf'
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import type { BoundaryGeometry } from '../shared/api/grids'
import { openTestCore } from '../electron/core/testing'
import { benchKey } from './lib/store'
import { benchArgs } from './lib/args'

benchArgs(import.meta.filename, {})

// Device stores are encrypted: a key for this run (openTestCore reads it from GRIDDESK_KEY_FILE).
benchKey()

const core = openTestCore()
try {
  await core.call('demo.load', {})
  const grids = core.ctx.db.$client.prepare("SELECT id, code, boundary FROM org_units WHERE level = 'grid' ORDER BY code").all() as {
    id: string
    code: string
    boundary: string
  }[]
  const time = async (label: string, geometry: (g: (typeof grids)[number]) => BoundaryGeometry) => {
    await core.call('grids.setBoundary', { gridId: grids[0]!.id, geometry: geometry(grids[0]!), dryRun: true }) // warm-up (turf load)
    const ms: number[] = []
    for (const g of grids) {
      const input = geometry(g)
      const start = performance.now()
      await core.call('grids.setBoundary', { gridId: g.id, geometry: input, dryRun: true })
      ms.push(performance.now() - start)
    }
    ms.sort((a, b) => a - b)
    console.log(`${label}: median ${ms[ms.length >> 1]!.toFixed(0)} ms, max ${ms.at(-1)!.toFixed(0)} ms over ${ms.length} grids`)
  }
  await time('dry run, stored boundary', (g) => JSON.parse(g.boundary) as BoundaryGeometry)
  await time(
    'dry run, grown 400 m',
    (g) =>
      turf.truncate(turf.buffer(turf.feature(JSON.parse(g.boundary)) as Feature<Polygon | MultiPolygon>, 0.4, { units: 'kilometers' })!, { precision: 6 })
        .geometry as BoundaryGeometry,
  )
} finally {
  core.dispose()
}
