import { describe, expect, it } from 'vitest'
import type { VisitDetail } from '../../../../shared/api/visits'
import { correctionOf, emptyForm, hasContent, sameCorrection, toVisitInput } from './visitForm'

const id = '0190f0f0-0000-7000-8000-000000000001'

describe('visit form model', () => {
  it('names what is missing before anything is sent', () => {
    const { input, local } = toVisitInput(emptyForm(), { draftId: null, radiusM: 500 })
    expect(input).toBeUndefined()
    expect(local).toEqual({ target: 'required', checkIn: 'needLocation', purpose: 'required', outcome: 'required' })
  })

  it('builds the core input, sending what does not parse as typed so the core names it', () => {
    const form = {
      ...emptyForm(),
      target: `customer:${id}`,
      checkIn: { at: '2026-12-09T06:30:00.000Z', lon: 107.1, lat: 23.6, source: 'map' as const },
      purpose: '合约续签',
      outcome: '已成交',
      products: [{ product: '千兆宽带', outcome: 'sold' as const, quantity: '2' }],
      rival: { on: true, rival: 'telecom' as const, kind: 'price' as const, title: '59元套餐', monthlyFee: '59元', threat: '4' },
      next: { action: '送资费单', due: '2026-12-12' },
    }
    const { input, local } = toVisitInput(form, { draftId: 'd1', radiusM: 300, timeZone: 'Asia/Shanghai' })
    expect(local).toEqual({ 'rivalNews.monthlyFee': 'notANumber' })
    expect(input).toMatchObject({
      id: 'd1',
      target: { kind: 'customer', id },
      radiusM: 300,
      timeZone: 'Asia/Shanghai',
      products: [{ product: '千兆宽带', outcome: 'sold', quantity: 2 }],
      rivalNews: { monthlyFee: '59元', threatLevel: 4 },
      nextAction: { action: '送资费单', due: '2026-12-12' },
    })
  })

  it('a next action needs its due day and the other way round', () => {
    const base = {
      ...emptyForm(),
      target: `village:${id}`,
      checkIn: { at: '2026-12-09T06:30:00.000Z', lon: 1, lat: 1, source: 'device' as const },
      purpose: 'p',
      outcome: 'o',
    }
    expect(toVisitInput({ ...base, next: { action: '回访', due: '' } }, { draftId: null, radiusM: 500 }).local).toEqual({ 'nextAction.due': 'required' })
    expect(toVisitInput({ ...base, next: { action: '', due: '2026-12-10' } }, { draftId: null, radiusM: 500 }).local).toEqual({
      'nextAction.action': 'required',
    })
  })

  it('knows a form with only a target from one with something typed', () => {
    expect(hasContent({ ...emptyForm(), target: `customer:${id}` })).toBe(false)
    expect(hasContent({ ...emptyForm(), purpose: 'x' })).toBe(true)
  })

  it('a correction starts from the stored visit and sees its own changes', () => {
    const detail = {
      purpose: '维系',
      outcome: '满意',
      objections: [{ code: 'price', detail: null, answer: null, worked: null }],
      nextAction: null,
      nextActionDue: null,
    } as unknown as VisitDetail
    const base = correctionOf(detail)
    expect(base).toEqual({ purpose: '维系', outcome: '满意', objections: ['price'], nextAction: '', nextDue: '' })
    expect(sameCorrection(base, { ...base })).toBe(true)
    expect(sameCorrection(base, { ...base, outcome: '很满意' })).toBe(false)
  })
})
