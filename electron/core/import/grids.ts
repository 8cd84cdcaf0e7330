// Boundaries from GeoJSON, KML or a zipped Shapefile: grids (one feature per grid: code, name,
// optional center code), the county outline, or township outlines; Polygon or MultiPolygon. Which
// property holds the code and the name is found by itself (code, adcode, id, the feature's own id,
// gb, 编码, name, NAME, 名称...) or given as a mapping. Rings left open are closed; invalid
// geometry of the everyday kinds (self-touching rings, bow-ties, repeated points, wrong ring
// orientation, slivers) is repaired with JSTS and polyclip-ts when the area stays within 1%
// (geo/repair.ts); other geometry types, and coordinates outside China or with lon/lat swapped
// are rejected.
import { geometryProblem, textProblem } from '../../../shared/rules'
import { extname } from 'node:path'
import { kml } from '@tmcw/togeojson'
import * as turf from '@turf/turf'
import { DOMParser } from '@xmldom/xmldom'
import gcoord from 'gcoord'
import shp from 'shpjs'
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon, Position } from 'geojson'
import type { BoundaryRepair, ImportInput, ImportIssue, ImportTargetField } from '../../../shared/api/imports'
import type { Db, Tx } from '../db/client'
import { insertSynced, updateSynced, type ChangeContext } from '../db/repos/changes'
import { orgUnitIdsByCode, orphanOrgUnits } from '../db/repos/grids'
import { upsertDivision } from '../db/repos/villages'
import { areaChangePct, repairGeometry } from '../geo/repair'
import { decodeText, type OnProgress, type SourceFile } from './read'
import { openCappedZip } from './zip'

/** Boundary files: grids (org units of level grid), the county outline, or township outlines. */
export type BoundaryLevel = 'grid' | 'county' | 'township'

/**
 * Target fields and the properties that map to them automatically, best first (matched without
 * regard to case). `id` is the property, or else the feature's own id (the DataV/ECharts shape
 * `{"id":"341523","properties":{"name":…}}`); `gb` is Tianditu's 156 + code.
 */
export const boundaryFields: Record<'code' | 'name' | 'centerCode' | 'kind', { aliases: string[] }> = {
  code: { aliases: ['code', 'grid_code', '网格编码', '网格代码', '编码', '区划代码', '行政区划代码', 'adcode', 'id', 'gb'] },
  name: { aliases: ['name', 'grid_name', '网格名称', '名称', '地名', '乡镇', '乡镇名称'] },
  centerCode: { aliases: ['center_code', 'parent_code', '中心编码', '所属中心'] },
  kind: { aliases: ['kind', 'grid_kind', '网格类型', '类型'] },
}
const fieldsOf = (level: BoundaryLevel) => (level === 'grid' ? (['code', 'name', 'centerCode', 'kind'] as const) : (['code', 'name'] as const))
export const boundaryTargets = (level: BoundaryLevel): ImportTargetField[] =>
  fieldsOf(level).map((name) => ({ name, required: name === 'code' || name === 'name' }))
const KINDS: Record<string, 'area' | 'group' | 'channel'> = {
  area: 'area',
  group: 'group',
  channel: 'channel',
  片区: 'area',
  集团: 'group',
  社会渠道: 'channel',
}
/** The feature's own id, as a column ("id" unless the properties have an id of their own). */
export const FEATURE_ID = 'id'

export interface GridFeature {
  row: number
  code: string
  name: string
  centerCode?: string
  kind?: 'area' | 'group' | 'channel'
  geometry: Polygon | MultiPolygon
}

/** The properties of the first features, in the order they appear: the columns a mapping can name. */
export function boundaryHeaders(features: Feature[]): string[] {
  const headers: string[] = []
  for (const feature of features.slice(0, 50)) {
    for (const key of Object.keys(feature.properties ?? {})) if (!headers.includes(key)) headers.push(key)
    if (feature.id !== undefined && feature.id !== null && !headers.includes(FEATURE_ID)) headers.push(FEATURE_ID)
  }
  return headers
}

/** Field → column: the hand-made mapping ('' leaves a field out), else the first alias found among the columns. */
export function mapBoundaryColumns(headers: string[], level: BoundaryLevel, override: Record<string, string>): Record<string, string> {
  const mapping: Record<string, string> = {}
  const taken = new Set(Object.values(override).filter(Boolean))
  for (const field of fieldsOf(level)) {
    if (override[field] !== undefined) {
      if (override[field] !== '') mapping[field] = override[field]
      continue
    }
    for (const alias of boundaryFields[field].aliases) {
      const column = headers.find((h) => h.toLowerCase() === alias.toLowerCase() && !taken.has(h))
      if (column) {
        mapping[field] = column
        taken.add(column)
        break
      }
    }
  }
  return mapping
}

