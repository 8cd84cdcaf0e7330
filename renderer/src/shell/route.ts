// Where the user is: the page and the selected grid, kept in the URL hash (`#/map?grid=<id>`) so
// a reload comes back to the same place. No router library: two fields do not need one.
import { useCallback, useEffect, useState } from 'react'
import { pages, type PageKey } from '../../../shared/domain'

export interface Route {
  page: PageKey
  gridId?: string
  /** Visits: log a visit to this target (`customer:<id>` or `village:<id>`). */
  target?: string
  /** The record to open or show on the page (a customer, a village: `customer:<id>`, `village:<id>`). */
  select?: string
}

const pageKeys = pages.map((p) => p.key) as readonly string[]
const isPageKey = (value: string): value is PageKey => pageKeys.includes(value)

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2)
  const page = isPageKey(path) ? path : 'map'
  const params = new URLSearchParams(query)
  const route: Route = { page }
  const gridId = params.get('grid')
  if (gridId) route.gridId = gridId
  const target = params.get('target')
  if (target) route.target = target
  const select = params.get('select')
  if (select) route.select = select
  return route
}

export function formatRoute(route: Route): string {
  const params = new URLSearchParams()
  if (route.gridId) params.set('grid', route.gridId)
  if (route.target) params.set('target', route.target)
  if (route.select) params.set('select', route.select)
  const query = params.size > 0 ? `?${params}` : ''
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
