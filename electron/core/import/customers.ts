// Key customers from CSV or XLSX, by the village import's rules: columns mapped by header
// (Chinese or English), every row validated and every problem reported by row and field, then all
// rows written or none in one transaction through the outbox (an import job: pipeline.ts). A row whose phone, or whose name in
// the same village, matches a stored customer updates that customer; the rest are inserted.
import { textProblem } from '../../../shared/rules'
import { normalisePhone, PHONE_RE } from '../../../shared/api/customers'
import type { ImportIssue } from '../../../shared/api/imports'
import { customerCategories, funnelStages, rivals, valueTiers } from '../../../shared/domain'
import type { Db, Tx } from '../db/client'
import { insertSynced, updateSynced, type ChangeContext } from '../db/repos/changes'
import { customerIdentityIndex, customerRow, storeTiers, villagePlacement, villagesByName } from '../db/repos/customers'
import { villageIdsByCode } from '../db/repos/villages'
import { checkColumns, mapColumns, targetFields, type Table } from './read'

type FieldKind = 'text' | 'enum' | 'phone' | 'date' | 'int' | 'money' | 'tags'
interface FieldSpec {
  kind: FieldKind
  aliases: string[]
  max?: number
  /** enum: accepted spellings → stored value. */
  values?: Record<string, string>
  range?: [number, number]
}

const enumOf = (codes: readonly string[], labels: Record<string, string[]>): Record<string, string> =>
  Object.fromEntries(codes.flatMap((code) => [[code.toLowerCase(), code], ...(labels[code] ?? []).map((l) => [l.toLowerCase(), code])]))

export const customerImportFields: Record<string, FieldSpec> = {
  name: { kind: 'text', aliases: ['name', '姓名', '客户姓名', '名称'], max: 50 },
  category: {
    kind: 'enum',
    aliases: ['category', '类别', '客户类别', '类型'],
    values: enumOf(customerCategories, {
      admin_power: ['行政力量', '行政', '村干部'],
      education: ['教育', '教育系统'],
      commerce: ['商业', '商户', '工商'],
      group: ['集团客户', '集团'],
      high_value: ['高价值', '高价值客户', '高值'],
    }),
  },
  role: { kind: 'text', aliases: ['role', '职务', '角色', '身份'], max: 50 },
  organisation: { kind: 'text', aliases: ['organisation', 'organization', '单位', '所属单位', '组织'], max: 100 },
  villageCode: { kind: 'text', aliases: ['village_code', '村代码', '区划代码', '行政村代码'] },
  villageName: { kind: 'text', aliases: ['village', 'village_name', '村', '村名', '所属村', '村/社区'] },
  phone: { kind: 'phone', aliases: ['phone', 'mobile', '电话', '手机', '手机号', '联系电话'] },
  influence: { kind: 'int', aliases: ['influence', '影响力'], range: [1, 5] },
  monthlyRevenue: { kind: 'money', aliases: ['monthly_revenue', 'revenue', '月收入', '月消费', 'ARPU', '月均收入'], range: [0, 10_000_000] },
  tierOverride: { kind: 'enum', aliases: ['tier', 'value_tier', '价值等级', '等级'], values: enumOf(valueTiers, {}) },
  contractExpiry: { kind: 'date', aliases: ['contract_expiry', '合约到期', '合约到期日', '到期日'] },
  rivalUsed: {
    kind: 'enum',
    aliases: ['rival', 'rival_used', '竞争对手', '在用运营商', '使用对手'],
    values: enumOf(rivals, { telecom: ['电信', '中国电信'], unicom: ['联通', '中国联通'], broadnet: ['广电', '中国广电'], other: ['其他'] }),
  },
  funnelStage: {
    kind: 'enum',
    aliases: ['stage', 'funnel_stage', '阶段', '漏斗阶段'],
    values: enumOf(funnelStages, { potential: ['潜在'], contacted: ['接触'], intent: ['意向'], won: ['成交'], retained: ['维系'] }),
  },
  nextFollowUp: { kind: 'date', aliases: ['next_follow_up', '下次跟进', '跟进日期'] },
  tags: { kind: 'tags', aliases: ['tags', '标签'] },
  notes: { kind: 'text', aliases: ['notes', '备注'], max: 5000 },
}
const REQUIRED = ['name', 'category'] as const

