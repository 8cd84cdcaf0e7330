// Domain vocabulary shared by both sides: enums with their i18n keys live in shared/i18n.

export const orgLevels = ['county', 'center', 'grid', 'microgrid'] as const
export type OrgLevel = (typeof orgLevels)[number]

/** 片区 area / 集团 group-customer market / 社会渠道 social channel. */
export const gridKinds = ['area', 'group', 'channel'] as const
export type GridKind = (typeof gridKinds)[number]

export const customerCategories = ['admin_power', 'education', 'commerce', 'group', 'high_value'] as const
export type CustomerCategory = (typeof customerCategories)[number]

export const valueTiers = ['A', 'B', 'C'] as const
export type ValueTier = (typeof valueTiers)[number]

/** 潜在 → 接触 → 意向 → 成交 → 维系 */
export const funnelStages = ['potential', 'contacted', 'intent', 'won', 'retained'] as const
export type FunnelStage = (typeof funnelStages)[number]

export const rivals = ['telecom', 'unicom', 'broadnet', 'other'] as const
export type Rival = (typeof rivals)[number]

export const intelKinds = ['bundle', 'price', 'campaign', 'retention', 'outlet', 'network'] as const
export type IntelKind = (typeof intelKinds)[number]

export const signalQualities = ['good', 'fair', 'poor', 'none'] as const
export type SignalQuality = (typeof signalQualities)[number]

/** A box around China (WGS-84 degrees): coordinates outside it are a mistake (or lon/lat swapped). */
export const chinaBounds = { west: 73.4, east: 135.1, south: 18.1, north: 53.6 } as const
export const inChina = (lon: number, lat: number) => lon >= chinaBounds.west && lon <= chinaBounds.east && lat >= chinaBounds.south && lat <= chinaBounds.north

/** The app's pages, in navigation order. */
export const pages = [
  { key: 'map' },
  { key: 'grids' },
  { key: 'villages' },
  { key: 'customers' },
  { key: 'intel' },
  { key: 'visits' },
  { key: 'indicators' },
  { key: 'sync' },
  { key: 'reports' },
] as const
export type PageKey = (typeof pages)[number]['key']
