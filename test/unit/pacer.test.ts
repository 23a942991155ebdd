/** The run-wide pacer, on a fake clock: spacing, 429 pauses and back-off, recovery, abort. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPacer } from '../../src/client/pacer.ts'

/** The fake clock handed to the pacer: vitest's faked Date, which moves exactly as the fake timers fire. */
const now = () => Date.now()

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms)
}

/** Starts a slot and records when (on the fake clock) it resolved or rejected. */
function track(promise: Promise<void>) {
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

  it('throttled() without retryAfterMs pauses for four intervals', async () => {
    const pacer = createPacer(60, now)
    pacer.throttled()
    expect(pacer.intervalMs).toBe(2_000)
    const slot = track(pacer.slot())
    await advance(7_999)
    expect(slot.at).toBeUndefined()
    await advance(1)
    expect(slot.at).toBe(18_000)
  })

  it('a 429 without requestsPerMinute starts a 50 ms gap; the interval doubles up to 1 s', () => {
    const pacer = createPacer(undefined, now)
    const seen: number[] = []
    for (let i = 0; i < 9; i++) {
      pacer.throttled(0)
      seen.push(pacer.intervalMs)
    }
    expect(seen).toEqual([50, 100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000])
  })

  it('with requestsPerMinute, 429s slow the pace to at most a quarter of it', () => {
    const pacer = createPacer(60, now)
    const seen: number[] = []
    for (let i = 0; i < 4; i++) {
      pacer.throttled(0)
      seen.push(pacer.intervalMs)
    }
    expect(seen).toEqual([2_000, 4_000, 4_000, 4_000])
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

  it('succeeded() brings the interval back to the base step by step (×0.95)', () => {
    const pacer = createPacer(60, now)
    pacer.throttled(0)
    expect(pacer.intervalMs).toBe(2_000)
    const seen: number[] = []
    for (let i = 0; i < 14; i++) {
      pacer.succeeded()
      seen.push(pacer.intervalMs)
    }
    expect(seen[0]).toBe(1_900)
    expect(seen[1]).toBe(1_805)
    expect(seen[12]).toBeCloseTo(2_000 * 0.95 ** 13, 6)
    expect(seen[12]!).toBeGreaterThan(1_000)
    expect(seen[13]).toBe(1_000)
    pacer.succeeded()
    expect(pacer.intervalMs).toBe(1_000)
  })

  it('succeeded() returns to no gap at all without requestsPerMinute', () => {
    const pacer = createPacer(undefined, now)
    pacer.throttled(0)
    let steps = 0
    while (pacer.intervalMs > 0 && steps < 1_000) {
      pacer.succeeded()
      steps++
    }
    // 50 × 0.95^44 ≈ 5.2 ≥ 5, 50 × 0.95^45 ≈ 4.97 < 5
    expect(steps).toBe(45)
    expect(pacer.intervalMs).toBe(0)
  })

  it('succeeded() never goes below the base', () => {
    const pacer = createPacer(30, now)
    pacer.succeeded()
    expect(pacer.intervalMs).toBe(2_000)
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
