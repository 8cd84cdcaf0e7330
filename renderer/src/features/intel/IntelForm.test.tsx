// The intel form keeps what was typed: Esc asks first and "keep editing" keeps the title; its days
// are zh-CN pickers that start on today's local day; a save says so.
import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { dayOf } from '../../../../shared/dates'
import { renderInApp, stubBridge } from '../../test-forms'
import { IntelForm } from './IntelForm'

// Mantine dialogs in jsdom on a shared 2-core machine: more than the 5 s default.
vi.setConfig({ testTimeout: 20_000 })

let calls: ReturnType<typeof stubBridge>
beforeEach(() => {
  calls = stubBridge({
    'villages.list': () => ({ rows: [], total: 0 }),
    'intel.create': (input) => ({ id: 'i1', ...(input as object) }),
  })
})
afterEach(() => {
  delete window.griddesk
})

const field = (name: string) => document.querySelector(`input[data-field="${name}"]`) as HTMLInputElement

describe('IntelForm', () => {
  it('asks before Esc drops a typed title, and keep editing keeps it', async () => {
    const onClose = vi.fn()
    await renderInApp(<IntelForm opened onClose={onClose} onSaved={() => {}} />)
    expect(field('seenAt').value).toBe(dayOf(new Date()))
    fireEvent.change(field('title'), { target: { value: '电信宽带99元包年' } })
    fireEvent.keyDown(screen.getByRole('dialog', { name: '登记竞争情报' }), { key: 'Escape' })
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-stay')))
    expect(onClose).not.toHaveBeenCalled()
    expect(field('title').value).toBe('电信宽带99元包年')
    fireEvent.click(screen.getByTestId('intel-cancel'))
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-leave')))
    expect(onClose).toHaveBeenCalledTimes(1)
  })

  it('sends the days typed in the pickers and confirms the save', async () => {
    const onSaved = vi.fn()
    await renderInApp(<IntelForm opened onClose={() => {}} onSaved={onSaved} />)
    fireEvent.change(field('title'), { target: { value: '联通59元校园卡' } })
    fireEvent.change(field('validTo'), { target: { value: '2027/1/31' } })
    await act(async () => fireEvent.click(screen.getByTestId('intel-save')))
    await waitFor(() => expect(onSaved).toHaveBeenCalled())
    expect(calls).toHaveBeenCalledWith(
      'intel.create',
      expect.objectContaining({ title: '联通59元校园卡', seenAt: dayOf(new Date()), validTo: '2027-01-31' }),
      'zh-CN',
    )
    expect(await screen.findByText('已保存')).toBeTruthy()
  })
})
