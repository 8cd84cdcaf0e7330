// File paths are a capability: a handler declares which input fields name files it reads or
// writes (shared/api `paths`), and dispatch lets each through only if the caller's transport may
// use that path. The CLI passes any path it is given (no policy); Electron allows the paths its
// native dialogs returned; browser mode allows reading its own uploads and writing into the
// exports folder. Both also allow writing into the exports folder, the reports page's default.
import { lstatSync, realpathSync } from 'node:fs'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { api, type HandlerName } from '../../shared/api/contract'
import type { PathFields } from '../../shared/api/define'
import { AppError } from '../../shared/errors'
import { resources, type Language } from '../../shared/i18n'

export type PathAccess = 'read' | 'write'

/** May this caller read or write this (already resolved) path? */
export interface PathPolicy {
  allows(access: PathAccess, path: string): boolean
  /** Where writes are allowed, named in the refusal. */
  exportsDir: string
}

/** The data dir's folder for exports: writes from the window or the browser go here. */
export const exportsDirOf = (dataDir: string) => join(dataDir, 'exports')

/**
 * The path as the file system will reach it: the real path of its deepest existing part (symlinks
 * followed) plus the rest. A dangling symlink has no real target: null (never allowed).
 */
export function realTarget(path: string): string | null {
  const rest: string[] = []
  let at = resolve(path)
  for (;;) {
    let exists = true
    try {
      lstatSync(at)
    } catch {
      exists = false
    }
    if (exists) {
      try {
        return join(realpathSync(at), ...rest.reverse())
      } catch {
        return null
      }
    }
    const parent = dirname(at)
    if (parent === at) return join(at, ...rest.reverse())
    rest.push(basename(at))
    at = parent
  }
}

/** Is `path` the folder `root` or inside it, once both are resolved to where they really lead? */
export function isInside(root: string, path: string): boolean {
  const realRoot = realTarget(root)
  const real = realTarget(path)
  return realRoot !== null && real !== null && (real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep))
}

/** Browser mode: reads only of uploaded files, writes only inside the exports folder. */
export function browserPolicy(dataDir: string, uploadsDir: string): PathPolicy {
  const exportsDir = exportsDirOf(dataDir)
  return {
    exportsDir,
    allows: (access, path) => (access === 'read' ? isInside(uploadsDir, path) && realTarget(path) !== realTarget(uploadsDir) : isInside(exportsDir, path)),
  }
}

/**
 * Electron: the exact paths the main process's native dialogs returned (an open dialog grants a
 * read, a folder or save dialog a write), and writes inside the exports folder.
 */
export function grantPolicy(dataDir: string): PathPolicy & { grant(access: PathAccess, path: string): void } {
  const exportsDir = exportsDirOf(dataDir)
  const granted = { read: new Set<string>(), write: new Set<string>() }
  return {
    exportsDir,
    grant: (access, path) => void granted[access].add(resolve(path)),
    allows: (access, path) => granted[access].has(resolve(path)) || (access === 'write' && isInside(exportsDir, path)),
  }
}

/** The string values at a dot path of the input (`source.path`); none when the branch is absent. */
function valuesAt(input: unknown, field: string): string[] {
  let at: unknown = input
  for (const key of field.split('.')) {
    if (!at || typeof at !== 'object') return []
    at = (at as Record<string, unknown>)[key]
  }
  return typeof at === 'string' ? [at] : []
}

export const declaredPaths = (name: HandlerName): PathFields => (api[name] as { paths?: PathFields }).paths ?? {}

/** Refuses the call when a declared path field names a path the policy does not allow. */
export function checkPaths(name: HandlerName, input: unknown, policy: PathPolicy | undefined, lang: Language): void {
  if (!policy) return
  const declared = declaredPaths(name)
  for (const access of ['read', 'write'] as const) {
    for (const field of declared[access] ?? []) {
      for (const value of valuesAt(input, field)) {
        if (policy.allows(access, value)) continue
        const reason = access === 'read' ? 'pathRead' : 'pathWrite'
        const params = { field, path: value, folder: policy.exportsDir }
        const template = (resources[lang].translation.security.errors as Record<string, string>)[reason]!
        const message = template.replace(/\{\{(\w+)\}\}/g, (_, key: keyof typeof params) => params[key])
        throw new AppError('VALIDATION', message, { issues: [{ path: field.split('.'), message }], details: { reason, ...params } })
      }
    }
  }
}
