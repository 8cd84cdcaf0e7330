// The one set of value rules every stored value obeys, wherever it enters: the handler boundary
// (every string of every input), imports (per row and field), the device's outbox, HQ's push and
// the device's pull. What the device accepts, HQ accepts: the limits sit under HQ's per-field
// limit and the push body limit, and text is what PostgreSQL's jsonb can hold.
import { MAX_BODY_BYTES } from './sync/protocol'

/** HQ's limit on one field's text (shared/sync/protocol.ts jsonScalar). */
export const HQ_FIELD_MAX_CHARS = 200_000
/** The push body limit (bytes, decompressed). */
export const PUSH_BODY_MAX_BYTES = MAX_BODY_BYTES
/** One row's fields as JSON: a change must fit a push with room for others (~1/8 of the body). */
export const ROW_MAX_CHARS = 250_000
/** Vertices of one boundary (all rings): 8,000 vertices are ~180,000 characters at 6 decimals. */
export const MAX_BOUNDARY_VERTICES = 8_000
/** Characters of one boundary's GeoJSON (under HQ's per-field limit). */
export const MAX_GEOMETRY_CHARS = 180_000
/** Nesting of any input (objects and arrays): deeper is never a real value. */
export const MAX_INPUT_DEPTH = 32
/** Characters of any single string a handler is given (longer text has its own, lower limit). */
export const MAX_INPUT_STRING_CHARS = HQ_FIELD_MAX_CHARS

export const ruleCodes = [
  'nul_char',
  'lone_surrogate',
  'too_long',
  'too_deep',
  'row_too_large',
  'bad_date',
  'bad_time',
  'bad_period',
  'bad_uuid',
  'bad_sha256',
  'bad_json',
  'too_many_vertices',
  'geometry_too_large',
  'not_text',
] as const
export type RuleCode = (typeof ruleCodes)[number]

/** One broken rule: which field (or input path), which rule, and values for the message. */
export interface RuleIssue {
  path: (string | number)[]
  code: RuleCode
  params: Record<string, string | number>
}

// ---- text ----

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why a text cannot be stored (NUL, a lone surrogate), or undefined. */
export function textProblem(text: string): 'nul_char' | 'lone_surrogate' | undefined {
  if (text.includes('\u0000')) return 'nul_char'
  if (LONE_SURROGATE.test(text)) return 'lone_surrogate'
  return undefined
}

export const isCleanText = (text: string) => textProblem(text) === undefined

// ---- dates ----

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
const MOMENT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/

function dayExists(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!
  return d <= days
}

/** A calendar day 'YYYY-MM-DD' that exists (2026-02-30 and 2026-13-01 do not). */
export function isDay(text: string): boolean {
  const m = DAY.exec(text)
  return !!m && dayExists(Number(m[1]), Number(m[2]), Number(m[3]))
}

/** Looks like a date or an ISO date-time (whatever its values): such strings must also exist. */
export const looksLikeMoment = (text: string) => MOMENT.test(text)

/** A day, or an ISO-8601 date-time whose day and time exist (offset optional). */
export function isMoment(text: string): boolean {
  const m = MOMENT.exec(text)
  if (!m || !dayExists(Number(m[1]), Number(m[2]), Number(m[3]))) return false
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false
  if (m[7] && m[7] !== 'Z') {
    const offset = m[7].replace(':', '')
    if (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(3, 5) || 0) > 59) return false
  }
  return true
}

/** '2026-10', '2026-Q3' or '2026'. */
export const isPeriod = (text: string) => /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/.test(text)

// ---- identifiers and hashes ----

export const isUuid = (text: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)
export const isSha256 = (text: string) => /^[0-9a-f]{64}$/.test(text)

// ---- geometry ----

/** Vertices of a GeoJSON geometry's coordinates (positions at any nesting). */
export function countVertices(coordinates: unknown, limit = Infinity): number {
  let n = 0
  const walk = (c: unknown, depth: number): void => {
    if (n > limit || !Array.isArray(c) || depth > 6) return
    if (c.length >= 2 && typeof c[0] === 'number') {
      n++
      return
    }
    for (const item of c) walk(item, depth + 1)
  }
  walk(coordinates, 0)
  return n
}

