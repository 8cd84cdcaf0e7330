// Competitor intel: list, create/edit, comparison with our offers, flyer photos.
// Photos are content-addressed files under <dataDir>/attachments/<first 2 hex>/<sha256>; the
// attachments row (synced) records name, type, size and hash. Thumbnails come from the renderer
// (drawn on a canvas), since the core has no native image library.
import { attachmentPath, storeBlob } from '../visits/files'
import { existsSync } from 'node:fs'
import type { IntelDetail, IntelFields } from '../../../shared/api/intel'
import { AppError } from '../../../shared/errors'
import { betterSide, closestOffer, offerMetrics, ourOffers, type OfferMetrics } from '../../../shared/offers'
import type { HandlerContext } from '../context'
import { readSealedFile } from '../crypto/files'
import type { Tx } from '../db/client'
import { insertSynced, updateSynced } from '../db/repos/changes'
import { getAttachment, getIntel, intelPins, listIntel, nearestVillage, photosOf, villageGrid } from '../db/repos/intel'
import type { HandlerTable } from './table'

function mustGet(ctx: HandlerContext, id: string): IntelDetail {
  const intel = getIntel(ctx.db, id)
  if (!intel) throw new AppError('NOT_FOUND', `intel ${id} not found`, { details: { id } })
  return intel
}

/** Where → grid: the village's grid, or the grid of the village nearest the map point. */
function placement(tx: Tx, fields: Partial<IntelFields>): Record<string, unknown> {
  if (fields.villageId) {
    const village = villageGrid(tx, fields.villageId)
    if (!village)
      throw new AppError('VALIDATION', `village ${fields.villageId} does not exist`, { issues: [{ path: ['villageId'], message: 'unknown_village' }] })
    return { gridId: village.gridId }
  }
  if (fields.lon != null && fields.lat != null) return { gridId: nearestVillage(tx, fields.lon, fields.lat)?.gridId ?? null }
  return {}
}

const signatures: Record<string, (b: Buffer) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/gif': (b) => b.subarray(0, 4).toString('latin1') === 'GIF8',
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
}

function decodeImage(base64: string, mime: string, field: string): Buffer {
  const bytes = Buffer.from(base64, 'base64')
  if (bytes.length === 0 || !signatures[mime]?.(bytes))
    throw new AppError('VALIDATION', `${field} is not a ${mime} image`, { issues: [{ path: [field], message: 'not_an_image' }], details: { mime } })
  return bytes
}

export const intelHandlers = {
  'intel.list': (ctx, input) => listIntel(ctx.db, input),
  'intel.pins': (ctx, input) => intelPins(ctx.db, input.validOn, input.limit),
  'intel.get': (ctx, input) => mustGet(ctx, input.id),
  'intel.offers': () => [...ourOffers],

  'intel.create': (ctx, input) => {
    const id = ctx.db.transaction((tx) => insertSynced(tx, ctx.change, 'competitor_intel', { ...input, ...placement(tx, input), createdBy: null }))
    return mustGet(ctx, id)
  },

  'intel.update': (ctx, input) => {
    ctx.db.transaction((tx) => {
      const current = getIntel(tx, input.id)
      if (!current) throw new AppError('NOT_FOUND', `intel ${input.id} not found`, { details: { id: input.id } })
      const merged = { ...current, ...input.patch }
      if (merged.validFrom && merged.validTo && merged.validFrom > merged.validTo)
        throw new AppError('VALIDATION', 'valid to is before valid from', { issues: [{ path: ['patch', 'validTo'], message: 'valid_range' }] })
      // The patch schema sees the patch alone; the pair and the place are checked on the result.
      if ((merged.lon == null) !== (merged.lat == null))
        throw new AppError('VALIDATION', 'give both longitude and latitude, or neither', {
          issues: [{ path: ['patch', merged.lon == null ? 'lon' : 'lat'], message: 'lonlat_pair' }],
        })
      if (merged.villageId == null && merged.lon == null)
        throw new AppError('VALIDATION', 'intel needs a village or a map point', { issues: [{ path: ['patch', 'villageId'], message: 'where_required' }] })
      const where = 'villageId' in input.patch || 'lon' in input.patch ? placement(tx, merged) : {}
      updateSynced(tx, ctx.change, 'competitor_intel', input.id, { ...input.patch, ...where })
    })
    return mustGet(ctx, input.id)
  },

  'intel.compare': (ctx, input) => {
    const intel = mustGet(ctx, input.id)
    const ours = input.offerCode ? ourOffers.find((o) => o.code === input.offerCode) : closestOffer(intel)
    if (!ours) throw new AppError('NOT_FOUND', `no offer ${input.offerCode}`, { details: { offerCode: input.offerCode } })
    const rivalMetrics = offerMetrics(intel)
    const ourMetrics = offerMetrics(ours)
    const better = Object.fromEntries(
      (Object.keys(rivalMetrics) as (keyof OfferMetrics)[]).map((k) => [k, betterSide(k, rivalMetrics[k], ourMetrics[k])]),
    ) as Record<keyof OfferMetrics, ReturnType<typeof betterSide>>
    return { intelId: intel.id, rival: intel.rival, title: intel.title, ours, rivalMetrics, ourMetrics, better }
  },

  'intel.addPhoto': (ctx, input) => {
    mustGet(ctx, input.intelId)
    const bytes = decodeImage(input.base64, input.mime, 'base64')
    const thumb = input.thumbBase64 ? decodeImage(input.thumbBase64, 'image/jpeg', 'thumbBase64') : undefined
    // Files first (idempotent by hash), then the row: a crash between leaves an unreferenced file, never a row without its file.
    const sha256 = storeBlob(ctx.dataDir, bytes)
    const thumbSha256 = thumb ? storeBlob(ctx.dataDir, thumb) : null
    const id = ctx.db.transaction((tx) =>
      insertSynced(tx, ctx.change, 'attachments', {
        ownerTable: 'competitor_intel',
        ownerId: input.intelId,
        fileName: input.fileName,
        sha256,
        mime: input.mime,
        bytes: bytes.length,
        thumbSha256,
      }),
    )
    return photosOf(ctx.db, 'competitor_intel', input.intelId).find((p) => p.id === id)!
  },

  'intel.photo': (ctx, input) => {
    const attachment = getAttachment(ctx.db, input.id)
    if (!attachment) throw new AppError('NOT_FOUND', `attachment ${input.id} not found`, { details: { id: input.id } })
    const useThumb = input.thumb && attachment.thumbSha256
    const path = attachmentPath(ctx.dataDir, useThumb ? attachment.thumbSha256! : attachment.sha256)
    if (!existsSync(path))
      throw new AppError('NOT_FOUND', 'the photo file is not on this computer (not yet synced)', { details: { id: input.id, missingFile: true } })
    return { mime: useThumb ? 'image/jpeg' : attachment.mime, base64: readSealedFile(ctx.dataDir, path).toString('base64') }
  },
} satisfies Partial<HandlerTable>
