// The actions on a visit target where the user meets it (customer page, grid panel): 记录拜访,
// 加入计划 (today's plan of its grid), 打开档案, 在地图上显示. Map popups build the same as DOM
// (targetActionElements) because Leaflet popups live outside React.
import { Button, Group, Text } from '@mantine/core'
import type { TFunction } from 'i18next'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { VisitTargetKind } from '../../../../shared/api/visits'
import { dayOf } from '../../../../shared/dates'
import { call } from '../../api/client'
import { errorMessage } from '../../shell/errors'
import type { Route } from '../../shell/route'
import { toastError } from '../../shell/toasts'

export type TargetAction = 'log' | 'plan' | 'profile' | 'map'

export interface ActionTarget {
  kind: VisitTargetKind
  id: string
  name: string
  gridId: string | null
}

/** Where an action goes; 'plan' adds to today's plan and says so. */
export async function runTargetAction(t: TFunction, action: TargetAction, target: ActionTarget, navigate: (route: Route) => void): Promise<string | null> {
  const ref = `${target.kind}:${target.id}`
  if (action === 'log') navigate({ page: 'visits', gridId: target.gridId ?? undefined, target: ref })
  else if (action === 'profile') navigate(target.kind === 'customer' ? { page: 'customers', select: ref } : { page: 'villages', select: ref })
  else if (action === 'map') navigate({ page: 'map', gridId: target.gridId ?? undefined, select: ref })
  else {
    const date = dayOf(new Date())
    try {
      const result = await call('dayPlans.add', { date, target: { kind: target.kind, id: target.id } })
      return t(result.added ? 'field.actions.addedToPlan' : 'field.actions.alreadyInPlan', { date, name: target.name })
    } catch (error) {
      toastError(t('field.actions.planFailed', { name: target.name, reason: errorMessage(t, error) }))
      return null
    }
  }
  return null
}

const labels: Record<TargetAction, string> = {
  log: 'field.actions.logVisit',
  plan: 'field.actions.addToPlan',
  profile: 'field.actions.openProfile',
  map: 'field.actions.showOnMap',
}

export function TargetActions({ target, actions, onNavigate }: { target: ActionTarget; actions: TargetAction[]; onNavigate: (route: Route) => void }) {
  const { t } = useTranslation()
  const [note, setNote] = useState<string | null>(null)
  return (
    <div>
      <Group gap={4} data-testid="target-actions">
        {actions.map((a) => (
          <Button
            key={a}
            size="compact-xs"
            variant={a === 'log' ? 'filled' : 'light'}
            data-action={a}
            onClick={() => void runTargetAction(t, a, target, onNavigate).then(setNote, () => setNote(null))}
          >
            {t(labels[a])}
          </Button>
        ))}
      </Group>
      {note && (
        <Text size="xs" c="green.8" mt={2} data-testid="target-action-note">
          {note}
        </Text>
      )}
    </div>
  )
}

/** The same actions as plain DOM for a Leaflet popup (no HTML strings). */
export function targetActionElements(t: TFunction, target: ActionTarget, actions: TargetAction[], navigate: (route: Route) => void): HTMLElement {
  const row = document.createElement('div')
  row.className = 'map-popup-actions'
  row.dataset.testid = 'popup-actions'
  const note = document.createElement('div')
  note.className = 'map-popup-note'
  for (const a of actions) {
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = t(labels[a])
    button.dataset.action = a
    button.addEventListener('click', () => {
      void runTargetAction(t, a, target, navigate).then(
        (text) => {
          note.textContent = text ?? ''
        },
        () => undefined,
      )
    })
    row.append(button)
  }
  const wrap = document.createElement('div')
  wrap.append(row, note)
  return wrap
}