/** Dates as typed in Chinese spreadsheets: 2026-03-01, 2026/3/1, 2026年3月1日, 2026.3.1. */
export function parseDay(raw: string): string | null {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(raw)
  if (!m) return null
  const day = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
  const d = new Date(`${day}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day ? day : null
}

export interface CustomerImportRow {
  row: number
  values: Record<string, unknown>
  /** Stored customer this row updates. */
  existingId?: string
}

export function validateCustomers(db: Db, file: string, table: Table, override: Record<string, string>) {
  const issues: ImportIssue[] = []
  const issue = (row: number | null, field: string | null, code: ImportIssue['code'], params: ImportIssue['params'] = {}) =>
    issues.push({ file, row, field, code, params })
  const mapping = mapColumns(table.headers, customerImportFields, override)
  const index = checkColumns(table, mapping, customerImportFields, REQUIRED, issue)
  if (!index) return { mapping, rows: [] as CustomerImportRow[], issues }
  const byCode = villageIdsByCode(db)
  const byName = villagesByName(db)
  const stored = customerIdentityIndex(db)
  const firstRowOfPhone = new Map<string, number>()
  const firstRowOfName = new Map<string, number>()
  const rows: CustomerImportRow[] = []

  table.rows.forEach((cells, i) => {
    const row = i + 1
    const values: Record<string, unknown> = {}
    for (const [field, spec] of Object.entries(customerImportFields)) {
      const col = index[field]
      if (col === undefined) continue
      const raw = cells[col] ?? ''
      if (raw === '') {
        if ((REQUIRED as readonly string[]).includes(field)) issue(row, field, 'required')
        continue
      }
      const broken = textProblem(raw)
      if (broken) {
        issue(row, field, broken)
        continue
      }
      switch (spec.kind) {
        case 'text':
          if (spec.max && [...raw].length > spec.max) issue(row, field, 'too_long', { max: spec.max })
          else values[field] = raw
          break
        case 'enum': {
          const value = spec.values![raw.toLowerCase()]
          if (value) values[field] = value
          else
            issue(row, field, 'unknown_value', {
              value: raw,
              allowed: [...new Set(Object.keys(spec.values!).filter((k) => /[^\p{ASCII}]/u.test(k) || field === 'tierOverride'))].slice(0, 8).join('/'),
            })
          break
        }
        case 'phone': {
          const phone = normalisePhone(raw)
          if (PHONE_RE.test(phone)) values[field] = phone
          else issue(row, field, 'phone_format', { value: raw })
          break
        }
        case 'date': {
          const day = parseDay(raw)
          if (day) values[field] = day
          else issue(row, field, 'date_format', { value: raw })
          break
        }
        case 'tags': {
          const tags = [
            ...new Set(
              raw
                .split(/[、,;，；|]/)
                .map((t) => t.trim())
                .filter(Boolean),
            ),
          ]
          const long = tags.find((t) => [...t].length > 20)
          if (long) issue(row, field, 'too_long', { max: 20 })
          else values[field] = tags
          break
        }
        default: {
          const n = Number(raw.replace(/[,，¥￥元]/g, ''))
          const [min, max] = spec.range!
          if (!Number.isFinite(n)) issue(row, field, 'not_a_number', { value: raw })
          else if ((spec.kind === 'int' && !Number.isInteger(n)) || n < min || n > max) issue(row, field, 'out_of_range', { value: raw, min, max })
          else values[field] = n
        }
      }
    }
    // Village: by 12-digit code, else by name (which must name exactly one village).
    const code = values.villageCode as string | undefined
    const vname = values.villageName as string | undefined
    if (code !== undefined) {
      const id = byCode.get(code)
      if (id) values.villageId = id
      else issue(row, 'villageCode', 'unknown_village', { value: code })
    } else if (vname !== undefined) {
      const ids = byName.get(vname) ?? []
      if (ids.length === 1) values.villageId = ids[0]
      else issue(row, 'villageName', 'unknown_village', { value: vname })
    }
    delete values.villageCode
    delete values.villageName
    // Duplicates inside the file: same phone, or same name in the same village.
    const phone = values.phone as string | undefined
    const name = values.name as string | undefined
    const nameKey = name && values.villageId ? `${values.villageId as string}\u0000${name}` : undefined
    if (phone && firstRowOfPhone.has(phone)) issue(row, 'phone', 'duplicate_customer', { value: phone, other: firstRowOfPhone.get(phone)! })
    else if (nameKey && firstRowOfName.has(nameKey)) issue(row, 'name', 'duplicate_customer', { value: name!, other: firstRowOfName.get(nameKey)! })
    if (phone && !firstRowOfPhone.has(phone)) firstRowOfPhone.set(phone, row)
    if (nameKey && !firstRowOfName.has(nameKey)) firstRowOfName.set(nameKey, row)
    const existingId = (phone ? stored.byPhone.get(phone) : undefined) ?? (nameKey ? stored.byVillageName.get(nameKey) : undefined)
    rows.push(existingId ? { row, values, existingId } : { row, values })
  })
  return { mapping, rows, issues }
}

/** Row numbers with a problem of their own (what 'skip' leaves out). */
const badRows = (issues: ImportIssue[]) => new Set(issues.map((i) => i.row).filter((r): r is number => r !== null))

export const customerTargets = targetFields(customerImportFields, REQUIRED)

/** The preview's rows: the first 20, tags joined as typed. */
export const customerSample = (rows: CustomerImportRow[]) =>
  rows.slice(0, 20).map((r) => ({ row: r.row, ...r.values, tags: Array.isArray(r.values.tags) ? (r.values.tags as string[]).join('、') : undefined }))

export const validCustomerRows = (rows: CustomerImportRow[], issues: ImportIssue[]) => {
  const bad = badRows(issues)
  return rows.filter((r) => !bad.has(r.row))
}

/** Writes checked rows (the caller's transaction): matched customers updated, the rest inserted with their first funnel move; tiers recomputed. */
export function writeCustomers(tx: Tx, cx: ChangeContext, rows: CustomerImportRow[]): { inserted: number; updated: number; unchanged: number } {
  let inserted = 0
  let updated = 0
  let unchanged = 0
  const now = cx.now()
  for (const { values, existingId } of rows) {
    const { tags, funnelStage, ...fields } = values as { tags?: string[]; funnelStage?: string } & Record<string, unknown>
    if (tags !== undefined) fields.tags = JSON.stringify(tags)
    const placement = fields.villageId ? villagePlacement(tx, fields.villageId as string) : undefined
    if (placement) fields.gridId = placement.gridId
    if (existingId) {
      const current = customerRow(tx, existingId)!
      let changed = updateSynced(tx, cx, 'key_customers', existingId, fields).length > 0
      if (funnelStage && funnelStage !== current.funnelStage) {
        insertSynced(tx, cx, 'funnel_moves', { customerId: existingId, fromStage: current.funnelStage, toStage: funnelStage, movedAt: now, byUserId: null })
        updateSynced(tx, cx, 'key_customers', existingId, { funnelStage })
        changed = true
      }
      if (changed) updated++
      else unchanged++
    } else {
      const stage = funnelStage ?? 'potential'
      const id = insertSynced(tx, cx, 'key_customers', {
        tags: '[]',
        ...fields,
        funnelStage: stage,
        ownerUserId: placement?.ownerUserId ?? null,
        ...(placement && placement.lon !== null ? { lon: placement.lon, lat: placement.lat, geometrySource: 'village' } : {}),
      })
      insertSynced(tx, cx, 'funnel_moves', { customerId: id, fromStage: null, toStage: stage, movedAt: now, byUserId: null })
      inserted++
    }
  }
  storeTiers(tx)
  return { inserted, updated, unchanged }
}
