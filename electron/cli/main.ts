// `npm run cli -- <command> [--data-dir DIR]`: the handler table from the command line, for
// admins, scripts and tests. Exit code 0 on success, 1 on a handler error (the error envelope is
// printed as JSON on stdout), 2 on a usage error.
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { api, handlerNames } from '../../shared/api/contract'
import { reportFormats, reportPeriodSchema } from '../../shared/api/reports'
import { AppError, type Envelope } from '../../shared/errors'
import { resources, type Language } from '../../shared/i18n'
import { storeMessage } from '../../shared/i18n/ruleIssues'
import { logUnexpectedError } from '../core/errorLog'
import { openCore, storeCare, type Core } from '../core/app'
import { keySourceFromArgs } from '../core/crypto/source'
import { openFailureText, StoreError } from '../core/db/health'
import { resolveDataDir } from '../core/paths'
import { errorText } from '../../shared/i18n/errorText'
import { formatImportIssue } from '../../shared/i18n/importIssues'
import { parseColumnMapping, type ImportIssue } from '../../shared/api/imports'
import { resolve } from 'node:path'
import { appVersion, REPO_ROOT } from '../core/resources'
import { runSyncCommand } from '../core/sync/cli'
import { runBasemapCommand } from '../core/tiles/cli'

const USAGE = `GridDesk 网格通 command line

Usage: npm run cli -- <command> [options]

Commands:
  info                              what the data directory holds
  handlers                          list every handler with its input as JSON Schema
  call <handler> ['<json input>'|@FILE]
                                    call any handler, print its JSON result (@FILE: input read
                                    from a JSON file, e.g. a grid boundary for grids.setBoundary)
  import villages|customers|grids|county|townships FILE [--encoding auto|utf-8|gb18030] [--crs WGS-84|GCJ-02|BD-09]
         [--map field=column,...] [--skip-invalid]
                                    import villages or key customers (CSV/XLSX), or grid, county-outline or township
                                    boundaries (GeoJSON/KML/zipped Shapefile); all rows or none (a bad
                                    file exits 1 listing every problem), or with --skip-invalid the
                                    valid rows, listing the rest. Boundaries find their code and name
                                    by themselves (code, adcode, id, the feature's id, gb, 编码; name,
                                    NAME, 名称) or from --map code=id,name=name; invalid geometry is
                                    repaired when the area stays within 1%
  import template villages --format csv|xlsx --out FILE [--force]
                                    an empty village file with every column the importer knows
  import actuals FILE [--map f=col,...] [--skip-invalid]
                                    import actuals from the billing export (CSV/XLSX: org unit code,
                                    indicator code, period, value, as of); all rows or none; a bad
                                    file exits 1 listing every problem by row and column
  import KIND FILE --dry-run        check a file of any kind, write nothing
  dashboard --region CODE --period P [--as-of YYYY-MM-DD]
                                    时间进度 traffic lights per center and grid, as JSON
  sync enrol --server URL --code CODE [--name NAME] [--allow-insecure-http] [--clear-demo [--export FILE]]
                                    enrol this data directory with an HQ server (one-time code); a
                                    directory holding the demo county needs --clear-demo (the demo
                                    is cleared with the enrolment; --export FILE first saves the
                                    changes typed into it as JSON)
  sync [--page-size N]              push pending changes and pull the regions' data, printing
                                    progress and each change's result (applied/superseded/conflict/rejected);
                                    N rows per pulled page (default: 20,000 first, then what the link carries in ~15 s)
  sync status | sync conflicts      sync state; conflicts waiting for review
  basemap list                      the basemaps HQ offers (and the box of your regions) and the local ones
  basemap estimate [--id ID] [--zoom 8-15]
                                    tiles and megabytes of your regions at those zoom levels
  basemap fetch [--id ID] [--zoom 8-15] [--budget-mb N] [--slow-ok]
                                    sync, then download the regions' tiles into one PMTiles archive
                                    in the data directory, printing progress; Ctrl+C pauses, the
                                    same command resumes (no tile is fetched twice); a slow link
                                    pauses unless --slow-ok. Default: HQ's first raster basemap
  demo load [--seed N] [--customers N] [--visits N]
                                    load the demo county 田东县 into an empty data directory
  demo clear [--export FILE]        remove the demo county and everything typed into it (--export
                                    FILE: those changes saved as JSON first)
  report --region CODE --period P --format xlsx|pdf|csv|geojson --out FILE [--force] [--encoding utf8-bom|gb18030]
                                    regional report of a grid, center or county code for a month
                                    (2026-10), quarter (2026-Q3) or year (2026); --force overwrites FILE
  report definitions                list saved reports (saved in the app)
  report run NAME [--force]         run a saved report: every format into its folder; existing
                                    files are left alone unless --force
  store backups                     the store's backups (daily, before upgrades, before clearing the demo)
  store backup                      take a backup now
  store check                       full integrity check of the store (PRAGMA integrity_check)
  store restore [BACKUP]            put a backup (the newest by default) in the store's place; the
                                    store it replaces is kept beside it as griddesk.sqlite.replaced-…
                                    Works when the store does not open; close the app first

Options:
  --data-dir DIR    data directory (default: $GRIDDESK_DATA_DIR, else the platform's app-data folder)
  --passphrase-file FILE | --key-file FILE
                    the store's key (also $GRIDDESK_PASSPHRASE, $GRIDDESK_PASSPHRASE_FILE,
                    $GRIDDESK_KEY_FILE); asked for in a terminal. The store is always encrypted.
  --lang zh-CN|en   language of messages (default zh-CN)
  --help            this text`

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export async function runCli(argv: string[]): Promise<CliResult> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        'key-file': { type: 'string' },
        'passphrase-file': { type: 'string' },
        'allow-insecure-http': { type: 'boolean', default: false },
        lang: { type: 'string', default: 'zh-CN' },
        seed: { type: 'string' },
        customers: { type: 'string' },
        visits: { type: 'string' },
        region: { type: 'string' },
        period: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean', default: false },
        encoding: { type: 'string' },
        crs: { type: 'string' },
        map: { type: 'string' },
        server: { type: 'string' },
        code: { type: 'string' },
        name: { type: 'string' },
        'page-size': { type: 'string' },
        'as-of': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'skip-invalid': { type: 'boolean', default: false },
        'clear-demo': { type: 'boolean', default: false },
        export: { type: 'string' },
        zoom: { type: 'string' },
        id: { type: 'string' },
        'budget-mb': { type: 'string' },
        'slow-ok': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    })
  } catch (error) {
    return { code: 2, stdout: '', stderr: `${(error as Error).message}\n\n${USAGE}\n` }
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  if (values.help || !command) return { code: values.help ? 0 : 2, stdout: values.help ? `${USAGE}\n` : '', stderr: values.help ? '' : `${USAGE}\n` }
  const lang: Language = values.lang === 'en' ? 'en' : 'zh-CN'

  if (command === 'handlers') {
    const list = handlerNames.map((name) => ({ name, input: z.toJSONSchema(api[name].input, { io: 'input', unrepresentable: 'any' }) }))
    return { code: 0, stdout: `${JSON.stringify(list, null, 2)}\n`, stderr: '' }
  }

  // A template needs no store (and so no key).
  if (command === 'import' && rest[0] === 'template' && rest.length === 2) return templateCommand(rest[1]!, values, lang)

  const dataDir = values['data-dir'] ?? resolveDataDir([])
  // The store's care works when the store does not open (it is what the store-health message offers).
  if (command === 'store' && rest.length >= 1 && rest[0] !== 'backup') return storeCommand(dataDir, rest, values, lang)
  let core: Core
  try {
    core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: appVersion(), key: await keySourceFromArgs(dataDir, values, lang) })
  } catch (error) {
    // No key, a wrong key, a revoked device, a store that cannot be used (health.ts), or a fault
    // nobody foresaw: one translated message with what to do, not a stack.
    const body = error instanceof AppError ? error.toBody() : { code: 'INTERNAL', message: 'the store did not open' }
    if (!(error instanceof AppError)) logUnexpectedError('the store did not open', error)
    return { code: 1, stdout: `${JSON.stringify({ ok: false, error: body }, null, 2)}\n`, stderr: `${openFailureText(error, lang, dataDir)}\n` }
  }
  try {
    if (command === 'sync') {
      const result = await runSyncCommand(core, rest, values, (line) => process.stderr.write(`${line}\n`), lang)
      if (result) return result
    }
    if (command === 'basemap') {
      const result = await runBasemapCommand(core, rest, values, lang, (line) => process.stderr.write(`${line}\n`))
      if (result) return result
    }
    const envelope = await dispatchCommand((name, input) => core.dispatch(name, input, lang), command, rest, values)
    if (!envelope) return { code: 2, stdout: '', stderr: `unknown command: ${[command, ...rest].join(' ')}\n\n${USAGE}\n` }
    if (envelope.ok) {
      // An import that wrote its valid rows lists the rows it left out, as a failed one would.
      const skipped = (envelope.value as { skippedIssues?: ImportIssue[] } | null)?.skippedIssues
      const stderr = skipped?.length ? `${skipped.map((i) => formatImportIssue(i, lang)).join('\n')}\n` : ''
      return { code: 0, stdout: `${JSON.stringify(envelope.value, null, 2)}\n`, stderr }
    }
    return { code: 1, stdout: `${JSON.stringify(envelope, null, 2)}\n`, stderr: `${errorText(lang, envelope)}\n` }
  } finally {
    core.close()
  }
}

