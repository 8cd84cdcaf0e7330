// Import jobs: a file is checked (preview) or checked and written (commit) in the background, and
// import.progress reports its phase until it is done. A small file runs on the caller's thread
// (well under 100 ms); a larger one in a worker thread (worker.ts) that reads, validates and
// writes it on its own SQLite connection, so a 50 MB file never blocks the main thread: Electron
// main keeps answering the window, browser mode keeps answering /rpc (reads see the data as it
// was until the import commits; writes fail at once with BUSY while it writes).
import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { v7 as uuidv7 } from 'uuid'
import type { ImportInput, ImportJobProgress, ImportPhase, ImportPreview, ImportResult } from '../../../shared/api/imports'
import { AppError, type ErrorBody } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import { failWritesFast } from '../db/exclusive'
import type { WorkPhase } from './pipeline'
import type { FromWorker, ImportJobData, ToWorker } from './worker'
import { logUnexpectedError } from '../errorLog'

export type ImportMode = 'preview' | 'commit'
/** Where the work runs: 'auto' picks a worker for files above a few hundred kB. */
export type RunIn = 'auto' | 'worker' | 'inline'

/** What import.progress answers (less the id), plus the job's own bookkeeping. */
interface Job extends Pick<ImportJobProgress, 'file' | 'phase' | 'done' | 'total' | 'unit' | 'background' | 'preview' | 'result'> {
  id: string
  mode: ImportMode
  startedAt: number
  finishedAt?: number
  error?: ErrorBody
  finished: Promise<void>
  /** Resolves once the work has stopped (a worker's connection closed, its lock released). */
  cancel(): Promise<void>
}

const TERMINAL: ImportPhase[] = ['done', 'failed', 'cancelled']
const isOver = (job: Job) => TERMINAL.includes(job.phase)
/** Above these sizes the work goes to a worker: text ~2,000 wide rows; zipped formats hold more per byte. */
const INLINE_BELOW = { text: 256 * 1024, zipped: 32 * 1024 }
const KEEP_FINISHED_MS = 15 * 60_000

const jobsOf = new WeakMap<HandlerContext, Map<string, Job>>()
const writeQueueOf = new WeakMap<HandlerContext, Promise<void>>()

function registry(ctx: HandlerContext): Map<string, Job> {
  let jobs = jobsOf.get(ctx)
  if (!jobs) jobsOf.set(ctx, (jobs = new Map()))
  const now = Date.now()
  for (const [id, job] of jobs) if (job.finishedAt !== undefined && now - job.finishedAt > KEEP_FINISHED_MS) jobs.delete(id)
  return jobs
}

/** Imports write one at a time (each holds the write lock); the next waits for the last. */
async function writeTurn(ctx: HandlerContext): Promise<() => void> {
  const previous = writeQueueOf.get(ctx) ?? Promise.resolve()
  let release!: () => void
  const mine = new Promise<void>((resolve) => (release = resolve))
  writeQueueOf.set(
    ctx,
    previous.then(() => mine),
  )
  await previous
  return release
}

function sizeOf(source: ImportInput['source']): number {
  if ('base64' in source) return Math.floor((source.base64.length * 3) / 4)
  try {
    return statSync(source.path).size
  } catch (error) {
    throw new AppError('NOT_FOUND', `cannot read the file: ${(error as Error).message}`, { details: { source: source.path } })
  }
}

const fileNameOf = (source: ImportInput['source']) => ('path' in source ? source.path.split(/[\\/]/).pop()! : source.fileName)

/**
 * How to start the worker: the bundle electron-vite builds (out/main/import-worker.js), or under
 * tsx/vitest worker.ts itself, loaded through tsx's API (a worker does not inherit tsx's loader).
 */
