// The unsaved-changes guard: a dirty form counts as unsaved (the window's close is held back), its
// close asks first, "keep editing" keeps it open and "discard" closes it; a clean form closes at once.
import { MantineProvider } from '@mantine/core'
import { act, fireEvent, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { I18nextProvider } from 'react-i18next'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { i18n as I18n } from 'i18next'
import { createI18n } from './i18n'
import { hasUnsavedChanges, isUnsaved, useBeforeUnloadGuard, useUnsavedGuard } from './unsaved'

let i18n: I18n
beforeAll(async () => {
  i18n = await createI18n('zh-CN')
})

function Form({ onClose }: { onClose: () => void }) {
  const [text, setText] = useState('')
  const { dialog, guard } = useUnsavedGuard('test-form', text !== '')
  useBeforeUnloadGuard()
  return (
    <>
      {dialog}
      <input aria-label="notes" value={text} onChange={(e) => setText(e.currentTarget.value)} />
      <button onClick={() => guard(onClose)}>close</button>
    </>
  )
}

const renderForm = (onClose: () => void) =>
  render(
    <I18nextProvider i18n={i18n}>
      <MantineProvider env="test">
        <Form onClose={onClose} />
      </MantineProvider>
    </I18nextProvider>,
  )

const unload = () => {
  const event = new Event('beforeunload', { cancelable: true })
  window.dispatchEvent(event)
  return event.defaultPrevented
}

describe('useUnsavedGuard', () => {
  it('closes a clean form at once and lets the window go', () => {
    const onClose = vi.fn()
    renderForm(onClose)
    expect(hasUnsavedChanges()).toBe(false)
    expect(unload()).toBe(false)
    fireEvent.click(screen.getByText('close'))
    expect(onClose).toHaveBeenCalledTimes(1)
    expect(screen.queryByText('有未保存的修改')).toBeNull()
  })

  it('asks before a dirty form closes: keep editing keeps the text, discard closes', async () => {
    const onClose = vi.fn()
    const { unmount } = renderForm(onClose)
    fireEvent.change(screen.getByLabelText('notes'), { target: { value: '客户说下月续约' } })
    expect(isUnsaved('test-form')).toBe(true)
    expect(unload()).toBe(true)

    fireEvent.click(screen.getByText('close'))
    expect(await screen.findByText('有未保存的修改')).toBeTruthy()
    expect(screen.getByText('离开后，刚才填写的内容将丢失。')).toBeTruthy()
    await act(async () => fireEvent.click(screen.getByTestId('unsaved-stay')))
    expect(onClose).not.toHaveBeenCalled()
    expect((screen.getByLabelText('notes') as HTMLInputElement).value).toBe('客户说下月续约')
    expect(isUnsaved('test-form')).toBe(true)

    fireEvent.click(screen.getByText('close'))
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-leave')))
    expect(onClose).toHaveBeenCalledTimes(1)
    expect(isUnsaved('test-form')).toBe(false)
    unmount()
    expect(hasUnsavedChanges()).toBe(false)
  })
})
