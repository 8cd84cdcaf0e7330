// The `sync` commands of the device CLI: enrol with an HQ server, run a sync printing progress
// (stderr) and the per-change results (stdout), show status and conflicts.
import { AppError } from '../../../shared/errors'
import type { Language } from '../../../shared/i18n'
import { errorText } from '../../../shared/i18n/errorText'
import { MAX_PULL_LIMIT } from '../../../shared/sync/protocol'
import type { Core } from '../app'
import type { SyncProgress } from './engine'
import { writeReportFile } from '../reports/write'
import { SyncHttpError } from './hqClient'
import { runSyncExclusive } from './runner'

export interface SyncCliResult {
  code: number
  stdout: string
  stderr: string
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`

export async function runSyncCommand(
  core: Core,
  rest: string[],
  values: { server?: string; code?: string; name?: string; 'page-size'?: string; 'allow-insecure-http'?: boolean; 'clear-demo'?: boolean; export?: string },
  progressOut: (line: string) => void,
  lang: Language = 'zh-CN',
): Promise<SyncCliResult | undefined> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
  const fail = (error: unknown): SyncCliResult => {
    const message = error instanceof Error ? error.message : String(error)
    const code = error instanceof SyncHttpError ? error.code : ((error as { code?: string }).code ?? 'ERROR')
    return { code: 1, stdout: json({ ok: false, error: { code, message } }), stderr: `sync failed: ${message}\n` }
  }
  const [sub] = rest
  if (sub === 'enrol' && rest.length === 1) {
    if (!values.server || !values.code) return { code: 2, stdout: '', stderr: 'sync enrol needs --server URL and --code CODE\n' }
    if (values['allow-insecure-http']) progressOut('warning: talking to HQ over unencrypted http:// (--allow-insecure-http); development only')
    // A device holding the demo county: --clear-demo clears it with the enrolment, --export FILE keeps the changes typed into it.
    if (values['clear-demo'] && values.export) {
      const edits = await core.dispatch('demo.edits', {}, 'en')
      if (!edits.ok) return { code: 1, stdout: json(edits), stderr: `enrolment failed: ${edits.error.message}\n` }
      try {
        // Whole or not at all, never over an existing file; a full disk is said as the target's.
        writeReportFile(values.export, (edits.value as { content: string }).content, false)
      } catch (error) {
        const body = error instanceof AppError ? error.toBody() : { code: 'INTERNAL' as const, message: String((error as Error)?.message ?? error) }
        return { code: 1, stdout: json({ ok: false, error: body }), stderr: `enrolment failed: ${errorText(lang, { ok: false, error: body })}\n` }
      }
    }
    const envelope = await core.dispatch(
      'sync.enrol',
      {
        server: values.server,
        code: values.code,
        ...(values.name ? { deviceName: values.name } : {}),
        ...(values['allow-insecure-http'] ? { allowInsecureHttp: true } : {}),
        ...(values['clear-demo'] ? { clearDemo: true } : {}),
      },
      'en',
    )
    if (!envelope.ok && envelope.error.code === 'DEMO_DATA')
      return {
        code: 1,
        stdout: json(envelope),
        stderr: `enrolment refused: this device holds the demo county (${String(envelope.error.details?.edits ?? 0)} change(s) typed into it); run again with --clear-demo [--export FILE]\n`,
      }
    return envelope.ok
      ? { code: 0, stdout: json(envelope.value), stderr: '' }
      : { code: 1, stdout: json(envelope), stderr: `enrolment failed: ${envelope.error.message}\n` }
  }
  if (sub === 'status' && rest.length === 1) return { code: 0, stdout: json(await core.call('sync.status', {})), stderr: '' }
  if (sub === 'conflicts' && rest.length === 1) return { code: 0, stdout: json(await core.call('sync.conflicts', {})), stderr: '' }
  if (sub === undefined) {
    const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size'])
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PULL_LIMIT))
      return { code: 2, stdout: '', stderr: `--page-size must be a whole number from 1 to ${MAX_PULL_LIMIT}\n` }
    try {
      const report = await runSyncExclusive(core.ctx, {
        ...(pageSize ? { pullLimit: pageSize } : {}),
        onProgress: (p: SyncProgress) =>
          progressOut(
            `${p.phase}: pushed ${p.pushed}, pending ${p.pending}, pulled ${p.pulled}${p.pullTotal ? ` of ${p.pullTotal}` : ''} rows, sent ${kb(p.bytesSent)}, received ${kb(p.bytesReceived)}`,
          ),
      })
      const lines = report.changes.map((c) => `#${c.deviceSeq} ${c.table} ${c.rowId}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`)
      const summary = `pushed ${report.pushed} (applied ${report.results.applied}, superseded ${report.results.superseded}, conflict ${report.results.conflict}, rejected ${report.results.rejected}); pulled ${report.pulledRows} rows in ${report.pages} pages; checkpoint ${report.checkpoint}; ${kb(report.bytesSent)} sent, ${kb(report.bytesReceived)} received in ${report.roundTrips} round trips, ${report.millis} ms`
      return { code: 0, stdout: json(report), stderr: [...lines, summary, ...report.warnings.map((w) => `warning: ${w.message}`)].join('\n') + '\n' }
    } catch (error) {
      return fail(error)
    }
  }
  return undefined
}
