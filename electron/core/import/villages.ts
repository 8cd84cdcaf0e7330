// Village / community profiles from CSV or XLSX: map columns to fields, validate every row, then
// write all rows or none in one transaction (each write with its outbox entry), or, when asked,
// the valid rows with the rest reported. Every profile field's own label in the app (zh-CN and
// en) is a header too. A village of a township the reference divisions do not list is accepted
// when the file names its township (乡镇代码 / 乡镇 columns): the township is made.
import { textProblem } from '../../../shared/rules'
import gcoord from 'gcoord'
import type { ImportInput, ImportIssue } from '../../../shared/api/imports'
import type { Db, Tx } from '../db/client'
import { insertSyncedMany, updateSynced, type ChangeContext } from '../db/repos/changes'
import { orgUnitIdsByCode } from '../db/repos/grids'
import { knownDivisionCodes, upsertDivision, villageIdsByCode } from '../db/repos/villages'
import { resources } from '../../../shared/i18n'
import { parsePersonsCell, parseRivalCell } from './profileCells'
import { checkHeaders, hasRequiredColumns, mapColumns, targetFields, type TableSource } from './read'

type FieldKind = 'text' | 'count' | 'pct' | 'bool' | 'coord' | 'signal' | 'rivalCounts' | 'rivalPcts' | 'persons'
interface FieldSpec {
  kind: FieldKind
  aliases: string[]
  max?: number
}

/** Target fields and the column headers that map to them automatically (case-insensitive). */
const baseVillageFields: Record<string, FieldSpec> = {
  divisionCode: { kind: 'text', aliases: ['division_code', 'code', '区划代码', '统计用区划代码', '行政区划代码', '村代码'] },
  name: { kind: 'text', aliases: ['name', '名称', '村名', '村庄名称', '村/社区', '行政村'], max: 50 },
  gridCode: { kind: 'text', aliases: ['grid_code', '网格编码', '网格代码', '所属网格'] },
  lon: { kind: 'coord', aliases: ['lon', 'lng', 'longitude', '经度', 'x'] },
  lat: { kind: 'coord', aliases: ['lat', 'latitude', '纬度', 'y'] },
  population: { kind: 'count', aliases: ['population', '人口', '总人口'] },
  households: { kind: 'count', aliases: ['households', '户数', '总户数'] },
  migrantAwayPct: { kind: 'pct', aliases: ['migrant_away_pct', '外出务工比例', '外出务工占比'] },
  mainEconomy: { kind: 'text', aliases: ['main_economy', '主要经济', '主导产业', '经济'], max: 200 },
  marketDays: { kind: 'text', aliases: ['market_days', '集市日'], max: 100 },
  festivals: { kind: 'text', aliases: ['festivals', '风俗节日', '节日'], max: 500 },
  educationLevel: { kind: 'text', aliases: ['education_level', '文化程度', '教育水平'], max: 100 },
  fibreCovered: { kind: 'bool', aliases: ['fibre_covered', '光纤覆盖', '是否光纤覆盖'] },
  ourPorts: { kind: 'count', aliases: ['our_ports', '我方端口', '移动端口数'] },
  ourMobileSubs: { kind: 'count', aliases: ['our_mobile_subs', '移动用户数', '我方移动用户'] },
  ourBroadbandSubs: { kind: 'count', aliases: ['our_broadband_subs', '宽带用户数', '我方宽带用户'] },
  penetrationPct: { kind: 'pct', aliases: ['penetration_pct', '渗透率', '渗透率(%)'] },
  rivalPorts: { kind: 'rivalCounts', aliases: ['rival_ports', '对手端口', '对手端口数', '竞争对手端口'] },
  shareVsRivals: { kind: 'rivalPcts', aliases: ['share_vs_rivals', '对手份额', '我方份额', '市场份额'] },
  keyPersons: { kind: 'persons', aliases: ['key_persons', '关键人物', '关键人', '村干部'] },
  notes: { kind: 'text', aliases: ['notes', '备注'], max: 5000 },
  ageUnder18Pct: { kind: 'pct', aliases: ['age_under_18_pct', '18岁以下占比'] },
  age18To60Pct: { kind: 'pct', aliases: ['age_18_to_60_pct', '18-60岁占比'] },
  ageOver60Pct: { kind: 'pct', aliases: ['age_over_60_pct', '60岁以上占比'] },
  signal4g: { kind: 'signal', aliases: ['signal_4g', '4G信号'] },
  signal5g: { kind: 'signal', aliases: ['signal_5g', '5G信号'] },
  townshipCode: { kind: 'text', aliases: ['township_code', '乡镇代码', '乡镇区划代码', '乡镇（街道）代码'] },
  townshipName: { kind: 'text', aliases: ['township', 'township_name', '乡镇', '乡镇名称', '乡镇（街道）', '所属乡镇'], max: 50 },
}