/** A feature's value for a column: a property, or the feature's own id for "id". */
function valueOf(feature: Feature, column: string | undefined): string | undefined {
  if (!column) return undefined
  const props = (feature.properties ?? {}) as Record<string, unknown>
  const v = props[column] ?? (column === FEATURE_ID ? feature.id : undefined)
  return v !== undefined && v !== null && String(v).trim() !== '' ? String(v).trim() : undefined
}

/** The code as the level keeps it: a county's 6 digits, a township's 9 (12-digit NBS codes and Tianditu's 156 prefix accepted). */
function normaliseCode(level: BoundaryLevel, code: string): string | null {
  if (level === 'grid') return code
  const digits = /^156\d{6}(\d{3})?$/.test(code) ? code.slice(3) : code
  const length = level === 'county' ? 6 : 9
  if (digits.length === length && /^\d+$/.test(digits)) return digits
  if (/^\d{12}$/.test(digits) && /^0+$/.test(digits.slice(length))) return digits.slice(0, length)
  return null
}

export async function parseBoundaryFile(file: SourceFile, encoding: ImportInput['encoding']): Promise<{ features: Feature[]; encoding: string }> {
  const ext = extname(file.name).toLowerCase()
  if (ext === '.zip') return readShapefileZip(file.name, file.bytes, encoding)
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
async function readShapefileZip(fileName: string, bytes: Uint8Array, encoding: ImportInput['encoding']): Promise<{ features: Feature[]; encoding: string }> {
  const zip = await openCappedZip(fileName, bytes)
  const entries = zip.files.filter((f) => !f.name.includes('__MACOSX'))
  const sibling = (base: string, ext: string) => entries.find((f) => f.name.toLowerCase() === `${base}.${ext}`.toLowerCase())
  const readSibling = async (base: string, ext: string) => {
    const entry = sibling(base, ext)
    return entry ? zip.read(entry) : undefined
  }
  const layers = entries.filter((f) => /\.shp$/i.test(f.name))
  if (layers.length === 0) throw new Error('no .shp file in the zip')
  const features: Feature[] = []
  let used = 'utf-8'
  for (const layer of layers) {
    const base = layer.name.slice(0, -4)
    const dbf = await readSibling(base, 'dbf')
    const prj = text(await readSibling(base, 'prj'))
    const cpg = text(await readSibling(base, 'cpg'))?.trim()
    used = cpg || (encoding !== 'auto' ? encoding : dbf && !isUtf8(dbf) ? 'gb18030' : 'utf-8')
    const collection = await shp({ shp: await zip.read(layer), dbf, prj, cpg: used })
    features.push(...(collection.features as Feature[]))
  }
  return { features, encoding: used }
}

const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder('utf-8').decode(bytes) : undefined)

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
  /** Repair invalid geometry where the area stays within 1% (repairGeometry); otherwise refuse it. */
  repair?: boolean
  onProgress?: OnProgress
  level?: BoundaryLevel
  /** Target field → property, overriding the automatic mapping. */
  mapping?: Record<string, string>
}

