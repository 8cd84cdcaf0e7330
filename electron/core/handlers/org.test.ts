import * as turf from '@turf/turf'
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OrgTreeNode } from '../../../shared/api/org'
import { openTestCore } from '../testing'

type TestCore = ReturnType<typeof openTestCore>
type Area = Feature<Polygon | MultiPolygon>

const flatten = (nodes: OrgTreeNode[]): OrgTreeNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)])

describe('the organisation hierarchy', () => {
  let core: TestCore
  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', {})
  })
  afterAll(() => core?.dispose())

  const db = () => core.ctx.db.$client
  const pending = () => (db().prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n
  const snapshot = () => ({
    units: db().prepare('SELECT * FROM org_units ORDER BY id').all(),
    users: db().prepare('SELECT * FROM users ORDER BY id').all(),
    villages: db().prepare('SELECT id, grid_id, micro_grid_id FROM villages ORDER BY id').all(),
    outbox: pending(),
  })
  const unit = async (code: string) => flatten((await core.call('org.tree', {})).roots).find((n) => n.code === code)!

  it('shows county → 4 centers → 12 grids with managers and village counts', async () => {
    const tree = await core.call('org.tree', {})
    expect(tree.roots).toHaveLength(1)
    const county = tree.roots[0]!
    expect(county.level).toBe('county')
    expect(county.managerName).toBeTruthy()
    expect(county.children.map((c) => c.level)).toEqual(['center', 'center', 'center', 'center'])
    const grids = county.children.flatMap((c) => c.children)
    expect(grids).toHaveLength(12)
    expect(grids.every((g) => g.level === 'grid' && g.managerName && g.gridKind)).toBe(true)
    expect(county.villages).toBe(173)
    expect(county.children.reduce((s, c) => s + c.villages, 0)).toBe(173)
    expect(tree.people.length).toBe(13)
  })

  it('creates a micro-grid under a grid, with manager and staff, through the outbox', async () => {
    const grid = await unit('451022-G03')
    const tree = await core.call('org.tree', {})
    const [manager, helper] = tree.people.filter((p) => p.id !== grid.managerUserId)
    const before = pending()
    const micro = await core.call('org.create', {
      parentId: grid.id,
      code: '451022-G03-M1',
      name: '祥周一号微网格',
      level: 'microgrid',
      managerUserId: manager!.id,
      staffUserIds: [helper!.id],
    })
    expect(micro).toMatchObject({ level: 'microgrid', parentId: grid.id, managerName: manager!.name, staff: [{ id: helper!.id }] })
    expect(pending()).toBe(before + 2) // the unit and the staff member's home unit
    expect((await unit('451022-G03')).children.map((c) => c.code)).toEqual(['451022-G03-M1'])
  })

  it('refuses bad input with issues naming the field and stores nothing', async () => {
    const grid = await unit('451022-G01')
    const center = await unit('451022-C2')
    const before = snapshot()
    const cases: [string, Record<string, unknown>, (string | number)[], string][] = [
      ['org.update', { id: grid.id, patch: { code: 'bad code!' } }, ['patch', 'code'], 'code_format'],
      ['org.update', { id: grid.id, patch: { code: '451022-G02' } }, ['patch', 'code'], 'code_taken'],
      ['org.update', { id: grid.id, patch: { gridKind: null } }, ['patch', 'gridKind'], 'grid_kind_required'],
      ['org.update', { id: grid.id, patch: { managerUserId: '01900000-0000-7000-8000-000000000000' } }, ['patch', 'managerUserId'], 'user_missing'],
      ['org.create', { parentId: grid.id, code: 'X-1', name: 'x', level: 'grid', gridKind: 'area' }, ['level'], 'level_not_child'],
      ['org.create', { parentId: center.id, code: 'X-2', name: 'x', level: 'grid' }, ['gridKind'], 'grid_kind_required'],
      ['org.create', { parentId: null, code: 'X-3', name: 'x', level: 'county' }, ['parentId'], 'parent_required'],
      ['org.move', { id: grid.id, parentId: grid.id }, ['parentId'], 'level_not_child'],
      ['org.move', { id: center.id, parentId: grid.id }, ['parentId'], 'level_not_child'],
    ]
    for (const [name, input, path, message] of cases) {
      const error = await core.call(name as 'org.update', input as never).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error, `${name} ${JSON.stringify(input)}`).toMatchObject({ code: 'VALIDATION' })
      expect((error as { issues: { path: unknown[]; message: string }[] }).issues).toContainEqual({ path, message })
    }
    expect(snapshot()).toEqual(before)
  })

  it("sets and clears a unit's staff list", async () => {
    const center = await unit('451022-C3')
    const people = (await core.call('org.tree', {})).people.slice(0, 2)
    const withStaff = await core.call('org.update', { id: center.id, patch: { staffUserIds: people.map((p) => p.id) } })
    expect(withStaff.staff.map((s) => s.id).sort()).toEqual(people.map((p) => p.id).sort())
    const fewer = await core.call('org.update', { id: center.id, patch: { staffUserIds: [people[0]!.id] } })
    expect(fewer.staff.map((s) => s.id)).toEqual([people[0]!.id])
    const gone = db().prepare('SELECT org_unit_id AS u FROM users WHERE id = ?').get(people[1]!.id) as { u: string | null }
    expect(gone.u).toBeNull()
  })

  it('renames and re-kinds a grid, and moves it to another center', async () => {
    const grid = await unit('451022-G01')
    const target = await unit('451022-C2')
    const renamed = await core.call('org.update', { id: grid.id, patch: { name: '平马城区网格（新）', gridKind: 'area', code: '451022-G01A' } })
    expect(renamed).toMatchObject({ name: '平马城区网格（新）', gridKind: 'area', code: '451022-G01A' })
    const moved = await core.call('org.move', { id: grid.id, parentId: target.id })
    expect(moved.parentId).toBe(target.id)
    expect((await unit('451022-C2')).children.map((c) => c.code)).toContain('451022-G01A')
    const hq = db().prepare("SELECT count(*) AS n FROM outbox WHERE table_name = 'org_units' AND row_id = ?").get(grid.id) as { n: number }
    expect(hq.n).toBe(2)
  })
})

