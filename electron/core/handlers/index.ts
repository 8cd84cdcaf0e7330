// The one handler table (docs/architecture.md) and the dispatcher every transport uses: Electron IPC,
// browser mode's /rpc, the CLI and tests.
import { api, isHandlerName } from '../../../shared/api/contract'
import type { Language } from '../../../shared/i18n'
import { ruleMessage } from '../../../shared/i18n/ruleIssues'
import { inputProblems, type RuleIssue } from '../../../shared/rules'
import { plainErrorMap } from '../../../shared/i18n/validation'
import { AppError, type Envelope, type ErrorBody } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import { checkPaths, type PathPolicy } from '../pathPolicy'
import { StoreError, storeErrorOf } from '../db/health'
import { analysisHandlers } from './analysis'
import { appHandlers } from './app'
import { customerHandlers } from './customers'
import { intelHandlers } from './intel'
import { gridHandlers } from './grids'
import { mapHandlers } from './map'
import { orgHandlers } from './org'
import { syncHandlers } from './sync'
import { importHandlers } from './imports'
import { indicatorHandlers } from './indicators'
import { reportHandlers } from './reports'
import { searchHandlers } from './search'
import { storeHandlers } from './store'
import type { Handler, HandlerTable } from './table'
import { villageHandlers } from './villages'
import { visitHandlers } from './visits'
import { workOrderHandlers } from './workOrders'
import { logUnexpectedError } from '../errorLog'

export const handlers: HandlerTable = {
  ...appHandlers,
  ...gridHandlers,
  ...mapHandlers,
  ...villageHandlers,
  ...customerHandlers,
  ...intelHandlers,
  ...syncHandlers,
  ...reportHandlers,
  ...importHandlers,
  ...indicatorHandlers,
  ...workOrderHandlers,
  ...analysisHandlers,
  ...visitHandlers,
  ...orgHandlers,
  ...searchHandlers,
  ...storeHandlers,
}

// Validation messages in the caller's language (the transport says which), in plain words.
const zodLocales = { 'zh-CN': plainErrorMap('zh-CN'), en: plainErrorMap('en') }

/** `paths`: what the caller's transport may read and write (pathPolicy.ts); none: any path (the CLI, code). */
export async function dispatch(ctx: HandlerContext, name: string, rawInput: unknown, lang: Language = 'zh-CN', paths?: PathPolicy): Promise<Envelope<unknown>> {
  try {
    if (!isHandlerName(name)) throw new AppError('UNKNOWN_HANDLER', `no handler named ${name}`, { details: { name } })
    // The value rules every input obeys, whatever its schema (shared/rules.ts): clean text, sane
    // nesting, dates that exist. Checked before zod so no handler ever sees such a value.
    const broken = inputProblems(rawInput)
    const ruleIssues = broken.map((i) => ({ path: i.path, message: ruleMessage(i, lang) }))
    const refuse = (issues: { path: (string | number)[]; message: string }[]): never => {
      throw new AppError('VALIDATION', `invalid input for ${name}: ${issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`, {
        issues,
      })
    }
    // Broken text or nesting: refused before any schema sees it. Impossible dates: reported with
    // the schema's own issues (a form shows every bad field at once).
    if (broken.some((i) => i.code !== 'bad_date' && i.code !== 'bad_time')) refuse(ruleIssues)
    const parsed = api[name].input.safeParse(rawInput ?? {}, { error: zodLocales[lang] ?? zodLocales['zh-CN'] })
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }))
      const seen = new Set(issues.map((i) => i.path.join('.')))
      return refuse([...issues, ...ruleIssues.filter((i) => !seen.has(i.path.join('.')))])
    }
    if (ruleIssues.length) refuse(ruleIssues)
    checkPaths(name, parsed.data, paths, lang)
    const handler = handlers[name] as Handler<typeof name>
    const value = await handler(ctx, parsed.data as never)
    return { ok: true, value }
  } catch (error) {
    return { ok: false, error: toErrorBody(damagedStoreError(ctx, error), lang) }
  }
}

/** In a session whose store was found damaged (the connection is query-only), a refused write is said as the damage it is. */
function damagedStoreError(ctx: HandlerContext, error: unknown): unknown {
  if (!ctx.storeDamaged || storeErrorOf(error, 'griddesk.sqlite')?.reason !== 'readOnly') return error
  return new StoreError('corrupt', 'griddesk.sqlite', { count: ctx.storeDamaged.problems })
}

function toErrorBody(error: unknown, lang: Language): ErrorBody {
  // Storage rules broken below the handler (repos/changes.ts): translated here, where the language is known.
  const rules = error instanceof AppError ? (error.details?.rules as RuleIssue[] | undefined) : undefined
  if (error instanceof AppError && Array.isArray(rules))
    return {
      code: error.code,
      message: error.message,
      issues: rules.map((i) => ({ path: i.path, message: ruleMessage(i, lang) })),
      details: { ...error.details, rules: rules.map((i) => i.code) },
    }
  if (error instanceof AppError) return error.toBody()
  const sqliteCode = (error as { code?: unknown })?.code
  if (typeof sqliteCode === 'string' && sqliteCode.startsWith('SQLITE_CONSTRAINT'))
    return { code: 'CONFLICT', message: 'the change conflicts with data already stored', details: { sqlite: sqliteCode } }
  // A large import holds the write lock (import/jobs.ts): this write was rolled back, not queued.
  if (typeof sqliteCode === 'string' && sqliteCode.startsWith('SQLITE_BUSY'))
    return { code: 'BUSY', message: 'a large import is being written; nothing was changed, try again when it has finished', details: { sqlite: sqliteCode } }
  // The disk filled up, the file turned read-only or damaged while running: say which.
  const store = storeErrorOf(error, 'griddesk.sqlite')
  if (store) return { code: 'STORE', message: store.translated(lang), details: { reason: store.reason, ...store.params } }
  // Unexpected: log what failed and where for developers (never the values it may carry, errorLog.ts),
  // and never send it to the user.
  logUnexpectedError('handler failed', error)
  return { code: 'INTERNAL', message: 'an unexpected error occurred; see the log' }
}
