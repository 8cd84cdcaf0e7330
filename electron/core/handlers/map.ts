// The map's layers: choropleth values, key customers for clustering, the grid layout check, and
// offline basemaps (MBTiles files under <dataDir>/basemaps/).
import { Buffer } from 'node:buffer'
import { addBasemap, listBasemaps, removeBasemap } from '../db/mbtiles'
import { gridLayout, mapChoropleth, mapCustomers } from '../db/repos/mapLayers'
import type { HandlerTable } from './table'

export const mapHandlers = {
  'map.choropleth': (ctx) => mapChoropleth(ctx.db, Date.now()),
  'map.customers': (ctx) => mapCustomers(ctx.db),
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
} satisfies Partial<HandlerTable>
