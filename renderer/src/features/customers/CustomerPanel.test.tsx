// A funnel stage move shows a toast with 撤销; undo moves the customer back through the same
// handler (customers.moveStage), so the revert is itself a recorded, synced change.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CustomerDetail } from '../../../../shared/api/customers'
import type { FunnelStage } from '../../../../shared/domain'
import { renderInApp, stubBridge } from '../../test-forms'
import { CustomerPanel } from './CustomerPanel'

let stage: FunnelStage = 'contacted'
const customer = (): CustomerDetail => ({
  id: 'c1',
  name: '韦德明',
  category: 'admin_power',
  role: '村支书',
  organisation: null,
  villageId: null,
  villageName: null,
  gridId: null,
  gridName: null,
  phone: null,
  influence: 4,
  tier: 'A',
  monthlyRevenue: null,
  contractExpiry: null,
  rivalUsed: null,
  funnelStage: stage,
  nextFollowUp: null,
  tags: [],
  lastVisitAt: null,
  updatedAt: '2026-12-01T02:00:00Z',
  valueTier: 'A',
  tierOverride: null,
  ownerName: null,
  notes: null,
  lon: null,
  lat: null,
  createdAt: '2026-11-01T02:00:00Z',
  products: [],
  moves: [],
  timeline: [],
})

// Mantine dialogs in jsdom on a shared 2-core machine: more than the 5 s default.
vi.setConfig({ testTimeout: 20_000 })

let calls: ReturnType<typeof stubBridge>
beforeEach(() => {
  stage = 'contacted'
  calls = stubBridge({
    'customers.get': () => customer(),
    'customers.duplicates': () => [],
    'customers.moveStage': (input) => {
      stage = (input as { toStage: FunnelStage }).toStage
      return customer()
    },
  })
})
afterEach(() => {
  delete window.griddesk
})

describe('CustomerPanel stage moves', () => {
  it('offers undo after a move, and undo moves the customer back through moveStage', async () => {
    await renderInApp(<CustomerPanel customerId="c1" onClose={() => {}} onChanged={() => {}} />)
    const steps = await screen.findByTestId('stage-steps')
    await act(async () => fireEvent.click(within(steps).getByText('意向')))
    const toast = await screen.findByText('已将韦德明移到“意向”阶段')
    expect(calls).toHaveBeenCalledWith('customers.moveStage', { id: 'c1', toStage: 'intent' }, 'zh-CN')

    const undo = within(toast.closest('.mantine-Notification-root') as HTMLElement).getByRole('button', { name: '撤销' })
    await act(async () => fireEvent.click(undo))
    await waitFor(() => expect(calls).toHaveBeenCalledWith('customers.moveStage', { id: 'c1', toStage: 'contacted' }, 'zh-CN'))
    expect(await screen.findByText('已撤销')).toBeTruthy()
    await waitFor(() => expect(within(screen.getByTestId('stage-steps')).getByText('接触').closest('button')!.getAttribute('data-current')).toBe('true'))
  })
})

describe('CustomerPanel timeline', () => {
  it('labels a planned visit 计划拜访 with its day, and a done visit opens its detail', async () => {
    calls = stubBridge({
      'customers.get': () => ({
        ...customer(),
        timeline: [
          { kind: 'visit', id: 'p1', at: '2026-12-09', status: 'planned', plannedFor: '2026-12-09', purpose: null, outcome: null, nextAction: null },
          { kind: 'visit', id: 'v1', at: '2026-12-01T02:00:00Z', status: 'done', plannedFor: null, purpose: '关系维系', outcome: '客户满意', nextAction: null },
        ],
      }),
      'customers.duplicates': () => [],
      'visits.get': () => {
        throw new Error('the drawer asks; its content is not the point here')
      },
      'visits.history': () => [],
      'objections.list': () => [],
    })
    await renderInApp(<CustomerPanel customerId="c1" onClose={() => {}} onChanged={() => {}} />)
    const timeline = await screen.findByTestId('timeline')
    expect(within(timeline).getByText('计划拜访 · 2026-12-09')).toBeTruthy()
    expect(timeline.querySelector('[data-status="planned"]')!.textContent).toBe('计划拜访 · 2026-12-09')
    await act(async () => fireEvent.click(timeline.querySelector('[data-open-visit="v1"]')!))
    await waitFor(() => expect(calls).toHaveBeenCalledWith('visits.get', { id: 'v1' }, 'zh-CN'))
  })
})
