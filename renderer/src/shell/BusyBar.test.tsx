// The busy bar appears only for a read that takes over 300 ms, and goes when the answer arrives.
import { act, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { useCall } from '../api/useCall'
import { renderInApp, stubBridge } from '../test-forms'
import { BUSY_DELAY_MS, BusyBar } from './BusyBar'

function Reader() {
  const grids = useCall('grids.list', { limit: 10 })
  return <p>{grids.value ? 'loaded' : 'waiting'}</p>
}

const sleep = (ms: number) => act(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

afterEach(() => {
  delete window.griddesk
})

describe('BusyBar', () => {
  it('shows after 300 ms of waiting and hides when the answer comes', async () => {
    let answer!: (value: unknown[]) => void
    stubBridge({ 'grids.list': () => new Promise((resolve) => (answer = resolve)) })
    await renderInApp(
      <>
        <BusyBar />
        <Reader />
      </>,
    )
    await sleep(BUSY_DELAY_MS - 150)
    expect(screen.queryByTestId('busy-bar')).toBeNull()
    await sleep(300)
    expect(screen.getByRole('status').textContent).toBe('正在加载…')
    await act(async () => answer([]))
    await screen.findByText('loaded')
    expect(screen.queryByTestId('busy-bar')).toBeNull()
  })

  it('never shows for a quick answer', async () => {
    stubBridge({ 'grids.list': () => [] })
    await renderInApp(
      <>
        <BusyBar />
        <Reader />
      </>,
    )
    await screen.findByText('loaded')
    await sleep(BUSY_DELAY_MS + 100)
    expect(screen.queryByTestId('busy-bar')).toBeNull()
  })
})
