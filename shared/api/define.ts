// Helpers for declaring contract entries in shared/api/<domain>.ts files.

/** Phantom marker carrying a handler's output type; never read at run time. */
export const out = <T>() => undefined as unknown as T
