// The organisation hierarchy: tree, create, edit, move, and village ↔ grid assignment with the
// grid outline derived from its villages (turf union, loaded on first use). Every check runs
// before the first write; all writes go through changes.ts in one transaction.
import { childLevel, type OrgAssignResult, type OrgIssueCode, type OrgTreeNode } from '../../../shared/api/org'
import { AppError, type Issue } from '../../../shared/errors'
import type { OrgLevel } from '../../../shared/domain'
import type { Feature, Geometry, MultiPolygon, Polygon } from 'geojson'
import type { HandlerContext } from '../context'
import type { Tx } from '../db/client'
import { insertSynced, updateSynced } from '../db/repos/changes'
import {
  countRoots,
  existingUserIds,
  getOrgUnit,
  orgNode,
  orgTree,
  orgUnitIdByCode,
  staffUserIdsOf,
  villageBoundariesOfGrid,
  villagesByIds,
} from '../db/repos/org'
import type { HandlerTable } from './table'

export const DERIVED_FROM_VILLAGES = 'derived:villages'

const issue = (path: (string | number)[], message: OrgIssueCode): Issue => ({ path, message })

function fail(what: string, issues: Issue[]): never {
  throw new AppError('VALIDATION', `${what}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { issues })
}

function mustNode(ctx: HandlerContext, id: string): OrgTreeNode {
  const node = orgNode(ctx.db, id)
  if (!node) throw new AppError('NOT_FOUND', `org unit ${id} not found`, { details: { id } })
  return node
}

function checkPeople(tx: Tx, prefix: string[], managerUserId: string | null | undefined, staff: string[] | undefined): Issue[] {
  const ids = [...(managerUserId ? [managerUserId] : []), ...(staff ?? [])]
  const known = existingUserIds(tx, ids)
  const issues: Issue[] = []
  if (managerUserId && !known.has(managerUserId)) issues.push(issue([...prefix, 'managerUserId'], 'user_missing'))
  staff?.forEach((u, i) => {
    if (!known.has(u)) issues.push(issue([...prefix, 'staffUserIds', i], 'user_missing'))
  })
  return issues
}

/** Points the given users' home unit at `unitId`; users no longer listed lose it. */
function setStaff(tx: Tx, ctx: HandlerContext, unitId: string, managerUserId: string | null, staff: string[]): void {
  const wanted = new Set(staff.filter((u) => u !== managerUserId))
  for (const u of staffUserIdsOf(tx, unitId)) if (!wanted.has(u) && u !== managerUserId) updateSynced(tx, ctx.change, 'users', u, { orgUnitId: null })
  for (const u of wanted) updateSynced(tx, ctx.change, 'users', u, { orgUnitId: unitId })
}

type Turf = typeof import('@turf/turf')
type Area = Feature<Polygon | MultiPolygon>

/** A grid's outline as the union of its villages' boundaries (GeoJSON text), or null without any. */
function deriveOutline(turf: Turf, boundaries: string[]): string | null {
  const features = boundaries
    .map((b) => JSON.parse(b) as Geometry)
    .filter((g): g is Polygon | MultiPolygon => g.type === 'Polygon' || g.type === 'MultiPolygon')
    .map((g) => turf.feature(g) as Area)
  if (features.length === 0) return null
  const union = features.length === 1 ? features[0]! : turf.union(turf.featureCollection(features))
  return union ? JSON.stringify(turf.truncate(union, { precision: 6 }).geometry) : null
}

async function reassign(ctx: HandlerContext, gridId: string, villageIds: string[], mode: 'assign' | 'unassign'): Promise<OrgAssignResult> {
  // turf loads on first use, not at start-up; everything after this runs in one transaction.
  const turf = await import('@turf/turf')
  return ctx.db.transaction((tx) => {
    const grid = getOrgUnit(tx, gridId)
    if (!grid) fail('no such grid', [issue(['gridId'], 'not_found')])
    if (grid.level !== 'grid') fail('not a grid', [issue(['gridId'], 'not_a_grid')])
    const found = new Map(villagesByIds(tx, [...new Set(villageIds)]).map((v) => [v.id, v]))
    const issues: Issue[] = []
    villageIds.forEach((v, i) => {
      const village = found.get(v)
      if (!village) issues.push(issue(['villageIds', i], 'village_missing'))
      else if (mode === 'unassign' && village.gridId !== gridId) issues.push(issue(['villageIds', i], 'village_not_in_grid'))
    })
    if (issues.length) fail(`cannot ${mode} villages`, issues)

    const newGrid = mode === 'assign' ? gridId : null
    const moving = [...found.values()].filter((v) => v.gridId !== newGrid)
    const affected = new Set<string>(mode === 'assign' ? [gridId] : [])
    for (const v of moving) if (v.gridId) affected.add(v.gridId)
    for (const v of moving) {
      // A village leaving its grid leaves that grid's micro-grid too.
      updateSynced(tx, ctx.change, 'villages', v.id, v.microGridId ? { gridId: newGrid, microGridId: null } : { gridId: newGrid })
    }
    const grids: OrgAssignResult['grids'] = []
    for (const g of affected) {
      const members = villageBoundariesOfGrid(tx, g)
      const boundary = deriveOutline(turf, members.boundaries)
      updateSynced(tx, ctx.change, 'org_units', g, { boundary, geometrySource: DERIVED_FROM_VILLAGES, sourceCrs: 'WGS-84' })
      grids.push({ id: g, code: getOrgUnit(tx, g)!.code, villages: members.count, geometrySource: DERIVED_FROM_VILLAGES, boundary })
    }
    return { moved: moving.length, grids }
  })
}

export const orgHandlers = {
  'org.tree': (ctx) => orgTree(ctx.db),

  'org.create': (ctx, input) => {
    const id = ctx.db.transaction((tx) => {
      const issues: Issue[] = []
      let expected: OrgLevel | null = 'county'
      if (input.parentId) {
        const parent = getOrgUnit(tx, input.parentId)
        if (!parent) issues.push(issue(['parentId'], 'parent_missing'))
        expected = parent ? childLevel[parent.level] : null
      } else if (countRoots(tx) > 0) issues.push(issue(['parentId'], 'parent_required'))
      if (issues.length === 0 && input.level !== expected) issues.push(issue(['level'], 'level_not_child'))
      if (orgUnitIdByCode(tx, input.code, null)) issues.push(issue(['code'], 'code_taken'))
      if (input.level === 'grid' && !input.gridKind) issues.push(issue(['gridKind'], 'grid_kind_required'))
      if (input.level !== 'grid' && input.gridKind) issues.push(issue(['gridKind'], 'grid_kind_not_grid'))
      issues.push(...checkPeople(tx, [], input.managerUserId, input.staffUserIds))
      if (issues.length) fail('cannot create org unit', issues)
      const newId = insertSynced(tx, ctx.change, 'org_units', {
        code: input.code,
        name: input.name,
        level: input.level,
        parentId: input.parentId,
        gridKind: input.gridKind,
        managerUserId: input.managerUserId,
      })
      if (input.staffUserIds.length) setStaff(tx, ctx, newId, input.managerUserId, input.staffUserIds)
      return newId
    })
    return mustNode(ctx, id)
  },

  'org.update': (ctx, input) => {
    ctx.db.transaction((tx) => {
      const unit = getOrgUnit(tx, input.id)
      if (!unit) throw new AppError('NOT_FOUND', `org unit ${input.id} not found`, { details: { id: input.id } })
      const { staffUserIds, ...fields } = input.patch
      const issues: Issue[] = []
      if (fields.code !== undefined && orgUnitIdByCode(tx, fields.code, unit.id)) issues.push(issue(['patch', 'code'], 'code_taken'))
      if (fields.gridKind !== undefined) {
        if (unit.level === 'grid' && !fields.gridKind) issues.push(issue(['patch', 'gridKind'], 'grid_kind_required'))
        if (unit.level !== 'grid' && fields.gridKind) issues.push(issue(['patch', 'gridKind'], 'grid_kind_not_grid'))
      }
      issues.push(...checkPeople(tx, ['patch'], fields.managerUserId, staffUserIds))
      if (issues.length) fail('cannot update org unit', issues)
      const changed = Object.fromEntries(Object.entries(fields).filter(([k, v]) => unit[k as keyof typeof unit] !== v))
      if (Object.keys(changed).length) updateSynced(tx, ctx.change, 'org_units', unit.id, changed)
      if (staffUserIds) setStaff(tx, ctx, unit.id, fields.managerUserId !== undefined ? fields.managerUserId : unit.managerUserId, staffUserIds)
    })
    return mustNode(ctx, input.id)
  },

  'org.move': (ctx, input) => {
    ctx.db.transaction((tx) => {
      const unit = getOrgUnit(tx, input.id)
      if (!unit) throw new AppError('NOT_FOUND', `org unit ${input.id} not found`, { details: { id: input.id } })
      const parent = getOrgUnit(tx, input.parentId)
      const issues: Issue[] = []
      if (!parent) issues.push(issue(['parentId'], 'parent_missing'))
      // Levels strictly descend, so "a parent one level up" also rules out moving under oneself.
      else if (childLevel[parent.level] !== unit.level) issues.push(issue(['parentId'], 'level_not_child'))
      else if (unit.parentId === parent.id) issues.push(issue(['parentId'], 'same_parent'))
      if (issues.length) fail('cannot move org unit', issues)
      updateSynced(tx, ctx.change, 'org_units', unit.id, { parentId: input.parentId })
    })
    return mustNode(ctx, input.id)
  },

  'org.assignVillages': (ctx, input) => reassign(ctx, input.gridId, input.villageIds, 'assign'),
  'org.unassignVillages': (ctx, input) => reassign(ctx, input.gridId, input.villageIds, 'unassign'),
} satisfies Partial<HandlerTable>
