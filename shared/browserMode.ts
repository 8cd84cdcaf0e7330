// Browser mode's per-launch token, shared by the local server and the page.
//
// The printed address carries the launch secret once (?k=…). The page keeps it in sessionStorage
// (per tab and per origin, so per port), takes it out of the address bar and sends it in a header
// on every /rpc call and upload. The session cookie the server also sets only lets the page's
// static files and map tiles load (img and script tags cannot send a header): cookies are per
// host, not per port, so a server on another 127.0.0.1 port may receive it.

/** The query parameter of the printed address that carries the launch secret. */
export const LAUNCH_SECRET_PARAM = 'k'

/** The request header that carries the launch secret on /rpc and /upload. */
export const LAUNCH_TOKEN_HEADER = 'X-GridDesk-Token'

/** Where the page keeps the launch secret (sessionStorage: this tab only, gone when it closes). */
export const LAUNCH_TOKEN_STORAGE_KEY = 'griddesk.launchToken'
