// What `npm start` does, decided in one pure function so it is tested without Electron (start.test.mjs).
// Browser mode is a choice, never a fallback: without Electron (or its build of the SQLite driver)
// `npm start` stops and says how to get them, or how to ask for browser mode on purpose.

/** `--browser` or GRIDDESK_BROWSER_MODE=1 asks for browser mode; the other arguments pass through. */
export function parseStartArgs(args, env) {
  const browser = args.includes('--browser') || env.GRIDDESK_BROWSER_MODE === '1'
  return { browser, args: args.filter((a) => a !== '--browser') }
}

/**
 * The plan: `{ run: 'browser' }`, `{ run: 'electron', binary, nativeBinding }`, or
 * `{ run: 'none', message }` (exit 1 with the message) when Electron cannot run.
 * electron: `{ path }` or `{ reason }`; native: `{ path }` or `{ error }` (absent when not tried).
 */
export function planStart({ browser, electron, native }) {
  if (browser) return { run: 'browser' }
  if (!electron?.path) return { run: 'none', message: electronMissingMessage(electron?.reason ?? 'not installed') }
  if (!native?.path) return { run: 'none', message: nativeMissingMessage(native?.error ?? 'not built') }
  return { run: 'electron', binary: electron.path, nativeBinding: native.path }
}

const BROWSER_OPT_IN = [
  'Or run browser mode on purpose (the app in your web browser, on this machine only):',
  '  npm start -- --browser        (or GRIDDESK_BROWSER_MODE=1 npm start, or npm run serve)',
]

export function electronMissingMessage(reason) {
  return [
    `GridDesk did not start: the Electron runtime is not available (${reason}).`,
    'Fetch it, then run npm start again:',
    '  node node_modules/electron/install.js',
    '  (behind a slow or blocked network: ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ node node_modules/electron/install.js)',
    ...BROWSER_OPT_IN,
  ].join('\n')
}

export function nativeMissingMessage(error) {
  return [
    `GridDesk did not start: the SQLite driver could not be built for Electron (${error}).`,
    'It needs a C++ toolchain (python3, make, g++; on Windows the Visual Studio Build Tools). Then build it and run npm start again:',
    '  npm run native:electron -- --force',
    ...BROWSER_OPT_IN,
  ].join('\n')
}
