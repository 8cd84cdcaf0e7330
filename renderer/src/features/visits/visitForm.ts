// The visit log's form as a pure model: its shape, the empty form, what the core's input is made
// of it (with the problems found before sending), and the part a correction may change.
import type { CheckInSource, ParticipantRole, VisitCompleteInput, VisitDetail, VisitTargetKind } from '../../../../shared/api/visits'
import type { FunnelStage, IntelKind, Rival } from '../../../../shared/domain'
import type { TargetRef } from './VisitsPage'

export interface PhotoRef {
  sha256: string
  fileName: string
  mime: string
  bytes: number
  thumbSha256?: string
  /** Small data URL for the form (kept in the draft). */
  preview?: string
}

export interface VisitForm {
  target: string | null
  checkIn: { at: string; lon?: number; lat?: number; source: CheckInSource } | null
  participants: { name: string; role: ParticipantRole }[]
  purpose: string
  outcome: string
  funnelTo: FunnelStage | ''
  products: { product: string; outcome: 'pitched' | 'sold'; quantity: string }[]
  objections: { code: string; detail: string; answer: string; worked: boolean }[]
  rival: { on: boolean; rival: Rival; kind: IntelKind; title: string; monthlyFee: string; threat: string }
  next: { action: string; due: string }
  photos: PhotoRef[]
}

export const emptyForm = (): VisitForm => ({
  target: null,
  checkIn: null,
  participants: [],
  purpose: '',
  outcome: '',
  funnelTo: '',
  products: [],
  objections: [],
  rival: { on: false, rival: 'telecom', kind: 'price', title: '', monthlyFee: '', threat: '3' },
  next: { action: '', due: '' },
  photos: [],
})

export const PURPOSES = ['关系维系', '产品推介', '合约续签', '宽带装机回访', '投诉处理', '竞争应对', '信息收集', '集团业务洽谈']
export const PRODUCTS = ['5G畅享套餐', '千兆宽带', '家庭融合套餐', '魔百和电视', '5G手机换机', '集团V网', '云视讯', '和家亲安防']
/** Outcome presets and the funnel stage each suggests. */
export const OUTCOMES: { text: string; stage?: FunnelStage }[] = [
  { text: '客户认可，约定下次详谈', stage: 'intent' },
  { text: '已成交', stage: 'won' },
  { text: '客户犹豫，需再跟进', stage: 'contacted' },
  { text: '客户明确拒绝' },
  { text: '收集到竞争信息' },
  { text: '问题已解决', stage: 'retained' },
]
export const toTargetRef = (value: string | null): TargetRef | null => {
  if (!value) return null
  const [kind, id] = value.split(':') as [VisitTargetKind, string]
  return { kind, id }
}
export const numberOrText = (s: string) => (s.trim() === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : s)

/** The form as the core's input; what does not parse is sent as typed so the core names it. `local` names the fields wrong before sending. */
export function toVisitInput(
  form: VisitForm,
  options: { draftId: string | null; radiusM: number; timeZone?: string },
): { input?: VisitCompleteInput; local: Record<string, string> } {
  const local: Record<string, string> = {}
  const ref = toTargetRef(form.target)
  if (!ref) local.target = 'required'
  if (!form.checkIn || form.checkIn.source === 'none') local.checkIn = 'needLocation'
  if (!form.purpose.trim()) local.purpose = 'required'
  if (!form.outcome.trim()) local.outcome = 'required'
  if (form.rival.on && !form.rival.title.trim()) local['rivalNews.title'] = 'required'
  if (form.next.action.trim() && !form.next.due) local['nextAction.due'] = 'required'
  if (!form.next.action.trim() && form.next.due) local['nextAction.action'] = 'required'
  form.products.forEach((p, i) => {
    if (!p.product.trim()) local[`products.${i}.product`] = 'required'
    if (p.quantity.trim() && !Number.isInteger(Number(p.quantity))) local[`products.${i}.quantity`] = 'notANumber'
  })
  if (form.rival.on && typeof numberOrText(form.rival.monthlyFee) === 'string') local['rivalNews.monthlyFee'] = 'notANumber'
  if (form.rival.on && typeof numberOrText(form.rival.threat) === 'string') local['rivalNews.threatLevel'] = 'notANumber'
  if (!ref || !form.checkIn) return { local }
  const input: VisitCompleteInput = {
    id: options.draftId ?? undefined,
    target: ref,
    checkIn: form.checkIn,
    radiusM: options.radiusM,
    participants: form.participants.filter((p) => p.name.trim()).map((p) => ({ name: p.name.trim(), role: p.role })),
    purpose: form.purpose,
    outcome: form.outcome,
    funnelTo: form.funnelTo || undefined,
    products: form.products.map((p) => ({ product: p.product, outcome: p.outcome, quantity: (numberOrText(p.quantity) ?? 1) as number })),
    objections: form.objections.map((o) => ({ code: o.code, detail: o.detail || undefined, answer: o.answer || undefined, worked: o.worked })),
    rivalNews: form.rival.on
      ? {
          rival: form.rival.rival,
          kind: form.rival.kind,
          title: form.rival.title,
          monthlyFee: numberOrText(form.rival.monthlyFee) as number | undefined,
          threatLevel: numberOrText(form.rival.threat) as number | undefined,
        }
      : undefined,
    nextAction: form.next.action.trim() || form.next.due ? { action: form.next.action, due: form.next.due } : undefined,
    photos: form.photos.map(({ preview: _preview, ...p }) => p),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  }
  return { input, local }
}

/** What a correction edits, as typed. */
export interface CorrectionForm {
  purpose: string
  outcome: string
  objections: string[]
  nextAction: string
  nextDue: string
}

export function correctionOf(v: VisitDetail): CorrectionForm {
  return {
    purpose: v.purpose ?? '',
    outcome: v.outcome ?? '',
    objections: v.objections.map((o) => o.code),
    nextAction: v.nextAction ?? '',
    nextDue: v.nextActionDue ?? '',
  }
}

export function sameCorrection(a: CorrectionForm, b: CorrectionForm): boolean {
  return (
    a.purpose === b.purpose &&
    a.outcome === b.outcome &&
    a.objections.join(',') === b.objections.join(',') &&
    a.nextAction === b.nextAction &&
    a.nextDue === b.nextDue
  )
}

/** Whether the form holds anything typed (a form with only a target is not worth asking about). */
export function hasContent(form: VisitForm): boolean {
  const empty = emptyForm()
  return JSON.stringify({ ...form, target: null }) !== JSON.stringify({ ...empty, target: null })
}
