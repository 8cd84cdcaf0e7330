// The map's search box: grids and villages filtered here (they are all loaded for the map), key
// customers found by the core (customers.search: name, pinyin, initials, phone; debounced, a few
// at a time) so thousands of customers never sit in the list. Picking an option hands its value
// (`grid:<id>`, `village:<id>`, `customer:<id>`) to the map, which flies there.
import { Select, type ComboboxItem, type ComboboxItemGroup, type ComboboxParsedItem, type OptionsFilter } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { CustomerSearchHit } from '../../../../shared/api/customers'
import { call } from '../../api/client'

export interface SearchOption {
  value: string
  label: string
}

const CUSTOMER_HITS = 8
const PER_GROUP = 12

const isGroup = (item: ComboboxParsedItem): item is ComboboxItemGroup<ComboboxItem> => 'group' in item

/** Grids and villages by the label; customers as the core found them (pinyin and phone matches have no visible match). */
const filter: OptionsFilter = ({ options, search }) => {
  const text = search.trim().toLowerCase()
  const result: ComboboxParsedItem[] = []
  for (const item of options) {
    if (!isGroup(item)) {
      result.push(item)
      continue
    }
    const items = item.items.filter((o) => o.value.startsWith('customer:') || o.label.toLowerCase().includes(text)).slice(0, PER_GROUP)
    if (items.length > 0) result.push({ ...item, items })
  }
  return result
}

export function MapSearch({ grids, villages, onPick, notice }: { grids: SearchOption[]; villages: SearchOption[]; onPick: (value: string) => void; notice?: string | null }) {
  const { t } = useTranslation()
  const [search, setSearch] = useState('')
  const [query] = useDebouncedValue(search.trim(), 250)
  const [found, setFound] = useState<{ query: string; hits: CustomerSearchHit[] }>({ query: '', hits: [] })

  useEffect(() => {
    if (!query) return
    let current = true
    call('customers.search', { query, limit: CUSTOMER_HITS }).then(
      (hits) => current && setFound({ query, hits }),
      () => current && setFound({ query, hits: [] }),
    )
    return () => {
      current = false
    }
  }, [query])

  // Hits of an older query would point at the wrong people: shown only for what is typed now.
  const hits = found.query === search.trim() ? found.hits : []
  const pending = search.trim() !== '' && found.query !== search.trim()
  const data = useMemo(
    () => [
      { group: t('mapView.searchGroup.villages'), items: villages },
      { group: t('mapView.searchGroup.customers'), items: hits.map((c) => ({ value: `customer:${c.id}`, label: [c.name, c.villageName, c.tier && t('mapView.tier', { tier: c.tier })].filter(Boolean).join(' · ') })) },
      { group: t('mapView.searchGroup.grids'), items: grids },
    ],
    [hits, villages, grids, t],
  )

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
        filter={filter}
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
