// Basemap prefetch from HQ: the catalogue, a size estimate for the device's regions at chosen zoom
// levels, and the download itself, stored as one PMTiles archive under the data directory.
//
// - Sync first: a prefetch starts with a data sync (or joins the one running) and waits whenever a
//   sync runs, so tiles never hold up the field data.
// - Resumable: each tile is committed to a staging file as it arrives; a paused, dropped or killed
//   prefetch resumes from there and never asks HQ for a tile twice. The archive is written from the
//   staging file in tile order, so however often it was interrupted it is byte for byte the same.
// - Within a disk budget: refused up front when the estimate exceeds it, paused when the tiles do.
// - Not on a slow link unless asked: after the first tiles, a link slower than SLOW_LINK_BPS pauses.
import { existsSync, mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { v7 as uuidv7 } from 'uuid'
import type { Basemap } from '../../../shared/api/map'
import type { HqBasemapList, HqEstimate, PrefetchReason, PrefetchState, PrefetchStatus } from '../../../shared/sync/basemaps'
import { tilesOf, type Box } from '../../../shared/tiles'
import { AppError } from '../../../shared/errors'
import type { HandlerContext } from '../context'
import { basemapsDir, listBasemaps, removeBasemap, saveBasemap } from '../db/mbtiles'
import { getState } from '../db/repos/syncState'
import { checkTileArchive } from '../db/tileArchive'
import { openTileStaging, type TileStaging } from '../db/tileStaging'
import { assertSecureUrl, insecureHttpAllowed } from '../sync/engine'
import { HqClient, hqFetch, SyncHttpError, type FetchLike } from '../sync/hqClient'
import { currentRun, runSyncExclusive } from '../sync/runner'
import { crashPoint } from '../../../shared/sync/crashPoint'

/** Below this rate (bytes/s, ~200 kbit/s) a prefetch pauses unless the user asked for it anyway. */
export const SLOW_LINK_BPS = 25_000
/** What a slow link may still fetch: a download that takes less than this many seconds. */
const SLOW_LINK_SMALL_S = 60
/** Tiles and seconds after which the link's rate is judged. */
const JUDGE_AFTER = { tiles: 16, ms: 4000 }
const DEFAULT_CONCURRENCY = 6

/**
 * Whether a prefetch stops for a slow link: only when the user did not ask for it anyway, once
 * the link has been measured (enough tiles or seconds), when it is slower than SLOW_LINK_BPS and
 * what remains would take more than a minute (a small remainder is fetched on any link).
 */
export function tooSlow(run: {
  allowSlowLink: boolean
  tilesThisRun: number
  elapsedMs: number
  bytesPerSecond: number | null
  secondsLeft: number | null
}): boolean {
  if (run.allowSlowLink || run.bytesPerSecond === null) return false
  if (run.tilesThisRun < JUDGE_AFTER.tiles && run.elapsedMs < JUDGE_AFTER.ms) return false
  return run.bytesPerSecond < SLOW_LINK_BPS && (run.secondsLeft ?? 0) > SLOW_LINK_SMALL_S
}

export interface PrefetchJob {
  hqId: string
  localId: string
  name: string
  format: string
  crs: Basemap['crs']
  attribution: string | null
  minzoom: number
  maxzoom: number
  box: Box
  tilesTotal: number
  bytesEstimated: number
  budgetBytes: number | null
  allowSlowLink: boolean
  startedAt: string
}

const dirOf = (dataDir: string) => join(basemapsDir(dataDir), 'prefetch')
const jobFile = (dataDir: string) => join(dirOf(dataDir), 'job.json')
const stagingFile = (dataDir: string) => join(dirOf(dataDir), 'staging.sqlite')

function hqClient(ctx: HandlerContext, fetchImpl?: FetchLike): { client: HqClient; url: string; token: string } {
  const url = getState(ctx.db, 'hq_url')
  const sealed = getState(ctx.db, 'hq_token')
  const token = sealed === undefined ? undefined : ctx.secrets.open(sealed)
  if (!url || !token)
    throw new AppError('VALIDATION', 'this device is not enrolled with an HQ server: basemaps come from HQ', { details: { reason: 'notEnrolled' } })
  assertSecureUrl(url, insecureHttpAllowed(ctx))
  return { client: new HqClient(url, token, fetchImpl), url, token }
}

export async function hqBasemaps(ctx: HandlerContext, fetchImpl?: FetchLike): Promise<HqBasemapList> {
  return hqClient(ctx, fetchImpl).client.request<HqBasemapList>('GET', '/v1/basemaps')
}

export async function estimateHqBasemap(
  ctx: HandlerContext,
  id: string,
  minzoom: number,
  maxzoom: number,
  fetchImpl?: FetchLike,
): Promise<HqEstimate & { box: Box | null }> {
  return hqClient(ctx, fetchImpl).client.request('GET', `/v1/basemaps/${encodeURIComponent(id)}/estimate?minzoom=${minzoom}&maxzoom=${maxzoom}`)
}

// One prefetch per data directory; its live status while it runs.
interface Running {
  status: PrefetchStatus
  stop: (reason: PrefetchReason) => void
  promise: Promise<PrefetchStatus>
}
const running = new Map<string, Running>()
// The last prefetch that finished, for the page that polls (until the next one starts).
const finished = new Map<string, PrefetchStatus>()

function readJob(dataDir: string): PrefetchJob | null {
  try {
    return JSON.parse(readFileSync(jobFile(dataDir), 'utf8')) as PrefetchJob
  } catch {
    return null
  }
}

function statusOf(
  job: PrefetchJob,
  totals: { settled: number; bytes: number },
  state: PrefetchState,
  reason: PrefetchReason | null,
  message: string | null = null,
): PrefetchStatus {
  return {
    state,
    reason,
    message,
    hqId: job.hqId,
    name: job.name,
    minzoom: job.minzoom,
    maxzoom: job.maxzoom,
    tilesDone: totals.settled,
    tilesTotal: job.tilesTotal,
    bytes: totals.bytes,
    bytesEstimated: job.bytesEstimated,
    budgetBytes: job.budgetBytes,
    bytesPerSecond: null,
    secondsLeft: null,
    basemapId: null,
  }
}

/** The prefetch running, or the one left paused (after a pause, a dropped link or a restart), or null. */
export function prefetchStatus(ctx: HandlerContext): PrefetchStatus | null {
  const live = running.get(ctx.dataDir)
  if (live) return { ...live.status }
  const job = readJob(ctx.dataDir)
  if (!job || !existsSync(stagingFile(ctx.dataDir))) return finished.get(ctx.dataDir) ?? null
  const staging = openTileStaging(stagingFile(ctx.dataDir))
  try {
    const stored = readState(ctx.dataDir)
    return statusOf(job, staging.totals(), 'paused', stored?.reason ?? 'restart', stored?.message ?? null)
  } finally {
    staging.close()
  }
}

const stateFile = (dataDir: string) => join(dirOf(dataDir), 'state.json')
function readState(dataDir: string): { reason: PrefetchReason; message: string | null } | null {
  try {
    return JSON.parse(readFileSync(stateFile(dataDir), 'utf8')) as { reason: PrefetchReason; message: string | null }
  } catch {
    return null
  }
}

export function pausePrefetch(ctx: HandlerContext): PrefetchStatus | null {
  running.get(ctx.dataDir)?.stop('user')
  return prefetchStatus(ctx)
}

/** Forgets a paused prefetch and the tiles it had received. */
export function discardPrefetch(ctx: HandlerContext): void {
  if (running.has(ctx.dataDir)) throw new AppError('CONFLICT', 'pause the download first', { details: { reason: 'prefetchRunning' } })
  rmSync(dirOf(ctx.dataDir), { recursive: true, force: true })
}

export interface StartOptions {
  id: string
  minzoom: number
  maxzoom: number
  budgetBytes?: number | null
  allowSlowLink?: boolean
  /** Tests and the bench: the fetch to use, parallel requests, a hook after each stored tile. */
  fetch?: FetchLike
  concurrency?: number
  afterTile?: (settled: number) => void
  onProgress?: (status: PrefetchStatus) => void
  /** Skip the sync before (the CLI and tests that sync themselves). */
  skipSync?: boolean
}

function refuse(reason: string, message: string, params: Record<string, string | number> = {}): never {
  throw new AppError('VALIDATION', message, { details: { reason, ...params } })
}

/**
 * Starts (or resumes) the prefetch; resolves when the job is set up, with the status. The download
 * runs on; `prefetchDone` awaits its end. A paused job for the same basemap and zooms resumes;
 * another one replaces it.
 */
export async function startPrefetch(ctx: HandlerContext, options: StartOptions): Promise<PrefetchStatus> {
  const live = running.get(ctx.dataDir)
  if (live) return { ...live.status }
  finished.delete(ctx.dataDir)
  const { client, url, token } = hqClient(ctx, options.fetch)
  let job = readJob(ctx.dataDir)
  const same = job && job.hqId === options.id && job.minzoom === options.minzoom && job.maxzoom === options.maxzoom
  if (!same) {
    const list = await client.request<HqBasemapList>('GET', '/v1/basemaps')
    const offer = list.basemaps.find((b) => b.id === options.id)
    if (!offer) refuse('hqNoBasemap', 'HQ no longer offers this basemap')
    if (!list.hasArea) refuse('noArea', 'your user has no regions with outlines at HQ: there is no area to fetch')
    const estimate = await client.request<HqEstimate & { box: Box | null }>(
      'GET',
      `/v1/basemaps/${encodeURIComponent(offer.id)}/estimate?minzoom=${options.minzoom}&maxzoom=${options.maxzoom}`,
    )
    if (!estimate.box) refuse('noArea', 'the basemap does not cover your regions')
    if (options.budgetBytes && estimate.bytes > options.budgetBytes)
      refuse(
        'overBudget',
        `about ${Math.round(estimate.bytes / 1e6)} MB do not fit the ${Math.round(options.budgetBytes / 1e6)} MB budget: choose fewer zoom levels`,
        { estimateMb: Math.round(estimate.bytes / 1e6), budgetMb: Math.round(options.budgetBytes / 1e6) },
      )
    mkdirSync(basemapsDir(ctx.dataDir), { recursive: true })
    const free = statfsSync(basemapsDir(ctx.dataDir))
    if (free.bavail * free.bsize < estimate.bytes * 2.2 + 50e6)
      refuse('diskFull', `the disk has too little room for about ${Math.round(estimate.bytes / 1e6)} MB of tiles (and the archive written from them)`, {
        estimateMb: Math.round(estimate.bytes / 1e6),
      })
    rmSync(dirOf(ctx.dataDir), { recursive: true, force: true })
    mkdirSync(dirOf(ctx.dataDir), { recursive: true, mode: 0o700 })
    job = {
      hqId: offer.id,
      localId: uuidv7(),
      name: offer.name,
      format: offer.format,
      crs: offer.crs,
      attribution: offer.attribution,
      minzoom: options.minzoom,
      maxzoom: options.maxzoom,
      box: estimate.box,
      tilesTotal: estimate.tiles,
      bytesEstimated: estimate.bytes,
      budgetBytes: options.budgetBytes ?? null,
      allowSlowLink: options.allowSlowLink ?? false,
      startedAt: new Date().toISOString(),
    }
    writeFileSync(jobFile(ctx.dataDir), JSON.stringify(job, null, 2), { mode: 0o600 })
  } else if (options.allowSlowLink !== undefined || options.budgetBytes !== undefined) {
    job = {
      ...job!,
      allowSlowLink: options.allowSlowLink ?? job!.allowSlowLink,
      budgetBytes: options.budgetBytes === undefined ? job!.budgetBytes : options.budgetBytes,
    }
    writeFileSync(jobFile(ctx.dataDir), JSON.stringify(job, null, 2), { mode: 0o600 })
  }
  rmSync(stateFile(ctx.dataDir), { force: true })
  const staging = openTileStaging(stagingFile(ctx.dataDir))
  const status = statusOf(job!, staging.totals(), 'running', null)
  let stopReason: PrefetchReason | null = null
  const controller = new AbortController()
  const entry: Running = {
    status,
    stop: (reason) => {
      stopReason ??= reason
      controller.abort()
    },
    promise: Promise.resolve(status),
  }
  running.set(ctx.dataDir, entry)
  entry.promise = download(ctx, job!, staging, status, {
    ...options,
    baseUrl: url,
    token,
    signal: controller.signal,
    stopReason: () => stopReason,
    stop: entry.stop,
  }).finally(() => {
    staging.close()
    running.delete(ctx.dataDir)
  })
  entry.promise.catch(() => undefined)
  return { ...status }
}

/** Resolves with the final status of the running prefetch (at once when none runs). */
export function prefetchDone(ctx: HandlerContext): Promise<PrefetchStatus | null> {
  return running.get(ctx.dataDir)?.promise ?? Promise.resolve(prefetchStatus(ctx))
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true })
  })

