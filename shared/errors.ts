// Errors are values (docs/architecture.md): handlers throw AppError, transports turn it into an
// envelope, the UI shows the translated message for the code (i18n key `errors.<code>`).

export const errorCodes = [
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'DEMO_ALREADY_LOADED',
  /** The device holds the demo county: enrolling clears it (sync.enrol with clearDemo), after the user's changes are offered for export. */
  'DEMO_DATA',
  'UNKNOWN_HANDLER',
  'FORBIDDEN',
  'SYNC_FAILED',
  /** The store is held by a long write (a large import); nothing was changed, try again after it. */
  'BUSY',
  /** The store is encrypted and no key was given, or its key information is missing. */
  'STORE_KEY_MISSING',
  /** The passphrase, key file or keychain key does not open this store. */
  'STORE_KEY_WRONG',
  /** HQ revoked this device and its store key was wiped: the store stays locked. */
  'STORE_REVOKED',
  /** The store cannot be used as it is (damaged, foreign, newer, read-only, disk full): details.reason names i18n `store.<reason>`. */
  'STORE',
  'INTERNAL',
] as const
export type ErrorCode = (typeof errorCodes)[number]

/** One problem with the input: where (path: field, or file/row/field) and what. */
export interface Issue {
  path: (string | number)[]
  message: string
}

export interface ErrorBody {
  code: ErrorCode
  /** English fallback for logs and scripts; the UI translates by code. */
  message: string
  issues?: Issue[]
  details?: Record<string, unknown>
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorBody }

export class AppError extends Error {
  readonly code: ErrorCode
  readonly issues?: Issue[]
  readonly details?: Record<string, unknown>

  constructor(code: ErrorCode, message: string, extra: { issues?: Issue[]; details?: Record<string, unknown> } = {}) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.issues = extra.issues
    this.details = extra.details
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, issues: this.issues, details: this.details }
  }
}

/** Client side: a failed envelope becomes an AppError again. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value
  const { code, message, issues, details } = envelope.error
  throw new AppError(code, message, { issues, details })
}