/** Why a GeoJSON geometry (object or serialized) is too big to store and sync, or undefined. */
export function geometryProblem(geometry: unknown): Omit<RuleIssue, 'path'> | undefined {
  const text = typeof geometry === 'string' ? geometry : JSON.stringify(geometry ?? null)
  let parsed: unknown = geometry
  if (typeof geometry === 'string') {
    try {
      parsed = JSON.parse(geometry)
    } catch {
      return { code: 'bad_json', params: {} }
    }
  }
  const vertices = countVertices((parsed as { coordinates?: unknown } | null)?.coordinates, MAX_BOUNDARY_VERTICES)
  if (vertices > MAX_BOUNDARY_VERTICES) return { code: 'too_many_vertices', params: { max: MAX_BOUNDARY_VERTICES } }
  if (text.length > MAX_GEOMETRY_CHARS) return { code: 'geometry_too_large', params: { size: text.length, max: MAX_GEOMETRY_CHARS } }
  return undefined
}

// ---- per-table field rules ----

export type FieldRule =
  /** Text of at most `max` characters (NUL and lone surrogates are refused in every text). */
  | { kind: 'text'; max: number }
  | { kind: 'uuid' }
  | { kind: 'day' }
  /** A day or an ISO date-time. */
  | { kind: 'moment' }
  | { kind: 'period' }
  | { kind: 'sha256' }
  /** JSON text of at most `max` characters. */
  | { kind: 'json'; max: number }
  /** GeoJSON geometry text: vertex count and size limits. */
  | { kind: 'geometry' }

const text = (max: number): FieldRule => ({ kind: 'text', max })
const uuid: FieldRule = { kind: 'uuid' }
const day: FieldRule = { kind: 'day' }
const moment: FieldRule = { kind: 'moment' }
const period: FieldRule = { kind: 'period' }
const sha256: FieldRule = { kind: 'sha256' }
const json = (max: number): FieldRule => ({ kind: 'json', max })
const geometry: FieldRule = { kind: 'geometry' }

/** Limits shared by the contract, imports and sync. */
export const TEXT = { code: 64, name: 200, short: 100, label: 500, text: 2000, notes: 5000 } as const

/** Columns every synced table has (only deleted_at travels in changes; the rest are bookkeeping). */
const common: Record<string, FieldRule> = { id: uuid, created_at: moment, updated_at: moment, deleted_at: moment, hlc: text(120) }
/** Any text column without its own rule. */
export const DEFAULT_TEXT_RULE: FieldRule = text(TEXT.notes)

/**
 * Per synced table, column (snake_case, as stored and synced) → rule. Columns not listed: text
 * obeys DEFAULT_TEXT_RULE, numbers must be finite (the sync schema checks types and enums).
 */
