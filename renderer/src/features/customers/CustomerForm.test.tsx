// The customer dialog does not lose typed notes: Esc, a click outside and 取消 ask first when the
// form was changed, "keep editing" keeps the text; an untouched form closes at once; a save says so.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { renderInApp, stubBridge } from '../../test-forms'
import { CustomerForm } from './CustomerForm'

// Mantine dialogs in jsdom on a shared 2-core machine: more than the 5 s default.
vi.setConfig({ testTimeout: 20_000 })

let calls: ReturnType<typeof stubBridge>
beforeEach(() => {
  calls = stubBridge({
    'villages.list': () => ({ rows: [], total: 0 }),
    'customers.tags': () => [],
    'customers.create': (input) => ({ id: 'c1', ...(input as object) }),
  })
})
afterEach(() => {
  delete window.griddesk
})

const dialog = () => screen.getByRole('dialog', { name: '新建关键客户' })
const notes = () => within(dialog()).getByLabelText('备注') as HTMLTextAreaElement

describe('CustomerForm', () => {
  it('closes at once when nothing was typed', async () => {
    const onClose = vi.fn()
    await renderInApp(<CustomerForm opened onClose={onClose} onSaved={() => {}} />)
    fireEvent.keyDown(dialog(), { key: 'Escape' })
    expect(onClose).toHaveBeenCalledTimes(1)
    expect(screen.queryByTestId('unsaved-stay')).toBeNull()
  })

  it('asks on Esc, on a click outside and on 取消; keep editing keeps the notes', async () => {
    const onClose = vi.fn()
    await renderInApp(<CustomerForm opened onClose={onClose} onSaved={() => {}} />)
    fireEvent.change(notes(), { target: { value: '想换千兆宽带，月底前再联系' } })

    fireEvent.keyDown(dialog(), { key: 'Escape' })
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-stay')))
    expect(onClose).not.toHaveBeenCalled()
    expect(notes().value).toBe('想换千兆宽带，月底前再联系')

    const overlay = document.querySelector('.mantine-Modal-overlay')!
    fireEvent.mouseDown(overlay)
    fireEvent.click(overlay)
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-stay')))
    expect(onClose).not.toHaveBeenCalled()

    fireEvent.click(screen.getByTestId('customer-cancel'))
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-leave')))
    expect(onClose).toHaveBeenCalledTimes(1)
  })

  it('confirms a save with a short toast', async () => {
    const onSaved = vi.fn()
    await renderInApp(<CustomerForm opened onClose={() => {}} onSaved={onSaved} />)
    fireEvent.change(within(dialog()).getByRole('textbox', { name: /名称|姓名/ }), { target: { value: '韦德明' } })
    await act(async () => fireEvent.click(screen.getByTestId('customer-save')))
    await waitFor(() => expect(onSaved).toHaveBeenCalled())
    expect(calls).toHaveBeenCalledWith('customers.create', expect.objectContaining({ name: '韦德明' }), 'zh-CN')
    expect(await screen.findByText('已保存')).toBeTruthy()
  })

  it('takes dates in a zh-CN picker as YYYY-MM-DD, typed with slashes too', async () => {
    await renderInApp(<CustomerForm opened onClose={() => {}} onSaved={() => {}} />)
    const expiry = dialog().querySelector('input[data-field="contractExpiry"]') as HTMLInputElement
    expect(expiry.type).not.toBe('date')
    expect(expiry.placeholder).toBe('选择日期')
    fireEvent.change(within(dialog()).getByRole('textbox', { name: /名称|姓名/ }), { target: { value: '韦德明' } })
    fireEvent.change(expiry, { target: { value: '2026/12/9' } })
    fireEvent.blur(expiry)
    await act(async () => fireEvent.click(screen.getByTestId('customer-save')))
    await waitFor(() => expect(calls).toHaveBeenCalledWith('customers.create', expect.objectContaining({ contractExpiry: '2026-12-09' }), 'zh-CN'))
  })
})
