// Contract of a grid's hand-drawn boundary: save a Polygon or MultiPolygon drawn on the
// map, or check it first (dryRun) for the layout warnings it would cause. Validation issues carry a
// message code (`boundaryIssueCodes`) that the renderer translates (`boundary.error.*`).
import { z } from 'zod'
import { inChina } from '../domain'
import { out } from './define'
import type { GridCheckIssue } from './map'

/** Message codes of boundary validation issues (zod's own messages come already translated). */
export const boundaryIssueCodes = [
  'ring_too_short',
  'ring_open',
  'outside_china',
  'swapped_lonlat',
  'self_intersection',
  'invalid_geometry',
  'not_a_grid',
] as const
export type BoundaryIssueCode = (typeof boundaryIssueCodes)[number]

/** [lon, lat] in WGS-84 degrees; a third number (altitude) is allowed and dropped. */
const position = z.array(z.number()).min(2).max(3)
const ring = z
  .array(position)
  .min(4, { message: 'ring_too_short' })
  .max(50_000)
  .refine((r) => r.length < 4 || (r[0]![0] === r.at(-1)![0] && r[0]![1] === r.at(-1)![1]), { message: 'ring_open' })
const polygon = z.array(ring).min(1).max(500)

/** Every position with its path inside `coordinates`. */
function* positions(coordinates: unknown, path: number[] = []): Generator<{ at: number[]; path: number[] }> {
  if (!Array.isArray(coordinates)) return
  if (typeof coordinates[0] === 'number') yield { at: coordinates as number[], path }
  else for (let i = 0; i < coordinates.length; i++) yield* positions(coordinates[i], [...path, i])
}

/**
 * A grid boundary: GeoJSON Polygon or MultiPolygon in WGS-84, closed rings of at least 4 positions,
 * every position inside China. The first position outside is reported (with its path), as
 * `swapped_lonlat` when the whole geometry would fit with lon and lat swapped.
 */
export const boundaryGeometrySchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('Polygon'), coordinates: polygon }).strict(),
    z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(polygon).min(1).max(1000) }).strict(),
  ])
  .superRefine((geometry, ctx) => {
    const all = [...positions(geometry.coordinates)]
    const bad = all.find((p) => !inChina(p.at[0]!, p.at[1]!))
    if (!bad) return
    const swapped = all.every((p) => inChina(p.at[1]!, p.at[0]!))
    ctx.addIssue({ code: 'custom', message: swapped ? 'swapped_lonlat' : 'outside_china', path: ['coordinates', ...bad.path] })
  })
export type BoundaryGeometry = z.output<typeof boundaryGeometrySchema>

export interface GridBoundaryResult {
  gridId: string
  /** True when the boundary was written (not a dry run, and it differs from the stored one). */
  saved: boolean
  /** False when the geometry is the one already stored. */
  changed: boolean
  /** The boundary as stored (or as it would be): repaired when needed, 6 decimals, WGS-84. */
  geometry: BoundaryGeometry
  areaM2: number
  /** Set when a self-intersection was repaired: the twisted slivers cut off and duplicate points dropped. */
  repair: { droppedM2: number; duplicatePoints: number } | null
  /**
   * Layout warnings with this boundary (grids.check): overlaps and gaps that touch this grid, and
   * any other warning this boundary would newly cause (villages left in no grid or in two).
   */
  warnings: GridCheckIssue[]
  minAreaM2: number
}

export const gridsApi = {
  'grids.setBoundary': {
    input: z
      .object({
        gridId: z.uuid(),
        geometry: boundaryGeometrySchema,
        /** Only check and report; store nothing. */
        dryRun: z.boolean().default(false),
        /** Overlaps and gaps smaller than this are slivers and not warned about (as grids.check). */
        minAreaM2: z.number().min(0).max(1e9).default(10_000),
      })
      .strict(),
    output: out<GridBoundaryResult>(),
  },
} as const
