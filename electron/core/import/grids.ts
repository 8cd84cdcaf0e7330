// Grid boundaries from GeoJSON, KML or a zipped Shapefile: one feature per grid (code, name, optional center code),
// Polygon or MultiPolygon. Safe repairs are made (rings left open are closed; on import, repeated
// points dropped and twisted slivers cut off, as for a drawn boundary); other self-intersections,
// other geometry types, and coordinates outside China or with lon/lat swapped are rejected.
import { extname } from 'node:path'
import { kml } from '@tmcw/togeojson'
import * as turf from '@turf/turf'
import { DOMParser } from '@xmldom/xmldom'
import gcoord from 'gcoord'
import JSZip from 'jszip'
import shp from 'shpjs'
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon, Position } from 'geojson'
import type { BoundaryRepair, ImportInput, ImportIssue } from '../../../shared/api/imports'
import type { Db } from '../db/client'
import { insertSynced, updateSynced, type ChangeContext } from '../db/repos/changes'
import { orgUnitIdsByCode } from '../db/repos/grids'
import { repairKinks } from '../geo/boundary'
import { decodeText, type OnProgress, type SourceFile } from './read'

const CODE_KEYS = ['code', 'grid_code', '网格编码', '网格代码', '编码']
const NAME_KEYS = ['name', 'grid_name', '网格名称', '名称']
const CENTER_KEYS = ['center_code', 'parent_code', '中心编码', '所属中心']
const KIND_KEYS = ['kind', 'grid_kind', '网格类型', '类型']
const KINDS: Record<string, 'area' | 'group' | 'channel'> = { area: 'area', group: 'group', channel: 'channel', 片区: 'area', 集团: 'group', 社会渠道: 'channel' }

export interface GridFeature {
  row: number
  code: string
  name: string
  centerCode?: string
  kind?: 'area' | 'group' | 'channel'
  geometry: Polygon | MultiPolygon
}

const pick = (props: Record<string, unknown>, keys: string[]) => {
  for (const key of keys) {
    const v = props[key]
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim()
  }
  return undefined
}

export async function parseBoundaryFile(file: SourceFile, encoding: ImportInput['encoding']): Promise<{ features: Feature[]; encoding: string }> {
  const ext = extname(file.name).toLowerCase()
  if (ext === '.zip') return readShapefileZip(file.bytes, encoding)
  const { text, encoding: used } = decodeText(file.bytes, encoding)
  if (text.trim() === '') return { features: [], encoding: used }
  if (ext === '.kml') {
    const errors: string[] = []
    const doc = new DOMParser({ onError: (level, message) => void (level !== 'warning' && errors.push(message)) }).parseFromString(text, 'text/xml')
    if (errors.length > 0 || !doc.documentElement) throw new Error(errors[0] ?? 'not XML')
    return { features: kml(doc as unknown as Document).features as Feature[], encoding: used }
  }
  const json = JSON.parse(text) as FeatureCollection | Feature
  if (json.type === 'FeatureCollection' && Array.isArray(json.features)) return { features: json.features, encoding: used }
  if (json.type === 'Feature') return { features: [json], encoding: used }
  throw new Error('not a GeoJSON Feature or FeatureCollection')
}

/**
 * A zipped Shapefile (shpjs): every .shp in the zip with its .dbf, .prj (reprojected to lon/lat by
 * proj4) and .cpg. Without a .cpg the attribute encoding is the one chosen, or on 'auto' UTF-8 when
 * the .dbf is valid UTF-8, else GB18030 (Chinese GIS software writes GBK by default).
 */
async function readShapefileZip(bytes: Uint8Array, encoding: ImportInput['encoding']): Promise<{ features: Feature[]; encoding: string }> {
  const zip = await JSZip.loadAsync(bytes)
  const entries = Object.values(zip.files).filter((f) => !f.dir && !f.name.includes('__MACOSX'))
  const sibling = (base: string, ext: string) => entries.find((f) => f.name.toLowerCase() === `${base}.${ext}`.toLowerCase())
  const layers = entries.filter((f) => /\.shp$/i.test(f.name))
  if (layers.length === 0) throw new Error('no .shp file in the zip')
  const features: Feature[] = []
  let used = 'utf-8'
  for (const layer of layers) {
    const base = layer.name.slice(0, -4)
    const dbf = await sibling(base, 'dbf')?.async('uint8array')
    const prj = await sibling(base, 'prj')?.async('string')
    const cpg = (await sibling(base, 'cpg')?.async('string'))?.trim()
    used = cpg || (encoding !== 'auto' ? encoding : dbf && !isUtf8(dbf) ? 'gb18030' : 'utf-8')
    const collection = await shp({ shp: await layer.async('uint8array'), dbf, prj, cpg: used })
    features.push(...(collection.features as Feature[]))
  }
  return { features, encoding: used }
}