async function dispatchCommand(
  dispatch: (name: string, input: unknown) => Promise<Envelope<unknown>>,
  command: string,
  rest: string[],
  values: {
    seed?: string
    customers?: string
    visits?: string
    region?: string
    period?: string
    format?: string
    out?: string
    force?: boolean
    encoding?: string
    lang?: string
    crs?: string
    map?: string
    'as-of'?: string
    'dry-run'?: boolean
    'skip-invalid'?: boolean
    export?: string
  },
): Promise<Envelope<unknown> | undefined> {
  if (command === 'info' && rest.length === 0) return dispatch('app.info', {})
  if (command === 'store' && rest[0] === 'backup' && rest.length === 1) return dispatch('store.backup', {})
  if (command === 'call' && rest.length >= 1 && rest.length <= 2) {
    let input: unknown = {}
    if (rest[1] !== undefined) {
      try {
        input = JSON.parse(rest[1].startsWith('@') ? readFileSync(rest[1].slice(1), 'utf8') : rest[1])
      } catch (error) {
        return {
          ok: false,
          error: { code: 'VALIDATION', message: `input is not valid JSON: ${(error as Error).message}`, issues: [{ path: [], message: 'not valid JSON' }] },
        }
      }
    }
    return dispatch(rest[0]!, input)
  }
  if (command === 'report' && rest.length === 0) return reportCommand(dispatch, values)
  if (command === 'report' && rest[0] === 'definitions' && rest.length === 1) return dispatch('reports.definitions.list', {})
  if (command === 'report' && rest[0] === 'run' && rest.length === 2) {
    // A saved report, by name: what an admin's weekly scheduled task runs.
    const list = await dispatch('reports.definitions.list', {})
    if (!list.ok) return list
    const definition = (list.value as { id: string; name: string }[]).find((d) => d.name === rest[1])
    if (!definition) return { ok: false, error: { code: 'NOT_FOUND', message: `no saved report named ${rest[1]}`, details: { name: rest[1] } } }
    return dispatch('reports.definitions.run', { id: definition.id, overwrite: values.force ?? false })
  }
  if (command === 'dashboard' && rest.length === 0) return dispatch('dashboard.get', { region: values.region, period: values.period, asOf: values['as-of'] })
  if (command === 'import' && rest.length === 2) {
    const mapping = parseColumnMapping(values.map)
    const input = {
      kind: rest[0],
      source: { path: resolve(rest[1]!) },
      encoding: values.encoding,
      crs: values.crs,
      mapping,
      ...(values['skip-invalid'] ? { onInvalid: 'skip' } : {}),
    }
    if (!values['dry-run']) return dispatch('import.commit', input)
    // --dry-run: the check alone; a file with problems exits 1 with the same report a commit gives.
    const preview = await dispatch('import.preview', input)
    const issues = preview.ok ? (preview.value as { issues: unknown[]; moreIssues: number }) : undefined
    if (!issues || issues.issues.length === 0) return preview
    return {
      ok: false,
      error: {
        code: 'VALIDATION',
        message: `${issues.issues.length + issues.moreIssues} problem(s); nothing was imported`,
        details: { importIssues: issues.issues, moreIssues: issues.moreIssues },
      },
    }
  }
  if (command === 'demo' && rest[0] === 'clear' && rest.length === 1) return dispatch('demo.clear', values.export ? { exportPath: resolve(values.export) } : {})
  if (command === 'demo' && rest[0] === 'load' && rest.length === 1) {
    // Numbers from flags go through the handler's schema like any other input.
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v))
    return dispatch('demo.load', { seed: num(values.seed), keyCustomers: num(values.customers), visits: num(values.visits) })
  }
  return undefined
}

