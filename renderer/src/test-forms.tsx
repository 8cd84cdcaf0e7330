// Renders a form the way the app does (i18n, Mantine, no transitions) against a stubbed bridge:
// each handler name answers from `answers`, anything else is an unknown handler.
import { MantineProvider } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { I18nextProvider } from 'react-i18next'
import { vi } from 'vitest'
import type { Envelope } from '../../shared/errors'
import type { SyncStatus } from '../../shared/api/sync'
import { LocalisedDates } from './shell/DateField'
import { createI18n } from './shell/i18n'

export type Answers = Record<string, (input: unknown) => unknown>

/** Installs window.griddesk answering from `answers`; returns the spy of calls. */
export function stubBridge(answers: Answers) {
  const call = vi.fn(async (name: string, input: unknown): Promise<Envelope<unknown>> => {
    const answer = answers[name]
    if (!answer) return { ok: false, error: { code: 'UNKNOWN_HANDLER', message: name } }
    return { ok: true, value: answer(input) }
  })
  window.griddesk = { call }
  return call
}

export async function renderInApp(ui: ReactNode, language: 'zh-CN' | 'en' = 'zh-CN') {
  const i18n = await createI18n(language)
  return render(
    <I18nextProvider i18n={i18n}>
      <MantineProvider env="test">
        <LocalisedDates>
          <Notifications />
          {ui}
        </LocalisedDates>
      </MantineProvider>
    </I18nextProvider>,
  )
}

/** A sync status as the core reports it: enrolled with HQ, nothing waiting; override what a test is about. */
export const syncStatusOf = (overrides: Partial<SyncStatus> = {}): SyncStatus => ({
  enrolled: true,
  server: 'http://hq',
  deviceId: 'd',
  user: null,
  regions: [],
  pendingChanges: 0,
  openConflicts: 0,
  rejectedChanges: [],
  rejectedCount: 0,
  lastSyncAt: null,
  lastError: null,
  lastErrorCode: null,
  cursor: 0,
  clockOffsetMs: 0,
  running: null,
  reachable: null,
  reachableCheckedAt: null,
  storeDamaged: null,
  ...overrides,
})
