// Browser mode's copies of the files a user chose to import hold personal data (names, phone
// numbers). Each is deleted as soon as an import has written it, otherwise half an hour after it
// was last used; none outlive the launch that received it (their session is gone with it).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { v7 as uuidv7 } from 'uuid'
import type { Envelope } from '../../shared/errors'
import { PRIVATE_DIR_MODE } from '../core/privateFiles'

/** How long an upload is kept after its last use (a preview, a mapping change) when no import wrote it. */
export const UPLOAD_KEEP_MS = 30 * 60_000

/** Calls that are done with their file once they succeed (previews and dry runs are not). */
const consumes: Record<string, (input: Record<string, unknown>) => boolean> = {
  'import.commit': () => true,
  'basemaps.add': () => true,
}

export class Uploads {
  /** Commit jobs started on an upload: the upload goes when the job is done. */
  private readonly jobs = new Map<string, string>()
  private readonly timer: NodeJS.Timeout

  constructor(
    readonly root: string,
    private readonly keepMs = UPLOAD_KEEP_MS,
  ) {
    this.clear()
    this.timer = setInterval(() => this.sweep(), Math.min(60_000, keepMs)).unref()
  }

  /** A new private folder for one upload; the file goes inside under its own name. */
  folder(): string {
    this.sweep()
    const dir = join(this.root, uuidv7())
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
    return dir
  }

  /** After a call: its upload is marked as used, or deleted when the call is done with it. */
  afterCall(name: string, input: unknown, envelope: Envelope<unknown>): void {
    const body = (input ?? {}) as Record<string, unknown>
    const dir = this.folderOf(body.source)
    if (dir) {
      if (envelope.ok && consumes[name]?.(body)) return this.remove(dir)
      const jobId = envelope.ok && name === 'import.start' && body.mode !== 'preview' ? (envelope.value as { jobId?: string }).jobId : undefined
      if (jobId) this.jobs.set(jobId, dir)
      this.touch(dir)
    }
    if ((name === 'import.progress' || name === 'import.cancel') && envelope.ok) {
      const { jobId, phase } = envelope.value as { jobId?: string; phase?: string }
      const tracked = jobId ? this.jobs.get(jobId) : undefined
      if (!tracked || !['done', 'failed', 'cancelled'].includes(phase ?? '')) return
      this.jobs.delete(jobId!)
      // Written: gone. Failed or cancelled: kept for another try, until it expires.
      if (phase === 'done') this.remove(tracked)
      else this.touch(tracked)
    }
  }

  /** Deletes uploads not used for keepMs. */
  sweep(now = Date.now()): void {
    if (!existsSync(this.root)) return
    for (const entry of readdirSync(this.root)) {
      const dir = join(this.root, entry)
      try {
        if (now - statSync(dir).mtimeMs > this.keepMs) rmSync(dir, { recursive: true, force: true })
      } catch {
        // Another request removed it first.
      }
    }
  }

  /** Deletes every upload (at start: an earlier launch's; at close: this one's). */
  clear(): void {
    rmSync(this.root, { recursive: true, force: true })
  }

  close(): void {
    clearInterval(this.timer)
    this.clear()
  }

  /** The upload folder a call's `source.path` lies in, if it is one of ours. */
  private folderOf(source: unknown): string | null {
    const path =
      source && typeof source === 'object' && typeof (source as { path?: unknown }).path === 'string' ? resolve((source as { path: string }).path) : null
    if (!path || !path.startsWith(this.root + sep)) return null
    const dir = dirname(path)
    return dirname(dir) === this.root && existsSync(dir) ? dir : null
  }

  private touch(dir: string): void {
    const now = new Date()
    try {
      utimesSync(dir, now, now)
    } catch {
      // Already gone.
    }
  }

  private remove(dir: string): void {
    rmSync(dir, { recursive: true, force: true })
  }
}
