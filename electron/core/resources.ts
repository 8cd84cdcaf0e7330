// Where migrations/ and data/ live when running from the repository (CLI, browser mode, tests).
import { resolve } from 'node:path'

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..')
/** The built renderer; GRIDDESK_RENDERER_DIR points tests at another build (parallel work). */
export const RENDERER_DIR = process.env.GRIDDESK_RENDERER_DIR ?? resolve(REPO_ROOT, 'out', 'renderer')

export function appVersion(): string {
  return process.env.npm_package_version ?? '0.1.0'
}
