// Loads one handler's answer for a component: value (the last one while the next loads), error,
// loading, and reload on demand.
import { useCallback, useEffect, useState } from 'react'
import type { HandlerName, Input, Output } from '../../../shared/api/contract'
import { call } from './client'

/** How many useCall reads are in flight: the shell's busy bar shows when one takes a while. */
let inFlight = 0
const listeners = new Set<() => void>()
const changed = (delta: number) => {
  inFlight += delta
  for (const listener of listeners) listener()
}
export const readsInFlight = {
  count: () => inFlight,
  subscribe(listener: () => void) {
    listeners.add(listener)
    return () => void listeners.delete(listener)
  },
}

export interface CallState<K extends HandlerName> {
  value: Output<K> | undefined
  error: unknown
  loading: boolean
  reload: () => void
}

/** `input` is compared by its JSON, so callers may pass a fresh object literal each render. */
export function useCall<K extends HandlerName>(name: K, input: Input<K> | null): CallState<K> {
  const key = input === null ? null : JSON.stringify(input)
  const [state, setState] = useState<{ key: string | null; value?: Output<K>; error?: unknown; loading: boolean }>({ key: null, loading: key !== null })
  const [generation, setGeneration] = useState(0)

  useEffect(() => {
    if (key === null) return
    let current = true
    setState((s) => ({ ...s, key, loading: true, error: undefined }))
    changed(1)
    call(name, JSON.parse(key) as Input<K>)
      .then(
        (value) => current && setState({ key, value, loading: false }),
        (error: unknown) => current && setState({ key, error, loading: false }),
      )
      .finally(() => changed(-1))
    return () => {
      current = false
    }
  }, [name, key, generation])

  const reload = useCallback(() => setGeneration((g) => g + 1), [])
  const fresh = state.key === key
  // The previous value stays while the next one loads (a search box should not blank its table).
  return { value: state.value, error: fresh ? state.error : undefined, loading: key !== null && (!fresh || state.loading), reload }
}