const isUtf8 = (bytes: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

const CHINA = { west: 73.4, east: 135.1, south: 18.1, north: 53.6 }
const inChina = ([lon, lat]: Position) => lon! >= CHINA.west && lon! <= CHINA.east && lat! >= CHINA.south && lat! <= CHINA.north

export interface ValidateGridsOptions {
  /** Repair self-intersections where safe (repairKinks: slivers cut off, repeated points dropped). */
  repair?: boolean
  onProgress?: OnProgress
}

export function validateGrids(
  file: string,
  features: Feature[],
  crs: ImportInput['crs'],
  options: ValidateGridsOptions = {},
): { grids: GridFeature[]; issues: ImportIssue[]; repairs: BoundaryRepair[] } {
  const issues: ImportIssue[] = []
  const repairs: BoundaryRepair[] = []
  const issue = (row: number | null, field: string | null, code: ImportIssue['code'], params: ImportIssue['params'] = {}) =>
    issues.push({ file, row, field, code, params })
  if (features.length === 0) return { grids: [], issues: [{ file, row: null, field: null, code: 'empty_file', params: {} }], repairs }
  const firstRow = new Map<string, number>()
  const grids: GridFeature[] = []
  features.forEach((feature, i) => {
    const row = i + 1
    if (options.onProgress && row % 100 === 0) options.onProgress(row, features.length)
    const props = (feature.properties ?? {}) as Record<string, unknown>
    const code = pick(props, CODE_KEYS)
    const name = pick(props, NAME_KEYS)
    if (!code) issue(row, 'code', 'required')
    else if (firstRow.has(code)) issue(row, 'code', 'duplicate_code', { value: code, other: firstRow.get(code)! })
    else firstRow.set(code, row)
    if (!name) issue(row, 'name', 'required')
    const kindText = pick(props, KIND_KEYS)
    const kind = kindText ? KINDS[kindText] : undefined
    const geometry = feature.geometry as Geometry | null
    if (!geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) {
      issue(row, 'geometry', 'geometry_type', { value: geometry?.type ?? 'null' })
      return
    }
    const repaired = closeRings(geometry)
    if (!repaired) return void issue(row, 'geometry', 'invalid_geometry')
    const positions = allPositions(repaired)
    if (positions.some((p) => !inChina(p))) {
      const swapped = positions.every((p) => inChina([p[1]!, p[0]!]))
      issue(row, 'geometry', swapped ? 'swapped_lonlat' : 'outside_china', { lon: positions[0]![0]!, lat: positions[0]![1]! })
      return
    }
    let wgs = crs === 'WGS-84' ? repaired : (gcoord.transform(repaired as never, crs === 'GCJ-02' ? gcoord.GCJ02 : gcoord.BD09, gcoord.WGS84) as Polygon | MultiPolygon)
    if (kinked(wgs)) {
      const fixed = options.repair ? repairKinks(wgs) : null
      if (!fixed || kinked(fixed.geometry)) return void issue(row, 'geometry', 'self_intersection')
      wgs = fixed.geometry
      repairs.push({ row, code: code ?? null, ...fixed.repair })
    }
    if (code && name) grids.push({ row, code, name, centerCode: pick(props, CENTER_KEYS), kind, geometry: turf.truncate(turf.feature(wgs), { precision: 6 }).geometry as Polygon | MultiPolygon })
  })
  options.onProgress?.(features.length, features.length)
  return { grids, issues, repairs }
}

const kinked = (geometry: Polygon | MultiPolygon) => turf.kinks(turf.feature(geometry) as Feature<Polygon | MultiPolygon>).features.length > 0

/** Closes open rings; null when a ring has fewer than 3 distinct positions or bad numbers. */
function closeRings(geometry: Polygon | MultiPolygon): Polygon | MultiPolygon | null {
  const fixRing = (ring: Position[]): Position[] | null => {
    if (!Array.isArray(ring) || ring.some((p) => !Array.isArray(p) || p.length < 2 || !p.slice(0, 2).every((n) => typeof n === 'number' && Number.isFinite(n)))) return null
    const closed = ring.length > 0 && (ring[0]![0] !== ring.at(-1)![0] || ring[0]![1] !== ring.at(-1)![1]) ? [...ring, ring[0]!] : ring
    return closed.length >= 4 ? closed.map((p) => [p[0]!, p[1]!]) : null
  }
  const fixPolygon = (rings: Position[][]) => {
    if (!Array.isArray(rings) || rings.length === 0) return null
    const fixed = rings.map(fixRing)
    return fixed.every((r) => r !== null) ? (fixed as Position[][]) : null
  }
  if (geometry.type === 'Polygon') {
    const rings = fixPolygon(geometry.coordinates)
    return rings ? { type: 'Polygon', coordinates: rings } : null
  }
  if (!Array.isArray(geometry.coordinates)) return null
  const polygons = geometry.coordinates.map(fixPolygon)
  return polygons.every((p) => p !== null) ? { type: 'MultiPolygon', coordinates: polygons as Position[][][] } : null
}

function allPositions(geometry: Polygon | MultiPolygon): Position[] {
  return geometry.type === 'Polygon' ? geometry.coordinates.flat() : geometry.coordinates.flat(2)
}

export function commitGrids(db: Db, cx: ChangeContext, file: string, grids: GridFeature[], crs: string, onProgress?: OnProgress) {
  let inserted = 0
  let updated = 0
  let unchanged = 0
  db.transaction((tx) => {
    const existing = orgUnitIdsByCode(db, 'grid')
    const centers = orgUnitIdsByCode(db, 'center')
    const [countyId] = orgUnitIdsByCode(db, 'county').values()
    for (const grid of grids) {
      const fields: Record<string, unknown> = {
        name: grid.name,
        boundary: JSON.stringify(grid.geometry),
        geometrySource: `import:${file}`,
        sourceCrs: crs,
      }
      if (grid.kind) fields.gridKind = grid.kind
      if (grid.centerCode && centers.has(grid.centerCode)) fields.parentId = centers.get(grid.centerCode)
      const id = existing.get(grid.code)
      if (id) {
        if (updateSynced(tx, cx, 'org_units', id, fields).length > 0) updated++
        else unchanged++
      } else {
        insertSynced(tx, cx, 'org_units', { parentId: countyId ?? null, gridKind: 'area', ...fields, code: grid.code, level: 'grid' })
        inserted++
      }
      onProgress?.(inserted + updated + unchanged, grids.length)
    }
  })
  return { inserted, updated, unchanged }
}
