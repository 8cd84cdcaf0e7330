// The grid panel's village actions: 加入计划 says so, and a refusal (here: the village is in no
// grid any more) is said in words in a toast instead of being swallowed.
import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { GridSummary } from '../../../../shared/api/contract'
import { renderInApp, stubBridge } from '../../test-forms'
import { GridSummaryPanel } from './GridSummaryPanel'

vi.setConfig({ testTimeout: 20_000 })

const summary: GridSummary = {
  id: 'g1',
  code: '451022-G03',
  name: '林逢网格',
  kind: 'area',
  centerName: null,
  managerName: null,
  geometrySource: null,
  villages: 1,
  households: 300,
  population: 1000,
  keyCustomers: 0,
  keyCustomersByTier: { A: 0, B: 0, C: 0 },
  visitsLast30Days: 0,
  intelLast30Days: 0,
  topVillages: [{ id: 'v1', name: '那坡村', households: 300 }],
  profileCompleteness: null,
  incompleteVillages: 0,
}

afterEach(() => {
  delete window.griddesk
})

describe('GridSummaryPanel village actions', () => {
  it('adds a village to the plan, and says why when it cannot', async () => {
    let refuse = false
    const call = stubBridge({})
    // A refusal from the core comes back as an envelope with its code and issues.
    call.mockImplementation(async (name: string) => {
      if (name === 'grids.summary') return { ok: true, value: summary }
      if (name === 'dayPlans.add')
        return refuse
          ? { ok: false, error: { code: 'VALIDATION', message: 'the target is in no grid', issues: [{ path: ['target', 'id'], message: 'noGrid' }] } }
          : { ok: true, value: { added: true, gridId: 'g1', count: 1 } }
      return { ok: false, error: { code: 'UNKNOWN_HANDLER', message: name } }
    })
    const navigate = vi.fn()
    await renderInApp(<GridSummaryPanel gridId="g1" onClose={() => {}} onNavigate={navigate} />)
    const plan = await screen.findByRole('button', { name: '加入计划' })
    await act(async () => fireEvent.click(plan))
    expect(await screen.findByText(/已加入 .* 的计划：那坡村/)).toBeTruthy()
    refuse = true
    await act(async () => fireEvent.click(plan))
    await waitFor(() => expect(screen.getByText(/^未能将那坡村加入计划：/)).toBeTruthy())
    fireEvent.click(screen.getByRole('button', { name: '记录拜访' }))
    expect(navigate).toHaveBeenCalledWith({ page: 'visits', gridId: 'g1', target: 'village:v1' })
  })
})
