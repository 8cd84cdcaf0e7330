// A page or a map that throws while rendering shows a translated message and "reload this
// page" instead of taking the whole window down. Reload remounts only what is inside the
// boundary: drafts kept by the core (the visit log's) and the rest of the app stay as they are.
import { Alert, Button, Center, Group, Stack, Text } from '@mantine/core'
import { Component, type ErrorInfo, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

export interface ErrorBoundaryProps {
  /** 'page': the whole page area; 'map': a map inside a page (smaller message). */
  scope: 'page' | 'map'
  /** Names what failed in the log (e.g. the page key). */
  name: string
  children: ReactNode
}

interface State {
  error: Error | null
  generation: number
}

/** Kept in memory for a support look (window.__griddeskErrors) and written to the console once. */
export function logUiError(scope: string, name: string, error: unknown, componentStack?: string | null): void {
  const entry = {
    at: new Date().toISOString(),
    scope,
    name,
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
    componentStack: componentStack ?? undefined,
  }
  const w = window as unknown as { __griddeskErrors?: unknown[] }
  ;(w.__griddeskErrors ??= []).push(entry)
  console.error(`[griddesk] ${scope} ${name} failed:`, error)
}

export class ErrorBoundary extends Component<ErrorBoundaryProps, State> {
  override state: State = { error: null, generation: 0 }

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error }
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    logUiError(this.props.scope, this.props.name, error, info.componentStack)
  }

  reload = () => this.setState((s) => ({ error: null, generation: s.generation + 1 }))

  override render() {
    if (this.state.error) return <ErrorFallback scope={this.props.scope} onReload={this.reload} />
    // A new generation remounts the subtree from nothing.
    return <FragmentKey key={this.state.generation}>{this.props.children}</FragmentKey>
  }
}

function FragmentKey({ children }: { children: ReactNode }) {
  return <>{children}</>
}

function ErrorFallback({ scope, onReload }: { scope: 'page' | 'map'; onReload: () => void }) {
  const { t } = useTranslation()
  const body = (
    <Alert
      color="red"
      variant="light"
      role="alert"
      title={t(scope === 'page' ? 'field.boundary.pageTitle' : 'field.boundary.mapTitle')}
      maw={560}
      data-testid={`error-boundary-${scope}`}
    >
      <Stack gap="xs">
        <Text size="sm">{t('field.boundary.body')}</Text>
        <Group>
          <Button size="xs" color="red" variant="white" onClick={onReload} data-testid="error-boundary-reload">
            {t('field.boundary.reload')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  )
  return scope === 'map' ? (
    <Center h="100%" p="sm">
      {body}
    </Center>
  ) : (
    <Center pt="xl">{body}</Center>
  )
}
