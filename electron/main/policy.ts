// What the window may load, call from and open, and the headers every app:// response carries.
// Pure functions (no 'electron' import) so that they are tested in plain Node.
import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import { resources, type Language } from '../../shared/i18n'

export const APP_ORIGIN = 'app://griddesk'

/**
 * Hosts whose https:// pages the app may open in the user's browser. None: the app links to
 * nothing outside itself, so a link in data (a name, a note) can never open a page.
 */
export const EXTERNAL_HOSTS: readonly string[] = []

const parse = (url: string): URL | null => {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/** Whether a page at `url` is the app: its own app:// origin or, unpackaged, the dev server's exact origin. */
export function isAppUrl(url: string | undefined, dev: { packaged: boolean; devUrl?: string }): boolean {
  const at = url ? parse(url) : null
  if (!at) return false
  // app: is not a special scheme to WHATWG URL (its origin reads "null"): compare scheme and host.
  if (at.protocol === 'app:' && at.host === 'griddesk' && !at.username && !at.password) return true
  const devOrigin = !dev.packaged && dev.devUrl ? parse(dev.devUrl)?.origin : undefined
  return devOrigin !== undefined && devOrigin !== 'null' && at.origin === devOrigin
}

/**
 * The Access-Control-Allow-Origin of a griddesk-tiles: response: the page's origin when it is the
 * app's own (vector tiles are fetched, and app:// and griddesk-tiles: are different origins), else none.
 */
export function tileCorsOrigin(origin: string | null, dev: { packaged: boolean; devUrl?: string }): string | null {
  return origin && isAppUrl(origin, dev) ? origin : null
}

/** Whether a window.open / link target may be handed to the OS browser: https on an allowed host only. */
export function mayOpenExternally(url: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  const at = parse(url)
  return at !== null && at.protocol === 'https:' && !at.username && !at.password && (at.port === '' || at.port === '443') && hosts.includes(at.hostname)
}

/** The security headers of every response the app's own protocols give (session header hooks do not see them). */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

/** A protocol handler's response with the app's security headers set (over any the file had). */
export function withAppHeaders(response: Response): Response {
  const headers = new Headers(response.headers)
  for (const [name, value] of Object.entries(APP_RESPONSE_HEADERS)) headers.set(name, value)
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

/** Linux safeStorage backends that are a real keyring (a key the user's login unlocks). */
const LINUX_KEYRINGS: readonly string[] = ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']

/**
 * The warning to show at start when the OS keychain does not really protect the store key, or
 * null. On Linux without a keyring safeStorage falls back to basic_text (a fixed key built into
 * Chromium): anyone who can read the user's files can unseal the key. Any backend that is not a
 * known keyring is treated the same. Windows (DPAPI) and macOS (Keychain) always have one.
 */
export function keychainWarning(platform: string, backend: string | undefined, lang: Language): string | null {
  if (platform !== 'linux') return null
  if (backend !== undefined && LINUX_KEYRINGS.includes(backend)) return null
  return resources[lang].translation.crypt.basicTextWarning
}
