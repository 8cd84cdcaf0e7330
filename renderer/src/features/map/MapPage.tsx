// The map page: the county with its grids and villages; a click on a grid opens its summary
// beside the map. `data-map-ready` on the root tells tests and the benchmark the grids are drawn.
import { Box, Group, Loader, Paper, Text } from '@mantine/core'
import { useCallback, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useCall } from '../../api/useCall'
import { CountyMap } from '../../map/CountyMap'
import { ErrorAlert } from '../../shell/errors'
import type { Route } from '../../shell/route'
import { GridSummaryPanel } from '../grids/GridSummaryPanel'
import { useOnSynced } from '../sync/useOnSynced'
import { useMapLayers } from './useMapLayers'

export interface MapPageProps {
  selectedGridId?: string
  onSelectGrid: (gridId: string | undefined) => void
  /** Layers other features put on the map page (e.g. competitor intel pins). */
  extraLayers?: ReactNode
  /** Where a popup's action goes (记录拜访, 打开档案...). */
  onNavigate?: (route: Route) => void
  /** A customer or village to fly to and open (`customer:<id>`, `village:<id>`). */
  select?: string
}

export function MapPage({ selectedGridId, onSelectGrid, extraLayers, onNavigate, select }: MapPageProps) {
  const { t } = useTranslation()
  const overview = useCall('map.overview', {})
  useOnSynced(overview.reload)
  const [ready, setReady] = useState(false)
  const markReady = useCallback(() => setReady(true), [])
  const extra = useMapLayers(overview.value, onSelectGrid, onNavigate, select)

  return (
    <Box data-page="map" data-map-ready={ready ? 'true' : 'false'} h="100%" style={{ display: 'flex', gap: 'var(--mantine-spacing-sm)', minHeight: 0 }}>
      <Box
        pos="relative"
        style={{
          flex: 1,
          minWidth: 0,
          borderRadius: 'var(--mantine-radius-md)',
          overflow: 'hidden',
          border: '1px solid var(--mantine-color-gray-3)',
          background: '#eef2f5',
        }}
      >
        {overview.error !== undefined && (
          <Box p="md">
            <ErrorAlert error={overview.error} onRetry={overview.reload} />
          </Box>
        )}
        {overview.loading && !overview.value && (
          <Group justify="center" h="100%">
            <Loader />
            <Text c="dimmed">{t('shell.loading')}</Text>
          </Group>
        )}
        {overview.value && overview.value.grids.features.length === 0 && (
          <Text p="md" c="dimmed">
            {t('map.empty')}
          </Text>
        )}
        {overview.value && overview.value.grids.features.length > 0 && (
          <>
            <CountyMap
              overview={extra.overview ?? overview.value}
              selectedGridId={selectedGridId}
              onSelectGrid={onSelectGrid}
              onReady={markReady}
              fillByGridCode={extra.gridFills}
              gridPopup={extra.gridPopup}
            >
              {extra.layers}
              {extraLayers}
            </CountyMap>
            {extra.overlays}
            {overview.value.generatedGeometry && (
              <Paper
                className="map-overlay"
                data-testid="generated-geometry-note"
                pos="absolute"
                bottom={10}
                left={10}
                px="sm"
                py={4}
                radius="sm"
                bg="yellow.0"
                withBorder
                style={{ borderColor: 'var(--mantine-color-yellow-5)' }}
              >
                <Text size="sm" c="yellow.9">
                  {t('map.generatedNote')}
                </Text>
              </Paper>
            )}
          </>
        )}
      </Box>
      {selectedGridId && (
        <Box w={340} style={{ flexShrink: 0, minHeight: 0 }}>
          <GridSummaryPanel gridId={selectedGridId} onClose={() => onSelectGrid(undefined)} onNavigate={onNavigate} />
        </Box>
      )}
    </Box>
  )
}
