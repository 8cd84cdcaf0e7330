// The one search (search.all: name, full pinyin, initials, phone, code) for the renderer: the
// hits for what is typed now (debounced), and the props that turn a Mantine Select into a picker
// backed by it, so every picker finds 南立村委会 by "nl", "nlc" or "nanli" as the map does.
import type { ComboboxItem, OptionsFilter, SelectProps } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { SearchHit, SearchKind } from '../../../shared/api/search'
import { call } from '../api/client'

export interface SearchScope {
  kinds?: SearchKind[]
  gridId?: string | null
  limit?: number
}

/** Hits of `search` (trimmed); hits of an older query are never shown for the current one. */
export function useSearchHits(search: string, scope: SearchScope): { hits: SearchHit[]; pending: boolean } {
  const text = search.trim()
  const [query] = useDebouncedValue(text, 200)
  const [found, setFound] = useState<{ key: string; hits: SearchHit[] }>({ key: '', hits: [] })
  const kinds = scope.kinds?.join(',') ?? ''
  const key = query ? JSON.stringify([query, kinds, scope.gridId ?? null, scope.limit ?? 20]) : ''
  useEffect(() => {
    if (!key) return
    let current = true
    const [q, k, gridId, limit] = JSON.parse(key) as [string, string, string | null, number]
    call('search.all', { query: q, limit, ...(k ? { kinds: k.split(',') as SearchKind[] } : {}), ...(gridId ? { gridId } : {}) }).then(
      (hits) => current && setFound({ key, hits }),
      () => current && setFound({ key, hits: [] }),
    )
    return () => {
      current = false
    }
  }, [key])
  const fresh = text !== '' && query === text && found.key === key
  return { hits: fresh ? found.hits : [], pending: text !== '' && !fresh }
}

const byName = (h: SearchHit): ComboboxItem => ({ value: h.id, label: h.context ? `${h.name} · ${h.context}` : h.name })

/** Server-side results are shown as found: the Select must not filter them again by label. */
const asFound: OptionsFilter = ({ options }) => options

/**
 * Props for a searchable Select whose options come from the one search while something is typed,
 * and from `options` (e.g. the nearby or recent ones) otherwise. The chosen option keeps its label.
 */
export function useSearchSelect(
  scope: SearchScope & { options: ComboboxItem[]; toOption?: (hit: SearchHit) => ComboboxItem; value: string | null },
): Pick<SelectProps, 'data' | 'filter' | 'searchValue' | 'onSearchChange' | 'nothingFoundMessage' | 'searchable'> {
  const { t } = useTranslation()
  const [search, setSearch] = useState('')
  const [picked, setPicked] = useState<ComboboxItem | null>(null)
  const selected = scope.options.find((o) => o.value === scope.value) ?? (picked?.value === scope.value ? picked : null)
  // The box shows the chosen label: that is not a query.
  const typing = search.trim() !== '' && search !== selected?.label
  const { hits, pending } = useSearchHits(typing ? search : '', scope)
  const toOption = scope.toOption ?? byName
  const data = useMemo(() => {
    const shown = typing ? hits.map(toOption) : scope.options
    return selected && !shown.some((o) => o.value === selected.value) ? [...shown, selected] : shown
  }, [typing, hits, scope.options, selected, toOption])
  useEffect(() => {
    const option = data.find((o) => o.value === scope.value)
    if (option && option.value !== picked?.value) setPicked(option)
  }, [data, scope.value, picked])
  return {
    searchable: true,
    data,
    filter: typing ? asFound : undefined,
    searchValue: search,
    onSearchChange: setSearch,
    nothingFoundMessage: pending ? t('shell.loading') : t('search.nothingFound'),
  }
}
