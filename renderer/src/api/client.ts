// The renderer's one way to reach the core: window.griddesk in Electron (preload bridge),
// fetch('/rpc/<name>') in browser mode. Both answer with the same envelope.
import type { HandlerName, Input, Output } from '../../../shared/api/contract'
import { AppError, unwrap, type Envelope } from '../../../shared/errors'

export interface Bridge {
  call(name: string, input: unknown, lang?: string): Promise<Envelope<unknown>>
  /** Electron only: the native folder chooser; null when cancelled. */
  pickFolder?(): Promise<string | null>
}

declare global {
  interface Window {
    griddesk?: Bridge
  }
}

/** Language for messages the core writes itself (validation issues); set by the language switch. */
let messageLanguage = 'zh-CN'
export const setMessageLanguage = (language: string) => {
  messageLanguage = language
}

async function overHttp(name: string, input: unknown): Promise<Envelope<unknown>> {
  try {
    const response = await fetch(`/rpc/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-GridDesk-Lang': messageLanguage },
      body: JSON.stringify(input ?? {}),
    })
    return (await response.json()) as Envelope<unknown>
  } catch {
    // No answer, or not an envelope: the local service is not there.
    throw new AppError('INTERNAL', 'network', { details: { network: true } })
  }
}

export async function call<K extends HandlerName>(name: K, input: Input<K>): Promise<Output<K>> {
  const envelope = window.griddesk ? await window.griddesk.call(name, input, messageLanguage) : await overHttp(name, input)
  return unwrap(envelope) as Output<K>
}

export const isElectron = () => window.griddesk !== undefined

/** The native folder chooser where there is one (Electron); browser mode types a path instead. */
export const pickFolder: (() => Promise<string | null>) | undefined =
  typeof window !== 'undefined' && window.griddesk?.pickFolder ? () => window.griddesk!.pickFolder!() : undefined
