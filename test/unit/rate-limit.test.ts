/**
 * 429s through the client (undici's MockAgent, fake timers): they go to the run-wide pacer and do
 * not count against `attempts` while it adapts; a storm that never ends is given up on after two
 * minutes, and every call still waiting fails at once, unsent.
 */
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMediaClient, type MediaClient } from '../../src/client/client.ts'
import { GIVE_UP_AFTER_MS } from '../../src/client/pacer.ts'
import type { WixMediaError } from '../../src/core/errors.ts'

const BASE = 'https://www.wixapis.com'
const PATH = '/site-media/v1/files/get-file-by-id?fileId=x'
const FILE = { file: { id: 'x' } }

let agent: MockAgent
let sent: number

function client(attempts = 3): MediaClient {
  return createMediaClient({
    apiBaseUrl: BASE, apiKey: 'key', siteId: 'site', dispatcher: agent, timeoutMs: 600_000,
    retry: { attempts, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 30_000 },
    onRequest: () => {
      sent++
    },
  })
}

interface Outcome<T> {
  value?: T
  error?: WixMediaError
  /** Fake ms from the start until it settled. */
  ms: number
}

/** Settles `promises` while one driver runs the fake clock; each outcome says when (on the fake clock) it settled. */
async function settle<T>(...promises: Promise<T>[]): Promise<Outcome<T>[]> {
  const started = Date.now()
  const outcomes: (Outcome<T> | undefined)[] = promises.map(() => undefined)
  promises.forEach((promise, i) => promise.then((value) => {
    outcomes[i] = { value, ms: Date.now() - started }
  }, (error: WixMediaError) => {
    outcomes[i] = { error, ms: Date.now() - started }
  }))
  await vi.advanceTimersByTimeAsync(0)
  while (outcomes.includes(undefined)) await vi.advanceTimersByTimeAsync(250)
  return outcomes as Outcome<T>[]
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  agent = new MockAgent()
  agent.disableNetConnect()
  sent = 0
})

afterEach(async () => {
  vi.useRealTimers()
  await agent.close()
})

describe('429s and the pacer', () => {
  it('a 429 does not use up `attempts`: eight in a row, with attempts: 3, and the call still succeeds', async () => {
    const scope = agent.get(BASE)
    scope.intercept({ path: PATH, method: 'GET' }).reply(429, { message: 'too many requests', details: {} }).times(8)
    scope.intercept({ path: PATH, method: 'GET' }).reply(200, FILE)
    const [called] = await settle(client(3).getFile('x'))
    expect(called!.value?.id).toBe('x')
    expect(sent).toBe(9)
  })

  it('429s for calls that were in flight together cut the pace once, however late each comes back', async () => {
    const scope = agent.get(BASE)
    // Eight calls at once; their 429s come back 0.3 s to 2.4 s later, each long after the 50 ms
    // pause the first one starts. Then every retry succeeds.
    for (let i = 1; i <= 8; i++) {
      scope.intercept({ path: PATH, method: 'GET' }).reply(429, { message: 'too many requests', details: {} }).delay(i * 300)
    }
    scope.intercept({ path: PATH, method: 'GET' }).reply(200, FILE).persist()
    const media = client(3)
    const outcomes = await settle(...Array.from({ length: 8 }, () => media.getFile('x')))
    expect(outcomes.every((outcome) => outcome.value?.id === 'x')).toBe(true)
    expect(sent).toBe(16)
    // One cut: 20 calls a second, so each retry goes out at once after its 429 (the last at 2.4 s).
    // Cutting again for each 429 that comes back after the last pause ends the last call about 5 s in.
    expect(Math.max(...outcomes.map((outcome) => outcome.ms))).toBeLessThanOrEqual(2_750)
  })

  it('other errors still count: 503s end the call after `attempts`, 429s in between notwithstanding', async () => {
    const scope = agent.get(BASE)
    for (const status of [503, 429, 429, 503, 429, 503]) scope.intercept({ path: PATH, method: 'GET' }).reply(status, { message: '', details: {} })
    const [called] = await settle(client(3).getFile('x'))
    expect([called!.error?.code, called!.error?.status]).toEqual(['WIX_MEDIA_SERVER', 503])
    expect(sent).toBe(6)
  })

  it('a storm that never ends: given up after two minutes, with WIX_MEDIA_RATE_LIMIT; waiting calls fail at once, unsent', async () => {
    agent.get(BASE).intercept({ path: PATH, method: 'GET' })
      .reply(429, { message: 'Too many requests', details: {} }, { headers: { 'x-wix-request-id': 'r-429' } }).persist()
    const media = client(6)
    const outcomes = await settle(...Array.from({ length: 20 }, () => media.getFile('x')))
    expect(outcomes.every((outcome) => outcome.error?.code === 'WIX_MEDIA_RATE_LIMIT')).toBe(true)
    // Halving from 20 calls a second to one a minute: a few dozen calls in all, not 20 × 6.
    expect(sent).toBeLessThan(60)
    const slowest = Math.max(...outcomes.map((outcome) => outcome.ms))
    expect(slowest).toBeGreaterThanOrEqual(GIVE_UP_AFTER_MS)
    expect(slowest).toBeLessThan(GIVE_UP_AFTER_MS + 60_000 + 1_000)
    const refused = outcomes.find((outcome) => outcome.error?.status === 429)!.error!
    expect(refused.message).toMatch(/^Reading file x failed: Too many requests \(HTTP 429, request id r-429\)\. Wix kept refusing calls/)
    const unsent = outcomes.find((outcome) => outcome.error?.status === undefined)!.error!
    expect(unsent.message).toMatch(/^Reading file x was not sent: Wix has refused every call for 2 minutes\. Wix kept refusing calls/)

    // A call made now, or a minute later, fails at once, unsent; two minutes after the last 429, calls go out again.
    const before = sent
    expect((await settle(media.getFile('x')))[0]!.ms).toBe(0)
    await vi.advanceTimersByTimeAsync(GIVE_UP_AFTER_MS / 2)
    expect((await settle(media.getFile('x')))[0]!.ms).toBe(0)
    expect(sent).toBe(before)
    await vi.advanceTimersByTimeAsync(GIVE_UP_AFTER_MS / 2)
    await settle(media.getFile('x'))
    expect(sent).toBe(before + 1)
  })
})
