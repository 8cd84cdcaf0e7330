// Forms with unsaved changes say so, and whatever would close them (another page, Esc, a click
// outside a dialog, the window) asks first. A form registers while it is dirty; the shell's
// navigation and each dialog's close ask through the same confirmation.
import { Button, Group, Modal, Text } from '@mantine/core'
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

const dirtyForms = new Set<string>()

/** Marks the form as holding unsaved changes while `dirty` is true (and while it is mounted). */
export function useUnsavedChanges(id: string, dirty: boolean): void {
  useEffect(() => {
    if (dirty) dirtyForms.add(id)
    else dirtyForms.delete(id)
    return () => {
      dirtyForms.delete(id)
    }
  }, [id, dirty])
}

export const hasUnsavedChanges = () => dirtyForms.size > 0
/** Whether one form (by its id) holds unsaved changes: a page asks before it swaps that form out. */
export const isUnsaved = (id: string) => dirtyForms.has(id)
/** Forget every registration (the user chose to discard). */
export const forgetUnsavedChanges = () => dirtyForms.clear()

/** The window's own close or reload asks too. */
export function useBeforeUnloadGuard(): void {
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!hasUnsavedChanges()) return
      e.preventDefault()
      e.returnValue = ''
    }
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [])
}

/**
 * A confirmation to leave a dirty form: `ask(dirty, leave)` runs `leave` at once when nothing is
 * unsaved, else after the user chose to discard. Render `dialog` once.
 */
export function useConfirmLeave(): { dialog: ReactNode; ask: (dirty: boolean, leave: () => void) => void } {
  const { t } = useTranslation()
  const [opened, setOpened] = useState(false)
  const pending = useRef<(() => void) | null>(null)
  const ask = useCallback((dirty: boolean, leave: () => void) => {
    if (!dirty) return leave()
    pending.current = leave
    setOpened(true)
  }, [])
  const dialog = (
    <Modal opened={opened} onClose={() => setOpened(false)} title={t('field.guard.title')} centered zIndex={4000} size="sm" data-testid="unsaved-dialog">
      <Text size="sm">{t('field.guard.body')}</Text>
      <Group justify="flex-end" mt="md" gap="xs">
        <Button variant="default" size="xs" onClick={() => setOpened(false)} data-testid="unsaved-stay" data-autofocus>
          {t('field.guard.stay')}
        </Button>
        <Button
          color="red"
          size="xs"
          onClick={() => {
            setOpened(false)
            const leave = pending.current
            pending.current = null
            leave?.()
          }}
          data-testid="unsaved-leave"
        >
          {t('field.guard.leave')}
        </Button>
      </Group>
    </Modal>
  )
  return { dialog, ask }
}

/**
 * The guard of one form: it counts as unsaved while `dirty` (so another page and the window's close
 * ask), and `guard(close)` runs `close` at once when clean, else after the user chose to discard.
 * Wrap every way the form closes in it (a modal's onClose covers Esc, the outside click and ×).
 * Render `dialog` beside the form, not inside its modal (an Esc in the question must not reach it).
 */
export function useUnsavedGuard(id: string, dirty: boolean): { dialog: ReactNode; guard: (close: () => void) => void } {
  useUnsavedChanges(id, dirty)
  const { dialog, ask } = useConfirmLeave()
  const dirtyNow = useRef(dirty)
  dirtyNow.current = dirty
  const guard = useCallback(
    (close: () => void) =>
      ask(dirtyNow.current, () => {
        dirtyForms.delete(id)
        close()
      }),
    [ask, id],
  )
  return { dialog, guard }
}
