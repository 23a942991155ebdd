/** The run-wide pacer, on a fake clock: spacing, 429 pauses and halving, recovery, giving up on a storm, abort; and against a simulated rate limit. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPacer, GIVE_UP_AFTER_MS, type Pacer } from '../../src/client/pacer.ts'

/** The fake clock handed to the pacer: vitest's faked Date, which moves exactly as the fake timers fire. */
const now = () => Date.now()

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms)
}

/** Starts a slot and records when (on the fake clock) it resolved or rejected. */
function track(promise: Promise<unknown>) {
  const state: { at?: number; error?: unknown } = {}
  promise.then(() => {
    state.at = now()
  }, (error: unknown) => {
    state.error = error
  })
  return state
}

beforeEach(() => {
  vi.useFakeTimers({ now: 10_000 })
})

afterEach(() => {
  vi.useRealTimers()
})

describe('createPacer', () => {
  it('lets calls through at once without requestsPerMinute', async () => {
    const pacer = createPacer(undefined, now)
    expect(pacer.intervalMs).toBe(0)
    const slots = [track(pacer.slot()), track(pacer.slot()), track(pacer.slot())]
    await advance(0)
    expect(slots.map((slot) => slot.at)).toEqual([10_000, 10_000, 10_000])
  })

  it('spaces calls 60000 / requestsPerMinute ms apart', async () => {
    const pacer = createPacer(60, now)
    expect(pacer.intervalMs).toBe(1_000)
    const slots = [track(pacer.slot()), track(pacer.slot()), track(pacer.slot())]
    await advance(0)
    expect(slots.map((slot) => slot.at)).toEqual([10_000, undefined, undefined])
    await advance(999)
    expect(slots[1]!.at).toBeUndefined()
    await advance(1)
    expect(slots.map((slot) => slot.at)).toEqual([10_000, 11_000, undefined])
    await advance(1_000)
    expect(slots[2]!.at).toBe(12_000)
  })

  it('does not make a call wait when the gap has already passed', async () => {
    const pacer = createPacer(120, now)
    const first = track(pacer.slot())
    await advance(2_000)
    const second = track(pacer.slot())
    await advance(0)
    expect([first.at, second.at]).toEqual([10_000, 12_000])
  })

  it('throttled(retryAfterMs) pauses every later caller and doubles the interval', async () => {
    const pacer = createPacer(60, now)
    await pacer.slot()
    pacer.throttled(3_000)
    expect(pacer.intervalMs).toBe(2_000)
    const slots = [track(pacer.slot()), track(pacer.slot()), track(pacer.slot())]
    await advance(2_999)
    expect(slots.map((slot) => slot.at)).toEqual([undefined, undefined, undefined])
    await advance(1)
    expect(slots.map((slot) => slot.at)).toEqual([13_000, undefined, undefined])
    await advance(2_000)
    expect(slots.map((slot) => slot.at)).toEqual([13_000, 15_000, undefined])
    await advance(2_000)
    expect(slots[2]!.at).toBe(17_000)
  })

  it('throttled() also holds a caller that was already waiting for its turn', async () => {
    const pacer = createPacer(60, now)
    await pacer.slot()
    const waiting = track(pacer.slot()) // due at 11 000
    await advance(500)
    pacer.throttled(5_000) // paused until 15 500
    await advance(1_000)
    expect(waiting.at).toBeUndefined()
    await advance(4_000)
    expect(waiting.at).toBe(15_500)
  })

  it('throttled() without retryAfterMs pauses for one interval at the new pace', async () => {
    const pacer = createPacer(60, now)
    expect(pacer.throttled()).toBe(true)
    expect(pacer.intervalMs).toBe(2_000)
    const slot = track(pacer.slot())
    await advance(1_999)
    expect(slot.at).toBeUndefined()
    await advance(1)
    expect(slot.at).toBe(12_000)
  })

  it('each 429 after the last pause halves the pace: from 20 calls a second, unpaced, down to one call a minute', async () => {
    const pacer = createPacer(undefined, now)
    const seen: number[] = []
    for (let i = 0; i < 13; i++) {
      pacer.throttled()
      seen.push(pacer.intervalMs)
      await advance(pacer.intervalMs)
    }
    expect(seen).toEqual([50, 100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 51_200, 60_000, 60_000])
  })

  it('429s that come back during the pause answer calls sent at the old pace: they halve nothing', async () => {
    const pacer = createPacer(60, now)
    // Six calls in flight at 60/min are refused one after another.
    for (let i = 0; i < 6; i++) {
      expect(pacer.throttled()).toBe(true)
      await advance(100)
    }
    expect(pacer.intervalMs).toBe(2_000)
    // The pause (one interval at the new pace) is over: the next 429 is about the new pace.
    await advance(1_500)
    pacer.throttled()
    expect(pacer.intervalMs).toBe(4_000)
  })

  it('a 429 for a call sent before the last cut halves nothing, however late it comes back; one sent since does', async () => {
    const pacer = createPacer(undefined, now)
    // Eight calls go out together, unpaced; their 429s come back one by one, each after the last pause.
    const sentAt = pacer.cuts
    for (let i = 0; i < 8; i++) {
      expect(pacer.throttled(undefined, sentAt)).toBe(true)
      await advance(1_000)
    }
    expect([pacer.cuts, pacer.intervalMs]).toEqual([1, 50])
    // A call sent at the new pace and refused: that one is about the new pace.
    pacer.throttled(undefined, pacer.cuts)
    expect([pacer.cuts, pacer.intervalMs]).toEqual([2, 100])
  })

  it('a 429 that does not say when its call was sent halves the pace once each pause is over', async () => {
    const pacer = createPacer(undefined, now)
    for (let i = 0; i < 3; i++) {
      pacer.throttled()
      await advance(1_000)
    }
    expect([pacer.cuts, pacer.intervalMs]).toEqual([3, 200])
  })

  it('a Retry-After pause also holds off the next halving until it is over', async () => {
    const pacer = createPacer(undefined, now)
    pacer.throttled(5_000)
    await advance(4_000)
    pacer.throttled(5_000)
    expect(pacer.intervalMs).toBe(50)
    await advance(6_000)
    pacer.throttled(5_000)
    expect(pacer.intervalMs).toBe(100)
  })

  it('a shorter Retry-After does not shorten a pause already in force', async () => {
    const pacer = createPacer(undefined, now)
    pacer.throttled(4_000)
    pacer.throttled(1_000)
    const slot = track(pacer.slot())
    await advance(3_999)
    expect(slot.at).toBeUndefined()
    await advance(1)
    expect(slot.at).toBe(14_000)
  })

  it('succeeded() raises the pace by one call a minute, up to requestsPerMinute', () => {
    const pacer = createPacer(20, now)
    pacer.throttled()
    expect(pacer.intervalMs).toBe(6_000) // 10/min
    const seen: number[] = []
    for (let i = 0; i < 12; i++) {
      pacer.succeeded()
      seen.push(Math.round(60_000 / pacer.intervalMs))
    }
    expect(seen).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 20, 20])
  })

  it('without requestsPerMinute, successes keep raising the pace; a run without 429s is never paced', () => {
    const pacer = createPacer(undefined, now)
    for (let i = 0; i < 100; i++) pacer.succeeded()
    expect(pacer.intervalMs).toBe(0)
    pacer.throttled()
    for (let i = 0; i < 1_200; i++) pacer.succeeded()
    expect(60_000 / pacer.intervalMs).toBe(2_400)
  })

  it('succeeded() never goes above requestsPerMinute', () => {
    const pacer = createPacer(30, now)
    pacer.succeeded()
    expect(pacer.intervalMs).toBe(2_000)
  })

  describe('a 429 storm', () => {
    /** Refuses a call every time the pause is over, as a site that refuses everything would. */
    async function refuseFor(pacer: Pacer, ms: number): Promise<boolean[]> {
      const answers: boolean[] = []
      for (const end = now() + ms; now() < end;) {
        answers.push(pacer.throttled())
        await advance(Math.max(1, pacer.intervalMs))
      }
      return answers
    }

    it('is retried while the pacer adapts; after two minutes of nothing but 429s it gives up', async () => {
      const pacer = createPacer(undefined, now)
      const answers = await refuseFor(pacer, GIVE_UP_AFTER_MS)
      expect(answers.every(Boolean)).toBe(true)
      expect(pacer.intervalMs).toBe(60_000)
      expect(pacer.throttled()).toBe(false)
    })

    it('giving up releases every caller waiting for its turn at once, and refuses new calls at once', async () => {
      const pacer = createPacer(undefined, now)
      await refuseFor(pacer, GIVE_UP_AFTER_MS)
      expect(await pacer.slot()).toBe(true)
      const waiting = [pacer.slot(), pacer.slot(), pacer.slot()].map((slot) => {
        const state: { ok?: boolean } = {}
        void slot.then((ok) => {
          state.ok = ok
        })
        return state
      })
      await advance(0)
      expect(waiting.map((slot) => slot.ok)).toEqual([undefined, undefined, undefined])
      expect(pacer.throttled()).toBe(false)
      await advance(0)
      expect(waiting.map((slot) => slot.ok)).toEqual([false, false, false])
      expect(await pacer.slot()).toBe(false)
    })

    it('after as long again without a 429, calls go out again; a success ends the storm', async () => {
      const pacer = createPacer(undefined, now)
      await refuseFor(pacer, GIVE_UP_AFTER_MS)
      expect(pacer.throttled()).toBe(false)
      await advance(GIVE_UP_AFTER_MS)
      const probe = track(pacer.slot().then((ok) => expect(ok).toBe(true)))
      await advance(60_000)
      expect(probe.at).toBeDefined()
      // The probe is refused: given up again at once. Another probe, later, gets through.
      expect(pacer.throttled()).toBe(false)
      await advance(GIVE_UP_AFTER_MS)
      expect(await pacer.slot()).toBe(true)
      pacer.succeeded()
      expect(pacer.throttled()).toBe(true)
    })

    it('a lone 429 long after another (whose call then failed otherwise, no success since) starts afresh', async () => {
      const pacer = createPacer(undefined, now)
      expect(pacer.throttled()).toBe(true)
      await advance(10 * 60_000)
      expect(pacer.throttled()).toBe(true)
    })

    it('a success within the two minutes starts the count again', async () => {
      const pacer = createPacer(undefined, now)
      await refuseFor(pacer, GIVE_UP_AFTER_MS - 10_000)
      pacer.succeeded()
      expect((await refuseFor(pacer, GIVE_UP_AFTER_MS - 10_000)).every(Boolean)).toBe(true)
    })
  })

  describe('against a site that allows R calls a minute (a token bucket of R, as the emulator\'s)', () => {
    /**
     * `calls` calls made by `concurrency` callers that retry every 429 the pacer lets them retry.
     * Each call takes `latencyMs`; the bucket's tokens are taken as the call starts.
     */
    async function run(perMinute: number, calls: number, options: { concurrency?: number; retryAfter?: boolean } = {}) {
      const pacer = createPacer(undefined, now)
      let tokens = perMinute
      let filledAt = now()
      const take = (): number => {
        tokens = Math.min(perMinute, tokens + ((now() - filledAt) * perMinute) / 60_000)
        filledAt = now()
        if (tokens >= 1) {
          tokens--
          return 0
        }
        return Math.ceil(((1 - tokens) * 60_000) / perMinute)
      }
      let left = calls
      let refused = 0
      let failed = 0
      const started = now()
      const caller = async () => {
        while (left > 0) {
          left--
          for (;;) {
            if (!await pacer.slot()) {
              failed++
              break
            }
            const wait = take()
            await new Promise((resolve) => setTimeout(resolve, 20))
            if (wait === 0) {
              pacer.succeeded()
              break
            }
            refused++
            if (!pacer.throttled(options.retryAfter ? wait : undefined)) {
              failed++
              break
            }
          }
        }
      }
      const done = Promise.all(Array.from({ length: options.concurrency ?? 6 }, caller))
      let finished = false
      void done.then(() => {
        finished = true
      })
      while (!finished) await advance(1_000)
      return { failed, refused, minutes: (now() - started) / 60_000 }
    }

    it.each([10, 20, 60, 200])('%i/min: every call goes through (no Retry-After)', async (perMinute) => {
      const result = await run(perMinute, Math.round(perMinute * 2.5))
      expect(result.failed).toBe(0)
      // Finding the pace costs about a dozen refusals (halving from 20 calls a second), then one every 40 s or so.
      expect(result.refused).toBeLessThan(20)
    })

    it.each([10, 20, 60])('%i/min: every call goes through (Retry-After: until a token is back)', async (perMinute) => {
      const result = await run(perMinute, Math.round(perMinute * 2.5), { retryAfter: true })
      expect(result.failed).toBe(0)
    })

    it('20/min and 57 calls, the QA run: every call goes through', async () => {
      const result = await run(20, 57)
      expect(result.failed).toBe(0)
    })
  })

  it('an abort rejects a waiting slot with the signal reason', async () => {
    const pacer = createPacer(60, now)
    await pacer.slot()
    const controller = new AbortController()
    const waiting = track(pacer.slot(controller.signal))
    await advance(100)
    const reason = new Error('stopped')
    controller.abort(reason)
    await advance(0)
    expect(waiting.error).toBe(reason)
    expect(waiting.at).toBeUndefined()
    await advance(5_000)
    expect(waiting.at).toBeUndefined()
  })

  it('an already aborted signal rejects at once instead of waiting its turn', async () => {
    const pacer = createPacer(60, now)
    await pacer.slot()
    const reason = new Error('gone')
    const waiting = track(pacer.slot(AbortSignal.abort(reason)))
    await advance(0)
    expect(waiting.error).toBe(reason)
  })

  it('does not leave abort listeners behind on a long-lived signal', async () => {
    const pacer = createPacer(60_000, now) // 1 ms apart
    const controller = new AbortController()
    let added = 0
    let removed = 0
    const add = controller.signal.addEventListener.bind(controller.signal)
    const remove = controller.signal.removeEventListener.bind(controller.signal)
    controller.signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
      added++
      add(...args)
    }) as AbortSignal['addEventListener']
    controller.signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => {
      removed++
      remove(...args)
    }) as AbortSignal['removeEventListener']
    const slots = Array.from({ length: 20 }, () => track(pacer.slot(controller.signal)))
    await advance(20)
    expect(slots.every((slot) => slot.at !== undefined)).toBe(true)
    expect(added).toBeGreaterThan(0)
    expect(removed).toBe(added)
  })
})
