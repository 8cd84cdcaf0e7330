// Village profile completeness (档案完整度): the share of the profile fields (docs/glossary.md) that hold a
// value. One definition for the village list, the profile page, the grids and the regional report.
// Also the reading of the profile's JSON columns (rivals' ports, share against each rival, key persons).

/** The profile fields counted. Each is a property of a village profile, except `ageStructure` (see profileFieldParts). */
export const profileFields = [
  'population',
  'households',
  'ageStructure',
  'migrantAwayPct',
  'mainEconomy',
  'marketDays',
  'festivals',
  'educationLevel',
  'fibreCovered',
  'ourPorts',
  'rivalPorts',
  'signal4g',
  'signal5g',
  'ourMobileSubs',
  'ourBroadbandSubs',
  'penetrationPct',
  'shareVsRivals',
  'keyPersons',
] as const
export type ProfileField = (typeof profileFields)[number]

/** The age structure is one fact kept in three shares: it counts once, and only when all three are known. */
export const ageFields = ['ageUnder18Pct', 'age18To60Pct', 'ageOver60Pct'] as const
export type AgeField = (typeof ageFields)[number]

/** Fields stored as JSON text: empty when the text is blank, `[]`, `{}` or `null`. */
export const jsonProfileFields = ['rivalPorts', 'shareVsRivals', 'keyPersons'] as const

/** A village is "incomplete" below this completeness (grid summary, map popups). */
export const INCOMPLETE_BELOW = 0.6

/** Age shares may miss 100 by this much (rounding to one decimal each). */
export const AGE_SUM_TOLERANCE = 1

/** What a profile must offer for completeness: the counted fields, the three age shares in place of `ageStructure`. */
export type ProfileSource = Partial<Record<Exclude<ProfileField, 'ageStructure'> | AgeField, unknown>>

/** The value of one counted field; `ageStructure` is the three shares when all are known, else null. */
export function profileFieldValue(profile: ProfileSource, field: ProfileField): unknown {
  if (field === 'ageStructure') {
    const shares = ageFields.map((f) => profile[f])
    return shares.every((s) => s !== null && s !== undefined) ? shares : null
  }
  return profile[field]
}

/** A field is filled when it holds a value: not null, not blank text, not an empty JSON list or object. */
export function isProfileFieldFilled(field: ProfileField, value: unknown): boolean {
  if (value === null || value === undefined) return false
  if (typeof value === 'string') {
    const text = value.trim()
    if (text === '') return false
    if ((jsonProfileFields as readonly string[]).includes(field)) return !['[]', '{}', 'null'].includes(text)
  }
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.values(value).some((v) => v !== null && v !== undefined)
  return true
}

/** The counted fields that hold no value. */
export function missingProfileFields(profile: ProfileSource): ProfileField[] {
  return profileFields.filter((f) => !isProfileFieldFilled(f, profileFieldValue(profile, f)))
}

/** Completeness from 0 to 1; fields absent from `profile` count as empty. */
export function profileCompleteness(profile: ProfileSource): number {
  return (profileFields.length - missingProfileFields(profile).length) / profileFields.length
}

/** Whether three age shares add up to about 100 (true while any is unknown: nothing to check yet). */
export function ageSharesAddUp(shares: readonly (number | null | undefined)[]): boolean {
  if (shares.some((s) => s === null || s === undefined || !Number.isFinite(s))) return true
  const sum = (shares as number[]).reduce((a, b) => a + b, 0)
  return Math.abs(sum - 100) <= AGE_SUM_TOLERANCE
}

// --- The JSON columns.

/** The rivals a village profile keeps figures for (rivals' ports, our share against each). */
export const profileRivals = ['telecom', 'unicom', 'broadnet'] as const
export type ProfileRival = (typeof profileRivals)[number]
export type RivalFigures = Record<ProfileRival, number | null>

/** One key person of a village (村支书, 村主任, 会计, 小卖部老板 …). */
export interface KeyPerson {
  name: string
  role: string | null
  phone: string | null
  /** Attitude towards us, notes. */
  notes: string | null
}

function parseJson(json: string | null | undefined): unknown {
  if (!json) return null
  try {
    return JSON.parse(json) as unknown
  } catch {
    return null
  }
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** Rivals' ports { telecom, unicom, broadnet } from villages.rival_ports; null when none is known. */
export function parseRivalPorts(json: string | null | undefined): RivalFigures | null {
  const parsed = parseJson(json)
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null
  const figures = Object.fromEntries(profileRivals.map((r) => [r, finite((parsed as Record<string, unknown>)[r])])) as RivalFigures
  return profileRivals.some((r) => figures[r] !== null) ? figures : null
}

/**
 * Our share against each rival, percent, from villages.share_vs_rivals. The demo (and HQ's survey
 * sheet) stores market shares { ours, telecom, ... }: then it is the head-to-head share
 * ours / (ours + rival). Without `ours` the value is taken as already "ours against that rival"
 * (what the profile form stores).
 */
export function shareAgainst(json: string | null | undefined): RivalFigures {
  const result: RivalFigures = { telecom: null, unicom: null, broadnet: null }
  const parsed = parseJson(json)
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return result
  const record = parsed as Record<string, unknown>
  const ours = finite(record.ours)
  for (const rival of profileRivals) {
    const theirs = finite(record[rival])
    if (theirs === null) continue
    if (ours === null) result[rival] = theirs
    else if (ours + theirs > 0) result[rival] = Math.round((ours / (ours + theirs)) * 1000) / 10
  }
  return result
}

/** Key persons from villages.key_persons; entries without a name are dropped. */
export function parseKeyPersons(json: string | null | undefined): KeyPerson[] {
  const parsed = parseJson(json)
  if (!Array.isArray(parsed)) return []
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null)
  return parsed.flatMap((p: unknown) => {
    if (!p || typeof p !== 'object') return []
    const r = p as Record<string, unknown>
    const name = text(r.name)
    return name ? [{ name, role: text(r.role), phone: text(r.phone), notes: text(r.notes) }] : []
  })
}
