/** The retry policy: one pure function from (attempt, error) to a delay or a stop. */
import { describe, expect, it } from 'vitest'
import { createPacer } from '../../src/client/pacer.ts'
import { DEFAULT_RETRY_POLICY, FREE_REFUSALS, isRetryable, parseRetryAfter, retryDelay, withRetries, type RetryPolicy } from '../../src/client/retry.ts'
import { WixMediaError, type WixMediaErrorCode } from '../../src/core/errors.ts'

const policy: RetryPolicy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 10_000 }

const error = (code: WixMediaErrorCode, details: { status?: number; retryAfter?: number } = {}) =>
  new WixMediaError(code, 'Calling Wix failed', details)

describe('retryDelay', () => {
  it.each(['WIX_MEDIA_VALIDATION', 'WIX_MEDIA_AUTH', 'WIX_MEDIA_PERMISSION', 'WIX_MEDIA_NOT_FOUND', 'WIX_MEDIA_LOCKFILE'] as const)(
    'does not retry %s',
    (code) => {
      expect(retryDelay(1, error(code, { status: 400 }), policy, 0.5)).toBeUndefined()
      expect(isRetryable(error(code))).toBe(false)
    },
  )

  it.each(['WIX_MEDIA_RATE_LIMIT', 'WIX_MEDIA_SERVER', 'WIX_MEDIA_NETWORK', 'WIX_MEDIA_TIMEOUT'] as const)('retries %s', (code) => {
    expect(retryDelay(1, error(code), policy, 0)).toBe(50)
    expect(isRetryable(error(code))).toBe(true)
  })

  it('retries any error with status 408, whatever its code', () => {
    expect(retryDelay(1, error('WIX_MEDIA_VALIDATION', { status: 408 }), policy, 0)).toBe(50)
  })

  it('does not retry errors that are not WixMediaErrors', () => {
    expect(retryDelay(1, new Error('boom'), policy, 0)).toBeUndefined()
    expect(retryDelay(1, 'boom', policy, 0)).toBeUndefined()
    expect(isRetryable(undefined)).toBe(false)
  })

  it('grows exponentially: half fixed, half jitter, between ceiling/2 and ceiling', () => {
    const server = error('WIX_MEDIA_SERVER', { status: 503 })
    const low = [1, 2, 3, 4].map((attempt) => retryDelay(attempt, server, policy, 0))
    const high = [1, 2, 3, 4].map((attempt) => retryDelay(attempt, server, policy, 0.999))
    expect(low).toEqual([50, 100, 200, 400])
    // ceiling/2 + 0.999 × ceiling/2, rounded (99.95, 199.9, 399.8, 799.6)
    expect(high).toEqual([100, 200, 400, 800])
    expect(retryDelay(2, server, policy, 0.5)).toBe(150)
  })

  it('caps one delay at maxDelayMs', () => {
    const server = error('WIX_MEDIA_SERVER')
    const long: RetryPolicy = { ...policy, attempts: 30 }
    // 100 × 2^4 = 1600 > 1000
    expect(retryDelay(5, server, long, 0)).toBe(500)
    expect(retryDelay(5, server, long, 0.999)).toBe(1_000)
    expect(retryDelay(20, server, long, 0.999)).toBe(1_000)
    expect(retryDelay(20, server, long, 0)).toBe(500)
  })

  it('lets Retry-After (seconds) win over the backoff', () => {
    const limited = error('WIX_MEDIA_RATE_LIMIT', { status: 429, retryAfter: 3 })
    expect(retryDelay(1, limited, policy, 0)).toBe(3_000)
    expect(retryDelay(1, limited, policy, 0.999)).toBe(3_000)
    // even above maxDelayMs
    expect(retryDelay(1, error('WIX_MEDIA_RATE_LIMIT', { retryAfter: 5 }), policy, 0)).toBe(5_000)
    expect(retryDelay(1, error('WIX_MEDIA_RATE_LIMIT', { retryAfter: 0.25 }), policy, 0)).toBe(250)
  })

  it('caps Retry-After at maxRetryAfterMs', () => {
    expect(retryDelay(1, error('WIX_MEDIA_RATE_LIMIT', { retryAfter: 3_600 }), policy, 0)).toBe(10_000)
  })

  it('does not honour Retry-After on errors that are not retried', () => {
    expect(retryDelay(1, error('WIX_MEDIA_AUTH', { status: 401, retryAfter: 1 }), policy, 0)).toBeUndefined()
  })

  it('stops once `attempts` attempts have failed', () => {
    const server = error('WIX_MEDIA_SERVER')
    expect(retryDelay(5, server, policy, 0)).toBe(500)
    expect(retryDelay(6, server, policy, 0)).toBeUndefined()
    expect(retryDelay(7, server, policy, 0)).toBeUndefined()
    expect(retryDelay(1, server, { ...policy, attempts: 1 }, 0)).toBeUndefined()
    expect(retryDelay(1, error('WIX_MEDIA_RATE_LIMIT', { retryAfter: 1 }), { ...policy, attempts: 1 }, 0)).toBeUndefined()
  })

  it('is pure: same input, same output, policy untouched', () => {
    const server = error('WIX_MEDIA_SERVER')
    const copy = { ...policy }
    expect(retryDelay(3, server, policy, 0.3)).toBe(retryDelay(3, server, policy, 0.3))
    expect(policy).toEqual(copy)
  })

  it('has frozen defaults', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ attempts: 6, baseDelayMs: 250, maxDelayMs: 15_000, maxRetryAfterMs: 120_000 })
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00.000Z')

  it('reads seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7)
    expect(parseRetryAfter('0', now)).toBe(0)
    expect(parseRetryAfter('1.5', now)).toBe(1.5)
    expect(parseRetryAfter(' 12 ', now)).toBe(12)
  })

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30)
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:02:00 GMT', now)).toBe(120)
  })

  it('turns a date in the past into 0', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:59:00 GMT', now)).toBe(0)
  })

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['4', '9'], now)).toBe(4)
  })

  it('ignores missing and malformed values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
    expect(parseRetryAfter([], now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter('12-1', now)).toBeUndefined()
  })
})

