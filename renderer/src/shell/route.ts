// Where the user is: the page and the selected grid, kept in the URL hash (`#/map?grid=<id>`) so
// a reload comes back to the same place. No router library: two fields do not need one.
import { useCallback, useEffect, useState } from 'react'
import { pages, type PageKey } from '../../../shared/domain'

export interface Route {
  page: PageKey
  gridId?: string
}

const pageKeys = pages.map((p) => p.key) as readonly string[]
const isPageKey = (value: string): value is PageKey => pageKeys.includes(value)

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2)
  const page = isPageKey(path) ? path : 'map'
  const gridId = new URLSearchParams(query).get('grid') ?? undefined
  return gridId ? { page, gridId } : { page }
}

export function formatRoute(route: Route): string {
  const query = route.gridId ? `?${new URLSearchParams({ grid: route.gridId })}` : ''
  return `#/${route.page}${query}`
}

export function useHashRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  const navigate = useCallback((next: Route) => {
    const hash = formatRoute(next)
    if (window.location.hash !== hash) window.location.hash = hash
    setRoute(parseRoute(hash))
  }, [])
  return [route, navigate]
}