export const tableRules: Record<string, Record<string, FieldRule>> = {
  org_units: {
    ...common,
    code: text(TEXT.code),
    name: text(TEXT.name),
    parent_id: uuid,
    division_code: text(TEXT.code),
    manager_user_id: uuid,
    boundary: geometry,
    geometry_source: text(TEXT.label),
    source_crs: text(TEXT.code),
  },
  users: { ...common, name: text(TEXT.name), phone: text(40), org_unit_id: uuid },
  indicators: { ...common, code: text(TEXT.code), name_zh: text(TEXT.name), name_en: text(TEXT.name), unit: text(TEXT.code) },
  targets: { ...common, indicator_code: text(TEXT.code), org_unit_id: uuid, period, split_method: text(TEXT.code) },
  actuals: { ...common, indicator_code: text(TEXT.code), org_unit_id: uuid, period, as_of: moment, source: text(TEXT.label) },
  objections: { ...common, code: text(TEXT.code), name_zh: text(TEXT.name), name_en: text(TEXT.name), suggested_answer: text(TEXT.text) },
  villages: {
    ...common,
    division_code: text(TEXT.code),
    name: text(TEXT.name),
    township_code: text(TEXT.code),
    grid_id: uuid,
    micro_grid_id: uuid,
    boundary: geometry,
    geometry_source: text(TEXT.label),
    source_crs: text(TEXT.code),
    main_economy: text(200),
    market_days: text(100),
    festivals: text(500),
    education_level: text(100),
    rival_ports: json(2000),
    share_vs_rivals: json(2000),
    key_persons: json(20_000),
    notes: text(TEXT.notes),
  },
  key_customers: {
    ...common,
    name: text(TEXT.name),
    role: text(TEXT.name),
    organisation: text(TEXT.name),
    village_id: uuid,
    grid_id: uuid,
    phone: text(40),
    contract_expiry: day,
    owner_user_id: uuid,
    next_follow_up: day,
    tags: json(2000),
    notes: text(TEXT.notes),
    geometry_source: text(TEXT.label),
  },
  customer_products: { ...common, customer_id: uuid, product_name: text(TEXT.name), since: moment, expiry: moment },
  funnel_moves: { ...common, customer_id: uuid, moved_at: moment, by_user_id: uuid },
  competitor_intel: {
    ...common,
    title: text(TEXT.name),
    description: text(TEXT.notes),
    village_id: uuid,
    grid_id: uuid,
    seen_at: moment,
    valid_from: day,
    valid_to: day,
    source: text(TEXT.label),
    suggested_response: text(TEXT.text),
    from_visit_id: uuid,
    created_by: uuid,
  },
  visits: {
    ...common,
    village_id: uuid,
    customer_id: uuid,
    grid_id: uuid,
    planned_for: moment,
    checked_in_at: moment,
    purpose: text(TEXT.text),
    outcome: text(TEXT.notes),
    next_action: text(TEXT.text),
    next_action_due: moment,
    by_user_id: uuid,
  },
  day_plans: { ...common, grid_id: uuid, plan_date: day, targets: json(20_000), start_name: text(TEXT.short), by_user_id: uuid },
  visit_participants: { ...common, visit_id: uuid, user_id: uuid, name: text(TEXT.name) },
  visit_objections: { ...common, visit_id: uuid, objection_code: text(TEXT.code), detail: text(TEXT.text), answer: text(TEXT.text) },
  visit_products: { ...common, visit_id: uuid, product: text(TEXT.name) },
  attachments: { ...common, owner_table: text(TEXT.code), owner_id: uuid, file_name: text(255), sha256, mime: text(TEXT.short), thumb_sha256: sha256 },
  work_orders: {
    ...common,
    title: text(TEXT.name),
    description: text(TEXT.notes),
    org_unit_id: uuid,
    customer_id: uuid,
    visit_id: uuid,
    assignee_user_id: uuid,
    due_at: moment,
    closed_at: moment,
  },
}

/** The rule of one column of a synced table (DEFAULT_TEXT_RULE for text without its own). */
export function fieldRule(table: string, column: string): FieldRule | undefined {
  return tableRules[table]?.[column]
}

/** Why one value breaks its column's rule, or undefined. Null is left to the schema (not-null). */
export function fieldProblem(rule: FieldRule | undefined, value: unknown): Omit<RuleIssue, 'path'> | undefined {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return undefined
  if (typeof value !== 'string') return { code: 'not_text', params: {} }
  const bad = textProblem(value)
  if (bad) return { code: bad, params: {} }
  const r = rule ?? DEFAULT_TEXT_RULE
  switch (r.kind) {
    case 'text':
      return value.length > r.max ? { code: 'too_long', params: { max: r.max } } : undefined
    case 'uuid':
      return isUuid(value) ? undefined : { code: 'bad_uuid', params: { value: value.slice(0, 80) } }
    case 'day':
      return isDay(value) ? undefined : { code: 'bad_date', params: { value: value.slice(0, 80) } }
    case 'moment':
      return isMoment(value) ? undefined : { code: 'bad_time', params: { value: value.slice(0, 80) } }
    case 'period':
      return isPeriod(value) ? undefined : { code: 'bad_period', params: { value: value.slice(0, 80) } }
    case 'sha256':
      return isSha256(value) ? undefined : { code: 'bad_sha256', params: {} }
    case 'json':
      if (value.length > r.max) return { code: 'too_long', params: { max: r.max } }
      try {
        JSON.parse(value)
        return undefined
      } catch {
        return { code: 'bad_json', params: {} }
      }
    case 'geometry':
      return geometryProblem(value)
  }
}

