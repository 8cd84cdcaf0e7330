import { MantineProvider } from '@mantine/core'
import { fireEvent, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { I18nextProvider } from 'react-i18next'
import { describe, expect, it, vi } from 'vitest'
import { ErrorBoundary } from './ErrorBoundary'
import { createI18n } from './i18n'

let fail = true
function Flaky() {
  const [n] = useState(() => Math.random())
  if (fail) throw new Error('boom')
  return <p data-testid="ok">{n > -1 ? 'fine' : ''}</p>
}

describe('ErrorBoundary', () => {
  it('shows the translated message, logs the error, and reloads only its page', async () => {
    const i18n = await createI18n('zh-CN')
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    render(
      <I18nextProvider i18n={i18n}>
        <MantineProvider>
          <p data-testid="outside">header</p>
          <ErrorBoundary scope="page" name="visits">
            <Flaky />
          </ErrorBoundary>
        </MantineProvider>
      </I18nextProvider>,
    )
    expect(screen.getByTestId('error-boundary-page').textContent).toContain('本页面出错了')
    expect(screen.getByTestId('outside').textContent).toBe('header')
    expect(log.mock.calls.some((c) => String(c[0]).includes('page visits failed'))).toBe(true)
    expect((window as unknown as { __griddeskErrors: { name: string }[] }).__griddeskErrors.at(-1)!.name).toBe('visits')
    fail = false
    fireEvent.click(screen.getByTestId('error-boundary-reload'))
    expect(screen.getByTestId('ok').textContent).toBe('fine')
    log.mockRestore()
  })
})
