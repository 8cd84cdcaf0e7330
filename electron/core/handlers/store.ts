// The store's care: backups (list, take one now, restore one) and the full integrity check.
import type { StoreBackups, StoreCheck } from '../../../shared/api/store'
import { AppError } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import { backupNow, DAILY_KEPT, listBackups, problemsOf, restoreBackup, STORE_CHECK_KEY } from '../db/backup'
import { getState, setState } from '../db/repos/syncState'
import { importRunning } from '../import/jobs'
import { currentRun } from '../sync/runner'
import type { HandlerTable } from './table'

const storeOf = (ctx: HandlerContext) => {
  if (!ctx.store) throw new AppError('NOT_FOUND', 'this core has no store file to back up', { details: { reason: 'noStore' } })
  return ctx.store
}

export function lastCheck(ctx: HandlerContext): StoreCheck | null {
  const stored = getState(ctx.db, STORE_CHECK_KEY)
  return stored ? (JSON.parse(stored) as StoreCheck) : null
}

export const storeHandlers = {
  'store.backups': (ctx): StoreBackups => ({ backups: listBackups(ctx.dataDir), keep: DAILY_KEPT, lastCheck: lastCheck(ctx) }),
  'store.backup': (ctx) => backupNow(ctx.db.$client, ctx.dataDir, 'manual'),
  'store.check': (ctx) => {
    const started = performance.now()
    const problems = problemsOf(ctx.db.$client, true)
    const check: StoreCheck = {
      kind: 'integrity',
      at: new Date().toISOString(),
      problems: problems.slice(0, 100),
      millis: Math.round(performance.now() - started),
      afterUncleanShutdown: false,
    }
    // A session whose store was found damaged writes nothing (app.ts): the check is only answered.
    if (!ctx.storeDamaged) setState(ctx.db, STORE_CHECK_KEY, JSON.stringify(check))
    return check
  },
  'store.restore': (ctx, input) => {
    const store = storeOf(ctx)
    if (currentRun(ctx) || importRunning(ctx))
      throw new AppError('BUSY', 'a sync or an import is running; restore when it has finished', { details: { reason: currentRun(ctx) ? 'sync' : 'import' } })
    ctx.db.$client.close()
    let result
    try {
      result = restoreBackup({ ...store, dataDir: ctx.dataDir }, input.file)
    } catch (error) {
      // The backup was refused: the store stays as it was.
      store.reopen()
      throw error
    }
    store.reopen()
    return result
  },
} satisfies Partial<HandlerTable>
