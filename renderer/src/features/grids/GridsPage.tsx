// The grid list: search (debounced) over name, code and center; a row opens the grid's summary.
import { Box, Center, Group, Loader, ScrollArea, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { lazy, Suspense, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useCall } from '../../api/useCall'
import { ErrorAlert } from '../../shell/errors'
import { useNumberFormat } from '../../shell/format'
import type { Route } from '../../shell/route'
import { GridSummaryPanel } from './GridSummaryPanel'
import { OrgPanel } from './OrgPanel'

// The boundary editor (and the drawing library it loads) only when a boundary is edited.
const BoundaryEditor = lazy(() => import('./BoundaryEditor').then((m) => ({ default: m.BoundaryEditor })))

export interface GridsPageProps {
  selectedGridId?: string
  onSelectGrid: (gridId: string | undefined) => void
  onViewOnMap: (gridId: string) => void
  /** Where the grid panel's actions go (拜访, 记录拜访, 加入计划, 打开档案). */
  onNavigate?: (route: Route) => void
}

export function GridsPage({ selectedGridId, onSelectGrid, onViewOnMap, onNavigate }: GridsPageProps) {
  const { t } = useTranslation()
  const formatNumber = useNumberFormat()
  const [search, setSearch] = useState('')
  const [debouncedSearch] = useDebouncedValue(search.trim(), 250)
  const [view, setView] = useState<'list' | 'org'>('list')
  const [editingGridId, setEditingGridId] = useState<string | undefined>()
  const list = useCall('grids.list', editingGridId ? null : debouncedSearch ? { search: debouncedSearch } : {})
  const rows = list.value ?? []

  if (editingGridId)
    return (
      <Box data-page="grids" h="100%" style={{ minHeight: 0 }}>
        <Suspense
          fallback={
            <Center h="100%">
              <Loader />
            </Center>
          }
        >
          <BoundaryEditor gridId={editingGridId} onClose={() => setEditingGridId(undefined)} />
        </Suspense>
      </Box>
    )

  return (
    <Stack data-page="grids" h="100%" gap="sm" style={{ minHeight: 0 }}>
      <SegmentedControl
        size="xs"
        style={{ alignSelf: 'flex-start' }}
        value={view}
        onChange={(v) => setView(v as 'list' | 'org')}
        data={[
          { value: 'list', label: t('org.tabList') },
          { value: 'org', label: t('org.tabOrg') },
        ]}
        data-testid="grids-view"
      />
      {view === 'org' ? (
        <Box style={{ flex: 1, minHeight: 0 }}>
          <OrgPanel />
        </Box>
      ) : (
        <Box style={{ flex: 1, display: 'flex', gap: 'var(--mantine-spacing-md)', minHeight: 0 }}>
          <Stack gap="sm" style={{ flex: 1, minWidth: 0, minHeight: 0 }}>
            <Group justify="space-between" align="flex-end" wrap="nowrap">
              <Title order={2} size="h3">
                {t('grids.title')}
              </Title>
              <TextInput
                w={340}
                value={search}
                onChange={(event) => setSearch(event.currentTarget.value)}
                aria-label={t('grids.search')}
                placeholder={t('grids.searchPlaceholder')}
                rightSection={list.loading ? <Loader size={14} /> : null}
                data-testid="grid-search"
              />
            </Group>
            {list.error !== undefined && <ErrorAlert error={list.error} onRetry={list.reload} />}
            <Text size="sm" c="dimmed" aria-live="polite" data-testid="grid-count">
              {list.value ? `${t('grids.count', { count: rows.length })} · ${t('grids.hint')}` : t('shell.loading')}
            </Text>
            <ScrollArea type="auto" style={{ flex: 1, minHeight: 0 }}>
              <Table highlightOnHover stickyHeader verticalSpacing="xs" fz="sm" data-testid="grid-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('grids.col.code')}</Table.Th>
                    <Table.Th>{t('grids.col.name')}</Table.Th>
                    <Table.Th>{t('grids.col.kind')}</Table.Th>
                    <Table.Th>{t('grids.col.center')}</Table.Th>
                    <Table.Th ta="right">{t('grids.col.villages')}</Table.Th>
                    <Table.Th ta="right">{t('grids.col.households')}</Table.Th>
                    <Table.Th ta="right">{t('grids.col.keyCustomers')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((grid) => {
                    const selected = grid.id === selectedGridId
                    return (
                      <Table.Tr
                        key={grid.id}
                        data-grid-code={grid.code}
                        aria-selected={selected}
                        bg={selected ? 'var(--mantine-primary-color-light)' : undefined}
                        style={{ cursor: 'pointer' }}
                        tabIndex={0}
                        onClick={() => onSelectGrid(grid.id)}
                        onKeyDown={(event) => {
                          if (event.key === 'Enter' || event.key === ' ') {
                            event.preventDefault()
                            onSelectGrid(grid.id)
                          }
                        }}
                      >
                        <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                          {grid.code}
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{grid.name}</Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{t(`gridKind.${grid.kind ?? 'unknown'}`)}</Table.Td>
                        <Table.Td>{grid.centerName ?? t('grid.none')}</Table.Td>
                        <Table.Td ta="right">{formatNumber(grid.villages)}</Table.Td>
                        <Table.Td ta="right">{formatNumber(grid.households)}</Table.Td>
                        <Table.Td ta="right">{formatNumber(grid.keyCustomers)}</Table.Td>
                      </Table.Tr>
                    )
                  })}
                </Table.Tbody>
              </Table>
              {list.value && rows.length === 0 && (
                <Text c="dimmed" ta="center" py="xl">
                  {t('grids.empty')}
                </Text>
              )}
            </ScrollArea>
          </Stack>
          {selectedGridId && (
            <Box w={340} style={{ flexShrink: 0, minHeight: 0 }}>
              <GridSummaryPanel
                gridId={selectedGridId}
                onClose={() => onSelectGrid(undefined)}
                onViewOnMap={onViewOnMap}
                onEditBoundary={setEditingGridId}
                onNavigate={onNavigate}
              />
            </Box>
          )}
        </Box>
      )}
    </Stack>
  )
}
