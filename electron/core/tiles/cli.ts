// The `basemap` commands of the device CLI: what HQ offers, the size of the user's regions at
// chosen zoom levels, and the prefetch with its progress (stderr), resumable after Ctrl+C, a dropped
// link or a kill (run the same command again).
import { parseZoomRange } from '../../../shared/tiles'
import type { PrefetchStatus } from '../../../shared/sync/basemaps'
import { resources, type Language } from '../../../shared/i18n'
import { AppError } from '../../../shared/errors'
import type { Core } from '../app'
import { estimateHqBasemap, hqBasemaps, pausePrefetch, prefetchDone, startPrefetch } from './prefetch'
import { SyncHttpError } from '../sync/hqClient'

export interface BasemapCliResult {
  code: number
  stdout: string
  stderr: string
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
const duration = (s: number | null) =>
  s === null ? '?' : s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`

export function progressLine(p: PrefetchStatus): string {
  const pct = p.tilesTotal ? Math.floor((p.tilesDone / p.tilesTotal) * 100) : 100
  return `${p.state}: ${p.tilesDone}/${p.tilesTotal} tiles (${pct}%), ${mb(p.bytes)} of ~${mb(p.bytesEstimated)}${p.bytesPerSecond ? `, ${(p.bytesPerSecond / 1000).toFixed(1)} KB/s, ${duration(p.secondsLeft)} left` : ''}`
}

/** A refusal's reason in the user's language (the catalogue's basemap errors), else its message. */
function say(lang: Language, error: unknown): string {
  if (error instanceof AppError && typeof error.details?.reason === 'string') {
    const text = (resources[lang].translation.mapView.basemapErrors as Record<string, string>)[error.details.reason]
    if (text) return text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(error.details?.[k] ?? ''))
  }
  return error instanceof Error ? error.message : String(error)
}

export async function runBasemapCommand(
  core: Core,
  rest: string[],
  values: { zoom?: string; id?: string; 'budget-mb'?: string; 'slow-ok'?: boolean },
  lang: Language,
  progressOut: (line: string) => void,
): Promise<BasemapCliResult | undefined> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
  const [sub] = rest
  if (rest.length !== 1 || !['list', 'estimate', 'fetch'].includes(sub!)) return undefined
  try {
    const list = await hqBasemaps(core.ctx)
    if (sub === 'list') return { code: 0, stdout: json({ ...list, local: await core.call('basemaps.list', {}) }), stderr: '' }
    const offer = values.id ? list.basemaps.find((b) => b.id === values.id) : list.basemaps[0]
    if (!offer) return { code: 1, stdout: '', stderr: values.id ? `HQ offers no basemap ${values.id} (basemap list)\n` : 'HQ offers no basemap\n' }
    const zooms = values.zoom ? parseZoomRange(values.zoom) : { minzoom: offer.minzoom, maxzoom: offer.maxzoom }
    if (!zooms) return { code: 2, stdout: '', stderr: '--zoom takes a range such as 8-15\n' }
    const minzoom = Math.max(zooms.minzoom, offer.minzoom)
    const maxzoom = Math.min(zooms.maxzoom, offer.maxzoom)
    if (sub === 'estimate') {
      const estimate = await estimateHqBasemap(core.ctx, offer.id, minzoom, maxzoom)
      const lines = estimate.zooms.map((z) => `z${z.z}: ${z.tiles} tiles × ${(z.meanBytes / 1000).toFixed(1)} KB ≈ ${mb(z.bytes)}`)
      return {
        code: 0,
        stdout: json({ id: offer.id, name: offer.name, minzoom, maxzoom, ...estimate }),
        stderr: `${[...lines, `${offer.name}, zoom ${minzoom}–${maxzoom}: ${estimate.tiles} tiles, about ${mb(estimate.bytes)}`].join('\n')}\n`,
      }
    }
    const budget = values['budget-mb'] === undefined ? undefined : Number(values['budget-mb'])
    if (budget !== undefined && !(budget > 0)) return { code: 2, stdout: '', stderr: '--budget-mb takes a positive number of megabytes\n' }
    let last = 0
    const onInterrupt = () => {
      progressOut('pausing: run the same command again to resume')
      pausePrefetch(core.ctx)
    }
    process.once('SIGINT', onInterrupt)
    try {
      const started = await startPrefetch(core.ctx, {
        id: offer.id,
        minzoom,
        maxzoom,
        ...(budget ? { budgetBytes: Math.round(budget * 1e6) } : {}),
        ...(values['slow-ok'] ? { allowSlowLink: true } : {}),
        onProgress: (p) => {
          if (Date.now() - last < 1000 && p.tilesDone < p.tilesTotal) return
          last = Date.now()
          progressOut(progressLine(p))
        },
      })
      progressOut(
        `${started.tilesDone ? 'resuming' : 'fetching'} ${offer.name}, zoom ${minzoom}–${maxzoom}: ${started.tilesTotal} tiles, about ${mb(started.bytesEstimated)} (sync first)`,
      )
      const done = (await prefetchDone(core.ctx))!
      progressOut(progressLine(done))
      if (done.state === 'done') return { code: 0, stdout: json(done), stderr: '' }
      const why =
        done.reason === 'slowLink'
          ? 'the link is slow; run again with --slow-ok to fetch anyway'
          : done.reason === 'budget'
            ? 'the disk budget is used up'
            : (done.message ?? done.reason)
      return { code: 1, stdout: json(done), stderr: `prefetch ${done.state}: ${why}; run the same command again to resume\n` }
    } finally {
      process.removeListener('SIGINT', onInterrupt)
    }
  } catch (error) {
    if (!(error instanceof AppError || error instanceof SyncHttpError)) throw error
    return {
      code: 1,
      stdout: json({ ok: false, error: { code: (error as { code?: string }).code, message: error.message } }),
      stderr: `basemap ${sub}: ${say(lang, error)}\n`,
    }
  }
}
