// The colours of the points drawn over the choropleth, in one place so the map and its legend agree.
// Cluster bubbles are dark slate: the choropleth ramps run through reds, oranges and greens, and a
// red bubble vanished on a red grid.

/** Key customers by value tier (a customer without a tier is grey). */
export const TIER_COLOURS = { A: '#c92a2a', B: '#e67700', C: '#5c7cfa' } as const
export const NO_TIER_COLOUR = '#868e96'
/** The count bubble of a customer cluster. */
export const CLUSTER_COLOUR = 'rgba(33, 37, 41, 0.85)'
/** Competitor intel pins by rival operator. */
export const RIVAL_COLOURS = { telecom: '#1565c0', unicom: '#c62828', broadnet: '#6a1b9a', other: '#546e7a' } as const
