// The app itself: version, data directory, what the store holds; loading the demo county.
import { AppError } from '../../../shared/errors'
import { countAll } from '../db/repos/app'
import { pendingChangeCount } from '../db/repos/changes'
import { getState } from '../db/repos/syncState'
import type { HandlerTable } from './table'

export const appHandlers = {
  'app.info': (ctx) => ({
    version: ctx.version,
    dataDir: ctx.dataDir,
    deviceId: ctx.change.deviceId,
    schemaVersion: ctx.change.schemaVersion,
    demoLoaded: getState(ctx.db, 'demo_seed') !== undefined,
    counts: countAll(ctx.db),
    pendingChanges: pendingChangeCount(ctx.db),
  }),
  'demo.load': async (ctx, input) => {
    if (countAll(ctx.db).grids > 0)
      throw new AppError('DEMO_ALREADY_LOADED', 'this data directory already holds grids; the demo county loads only into an empty store')
    // Loaded on demand: the generator pulls in turf, which start-up does not need.
    const { loadDemoCounty } = await import('../demo/load')
    return loadDemoCounty(ctx, input)
  },
} satisfies Partial<HandlerTable>
