// The device's SQLite schema: the whole GridDesk domain plus the sync tables of docs/sync.md.
// Synced tables share id (UUIDv7 text), timestamps (ISO-8601 UTC), a tombstone and the HLC of the
// last change, so later capabilities extend columns rather than reshape tables.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex, type SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { SyncedTable } from '../../../shared/sync/registry'

const syncedColumns = () => ({
  id: text('id').primaryKey(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  /** Tombstone: soft delete, kept for sync (docs/sync.md). */
  deletedAt: text('deleted_at'),
  /** HLC of the last change applied to this row (local or pulled). */
  hlc: text('hlc').notNull(),
})

/** NBS statistical divisions (统计用区划代码): province → city → county → township → village. */
export const divisions = sqliteTable(
  'divisions',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    level: text('level', { enum: ['province', 'city', 'county', 'township', 'village'] }).notNull(),
    parentCode: text('parent_code'),
    source: text('source').notNull(),
    /** Township and county outlines imported from a boundary file: GeoJSON Polygon/MultiPolygon, WGS-84. */
    boundary: text('boundary'),
    /** Where the boundary came from: 'import:<file>'. */
    geometrySource: text('geometry_source'),
  },
  (t) => [index('divisions_parent_idx').on(t.parentCode)],
)

/**
 * Organisation units: county branch → service marketing center (服务营销中心) → grid (网格) →
 * micro-grid (微网格). A grid cell is the org unit of level 'grid', with its boundary.
 */
export const orgUnits = sqliteTable(
  'org_units',
  {
    ...syncedColumns(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    level: text('level', { enum: ['county', 'center', 'grid', 'microgrid'] }).notNull(),
    parentId: text('parent_id'),
    /** Grid kind: 片区 area / 集团 group market / 社会渠道 social channel (grids only). */
    gridKind: text('grid_kind', { enum: ['area', 'group', 'channel'] }),
    divisionCode: text('division_code').references(() => divisions.code),
    managerUserId: text('manager_user_id'),
    /** GeoJSON Polygon/MultiPolygon geometry, WGS-84. */
    boundary: text('boundary'),
    /** Where the boundary came from: 'generated' (demo), 'drawn', 'import:<file>'. */
    geometrySource: text('geometry_source'),
    /** CRS the geometry was delivered in before conversion to WGS-84. */
    sourceCrs: text('source_crs'),
    households: integer('households'),
    population: integer('population'),
  },
  (t) => [uniqueIndex('org_units_code_uq').on(t.code), index('org_units_parent_idx').on(t.parentId)],
)

export const users = sqliteTable('users', {
  ...syncedColumns(),
  name: text('name').notNull(),
  role: text('role', { enum: ['grid_manager', 'county_manager', 'hq_analyst', 'admin', 'staff'] }).notNull(),
  phone: text('phone'),
  orgUnitId: text('org_unit_id').references(() => orgUnits.id),
})

/** Region assignments: which org units a user works in (scopes sync). */
export const userRegions = sqliteTable(
  'user_regions',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    orgUnitId: text('org_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    role: text('role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.orgUnitId] })],
)

/** Village / community profile (行政村/社区档案). */
export const villages = sqliteTable(
  'villages',
  {
    ...syncedColumns(),
    divisionCode: text('division_code').notNull(),
    name: text('name').notNull(),
    townshipCode: text('township_code'),
    kind: text('kind', { enum: ['village', 'community'] }).notNull(),
    gridId: text('grid_id').references(() => orgUnits.id),
    microGridId: text('micro_grid_id').references(() => orgUnits.id),
    lon: real('lon'),
    lat: real('lat'),
    boundary: text('boundary'),
    geometrySource: text('geometry_source'),
    sourceCrs: text('source_crs'),
    population: integer('population'),
    households: integer('households'),
    ageUnder18Pct: real('age_under_18_pct'),
    age18To60Pct: real('age_18_to_60_pct'),
    ageOver60Pct: real('age_over_60_pct'),
    /** Share of residents away for work (外出务工), percent. */
    migrantAwayPct: real('migrant_away_pct'),
    mainEconomy: text('main_economy'),
    /** Market days (集市日), e.g. "农历逢三、六、九". */
    marketDays: text('market_days'),
    festivals: text('festivals'),
    educationLevel: text('education_level'),
    fibreCovered: integer('fibre_covered', { mode: 'boolean' }),
    ourPorts: integer('our_ports'),
    /** JSON: { telecom: n, unicom: n, broadnet: n } */
    rivalPorts: text('rival_ports'),
    signal4g: text('signal_4g', { enum: ['good', 'fair', 'poor', 'none'] }),
    signal5g: text('signal_5g', { enum: ['good', 'fair', 'poor', 'none'] }),
    ourMobileSubs: integer('our_mobile_subs'),
    ourBroadbandSubs: integer('our_broadband_subs'),
    penetrationPct: real('penetration_pct'),
    /** JSON: our share against each rival, percent: { telecom: n, unicom: n, broadnet: n } */
    shareVsRivals: text('share_vs_rivals'),
    /** JSON array of { name, role, phone } */
    keyPersons: text('key_persons'),
    notes: text('notes'),
  },
  (t) => [
    uniqueIndex('villages_division_code_uq').on(t.divisionCode),
    index('villages_grid_idx').on(t.gridId),
    // Villages in name order for the customer list sorted by village (repos/customers.ts). UNIQUE
    // (trivially: id is) tells the planner each entry is one village, so each village's customers
    // in id order finish the ORDER BY without a sort.
    uniqueIndex('villages_name_uq').on(t.name, t.id),
  ],
)

