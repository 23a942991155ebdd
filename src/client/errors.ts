/** Turns Wix's answers and undici's failures into {@link WixMediaError}s with the right code and hint. */
import { errors as undiciErrors } from 'undici'
import { redactSecrets, WixMediaError, type WixMediaErrorCode } from '../core/errors.ts'
import type { WireError } from './wire.ts'

export const HINTS: Partial<Record<WixMediaErrorCode, string>> = {
  WIX_MEDIA_AUTH: 'Check the API key (WIX_API_KEY or `apiKey`, sent as-is, no "Bearer") and the site id (WIX_SITE_ID or `siteId`)',
  WIX_MEDIA_PERMISSION: 'Give the API key the "Manage Media Manager" permission for this site, or check WIX_SITE_ID',
  WIX_MEDIA_RATE_LIMIT: 'Wix kept refusing calls over the site\'s rate limit although this run slowed down: check what else uses the site\'s API (other builds, apps) and try again later',
  WIX_MEDIA_VALIDATION: 'Wix refused it without naming a rule: check that the file\'s content matches its extension and that the Media Manager hosts its format',
  WIX_MEDIA_SERVER: 'Wix had a problem; try again later',
  WIX_MEDIA_NETWORK: 'Check the network connection and `apiBaseUrl`',
  WIX_MEDIA_TIMEOUT: 'Check the network, or raise `timeout`',
  WIX_MEDIA_CONFIG: 'Check WIX_API_BASE_URL (or `apiBaseUrl`): it is the API\'s origin, such as https://www.wixapis.com, with no path',
}

const RULE_HINTS: Record<string, string> = {
  MISMATCH_MIME_TYPE: 'The file\'s extension does not match its content; rename it or re-export it',
  ZERO_FILE_SIZE: 'The file is empty; remove it or exclude it',
  UNSUPPORTED_FILE_FORMAT: 'The Media Manager does not host this format; exclude the file',
  FILE_SIZE_OVER_LIMIT: 'The file is over Wix\'s size limit for its type; compress it or exclude it',
  SITE_QUOTA_EXCEEDED: 'The site is out of storage; free space in the Media Manager or upgrade the plan',
  RESOURCE_NOT_FOUND: 'The media file no longer exists; run `wix-media sync` to upload it again',
}

function codeForStatus(status: number): WixMediaErrorCode {
  if (status === 401) return 'WIX_MEDIA_AUTH'
  if (status === 403) return 'WIX_MEDIA_PERMISSION'
  if (status === 404) return 'WIX_MEDIA_NOT_FOUND'
  if (status === 408) return 'WIX_MEDIA_TIMEOUT'
  if (status === 429) return 'WIX_MEDIA_RATE_LIMIT'
  if (status >= 500) return 'WIX_MEDIA_SERVER'
  return 'WIX_MEDIA_VALIDATION'
}

/** Wix's rule name or application error code from an error body. */
function ruleOf(body: Partial<WireError> | undefined): string | undefined {
  const violations = body?.details?.validationError?.fieldViolations
  return violations?.find((violation) => violation.ruleName)?.ruleName ?? body?.details?.applicationError?.code
}

export function errorFromResponse(
  what: string,
  status: number,
  body: unknown,
  requestId: string | undefined,
  retryAfter: number | undefined,
  /** Credentials the answer may echo (the API key), removed from the message. */
  secrets: readonly string[] = [],
): WixMediaError {
  const wire = typeof body === 'object' && body !== null ? body as Partial<WireError> : undefined
  const rule = ruleOf(wire)
  const code = rule === 'RESOURCE_NOT_FOUND' ? 'WIX_MEDIA_NOT_FOUND' : codeForStatus(status)
  const detail = wire?.message ? `: ${redactSecrets(String(wire.message), secrets)}` : ''
  return new WixMediaError(code, `${what} failed${detail}`, {
    status,
    requestId,
    rule,
    retryAfter,
    hint: (rule && RULE_HINTS[rule]) ?? HINTS[code],
  })
}

/** A failure below HTTP: refused or reset connections, DNS, timeouts. */
export function errorFromTransport(what: string, error: unknown): WixMediaError {
  const timeout = error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    (error as Error | undefined)?.name === 'TimeoutError'
  const code: WixMediaErrorCode = timeout ? 'WIX_MEDIA_TIMEOUT' : 'WIX_MEDIA_NETWORK'
  const cause = error as { code?: string; message?: string }
  const reason = `${what} failed: ${timeout ? 'no answer in time' : cause.code ?? cause.message ?? 'network error'}`
  return new WixMediaError(code, reason, { hint: HINTS[code], cause: error })
}
