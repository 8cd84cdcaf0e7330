// Village profile completeness (档案完整度): the share of the DOMAIN.md profile fields that hold a
// value. One definition for the village list, the profile page and the regional report.

/** The profile fields counted, as property names of a village profile. */
export const profileFields = [
  'population', 'households', 'migrantAwayPct', 'mainEconomy', 'marketDays', 'festivals', 'educationLevel', 'fibreCovered',
  'ourPorts', 'signal4g', 'signal5g', 'ourMobileSubs', 'ourBroadbandSubs', 'penetrationPct', 'keyPersons',
] as const
export type ProfileField = (typeof profileFields)[number]

/** A field is filled when it holds a value: not null, not blank text, not an empty key-person list. */
export function isProfileFieldFilled(field: ProfileField, value: unknown): boolean {
  if (value === null || value === undefined) return false
  if (typeof value === 'string') {
    const text = value.trim()
    if (text === '') return false
    if (field === 'keyPersons') return text !== '[]'
  }
  if (Array.isArray(value)) return value.length > 0
  return true
}

/** Completeness from 0 to 1; fields absent from `profile` count as empty. */
export function profileCompleteness(profile: Partial<Record<ProfileField, unknown>>): number {
  const filled = profileFields.filter((f) => isProfileFieldFilled(f, profile[f])).length
  return filled / profileFields.length
}
