// The village profile's structured fields as one cell of a CSV/XLSX file, in a form a person types:
//   对手端口数            电信:120;联通:30;广电:0
//   我方对各对手份额（%）  电信:55;联通:70         (our share against each rival), or market shares
//                         移动:60;电信:30;联通:10  (with 移动/我方: the head-to-head share is worked out)
//   关键人物              张三(村支书) 13812345678 支持我方;李四(会计)
// Entries are separated by semicolons (；, 、 and line breaks too; commas for the rivals), a rival
// and its figure by a colon (：, =, or nothing: 电信120). JSON is taken too: {"telecom":120} and
// [{"name":"张三","role":"村支书","phone":"13812345678"}]. The result is the stored JSON text.
import { PHONE_RE, normalisePhone } from '../../../shared/api/customers'
import type { ImportIssueCode } from '../../../shared/api/imports'
import { resources } from '../../../shared/i18n'
import { profileRivals, type ProfileRival } from '../../../shared/profile'

export interface CellIssue {
  code: ImportIssueCode
  params: Record<string, string | number>
}
export type CellResult = { value: string; issues?: undefined } | { value?: undefined; issues: CellIssue[] }

const OURS = 'ours' as const
const OURS_NAMES = ['ours', 'us', 'mobile', 'china mobile', 'cmcc', '我方', '移动', '中国移动']

/** Rival names in either language (the app's own labels), their codes, and the full company names. */
const rivalNames: Map<string, ProfileRival> = (() => {
  const names = new Map<string, ProfileRival>()
  for (const rival of profileRivals) names.set(rival, rival)
  for (const lang of ['zh-CN', 'en'] as const) {
    const labels = (resources[lang].translation as unknown as { villages: { rival: Record<ProfileRival, string> } }).villages.rival
    for (const rival of profileRivals) names.set(labels[rival].toLowerCase(), rival)
  }
  for (const [name, rival] of [
    ['中国电信', 'telecom'],
    ['中国联通', 'unicom'],
    ['中国广电', 'broadnet'],
    ['广电网络', 'broadnet'],
    ['china telecom', 'telecom'],
    ['china unicom', 'unicom'],
  ] as const)
    names.set(name, rival)
  return names
})()
const RIVALS_ALLOWED = '电信/联通/广电'

