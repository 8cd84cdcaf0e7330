// The village list (villages.list): search, grid filter, "incomplete profiles only", sortable
// columns, pages of 100 rows filtered, sorted and cut in SQL so thousands of villages stay quick;
// a row opens the profile beside it.
import {
  Box,
  Button,
  Checkbox,
  Group,
  Loader,
  Pagination,
  Progress,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { Fragment, useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { VillageListRow, VillageSortKey } from '../../../../shared/api/villages'
import { INCOMPLETE_BELOW } from '../../../../shared/profile'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { useOnSynced } from '../sync/useOnSynced'
import { useNumberFormat } from '../../shell/format'
import { ImportDialog } from './ImportDialog'
import { completenessColor } from './completeness'
import { isUnsaved, useConfirmLeave } from '../../shell/unsaved'
import { VILLAGE_PROFILE_FORM, VillageProfilePanel } from './VillageProfilePanel'
import type { Route } from '../../shell/route'

const PAGE_SIZE = 100

// `wide` columns make room for the profile panel when it is open (a 1366-px laptop screen).
const allColumns: { key: VillageSortKey; numeric?: boolean; wide?: boolean }[] = [
  { key: 'divisionCode' },
  { key: 'name' },
  { key: 'townshipName', wide: true },
  { key: 'gridName' },
  { key: 'households', numeric: true },
  { key: 'population', numeric: true, wide: true },
  { key: 'penetrationPct', numeric: true, wide: true },
  { key: 'fibreCovered', wide: true },
  { key: 'completeness', numeric: true },
]

export function VillagesPage({ selectId, onNavigate }: { selectId?: string; onNavigate?: (route: Route) => void }) {
  const { t } = useTranslation()
  const [search, setSearch] = useState('')
  const [debouncedSearch] = useDebouncedValue(search.trim(), 250)
  const [gridId, setGridId] = useState<string | null>(null)
  const [incompleteOnly, setIncompleteOnly] = useState(false)
  const [sort, setSort] = useState<{ key: VillageSortKey; order: 'asc' | 'desc' }>({ key: 'divisionCode', order: 'asc' })
  const [page, setPage] = useState(1)
  const [selectedId, setSelectedId] = useState<string | undefined>(selectId)
  useEffect(() => {
    if (selectId) setSelectedId(selectId)
  }, [selectId])
  // Another village replaces the profile being edited: a dirty one asks first.
  const leave = useConfirmLeave()
  const select = (id: string) => {
    if (id !== selectedId) leave.ask(isUnsaved(VILLAGE_PROFILE_FORM), () => setSelectedId(id))
  }
  const [importing, setImporting] = useState(false)
  const grids = useCall('grids.list', { limit: 1000 })
  const list = useCall('villages.list', {
    ...(debouncedSearch ? { search: debouncedSearch } : {}),
    ...(gridId ? { gridId } : {}),
    ...(incompleteOnly ? { incompleteOnly } : {}),
    sort: sort.key,
    order: sort.order,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  })
  // A sync may bring other devices' and HQ's edits.
  useOnSynced(() => {
    list.reload()
    grids.reload()
  })
  const rows = list.value?.rows ?? []
  const total = list.value?.total ?? 0
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
  const columns = selectedId ? allColumns.filter((c) => !c.wide) : allColumns

  const sortBy = (key: VillageSortKey) => {
    setSort((s) => (s.key === key ? { key, order: s.order === 'asc' ? 'desc' : 'asc' } : { key, order: 'asc' }))
    setPage(1)
  }

  return (
    <Box data-page="villages" h="100%" style={{ display: 'flex', gap: 'var(--mantine-spacing-md)', minHeight: 0 }}>
      <Stack gap="sm" style={{ flex: 1, minWidth: 0, minHeight: 0 }}>
        <Group justify="space-between" align="flex-end" wrap="nowrap" gap="sm">
          <Title order={2} size="h3" style={{ whiteSpace: 'nowrap' }}>
            {t('villages.title')}
          </Title>
          <Group gap="sm" wrap="nowrap">
            <TextInput
              w={230}
              value={search}
              onChange={(event) => {
                setSearch(event.currentTarget.value)
                setPage(1)
              }}
              aria-label={t('villages.search')}
              placeholder={t('villages.searchPlaceholder')}
              rightSection={list.loading ? <Loader size={14} /> : null}
              data-testid="village-search"
            />
            <Select
              w={190}
              aria-label={t('villages.gridFilter')}
              placeholder={t('villages.allGrids')}
              clearable
              searchable
              value={gridId}
              onChange={(value) => {
                setGridId(value)
                setPage(1)
              }}
              data={(grids.value ?? []).map((g) => ({ value: g.id, label: g.name }))}
              data-testid="village-grid-filter"
            />
            <Button onClick={() => setImporting(true)} data-testid="open-import">
              {t('villageImport.open')}
            </Button>
          </Group>
        </Group>
        {list.error !== undefined && <ErrorAlert error={list.error} onRetry={list.reload} />}
        <Group justify="space-between" wrap="nowrap" gap="sm">
          <Text size="sm" c="dimmed" aria-live="polite" data-testid="village-count">
            {list.value ? `${t('villages.count', { count: total })} · ${t('villages.hint')}` : t('shell.loading')}
          </Text>
          <Checkbox
            size="sm"
            label={t('villages.incompleteOnly', { pct: Math.round(INCOMPLETE_BELOW * 100) })}
            checked={incompleteOnly}
            onChange={(event) => {
              setIncompleteOnly(event.currentTarget.checked)
              setPage(1)
            }}
            styles={{ label: { whiteSpace: 'nowrap' } }}
            data-testid="village-incomplete-filter"
          />
        </Group>
        <ScrollArea type="auto" style={{ flex: 1, minHeight: 0 }}>
          <Table highlightOnHover stickyHeader verticalSpacing={6} fz="sm" data-testid="village-table">
            <Table.Thead>
              <Table.Tr>
                {columns.map((column) => (
                  <Table.Th
                    key={column.key}
                    ta={column.numeric ? 'right' : undefined}
                    aria-sort={sort.key === column.key ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}
                    style={{ whiteSpace: 'nowrap' }}
                  >
                    <UnstyledButton
                      fz="sm"
                      fw={600}
                      onClick={() => sortBy(column.key)}
                      title={t('villages.sortBy', { column: t(`villages.col.${column.key}`) })}
                      data-sort={column.key}
                    >
                      {t(`villages.col.${column.key}`)}
                      <Text span c={sort.key === column.key ? 'blue' : 'gray.4'} ml={4} aria-hidden>
                        {sort.key === column.key ? (sort.order === 'asc' ? '▲' : '▼') : '↕'}
                      </Text>
                    </UnstyledButton>
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((village) => (
                <VillageRow
                  key={village.id}
                  village={village}
                  shown={columns.map((c) => c.key)}
                  selected={village.id === selectedId}
                  onSelect={() => select(village.id)}
                />
              ))}
            </Table.Tbody>
          </Table>
          {list.value && rows.length === 0 && (
            <Text c="dimmed" ta="center" py="xl">
              {t('villages.empty')}
            </Text>
          )}
        </ScrollArea>
        {pages > 1 && (
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {t('villages.page', { page, pages })}
            </Text>
            <Pagination size="sm" total={pages} value={page} onChange={setPage} data-testid="village-pages" />
          </Group>
        )}
      </Stack>
      {selectedId && (
        <Box w={400} style={{ flexShrink: 0, minHeight: 0 }}>
          <VillageProfilePanel villageId={selectedId} onClose={() => setSelectedId(undefined)} onSaved={list.reload} onNavigate={onNavigate} />
        </Box>
      )}
      {leave.dialog}
      <ImportDialog
        opened={importing}
        onClose={() => setImporting(false)}
        onImported={() => {
          list.reload()
          grids.reload()
        }}
      />
    </Box>
  )
}

function VillageRow({ village, shown, selected, onSelect }: { village: VillageListRow; shown: VillageSortKey[]; selected: boolean; onSelect: () => void }) {
  const { t } = useTranslation()
  const formatNumber = useNumberFormat()
  const none = t('grid.none')
  const pct = Math.round(village.completeness * 100)
  const cells: Partial<Record<VillageSortKey, ReactNode>> = {
    divisionCode: (
      <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>
        {village.divisionCode}
      </Table.Td>
    ),
    name: (
      <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="village-name">
        {village.name}
      </Table.Td>
    ),
    townshipName: <Table.Td style={{ whiteSpace: 'nowrap' }}>{village.townshipName ?? none}</Table.Td>,
    gridName: <Table.Td style={{ whiteSpace: 'nowrap' }}>{village.gridName ?? none}</Table.Td>,
    households: <Table.Td ta="right">{village.households === null ? none : formatNumber(village.households)}</Table.Td>,
    population: <Table.Td ta="right">{village.population === null ? none : formatNumber(village.population)}</Table.Td>,
    penetrationPct: <Table.Td ta="right">{village.penetrationPct === null ? none : `${village.penetrationPct.toFixed(1)}%`}</Table.Td>,
    fibreCovered: <Table.Td>{village.fibreCovered === null ? none : village.fibreCovered ? t('villages.yes') : t('villages.no')}</Table.Td>,
    completeness: (
      <Table.Td data-completeness={pct}>
        <Group gap={6} wrap="nowrap" justify="flex-end">
          <Progress value={pct} w={48} size="sm" color={completenessColor(pct)} aria-hidden />
          <Text span size="xs" w={32} ta="right">
            {pct}%
          </Text>
        </Group>
      </Table.Td>
    ),
  }
  return (
    <Table.Tr
      data-village-code={village.divisionCode}
      aria-selected={selected}
      bg={selected ? 'var(--mantine-primary-color-light)' : undefined}
      style={{ cursor: 'pointer' }}
      tabIndex={0}
      onClick={onSelect}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault()
          onSelect()
        }
      }}
    >
      {shown.map((key) => (
        <Fragment key={key}>{cells[key]}</Fragment>
      ))}
    </Table.Tr>
  )
}
