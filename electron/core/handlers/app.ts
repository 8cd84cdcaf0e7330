// The app itself: version, data directory, what the store holds; loading the demo county.
import { AppError } from '../../../shared/errors'
import { backupNow } from '../db/backup'
import { countAll } from '../db/repos/app'
import { pendingChangeCount } from '../db/repos/changes'
import { getState } from '../db/repos/syncState'
import { demoLoaded } from '../db/repos/demo'
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
  'demo.edits': async (ctx) => (await import('../demo/sandbox')).exportDemoEdits(ctx),
  'demo.clear': async (ctx, input) => {
    if (!demoLoaded(ctx.db)) throw new AppError('NOT_FOUND', 'this data directory holds no demo county', { details: { reason: 'noDemo' } })
    backupNow(ctx.db.$client, ctx.dataDir, 'preclear')
    return (await import('../demo/sandbox')).clearDemo(ctx, input.exportPath)
  },
  'demo.load': async (ctx, input) => {
    // HQ's rows and the demo's never meet: an enrolled device does not take the demo.
    if (getState(ctx.db, 'hq_token') !== undefined)
      throw new AppError('CONFLICT', 'this device is enrolled with HQ; the demo county loads only on a device that is not', { details: { reason: 'enrolled' } })
    if (countAll(ctx.db).grids > 0)
      throw new AppError('DEMO_ALREADY_LOADED', 'this data directory already holds grids; the demo county loads only into an empty store')
    // Loaded on demand: the generator pulls in turf, which start-up does not need.
    const { loadDemoCounty } = await import('../demo/load')
    return loadDemoCounty(ctx, input)
  },
} satisfies Partial<HandlerTable>
