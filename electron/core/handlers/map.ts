// The map's layers: choropleth values, key customers for clustering, the grid layout check, and
// offline basemaps (MBTiles files under <dataDir>/basemaps/).
import { Buffer } from 'node:buffer'
import { addBasemap, listBasemaps, removeBasemap } from '../db/mbtiles'
import { gridLayout, mapChoropleth } from '../db/repos/mapLayers'
import { customersInView } from '../geo/customerClusters'
import { intelInView } from '../geo/intelClusters'
import { discardPrefetch, estimateHqBasemap, hqBasemaps, pausePrefetch, prefetchStatus, startPrefetch } from '../tiles/prefetch'
import type { HandlerTable } from './table'

export const mapHandlers = {
  'map.choropleth': (ctx) => mapChoropleth(ctx.db, Date.now()),
  'map.customers': (ctx, input) => customersInView(ctx.db, input.bbox, input.zoom),
  'map.intel': (ctx, input) => intelInView(ctx.db, input.validOn, input.bbox, input.zoom),
  // turf loads on first use, not at start-up.
  'grids.check': async (ctx, input) => (await import('../geo/gridCheck')).checkGridLayout(gridLayout(ctx.db), input.minAreaM2),
  'basemaps.list': (ctx) => listBasemaps(ctx.dataDir),
  'basemaps.add': (ctx, input) =>
    addBasemap(
      ctx.dataDir,
      'path' in input.source ? { path: input.source.path } : { fileName: input.source.fileName, bytes: Buffer.from(input.source.base64, 'base64') },
      { name: input.name, crs: input.crs },
    ),
  'basemaps.remove': (ctx, input) => ({ removed: removeBasemap(ctx.dataDir, input.id) }),
  'basemaps.hq.list': async (ctx) => ({ ...(await hqBasemaps(ctx)), prefetch: prefetchStatus(ctx) }),
  'basemaps.hq.estimate': async (ctx, input) => {
    const { box: _box, ...estimate } = await estimateHqBasemap(ctx, input.id, input.minzoom, input.maxzoom)
    return estimate
  },
  'basemaps.hq.fetch': (ctx, input) => startPrefetch(ctx, input),
  'basemaps.hq.status': (ctx) => prefetchStatus(ctx),
  'basemaps.hq.pause': (ctx) => pausePrefetch(ctx),
  'basemaps.hq.discard': (ctx) => (discardPrefetch(ctx), { discarded: true as const }),
} satisfies Partial<HandlerTable>
