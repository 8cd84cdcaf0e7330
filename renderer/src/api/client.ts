// The renderer's one way to reach the core: window.griddesk in Electron (preload bridge),
// fetch('/rpc/<name>') in browser mode (with the launch token, launchToken.ts). Both answer with the same envelope.
import type { HandlerName, Input, Output } from '../../../shared/api/contract'
import { AppError, unwrap, type Envelope } from '../../../shared/errors'
import { launchTokenHeaders } from './launchToken'

export interface Bridge {
  call(name: string, input: unknown, lang?: string): Promise<Envelope<unknown>>
  /** Electron only: the native folder chooser; null when cancelled. */
  pickFolder?(): Promise<string | null>
  /** Electron only: the native file chooser for an import; main then reads the file by path. */
  pickImportFile?(kind: ImportFileKind): Promise<ChosenFile | null>
  /** Electron only: the native save chooser (a file name suggested); the chosen path may then be written. */
  pickSaveFile?(fileName: string): Promise<string | null>
}

/** What the native file chooser filters for: tables (villages, customers) or boundary files. */
export type ImportFileKind = 'villages' | 'grids' | 'customers' | 'basemaps'

/** A file ready for import.start by path: chosen in Electron's dialog, or uploaded in browser mode. */
export interface ChosenFile {
  path: string
  fileName: string
  bytes: number
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
      headers: { 'Content-Type': 'application/json', 'X-GridDesk-Lang': messageLanguage, ...launchTokenHeaders() },
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

/** Electron's native file chooser for imports, where there is one. */
export const pickImportFile: ((kind: ImportFileKind) => Promise<ChosenFile | null>) | undefined =
  typeof window !== 'undefined' && window.griddesk?.pickImportFile ? (kind) => window.griddesk!.pickImportFile!(kind) : undefined

/**
 * Browser mode: sends a chosen file's bytes to the local server (POST /upload, raw, not base64
 * in JSON), which keeps it for the import; onProgress gets the bytes sent so far.
 */
export function uploadFile(file: File, onProgress?: (sent: number, total: number) => void): Promise<ChosenFile> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open('POST', `/upload?name=${encodeURIComponent(file.name)}`)
    request.setRequestHeader('Content-Type', 'application/octet-stream')
    for (const [name, value] of Object.entries(launchTokenHeaders())) request.setRequestHeader(name, value)
    request.upload.onprogress = (event) => onProgress?.(event.loaded, event.lengthComputable ? event.total : file.size)
    request.onload = () => {
      try {
        resolve(unwrap(JSON.parse(request.responseText) as Envelope<ChosenFile>))
      } catch (error) {
        reject(error instanceof AppError ? error : new AppError('INTERNAL', 'network', { details: { network: true } }))
      }
    }
    request.onerror = () => reject(new AppError('INTERNAL', 'network', { details: { network: true } }))
    request.send(file)
  })
}

export const pickSaveFile: ((fileName: string) => Promise<string | null>) | undefined =
  typeof window !== 'undefined' && window.griddesk?.pickSaveFile ? (fileName) => window.griddesk!.pickSaveFile!(fileName) : undefined