/** The labels the app shows for a field (the village profile and list, the import report; both languages), with and without a "(%)" suffix. */
function appLabels(field: string): string[] {
  const labels: string[] = []
  for (const lang of ['zh-CN', 'en'] as const) {
    const t = resources[lang].translation as unknown as {
      villages: Record<'field' | 'profile' | 'ageBand', Record<string, unknown>>
      fields: Record<string, string>
    }
    for (const label of [t.villages.field[field], t.villages.profile[field], t.villages.ageBand[field], t.fields[field]])
      if (typeof label === 'string') labels.push(label, label.replace(/\s*[(（]%[)）]$/, ''))
  }
  return labels
}

export const villageFields: Record<string, FieldSpec> = Object.fromEntries(
  Object.entries(baseVillageFields).map(([field, spec]) => [field, { ...spec, aliases: [...new Set([...spec.aliases, ...appLabels(field)])] }]),
)
const SIGNALS: Record<string, 'good' | 'fair' | 'poor' | 'none'> = {
  good: 'good',
  fair: 'fair',
  poor: 'poor',
  none: 'none',
  好: 'good',
  一般: 'fair',
  差: 'poor',
  无: 'none',
  无信号: 'none',
}
const REQUIRED = ['divisionCode', 'name'] as const
export const villageTargets = targetFields(villageFields, REQUIRED)

/** Which sheet of a workbook holds villages: the first with a code and a name column. */
export const villageSheet = (override: Record<string, string>) => (headers: string[]) => hasRequiredColumns(headers, villageFields, override, REQUIRED)

/** What rows are checked against: the reference division codes and the grids' codes. */
export interface VillageLookups {
  divisions: Set<string>
  grids: Set<string>
}

export const villageLookups = (db: Db): VillageLookups => ({ divisions: knownDivisionCodes(db), grids: new Set(orgUnitIdsByCode(db, 'grid').keys()) })

export interface VillageRow {
  row: number
  values: Record<string, unknown>
}

const CHINA = { west: 73.4, east: 135.1, south: 18.1, north: 53.6 }
const inChina = (lon: number, lat: number) => lon >= CHINA.west && lon <= CHINA.east && lat >= CHINA.south && lat <= CHINA.north
const TRUE = new Set(['是', '有', 'y', 'yes', 'true', '1', '已覆盖'])
const FALSE = new Set(['否', '无', 'n', 'no', 'false', '0', '未覆盖'])

/**
 * Checks rows one at a time, in file order (duplicates are found against the rows before), and
 * types their values. Problems go into `issues`. `readable` is false when the columns do not allow
 * reading rows at all (the issues say why).
 */
