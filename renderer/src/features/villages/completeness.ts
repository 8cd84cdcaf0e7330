/** The colour of a profile-completeness bar: one scale for the villages list, a profile and a grid's summary. */
export const completenessColor = (pct: number) => (pct >= 80 ? 'teal' : pct >= 50 ? 'yellow' : 'red')