/** Key customers (关键客户). */
export const keyCustomers = sqliteTable(
  'key_customers',
  {
    ...syncedColumns(),
    name: text('name').notNull(),
    category: text('category', {
      enum: ['admin_power', 'education', 'commerce', 'group', 'high_value'],
    }).notNull(),
    role: text('role'),
    organisation: text('organisation'),
    villageId: text('village_id').references(() => villages.id),
    gridId: text('grid_id').references(() => orgUnits.id),
    phone: text('phone'),
    influence: integer('influence'),
    /** A/B/C computed by 80/20 on revenue; tierOverride wins when set. */
    valueTier: text('value_tier', { enum: ['A', 'B', 'C'] }),
    tierOverride: text('tier_override', { enum: ['A', 'B', 'C'] }),
    monthlyRevenue: real('monthly_revenue'),
    contractExpiry: text('contract_expiry'),
    rivalUsed: text('rival_used', { enum: ['telecom', 'unicom', 'broadnet', 'other'] }),
    funnelStage: text('funnel_stage', {
      enum: ['potential', 'contacted', 'intent', 'won', 'retained'],
    }).notNull(),
    ownerUserId: text('owner_user_id').references(() => users.id),
    nextFollowUp: text('next_follow_up'),
    /** JSON array of strings. */
    tags: text('tags'),
    notes: text('notes'),
    lon: real('lon'),
    lat: real('lat'),
    geometrySource: text('geometry_source'),
  },
  (t) => [
    // Covers the per-grid counts by tier (grid list, grid summary) without touching rows.
    index('key_customers_grid_tier_idx').on(t.gridId, t.deletedAt, t.valueTier, t.tierOverride),
    index('key_customers_village_idx').on(t.villageId),
    // A village's live customers in id order, covering (deleted_at is listed so the planner needs
    // no row to check it): the inner loop of the list sorted by village.
    index('key_customers_village_live_idx')
      .on(t.villageId, t.id, t.deletedAt)
      .where(sql`deleted_at IS NULL`),
  ],
)

/** Products a key customer holds (terminal, broadband, voice plan, data plan, apps). */
export const customerProducts = sqliteTable(
  'customer_products',
  {
    ...syncedColumns(),
    customerId: text('customer_id')
      .notNull()
      .references(() => keyCustomers.id),
    productKind: text('product_kind', {
      enum: ['terminal', 'broadband', 'voice_plan', 'data_plan', 'app', 'other'],
    }).notNull(),
    productName: text('product_name').notNull(),
    since: text('since'),
    expiry: text('expiry'),
  },
  (t) => [index('customer_products_customer_idx').on(t.customerId)],
)

/** Every move of a customer through the funnel (潜在 → 接触 → 意向 → 成交 → 维系). */
export const funnelMoves = sqliteTable(
  'funnel_moves',
  {
    ...syncedColumns(),
    customerId: text('customer_id')
      .notNull()
      .references(() => keyCustomers.id),
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    movedAt: text('moved_at').notNull(),
    byUserId: text('by_user_id'),
  },
  // The customer's moves in time order, with the stage and deleted_at: the report counts a period's
  // moves into each stage off the index alone.
  (t) => [index('funnel_moves_customer_idx').on(t.customerId, t.movedAt, t.toStage, t.deletedAt)],
)

