// Test-only crash hook for the crash-safety tests (server/crash.test.ts). When the environment
// variable GRIDDESK_CRASH_AT is `<point>` or `<point>@<n>`, the process kills itself with SIGKILL
// (no cleanup, no flush: a power cut) the n-th time (default: first) it reaches that point. Unset —
// always, outside those tests — it does nothing. This is the only place the variable is read.
type ProcessLike = { env: Record<string, string | undefined>; pid: number; kill(pid: number, signal: string): void }
const proc = (globalThis as { process?: ProcessLike }).process
const spec = proc?.env.GRIDDESK_CRASH_AT
const [target, nth] = spec ? spec.split('@') : []
let hits = 0

export type CrashPoint =
  | 'push.batch-built'
  | 'push.response-received'
  | 'push.results-committed'
  | 'pull.page-received'
  | 'pull.page-applied'
  | 'pull.page-committed'
  | 'server.push-applied'
  | 'server.push-committed'
  | 'prefetch.tile-stored'

export function crashPoint(point: CrashPoint): void {
  if (target !== point || !proc) return
  if (++hits === Number(nth ?? 1)) proc.kill(proc.pid, 'SIGKILL')
}
