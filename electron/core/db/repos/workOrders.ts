// SQL of work orders (工单): listing with their grid, customer and assignee; the visit a work
// order can be created from; the people it can be assigned to.
import { sql } from 'drizzle-orm'
import type { AssigneeRow, WorkOrderRow, WorkOrderStatus } from '../../../../shared/api/indicators'
import type { Db } from '../client'

type Reader = Pick<Db, 'all' | 'get'>
export type StoredWorkOrder = Omit<WorkOrderRow, 'light' | 'hoursLeft' | 'overdue'>

const select = sql`
  SELECT w.id, w.title, w.description, w.origin, w.status, u.code AS orgUnitCode, u.name AS orgUnitName,
    w.customer_id AS customerId, k.name AS customerName, w.visit_id AS visitId, w.assignee_user_id AS assigneeUserId,
    p.name AS assigneeName, w.due_at AS dueAt, w.sla_hours AS slaHours, w.created_at AS createdAt, w.closed_at AS closedAt
  FROM work_orders w
  LEFT JOIN org_units u ON u.id = w.org_unit_id
  LEFT JOIN key_customers k ON k.id = w.customer_id
  LEFT JOIN users p ON p.id = w.assignee_user_id`

export function listWorkOrders(
  db: Reader,
  q: { region?: string; statuses?: readonly WorkOrderStatus[]; overdueBefore?: string; limit: number },
): StoredWorkOrder[] {
  const statuses = q.statuses?.length
    ? sql.join(
        q.statuses.map((s) => sql`${s}`),
        sql`, `,
      )
    : null
  return db.all<StoredWorkOrder>(sql`
    WITH RECURSIVE sub(id) AS (
      SELECT id FROM org_units WHERE code = ${q.region ?? null} AND deleted_at IS NULL
      UNION ALL SELECT o.id FROM org_units o JOIN sub ON o.parent_id = sub.id WHERE o.deleted_at IS NULL
    )
    ${select}
    WHERE w.deleted_at IS NULL
      ${q.region ? sql`AND w.org_unit_id IN (SELECT id FROM sub)` : sql``}
      ${statuses ? sql`AND w.status IN (${statuses})` : sql``}
      ${q.overdueBefore ? sql`AND w.status IN ('open', 'in_progress') AND w.due_at < ${q.overdueBefore}` : sql``}
    ORDER BY CASE WHEN w.status IN ('open', 'in_progress') THEN 0 ELSE 1 END, w.due_at
    LIMIT ${q.limit}`)
}

export function getWorkOrder(db: Reader, id: string): StoredWorkOrder | undefined {
  return db.get<StoredWorkOrder>(sql`${select} WHERE w.id = ${id} AND w.deleted_at IS NULL`)
}

export function visitForWorkOrder(db: Reader, id: string) {
  return db.get<{
    id: string
    gridId: string | null
    customerId: string | null
    nextAction: string | null
    nextActionDue: string | null
    byUserId: string | null
    purpose: string | null
    outcome: string | null
    customerName: string | null
    villageName: string | null
  }>(sql`
    SELECT s.id, s.grid_id AS gridId, s.customer_id AS customerId, s.next_action AS nextAction, s.next_action_due AS nextActionDue,
      s.by_user_id AS byUserId, s.purpose, s.outcome, k.name AS customerName, v.name AS villageName
    FROM visits s LEFT JOIN key_customers k ON k.id = s.customer_id LEFT JOIN villages v ON v.id = s.village_id
    WHERE s.id = ${id} AND s.deleted_at IS NULL`)
}

export function customerGrid(db: Reader, id: string): { id: string; gridId: string | null } | undefined {
  return db.get(sql`SELECT id, grid_id AS gridId FROM key_customers WHERE id = ${id} AND deleted_at IS NULL`)
}

export function userExists(db: Reader, id: string): boolean {
  return Boolean(db.get(sql`SELECT 1 AS one FROM users WHERE id = ${id} AND deleted_at IS NULL`))
}

/** The manager of an org unit (grids have one), to assign alerts to by default. */
export function unitManager(db: Reader, orgUnitId: string): string | null {
  return db.get<{ m: string | null }>(sql`SELECT manager_user_id AS m FROM org_units WHERE id = ${orgUnitId}`)?.m ?? null
}

export function listAssignees(db: Reader, region?: string): AssigneeRow[] {
  return db.all<AssigneeRow>(sql`
    WITH RECURSIVE sub(id) AS (
      SELECT id FROM org_units WHERE code = ${region ?? null} AND deleted_at IS NULL
      UNION ALL SELECT o.id FROM org_units o JOIN sub ON o.parent_id = sub.id WHERE o.deleted_at IS NULL
    )
    SELECT p.id, p.name, p.role, u.code AS orgUnitCode FROM users p LEFT JOIN org_units u ON u.id = p.org_unit_id
    WHERE p.deleted_at IS NULL ${region ? sql`AND (p.org_unit_id IN (SELECT id FROM sub) OR p.org_unit_id IS NULL)` : sql``}
    ORDER BY u.code, p.name`)
}
