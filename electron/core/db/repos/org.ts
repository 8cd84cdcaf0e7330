// The organisation hierarchy (org_units) with managers, staff and village counts; the village ↔
// grid assignment. Reads take the Db or a transaction; writes are done by the handler through
// changes.ts so every change reaches the outbox.
import { sql } from 'drizzle-orm'
import type { OrgPerson, OrgTree, OrgTreeNode } from '../../../../shared/api/org'
import type { GridKind, OrgLevel } from '../../../../shared/domain'
import type { Db, Tx } from '../client'

type Reader = Pick<Db, 'all' | 'get'> | Pick<Tx, 'all' | 'get'>

export interface OrgUnitRecord {
  id: string
  code: string
  name: string
  level: OrgLevel
  parentId: string | null
  gridKind: GridKind | null
  managerUserId: string | null
}

export function getOrgUnit(db: Reader, id: string): OrgUnitRecord | undefined {
  return db.get<OrgUnitRecord>(sql`
    SELECT id, code, name, level, parent_id AS parentId, grid_kind AS gridKind, manager_user_id AS managerUserId
    FROM org_units WHERE id = ${id} AND deleted_at IS NULL`)
}

/** The live unit holding `code`, other than `exceptId`. */
export function orgUnitIdByCode(db: Reader, code: string, exceptId: string | null): string | undefined {
  return db.get<{ id: string }>(sql`
    SELECT id FROM org_units WHERE code = ${code} AND (${exceptId} IS NULL OR id <> ${exceptId}) LIMIT 1`)?.id
}

export function countRoots(db: Reader): number {
  return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM org_units WHERE parent_id IS NULL AND deleted_at IS NULL`)!.n
}

export function existingUserIds(db: Reader, ids: string[]): Set<string> {
  if (ids.length === 0) return new Set()
  const rows = db.all<{ id: string }>(sql`SELECT id FROM users WHERE deleted_at IS NULL AND id IN ${ids}`)
  return new Set(rows.map((r) => r.id))
}

/** Users whose home unit is `unitId`. */
export function staffUserIdsOf(db: Reader, unitId: string): string[] {
  return db.all<{ id: string }>(sql`SELECT id FROM users WHERE org_unit_id = ${unitId} AND deleted_at IS NULL`).map((r) => r.id)
}

export function orgTree(db: Reader): OrgTree {
  const units = db.all<Omit<OrgTreeNode, 'staff' | 'villages' | 'households' | 'children'>>(sql`
    SELECT o.id, o.code, o.name, o.level, o.parent_id AS parentId, o.grid_kind AS gridKind,
      o.manager_user_id AS managerUserId, u.name AS managerName, o.geometry_source AS geometrySource
    FROM org_units o LEFT JOIN users u ON u.id = o.manager_user_id
    WHERE o.deleted_at IS NULL ORDER BY o.code`)
  const people = db.all<OrgPerson & { orgUnitId: string | null }>(sql`
    SELECT id, name, role, org_unit_id AS orgUnitId FROM users WHERE deleted_at IS NULL ORDER BY name`)
  const counts = db.all<{ unitId: string; villages: number; households: number }>(sql`
    SELECT grid_id AS unitId, count(*) AS villages, coalesce(sum(households), 0) AS households
      FROM villages WHERE deleted_at IS NULL AND grid_id IS NOT NULL GROUP BY grid_id
    UNION ALL
    SELECT micro_grid_id, count(*), coalesce(sum(households), 0)
      FROM villages WHERE deleted_at IS NULL AND micro_grid_id IS NOT NULL GROUP BY micro_grid_id`)
  const countOf = new Map<string, { villages: number; households: number }>()
  for (const c of counts) countOf.set(c.unitId, { villages: c.villages, households: c.households })

  const nodes = new Map<string, OrgTreeNode>()
  for (const u of units) nodes.set(u.id, { ...u, staff: [], villages: 0, households: 0, children: [] })
  for (const p of people) {
    const node = p.orgUnitId ? nodes.get(p.orgUnitId) : undefined
    if (node && node.managerUserId !== p.id) node.staff.push({ id: p.id, name: p.name, role: p.role })
  }
  const roots: OrgTreeNode[] = []
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  // Villages are counted at the grid; micro-grids show their own share, parents the sum of grids.
  const total = (node: OrgTreeNode): { villages: number; households: number } => {
    const own = countOf.get(node.id)
    if (node.level === 'grid' || node.level === 'microgrid') {
      for (const child of node.children) total(child)
      node.villages = own?.villages ?? 0
      node.households = own?.households ?? 0
    } else {
      let villages = 0
      let households = 0
      for (const child of node.children) {
        const sub = total(child)
        villages += sub.villages
        households += sub.households
      }
      node.villages = villages
      node.households = households
    }
    return { villages: node.villages, households: node.households }
  }
  for (const root of roots) total(root)
  return { roots, people: people.map(({ id, name, role }) => ({ id, name, role })), units: units.length }
}

/** One unit as a tree node (with its subtree). */
export function orgNode(db: Reader, id: string): OrgTreeNode | undefined {
  const find = (list: OrgTreeNode[]): OrgTreeNode | undefined => {
    for (const n of list) {
      if (n.id === id) return n
      const hit = find(n.children)
      if (hit) return hit
    }
    return undefined
  }
  return find(orgTree(db).roots)
}

export interface VillageGridRecord {
  id: string
  gridId: string | null
  microGridId: string | null
}

export function villagesByIds(db: Reader, ids: string[]): VillageGridRecord[] {
  if (ids.length === 0) return []
  return db.all<VillageGridRecord>(sql`
    SELECT id, grid_id AS gridId, micro_grid_id AS microGridId FROM villages WHERE deleted_at IS NULL AND id IN ${ids}`)
}

/** The boundaries (GeoJSON text) of a grid's villages. */
export function villageBoundariesOfGrid(db: Reader, gridId: string): { count: number; boundaries: string[] } {
  const rows = db.all<{ boundary: string | null }>(sql`
    SELECT boundary FROM villages WHERE grid_id = ${gridId} AND deleted_at IS NULL ORDER BY division_code`)
  return { count: rows.length, boundaries: rows.flatMap((r) => (r.boundary ? [r.boundary] : [])) }
}
