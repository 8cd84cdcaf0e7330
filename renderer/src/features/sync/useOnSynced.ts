// Pages that show synced data reload it when a sync finished (SYNCED_EVENT on window).
import { useEffect, useRef } from 'react'
import { SYNCED_EVENT } from './syncStore'

export function useOnSynced(reload: () => void): void {
  // The latest callback without re-subscribing on every render.
  const latest = useRef(reload)
  useEffect(() => {
    latest.current = reload
  })
  useEffect(() => {
    const listener = () => latest.current()
    window.addEventListener(SYNCED_EVENT, listener)
    return () => window.removeEventListener(SYNCED_EVENT, listener)
  }, [])
}