/** Competitor intel (竞争对手动态). Field-owned, append-only. */
export const competitorIntel = sqliteTable(
  'competitor_intel',
  {
    ...syncedColumns(),
    rival: text('rival', { enum: ['telecom', 'unicom', 'broadnet', 'other'] }).notNull(),
    kind: text('kind', {
      enum: ['bundle', 'price', 'campaign', 'retention', 'outlet', 'network'],
    }).notNull(),
    title: text('title').notNull(),
    description: text('description'),
    villageId: text('village_id').references(() => villages.id),
    gridId: text('grid_id').references(() => orgUnits.id),
    lon: real('lon'),
    lat: real('lat'),
    seenAt: text('seen_at').notNull(),
    validFrom: text('valid_from'),
    validTo: text('valid_to'),
    source: text('source'),
    reliability: integer('reliability'),
    monthlyFee: real('monthly_fee'),
    dataGb: real('data_gb'),
    voiceMinutes: integer('voice_minutes'),
    broadbandMbps: integer('broadband_mbps'),
    contractMonths: integer('contract_months'),
    deviceSubsidy: real('device_subsidy'),
    threatLevel: integer('threat_level'),
    suggestedResponse: text('suggested_response'),
    fromVisitId: text('from_visit_id'),
    createdBy: text('created_by'),
  },
  (t) => [
    index('competitor_intel_grid_live_idx')
      .on(t.gridId, t.seenAt)
      .where(sql`deleted_at IS NULL`),
  ],
)

/** Visits (拜访), including co-visits (协同拜访). Field-owned. */
export const visits = sqliteTable(
  'visits',
  {
    ...syncedColumns(),
    status: text('status', { enum: ['planned', 'draft', 'done', 'cancelled'] }).notNull(),
    targetKind: text('target_kind', { enum: ['village', 'customer', 'group', 'outlet'] }).notNull(),
    villageId: text('village_id').references(() => villages.id),
    customerId: text('customer_id').references(() => keyCustomers.id),
    gridId: text('grid_id').references(() => orgUnits.id),
    plannedFor: text('planned_for'),
    checkedInAt: text('checked_in_at'),
    checkInLon: real('check_in_lon'),
    checkInLat: real('check_in_lat'),
    checkInSource: text('check_in_source', { enum: ['device', 'map', 'none'] }),
    purpose: text('purpose'),
    outcome: text('outcome'),
    nextAction: text('next_action'),
    nextActionDue: text('next_action_due'),
    byUserId: text('by_user_id'),
  },
  (t) => [
    // Covering indexes: the county report and the A-tier coverage read a period's visits off them
    // without fetching the visits' rows (each a random read of an encrypted page). deleted_at is
    // listed even where the index is partial on it: SQLite reads the row for it otherwise.
    index('visits_customer_idx').on(t.customerId, t.checkedInAt, t.status, t.deletedAt),
    index('visits_grid_live_idx')
      .on(t.gridId, t.status, t.checkedInAt, t.purpose, t.id, t.deletedAt)
      .where(sql`deleted_at IS NULL`),
    // Planned visits are few: a small partial index answers "planned in this period" per grid.
    index('visits_planned_idx')
      .on(t.gridId, t.plannedFor, t.status, t.purpose, t.deletedAt)
      .where(sql`planned_for IS NOT NULL AND deleted_at IS NULL`),
  ],
)

/**
 * A day's visit plan (今日计划) of a grid: the targets in route order and where the day starts.
 * One live plan per grid and day; saving again replaces it. Its planned visits are the visits
 * rows with status 'planned' and planned_for = plan_date. Field-owned.
 */
export const dayPlans = sqliteTable(
  'day_plans',
  {
    ...syncedColumns(),
    gridId: text('grid_id')
      .notNull()
      .references(() => orgUnits.id),
    planDate: text('plan_date').notNull(),
    /** JSON array of { kind: 'customer' | 'village', id } in route order. */
    targets: text('targets').notNull(),
    startLon: real('start_lon'),
    startLat: real('start_lat'),
    /** What the start is called (a village's name, "当前位置"), shown instead of coordinates. */
    startName: text('start_name'),
    byUserId: text('by_user_id'),
  },
  (t) => [
    index('day_plans_grid_date_idx')
      .on(t.gridId, t.planDate)
      .where(sql`deleted_at IS NULL`),
  ],
)

