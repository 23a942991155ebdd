/**
 * One family of errors with stable codes. Every message says what failed and where (the file, the
 * HTTP status, Wix's request id), the cause, and what to do; secrets never appear in it.
 */

export type WixMediaErrorCode =
  | 'WIX_MEDIA_AUTH'
  | 'WIX_MEDIA_PERMISSION'
  | 'WIX_MEDIA_RATE_LIMIT'
  | 'WIX_MEDIA_VALIDATION'
  | 'WIX_MEDIA_NOT_FOUND'
  | 'WIX_MEDIA_NETWORK'
  | 'WIX_MEDIA_TIMEOUT'
  | 'WIX_MEDIA_SERVER'
  | 'WIX_MEDIA_PROCESSING'
  | 'WIX_MEDIA_FILE'
  | 'WIX_MEDIA_LOCKFILE'
  | 'WIX_MEDIA_CONFIG'
  | 'WIX_MEDIA_FROZEN'

export interface WixMediaErrorDetails {
  /** The project-relative file the error is about. */
  file?: string
  /** HTTP status of Wix's answer. */
  status?: number
  /** `X-Wix-Request-Id` of Wix's answer, for Wix support. */
  requestId?: string
  /** Wix's rule name (`MISMATCH_MIME_TYPE`, …) or application error code. */
  rule?: string
  /** What the user can do about it. */
  hint?: string
  /** Seconds Wix asked to wait (`Retry-After`). */
  retryAfter?: number
  cause?: unknown
}

export class WixMediaError extends Error {
  override name = 'WixMediaError'
  readonly code: WixMediaErrorCode
  readonly file: string | undefined
  readonly status: number | undefined
  readonly requestId: string | undefined
  readonly rule: string | undefined
  readonly hint: string | undefined
  readonly retryAfter: number | undefined
  /** The message without the file prefix and hint. */
  readonly reason: string

  constructor(code: WixMediaErrorCode, reason: string, details: WixMediaErrorDetails = {}) {
    const where = [
      details.status === undefined ? '' : `HTTP ${details.status}`,
      details.rule ? details.rule : '',
      details.requestId ? `request id ${details.requestId}` : '',
    ].filter(Boolean).join(', ')
    const message = [
      details.file ? `${details.file}: ` : '',
      reason,
      where ? ` (${where})` : '',
      // A reason that ends with a list (one item a line) is followed by the hint on a line of its own.
      details.hint ? `${reason.endsWith('\n') && !where ? '' : '. '}${details.hint}` : '',
    ].join('')
    super(redactSecrets(message), details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.reason = redactSecrets(reason)
    this.file = details.file
    this.status = details.status
    this.requestId = details.requestId
    this.rule = details.rule
    this.hint = details.hint
    this.retryAfter = details.retryAfter
  }

  /** The same error, about `file`. */
  forFile(file: string): WixMediaError {
    return this.file === file ? this : this.with({ file })
  }

  /** The same error, with another hint. */
  withHint(hint: string): WixMediaError {
    return this.with({ hint })
  }

  private with(changes: WixMediaErrorDetails): WixMediaError {
    return new WixMediaError(this.code, this.reason, {
      file: this.file, status: this.status, requestId: this.requestId, rule: this.rule, hint: this.hint, retryAfter: this.retryAfter, cause: this.cause,
      ...changes,
    })
  }
}

/**
 * An upload finished with other bytes than the file had when it was hashed: it changed meanwhile.
 * The Media Manager holds `uploaded`, whose bytes hash to `sentSha256` when that is known; it must
 * not be recorded under the old hash.
 */
export class ChangedDuringUpload extends WixMediaError {
  readonly uploaded: { id: string }
  readonly sentSha256: string | undefined

  constructor(uploaded: { id: string }, sentSha256: string | undefined) {
    super('WIX_MEDIA_FILE', 'changed while it was being uploaded: the Media Manager got other bytes than the ones hashed', {
      hint: 'Run the sync again once nothing is writing to the file',
    })
    this.uploaded = uploaded
    this.sentSha256 = sentSha256
  }
}

export function isWixMediaError(error: unknown, code?: WixMediaErrorCode): error is WixMediaError {
  return error instanceof WixMediaError && (code === undefined || error.code === code)
}

/** Any failure while handling `file`, as a {@link WixMediaError} that names it (its own file kept). */
export function asFileError(error: unknown, file: string): WixMediaError {
  if (isWixMediaError(error)) return error.file ? error : error.forFile(file)
  return new WixMediaError('WIX_MEDIA_FILE', (error as Error).message, { file, cause: error })
}

/**
 * Removes upload tokens (JWTs in upload URLs), `Authorization` values and the given secrets (the
 * API key) from a text before it is logged, thrown or written.
 */
export function redactSecrets(text: string, secrets: Iterable<string> = []): string {
  let out = text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<redacted>')
  // An auth scheme ("Bearer x", "Basic x") is kept; the credential after it is not.
  out = out.replace(/(authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic)\s+)?)[^"',\s}]+/gi, '$1<redacted>')
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('<redacted>')
  return out
}