async function download(
  ctx: HandlerContext,
  job: PrefetchJob,
  staging: TileStaging,
  status: PrefetchStatus,
  options: StartOptions & { baseUrl: string; token: string; signal: AbortSignal; stopReason: () => PrefetchReason | null; stop: (r: PrefetchReason) => void },
): Promise<PrefetchStatus> {
  const publish = () => options.onProgress?.({ ...status })
  const pause = (reason: PrefetchReason, message: string | null = null) => {
    Object.assign(status, { state: reason === 'network' || reason === 'hq' ? 'failed' : 'paused', reason, message })
    writeFileSync(stateFile(ctx.dataDir), JSON.stringify({ reason, message }), { mode: 0o600 })
    publish()
    return { ...status }
  }
  try {
    // Sync first: the field data before any tile.
    if (!options.skipSync) {
      status.state = 'waiting_sync'
      publish()
      await runSyncExclusive(ctx)
      status.state = 'running'
    }
  } catch (error) {
    return pause(error instanceof SyncHttpError && error.code === 'NETWORK' ? 'network' : 'hq', (error as Error).message)
  }
  const done = staging.done()
  const todo = (function* () {
    for (const [z, x, y] of tilesOf(job.box, job.minzoom, job.maxzoom)) if (!done.has(`${z}/${x}/${y}`)) yield [z, x, y] as const
  })()
  const fetchImpl = options.fetch ?? hqFetch
  // The archive code (and the pmtiles library) load with the first prefetch, not at start-up.
  const { gzipped } = await import('./pmtiles')
  const started = performance.now()
  let bytesThisRun = 0
  let tilesThisRun = 0
  let failure: { reason: PrefetchReason; message: string } | null = null
  const base = options.baseUrl.replace(/\/$/, '')
  const worker = async () => {
    for (;;) {
      if (options.signal.aborted || failure) return
      while (currentRun(ctx) && !options.signal.aborted) {
        status.state = 'waiting_sync'
        await sleep(300, options.signal)
      }
      status.state = 'running'
      const next = todo.next()
      if (next.done) return
      const [z, x, y] = next.value
      let bytes: Buffer | null
      try {
        const response = await fetchImpl(`${base}/v1/basemaps/${encodeURIComponent(job.hqId)}/tiles/${z}/${x}/${y}`, {
          method: 'GET',
          headers: { authorization: `Bearer ${options.token}`, accept: '*/*' },
          signal: AbortSignal.any([options.signal, AbortSignal.timeout(60_000)]),
        })
        if (response.status === 404 || response.status === 403)
          bytes = null // no tile there, or just outside the box
        else if (!response.ok) {
          failure ??= { reason: 'hq', message: `HQ answered HTTP ${response.status} for a tile` }
          return
        } else bytes = Buffer.from(await response.arrayBuffer())
      } catch (error) {
        if (options.signal.aborted) return
        failure ??= { reason: 'network', message: `the connection to HQ dropped: ${(error as Error).message}` }
        return
      }
      if (options.signal.aborted && !bytes) return
      // Vector tiles are kept gzip-compressed (as HQ measured them), whatever the transfer did to them.
      if (bytes && job.format === 'pbf') bytes = gzipped(bytes)
      staging.put(z, x, y, bytes)
      crashPoint('prefetch.tile-stored')
      status.tilesDone++
      tilesThisRun++
      if (bytes) {
        status.bytes += bytes.length
        bytesThisRun += bytes.length
      }
      const elapsed = performance.now() - started
      if (elapsed > 500 && tilesThisRun > 2) {
        status.bytesPerSecond = Math.round((bytesThisRun / elapsed) * 1000)
        const meanTile = status.bytes / Math.max(1, status.tilesDone)
        status.secondsLeft = Math.round(((job.tilesTotal - status.tilesDone) * meanTile) / Math.max(1, status.bytesPerSecond))
      }
      options.afterTile?.(status.tilesDone)
      publish()
      if (job.budgetBytes && status.bytes > job.budgetBytes) options.stop('budget')
      if (
        tooSlow({ allowSlowLink: job.allowSlowLink, tilesThisRun, elapsedMs: elapsed, bytesPerSecond: status.bytesPerSecond, secondsLeft: status.secondsLeft })
      )
        options.stop('slowLink')
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? DEFAULT_CONCURRENCY }, worker))
  const failed = failure as { reason: PrefetchReason; message: string } | null // set by the workers
  if (failed) return pause(failed.reason, failed.message)
  const stopped = options.stopReason()
  if (stopped) return pause(stopped)
  return finish(ctx, job, staging, status, publish)
}