describe('withRetries and a pacer', () => {
  const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 10 }
  const refusal = () => new WixMediaError('WIX_MEDIA_RATE_LIMIT', 'refused', { status: 429 })

  it('a call refused again and again while other calls succeed ends: its 429s count as failures past FREE_REFUSALS', async () => {
    const pacer = createPacer(undefined)
    let tries = 0
    // Each try makes a call that succeeds (a new upload URL), then one that is refused (the upload host).
    const attempt = async () => {
      // A bound of the test's own, so that a loop without end fails instead of hanging.
      if (++tries > 1000) throw new Error('retried without end')
      pacer.succeeded()
      throw refusal()
    }
    let toldPacer = 0
    await expect(withRetries(attempt, policy, { onRateLimit: () => (toldPacer++, pacer.throttled()) })).rejects.toMatchObject({ status: 429 })
    expect(tries).toBe(FREE_REFUSALS + policy.attempts)
    // Past FREE_REFUSALS too, the pacer hears of every 429.
    expect(toldPacer).toBe(tries)
  })

  it('past FREE_REFUSALS, a 429 the pacer gives up on ends the call at once', async () => {
    let tries = 0
    const attempt = async () => {
      if (++tries > 1000) throw new Error('retried without end')
      throw refusal()
    }
    // The pacer gives up on the 22nd refusal; the policy (3 attempts) would have allowed a 23rd.
    await expect(withRetries(attempt, policy, { onRateLimit: () => tries <= FREE_REFUSALS + 1 })).rejects.toMatchObject({ status: 429 })
    expect(tries).toBe(FREE_REFUSALS + 2)
  })
})
