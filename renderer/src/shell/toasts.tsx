// Short confirmations in the corner: a save says it is done; a stage move or a status change
// offers 撤销/Undo for a few seconds, and the undo goes through the same handlers as the change
// (so it is itself recorded and synced). One place for the look and the timing.
import { Button, Group, Text } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import type { TFunction } from 'i18next'
import { errorMessage } from './errors'

const SAVED_MS = 2500
const UNDO_MS = 8000

/** "已保存" (or the message given), gone after a moment. */
export function toastSaved(message: string): void {
  notifications.show({ message, color: 'teal', autoClose: SAVED_MS, withBorder: true, 'data-testid': 'toast-saved' } as Parameters<
    typeof notifications.show
  >[0])
}

/** A failure in the corner (an action that went wrong where no form shows it), in words. */
export function toastError(message: string): void {
  notifications.show({ message, color: 'red', autoClose: UNDO_MS, withBorder: true, 'data-testid': 'toast-error' } as Parameters<typeof notifications.show>[0])
}

/** A change with an undo button; `undo` reverts it through the normal handlers. A failed undo says why. */
export function toastUndo(t: TFunction, message: string, undo: () => Promise<unknown>, onUndone?: () => void): void {
  const id = notifications.show({
    color: 'blue',
    autoClose: UNDO_MS,
    withBorder: true,
    'data-testid': 'toast-undo',
    message: (
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Text size="sm">{message}</Text>
        <Button
          size="compact-sm"
          variant="light"
          data-testid="toast-undo-button"
          onClick={() => {
            notifications.hide(id)
            undo().then(
              () => {
                toastSaved(t('field.undo.undone'))
                onUndone?.()
              },
              (error: unknown) =>
                notifications.show({ color: 'red', autoClose: UNDO_MS, withBorder: true, message: t('field.undo.failed', { reason: errorMessage(t, error) }) }),
            )
          }}
        >
          {t('field.undo.undo')}
        </Button>
      </Group>
    ),
  } as Parameters<typeof notifications.show>[0])
}
