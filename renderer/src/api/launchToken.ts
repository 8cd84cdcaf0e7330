// Browser mode: the launch secret of the printed address (?k=…) is kept in this tab's
// sessionStorage and taken out of the address bar (history, bookmarks, screenshots); the calls
// send it in a header (shared/browserMode.ts says why not a cookie). Imported first by main.tsx,
// so the address is clean before anything else runs. Electron has no ?k= and sends nothing.
import { LAUNCH_SECRET_PARAM, LAUNCH_TOKEN_HEADER, LAUNCH_TOKEN_STORAGE_KEY } from '../../../shared/browserMode'

let token: string | null = null

/** Reads ?k= from the address (keeping it for this tab) or the kept one; returns the token, if any. */
export function captureLaunchToken(): string | null {
  if (typeof window === 'undefined') return null
  const url = new URL(window.location.href)
  const offered = url.searchParams.get(LAUNCH_SECRET_PARAM)
  if (offered) {
    try {
      window.sessionStorage.setItem(LAUNCH_TOKEN_STORAGE_KEY, offered)
    } catch {
      // Storage refused (a locked-down profile): the token still lives in memory for this page.
    }
    url.searchParams.delete(LAUNCH_SECRET_PARAM)
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`)
    token = offered
  } else {
    try {
      token = window.sessionStorage.getItem(LAUNCH_TOKEN_STORAGE_KEY)
    } catch {
      token = null
    }
  }
  return token
}

captureLaunchToken()

/** The header that lets browser mode's server answer this page (none in Electron or without a token). */
export const launchTokenHeaders = (): Record<string, string> => (token ? { [LAUNCH_TOKEN_HEADER]: token } : {})
