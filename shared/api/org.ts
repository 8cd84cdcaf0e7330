// Contract of the organisation hierarchy: county → service marketing center → grid →
// micro-grid. Browse as a tree, create, edit, move (reparent), and assign villages to a grid so
// that the grid's outline follows them. Validation issues carry a message code (below) that the
// renderer translates (`org.fieldError.*`); zod's own messages come already translated.
import { z } from 'zod'
import { gridKinds, orgLevels, type GridKind, type OrgLevel } from '../domain'
import { out } from './define'

/** Message codes of org validation issues. */
export const orgIssueCodes = [
  'code_format',
  'code_taken',
  'parent_missing',
  'parent_required',
  'root_exists',
  'level_not_child',
  'grid_kind_required',
  'grid_kind_not_grid',
  'user_missing',
  'not_found',
  'not_a_grid',
  'village_missing',
  'village_not_in_grid',
  'same_parent',
] as const
export type OrgIssueCode = (typeof orgIssueCodes)[number]

/** The level a unit's children have. */
export const childLevel: Record<OrgLevel, OrgLevel | null> = { county: 'center', center: 'grid', grid: 'microgrid', microgrid: null }

export interface OrgPerson {
  id: string
  name: string
  role: string
}

export interface OrgTreeNode {
  id: string
  code: string
  name: string
  level: OrgLevel
  parentId: string | null
  gridKind: GridKind | null
  managerUserId: string | null
  managerName: string | null
  /** Users whose home unit this is (users.org_unit_id), the manager excepted. */
  staff: OrgPerson[]
  /** Villages in this unit and below (grid_id for grids, micro_grid_id for micro-grids). */
  villages: number
  households: number
  geometrySource: string | null
  children: OrgTreeNode[]
}

export interface OrgTree {
  roots: OrgTreeNode[]
  /** Everyone who can be a manager or staff member. */
  people: OrgPerson[]
  units: number
}

export interface OrgAssignResult {
  /** Grids whose outline was recomputed (the target and the grids villages left). */
  grids: { id: string; code: string; villages: number; geometrySource: string | null; boundary: string | null }[]
  moved: number
}

/** Unit codes: letters, digits, '-' and '_', 2–40 characters (e.g. 451022-G13, 451022-G01-M1). */
const code = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z][0-9A-Za-z_-]{1,39}$/, { message: 'code_format' })
const name = z.string().trim().min(1).max(60)
const id = z.uuid()
const userId = z.uuid().nullable()
const staffUserIds = z.array(z.uuid()).max(200)

export const orgApi = {
  'org.tree': { input: z.object({}).strict(), output: out<OrgTree>() },
  'org.create': {
    input: z
      .object({
        parentId: id.nullable(),
        code,
        name,
        level: z.enum(orgLevels),
        gridKind: z.enum(gridKinds).nullable().default(null),
        managerUserId: userId.default(null),
        staffUserIds: staffUserIds.default([]),
      })
      .strict(),
    output: out<OrgTreeNode>(),
  },
  'org.update': {
    input: z
      .object({
        id,
        patch: z
          .object({ code, name, gridKind: z.enum(gridKinds).nullable(), managerUserId: userId, staffUserIds })
          .partial()
          .strict()
          .refine((p) => Object.keys(p).length > 0),
      })
      .strict(),
    output: out<OrgTreeNode>(),
  },
  'org.move': { input: z.object({ id, parentId: id }).strict(), output: out<OrgTreeNode>() },
  'org.assignVillages': {
    input: z.object({ gridId: id, villageIds: z.array(id).min(1).max(5000) }).strict(),
    output: out<OrgAssignResult>(),
  },
  'org.unassignVillages': {
    input: z.object({ gridId: id, villageIds: z.array(id).min(1).max(5000) }).strict(),
    output: out<OrgAssignResult>(),
  },
} as const
