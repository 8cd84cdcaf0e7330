// What the visit log's field components share: a change to one part of the form made from its
// newest value, and the per-field messages (by field path) with a way to clear one once edited.
import type { VisitForm } from './visitForm'

export type FieldChange<T> = (change: (value: T) => T) => void
export type FormUpdate = (patch: Partial<VisitForm> | ((f: VisitForm) => Partial<VisitForm>)) => void

export interface FieldErrors {
  err: (key: string) => string | undefined
  clearError: (key: string) => void
}