/** Co-visitors of a visit (grid / customer / community manager). */
export const visitParticipants = sqliteTable(
  'visit_participants',
  {
    ...syncedColumns(),
    visitId: text('visit_id')
      .notNull()
      .references(() => visits.id),
    userId: text('user_id'),
    name: text('name').notNull(),
    role: text('role', { enum: ['grid_manager', 'customer_manager', 'community_manager', 'other'] }).notNull(),
  },
  (t) => [index('visit_participants_visit_idx').on(t.visitId)],
)

/** The objection library (常见客户异议): 价格, 信号, 售后, 合约 ... */
export const objections = sqliteTable('objections', {
  ...syncedColumns(),
  code: text('code').notNull().unique(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  suggestedAnswer: text('suggested_answer'),
})

export const visitObjections = sqliteTable(
  'visit_objections',
  {
    ...syncedColumns(),
    visitId: text('visit_id')
      .notNull()
      .references(() => visits.id),
    objectionCode: text('objection_code').notNull(),
    detail: text('detail'),
    answer: text('answer'),
    answerWorked: integer('answer_worked', { mode: 'boolean' }),
  },
  // A visit's objections with what the report counts (code, answer, whether it worked): no row is read.
  (t) => [index('visit_objections_visit_idx').on(t.visitId, t.deletedAt, t.objectionCode, t.answerWorked, t.answer)],
)

export const visitProducts = sqliteTable(
  'visit_products',
  {
    ...syncedColumns(),
    visitId: text('visit_id')
      .notNull()
      .references(() => visits.id),
    product: text('product').notNull(),
    outcome: text('outcome', { enum: ['pitched', 'sold'] }).notNull(),
    quantity: integer('quantity'),
  },
  (t) => [
    index('visit_products_visit_idx').on(t.visitId),
    // outcome and deleted_at listed so that "was something sold on this visit" reads no row.
    index('visit_products_sold_idx')
      .on(t.visitId, t.outcome, t.deletedAt)
      .where(sql`outcome = 'sold' AND deleted_at IS NULL`),
  ],
)

/** Photos and files: stored under the data directory, content-addressed by sha256. */
export const attachments = sqliteTable(
  'attachments',
  {
    ...syncedColumns(),
    ownerTable: text('owner_table').notNull(),
    ownerId: text('owner_id').notNull(),
    fileName: text('file_name').notNull(),
    sha256: text('sha256').notNull(),
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    thumbSha256: text('thumb_sha256'),
  },
  (t) => [index('attachments_owner_idx').on(t.ownerTable, t.ownerId)],
)

/** Indicator catalogue (新增移动用户, 宽带净增, 5G迁转 ...). */
export const indicators = sqliteTable('indicators', {
  ...syncedColumns(),
  code: text('code').notNull().unique(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  unit: text('unit').notNull(),
  direction: text('direction', { enum: ['higher_better', 'lower_better'] }).notNull(),
  /** Traffic light thresholds: completion minus time progress, in percentage points. */
  yellowBelowPp: real('yellow_below_pp').notNull(),
  redBelowPp: real('red_below_pp').notNull(),
})

/** Targets per period (2026-10, 2026-Q4, 2026) per org unit. */
export const targets = sqliteTable(
  'targets',
  {
    ...syncedColumns(),
    indicatorCode: text('indicator_code').notNull(),
    orgUnitId: text('org_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    period: text('period').notNull(),
    value: real('value').notNull(),
    splitMethod: text('split_method'),
  },
  (t) => [uniqueIndex('targets_uq').on(t.indicatorCode, t.orgUnitId, t.period)],
)

/** Actuals: imported from BOSS or entered; each import or edit is a new row (history kept). */
export const actuals = sqliteTable(
  'actuals',
  {
    ...syncedColumns(),
    indicatorCode: text('indicator_code').notNull(),
    orgUnitId: text('org_unit_id')
      .notNull()
      .references(() => orgUnits.id),
    period: text('period').notNull(),
    value: real('value').notNull(),
    asOf: text('as_of').notNull(),
    source: text('source').notNull(),
  },
  (t) => [index('actuals_lookup_idx').on(t.indicatorCode, t.orgUnitId, t.period, t.asOf)],
)

/** Work orders (工单) with an SLA. */
export const workOrders = sqliteTable(
  'work_orders',
  {
    ...syncedColumns(),
    title: text('title').notNull(),
    description: text('description'),
    orgUnitId: text('org_unit_id').references(() => orgUnits.id),
    customerId: text('customer_id').references(() => keyCustomers.id),
    visitId: text('visit_id').references(() => visits.id),
    origin: text('origin', { enum: ['manual', 'visit', 'alert'] }).notNull(),
    assigneeUserId: text('assignee_user_id').references(() => users.id),
    dueAt: text('due_at').notNull(),
    slaHours: integer('sla_hours'),
    status: text('status', { enum: ['open', 'in_progress', 'done', 'cancelled'] }).notNull(),
    closedAt: text('closed_at'),
  },
  (t) => [index('work_orders_due_idx').on(t.status, t.dueAt)],
)

/** Saved report definitions, re-run each week or month. Local to the device: not synced. */
export const reportDefinitions = sqliteTable('report_definitions', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  regionCode: text('region_code').notNull(),
  periodRule: text('period_rule').notNull(),
  /** JSON array of formats. */
  formats: text('formats').notNull(),
  folder: text('folder').notNull(),
  csvEncoding: text('csv_encoding').notNull(),
  lang: text('lang').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  lastRunAt: text('last_run_at'),
})

// ---- Sync (docs/sync.md) ----

/**
 * Outbox: one entry per change of synced data, written in the same transaction as the change.
 * device_seq is gapless per device: it is the push idempotency key.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    deviceSeq: integer('device_seq').primaryKey(),
    changeId: text('change_id').notNull().unique(),
    deviceId: text('device_id').notNull(),
    hlc: text('hlc').notNull(),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    op: text('op', { enum: ['insert', 'update', 'delete'] }).notNull(),
    /** JSON object: field → new value. */
    fields: text('fields').notNull(),
    /** JSON object: field → HLC of the value this change was based on (null for new rows). */
    base: text('base').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    createdAt: text('created_at').notNull(),
    /** Null while pending; set when the server acknowledged the change. */
    pushedAt: text('pushed_at'),
    /** applied / superseded / conflict / rejected, as the server answered. */
    result: text('result'),
    resultReason: text('result_reason'),
  },
  (t) => [index('outbox_pending_idx').on(t.pushedAt, t.deviceSeq)],
)

