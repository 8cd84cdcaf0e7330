// The indicator dialogs keep typed work: a changed threshold or a typed actual is not lost to Esc
// or a click outside (the guard asks, keep editing keeps it, discard closes); a clean dialog closes
// at once; a save says so in a toast.
import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { IndicatorRow } from '../../../../shared/api/indicators'
import { renderInApp, stubBridge } from '../../test-forms'
import { ActualRecordModal } from './ActualsDialogs'
import { ThresholdsModal } from './ThresholdsModal'

const indicator: IndicatorRow = {
  code: 'fttr_new',
  nameZh: 'FTTR 新增',
  nameEn: 'FTTR adds',
  unit: '户',
  direction: 'higher_better',
  yellowBelowPp: -5,
  redBelowPp: -10,
}
vi.setConfig({ testTimeout: 20_000 })

beforeEach(() => {
  stubBridge({
    'indicators.list': () => [indicator],
    'indicators.setThresholds': () => ({ ...indicator, yellowBelowPp: -3 }),
    'actuals.history': () => [],
    'actuals.record': () => ({ id: 'a1' }),
  })
})
afterEach(() => {
  delete window.griddesk
})

const clickOutside = () => {
  const overlay = document.querySelector('.mantine-Modal-overlay')
  if (!overlay) throw new Error('no overlay')
  fireEvent.mouseDown(overlay)
  fireEvent.click(overlay)
}

describe('ThresholdsModal', () => {
  it('closes at once when nothing changed', async () => {
    const onClose = vi.fn()
    await renderInApp(<ThresholdsModal opened onClose={onClose} onSaved={() => {}} />)
    await screen.findByLabelText('黄灯：落后超过（百分点）')
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' })
    expect(onClose).toHaveBeenCalledTimes(1)
    expect(screen.queryByTestId('unsaved-stay')).toBeNull()
  })

  it('asks before Esc drops a changed threshold; keep editing keeps it, a save toasts and closes freely', async () => {
    const onClose = vi.fn()
    await renderInApp(<ThresholdsModal opened onClose={onClose} onSaved={() => {}} />)
    const yellow = (await screen.findByLabelText('黄灯：落后超过（百分点）')) as HTMLInputElement
    fireEvent.change(yellow, { target: { value: '-3' } })
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' })
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-stay')))
    expect(onClose).not.toHaveBeenCalled()
    expect(yellow.value).toBe('-3')
    await act(async () => fireEvent.click(screen.getByRole('button', { name: '保存' })))
    await screen.findByText('已保存“FTTR 新增”的阈值')
    await waitFor(() => expect(screen.queryByTestId('unsaved-stay')).toBeNull())
    fireEvent.keyDown(screen.getAllByRole('dialog')[0]!, { key: 'Escape' })
    expect(onClose).toHaveBeenCalledTimes(1)
  })
})

describe('ActualRecordModal', () => {
  it('asks before a click outside drops a typed value; discard closes', async () => {
    const onClose = vi.fn()
    await renderInApp(<ActualRecordModal opened onClose={onClose} onRecorded={() => {}} units={[]} period="2026-12" />)
    const value = (await screen.findByLabelText('完成值')) as HTMLInputElement
    fireEvent.change(value, { target: { value: '42' } })
    clickOutside()
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-stay')))
    expect(onClose).not.toHaveBeenCalled()
    expect(value.value).toBe('42')
    fireEvent.keyDown(screen.getAllByRole('dialog')[0]!, { key: 'Escape' })
    await act(async () => fireEvent.click(await screen.findByTestId('unsaved-leave')))
    expect(onClose).toHaveBeenCalledTimes(1)
  })
})
