// `npm run cli -- <command> [--data-dir DIR]`: the handler table from the command line, for
// admins, scripts and tests. Exit code 0 on success, 1 on a handler error (the error envelope is
// printed as JSON on stdout), 2 on a usage error.
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { api, handlerNames } from '../../shared/api/contract'
import type { Envelope } from '../../shared/errors'
import { resources, type Language } from '../../shared/i18n'
import { openCore } from '../core/app'
import { resolveDataDir } from '../core/paths'
import { appVersion, REPO_ROOT } from '../core/resources'

const USAGE = `GridDesk 网格通 command line

Usage: npm run cli -- <command> [options]

Commands:
  info                              what the data directory holds
  handlers                          list every handler with its input as JSON Schema
  call <handler> ['<json input>']   call any handler, print its JSON result
  demo load [--seed N] [--customers N] [--visits N]
                                    load the demo county 田东县 into an empty data directory

Options:
  --data-dir DIR    data directory (default: $GRIDDESK_DATA_DIR, else the platform's app-data folder)
  --lang zh-CN|en   language of messages (default zh-CN)
  --help            this text`

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

function message(lang: Language, envelope: Extract<Envelope<unknown>, { ok: false }>): string {
  const template = resources[lang].translation.errors[envelope.error.code] ?? envelope.error.message
  const detail = (envelope.error.issues ?? []).map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')
  return template.replace('{{detail}}', detail || envelope.error.message)
}

export async function runCli(argv: string[]): Promise<CliResult> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        lang: { type: 'string', default: 'zh-CN' },
        seed: { type: 'string' },
        customers: { type: 'string' },
        visits: { type: 'string' },
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

  const dataDir = values['data-dir'] ?? resolveDataDir([])
  const core = openCore({ dataDir, resourcesDir: REPO_ROOT, version: appVersion() })
  try {
    const envelope = await dispatchCommand((name, input) => core.dispatch(name, input, lang), command, rest, values)
    if (!envelope) return { code: 2, stdout: '', stderr: `unknown command: ${[command, ...rest].join(' ')}\n\n${USAGE}\n` }
    if (envelope.ok) return { code: 0, stdout: `${JSON.stringify(envelope.value, null, 2)}\n`, stderr: '' }
    return { code: 1, stdout: `${JSON.stringify(envelope, null, 2)}\n`, stderr: `${message(lang, envelope)}\n` }
  } finally {
    core.close()
  }
}

async function dispatchCommand(
  dispatch: (name: string, input: unknown) => Promise<Envelope<unknown>>,
  command: string,
  rest: string[],
  values: { seed?: string; customers?: string; visits?: string },
): Promise<Envelope<unknown> | undefined> {
  if (command === 'info' && rest.length === 0) return dispatch('app.info', {})
  if (command === 'call' && rest.length >= 1 && rest.length <= 2) {
    let input: unknown = {}
    if (rest[1] !== undefined) {
      try {
        input = JSON.parse(rest[1])
      } catch (error) {
        return { ok: false, error: { code: 'VALIDATION', message: `input is not valid JSON: ${(error as Error).message}`, issues: [{ path: [], message: 'not valid JSON' }] } }
      }
    }
    return dispatch(rest[0]!, input)
  }
  if (command === 'demo' && rest[0] === 'load' && rest.length === 1) {
    // Numbers from flags go through the handler's schema like any other input.
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v))
    return dispatch('demo.load', { seed: num(values.seed), keyCustomers: num(values.customers), visits: num(values.visits) })
  }
  return undefined
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runCli(process.argv.slice(2))
  process.stdout.write(result.stdout)
  process.stderr.write(result.stderr)
  process.exitCode = result.code
}