const JSON_START = /^[[{]/
const parseJson = (raw: string): unknown => {
  try {
    return JSON.parse(raw) as unknown
  } catch {
    return undefined
  }
}

/**
 * A rival figure per rival: ports (`kind` 'count', whole numbers) or our share against each
 * (`kind` 'pct', 0–100; with our own share given, the figures are market shares and kept as such).
 */
export function parseRivalCell(raw: string, kind: 'count' | 'pct'): CellResult {
  const issues: CellIssue[] = []
  const pairs: [string, string][] = []
  if (JSON_START.test(raw)) {
    const parsed = parseJson(raw)
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { issues: [{ code: 'rival_format', params: { value: raw } }] }
    for (const [name, figure] of Object.entries(parsed as Record<string, unknown>)) {
      if (figure === null) continue
      pairs.push([name, typeof figure === 'number' || typeof figure === 'string' ? String(figure) : JSON.stringify(figure)])
    }
  } else {
    // A comma followed by exactly three digits is a thousands separator (电信:1,200), not a new entry.
    for (const entry of raw.split(/[;；、，\r\n]|,(?!\d{3}(?!\d))/)) {
      const text = entry.trim()
      if (text === '') continue
      const match = /^(.*?)\s*[:：=]\s*(.*)$/.exec(text) ?? /^(\D*?)\s*(-?\d[\d,.]*\s*%?)$/.exec(text)
      if (!match || match[1] === '') {
        issues.push({ code: 'rival_format', params: { value: text } })
        continue
      }
      pairs.push([match[1]!, match[2]!])
    }
  }
  const figures = new Map<ProfileRival | typeof OURS, number>()
  for (const [name, figureText] of pairs) {
    const key = name.trim().toLowerCase()
    const rival = rivalNames.get(key) ?? (kind === 'pct' && OURS_NAMES.includes(key) ? OURS : undefined)
    if (!rival) {
      issues.push({ code: 'unknown_value', params: { value: name.trim(), allowed: kind === 'pct' ? `${RIVALS_ALLOWED}/我方` : RIVALS_ALLOWED } })
      continue
    }
    if (figures.has(rival)) {
      issues.push({ code: 'rival_format', params: { value: `${name.trim()}: ${figureText}` } })
      continue
    }
    const n = Number(figureText.replace(/[,，%\s]/g, ''))
    if (figureText.trim() === '' || !Number.isFinite(n)) issues.push({ code: 'not_a_number', params: { value: figureText } })
    else if (kind === 'count' && (!Number.isInteger(n) || n < 0 || n > 10_000_000))
      issues.push({ code: 'out_of_range', params: { value: figureText, min: 0, max: 10_000_000 } })
    else if (kind === 'pct' && (n < 0 || n > 100)) issues.push({ code: 'out_of_range', params: { value: figureText, min: 0, max: 100 } })
    else figures.set(rival, n)
  }
  if (issues.length > 0) return { issues }
  if (figures.size === 0 || (figures.size === 1 && figures.has(OURS))) return { issues: [{ code: 'rival_format', params: { value: raw } }] }
  // Stored as the profile form stores it: the known rivals in a fixed order (ours first when given).
  const ordered = [OURS as ProfileRival | typeof OURS, ...profileRivals].filter((k) => figures.has(k)).map((k) => [k, figures.get(k)])
  return { value: JSON.stringify(Object.fromEntries(ordered)) }
}

const MAX_PERSONS = 50
const PHONE_TOKEN = /^\+?[\d-]{7,}$/

interface Person {
  name: string
  role: string | null
  phone: string | null
  notes: string | null
}

function checkPerson(person: { name?: unknown; role?: unknown; phone?: unknown; notes?: unknown }, source: string, issues: CellIssue[]): Person | null {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : null)
  const name = text(person.name)
  const role = text(person.role)
  const phone = text(person.phone)
  const notes = text(person.notes)
  const before = issues.length
  if (!name) issues.push({ code: 'person_format', params: { value: source } })
  else if ([...name].length > 30) issues.push({ code: 'too_long', params: { max: 30, value: name } })
  if (role && [...role].length > 30) issues.push({ code: 'too_long', params: { max: 30, value: role } })
  if (notes && [...notes].length > 200) issues.push({ code: 'too_long', params: { max: 200, value: notes } })
  const normalised = phone ? normalisePhone(phone) : null
  if (normalised && !PHONE_RE.test(normalised)) issues.push({ code: 'phone_format', params: { value: phone! } })
  return issues.length > before ? null : { name: name!, role, phone: normalised, notes }
}

/** One person as typed: 姓名(职务) 电话 备注 — the role in brackets, the phone a run of digits, the rest notes. */
function personFromText(entry: string, issues: CellIssue[]): Person | null {
  let name: string
  let role: string | null = null
  let rest: string
  const bracket = /^([^(（]*)[(（]([^)）]*)[)）](.*)$/.exec(entry)
  if (bracket) {
    name = bracket[1]!.trim()
    role = bracket[2]!.trim()
    rest = bracket[3]!
  } else {
    const [first, ...others] = entry.split(/\s+/)
    name = first!
    rest = others.join(' ')
  }
  // Brackets left over (one unclosed, or a second pair): not a shape this reads.
  if (/[()（）]/.test(bracket ? rest : entry)) {
    issues.push({ code: 'person_format', params: { value: entry } })
    return null
  }
  const tokens = rest.split(/\s+/).filter(Boolean)
  const phoneAt = tokens.findIndex((t) => PHONE_TOKEN.test(t))
  const phone = phoneAt >= 0 ? tokens.splice(phoneAt, 1)[0]! : null
  return checkPerson({ name, role, phone, notes: tokens.join(' ') }, entry, issues)
}

/** Key persons: "张三(村支书) 13812345678 支持我方;李四(会计)", or a JSON list of { name, role, phone, notes }. */
export function parsePersonsCell(raw: string): CellResult {
  const issues: CellIssue[] = []
  const persons: Person[] = []
  if (JSON_START.test(raw)) {
    const parsed = parseJson(raw)
    const list = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' ? [parsed] : null
    if (!list) return { issues: [{ code: 'person_format', params: { value: raw } }] }
    for (const item of list) {
      const person =
        item && typeof item === 'object' && !Array.isArray(item) ? checkPerson(item as Record<string, unknown>, JSON.stringify(item), issues) : null
      if (person) persons.push(person)
      else if (!item || typeof item !== 'object' || Array.isArray(item)) issues.push({ code: 'person_format', params: { value: JSON.stringify(item) } })
    }
  } else {
    for (const entry of raw.split(/[;；\r\n]/)) {
      const text = entry.trim()
      if (text === '') continue
      const person = personFromText(text, issues)
      if (person) persons.push(person)
    }
  }
  if (issues.length > 0) return { issues }
  if (persons.length === 0) return { issues: [{ code: 'person_format', params: { value: raw } }] }
  if (persons.length > MAX_PERSONS) return { issues: [{ code: 'out_of_range', params: { value: persons.length, min: 1, max: MAX_PERSONS } }] }
  return { value: JSON.stringify(persons) }
}