describe('assigning villages to a grid', () => {
  let core: TestCore
  beforeAll(async () => {
    core = openTestCore()
    await core.call('demo.load', {})
  })
  afterAll(() => core?.dispose())

  const overviewGrids = async () =>
    new Map((await core.call('map.overview', {})).grids.features.map((f) => [f.properties.code, f as unknown as Area & { properties: { id: string } }]))

  /** Two villages of `from` whose boundaries touch `to`: moving them keeps both grids in one piece. */
  const borderVillages = async (from: Area & { properties: { id: string } }, to: Area) => {
    const rows = core.ctx.db.$client.prepare('SELECT id, lon, lat, boundary FROM villages WHERE grid_id = ?').all(from.properties.id) as {
      id: string
      lon: number
      lat: number
      boundary: string
    }[]
    return rows.filter((r) => turf.booleanIntersects(turf.feature(JSON.parse(r.boundary)), to)).slice(0, 2)
  }

  it('moves two villages to the neighbour: both outlines follow, every village point inside its new grid, no new overlap', async () => {
    const baseline = await core.call('grids.check', {})
    const grids = await overviewGrids()
    // Find a pair of neighbouring grids with at least two villages on their shared border.
    let pair: [string, string] | undefined
    for (const a of grids.keys())
      for (const b of grids.keys())
        if (!pair && a !== b && grids.get(a)!.properties.id && (await borderVillages(grids.get(a)!, grids.get(b)!)).length === 2 && a < b) pair = [a, b]
    expect(pair).toBeDefined()
    const [fromCode, toCode] = pair!
    const from = grids.get(fromCode)!
    const to = grids.get(toCode)!
    const moving = await borderVillages(from, to)
    const result = await core.call('org.assignVillages', { gridId: to.properties.id, villageIds: moving.map((v) => v.id) })
    expect(result.moved).toBe(2)
    expect(result.grids.map((g) => g.code).sort()).toEqual([fromCode, toCode].sort())

    const after = await overviewGrids()
    const newTo = after.get(toCode)!
    const newFrom = after.get(fromCode)!
    expect(JSON.stringify(newTo.geometry)).not.toBe(JSON.stringify(to.geometry))
    expect(JSON.stringify(newFrom.geometry)).not.toBe(JSON.stringify(from.geometry))
    for (const v of moving) {
      expect(turf.booleanPointInPolygon([v.lon, v.lat], newTo)).toBe(true)
      expect(turf.booleanPointInPolygon([v.lon, v.lat], newFrom)).toBe(false)
    }
    // Every village of the receiving grid lies inside its new outline.
    const members = core.ctx.db.$client.prepare('SELECT lon, lat FROM villages WHERE grid_id = ?').all(to.properties.id) as { lon: number; lat: number }[]
    for (const m of members) expect(turf.booleanPointInPolygon([m.lon, m.lat], newTo)).toBe(true)
    expect(turf.area(newTo) + turf.area(newFrom)).toBeCloseTo(turf.area(to) + turf.area(from), -4)

    const row = core.ctx.db.$client.prepare('SELECT geometry_source AS s FROM org_units WHERE id = ?').get(to.properties.id) as { s: string }
    expect(row.s).toBe('derived:villages')
    const check = await core.call('grids.check', {})
    const kinds = (c: typeof check) => c.issues.filter((i) => i.kind === 'overlap' || i.kind === 'gap').length
    expect(kinds(check)).toBeLessThanOrEqual(kinds(baseline))
    expect(check.issues.filter((i) => i.kind !== 'overlap' && i.kind !== 'gap')).toEqual(
      baseline.issues.filter((i) => i.kind !== 'overlap' && i.kind !== 'gap'),
    )

    // The writes went through the outbox: two villages and two grids.
    const outbox = core.ctx.db.$client.prepare('SELECT table_name AS t, count(*) AS n FROM outbox GROUP BY 1 ORDER BY 1').all()
    expect(outbox).toEqual([
      { t: 'org_units', n: 2 },
      { t: 'villages', n: 2 },
    ])
  })

  it('unassigns a village: it leaves the grid and its outline', async () => {
    const grids = await overviewGrids()
    const grid = grids.get('451022-G07')!
    const [village] = core.ctx.db.$client.prepare('SELECT id, lon, lat FROM villages WHERE grid_id = ? ORDER BY division_code').all(grid.properties.id) as {
      id: string
      lon: number
      lat: number
    }[]
    const result = await core.call('org.unassignVillages', { gridId: grid.properties.id, villageIds: [village!.id] })
    expect(result.moved).toBe(1)
    const after = (await overviewGrids()).get('451022-G07')!
    expect(turf.booleanPointInPolygon([village!.lon, village!.lat], after)).toBe(false)
    const check = await core.call('grids.check', {})
    expect(check.issues.some((i) => i.village?.id === village!.id)).toBe(true)
  })

  it('refuses unknown villages, villages of another grid, and a non-grid target, changing nothing', async () => {
    const grids = await overviewGrids()
    const g = grids.get('451022-G08')!
    const other = core.ctx.db.$client.prepare('SELECT id FROM villages WHERE grid_id <> ? LIMIT 1').get(g.properties.id) as { id: string }
    const center = (core.ctx.db.$client.prepare("SELECT id FROM org_units WHERE level = 'center' LIMIT 1").get() as { id: string }).id
    const before = core.ctx.db.$client.prepare('SELECT (SELECT count(*) FROM outbox) AS o, (SELECT group_concat(grid_id) FROM villages) AS v').get()
    await expect(
      core.call('org.assignVillages', { gridId: g.properties.id, villageIds: [other.id, '01900000-0000-7000-8000-000000000000'] }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: ['villageIds', 1], message: 'village_missing' }],
    })
    await expect(core.call('org.unassignVillages', { gridId: g.properties.id, villageIds: [other.id] })).rejects.toMatchObject({
      issues: [{ path: ['villageIds', 0], message: 'village_not_in_grid' }],
    })
    await expect(core.call('org.assignVillages', { gridId: center, villageIds: [other.id] })).rejects.toMatchObject({
      issues: [{ path: ['gridId'], message: 'not_a_grid' }],
    })
    expect(core.ctx.db.$client.prepare('SELECT (SELECT count(*) FROM outbox) AS o, (SELECT group_concat(grid_id) FROM villages) AS v').get()).toEqual(before)
  })
})
