/**
 * Fault injection over real HTTP on 127.0.0.1: latency, scripted and random statuses, connection
 * resets, stalls, and what the request log says about each.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator, type RequestLogEntry } from '../../src/emulator/index.ts'
import type { WireError } from '../../src/client/wire.ts'
import { until, useEmulator, withEmulator, type Api } from '../support/emulator.ts'
import { pdf, png } from '../support/media.ts'

function headersFor(emulator: Emulator): Record<string, string> {
  return { Authorization: emulator.apiKey, 'wix-site-id': emulator.siteId }
}

/** A fresh upload URL for a small PDF. */
async function uploadUrlFor(api: Api, fileName: string): Promise<string> {
  const answer = await api.call<{ uploadUrl: string }>('POST', '/files/generate-upload-url', { mimeType: 'application/pdf', fileName })
  expect(answer.status).toBe(200)
  return answer.body.uploadUrl
}

/** How a promise ended: its value, or the error it rejected with. */
async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: await promise }
  } catch (error) {
    return { ok: false, error: error as Error }
  }
}

/** The socket-level cause of a failed fetch (`TypeError: fetch failed` with a `cause`). */
function socketErrorCode(error: Error): string | undefined {
  return (error.cause as NodeJS.ErrnoException | undefined)?.code
}

function lastEntry(emulator: Emulator, route: RequestLogEntry['route']): RequestLogEntry {
  const entry = emulator.requests().filter((e) => e.route === route).at(-1)
  expect(entry, `a logged ${route} request`).toBeDefined()
  return entry!
}

