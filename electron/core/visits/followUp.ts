// The work order that follows a visit: one wording wherever it is made — when the visit is logged
// with a next action, when a correction adds one, or from the visit later (workOrders.create).
// Stored text is Chinese like the rest of the county's records (HQ reads them as written).

export interface VisitForFollowUp {
  purpose?: string | null
  outcome?: string | null
  /** The customer's or village's name. */
  targetName?: string | null
  nextAction?: string | null
}

export function followUpOrder(visit: VisitForFollowUp): { title: string; description: string | null } {
  const title = visit.nextAction?.trim() || `拜访跟进：${visit.targetName ?? ''}`.trim()
  const lines = [visit.purpose && `拜访目的：${visit.purpose}`, visit.outcome && `拜访结果：${visit.outcome}`, visit.targetName && `对象：${visit.targetName}`]
  return { title, description: lines.filter(Boolean).join('\n') || null }
}
