// The application shell: header (name, language switch), navigation over the pages of
// shared/domain, first-run welcome, and the page for the current route.
import { AppShell, Box, Center, Group, Loader, NavLink, SegmentedControl, Stack, Text, Title } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { lazy, Suspense, useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { pages } from '../../../shared/domain'
import { languages, type Language } from '../../../shared/i18n'
import { useCall } from '../api/useCall'
import { IntelPins } from '../features/intel/IntelPins'
import { MapPage } from '../features/map/MapPage'
import { StoreDamagedAlert } from '../features/sync/StoreDamagedAlert'
import { SyncIndicator } from '../features/sync/SyncIndicator'
import { BusyBar } from './BusyBar'
import { ErrorBoundary } from './ErrorBoundary'
import { ErrorAlert } from './errors'
import { currentLanguage, switchLanguage } from './i18n'
import { useHashRoute, type Route } from './route'
import { forgetUnsavedChanges, hasUnsavedChanges, useBeforeUnloadGuard, useConfirmLeave } from './unsaved'

// Pages beyond the map load on first visit: the map draws without their code (charts, forms).
const IndicatorsPage = lazy(() => import('../features/indicators/IndicatorsPage').then((m) => ({ default: m.IndicatorsPage })))
const ReportsPage = lazy(() => import('../features/reports/ReportsPage').then((m) => ({ default: m.ReportsPage })))
const VillagesPage = lazy(() => import('../features/villages/VillagesPage').then((m) => ({ default: m.VillagesPage })))
const CustomersPage = lazy(() => import('../features/customers/CustomersPage').then((m) => ({ default: m.CustomersPage })))
const IntelPage = lazy(() => import('../features/intel/IntelPage').then((m) => ({ default: m.IntelPage })))
// The grids page (boundary editor, village assignment) and the first-run welcome (imports) are not the map either.
const GridsPage = lazy(() => import('../features/grids/GridsPage').then((m) => ({ default: m.GridsPage })))
const WelcomePanel = lazy(() => import('../features/welcome/WelcomePanel').then((m) => ({ default: m.WelcomePanel })))
const SyncPage = lazy(() => import('../features/sync/SyncPage').then((m) => ({ default: m.SyncPage })))
const VisitsPage = lazy(() => import('../features/visits/VisitsPage').then((m) => ({ default: m.VisitsPage })))

export function App() {
  const { t, i18n } = useTranslation()
  const [route, go] = useHashRoute()
  /** The user chose 连接总部 on the welcome screen: their first sync ends on their map. */
  const [connecting, setConnecting] = useState(false)
  const leave = useConfirmLeave()
  useBeforeUnloadGuard()
  // Another page closes the forms of this one: a dirty form asks first.
  const navigate = useCallback(
    (next: Route) =>
      leave.ask(hasUnsavedChanges(), () => {
        forgetUnsavedChanges()
        go(next)
      }),
    [go, leave.ask],
  )
  const info = useCall('app.info', {})
  const language = currentLanguage(i18n)

  useEffect(() => {
    document.title = `${t('app.name')} · ${t(`nav.${route.page}`)}`
  }, [t, route.page])

  return (
    <>
      {leave.dialog}
      <Notifications position="bottom-right" zIndex={5000} limit={4} />
      <AppShell header={{ height: 52 }} navbar={{ width: 184, breakpoint: 0 }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap" align="baseline">
              <Title order={1} size="h3" c="blue.8">
                {t('app.name')}
              </Title>
              <Text size="sm" c="dimmed" truncate>
                {t('app.tagline')}
              </Text>
            </Group>
            <Group gap="sm" wrap="nowrap">
              <SyncIndicator onOpen={() => navigate({ page: 'sync' })} />
              <SegmentedControl
                size="xs"
                aria-label={t('lang.label')}
                value={language}
                onChange={(value) => void switchLanguage(i18n, value as Language)}
                data={languages.map((lng) => ({ value: lng, label: lng === 'en' ? t('lang.en') : t('lang.zh') }))}
                data-testid="language-switch"
              />
            </Group>
          </Group>
          <BusyBar />
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label={t('shell.navLabel')}>
          <Stack gap={2} component="nav">
            {pages.map((page) => (
              <NavLink
                key={page.key}
                component="a"
                href={`#/${page.key}`}
                active={route.page === page.key}
                label={t(`nav.${page.key}`)}
                onClick={(event) => {
                  event.preventDefault()
                  navigate({ page: page.key })
                }}
                data-nav={page.key}
                styles={{ label: { fontSize: 'var(--mantine-font-size-md)' } }}
              />
            ))}
          </Stack>
        </AppShell.Navbar>
        <AppShell.Main h="100dvh" style={{ display: 'flex', flexDirection: 'column' }}>
          <StoreDamagedAlert onOpen={() => navigate({ page: 'sync' })} />
          <Box style={{ flex: 1, minHeight: 0 }}>
            <Suspense
              fallback={
                <Center h="100%">
                  <Loader />
                </Center>
              }
            >
              {/* One boundary per page: a page that throws shows a message, the rest of the app keeps working. */}
              <ErrorBoundary key={route.page} scope="page" name={route.page}>
                <Content route={route} navigate={navigate} info={info} connecting={connecting} setConnecting={setConnecting} />
              </ErrorBoundary>
            </Suspense>
          </Box>
        </AppShell.Main>
      </AppShell>
    </>
  )
}

function Content({
  route,
  navigate,
  info,
  connecting,
  setConnecting,
}: {
  route: Route
  navigate: (route: Route) => void
  info: ReturnType<typeof useCall<'app.info'>>
  connecting: boolean
  setConnecting: (on: boolean) => void
}) {
  // Reachable before any data: a new device enrols and pulls its regions from here.
  // Connecting from the welcome screen, the first sync that brings the user's regions ends on their map.
  if (route.page === 'sync')
    return (
      <SyncPage
        onSynced={() => {
          info.reload()
          if (connecting) {
            setConnecting(false)
            navigate({ page: 'map' })
          }
        }}
        demoLoaded={info.value?.demoLoaded}
        // With the demo gone the first-run screen comes back (it shows while the store holds no grids).
        onDemoCleared={() => {
          info.reload()
          navigate({ page: 'map' })
        }}
      />
    )
  if (info.error !== undefined) return <ErrorAlert error={info.error} onRetry={info.reload} />
  if (!info.value)
    return (
      <Center h="100%">
        <Loader />
      </Center>
    )
  if (info.value.counts.grids === 0)
    return (
      <WelcomePanel
        onConnect={() => {
          setConnecting(true)
          navigate({ page: 'sync' })
        }}
        onLoaded={() => {
          info.reload()
          navigate({ page: 'map' })
        }}
      />
    )
  if (route.page === 'reports') return <ReportsPage />
  if (route.page === 'indicators') return <IndicatorsPage />
  if (route.page === 'villages') return <VillagesPage selectId={selectOf(route, 'village')} onNavigate={navigate} />
  if (route.page === 'customers') return <CustomersPage gridId={route.gridId} selectId={selectOf(route, 'customer')} onNavigate={navigate} />
  if (route.page === 'intel') return <IntelPage />
  if (route.page === 'visits') return <VisitsPage initialGridId={route.gridId} target={route.target} onNavigate={navigate} />
  if (route.page === 'grids')
    return (
      <GridsPage
        selectedGridId={route.gridId}
        onSelectGrid={(gridId) => navigate({ page: 'grids', gridId })}
        onViewOnMap={(gridId) => navigate({ page: 'map', gridId })}
        onNavigate={navigate}
      />
    )
  return (
    <MapPage
      selectedGridId={route.gridId}
      select={route.select}
      onSelectGrid={(gridId) => navigate({ page: 'map', gridId })}
      extraLayers={<IntelPins />}
      onNavigate={navigate}
    />
  )
}

/** The id of `kind:<id>` in the route's select, when it is that kind. */
const selectOf = (route: Route, kind: string) => (route.select?.startsWith(`${kind}:`) ? route.select.slice(kind.length + 1) : undefined)