describe('emulator faults', () => {
  const api = useEmulator()

  afterEach(() => {
    api.emulator.faults.clear()
    api.emulator.faults.setLatency(0)
  })

  describe('latency', () => {
    it('delays only the named route: an upload PUT takes ≥150 ms while a list call started with it answers first', async () => {
      await withEmulator({ latency: { upload: 150 } }, async (slow) => {
        // The generate call is not the `upload` route, so it is not delayed; the PUT is.
        const uploadUrl = await uploadUrlFor(slow, 'slow.pdf')
        const finished: string[] = []
        const started = performance.now()
        const put = fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'application/pdf' }, body: pdf('slow') })
          .then(async (response) => {
            finished.push('upload')
            return { status: response.status, ms: performance.now() - started, body: await response.json() as { file: { displayName: string } } }
          })
        const list = slow.call<{ files: unknown[] }>('GET', '/files').then((answer) => {
          finished.push('list')
          return answer
        })
        const [uploaded, listed] = await Promise.all([put, list])
        expect(listed.status).toBe(200)
        expect(uploaded.status).toBe(200)
        expect(uploaded.body.file.displayName).toBe('slow.pdf')
        expect(finished).toEqual(['list', 'upload'])
        // Timers may fire a few ms early against the wall clock (the event loop caches its time).
        expect(uploaded.ms).toBeGreaterThanOrEqual(145)
        expect(lastEntry(slow.emulator, 'upload').durationMs).toBeGreaterThanOrEqual(145)
      })
    })

    it('setLatency changes the delay while running, per route and by default', async () => {
      const emulator = api.emulator
      emulator.faults.setLatency({ default: 0, getFile: 120 })
      const started = performance.now()
      const [slow, fast] = await Promise.all([
        api.call('GET', '/files/get-file-by-id?fileId=missing').then((answer) => ({ answer, ms: performance.now() - started })),
        api.call('GET', '/folders').then((answer) => ({ answer, ms: performance.now() - started })),
      ])
      expect(slow.answer.status).toBe(400)
      expect(fast.answer.status).toBe(200)
      expect(slow.ms).toBeGreaterThanOrEqual(115)
      expect(fast.ms).toBeLessThan(slow.ms)

      emulator.faults.setLatency(100)
      const t0 = performance.now()
      expect((await api.call('GET', '/folders')).status).toBe(200)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(95)
    })
  })

  describe('scripted statuses', () => {
    it('answers a sequence in order with Wix bodies, then serves normally', async () => {
      api.emulator.faults.add({ route: 'listFiles', sequence: [503, 500, { status: 429, retryAfter: 2 }, 'ok'] })
      const answers = []
      for (let i = 0; i < 5; i++) answers.push(await api.call<WireError>('GET', '/files'))

      expect(answers.map((a) => a.status)).toEqual([503, 500, 429, 200, 200])
      expect(answers[0]!.body).toEqual({ message: '', details: {} })
      expect(answers[1]!.body).toEqual({ message: '', details: {} })
      expect(answers[0]!.headers.get('retry-after')).toBeNull()
      expect(answers[0]!.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(answers[0]!.headers.get('x-wix-request-id')).toMatch(/^[0-9a-f]+\.[0-9a-f]{16}$/)

      const limited = answers[2]!
      expect(limited.body.details.applicationError?.code).toBe('RESOURCE_EXHAUSTED')
      expect(limited.body.message).toBe(limited.body.details.applicationError?.description)
      expect(limited.headers.get('retry-after')).toBe('2')
      expect(answers[3]!.body).toEqual({ files: [], nextCursor: { cursors: {} } })

      const logged = api.emulator.requests().filter((e) => e.route === 'listFiles').slice(-5)
      expect(logged.map((e) => [e.status, e.fault])).toEqual([[503, '503'], [500, '500'], [429, '429'], [200, undefined], [200, undefined]])
    })

    it('only hits the routes a rule names', async () => {
      api.emulator.faults.add({ route: ['getFile', 'listFolders'], sequence: [504, 504] })
      expect((await api.call('GET', '/files')).status).toBe(200)
      expect((await api.call('GET', '/folders')).status).toBe(504)
      expect((await api.call('GET', '/files')).status).toBe(200)
      expect((await api.call('GET', '/files/get-file-by-id?fileId=x')).status).toBe(504)
      expect((await api.call('GET', '/folders')).status).toBe(200)
    })

    it('answers an injected 4xx with an applicationError body', async () => {
      api.emulator.faults.add({ route: 'listFolders', sequence: [409] })
      const answer = await api.call<WireError>('GET', '/folders')
      expect(answer.status).toBe(409)
      expect(answer.body.details.applicationError?.code).toBe('INJECTED_FAULT')
    })

    it('`times` caps how often a rule fires', async () => {
      api.emulator.faults.add({ route: 'listFiles', action: 503, times: 2 })
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await api.call('GET', '/files')).status)
      expect(statuses).toEqual([503, 503, 200, 200])
    })

    it('`times` also cuts a sequence short', async () => {
      api.emulator.faults.add({ route: 'listFiles', sequence: [500, 502, 503], times: 1 })
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((await api.call('GET', '/files')).status)
      expect(statuses).toEqual([500, 200, 200])
    })

    it('faults.clear() stops every rule', async () => {
      api.emulator.faults.add({ action: 503 })
      expect((await api.call('GET', '/files')).status).toBe(503)
      expect((await api.call('GET', '/folders')).status).toBe(503)
      api.emulator.faults.clear()
      expect((await api.call('GET', '/files')).status).toBe(200)
      expect((await api.call('GET', '/folders')).status).toBe(200)
    })

    it("'*' rules leave static media alone; a rule naming `media` does fault it", async () => {
      const bytes = png(3, 2, 7)
      const uploaded = await api.upload<{ file: { url: string } }>(bytes, { mimeType: 'image/png', fileName: 'media-fault.png' })
      expect(uploaded.status).toBe(200)
      const mediaUrl = uploaded.body.file.url

      api.emulator.faults.add({ action: 503 })
      expect((await api.call('GET', '/files')).status).toBe(503)
      const media = await fetch(mediaUrl)
      expect(media.status).toBe(200)
      expect(Buffer.from(await media.arrayBuffer())).toEqual(bytes)

      api.emulator.faults.clear()
      api.emulator.faults.add({ route: 'media', sequence: [500] })
      const faulted = await fetch(mediaUrl)
      expect(faulted.status).toBe(500)
      expect(await faulted.json()).toEqual({ message: '', details: {} })
      expect((await fetch(mediaUrl)).status).toBe(200)
    })
  })

  describe('failRate under a seed', () => {
    async function statusesFor(seed: number): Promise<number[]> {
      return withEmulator({ seed, failRate: 0.5 }, async (faulty) => {
        const statuses: number[] = []
        for (let i = 0; i < 40; i++) statuses.push((await faulty.call('GET', '/files')).status)
        return statuses
      })
    }

    it('replays the same statuses for the same seed, other ones for another seed, and fails about half', async () => {
      const first = await statusesFor(1234)
      const again = await statusesFor(1234)
      const other = await statusesFor(98765)

      expect(again).toEqual(first)
      expect(other).not.toEqual(first)
      for (const statuses of [first, other]) {
        expect(new Set(statuses).size).toBeGreaterThan(1)
        for (const status of statuses) expect([200, 500, 503, 429]).toContain(status)
        const failures = statuses.filter((status) => status !== 200).length
        expect(failures).toBeGreaterThanOrEqual(10)
        expect(failures).toBeLessThanOrEqual(30)
      }
    })

    it('a random 429 carries RESOURCE_EXHAUSTED and no Retry-After; 5xx the bare body', async () => {
      await withEmulator({ seed: 1234, failRate: 1 }, async (faulty) => {
        const seen = new Map<number, { body: unknown; retryAfter: string | null }>()
        for (let i = 0; i < 30 && seen.size < 3; i++) {
          const answer = await faulty.call('GET', '/files')
          seen.set(answer.status, { body: answer.body, retryAfter: answer.headers.get('retry-after') })
        }
        expect([...seen.keys()].sort()).toEqual([429, 500, 503])
        expect((seen.get(429)!.body as WireError).details.applicationError?.code).toBe('RESOURCE_EXHAUSTED')
        expect(seen.get(429)!.retryAfter).toBeNull()
        expect(seen.get(500)!.body).toEqual({ message: '', details: {} })
        expect(seen.get(503)!.body).toEqual({ message: '', details: {} })
      })
    })
  })

  describe('connection faults', () => {
    it("'reset' on a bodiless GET: fetch rejects with a socket error; the log records it", async () => {
      api.emulator.faults.add({ route: 'listFiles', sequence: ['reset'] })
      const result = await settle(api.call('GET', '/files'))
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.error).toBeInstanceOf(TypeError)
      expect(socketErrorCode(result.error)).toBe('ECONNRESET')

      const entry = lastEntry(api.emulator, 'listFiles')
      expect(entry.fault).toBe('reset')
      expect(entry.status).toBe(0)
      expect((await api.call('GET', '/files')).status).toBe(200)
    })

    it("'reset' mid-upload: the PUT fails and no file is stored; a fresh URL then works", async () => {
      const before = api.emulator.files().length
      const uploadUrl = await uploadUrlFor(api, 'interrupted.pdf')
      api.emulator.faults.add({ route: 'upload', sequence: ['reset'] })
      const body = pdf('x'.repeat(4000))
      const result = await settle(fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'application/pdf' }, body }))
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.error).toBeInstanceOf(TypeError)

      const entry = lastEntry(api.emulator, 'upload')
      expect(entry.fault).toBe('reset')
      expect(entry.status).toBe(0)
      expect(entry.path).toBe('/upload/<token>')
      expect(api.emulator.files()).toHaveLength(before)
      expect(api.emulator.stats().uploadsInFlight).toBe(0)
      const listed = await api.call<{ files: { displayName: string }[] }>('GET', '/files')
      expect(listed.body.files.map((f) => f.displayName)).not.toContain('interrupted.pdf')

      const retried = await api.upload<{ file: { id: string; sizeInBytes: string } }>(body, { mimeType: 'application/pdf', fileName: 'interrupted.pdf' })
      expect(retried.status).toBe(200)
      expect(retried.body.file.sizeInBytes).toBe(String(body.length))
      expect(await api.emulator.readFile(retried.body.file.id)).toEqual(body)
    })

    it("'reset' wins over the error a request with a body would get (bad key, bad upload type)", async () => {
      api.emulator.faults.add({ route: 'generateUploadUrl', sequence: ['reset'] })
      const refused = await settle(api.call('POST', '/files/generate-upload-url', { mimeType: 'image/png' }, { Authorization: 'bad-key' }))
      expect(refused.ok).toBe(false)
      if (refused.ok) return
      expect(socketErrorCode(refused.error)).toBe('ECONNRESET')
      expect(lastEntry(api.emulator, 'generateUploadUrl')).toMatchObject({ fault: 'reset', status: 0 })

      const uploadUrl = await uploadUrlFor(api, 'typed.pdf')
      api.emulator.faults.add({ route: 'upload', sequence: ['reset'] })
      const mismatched = await settle(fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: pdf('wrong type') }))
      expect(mismatched.ok).toBe(false)
      expect(lastEntry(api.emulator, 'upload')).toMatchObject({ fault: 'reset', status: 0 })
      // Without the fault the same mistake gets its 400.
      const answered = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: pdf('wrong type') })
      expect(answered.status).toBe(400)
      await answered.arrayBuffer()
    })

    it("'reset' after a given number of body bytes cuts the upload while the client is still sending", async () => {
      const before = api.emulator.files().length
      const uploadUrl = await uploadUrlFor(api, 'cut.pdf')
      api.emulator.faults.add({ route: 'upload', sequence: [{ reset: { afterBytes: 1000 } }] })
      // 2000 bytes, then the stream stays open: only a reset part-way through can end this request.
      const head = pdf('y'.repeat(2000))
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(head))
        },
      })
      const result = await settle(fetch(uploadUrl, {
        method: 'PUT', headers: { 'Content-Type': 'application/pdf' }, body, duplex: 'half', signal: AbortSignal.timeout(3_000),
      }))
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.error.name).toBe('TypeError')
      expect(lastEntry(api.emulator, 'upload').fault).toBe('reset')
      expect(api.emulator.files()).toHaveLength(before)
    })

    it("'stall' never answers, yet the emulator keeps serving others", async () => {
      api.emulator.faults.add({ route: 'listFiles', sequence: ['stall'] })
      const stalled = settle(fetch(`${api.emulator.url}/site-media/v1/files`, {
        headers: headersFor(api.emulator), signal: AbortSignal.timeout(300),
      }))
      await until(() => api.emulator.requests().some((e) => e.fault === 'stall'), 'the stalled request to arrive')
      // While that request hangs, another one on the same route is served.
      expect((await api.call('GET', '/files')).status).toBe(200)
      const result = await stalled
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.error.name).toBe('TimeoutError')

      const entry = api.emulator.requests().find((e) => e.fault === 'stall')!
      expect(entry.route).toBe('listFiles')
      expect(entry.status).toBe(0)
    })

    it("'stall-body' sends status 200 and headers, but the body never completes", async () => {
      api.emulator.faults.add({ route: 'getFile', sequence: ['stall-body'] })
      const response = await fetch(`${api.emulator.url}/site-media/v1/files/get-file-by-id?fileId=x`, {
        headers: headersFor(api.emulator), signal: AbortSignal.timeout(300),
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
      const read = await settle(response.text())
      expect(read.ok).toBe(false)
      if (read.ok) return
      expect(read.error.name).toBe('TimeoutError')

      const entry = lastEntry(api.emulator, 'getFile')
      expect(entry.fault).toBe('stall-body')
      expect(entry.status).toBe(200)
      expect((await api.call('GET', '/files/get-file-by-id?fileId=x')).status).toBe(400)
    })

    it('close() ends stalled requests and returns', async () => {
      const emulator = await startEmulator({ seed: 7, faults: [{ route: 'listFiles', sequence: ['stall', 'stall-body'] }] })
      let closed = false
      try {
        const url = `${emulator.url}/site-media/v1/files`
        const stalled = settle(fetch(url, { headers: headersFor(emulator) }))
        const halfBody = fetch(url, { headers: headersFor(emulator) }).then((response) => response.text())
        const stalledBody = settle(halfBody)
        await until(() => emulator.requests().filter((e) => e.fault !== undefined).length === 2, 'both stalled requests to arrive')

        // A hang here would fail the test; the 5 s guard only turns a hang into a clear message.
        const outcome = await Promise.race([
          emulator.close().then(() => 'closed'),
          new Promise((resolve) => setTimeout(resolve, 5_000, 'hung')),
        ])
        closed = outcome === 'closed'
        expect(outcome).toBe('closed')

        const [plain, body] = await Promise.all([stalled, stalledBody])
        expect(plain.ok).toBe(false)
        expect(body.ok).toBe(false)
        expect(emulator.requests().map((e) => e.fault)).toEqual(['stall', 'stall-body'])
      } finally {
        if (!closed) await emulator.close()
      }
    })
  })
})
