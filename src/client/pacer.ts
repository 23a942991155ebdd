/**
 * Paces API calls for a whole run. With `requestsPerMinute`, calls start at most that often. A 429
 * pauses every caller (for `Retry-After`, or a backoff) and halves the pace; successes bring it
 * back step by step, so a fleet of builds shares a site's rate limit instead of storming it.
 */
export interface Pacer {
  /** Resolves when the next call may start. */
  slot(signal?: AbortSignal): Promise<void>
  /** A 429 came back; `retryAfterMs` if Wix said how long to wait. */
  throttled(retryAfterMs?: number): void
  succeeded(): void
  /** The current minimum gap between calls, in ms. */
  readonly intervalMs: number
}

const MIN_THROTTLED_INTERVAL_MS = 50
/**
 * The slowest a run falls to on its own: 60 calls a minute, or a quarter of `requestsPerMinute`.
 * Deep enough for a fleet to share a site's limit, shallow enough that a burst of 429s does not stall it.
 */
const MAX_INTERVAL_MS = 1_000

export function createPacer(requestsPerMinute: number | undefined, now: () => number = Date.now): Pacer {
  const baseInterval = requestsPerMinute ? 60_000 / requestsPerMinute : 0
  const maxInterval = Math.max(MAX_INTERVAL_MS, baseInterval * 4)
  let interval = baseInterval
  let nextStart = 0
  let pausedUntil = 0

  return {
    get intervalMs() {
      return interval
    },
    async slot(signal) {
      signal?.throwIfAborted()
      for (;;) {
        const at = Math.max(now(), nextStart, pausedUntil)
        nextStart = at + interval
        const wait = at - now()
        if (wait <= 0) return
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            clearTimeout(timer)
            reject(signal!.reason)
          }
          // The listener goes when the wait ends: one run-wide signal sees thousands of slots.
          const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort)
            resolve()
          }, wait)
          signal?.addEventListener('abort', onAbort, { once: true })
        })
        // A 429 that came while this caller waited pauses it too: queue again behind the pause.
        if (pausedUntil <= at) return
      }
    },
    throttled(retryAfterMs) {
      interval = Math.min(maxInterval, Math.max(MIN_THROTTLED_INTERVAL_MS, interval * 2))
      pausedUntil = Math.max(pausedUntil, now() + (retryAfterMs ?? interval * 4))
    },
    succeeded() {
      if (interval > baseInterval) interval = interval * 0.95 < Math.max(baseInterval, 5) ? baseInterval : interval * 0.95
    },
  }
}
