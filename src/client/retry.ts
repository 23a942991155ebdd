/**
 * The retry policy, one pure function: given the attempt that just failed and its error, how long
 * to wait before the next one, or `undefined` to give up. 408, 429, 5xx and network errors are
 * retried with capped exponential backoff and jitter (half fixed, half random), honouring `Retry-After`; validation,
 * auth and permission errors are not. And the loop that follows it (`withRetries`), which hands
 * 429s to the run's pacer (`http.ts`) and uses the policy for them only past FREE_REFUSALS.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { isWixMediaError, type WixMediaError } from '../core/errors.ts'

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number
  /** Backoff base in ms: the n-th retry waits up to `base × 2^(n-1)`. */
  baseDelayMs: number
  /** Cap on one backoff delay in ms. */
  maxDelayMs: number
  /** Cap on how long a `Retry-After` may make us wait, in ms. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  attempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 120_000,
})

const RETRIED_CODES = new Set(['WIX_MEDIA_RATE_LIMIT', 'WIX_MEDIA_SERVER', 'WIX_MEDIA_NETWORK', 'WIX_MEDIA_TIMEOUT'])

export function isRetryable(error: unknown): boolean {
  if (!isWixMediaError(error)) return false
  return RETRIED_CODES.has(error.code) || error.status === 408
}

/**
 * @param attempt the attempt that failed, from 1
 * @param random a number in [0, 1) for the jitter
 */
export function retryDelay(attempt: number, error: unknown, policy: RetryPolicy, random: number): number | undefined {
  if (attempt >= policy.attempts || !isRetryable(error)) return undefined
  const retryAfter = isWixMediaError(error) ? error.retryAfter : undefined
  if (retryAfter !== undefined) return Math.min(retryAfter * 1000, policy.maxRetryAfterMs)
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + (random * ceiling) / 2)
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (!text) return undefined
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text)
  // An HTTP date always names its day and month; V8's lenient Date.parse reads "-5" or "12-1" as dates.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000)
}

/**
 * How many 429s one call may get without using up attempts: enough for the pace to fall from 20
 * calls a second to one a minute (11 halvings) and then some.
 */
export const FREE_REFUSALS = 20

/** Something that holds a run back, for the user to be told (`ClientOptions.onSetback`). */
export type Setback =
  /** An attempt failed (`attempt`, from 1) and is tried again in `delayMs`; `file`: the project file it was for, when known. */
  | { kind: 'retry'; error: unknown; attempt: number; attempts: number; delayMs: number; file?: string }
  /** Wix answered 429 and the pace of API calls fell to `callsPerMinute` (pacer.ts). */
  | { kind: 'throttled'; callsPerMinute: number }

export interface RetryHooks {
  signal?: AbortSignal
  /**
   * A 429 answer is not the policy's: it is handed over, and `true` retries at once without
   * counting an attempt (the pacer holds the next one back), `false` gives up.
   */
  onRateLimit?: (error: WixMediaError) => boolean
  /** Whether the run has given up on what this error says (the API unreachable): no retry then. */
  givenUp?: () => boolean
  /** The policy retries a failed attempt after `delayMs` (not told of the 429s `onRateLimit` takes). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void
}

/**
 * Runs `attempt` until it succeeds or the policy gives up, waiting the policy's delay between
 * attempts. An abort stops it at once.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const { signal, onRateLimit, givenUp, onRetry } = hooks
  for (let n = 1, failed = 0, refused = 0; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      if (signal?.aborted) throw error
      if (onRateLimit && isWixMediaError(error, 'WIX_MEDIA_RATE_LIMIT')) {
        // Every 429 goes to the pacer. A call it would not even send, or one it gives up on now, is final.
        if (error.status !== 429 || !onRateLimit(error)) throw error
        // Past FREE_REFUSALS, this call's 429s cost attempts too: the pacer's give-up clock restarts
        // with every success of another call, and a 429 from outside its pace (the upload host)
        // would otherwise be retried for ever.
        if (++refused <= FREE_REFUSALS) continue
      }
      const delay = givenUp?.() ? undefined : retryDelay(++failed, error, policy, Math.random())
      if (delay === undefined) throw error
      onRetry?.(error, failed, delay)
      await sleep(delay, undefined, { signal })
    }
  }
}
