// Loads one handler's answer for a component: value (the last one while the next loads), error,
// loading, and reload on demand.
import { useCallback, useEffect, useState } from 'react'
import type { HandlerName, Input, Output } from '../../../shared/api/contract'
import { call } from './client'

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
    call(name, JSON.parse(key) as Input<K>).then(
      (value) => current && setState({ key, value, loading: false }),
      (error: unknown) => current && setState({ key, error, loading: false }),
    )
    return () => {
      current = false
    }
  }, [name, key, generation])

  const reload = useCallback(() => setGeneration((g) => g + 1), [])
  const fresh = state.key === key
  // The previous value stays while the next one loads (a search box should not blank its table).
  return { value: state.value, error: fresh ? state.error : undefined, loading: key !== null && (!fresh || state.loading), reload }
}