export function validateGrids(
  file: string,
  features: Feature[],
  crs: ImportInput['crs'],
  options: ValidateGridsOptions = {},
): { grids: GridFeature[]; issues: ImportIssue[]; repairs: BoundaryRepair[]; headers: string[]; mapping: Record<string, string> } {
  const level = options.level ?? 'grid'
  const issues: ImportIssue[] = []
  const repairs: BoundaryRepair[] = []
  const issue = (row: number | null, field: string | null, code: ImportIssue['code'], params: ImportIssue['params'] = {}) =>
    issues.push({ file, row, field, code, params })
  const headers = boundaryHeaders(features)
  const mapping = mapBoundaryColumns(headers, level, options.mapping ?? {})
  if (features.length === 0) return { grids: [], issues: [{ file, row: null, field: null, code: 'empty_file', params: {} }], repairs, headers, mapping }
  for (const [field, column] of Object.entries(mapping)) if (!headers.includes(column)) issue(null, field, 'missing_column', { column })
  if (issues.length > 0) return { grids: [], issues, repairs, headers, mapping }
  const firstRow = new Map<string, number>()
  const grids: GridFeature[] = []
  features.forEach((feature, i) => {
    const row = i + 1
    if (options.onProgress && row % 100 === 0) options.onProgress(row, features.length)
    const raw = valueOf(feature, mapping.code)
    const code = raw === undefined ? undefined : (normaliseCode(level, raw) ?? undefined)
    const name = valueOf(feature, mapping.name)
    if (!raw) issue(row, 'code', 'required', mapping.code ? {} : { column: boundaryFields.code.aliases.join(' / ') })
    else if (!code) issue(row, 'code', 'code_format', { value: raw, digits: level === 'county' ? 6 : 9 })
    else if (firstRow.has(code)) issue(row, 'code', 'duplicate_code', { value: code, other: firstRow.get(code)! })
    else firstRow.set(code, row)
    if (!name) issue(row, 'name', 'required')
    for (const [field, value] of [
      ['code', code],
      ['name', name],
    ] as const) {
      const broken = value ? textProblem(value) : undefined
      if (broken) return void issue(row, field, broken)
    }
    const kindText = valueOf(feature, mapping.kind)
    const kind = kindText ? KINDS[kindText] : undefined
    const geometry = feature.geometry as Geometry | null
    if (!geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) {
      issue(row, 'geometry', 'geometry_type', { value: geometry?.type ?? 'null' })
      return
    }
    const closed = closeRings(geometry)
    if (!closed) return void issue(row, 'geometry', 'invalid_geometry')
    const positions = allPositions(closed)
    if (positions.some((p) => !inChina(p))) {
      const swapped = positions.every((p) => inChina([p[1]!, p[0]!]))
      issue(row, 'geometry', swapped ? 'swapped_lonlat' : 'outside_china', { lon: positions[0]![0]!, lat: positions[0]![1]! })
      return
    }
    let wgs =
      crs === 'WGS-84' ? closed : (gcoord.transform(closed as never, crs === 'GCJ-02' ? gcoord.GCJ02 : gcoord.BD09, gcoord.WGS84) as Polygon | MultiPolygon)
    const outcome = repairGeometry(wgs)
    if (!outcome.ok) {
      const r = outcome.repair
      const where: Record<string, number> = r.at ? { lon: r.at[0], lat: r.at[1] } : {}
      if (outcome.reason === 'too_few_points') return void issue(row, 'geometry', 'invalid_geometry')
      return void issue(
        row,
        'geometry',
        kinked(wgs) || r.kinds.some((k) => k === 'self_intersection' || k === 'self_touch') ? 'self_intersection' : 'invalid_topology',
        {
          ...where,
          areaBeforeM2: r.areaBeforeM2,
          areaAfterM2: r.areaAfterM2,
          changePct: areaChangePct(r),
        },
      )
    }
    if (outcome.repair && !options.repair && outcome.repair.kinds.some((k) => k !== 'duplicate_points' && k !== 'orientation')) {
      const at = outcome.repair.at
      return void issue(row, 'geometry', 'self_intersection', at ? { lon: at[0], lat: at[1] } : {})
    }
    if (outcome.repair) {
      wgs = outcome.geometry
      const { kinds, areaBeforeM2, areaAfterM2, droppedM2, duplicatePoints, at } = outcome.repair
      repairs.push({ row, code: code ?? null, droppedM2, duplicatePoints, kinds, areaBeforeM2, areaAfterM2, at })
    }
    const stored = turf.truncate(turf.feature(wgs), { precision: 6 }).geometry as Polygon | MultiPolygon
    // The value rules of a stored boundary (shared/rules.ts): what HQ accepts.
    const tooBig = geometryProblem(stored)
    if (tooBig) return void issue(row, 'geometry', tooBig.code as 'too_many_vertices' | 'geometry_too_large', tooBig.params)
    if (code && name) grids.push({ row, code, name, centerCode: valueOf(feature, mapping.centerCode), kind, geometry: stored })
  })
  options.onProgress?.(features.length, features.length)
  return { grids, issues, repairs, headers, mapping }
}

const kinked = (geometry: Polygon | MultiPolygon) => turf.kinks(turf.feature(geometry) as Feature<Polygon | MultiPolygon>).features.length > 0

