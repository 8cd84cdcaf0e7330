// The visit log's draft: the newest draft comes back once when the page opens (unless a target
// was handed over first), and every change is saved, debounced; the id the core gives the first
// save is kept. `dirty` is set by the form's own changes.
import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react'
import { call } from '../../api/client'
import { emptyForm, type VisitForm } from './visitForm'

const AUTOSAVE_MS = 600
export type DraftState = { kind: 'saving' } | { kind: 'saved'; at: string } | { kind: 'restored'; at: string } | null

export function useVisitDraft(form: VisitForm, setForm: Dispatch<SetStateAction<VisitForm>>, label: string | null, onError: (e: unknown) => void) {
  const [draftId, setDraftId] = useState<string | null>(null)
  const [draftState, setDraftState] = useState<DraftState>(null)
  const dirty = useRef(false)
  const loaded = useRef(false)

  // Restore the newest draft once, when the page opens.
  useEffect(() => {
    let live = true
    call('visits.drafts', {}).then(
      (drafts) => {
        if (!live) return
        const newest = drafts[0]
        if (newest && !dirty.current) {
          setForm({ ...emptyForm(), ...(newest.form as Partial<VisitForm>) })
          setDraftId(newest.id)
          setDraftState({ kind: 'restored', at: newest.savedAt })
        }
        loaded.current = true
      },
      () => (loaded.current = true),
    )
    return () => {
      live = false
    }
  }, [])

  // Autosave: every change, debounced; the id the core gives the first save is kept.
  const pending = useRef<(() => Promise<unknown>) | null>(null)
  const draftIdRef = useRef(draftId)
  draftIdRef.current = draftId
  useEffect(() => {
    if (!dirty.current || !loaded.current) return
    // "Saving" from the first keystroke: the page never says "saved" while a change is pending.
    setDraftState({ kind: 'saving' })
    const save = () => {
      pending.current = null
      return call('visits.saveDraft', { id: draftIdRef.current ?? undefined, form: form as unknown as Record<string, unknown>, label })
    }
    pending.current = save
    const timer = setTimeout(() => {
      save().then((d) => {
        setDraftId(d.id)
        setDraftState({ kind: 'saved', at: d.savedAt })
      }, onError)
    }, AUTOSAVE_MS)
    return () => clearTimeout(timer)
  }, [form, label])
  // Leaving the page within the debounce still keeps the last keystrokes.
  useEffect(
    () => () => {
      void pending.current?.().catch(() => undefined)
    },
    [],
  )

  return { draftId, setDraftId, draftState, setDraftState, dirty }
}
