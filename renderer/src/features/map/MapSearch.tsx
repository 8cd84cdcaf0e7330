// The map's search box: the one search (search.all: name, full pinyin, initials, phone, code) over
// villages, grids and key customers, best matches first, grouped by kind; debounced, a few at a
// time, so thousands of customers or villages never sit in the list. With nothing typed it lists
// the grids and villages on the map. Picking an option hands its value (`grid:<id>`,
// `village:<id>`, `customer:<id>`) to the map, which flies there.
import { Select, type ComboboxItemGroup, type OptionsFilter } from '@mantine/core'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { SearchHit } from '../../../../shared/api/search'
import { useSearchHits } from '../../shell/useSearch'

export interface SearchOption {
  value: string
  label: string
}

const HITS = 24
const PER_GROUP = 12
const KINDS: SearchHit['kind'][] = ['village', 'grid', 'customer']

/** Hits are shown as the core ranked them (pinyin and phone matches have no visible match). */
const asFound: OptionsFilter = ({ options }) => options

export function MapSearch({
  grids,
  villages,
  onPick,
  notice,
}: {
  grids: SearchOption[]
  villages: SearchOption[]
  onPick: (value: string) => void
  notice?: string | null
}) {
  const { t } = useTranslation()
  const [search, setSearch] = useState('')
  const { hits, pending } = useSearchHits(search, { kinds: KINDS, limit: HITS })
  const typing = search.trim() !== ''

  const data = useMemo((): ComboboxItemGroup<SearchOption>[] => {
    if (!typing)
      return [
        { group: t('mapView.searchGroup.grids'), items: grids.slice(0, PER_GROUP) },
        { group: t('mapView.searchGroup.villages'), items: villages.slice(0, PER_GROUP) },
      ]
    const label = (h: SearchHit) => (h.kind === 'customer' ? [h.name, h.context].filter(Boolean).join(' · ') : h.context ? `${h.name} · ${h.context}` : h.name)
    // Groups in the order of their best hit.
    const groups = new Map<SearchHit['kind'], SearchOption[]>()
    for (const h of hits) {
      const items = groups.get(h.kind) ?? []
      if (items.length < PER_GROUP) items.push({ value: `${h.kind}:${h.id}`, label: label(h) })
      groups.set(h.kind, items)
    }
    const groupName = {
      village: t('mapView.searchGroup.villages'),
      grid: t('mapView.searchGroup.grids'),
      customer: t('mapView.searchGroup.customers'),
      org: t('mapView.searchGroup.grids'),
    }
    return [...groups].map(([kind, items]) => ({ group: groupName[kind], items }))
  }, [typing, hits, villages, grids, t])

  return (
    <>
      <Select
        data-testid="map-search"
        size="xs"
        searchable
        clearable
        placeholder={t('mapView.searchPlaceholder')}
        aria-label={t('mapView.search')}
        data={data}
        filter={typing ? asFound : undefined}
        value={null}
        searchValue={search}
        onSearchChange={setSearch}
        onChange={(value) => {
          if (!value) return
          setSearch('')
          onPick(value)
        }}
        nothingFoundMessage={pending ? t('shell.loading') : t('mapView.nothingFound')}
        comboboxProps={{ zIndex: 1100 }}
        maxDropdownHeight={320}
      />
      {notice && (
        <div role="status" data-testid="map-search-notice" style={{ fontSize: 12, color: 'var(--mantine-color-orange-8)' }}>
          {notice}
        </div>
      )}
    </>
  )
}
