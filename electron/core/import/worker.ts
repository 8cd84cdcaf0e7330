// The import worker thread (jobs.ts keeps one or more and hands them large files): reads, parses
// and validates the file on its own SQLite connection, and on commit writes it there in one
// transaction, so the main thread (Electron main, the browser-mode server) never waits on a big
// file. One job at a time; between jobs the worker waits, with its parsers loaded, for the next.
//
// Writing is a handshake, because the device has one clock and one outbox sequence:
//   worker → 'want-write'; main stops its own connection from waiting on locks → 'go';
//   worker takes the write lock (BEGIN IMMEDIATE) → 'locked'; main, which can no longer write,
//   hands over its clock → 'clock'; worker writes and commits → 'written' with its last HLC, which
//   main's clock then moves past.
import { parentPort } from 'node:worker_threads'
import type { ImportInput } from '../../../shared/api/imports'
import type { ErrorBody } from '../../../shared/errors'
import { openDatabase, type Db } from '../db/client'
import { beginExclusiveWrite, checkpoint, commitWrite, rollbackWrite } from '../db/exclusive'
import { HybridClock } from '../sync/hlc'
import { checkImport, errorBodyOf, previewOf, validationError, writeImport, type Report, type WorkPhase } from './pipeline'

export interface ImportJobData {
  input: ImportInput
  mode: 'preview' | 'commit'
  dbFile: string
  /** The store's SQLCipher key (the worker is a thread of the same process). */
  dbKey?: Uint8Array
  migrationsDir: string
  deviceId: string
  schemaVersion: number
}

export type FromWorker =
  | { type: 'progress'; phase: WorkPhase; done: number; total: number; unit: 'bytes' | 'rows' }
  | { type: 'preview'; preview: ReturnType<typeof previewOf> }
  | { type: 'failed'; error: ErrorBody }
  | { type: 'want-write' }
  | { type: 'locked' }
  | { type: 'written'; result: ReturnType<typeof writeImport>; hlc: string }
  /** The job is over (connection closed): the worker can take the next. */
  | { type: 'free' }

export type ToWorker = { type: 'job'; job: ImportJobData } | { type: 'go' } | { type: 'clock'; hlc: string; offsetMillis: number }

const port = parentPort!
const post = (message: FromWorker) => port.postMessage(message)
const next = <T extends ToWorker['type']>(type: T) =>
  new Promise<Extract<ToWorker, { type: T }>>((resolve) => {
    const listener = (message: ToWorker) => {
      if (message.type !== type) return
      port.off('message', listener)
      resolve(message as Extract<ToWorker, { type: T }>)
    }
    port.on('message', listener)
  })

// Progress at most every 50 ms, and at every change of phase.
let last = { phase: '', at: 0 }
const report: Report = (phase, done, total, unit) => {
  const now = performance.now()
  if (phase === last.phase && now - last.at < 50 && done < total) return
  last = { phase, at: now }
  post({ type: 'progress', phase, done, total, unit })
}

async function run(job: ImportJobData): Promise<void> {
  last = { phase: '', at: 0 }
  let db: Db | undefined
  try {
    db = openDatabase(job.dbFile, {
      migrationsDir: job.migrationsDir,
      nativeBinding: process.env.GRIDDESK_NATIVE_BINDING,
      ...(job.dbKey ? { key: Buffer.from(job.dbKey) } : {}),
    })
    const checked = await checkImport(db, job.input, report)
    const invalid = validationError(checked)
    if (job.mode === 'preview') return post({ type: 'preview', preview: previewOf(checked) })
    if (invalid) return post({ type: 'failed', error: invalid.toBody() })
    post({ type: 'want-write' })
    await next('go')
    beginExclusiveWrite(db)
    try {
      post({ type: 'locked' })
      const { hlc, offsetMillis } = await next('clock')
      const clock = new HybridClock(job.deviceId, Date.now, offsetMillis, hlc)
      const cx = { deviceId: job.deviceId, clock, schemaVersion: job.schemaVersion, now: () => new Date(clock.correctedTime()).toISOString() }
      const result = writeImport(db, cx, checked, job.input.crs, report)
      commitWrite(db)
      post({ type: 'written', result, hlc: clock.current })
    } catch (error) {
      rollbackWrite(db)
      throw error
    }
    // The big transaction's WAL frames go into the database file here, off the main thread,
    // not at the main connection's next commit.
    checkpoint(db)
  } catch (error) {
    post({ type: 'failed', error: errorBodyOf(error) })
  } finally {
    db?.$client.close()
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'job') void run(message.job).finally(() => post({ type: 'free' }))
})
