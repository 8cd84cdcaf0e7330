// Where GridDesk keeps its data: --data-dir, else GRIDDESK_DATA_DIR, else the platform's
// app-data folder (the same folder Electron's app.getPath('userData') gives for "GridDesk").
import { homedir } from 'node:os'
import { join } from 'node:path'

export const APP_FOLDER = 'GridDesk'

export function defaultDataDir(platform = process.platform, env = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER)
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER)
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_FOLDER)
}

/** Reads `--data-dir DIR` or `--data-dir=DIR` from argv. */
export function dataDirFromArgs(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--data-dir') return argv[i + 1]
    if (arg.startsWith('--data-dir=')) return arg.slice('--data-dir='.length)
  }
  return undefined
}

export function resolveDataDir(argv: readonly string[] = process.argv, env = process.env): string {
  return dataDirFromArgs(argv) ?? env.GRIDDESK_DATA_DIR ?? defaultDataDir(process.platform, env)
}
