// Where migrations/ and data/ live when running from the repository (CLI, browser mode, tests).
import { resolve } from 'node:path'

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..')
export const RENDERER_DIR = resolve(REPO_ROOT, 'out', 'renderer')

export function appVersion(): string {
  return process.env.npm_package_version ?? '0.1.0'
}
