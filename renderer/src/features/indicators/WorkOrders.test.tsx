// The work order form: a typed title is not lost to Esc (the guard asks, keep editing keeps it),
// the due field is a zh-CN date picker whose day is sent as that day's end here, and a status
// change (done, cancelled) can be undone from its toast through workOrders.update.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WorkOrderRow } from '../../../../shared/api/indicators'
import { endOfDay } from '../../../../shared/dates'
import { renderInApp, stubBridge } from '../../test-forms'
import { WorkOrderList } from './WorkOrders'

const row: WorkOrderRow = {
  id: 'w1',
  title: '回访韦德明',
  description: null,
  origin: 'manual',
  status: 'open',
  orgUnitCode: null,
  orgUnitName: null,
  customerId: null,
  customerName: null,
  visitId: null,
  assigneeUserId: null,
  assigneeName: null,
  dueAt: endOfDay('2026-12-09'),
  slaHours: null,
  createdAt: '2026-12-01T02:00:00Z',
  closedAt: null,
  light: 'green',
  hoursLeft: 40,
  overdue: false,
}
// Mantine dialogs in jsdom on a shared 2-core machine: more than the 5 s default.
vi.setConfig({ testTimeout: 20_000 })

let calls: ReturnType<typeof stubBridge>
beforeEach(() => {
  calls = stubBridge({
    'workOrders.list': () => [row],
    'workOrders.assignees': () => [],
    'grids.list': () => [],
    'workOrders.update': () => row,
  })
})
afterEach(() => {
  delete window.griddesk
})

describe('WorkOrderForm', () => {
  it('asks before Esc drops a typed title; keep editing keeps it', async () => {
    await renderInApp(<WorkOrderList />)
    fireEvent.click(await screen.findByTestId('wo-new'))
    const title = (await screen.findByTestId('wo-title')) as HTMLInputElement
    fireEvent.change(title, { target: { value: '整改5G弱覆盖' } })
    fireEvent.keyDown(screen.getByRole('dialog', { name: '新建工单' }), { key: 'Escape' })
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-stay')))
    expect((screen.getByTestId('wo-title') as HTMLInputElement).value).toBe('整改5G弱覆盖')
    fireEvent.keyDown(screen.getByRole('dialog', { name: '新建工单' }), { key: 'Escape' })
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-leave')))
    await waitFor(() => expect(screen.queryByTestId('wo-title')).toBeNull())
  })

  it('shows the due day in local time and offers undo for a status change', async () => {
    await renderInApp(<WorkOrderList />)
    const table = await screen.findByTestId('wo-table')
    await within(table).findByText('回访韦德明')
    // 23:59:59 local is a due day: shown as the day alone.
    expect(within(table).getByText('2026-12-09')).toBeTruthy()
    fireEvent.click(within(table).getByText('编辑工单'))
    const form = await screen.findByRole('dialog', { name: '编辑工单' })
    expect((within(form).getByTestId('wo-due') as HTMLInputElement).value).toBe('2026-12-09')
    fireEvent.click(within(form).getByRole('combobox', { name: '状态' }))
    fireEvent.click(await screen.findByRole('option', { name: '已完成' }))
    await act(async () => fireEvent.click(within(form).getByTestId('wo-save')))
    await waitFor(() =>
      expect(calls).toHaveBeenCalledWith(
        'workOrders.update',
        expect.objectContaining({ id: 'w1', patch: expect.objectContaining({ status: 'done' }) }),
        'zh-CN',
      ),
    )
    const toast = await screen.findByText('工单“回访韦德明”已改为已完成')
    await act(async () => fireEvent.click(within(toast.closest('.mantine-Notification-root') as HTMLElement).getByRole('button', { name: '撤销' })))
    await waitFor(() => expect(calls).toHaveBeenCalledWith('workOrders.update', { id: 'w1', patch: { status: 'open' } }, 'zh-CN'))
  })
})
