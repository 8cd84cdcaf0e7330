// Grid cells and the map overview; a grid's boundary drawn by hand (grids.setBoundary).
import type { GridBoundaryResult } from '../../../shared/api/grids'
import { AppError } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import { updateSynced } from '../db/repos/changes'
import { gridSummary, listGrids, listOrgUnits, mapOverview } from '../db/repos/grids'
import { gridLayout } from '../db/repos/mapLayers'
import { getOrgUnit } from '../db/repos/org'
import type { HandlerTable } from './table'

/** geometry_source of a boundary drawn or edited on the map. */
export const DRAWN_ON_MAP = 'drawn'

export const gridHandlers = {
  'grids.list': (ctx, input) => listGrids(ctx.db, input.search, input.limit),
  'grids.summary': (ctx: HandlerContext, input) => {
    const summary = gridSummary(ctx.db, input.id, Date.now())
    if (!summary) throw new AppError('NOT_FOUND', `grid ${input.id} not found`, { details: { id: input.id } })
    return summary
  },
  'map.overview': (ctx) => mapOverview(ctx.db),
  'orgUnits.list': (ctx) => listOrgUnits(ctx.db),

  'grids.setBoundary': async (ctx, input): Promise<GridBoundaryResult> => {
    // turf and the importer's validation load on first use, not at start-up.
    const [{ boundaryWarnings, prepareBoundary }, { validateGrids }] = await Promise.all([import('../geo/boundary'), import('../import/grids')])
    return ctx.db.transaction((tx) => {
      const grid = getOrgUnit(tx, input.gridId)
      if (!grid) throw new AppError('NOT_FOUND', `grid ${input.gridId} not found`, { details: { id: input.gridId } })
      if (grid.level !== 'grid')
        throw new AppError('VALIDATION', `${grid.code} is a ${grid.level}, not a grid`, { issues: [{ path: ['gridId'], message: 'not_a_grid' }] })
      const prepared = prepareBoundary(validateGrids, grid, input.geometry)
      if (!prepared.ok) {
        const issues = prepared.issues.map((i) => ({ path: ['geometry'], message: i.code }))
        // Size limits of the value rules (shared/rules.ts): dispatch words them in the caller's language.
        const rules = prepared.issues
          .filter((i) => i.code === 'too_many_vertices' || i.code === 'geometry_too_large')
          .map((i) => ({ path: ['geometry'], code: i.code, params: i.params }))
        throw new AppError('VALIDATION', `boundary of ${grid.code}: ${issues.map((i) => i.message).join('; ')}`, {
          issues,
          // Where it crosses itself, when it does: the user is told where to look.
          details: { ...(prepared.at ? { lon: prepared.at[0], lat: prepared.at[1] } : {}), ...(rules.length ? { rules } : {}) },
        })
      }
      // One connection: this read sees the transaction's state.
      const layout = gridLayout(ctx.db)
      const boundary = JSON.stringify(prepared.geometry)
      const changed = layout.grids.find((g) => g.id === grid.id)?.boundary !== boundary
      const warnings = boundaryWarnings(layout, grid, prepared.geometry, input.minAreaM2)
      const saved = changed && !input.dryRun
      if (saved) updateSynced(tx, ctx.change, 'org_units', grid.id, { boundary, geometrySource: DRAWN_ON_MAP, sourceCrs: 'WGS-84' })
      return {
        gridId: grid.id,
        saved,
        changed,
        geometry: prepared.geometry,
        areaM2: prepared.areaM2,
        repair: prepared.repair,
        warnings,
        minAreaM2: input.minAreaM2,
      }
    })
  },
} satisfies Partial<HandlerTable>
