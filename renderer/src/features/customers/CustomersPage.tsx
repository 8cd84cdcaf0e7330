// The key customer list (customers.list): a search box that understands pinyin and initials,
// filters (grid, category, tier, stage, rival, tag, expiring contracts), sortable columns, pages of
// 100 cut in SQL; a row opens the customer beside the list.
import { Badge, Box, Button, Group, Loader, Pagination, ScrollArea, Select, Stack, Table, Text, TextInput, Title, UnstyledButton } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Route } from '../../shell/route'
import type { CustomerListRow, CustomerSortKey } from '../../../../shared/api/customers'
import { dayOf } from '../../../../shared/dates'
import {
  customerCategories,
  funnelStages,
  rivals,
  valueTiers,
  type CustomerCategory,
  type FunnelStage,
  type Rival,
  type ValueTier,
} from '../../../../shared/domain'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { useMoneyFormat } from '../../shell/format'
import { CustomerForm } from './CustomerForm'
import { CustomerImportDialog } from './CustomerImportDialog'
import { CustomerPanel, tierColour } from './CustomerPanel'

const PAGE_SIZE = 100
const columns: { key: CustomerSortKey | 'phone'; sortable: boolean; wide?: boolean }[] = [
  { key: 'name', sortable: true },
  { key: 'tier', sortable: true },
  { key: 'villageName', sortable: true },
  { key: 'phone', sortable: false, wide: true },
  { key: 'funnelStage', sortable: true },
  { key: 'monthlyRevenue', sortable: true, wide: true },
  { key: 'contractExpiry', sortable: true },
  { key: 'nextFollowUp', sortable: true, wide: true },
  { key: 'lastVisit', sortable: true, wide: true },
]