/** Closes open rings; null when a ring has fewer than 3 distinct positions or bad numbers. */
function closeRings(geometry: Polygon | MultiPolygon): Polygon | MultiPolygon | null {
  const fixRing = (ring: Position[]): Position[] | null => {
    if (!Array.isArray(ring) || ring.some((p) => !Array.isArray(p) || p.length < 2 || !p.slice(0, 2).every((n) => typeof n === 'number' && Number.isFinite(n))))
      return null
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

export function commitGrids(
  db: Db,
  cx: ChangeContext,
  file: string,
  grids: GridFeature[],
  crs: string,
  onProgress?: OnProgress,
  level: BoundaryLevel = 'grid',
) {
  if (level === 'township') return commitTownships(db, file, grids, onProgress)
  let inserted = 0
  let updated = 0
  let unchanged = 0
  db.transaction((tx) => {
    const existing = orgUnitIdsByCode(db, level)
    const centers = orgUnitIdsByCode(db, 'center')
    const counties = orgUnitIdsByCode(db, 'county')
    const [countyId] = counties.values()
    for (const grid of grids) {
      const fields: Record<string, unknown> = {
        name: grid.name,
        boundary: JSON.stringify(grid.geometry),
        geometrySource: `import:${file}`,
        sourceCrs: crs,
      }
      if (grid.kind) fields.gridKind = grid.kind
      if (grid.centerCode && centers.has(grid.centerCode)) fields.parentId = centers.get(grid.centerCode)
      // The county's outline goes to the county of that code, or to the only county there is.
      const id = existing.get(grid.code) ?? (level === 'county' && grids.length === 1 && counties.size === 1 ? countyId : undefined)
      if (id) {
        if (updateSynced(tx, cx, 'org_units', id, fields).length > 0) updated++
        else unchanged++
      } else if (level === 'county') {
        if (/^\d{6}$/.test(grid.code))
          upsertDivision(db, { code: grid.code, name: grid.name, level: 'county', parentCode: `${grid.code.slice(0, 4)}00`, source: `import:${file}` })
        insertSynced(tx, cx, 'org_units', {
          parentId: null,
          ...fields,
          code: grid.code,
          level: 'county',
          divisionCode: /^\d{6}$/.test(grid.code) ? grid.code : null,
        })
        inserted++
      } else {
        insertSynced(tx, cx, 'org_units', { parentId: countyId ?? null, gridKind: 'area', ...fields, code: grid.code, level: 'grid' })
        inserted++
      }
      onProgress?.(inserted + updated + unchanged, grids.length)
    }
    if (level === 'county') adoptOrphans(tx, cx, grids, orgUnitIdsByCode(db, 'county'))
  })
  return { inserted, updated, unchanged }
}

/**
 * Grids and centers made before their county (a county drawn from files, grids first) get it as
 * their parent once its outline is imported: a grid the county it lies in (a point on its surface
 * inside the outline), a center, or a grid with no outline, the only county there is. Sent as
 * ordinary updates.
 */
function adoptOrphans(tx: Tx, cx: ChangeContext, outlines: GridFeature[], counties: Map<string, string>): void {
  const orphans = orphanOrgUnits(tx)
  if (orphans.length === 0) return
  const only = counties.size === 1 ? [...counties.values()][0] : undefined
  for (const orphan of orphans) {
    let parentId = orphan.level === 'center' || !orphan.boundary ? only : undefined
    if (orphan.level === 'grid' && orphan.boundary) {
      const point = turf.pointOnFeature(turf.feature(JSON.parse(orphan.boundary) as Polygon | MultiPolygon))
      const home = outlines.find((c) => turf.booleanPointInPolygon(point, c.geometry))
      // The outline may have gone to the only county there is, under another code.
      parentId = home ? (counties.get(home.code) ?? only) : undefined
    }
    if (parentId) updateSynced(tx, cx, 'org_units', orphan.id, { parentId })
  }
}

/** Township outlines are reference divisions (not synced): the township of each code, made if new. */
function commitTownships(db: Db, file: string, townships: GridFeature[], onProgress?: OnProgress) {
  const counts = { inserted: 0, updated: 0, unchanged: 0 }
  db.transaction(() => {
    for (const [n, township] of townships.entries()) {
      const outcome = upsertDivision(db, {
        code: township.code,
        name: township.name,
        level: 'township',
        parentCode: township.code.slice(0, 6),
        source: `import:${file}`,
        boundary: JSON.stringify(township.geometry),
        geometrySource: `import:${file}`,
      })
      counts[outcome]++
      onProgress?.(n + 1, townships.length)
    }
  })
  return counts
}