/**
 * Every broken rule of a synced row's fields (a change's fields or a pulled row's), in column
 * order. Unknown tables have no rules here (the sync schema refuses them). The row id is checked
 * when given.
 */
export function rowProblems(table: string, fields: Record<string, unknown>, rowId?: string): RuleIssue[] {
  const rules = tableRules[table]
  if (!rules) return []
  const issues: RuleIssue[] = []
  if (rowId !== undefined && !isUuid(rowId)) issues.push({ path: ['id'], code: 'bad_uuid', params: { value: rowId.slice(0, 80) } })
  let size = 2
  for (const [column, value] of Object.entries(fields)) {
    const problem = fieldProblem(rules[column], value)
    if (problem) issues.push({ path: [column], ...problem })
    size += column.length + 4 + (typeof value === 'string' ? value.length + 2 : String(value).length)
  }
  if (size > ROW_MAX_CHARS) issues.push({ path: [], code: 'row_too_large', params: { size, max: ROW_MAX_CHARS } })
  return issues
}

/** One line for logs and protocol answers (no values of the row, only where and which rule). */
export function describeIssue(table: string, issue: RuleIssue): string {
  const where = issue.path.length ? `${table}.${issue.path.join('.')}` : table
  const params = Object.entries(issue.params)
    .filter(([k]) => k !== 'value')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')
  return `${where}: ${issue.code}${params ? ` (${params})` : ''}`
}

// ---- any input ----

/** A key fit to be shown in an error path (NUL and surrogates replaced). */
const safeKey = (key: string) => [...key].map((c) => (c === '\u0000' || (c.length === 1 && c >= '\uD800' && c <= '\uDFFF') ? '?' : c)).join('')

/**
 * The rules every handler input obeys, whatever its schema: nesting at most MAX_INPUT_DEPTH, every
 * string (keys included) clean text of at most MAX_INPUT_STRING_CHARS characters, and every string
 * shaped like a date or a date-time a real one. Stops after `limit` issues.
 */
export function inputProblems(input: unknown, limit = 10): RuleIssue[] {
  const issues: RuleIssue[] = []
  const checkString = (s: string, path: (string | number)[]) => {
    const bad = textProblem(s)
    if (bad) issues.push({ path, code: bad, params: {} })
    else if (s.length > MAX_INPUT_STRING_CHARS) issues.push({ path, code: 'too_long', params: { max: MAX_INPUT_STRING_CHARS } })
    else if (s.length <= 40 && looksLikeMoment(s) && !isMoment(s)) issues.push({ path, code: DAY.test(s) ? 'bad_date' : 'bad_time', params: { value: s } })
  }
  // Iterative: a 5,000-deep value must not overflow the stack before it is refused.
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: input, path: [] }]
  while (stack.length && issues.length < limit) {
    const { value, path } = stack.pop()!
    if (typeof value === 'string') checkString(value, path)
    else if (value !== null && typeof value === 'object') {
      if (path.length >= MAX_INPUT_DEPTH) {
        issues.push({ path: path.slice(0, 3), code: 'too_deep', params: { max: MAX_INPUT_DEPTH } })
        break
      }
      if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] })
      else
        for (const [key, item] of Object.entries(value as Record<string, unknown>).reverse()) {
          const keyProblem = textProblem(key)
          if (keyProblem) issues.push({ path: [...path, safeKey(key)], code: keyProblem, params: {} })
          stack.push({ value: item, path: [...path, keyProblem ? safeKey(key) : key] })
        }
    }
  }
  return issues
}
