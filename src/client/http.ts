/**
 * Calls to the Media Manager REST API: Wix's auth headers, JSON in and out, dotted query
 * parameters, pacing, timeouts, and retries by the policy in `retry.ts`.
 */
import { request, type Dispatcher } from 'undici'
import { errorFromResponse, errorFromTransport, HINTS } from './errors.ts'
import { GIVE_UP_AFTER_MS, type Pacer } from './pacer.ts'
import { parseRetryAfter, withRetries as retrying, type RetryPolicy, type Setback } from './retry.ts'
import { API_PREFIX } from './wire.ts'
import { WixMediaError } from '../core/errors.ts'

export type QueryValue = string | number | boolean | readonly string[] | undefined

export interface ApiCall {
  /** What the call does, for error messages ("Generating an upload URL"). */
  what: string
  method: 'GET' | 'POST' | 'PATCH'
  path: string
  query?: Record<string, QueryValue>
  body?: unknown
  signal?: AbortSignal
}

export interface HttpSettings {
  baseUrl: string
  apiKey: string | undefined
  siteId: string | undefined
  dispatcher: Dispatcher | undefined
  timeoutMs: number
  retry: RetryPolicy
  pacer: Pacer
  /** Called once per HTTP request sent (for counting and tests). */
  onRequest?: (call: { method: string; path: string }) => void
  /** Told of every retry and every cut in the pace (for the user). */
  onSetback?: (setback: Setback) => void
}

export interface Http {
  api<T>(call: ApiCall): Promise<T>
  /** One attempt, no retry: for calls inside a larger attempt that is retried as a whole. */
  once<T>(call: ApiCall): Promise<T>
  /**
   * Runs `attempt` until it succeeds or the retry policy gives up (a 429 slows down every call);
   * `file`: the project file the attempts are for, named when a retry is told of.
   */
  withRetries<T>(attempt: (n: number) => Promise<T>, signal?: AbortSignal, file?: string): Promise<T>
}

function toQuery(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const item of value) params.append(key, item)
    else params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

export async function readBody(body: Dispatcher.ResponseData['body']): Promise<unknown> {
  const text = await body.text()
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return { message: text.slice(0, 200) }
  }
}

/** A response header's (first) value. */
export function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

export const requestIdOf = (headers: Dispatcher.ResponseData['headers']): string | undefined => header(headers, 'x-wix-request-id')

/** Transport failures that mean the API's host cannot be reached at all (not a dropped or slow connection). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
/** After one call gave up on an unreachable API, how long the others fail at once instead of retrying. */
export const UNREACHABLE_FOR_MS = 60_000

export function createHttp(settings: HttpSettings): Http {
  /** A 429 from `once` → the pacer's `cuts` as its call was sent (a 429 from elsewhere has none). */
  const sentAtCuts = new WeakMap<WixMediaError, number>()
  /** Failures of API calls that could not connect to the API's host (not the upload host's). */
  const cannotConnect = new WeakSet<WixMediaError>()
  /**
   * The last such failure that a call gave up on (every attempt spent), and when: for a while, the
   * other calls fail at once with it, so that a run against an API that is down ends in seconds,
   * not in a full retry budget per file.
   */
  let unreachable: { error: WixMediaError; at: number } | undefined
  const isUnreachable = () => unreachable !== undefined && Date.now() - unreachable.at < UNREACHABLE_FOR_MS
  /**
   * A 429 goes to the pacer, which slows every call down and holds this one's next attempt as long
   * as needed: it does not count against `attempts` unless the pacer gives up (pacer.ts). Every
   * other error follows the retry policy.
   */
  const { pacer, onSetback } = settings
  const withRetries: Http['withRetries'] = async (attempt, signal, file) => {
    try {
      return await retrying(attempt, settings.retry, {
        signal,
        onRateLimit: (error) => {
          const retryAfterMs = error.retryAfter === undefined ? undefined : Math.min(error.retryAfter * 1000, settings.retry.maxRetryAfterMs)
          const cuts = pacer.cuts
          const retry = pacer.throttled(retryAfterMs, sentAtCuts.get(error))
          if (pacer.cuts !== cuts) onSetback?.({ kind: 'throttled', callsPerMinute: Math.max(1, Math.round(60_000 / pacer.intervalMs)) })
          return retry
        },
        givenUp: isUnreachable,
        onRetry: onSetback && ((error, attempt, delayMs) => onSetback({ kind: 'retry', error, attempt, attempts: settings.retry.attempts, delayMs, file })),
      })
    } catch (error) {
      if (error instanceof WixMediaError && cannotConnect.has(error) && !isUnreachable()) unreachable = { error, at: Date.now() }
      throw error
    }
  }

  async function once<T>(call: ApiCall): Promise<T> {
    if (!settings.apiKey || !settings.siteId) {
      throw new WixMediaError('WIX_MEDIA_AUTH', `${call.what} needs credentials, and none are set`, {
        hint: 'Set WIX_API_KEY and WIX_SITE_ID (or the apiKey and siteId options)',
      })
    }
    if (isUnreachable()) {
      const { error } = unreachable!
      throw new WixMediaError(error.code, `${call.what} was not sent: ${settings.baseUrl} could not be reached (${error.reason})`, {
        hint: HINTS[error.code], cause: error,
      })
    }
    if (!await pacer.slot(call.signal)) {
      throw new WixMediaError('WIX_MEDIA_RATE_LIMIT', `${call.what} was not sent: Wix has refused every call for ${GIVE_UP_AFTER_MS / 60_000} minutes`, {
        hint: HINTS.WIX_MEDIA_RATE_LIMIT,
      })
    }
    const cuts = pacer.cuts
    const path = `${API_PREFIX}${call.path}`
    settings.onRequest?.({ method: call.method, path })
    let response: Dispatcher.ResponseData
    try {
      response = await request(`${settings.baseUrl}${path}${toQuery(call.query)}`, {
        method: call.method,
        headers: {
          authorization: settings.apiKey,
          'wix-site-id': settings.siteId,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        dispatcher: settings.dispatcher,
        headersTimeout: settings.timeoutMs,
        bodyTimeout: settings.timeoutMs,
        signal: call.signal,
      })
    } catch (error) {
      if (call.signal?.aborted) throw error
      const failed = errorFromTransport(call.what, error)
      if (UNREACHABLE.has((error as { code?: string }).code ?? '')) cannotConnect.add(failed)
      throw failed
    }
    let body: unknown
    try {
      body = await readBody(response.body)
    } catch (error) {
      throw errorFromTransport(call.what, error)
    }
    if (response.statusCode !== 200) {
      const error = errorFromResponse(
        call.what, response.statusCode, body, requestIdOf(response.headers), parseRetryAfter(response.headers['retry-after']), [settings.apiKey],
      )
      if (response.statusCode === 429) sentAtCuts.set(error, cuts)
      // A 404 that names no missing resource is an endpoint that is not there: a wrong API base URL,
      // never a file that is gone (which `verify --fix` would drop from the lockfile).
      if (response.statusCode === 404 && error.rule !== 'RESOURCE_NOT_FOUND') {
        throw new WixMediaError('WIX_MEDIA_CONFIG', `${call.what} failed: ${settings.baseUrl} has no Media Manager API (HTTP 404 for ${call.method} ${path})`, {
          status: 404, requestId: error.requestId, hint: HINTS.WIX_MEDIA_CONFIG, cause: error,
        })
      }
      throw error
    }
    pacer.succeeded()
    return body as T
  }

  return {
    withRetries,
    once,
    api: (call) => withRetries(() => once(call), call.signal),
  }
}
