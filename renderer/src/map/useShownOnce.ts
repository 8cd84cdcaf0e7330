// A Leaflet map made in a hidden tab (0 × 0) fits its bounds to NaN ("Invalid LatLng object"):
// maps are made once their box has had a size, and then kept.
import { useEffect, useState, type RefObject } from 'react'

/** True once the element has had a size. */
export function useShownOnce(ref: RefObject<HTMLElement | null>): boolean {
  const [shown, setShown] = useState(false)
  useEffect(() => {
    const el = ref.current
    if (!el || shown) return
    const check = () => {
      if (el.clientWidth > 0 && el.clientHeight > 0) setShown(true)
    }
    check()
    const observer = new ResizeObserver(check)
    observer.observe(el)
    return () => observer.disconnect()
  }, [ref, shown])
  return shown
}
