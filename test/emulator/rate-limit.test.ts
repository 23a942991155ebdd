/** The emulator's per-site API rate limit (a token bucket), over real HTTP on 127.0.0.1. */
import { describe, expect, it } from 'vitest'
import type { WireError } from '../../src/client/wire.ts'
import { withEmulator, type Api, type ApiAnswer } from '../support/emulator.ts'
import { png } from '../support/media.ts'

async function listTimes(api: Api, n: number, headers?: Record<string, string>): Promise<ApiAnswer<WireError>[]> {
  const answers: ApiAnswer<WireError>[] = []
  for (let i = 0; i < n; i++) answers.push(await api.call<WireError>('GET', '/files', undefined, headers))
  return answers
}

describe('emulator rate limit', () => {
  it('refuses the 6th quick call of a 5/min budget with 429 RESOURCE_EXHAUSTED and no Retry-After', async () => {
    await withEmulator({ rateLimit: 5 }, async (api) => {
      const answers = await listTimes(api, 6)
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429])
      const limited = answers[5]!
      expect(limited.body.details.applicationError?.code).toBe('RESOURCE_EXHAUSTED')
      expect(limited.body.message).toBe(limited.body.details.applicationError?.description)
      expect(limited.headers.get('retry-after')).toBeNull()
      expect(limited.headers.get('x-wix-request-id')).not.toBeNull()
      // Refused calls take no token back: still refused.
      expect((await api.call('GET', '/folders')).status).toBe(429)

      const logged = api.emulator.requests().map((e) => [e.route, e.status, e.fault])
      expect(logged.slice(-2)).toEqual([['listFiles', 429, undefined], ['listFolders', 429, undefined]])
    })
  })

  it("rateLimitRetryAfter 'auto' sends the whole seconds until a token is back", async () => {
    await withEmulator({ rateLimit: 5, rateLimitRetryAfter: 'auto' }, async (api) => {
      const answers = await listTimes(api, 6)
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429])
      const retryAfter = answers[5]!.headers.get('retry-after')
      expect(retryAfter).toMatch(/^[1-9]\d*$/)
      // 5/min refills one token every 12 s; the burst itself took a little of that (under 2 s).
      expect([11, 12]).toContain(Number(retryAfter))
    })
  })

  it('a numeric rateLimitRetryAfter is sent as is', async () => {
    await withEmulator({ rateLimit: 2, rateLimitRetryAfter: 7 }, async (api) => {
      const answers = await listTimes(api, 3)
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429])
      expect(answers[2]!.headers.get('retry-after')).toBe('7')
      expect(answers[2]!.body.details.applicationError?.code).toBe('RESOURCE_EXHAUSTED')
    })
  })

  it('recovers as the bucket refills (120/min = one call every 0.5 s)', async () => {
    await withEmulator({ rateLimit: 120, rateLimitRetryAfter: 'auto' }, async (api) => {
      const statuses: number[] = []
      let limited: ApiAnswer<WireError> | undefined
      while (!limited && statuses.length < 400) {
        const answer = await api.call<WireError>('GET', '/files')
        statuses.push(answer.status)
        if (answer.status === 429) limited = answer
      }
      // The full bucket lets the first 120 through without a single refusal.
      expect(statuses.slice(0, 120)).toEqual(Array.from({ length: 120 }, () => 200))
      expect(limited?.status).toBe(429)
      expect(limited!.headers.get('retry-after')).toBe('1')

      await new Promise((resolve) => setTimeout(resolve, 600))
      expect((await api.call('GET', '/files')).status).toBe(200)
    })
  })

  it('upload PUTs and media GETs are not counted, API calls are', async () => {
    await withEmulator({ rateLimit: 3 }, async (api) => {
      const bytes = png(2, 2, 3)
      // Call 1 of 3: generate-upload-url. The PUT is not an API call.
      const uploaded = await api.upload<{ file: { url: string } }>(bytes, { mimeType: 'image/png', fileName: 'counted.png' })
      expect(uploaded.status).toBe(200)
      for (let i = 0; i < 8; i++) {
        const media = await fetch(uploaded.body.file.url)
        expect(media.status).toBe(200)
        await media.arrayBuffer()
      }
      // Calls 2 and 3 pass; the 4th is over the budget.
      const answers = await listTimes(api, 3)
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429])
      expect((await fetch(uploaded.body.file.url)).status).toBe(200)

      // An upload URL issued before the budget ran out still takes its PUT.
      await withEmulator({ rateLimit: 1 }, async (single) => {
        const generated = await single.call<{ uploadUrl: string }>('POST', '/files/generate-upload-url', { mimeType: 'image/png', fileName: 'late.png' })
        expect(generated.status).toBe(200)
        expect((await single.call('GET', '/files')).status).toBe(429)
        const put = await fetch(generated.body.uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: bytes })
        expect(put.status).toBe(200)
        await put.arrayBuffer()
      })
    })
  })

  it('the budget belongs to the site: every key of it draws from one bucket', async () => {
    await withEmulator({ rateLimit: 4, apiKeys: { 'read-key': 'read' } }, async (api) => {
      const manage = await listTimes(api, 2)
      const read = await listTimes(api, 2, { Authorization: 'read-key' })
      expect([...manage, ...read].map((a) => a.status)).toEqual([200, 200, 200, 200])
      expect((await api.call('GET', '/files')).status).toBe(429)
      expect((await api.call('GET', '/files', undefined, { Authorization: 'read-key' })).status).toBe(429)
    })
  })

  it('sites are limited separately: one emulator’s exhausted site does not limit another', async () => {
    await withEmulator({ rateLimit: 2, siteId: 'site-a' }, async (a) => {
      await withEmulator({ rateLimit: 2, siteId: 'site-b' }, async (b) => {
        expect((await listTimes(a, 3)).map((x) => x.status)).toEqual([200, 200, 429])
        expect((await listTimes(b, 3)).map((x) => x.status)).toEqual([200, 200, 429])
      })
    })
  })

  it('calls refused before the limit (bad key, wrong site) do not spend the budget', async () => {
    await withEmulator({ rateLimit: 2 }, async (api) => {
      expect((await api.call('GET', '/files', undefined, { Authorization: 'wrong' })).status).toBe(401)
      expect((await api.call('GET', '/files', undefined, { 'wix-site-id': 'someone-else' })).status).toBe(403)
      expect((await listTimes(api, 3)).map((a) => a.status)).toEqual([200, 200, 429])
    })
  })

  it('rateLimit 0 (the default) never limits', async () => {
    await withEmulator({}, async (api) => {
      const answers = await listTimes(api, 250)
      expect(answers.filter((a) => a.status !== 200)).toEqual([])
    })
  })
})
