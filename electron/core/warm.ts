// Warming up after start-up, in the background, so that what the user does first is not what pays
// for loading. Right after a shell listens: the first screen's calls run once, one at a time with
// the event loop free between them (the window's own requests go first), while the window is
// still loading its scripts: the store's pages are decrypted into SQLite's cache, the statements
// prepared, the input schemas compiled. Then, once no call has come for a while (the first screen
// is drawn): the report writers (exceljs, pdfkit) and the PDF font are loaded, so the first report
// does not wait for them either. Nothing here changes data; a failure is only a colder first call.
import { dayOf } from '../../shared/dates'
import type { Envelope } from '../../shared/errors'

/** What the map, the first screen, asks for (App.tsx, the sync indicator, MapPage, IntelPins). */
export const firstScreenCalls = (now: Date): [string, unknown][] => [
  ['sync.status', {}],
  ['app.info', {}],
  ['map.overview', {}],
  ['map.choropleth', {}],
  ['basemaps.list', {}],
  // The intel layer's index for today (the view asked for does not matter: the whole world at zoom 0 is a few bubbles).
  ['map.intel', { validOn: dayOf(now), bbox: [-180, -90, 180, 90], zoom: 0 }],
]

export interface WarmUpOptions {
  /** The core's dispatch, without the transport's bookkeeping (warming calls are not the user's). */
  dispatch: (name: string, input: unknown) => Promise<Envelope<unknown>>
  /**
   * When the last call of a user arrived (performance.now()), undefined before the first: the
   * writers wait until the window has called (it is up) and then nothing came for `idleMs`.
   */
  lastCallAt: () => number | undefined
  resourcesDir: string
  /** How long no call must have come before the report writers load (loading them holds the event loop for a while). */
  idleMs?: number
}

export interface WarmUp {
  /** Resolves when the first screen's calls have run once. */
  firstScreen: Promise<void>
  /** Resolves when the report writers and the font are loaded (or failed to). */
  writers: Promise<void>
  stop(): void
}

export function startWarmUp({ dispatch, lastCallAt, resourcesDir, idleMs = 3000 }: WarmUpOptions): WarmUp {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve))
  const firstScreen = (async () => {
    for (const [name, input] of firstScreenCalls(new Date())) {
      await turn()
      if (stopped) return
      await dispatch(name, input)
    }
  })()
  const writers = firstScreen.then(
    () =>
      new Promise<void>((resolve) => {
        const whenQuiet = () => {
          if (stopped) return resolve()
          const last = lastCallAt()
          const quiet = last === undefined ? 0 : performance.now() - last
          if (last === undefined || quiet < idleMs) {
            timer = setTimeout(whenQuiet, Math.max(idleMs - quiet, 50))
            timer.unref()
            return
          }
          import('./reports/export')
            .then((reports) => reports.warmReportWriters(resourcesDir))
            .catch(() => undefined)
            .finally(resolve)
        }
        timer = setTimeout(whenQuiet, idleMs)
        timer.unref()
      }),
  )
  return {
    firstScreen,
    writers,
    stop: () => {
      stopped = true
      clearTimeout(timer)
    },
  }
}