/** Per-field version clock: the HLC of the last write of each field of each synced row. */
export const fieldVersions = sqliteTable(
  'field_versions',
  {
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    field: text('field').notNull(),
    hlc: text('hlc').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tableName, t.rowId, t.field] })],
)

/** Key/value sync state: device id, HLC, server offset, cursors per region, last sync. */
export const syncState = sqliteTable('sync_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: text('updated_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
})

export const syncConflicts = sqliteTable(
  'sync_conflicts',
  {
    id: text('id').primaryKey(),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    field: text('field').notNull(),
    mine: text('mine'),
    theirs: text('theirs'),
    mineHlc: text('mine_hlc'),
    theirsHlc: text('theirs_hlc'),
    detectedAt: text('detected_at').notNull(),
    resolvedAt: text('resolved_at'),
    resolution: text('resolution', { enum: ['mine', 'theirs', 'edited'] }),
  },
  (t) => [index('sync_conflicts_open_idx').on(t.resolvedAt)],
)

/**
 * Tables whose writes go through the outbox: each synced table of the registry
 * (shared/sync/registry.ts: class, region rule, writers, value rules) with its drizzle table.
 * Exactly the registry's tables: a missing or extra one does not compile.
 */
export const syncedTables = {
  org_units: { table: orgUnits },
  users: { table: users },
  indicators: { table: indicators },
  targets: { table: targets },
  actuals: { table: actuals },
  objections: { table: objections },
  villages: { table: villages },
  key_customers: { table: keyCustomers },
  work_orders: { table: workOrders },
  customer_products: { table: customerProducts },
  competitor_intel: { table: competitorIntel },
  visits: { table: visits },
  day_plans: { table: dayPlans },
  visit_participants: { table: visitParticipants },
  visit_objections: { table: visitObjections },
  visit_products: { table: visitProducts },
  funnel_moves: { table: funnelMoves },
  attachments: { table: attachments },
} as const satisfies { [T in SyncedTable]: { table: SQLiteTable } }

export type SyncedTableName = keyof typeof syncedTables