/** Writes the archive from the staged tiles, checks it, and replaces an earlier copy of the same HQ basemap. */
async function finish(ctx: HandlerContext, job: PrefetchJob, staging: TileStaging, status: PrefetchStatus, publish: () => void): Promise<PrefetchStatus> {
  const part = join(dirOf(ctx.dataDir), 'archive.pmtiles')
  // The PMTiles library loads when an archive is written or read, not at start-up.
  const { writePmtiles } = await import('./pmtiles')
  writePmtiles(part, {
    format: job.format,
    minzoom: job.minzoom,
    maxzoom: job.maxzoom,
    bounds: job.box,
    metadata: { name: job.name, attribution: job.attribution, crs: job.crs, format: job.format },
    tiles: staging.tiles(),
    tileCompression: job.format === 'pbf' ? 'gzip' : 'none',
  })
  return checkTileArchive(part).then((info) => {
    const earlier = listBasemaps(ctx.dataDir).filter((b) => b.source?.hq === job.hqId)
    const saved = saveBasemap(ctx.dataDir, part, info, {
      id: job.localId,
      name: job.name,
      crs: job.crs,
      fileName: `${job.name}.pmtiles`,
      addedAt: new Date().toISOString(),
      source: { hq: job.hqId },
    })
    for (const b of earlier) if (b.id !== saved.id) removeBasemap(ctx.dataDir, b.id)
    staging.close()
    rmSync(dirOf(ctx.dataDir), { recursive: true, force: true })
    Object.assign(status, { state: 'done', reason: null, message: null, secondsLeft: 0, basemapId: saved.id })
    finished.set(ctx.dataDir, { ...status })
    publish()
    return { ...status }
  })
}

/** The archive a finished prefetch wrote (tests compare them byte for byte). */
export function archiveFile(dataDir: string, id: string): string {
  return join(basemapsDir(dataDir), `${id}.pmtiles`)
}
