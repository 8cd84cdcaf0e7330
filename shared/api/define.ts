// Helpers for declaring contract entries in shared/api/<domain>.ts files.

/** Phantom marker carrying a handler's output type; never read at run time. */
export const out = <T>() => undefined as unknown as T

/**
 * The input fields (dot paths, e.g. `source.path`) that name a file or folder on this machine,
 * by what the handler does with it. Dispatch lets each through only if the caller's transport
 * may use that path (electron/core/pathPolicy.ts); a field named like a path must be declared.
 */
export interface PathFields {
  read?: readonly string[]
  write?: readonly string[]
  /** Named like a path but a bare name the handler resolves inside the app's own folder. */
  names?: readonly string[]
}

/** Reads the file named by `source.path` (imports; `source` may instead carry the bytes). */
export const readsSource: PathFields = { read: ['source.path'] }
