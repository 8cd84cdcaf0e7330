// The sync-schema registry against the device's drizzle schema: complete for every synced table,
// and any gap (a table, a class, a region rule, writers, value rules) stops start-up by name.
// Writes of HQ-only data on a device are refused unless the enrolled role may make them.
import { afterEach, describe, expect, it } from 'vitest'
import { syncRegistry, syncRegistryProblems, checkSyncRegistry, mayWrite, type SyncedTableEntry } from '../../../shared/sync/registry'
import { openTestCore } from '../testing'
import { insertSynced, insertSyncedMany, updateSynced } from './repos/changes'
import { syncedColumnNames } from './syncSchema'

type Registry = Record<string, Partial<SyncedTableEntry> | undefined>
const columns = syncedColumnNames()
const copy = (): Registry => Object.fromEntries(Object.entries(syncRegistry).map(([t, e]) => [t, { ...e }]))

describe('sync-schema registry', () => {
  it('describes every synced table completely: class, region rule, writers, value rules', () => {
    expect(syncRegistryProblems(columns)).toEqual([])
    expect(Object.keys(syncRegistry).sort()).toEqual(Object.keys(columns).sort())
    expect(() => checkSyncRegistry(columns)).not.toThrow()
  })

  it('a synced table without an entry stops start-up (scoping fails closed, not open)', () => {
    const registry = copy()
    delete registry.day_plans
    expect(syncRegistryProblems(columns, registry)).toEqual(['day_plans: synced table without a registry entry'])
    expect(() => checkSyncRegistry(columns, registry)).toThrow(/day_plans: synced table without a registry entry/)
    expect(syncRegistryProblems({ ...columns, new_table: ['id', 'grid_id'] })).toEqual(['new_table: synced table without a registry entry'])
  })

  it.each([
    ['syncClass', 'visits: no sync class (one of hq, shared, field)'],
    ['region', 'visits: no region rule'],
    ['writers', 'visits: no writers'],
    ['rules', 'visits: no value rules'],
  ] as const)('an entry without %s stops start-up', (field, problem) => {
    const registry = copy()
    delete registry.visits![field]
    expect(syncRegistryProblems(columns, registry)).toEqual([problem])
  })

  it('region rules and value rules must name real columns and tables; only HQ data may be global', () => {
    const registry = copy()
    registry.visits = { ...registry.visits, region: { kind: 'via', field: 'grid', table: 'org_unit' } }
    registry.villages = { ...registry.villages, region: { kind: 'global' } }
    registry.users = { ...registry.users, writers: ['admin', 'boss' as never] }
    registry.actuals = { ...registry.actuals, rules: { ...syncRegistry.actuals.rules, amount: { kind: 'day' } } }
    registry.attachments = { ...registry.attachments, region: { kind: 'via_table_field', field: 'owner_id', tableField: 'owner_kind' } }
    expect(syncRegistryProblems({ ...columns, gone: ['id'] }, { ...registry, gone: undefined, ghost: syncRegistry.visits }).sort()).toEqual(
      [
        'visits: region rule names unknown column grid',
        'visits: region rule points to org_unit, which is not synced',
        'villages: only HQ data may be global (every device receives it)',
        'users: unknown writer role boss',
        'actuals: value rule for unknown column amount',
        'attachments: region rule names unknown column owner_kind',
        'gone: synced table without a registry entry',
        'ghost: registry entry for a table that is not synced',
      ].sort(),
    )
  })

  it('writers by role: HQ data by admins (and the organisation by county managers), field data by the managers (and an analyst where an admin assigned regions: HQ checks the regions)', () => {
    expect(mayWrite('indicators', 'admin')).toBe(true)
    expect(mayWrite('indicators', 'county_manager')).toBe(false)
    expect(mayWrite('org_units', 'county_manager')).toBe(true)
    expect(mayWrite('org_units', 'grid_manager')).toBe(false)
    expect(mayWrite('visits', 'grid_manager')).toBe(true)
    expect(mayWrite('visits', 'hq_analyst')).toBe(true)
    expect(mayWrite('indicators', 'hq_analyst')).toBe(false)
    expect(mayWrite('org_units', 'hq_analyst')).toBe(false)
    expect(mayWrite('no_such_table', 'admin')).toBe(false)
    for (const [table, entry] of Object.entries(syncRegistry)) expect(entry.writers, table).toContain('admin')
  })
})

