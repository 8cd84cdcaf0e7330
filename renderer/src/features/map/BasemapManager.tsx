// Offline basemaps: the list (name, CRS, zooms, size, attribution), import of a raster MBTiles
// file chosen in the file chooser (Electron's native dialog gives its path; browser mode uploads it
// first, POST /upload, and adds the uploaded copy), removal after a confirmation (the file goes: no undo). The choice of basemap is the map panel's.
import { Alert, Button, FileButton, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core'
import { useCallback, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Basemap, BasemapCrs } from '../../../../shared/api/map'
import { basemapCrsList } from '../../../../shared/api/map'
import { AppError } from '../../../../shared/errors'
import { call, pickImportFile, uploadFile } from '../../api/client'
import { errorMessage } from '../../shell/errors'
import { toastSaved } from '../../shell/toasts'
import { HqBasemaps } from './HqBasemaps'

export function BasemapManager({
  opened,
  onClose,
  basemaps,
  onChanged,
  onUse,
}: {
  opened: boolean
  onClose: () => void
  basemaps: Basemap[]
  onChanged: () => void
  onUse: (id: string | null) => void
}) {
  const { t } = useTranslation()
  const [name, setName] = useState('')
  const [crs, setCrs] = useState<string>('file')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const [added, setAdded] = useState<Basemap>()
  const [removing, setRemoving] = useState<Basemap | null>(null)

  const describe = useCallback(
    (e: unknown) => {
      const details = e instanceof AppError ? e.details : undefined
      const reason = details?.reason
      return typeof reason === 'string' ? t(`mapView.basemapErrors.${reason}`, { ...details, defaultValue: errorMessage(t, e) }) : errorMessage(t, e)
    },
    [t],
  )
  const downloaded = useCallback(
    (id: string) => {
      onChanged()
      onUse(id)
    },
    [onChanged, onUse],
  )
  const add = async (choose: () => Promise<{ path: string } | null>) => {
    setBusy(true)
    setError(undefined)
    setAdded(undefined)
    try {
      const chosen = await choose()
      if (!chosen) return
      const source = { path: chosen.path }
      const basemap = await call('basemaps.add', {
        source,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(crs !== 'file' ? { crs: crs as BasemapCrs } : {}),
      })
      setAdded(basemap)
      setName('')
      onChanged()
      onUse(basemap.id)
    } catch (e) {
      setError(describe(e))
    } finally {
      setBusy(false)
    }
  }
  const remove = async (basemap: Basemap) => {
    setRemoving(null)
    try {
      await call('basemaps.remove', { id: basemap.id })
      toastSaved(t('mapView.removed', { name: basemap.name }))
      onChanged()
    } catch (e) {
      setError(describe(e))
    }
  }

  return (
    <Modal
      opened={opened}
      onClose={() => {
        setRemoving(null)
        onClose()
      }}
      title={t('mapView.basemapsTitle')}
      size="xl"
      zIndex={1200}
    >
      <Stack gap="sm">
        {removing && (
          <Alert color="red" variant="light" data-testid="basemap-remove-confirm">
            <Text size="sm">{t('mapView.removeConfirm', { name: removing.name })}</Text>
            <Group gap="xs" mt="xs">
              <Button size="xs" color="red" onClick={() => void remove(removing)} data-testid="basemap-remove-yes">
                {t('mapView.removeYes')}
              </Button>
              <Button size="xs" variant="default" onClick={() => setRemoving(null)} data-testid="basemap-remove-no" data-autofocus>
                {t('mapView.removeNo')}
              </Button>
            </Group>
          </Alert>
        )}
        {basemaps.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('mapView.noBasemaps')}
          </Text>
        ) : (
          <Table striped withTableBorder fz="xs" data-testid="basemap-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('mapView.col.name')}</Table.Th>
                <Table.Th>{t('mapView.col.crs')}</Table.Th>
                <Table.Th>{t('mapView.col.zoom')}</Table.Th>
                <Table.Th>{t('mapView.col.tiles')}</Table.Th>
                <Table.Th>{t('mapView.col.attribution')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {basemaps.map((b) => (
                <Table.Tr key={b.id} data-basemap-id={b.id}>
                  <Table.Td>{b.name}</Table.Td>
                  <Table.Td>{b.crs}</Table.Td>
                  <Table.Td>
                    {b.minzoom}–{b.maxzoom}
                  </Table.Td>
                  <Table.Td>
                    {b.tiles.toLocaleString('zh-CN')} · {(b.bytes / 1024 / 1024).toFixed(1)} MB
                  </Table.Td>
                  <Table.Td>{b.attribution ?? '—'}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-xs" variant="light" onClick={() => onUse(b.id)}>
                        {t('mapView.use')}
                      </Button>
                      <Button size="compact-xs" variant="subtle" color="red" onClick={() => setRemoving(b)} data-testid="basemap-remove">
                        {t('mapView.remove')}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Text size="sm" fw={600}>
          {t('mapView.hq.title')}
        </Text>
        <Text size="xs" c="dimmed">
          {t('mapView.hq.hint')}
        </Text>
        {opened && <HqBasemaps describe={describe} onDone={downloaded} />}
        <Text size="sm" fw={600}>
          {t('mapView.addBasemap')}
        </Text>
        <Text size="xs" c="dimmed">
          {t('mapView.addHint')}
        </Text>
        <Group grow align="flex-end">
          <TextInput
            size="xs"
            label={t('mapView.basemapName')}
            placeholder={t('mapView.basemapNameHint')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Select
            size="xs"
            label={t('mapView.col.crs')}
            allowDeselect={false}
            value={crs}
            onChange={(v) => setCrs(v ?? 'file')}
            data={[{ value: 'file', label: t('mapView.crsFromFile') }, ...basemapCrsList.map((c) => ({ value: c, label: c }))]}
            comboboxProps={{ zIndex: 1300 }}
          />
        </Group>
        <Group>
          {pickImportFile ? (
            <Button size="xs" variant="default" loading={busy} onClick={() => void add(() => pickImportFile!('basemaps'))} data-testid="basemap-file">
              {t('mapView.chooseFile')}
            </Button>
          ) : (
            <FileButton accept=".mbtiles,.pmtiles" onChange={(file) => file && void add(() => uploadFile(file))}>
              {(props) => (
                <Button size="xs" variant="default" loading={busy} {...props} data-testid="basemap-file">
                  {t('mapView.chooseFile')}
                </Button>
              )}
            </FileButton>
          )}
        </Group>
        {error && (
          <Alert color="red" variant="light" role="alert" data-testid="basemap-error">
            {error}
          </Alert>
        )}
        {added && (
          <Alert color="green" variant="light" data-testid="basemap-added">
            {t('mapView.added', { name: added.name, tiles: added.tiles, crs: added.crs })}
            {added.crs !== 'WGS-84' && ` ${t('mapView.shifted', { crs: added.crs })}`}
          </Alert>
        )}
      </Stack>
    </Modal>
  )
}