export function CustomersPage({ gridId: initialGrid, selectId, onNavigate }: { gridId?: string; selectId?: string; onNavigate?: (route: Route) => void }) {
  const { t } = useTranslation()
  const [search, setSearch] = useState('')
  const [debounced] = useDebouncedValue(search.trim(), 200)
  const [filters, setFilters] = useState<{
    gridId?: string
    category?: CustomerCategory
    tier?: ValueTier
    stage?: FunnelStage
    rival?: Rival
    tag?: string
    expiringWithinDays?: number
  }>(initialGrid ? { gridId: initialGrid } : {})
  const [sort, setSort] = useState<{ key: CustomerSortKey; order: 'asc' | 'desc' }>({ key: 'name', order: 'asc' })
  const [page, setPage] = useState(1)
  const [selectedId, setSelectedId] = useState<string | undefined>(selectId)
  useEffect(() => {
    if (selectId) setSelectedId(selectId)
  }, [selectId])
  const [creating, setCreating] = useState(false)
  const [importing, setImporting] = useState(false)
  const grids = useCall('grids.list', { limit: 1000 })
  const tags = useCall('customers.tags', {})
  const list = useCall('customers.list', {
    ...(debounced ? { search: debounced } : {}),
    ...filters,
    sort: sort.key,
    order: sort.order,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  })
  const rows = list.value?.rows ?? []
  const total = list.value?.total ?? 0
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
  const shown = selectedId ? columns.filter((c) => !c.wide) : columns

  const setFilter = <K extends keyof typeof filters>(key: K, value: (typeof filters)[K] | null) => {
    setFilters((f) => {
      const next = { ...f }
      if (value === null || value === undefined) delete next[key]
      else next[key] = value
      return next
    })
    setPage(1)
  }
  const sortBy = (key: CustomerSortKey) => {
    setSort((s) => (s.key === key ? { key, order: s.order === 'asc' ? 'desc' : 'asc' } : { key, order: 'asc' }))
    setPage(1)
  }
  const opt = (prefix: string) => (v: string) => ({ value: v, label: t(`${prefix}.${v}`) })
  const filterProps = { size: 'xs' as const, clearable: true, placeholder: t('customers.filters.all') }

  return (
    <Box data-page="customers" h="100%" style={{ display: 'flex', gap: 'var(--mantine-spacing-md)', minHeight: 0 }}>
      <Stack gap="xs" style={{ flex: 1, minWidth: 0, minHeight: 0 }}>
        <Group justify="space-between" align="flex-end" wrap="nowrap" gap="sm">
          <Title order={2} size="h3" style={{ whiteSpace: 'nowrap' }}>
            {t('customers.title')}
          </Title>
          <Group gap="sm" wrap="nowrap">
            <TextInput
              w={280}
              value={search}
              onChange={(e) => {
                setSearch(e.currentTarget.value)
                setPage(1)
              }}
              aria-label={t('customers.search')}
              placeholder={t('customers.searchPlaceholder')}
              rightSection={list.loading ? <Loader size={14} /> : null}
              data-testid="customer-search"
            />
            <Button variant="default" onClick={() => setImporting(true)} data-testid="open-customer-import">
              {t('customers.import')}
            </Button>
            <Button onClick={() => setCreating(true)} data-testid="new-customer">
              {t('customers.new')}
            </Button>
          </Group>
        </Group>
        <Group gap={6} wrap="wrap" data-testid="customer-filters">
          <Select
            {...filterProps}
            w={150}
            searchable
            aria-label={t('customers.filters.grid')}
            placeholder={t('customers.filters.grid')}
            value={filters.gridId ?? null}
            onChange={(v) => setFilter('gridId', v ?? undefined)}
            data={(grids.value ?? []).map((g) => ({ value: g.id, label: g.name }))}
          />
          <Select
            {...filterProps}
            w={110}
            aria-label={t('customers.filters.category')}
            placeholder={t('customers.filters.category')}
            value={filters.category ?? null}
            onChange={(v) => setFilter('category', (v ?? undefined) as CustomerCategory | undefined)}
            data={customerCategories.map(opt('customers.category'))}
          />
          <Select
            {...filterProps}
            w={90}
            aria-label={t('customers.filters.tier')}
            placeholder={t('customers.filters.tier')}
            value={filters.tier ?? null}
            onChange={(v) => setFilter('tier', (v ?? undefined) as ValueTier | undefined)}
            data={valueTiers.map((v) => ({ value: v, label: t('customers.tierLabel', { tier: v }) }))}
            data-testid="filter-tier"
          />
          <Select
            {...filterProps}
            w={90}
            aria-label={t('customers.filters.stage')}
            placeholder={t('customers.filters.stage')}
            value={filters.stage ?? null}
            onChange={(v) => setFilter('stage', (v ?? undefined) as FunnelStage | undefined)}
            data={funnelStages.map(opt('customers.stage'))}
          />
          <Select
            {...filterProps}
            w={120}
            aria-label={t('customers.filters.rival')}
            placeholder={t('customers.filters.rival')}
            value={filters.rival ?? null}
            onChange={(v) => setFilter('rival', (v ?? undefined) as Rival | undefined)}
            data={rivals.map(opt('customers.rival'))}
          />
          <Select
            {...filterProps}
            w={110}
            aria-label={t('customers.filters.tag')}
            placeholder={t('customers.filters.tag')}
            value={filters.tag ?? null}
            onChange={(v) => setFilter('tag', v ?? undefined)}
            data={tags.value ?? []}
          />
          <Select
            {...filterProps}
            w={130}
            aria-label={t('customers.filters.expiring')}
            placeholder={t('customers.filters.expiring')}
            value={filters.expiringWithinDays === undefined ? null : String(filters.expiringWithinDays)}
            onChange={(v) => setFilter('expiringWithinDays', v === null ? undefined : Number(v))}
            data={[30, 60, 90, 180].map((d) => ({ value: String(d), label: t('customers.expiringIn', { days: d }) }))}
          />
          {Object.keys(filters).length > 0 && (
            <Button
              size="xs"
              variant="subtle"
              onClick={() => {
                setFilters({})
                setPage(1)
              }}
            >
              {t('customers.filters.clear')}
            </Button>
          )}
        </Group>
        {list.error !== undefined && <ErrorAlert error={list.error} onRetry={list.reload} />}
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="customer-count">
          {list.value ? t('customers.count', { count: total }) : t('shell.loading')}
        </Text>
        <ScrollArea type="auto" style={{ flex: 1, minHeight: 0 }}>
          <Table highlightOnHover stickyHeader verticalSpacing={5} fz="sm" data-testid="customer-table">
            <Table.Thead>
              <Table.Tr>
                {shown.map((c) => (
                  <Table.Th
                    key={c.key}
                    style={{ whiteSpace: 'nowrap' }}
                    aria-sort={sort.key === c.key ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {c.sortable ? (
                      <UnstyledButton
                        fz="sm"
                        fw={600}
                        onClick={() => sortBy(c.key as CustomerSortKey)}
                        title={t('customers.sortBy', { column: t(`customers.col.${c.key}`) })}
                        data-sort={c.key}
                      >
                        {t(`customers.col.${c.key}`)}
                        <Text span c={sort.key === c.key ? 'blue' : 'gray.4'} ml={4} aria-hidden>
                          {sort.key === c.key ? (sort.order === 'asc' ? '▲' : '▼') : '↕'}
                        </Text>
                      </UnstyledButton>
                    ) : (
                      t(`customers.col.${c.key}`)
                    )}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <CustomerRow key={row.id} row={row} shown={shown.map((c) => c.key)} selected={row.id === selectedId} onSelect={() => setSelectedId(row.id)} />
              ))}
            </Table.Tbody>
          </Table>
          {list.value && rows.length === 0 && (
            <Text c="dimmed" ta="center" py="xl">
              {t('customers.empty')}
            </Text>
          )}
        </ScrollArea>
        {pages > 1 && (
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {t('customers.page', { page, pages })}
            </Text>
            <Pagination size="sm" total={pages} value={page} onChange={setPage} />
          </Group>
        )}
      </Stack>
      {selectedId && (
        <Box w={420} style={{ flexShrink: 0, minHeight: 0 }}>
          <CustomerPanel
            customerId={selectedId}
            onNavigate={onNavigate}
            onClose={() => setSelectedId(undefined)}
            onChanged={() => {
              list.reload()
              tags.reload()
            }}
          />
        </Box>
      )}
      <CustomerForm
        opened={creating}
        onClose={() => setCreating(false)}
        onSaved={(c) => {
          setCreating(false)
          list.reload()
          setSelectedId(c.id)
        }}
      />
      <CustomerImportDialog opened={importing} onClose={() => setImporting(false)} onImported={() => list.reload()} />
    </Box>
  )
}

function CustomerRow({ row, shown, selected, onSelect }: { row: CustomerListRow; shown: string[]; selected: boolean; onSelect: () => void }) {
  const { t } = useTranslation()
  const none = t('customers.none')
  const money = useMoneyFormat()
  const today = dayOf(new Date())
  const cells: Record<string, React.ReactNode> = {
    name: (
      <Text span size="sm" fw={500} data-testid="customer-row-name">
        {row.name}
      </Text>
    ),
    tier: row.tier ? (
      <Badge size="sm" radius="sm" color={tierColour[row.tier]} variant="light">
        {row.tier}
      </Badge>
    ) : (
      none
    ),
    villageName: row.villageName ?? none,
    phone: row.phone ?? none,
    funnelStage: t(`customers.stage.${row.funnelStage}`),
    monthlyRevenue: row.monthlyRevenue === null ? none : money(row.monthlyRevenue),
    contractExpiry: row.contractExpiry ? (
      <Text span size="sm" c={row.contractExpiry < today ? 'dimmed' : row.contractExpiry <= addDays(today, 60) ? 'orange.8' : undefined}>
        {row.contractExpiry}
      </Text>
    ) : (
      none
    ),
    nextFollowUp: row.nextFollowUp ? (
      <Text span size="sm" c={row.nextFollowUp < today ? 'red.7' : undefined}>
        {row.nextFollowUp}
      </Text>
    ) : (
      none
    ),
    lastVisit: row.lastVisitAt ? dayOf(row.lastVisitAt) : none,
  }
  return (
    <Table.Tr
      data-customer-id={row.id}
      aria-selected={selected}
      bg={selected ? 'var(--mantine-primary-color-light)' : undefined}
      style={{ cursor: 'pointer' }}
      tabIndex={0}
      onClick={onSelect}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault()
          onSelect()
        }
      }}
    >
      {shown.map((key) => (
        <Table.Td key={key} style={{ whiteSpace: 'nowrap' }} ta={key === 'monthlyRevenue' ? 'right' : undefined}>
          {cells[key]}
        </Table.Td>
      ))}
    </Table.Tr>
  )
}

/** A calendar day n days on (date arithmetic on the day itself, no time zone in it). */
const addDays = (day: string, n: number) => dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000), 'UTC')
