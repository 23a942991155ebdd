/**
 * Paces API calls for a whole run: additive increase, multiplicative decrease (AIMD), the way TCP
 * shares a link, so that one run (or a fleet of builds) settles below a site's rate limit, whatever
 * that limit is, instead of storming it.
 *
 * - A run that never sees a 429 is not paced at all (or at `requestsPerMinute`, when set).
 * - A 429 halves the pace (the first one of an unpaced run starts at 20 calls a second) and pauses
 *   every caller: for `Retry-After` when Wix sends it, else for one call at the new pace. A 429 for
 *   a call sent before the last cut answers the old pace: it halves nothing, however long the call
 *   took (TCP's one decrease per window). A call says when it was sent by the {@link Pacer.cuts} it
 *   read then; a 429 that does not say (the upload host's, outside the pace) halves nothing until
 *   the pause is over.
 * - Each success raises the pace by one call a minute (up to `requestsPerMinute`): back from half
 *   the limit to the limit in about 40 s whatever the limit, so that a run averages about ¾ of it
 *   and wastes one refused call every 40 s or so.
 * - Waiting out 429s is the pacer's business, not the retry policy's (`http.ts`): a refused call
 *   does not count against `attempts` while the pacer adapts. When Wix has refused every call for
 *   {@link GIVE_UP_AFTER_MS} (by then the pace is down to one call a minute, the window of Wix's
 *   per-minute limit), no pace helps: the pacer gives up, and every call waiting for a slot, and
 *   every new one for as long again, fails at once, so a 429 storm ends a run in a few minutes.
 */
export interface Pacer {
  /**
   * Resolves `true` when the next call may start, or `false` when the pacer has given up on a
   * 429 storm (the call must not be sent).
   */
  slot(signal?: AbortSignal): Promise<boolean>
  /**
   * A 429 came back; `retryAfterMs` if Wix said how long to wait; `sentAtCuts`: {@link cuts} as the
   * refused call was sent. `true`: retry the call (its next `slot()` holds it as long as needed);
   * `false`: the pacer has given up.
   */
  throttled(retryAfterMs?: number, sentAtCuts?: number): boolean
  succeeded(): void
  /** The current minimum gap between calls, in ms (`0`: not paced). */
  readonly intervalMs: number
  /** How many times a 429 has cut the pace so far: a call reads it as it is sent. */
  readonly cuts: number
}

/** The pace an unpaced run falls to on its first 429: 20 calls a second. */
const FIRST_THROTTLED_PER_MINUTE = 1_200
/** The slowest pace: one call a minute. */
const SLOWEST_PER_MINUTE = 1
/** How much each success raises the pace, in calls a minute. */
const INCREASE_PER_SUCCESS = 1
/** A run of 429s this long without a single success makes the pacer give up (and refuse calls for as long). */
export const GIVE_UP_AFTER_MS = 120_000

export function createPacer(requestsPerMinute: number | undefined, now: () => number = Date.now): Pacer {
  const ceiling = requestsPerMinute || Number.POSITIVE_INFINITY
  /** Calls a minute; infinite: not paced. */
  let rate = ceiling
  let nextStart = 0
  let pausedUntil = 0
  let cuts = 0
  /** When the current run of 429s began (no success since); `undefined` after a success. */
  let refusedSince: number | undefined
  let lastRefusedAt = Number.NEGATIVE_INFINITY
  /** Callers sleeping until their turn: woken early when the pacer gives up. */
  const sleepers = new Set<() => void>()

  const interval = () => (rate === Number.POSITIVE_INFINITY ? 0 : 60_000 / rate)
  /** The current run of 429s has lasted the give-up window. */
  const stormLasted = () => refusedSince !== undefined && lastRefusedAt - refusedSince >= GIVE_UP_AFTER_MS
  /** Given up, and no quiet spell as long as the window since. */
  const givenUp = (at: number) => stormLasted() && at - lastRefusedAt < GIVE_UP_AFTER_MS

  function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        sleepers.delete(done)
        // The listener goes when the wait ends: one run-wide signal sees thousands of slots.
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = () => {
        clearTimeout(timer)
        sleepers.delete(done)
        reject(signal!.reason)
      }
      const timer = setTimeout(done, ms)
      sleepers.add(done)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  return {
    get intervalMs() {
      return interval()
    },
    get cuts() {
      return cuts
    },
    async slot(signal) {
      for (;;) {
        signal?.throwIfAborted()
        if (givenUp(now())) return false
        const at = Math.max(now(), nextStart, pausedUntil)
        nextStart = at + interval()
        const wait = at - now()
        if (wait <= 0) return true
        await sleep(wait, signal)
        // A 429 that came while this caller waited pauses it too: queue again behind the pause.
        if (pausedUntil <= at && !givenUp(now())) return true
      }
    },
    throttled(retryAfterMs, sentAtCuts) {
      const at = now()
      // A 429 after a quiet spell as long as the give-up window starts a new storm, unless the last
      // one ended in a give-up (then this is a probe that was refused: still the same storm).
      if (!stormLasted() && at - lastRefusedAt >= GIVE_UP_AFTER_MS) refusedSince = undefined
      refusedSince ??= at
      lastRefusedAt = at
      if (givenUp(at)) {
        for (const wake of [...sleepers]) wake()
        return false
      }
      const sentAtThisPace = sentAtCuts === undefined ? at >= pausedUntil : sentAtCuts === cuts
      if (sentAtThisPace) {
        cuts++
        rate = rate === Number.POSITIVE_INFINITY ? FIRST_THROTTLED_PER_MINUTE : Math.max(SLOWEST_PER_MINUTE, rate / 2)
        pausedUntil = Math.max(pausedUntil, at + interval())
      }
      if (retryAfterMs !== undefined) pausedUntil = Math.max(pausedUntil, at + retryAfterMs)
      return true
    },
    succeeded() {
      refusedSince = undefined
      rate = Math.min(ceiling, rate + INCREASE_PER_SUCCESS)
    },
  }
}