export function villageChecker(
  lookups: VillageLookups,
  file: string,
  table: Pick<TableSource, 'headers' | 'sheets'>,
  input: Pick<ImportInput, 'mapping' | 'crs'>,
  issues: ImportIssue[],
): { mapping: Record<string, string>; readable: boolean; check(cells: string[], row: number): VillageRow } {
  const issue = (row: number | null, field: string | null, code: ImportIssue['code'], params: ImportIssue['params'] = {}) =>
    issues.push({ file, row, field, code, params })
  const mapping = mapColumns(table.headers, villageFields, input.mapping)
  const index = checkHeaders(table, mapping, villageFields, REQUIRED, issue)
  const { divisions, grids } = lookups
  const countiesWithTownships = new Set([...divisions].filter((c) => c.length === 9).map((c) => c.slice(0, 6)))
  const firstRowOfCode = new Map<string, number>()
  const fields = index ? Object.entries(villageFields).filter(([field]) => index[field] !== undefined) : []

  const check = (cells: string[], row: number): VillageRow => {
    const values: Record<string, unknown> = {}
    for (const [field, spec] of fields) {
      const raw = cells[index![field]!] ?? ''
      if (raw === '') {
        if ((REQUIRED as readonly string[]).includes(field)) issue(row, field, 'required')
        continue
      }
      const broken = textProblem(raw)
      if (broken) {
        issue(row, field, broken)
        continue
      }
      if (spec.kind === 'text') {
        if (spec.max && [...raw].length > spec.max) issue(row, field, 'too_long', { max: spec.max })
        else values[field] = raw
      } else if (spec.kind === 'signal') {
        const v = SIGNALS[raw.toLowerCase()]
        if (v) values[field] = v
        else issue(row, field, 'unknown_value', { value: raw, allowed: '好/一般/差/无信号' })
      } else if (spec.kind === 'rivalCounts' || spec.kind === 'rivalPcts' || spec.kind === 'persons') {
        const parsed = spec.kind === 'persons' ? parsePersonsCell(raw) : parseRivalCell(raw, spec.kind === 'rivalCounts' ? 'count' : 'pct')
        if (parsed.issues) for (const { code, params } of parsed.issues) issue(row, field, code, params)
        else values[field] = parsed.value
      } else if (spec.kind === 'bool') {
        const v = raw.toLowerCase()
        if (TRUE.has(v)) values[field] = true
        else if (FALSE.has(v)) values[field] = false
        else issue(row, field, 'not_a_boolean', { value: raw })
      } else {
        const n = Number(raw.replace(/[,，%]/g, ''))
        if (!Number.isFinite(n)) issue(row, field, 'not_a_number', { value: raw })
        else if (spec.kind === 'count' && (!Number.isInteger(n) || n < 0 || n > 10_000_000))
          issue(row, field, 'out_of_range', { value: raw, min: 0, max: 10_000_000 })
        else if (spec.kind === 'pct' && (n < 0 || n > 100)) issue(row, field, 'out_of_range', { value: raw, min: 0, max: 100 })
        else values[field] = n
      }
    }
    const code = values.divisionCode as string | undefined
    if (code !== undefined) {
      if (!/^\d{12}$/.test(code)) issue(row, 'divisionCode', 'code_format', { value: code, digits: 12 })
      else if (firstRowOfCode.has(code)) issue(row, 'divisionCode', 'duplicate_code', { value: code, other: firstRowOfCode.get(code)! })
      else {
        firstRowOfCode.set(code, row)
        // With reference divisions of the village's county loaded, a code must be known or belong
        // to a known township, or the row names its township (which the import then makes). Another
        // county's divisions say nothing about this one's codes.
        const township = values.townshipCode as string | undefined
        if (township !== undefined && township !== code.slice(0, 9)) issue(row, 'townshipCode', 'township_mismatch', { value: township, code })
        else if (
          countiesWithTownships.has(code.slice(0, 6)) &&
          !divisions.has(code) &&
          !divisions.has(code.slice(0, 9)) &&
          township === undefined &&
          values.townshipName === undefined
        )
          issue(row, 'divisionCode', 'unknown_code', { value: code })
      }
    }
    const gridCode = values.gridCode as string | undefined
    if (gridCode !== undefined && !grids.has(gridCode)) issue(row, 'gridCode', 'unknown_grid', { value: gridCode })
    const { lon, lat } = values as { lon?: number; lat?: number }
    if ((lon === undefined) !== (lat === undefined)) issue(row, lon === undefined ? 'lon' : 'lat', 'lonlat_pair')
    else if (lon !== undefined && lat !== undefined) {
      if (inChina(lat, lon) && !inChina(lon, lat)) issue(row, 'lon', 'swapped_lonlat', { lon, lat })
      else if (!inChina(lon, lat)) issue(row, 'lon', 'outside_china', { lon, lat })
      else if (input.crs !== 'WGS-84') {
        const [x, y] = gcoord.transform([lon, lat], input.crs === 'GCJ-02' ? gcoord.GCJ02 : gcoord.BD09, gcoord.WGS84) as [number, number]
        values.lon = Math.round(x * 1e6) / 1e6
        values.lat = Math.round(y * 1e6) / 1e6
      }
    }
    return { row, values }
  }
  return { mapping, readable: index !== null, check }
}

/** Rows per insertSyncedMany call: batches are faster than one call (less garbage at once) and report progress. */
const WRITE_BATCH = 1000

/**
 * Writes checked rows inside the caller's transaction, in file order: updates villages that exist
 * (changed fields only), inserts the rest in batches. Each write records its outbox entry.
 */
export function villageWriter(db: Db, tx: Tx, cx: ChangeContext, file: string, crs: string) {
  const counts = { inserted: 0, updated: 0, unchanged: 0 }
  const existing = villageIdsByCode(tx)
  const grids = orgUnitIdsByCode(db, 'grid')
  const townships = knownDivisionCodes(tx)
  let fresh: Record<string, unknown>[] = []
  const flush = () => {
    // Changes reach the outbox in file order: the inserts before an update go first.
    if (fresh.length === 0) return
    insertSyncedMany(tx, cx, 'villages', fresh)
    fresh = []
  }
  return {
    counts,
    add(values: Record<string, unknown>): void {
      const { divisionCode, gridCode, townshipCode, townshipName, ...fields } = values as {
        divisionCode: string
        gridCode?: string
        townshipCode?: string
        townshipName?: string
      } & Record<string, unknown>
      const township = divisionCode.slice(0, 9)
      if ((townshipCode !== undefined || townshipName !== undefined) && !townships.has(township)) {
        // A township the file names and the store does not know yet: made with the file's code and name.
        upsertDivision(tx, { code: township, name: townshipName ?? township, level: 'township', parentCode: township.slice(0, 6), source: `import:${file}` })
        townships.add(township)
      }
      if (gridCode !== undefined) fields.gridId = grids.get(gridCode)
      if (fields.lon !== undefined) Object.assign(fields, { geometrySource: `import:${file}`, sourceCrs: crs })
      const id = existing.get(divisionCode)
      if (id) {
        flush()
        if (updateSynced(tx, cx, 'villages', id, fields).length > 0) counts.updated++
        else counts.unchanged++
        return
      }
      const name = fields.name as string
      fresh.push({ ...fields, divisionCode, townshipCode: divisionCode.slice(0, 9), kind: /社区|居委会/.test(name) ? 'community' : 'village' })
      counts.inserted++
      if (fresh.length >= WRITE_BATCH) flush()
    },
    finish(): { inserted: number; updated: number; unchanged: number } {
      flush()
      return counts
    },
  }
}
