// The renderer's one way to reach the core: window.griddesk in Electron (preload bridge),
// fetch('/rpc/<name>') in browser mode. Both answer with the same envelope.
import type { HandlerName, Input, Output } from '../../../shared/api/contract'
import { AppError, unwrap, type Envelope } from '../../../shared/errors'

export interface Bridge {
  call(name: string, input: unknown): Promise<Envelope<unknown>>
}

declare global {
  interface Window {
    griddesk?: Bridge
  }
}

async function overHttp(name: string, input: unknown): Promise<Envelope<unknown>> {
  let response: Response
  try {
    response = await fetch(`/rpc/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    })
  } catch {
    throw new AppError('INTERNAL', 'network', { details: { network: true } })
  }
  return (await response.json()) as Envelope<unknown>
}

export async function call<K extends HandlerName>(name: K, input: Input<K>): Promise<Output<K>> {
  const envelope = window.griddesk ? await window.griddesk.call(name, input) : await overHttp(name, input)
  return unwrap(envelope) as Output<K>
}

export const isElectron = () => window.griddesk !== undefined