async function storeCommand(dataDir: string, rest: string[], values: { 'key-file'?: string; 'passphrase-file'?: string }, lang: Language): Promise<CliResult> {
  const words = resources[lang].translation
  const fail = (error: unknown): CliResult => {
    if (!(error instanceof AppError)) throw error
    const envelope = { ok: false as const, error: error.toBody() }
    return {
      code: 1,
      stdout: `${JSON.stringify(envelope, null, 2)}\n`,
      stderr: `${error instanceof StoreError ? error.translated(lang) : errorText(lang, envelope)}\n`,
    }
  }
  const done = (value: unknown, line: string): CliResult => ({ code: 0, stdout: `${JSON.stringify(value, null, 2)}\n`, stderr: `${line}\n` })
  try {
    const [verb, name] = rest
    if (verb === 'backups' && rest.length === 1) {
      const backups = storeCare({ dataDir }).backups()
      return done(
        backups,
        backups.length ? backups.map((b) => `${b.file}  ${words.backups.reason[b.reason]}  ${(b.bytes / 1e6).toFixed(1)} MB`).join('\n') : words.backups.empty,
      )
    }
    const care = storeCare({ dataDir, key: await keySourceFromArgs(dataDir, values, lang) })
    if (verb === 'check' && rest.length === 1) {
      const check = care.check()
      const result = check.problems.length ? storeMessage('checkFailed', { count: check.problems.length }, lang) : words.store.checkOk
      const line = storeMessage('checked', { result }, lang)
      return { ...done(check, [line, ...check.problems.slice(0, 20)].join('\n')), code: check.problems.length ? 1 : 0 }
    }
    if (verb === 'restore' && rest.length <= 2) {
      const result = care.restore(name)
      return done(result, storeMessage('restored', { file: result.restored.file, kept: result.keptAside ?? '-' }, lang))
    }
  } catch (error) {
    return fail(error)
  }
  return { code: 2, stdout: '', stderr: `unknown command: store ${rest.join(' ')}\n\n${USAGE}\n` }
}