describe('a device records changes of HQ-only data only for roles that may write it', () => {
  const cores: ReturnType<typeof openTestCore>[] = []
  afterEach(() => {
    for (const c of cores.splice(0)) c.dispose()
  })
  const enrolledAs = (role: string | undefined) => {
    const core = openTestCore()
    cores.push(core)
    // Recorded before enrolment (no role known yet: HQ judges it at push).
    const unit = core.ctx.db.transaction((tx) => insertSynced(tx, core.ctx.change, 'org_units', { code: '451022-G09', name: '九号网格', level: 'grid' }))
    const indicator = core.ctx.db.transaction((tx) =>
      insertSynced(tx, core.ctx.change, 'indicators', {
        code: 'new_mobile',
        nameZh: '新增移动用户',
        nameEn: 'New mobile users',
        unit: '户',
        direction: 'higher_better',
        yellowBelowPp: -5,
        redBelowPp: -10,
      }),
    )
    if (role) core.ctx.db.$client.prepare("INSERT INTO sync_state (key, value) VALUES ('hq_user', ?)").run(JSON.stringify({ id: 'u1', name: 'x', role }))
    const outbox = () => (core.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n
    return { core, unit, indicator, outbox }
  }

  it.each(['grid_manager', 'hq_analyst'])('a %s: an edit or a new row of HQ data is refused with FORBIDDEN, nothing written or queued', (role) => {
    const { core, unit, indicator, outbox } = enrolledAs(role)
    const before = outbox()
    const tx =
      <T>(fn: Parameters<typeof core.ctx.db.transaction<T>>[0]) =>
      () =>
        core.ctx.db.transaction(fn)
    expect(tx((t) => updateSynced(t, core.ctx.change, 'org_units', unit, { name: '改名' }))).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', details: { reason: 'read_only_table', table: 'org_units', role } }),
    )
    expect(tx((t) => updateSynced(t, core.ctx.change, 'indicators', indicator, { yellowBelowPp: -3 }))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }))
    expect(tx((t) => insertSyncedMany(t, core.ctx.change, 'objections', [{ code: 'price', nameZh: '价格', nameEn: 'Price' }]))).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    )
    expect(outbox()).toBe(before)
    expect(core.ctx.db.$client.prepare('SELECT name FROM org_units WHERE id = ?').get(unit)).toEqual({ name: '九号网格' })
    expect(core.ctx.db.$client.prepare('SELECT count(*) AS n FROM objections').get()).toEqual({ n: 0 })
  })

  it('a county manager edits the organisation but not indicators; an admin edits both; field data is recorded for a grid manager', () => {
    const county = enrolledAs('county_manager')
    county.core.ctx.db.transaction((t) => updateSynced(t, county.core.ctx.change, 'org_units', county.unit, { name: '改名' }))
    expect(() => county.core.ctx.db.transaction((t) => updateSynced(t, county.core.ctx.change, 'indicators', county.indicator, { yellowBelowPp: -3 }))).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    )
    const admin = enrolledAs('admin')
    admin.core.ctx.db.transaction((t) => updateSynced(t, admin.core.ctx.change, 'indicators', admin.indicator, { yellowBelowPp: -3 }))
    const grid = enrolledAs('grid_manager')
    const before = grid.outbox()
    grid.core.ctx.db.transaction((t) =>
      insertSynced(t, grid.core.ctx.change, 'work_orders', {
        title: '回访',
        origin: 'manual',
        orgUnitId: grid.unit,
        dueAt: '2026-12-03T00:00:00Z',
        status: 'open',
      }),
    )
    expect(grid.outbox()).toBe(before + 1)
  })

  it('a device not enrolled yet records HQ data (no role known; HQ decides at its first sync)', () => {
    const { outbox } = enrolledAs(undefined)
    expect(outbox()).toBe(2)
  })
})