function workerEntry(): { script: string | URL; eval?: boolean } | null {
  const here = import.meta.url
  if (here.endsWith('.ts')) {
    // The ESM build of tsx's API (require.resolve would give its CommonJS one).
    const tsx = pathToFileURL(join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href
    const script = new URL('./worker.ts', here).href
    return { script: `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(script)}, ${JSON.stringify(here)}))`, eval: true }
  }
  for (const candidate of ['./import-worker.js', '../import-worker.js']) {
    const url = new URL(candidate, here)
    if (existsSync(fileURLToPath(url))) return { script: url }
  }
  return null
}

export function jobProgress(job: Job): ImportJobProgress {
  const phase = job.phase
  return {
    jobId: job.id,
    mode: job.mode,
    file: job.file,
    phase,
    done: job.done,
    total: job.total,
    unit: job.unit,
    background: job.background,
    ...(job.preview ? { preview: job.preview } : {}),
    ...(job.result ? { result: job.result } : {}),
    ...(job.error ? { error: job.error } : {}),
  }
}

export function startImportJob(ctx: HandlerContext, input: ImportInput, mode: ImportMode, runIn: RunIn = 'auto'): Job {
  const size = sizeOf(input.source)
  const zipped = ['.xlsx', '.zip'].includes(extname(fileNameOf(input.source)).toLowerCase())
  const entry = runIn === 'inline' ? null : workerEntry()
  if (runIn === 'worker' && !entry) throw new Error('the import worker script is not built')
  const background = entry !== null && (runIn === 'worker' || size >= (zipped ? INLINE_BELOW.zipped : INLINE_BELOW.text))
  let settle!: () => void
  const job: Job = {
    id: uuidv7(),
    mode,
    file: fileNameOf(input.source),
    phase: 'queued',
    done: 0,
    total: size,
    unit: 'bytes',
    background,
    startedAt: performance.now(),
    finished: new Promise<void>((resolve) => (settle = resolve)),
    cancel: async () => {},
  }
  registry(ctx).set(job.id, job)
  const run = background ? runInWorker(ctx, job, input, entry!, heapLimitMb(size, zipped)) : runInline(ctx, job, input)
  void run.catch(async (error: unknown) => fail(job, (await import('./pipeline')).errorBodyOf(error))).finally(settle)
  return job
}

export function findJob(ctx: HandlerContext, jobId: string): Job {
  const job = registry(ctx).get(jobId)
  if (!job) throw new AppError('NOT_FOUND', `no import job ${jobId}`, { details: { jobId } })
  return job
}

/** Runs a job to its end: the preview or result, or its error thrown (the import.preview / import.commit calls). */
export async function runImportJob(ctx: HandlerContext, input: ImportInput, mode: 'preview', runIn?: RunIn): Promise<ImportPreview>
export async function runImportJob(ctx: HandlerContext, input: ImportInput, mode: 'commit', runIn?: RunIn): Promise<ImportResult>
export async function runImportJob(ctx: HandlerContext, input: ImportInput, mode: ImportMode, runIn: RunIn = 'auto'): Promise<ImportPreview | ImportResult> {
  const job = startImportJob(ctx, input, mode, runIn)
  await job.finished
  registry(ctx).delete(job.id)
  if (job.error) throw new AppError(job.error.code, job.error.message, { issues: job.error.issues, details: job.error.details })
  return (mode === 'preview' ? job.preview : job.result)!
}

function progress(job: Job, phase: WorkPhase, done: number, total: number, unit: 'bytes' | 'rows'): void {
  if (isOver(job)) return
  Object.assign(job, { phase, done, total, unit })
}

function finish(job: Job, values: Pick<Job, 'preview' | 'result'>): void {
  if (job.phase === 'failed') return
  Object.assign(job, values, { phase: 'done', finishedAt: Date.now() })
  job.done = job.total
}

function fail(job: Job, error: ErrorBody): void {
  if (isOver(job)) return
  Object.assign(job, { phase: 'failed', error, finishedAt: Date.now() })
}

const millisSince = (job: Job) => Math.round(performance.now() - job.startedAt)

async function runInline(ctx: HandlerContext, job: Job, input: ImportInput): Promise<void> {
  // Answer import.start first; a small file takes a few milliseconds.
  await new Promise((resolve) => setImmediate(resolve))
  const report = (phase: WorkPhase, done: number, total: number, unit: 'bytes' | 'rows') => progress(job, phase, done, total, unit)
  const { checkImport, previewOf, validationError, writeImport } = await import('./pipeline')
  const checked = await checkImport(ctx.db, input, report)
  if (job.mode === 'preview') return finish(job, { preview: previewOf(checked) })
  const invalid = validationError(checked)
  if (invalid) return fail(job, invalid.toBody())
  const release = await writeTurn(ctx)
  try {
    if (isOver(job)) return
    const counts = writeImport(ctx.db, ctx.change, checked, input.crs, report)
    finish(job, { result: { ...counts, millis: millisSince(job) } })
  } finally {
    release()
  }
}

// Workers wait between jobs with their parsers loaded (starting one costs a few hundred ms),
// and end after a minute without work. An idle worker does not keep the process alive.
const IDLE_MS = 60_000
const idleWorkers: { worker: Worker; heapMb: number; timer: NodeJS.Timeout }[] = []

/**
 * The worker's heap limit for a file. Under V8's default limit garbage piles up long before a
 * collection (a 50 MB CSV took 1.4 GB of RSS; 0.8 GB with this limit), so the limit is set from
 * what a file needs live, with room: a CSV read row by row holds its text and its codes (under
 * 7× the file); a workbook or a zip unpacked in full holds far more per byte.
 */
export const heapLimitMb = (bytes: number, zipped: boolean) => Math.min(4096, Math.max(512, Math.ceil(bytes / 2 ** 20) * (zipped ? 100 : 12)))

function takeWorker(entry: NonNullable<ReturnType<typeof workerEntry>>, heapMb: number): { worker: Worker; heapMb: number } {
  const at = idleWorkers.findIndex((i) => i.heapMb >= heapMb)
  if (at >= 0) {
    const [idle] = idleWorkers.splice(at, 1)
    clearTimeout(idle!.timer)
    idle!.worker.ref()
    return idle!
  }
  return { worker: new Worker(entry.script, { eval: entry.eval ?? false, resourceLimits: { maxOldGenerationSizeMb: heapMb } }), heapMb }
}

function giveBack(worker: Worker, heapMb: number): void {
  worker.unref()
  const timer = setTimeout(() => {
    const at = idleWorkers.findIndex((i) => i.worker === worker)
    if (at >= 0) idleWorkers.splice(at, 1)
    void worker.terminate()
  }, IDLE_MS)
  timer.unref()
  idleWorkers.push({ worker, heapMb, timer })
}

function runInWorker(
  ctx: HandlerContext,
  job: Job,
  input: ImportInput,
  entry: NonNullable<ReturnType<typeof workerEntry>>,
  heapNeededMb: number,
): Promise<void> {
  const data: ImportJobData = {
    input,
    mode: job.mode,
    dbFile: ctx.db.$client.name,
    dbKey: ctx.dbKey,
    migrationsDir: join(ctx.resourcesDir, 'migrations'),
    deviceId: ctx.change.deviceId,
    schemaVersion: ctx.change.schemaVersion,
  }
  const { worker, heapMb } = takeWorker(entry, heapNeededMb)
  const send = (message: ToWorker) => worker.postMessage(message)
  let release: (() => void) | undefined
  let restore: (() => void) | undefined
  const endWrite = () => {
    restore?.()
    release?.()
    restore = release = undefined
  }
  job.cancel = async () => {
    if (isOver(job)) return
    Object.assign(job, { phase: 'cancelled', finishedAt: Date.now() })
    // An uncommitted transaction dies with the worker's connection: SQLite rolls it back.
    await worker.terminate()
    await job.finished
  }
  return new Promise<void>((resolve) => {
    const stopped = () => fail(job, { code: 'INTERNAL', message: 'the import worker stopped; nothing was imported' })
    const onMessage = (message: FromWorker) => {
      switch (message.type) {
        case 'progress':
          return progress(job, message.phase, message.done, message.total, message.unit)
        case 'preview':
          return finish(job, { preview: message.preview })
        case 'failed':
          return fail(job, message.error)
        case 'want-write':
          void writeTurn(ctx).then((turn) => {
            release = turn
            if (isOver(job)) return endWrite()
            restore = failWritesFast(ctx.db)
            send({ type: 'go' })
          })
          return
        case 'locked':
          // From here the main connection cannot write, so its clock is final until 'written'.
          return send({ type: 'clock', hlc: ctx.change.clock.current, offsetMillis: ctx.change.clock.offsetMillis })
        case 'written':
          ctx.change.clock.receive(message.hlc)
          endWrite()
          // Committed, even if a cancel came too late to stop it.
          if (job.phase === 'cancelled') job.phase = 'writing'
          return finish(job, { result: { ...message.result, millis: millisSince(job) } })
        case 'free':
          done()
          if (job.phase !== 'cancelled') giveBack(worker, heapMb)
          return
      }
    }
    const onError = (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY')
        return fail(job, {
          code: 'INTERNAL',
          message: `the file is too large to import at once (${heapMb} MB of memory were not enough); nothing was imported`,
          details: { heapMb },
        })
      logUnexpectedError('import worker failed', error)
      stopped()
    }
    const onExit = () => {
      stopped()
      done()
    }
    const done = () => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit)
      endWrite()
      stopped()
      resolve()
    }
    worker.on('message', onMessage).on('error', onError).on('exit', onExit)
    send({ type: 'job', job: data })
  })
}

export async function cancelImportJob(ctx: HandlerContext, jobId: string): Promise<Job> {
  const job = findJob(ctx, jobId)
  await job.cancel()
  return job
}

/** Whether an import is being read or written (a restore waits for it). */
export function importRunning(ctx: HandlerContext): boolean {
  return [...registry(ctx).values()].some((job) => !isOver(job))
}