function reportCommand(
  dispatch: (name: string, input: unknown) => Promise<Envelope<unknown>>,
  values: { region?: string; period?: string; format?: string; out?: string; force?: boolean; encoding?: string; lang?: string },
): Promise<Envelope<unknown>> {
  const fail = (reason: string, path: string, details: Record<string, unknown>): Envelope<unknown> => ({
    ok: false,
    error: { code: 'VALIDATION', message: `${path}: ${reason}`, issues: [{ path: [path], message: reason }], details: { reason, ...details } },
  })
  if (!values.format || !(reportFormats as readonly string[]).includes(values.format))
    return Promise.resolve(fail('badFormat', 'format', { format: values.format ?? '' }))
  if (!values.period || !reportPeriodSchema.safeParse(values.period).success)
    return Promise.resolve(fail('badPeriod', 'period', { period: values.period ?? '' }))
  if (!values.region) return Promise.resolve(fail('unknownRegion', 'region', { region: '' }))
  if (!values.out) return Promise.resolve(fail('missingOut', 'out', {}))
  return dispatch('reports.export', {
    region: values.region ?? '',
    period: values.period,
    format: values.format,
    path: resolve(values.out),
    overwrite: values.force ?? false,
    csvEncoding: values.encoding,
    lang: values.lang === 'en' ? 'en' : 'zh-CN',
  })
}

/** `import template villages --format csv|xlsx --out FILE [--force]`: an empty village file to fill in. */
async function templateCommand(kind: string, values: { format?: string; out?: string; force?: boolean }, lang: Language): Promise<CliResult> {
  const failed = (error: Extract<Envelope<unknown>, { ok: false }>['error']): CliResult => {
    const envelope = { ok: false as const, error }
    return { code: 1, stdout: `${JSON.stringify(envelope, null, 2)}\n`, stderr: `${errorText(lang, envelope)}\n` }
  }
  const input = api['import.template'].input.safeParse({ kind, format: values.format, language: lang })
  if (!input.success) {
    const reason = values.format === 'csv' || values.format === 'xlsx' ? undefined : 'badTemplateFormat'
    return failed({
      code: 'VALIDATION',
      message: 'invalid input',
      issues: input.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      ...(reason ? { details: { reason, format: values.format ?? '' } } : {}),
    })
  }
  if (!values.out)
    return failed({ code: 'VALIDATION', message: 'out: missingOut', issues: [{ path: ['out'], message: 'missingOut' }], details: { reason: 'missingOut' } })
  const { villageTemplate } = await import('../core/import/template')
  const { content } = await villageTemplate(input.data.format, input.data.language)
  const path = resolve(values.out)
  try {
    writeFileSync(path, content, { flag: values.force ? 'w' : 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return failed({
      code: 'VALIDATION',
      message: `${path} exists`,
      issues: [{ path: ['out'], message: 'fileExists' }],
      details: { reason: 'fileExists', path },
    })
  }
  return { code: 0, stdout: `${JSON.stringify({ path, bytes: content.byteLength }, null, 2)}\n`, stderr: '' }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runCli(process.argv.slice(2))
  process.stdout.write(result.stdout)
  process.stderr.write(result.stderr)
  process.exitCode = result.code
}
