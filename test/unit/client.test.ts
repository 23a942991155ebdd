/** The Media Manager REST client against undici's MockAgent: headers, query flattening, errors, retries, paging, secrets. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MockAgent, type Interceptable } from 'undici'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMediaClient, type ClientOptions, type MediaClient } from '../../src/client/client.ts'
import { UNREACHABLE_FOR_MS } from '../../src/client/http.ts'
import type { RetryPolicy } from '../../src/client/retry.ts'
import type { FileDescriptor } from '../../src/client/wire.ts'
import { WixMediaError } from '../../src/core/errors.ts'

const BASE = 'https://www.wixapis.com'
const API_KEY = 'wix-test-api-key-7f3c9a1b2d'
const SITE_ID = '5c1d2e3f-site'
const FAST_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 30 }
const UPLOAD_ORIGIN = 'https://upload.wixmp.com'
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1cGxvYWQtMTIzIn0.c2lnbmF0dXJlLXNlY3JldA'
const UPLOAD_URL = `${UPLOAD_ORIGIN}/upload/${JWT}`

let agent: MockAgent
let sent: { method: string; path: string }[]

function client(overrides: Partial<ClientOptions> = {}): MediaClient {
  return createMediaClient({
    apiBaseUrl: `${BASE}/`,
    apiKey: API_KEY,
    siteId: SITE_ID,
    dispatcher: agent,
    timeoutMs: 2_000,
    retry: FAST_RETRY,
    onRequest: (call) => sent.push(call),
    ...overrides,
  })
}

/** What a reply callback learns about the request it answers. */
interface Seen {
  path: string
  headers?: Headers | Record<string, string>
  body?: unknown
}

function api(): Interceptable {
  return agent.get(BASE)
}

function descriptor(id: string, extra: Partial<FileDescriptor> = {}): FileDescriptor {
  return {
    id, displayName: `${id}.png`, url: `https://static.wixstatic.com/media/${id}`, parentFolderId: 'media-root', hash: '',
    sizeInBytes: '10', private: false, mediaType: 'IMAGE', media: {}, operationStatus: 'READY', thumbnailUrl: '', labels: [],
    createdDate: '2026-01-01T00:00:00.000Z', updatedDate: '2026-01-01T00:00:00.000Z', siteId: SITE_ID, state: 'OK', ...extra,
  }
}

/** Awaits `promise`, expecting a WixMediaError, and returns it. */
async function failure(promise: Promise<unknown>): Promise<WixMediaError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(WixMediaError)
    return error as WixMediaError
  }
  throw new Error('expected a WixMediaError, but the call succeeded')
}

function headerOf(headers: Seen['headers'], name: string): string | undefined {
  if (headers === undefined) return undefined
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const record = headers as Record<string, string>
  const key = Object.keys(record).find((item) => item.toLowerCase() === name)
  return key === undefined ? undefined : record[key]
}

function expectNoSecrets(error: WixMediaError): void {
  for (const text of [error.message, String(error.cause), error.reason, error.hint ?? '']) {
    expect(text).not.toContain(API_KEY)
  }
}

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  sent = []
})

afterEach(async () => {
  await agent.close()
})

describe('createMediaClient: requests', () => {
  it('sends the API key as-is in Authorization, the site id, and JSON bodies', async () => {
    let seen: Seen | undefined
    api().intercept({ path: '/site-media/v1/files/generate-upload-url', method: 'POST' }).reply((opts) => {
      seen = opts
      return { statusCode: 200, data: { uploadUrl: UPLOAD_URL } }
    })
    const url = await client().generateUploadUrl({ mimeType: 'image/png', fileName: 'a.png', labels: ['x'] })
    expect(url).toBe(UPLOAD_URL)
    expect(headerOf(seen?.headers, 'authorization')).toBe(API_KEY)
    expect(headerOf(seen?.headers, 'wix-site-id')).toBe(SITE_ID)
    expect(headerOf(seen?.headers, 'content-type')).toBe('application/json')
    expect(JSON.parse(String(seen?.body))).toEqual({ mimeType: 'image/png', fileName: 'a.png', labels: ['x'] })
    expect(sent).toEqual([{ method: 'POST', path: '/site-media/v1/files/generate-upload-url' }])
  })

  it('sends no content-type and no body on GET', async () => {
    let seen: Seen | undefined
    api().intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=abc_123~mv2.png', method: 'GET' }).reply((opts) => {
      seen = opts
      return { statusCode: 200, data: { file: descriptor('abc_123~mv2.png') } }
    })
    const file = await client().getFile('abc_123~mv2.png')
    expect(file.id).toBe('abc_123~mv2.png')
    expect(headerOf(seen?.headers, 'content-type')).toBeUndefined()
    expect(headerOf(seen?.headers, 'authorization')).toBe(API_KEY)
  })

  it('flattens GET queries with dots and repeats array keys, skipping undefined', async () => {
    let path: string | undefined
    api().intercept({ path: (p) => p.startsWith('/site-media/v1/files?'), method: 'GET' }).reply((opts) => {
      path = opts.path
      return { statusCode: 200, data: { files: [] } }
    })
    await client().http.api({
      what: 'Listing files', method: 'GET', path: '/files',
      query: { mediaTypes: ['IMAGE', 'VIDEO'], 'paging.limit': 50, 'sort.fieldName': 'displayName', private: false, 'paging.cursor': undefined },
    })
    expect(path).toBe('/site-media/v1/files?mediaTypes=IMAGE&mediaTypes=VIDEO&paging.limit=50&sort.fieldName=displayName&private=false')
  })

  it('listAllFiles sends parentFolderId and paging.limit=100, then follows nextCursor.cursors.next until it is absent', async () => {
    const paths: string[] = []
    const pages: Record<string, { files: FileDescriptor[]; nextCursor?: { cursors: { next?: string } } }> = {
      '': { files: [descriptor('a'), descriptor('b')], nextCursor: { cursors: { next: 'c2' } } },
      c2: { files: [descriptor('c')], nextCursor: { cursors: { next: 'c3' } } },
      c3: { files: [descriptor('d')], nextCursor: { cursors: {} } },
    }
    api().intercept({ path: (p) => p.startsWith('/site-media/v1/files?'), method: 'GET' }).reply((opts) => {
      paths.push(opts.path)
      const cursor = new URL(opts.path, BASE).searchParams.get('paging.cursor') ?? ''
      return { statusCode: 200, data: pages[cursor] ?? { files: [] } }
    }).persist()
    const ids: string[] = []
    for await (const file of client().listAllFiles('folder-1')) ids.push(file.id)
    expect(ids).toEqual(['a', 'b', 'c', 'd'])
    expect(paths).toEqual([
      '/site-media/v1/files?parentFolderId=folder-1&paging.limit=100',
      '/site-media/v1/files?parentFolderId=folder-1&paging.limit=100&paging.cursor=c2',
      '/site-media/v1/files?parentFolderId=folder-1&paging.limit=100&paging.cursor=c3',
    ])
  })

  it('listAllFiles stops after one page without nextCursor', async () => {
    api().intercept({ path: (p) => p.startsWith('/site-media/v1/files?'), method: 'GET' })
      .reply(200, { files: [descriptor('only')] })
    const ids: string[] = []
    for await (const file of client().listAllFiles('media-root')) ids.push(file.id)
    expect(ids).toEqual(['only'])
    expect(sent).toHaveLength(1)
  })

  it('getFiles splits 250 ids into batches of 100, 100 and 50, keeping the order', async () => {
    const batches: string[][] = []
    api().intercept({ path: '/site-media/v1/files/get-files', method: 'POST' }).reply((opts) => {
      const { fileIds } = JSON.parse(String(opts.body)) as { fileIds: string[] }
      batches.push(fileIds)
      return { statusCode: 200, data: { files: fileIds.map((id) => descriptor(id)) } }
    }).persist()
    const ids = Array.from({ length: 250 }, (_, i) => `id-${String(i).padStart(3, '0')}`)
    const files = await client().getFiles(ids)
    expect(batches.map((batch) => batch.length)).toEqual([100, 100, 50])
    expect(batches.flat()).toEqual(ids)
    expect(files.map((file) => file.id)).toEqual(ids)
  })

  it('getFiles with no ids sends nothing', async () => {
    expect(await client().getFiles([])).toEqual([])
    expect(sent).toEqual([])
  })
})

describe('createMediaClient: errors', () => {
  it('turns a 400 with a field violation into WIX_MEDIA_VALIDATION with the rule, the request id and a hint, without retrying', async () => {
    api().intercept({ path: '/site-media/v1/files/generate-upload-url', method: 'POST' }).reply(400, {
      message: 'mime type does not match',
      details: { validationError: { fieldViolations: [
        { field: 'fileName', description: 'too long', violatedRule: 'MAX_LENGTH' },
        { field: 'mimeType', description: 'mismatch', violatedRule: 'OTHER', ruleName: 'MISMATCH_MIME_TYPE' },
      ] } },
    }, { headers: { 'x-wix-request-id': '1712345678.9abcdef' } })
    const error = await failure(client().generateUploadUrl({ mimeType: 'image/png' }))
    expect(error.code).toBe('WIX_MEDIA_VALIDATION')
    expect(error.status).toBe(400)
    expect(error.rule).toBe('MISMATCH_MIME_TYPE')
    expect(error.requestId).toBe('1712345678.9abcdef')
    expect(error.message).toBe(
      'Generating an upload URL failed: mime type does not match (HTTP 400, MISMATCH_MIME_TYPE, request id 1712345678.9abcdef). ' +
      'The file\'s extension does not match its content; rename it or re-export it',
    )
    expect(sent).toHaveLength(1)
  })

  it('reads an application error code as the rule', async () => {
    api().intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=gone', method: 'GET' }).reply(400, {
      message: 'not found', details: { applicationError: { code: 'RESOURCE_NOT_FOUND', description: 'gone', data: {} } },
    })
    const error = await failure(client().getFile('gone'))
    expect(error.code).toBe('WIX_MEDIA_NOT_FOUND')
    expect(error.rule).toBe('RESOURCE_NOT_FOUND')
    expect(sent).toHaveLength(1)
  })

  it('turns a 401 into WIX_MEDIA_AUTH with a hint that names WIX_API_KEY, not retried', async () => {
    api().intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=x', method: 'GET' })
      .reply(401, { message: 'unauthorized', details: {} }, { headers: { 'x-wix-request-id': 'r-401' } })
    const error = await failure(client().getFile('x'))
    expect(error.code).toBe('WIX_MEDIA_AUTH')
    expect(error.status).toBe(401)
    expect(error.hint).toContain('WIX_API_KEY')
    expect(error.message).toBe('Reading file x failed: unauthorized (HTTP 401, request id r-401). Check the API key (WIX_API_KEY or `apiKey`, sent as-is, no "Bearer") and the site id (WIX_SITE_ID or `siteId`)')
    expect(sent).toHaveLength(1)
    expectNoSecrets(error)
  })

  it('turns a 403 into WIX_MEDIA_PERMISSION', async () => {
    api().intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=x', method: 'GET' }).reply(403, { message: 'forbidden', details: {} })
    const error = await failure(client().getFile('x'))
    expect(error.code).toBe('WIX_MEDIA_PERMISSION')
    expect(sent).toHaveLength(1)
  })

  it('retries a 429 after its Retry-After (capped by maxRetryAfterMs) and then succeeds', async () => {
    const scope = api()
    scope.intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=x', method: 'GET' })
      .reply(429, { message: 'too many requests', details: {} }, { headers: { 'retry-after': '2' } })
    scope.intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=x', method: 'GET' }).reply(200, { file: descriptor('x') })
    const started = performance.now()
    const file = await client().getFile('x')
    const elapsed = performance.now() - started
    expect(file.id).toBe('x')
    expect(sent).toHaveLength(2)
    // Retry-After: 2 s, capped at 30 ms: waited at least the cap, far less than the header.
    expect(elapsed).toBeGreaterThanOrEqual(25)
    expect(elapsed).toBeLessThan(1_500)
    expect(agent.pendingInterceptors()).toEqual([])
  })

  it('gives up on 503 after `attempts` attempts with WIX_MEDIA_SERVER', async () => {
    api().intercept({ path: '/site-media/v1/files/get-files', method: 'POST' })
      .reply(503, { message: '', details: {} }, { headers: { 'x-wix-request-id': 'r-503' } }).times(3)
    const error = await failure(client().getFiles(['a']))
    expect(error.code).toBe('WIX_MEDIA_SERVER')
    expect(error.status).toBe(503)
    expect(error.message).toBe('Reading files failed (HTTP 503, request id r-503). Wix had a problem; try again later')
    expect(sent).toHaveLength(3)
    expect(agent.pendingInterceptors()).toEqual([])
  })

  it('recovers when a 5xx is followed by a 200 within the attempts', async () => {
    const scope = api()
    scope.intercept({ path: '/site-media/v1/files/get-files', method: 'POST' }).reply(500, 'oops').times(2)
    scope.intercept({ path: '/site-media/v1/files/get-files', method: 'POST' }).reply(200, { files: [descriptor('a')] })
    const files = await client().getFiles(['a'])
    expect(files.map((file) => file.id)).toEqual(['a'])
    expect(sent).toHaveLength(3)
  })

  it('turns a network error into WIX_MEDIA_NETWORK after retrying it', async () => {
    api().intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=x', method: 'GET' })
      .replyWithError(new Error('socket hang up')).times(3)
    const error = await failure(client().getFile('x'))
    expect(error.code).toBe('WIX_MEDIA_NETWORK')
    expect(error.status).toBeUndefined()
    expect(error.message).toBe('Reading file x failed: socket hang up. Check the network connection and `apiBaseUrl`')
    expect(error.cause).toBeInstanceOf(Error)
    expect(sent).toHaveLength(3)
    expectNoSecrets(error)
  })

  it('once a call gives up on an unreachable API (connection refused), the others fail at once, unsent; a minute later calls go out again', async () => {
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' })
    const scope = api()
    scope.intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=a', method: 'GET' }).replyWithError(refused()).times(3)
    const media = client()
    const first = await failure(media.getFile('a'))
    expect([first.code, first.reason, sent.length]).toEqual(['WIX_MEDIA_NETWORK', 'Reading file a failed: ECONNREFUSED', 3])
    const others = await Promise.all(['b', 'c', 'd'].map((id) => failure(media.getFile(id))))
    expect(sent).toHaveLength(3)
    expect(others.map((error) => [error.code, error.reason])).toEqual(['b', 'c', 'd'].map((id) =>
      ['WIX_MEDIA_NETWORK', `Reading file ${id} was not sent: ${BASE} could not be reached (Reading file a failed: ECONNREFUSED)`]))
    // A minute on (a watch build's next round), the API is tried again.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + UNREACHABLE_FOR_MS })
    try {
      scope.intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=g', method: 'GET' }).reply(200, { file: descriptor('g') })
      expect((await media.getFile('g')).id).toBe('g')
      expect(sent).toHaveLength(4)
    } finally {
      vi.useRealTimers()
    }
    // A dropped connection is not an unreachable host: it does not stop the other calls.
    const resets = client()
    scope.intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=e', method: 'GET' })
      .replyWithError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).times(3)
    await failure(resets.getFile('e'))
    scope.intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=f', method: 'GET' }).reply(200, { file: descriptor('f') })
    expect((await resets.getFile('f')).id).toBe('f')
  })

  it('never puts the API key in an error message or its cause, even when Wix echoes it', async () => {
    const scope = api()
    scope.intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=a', method: 'GET' })
      .reply(401, { message: `API key ${API_KEY} is not valid`, details: {} })
    scope.intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=b', method: 'GET' })
      .reply(400, { message: `bad header authorization: ${API_KEY}`, details: {} })
    scope.intercept({ path: '/site-media/v1/files/get-file-by-id?fileId=c', method: 'GET' })
      .replyWithError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).times(3)
    const errors = [
      await failure(client().getFile('a')),
      await failure(client().getFile('b')),
      await failure(client().getFile('c')),
    ]
    expect(errors.map((error) => error.code)).toEqual(['WIX_MEDIA_AUTH', 'WIX_MEDIA_VALIDATION', 'WIX_MEDIA_NETWORK'])
    for (const error of errors) expectNoSecrets(error)
    expect(errors[0]!.message).toBe(
      'Reading file a failed: API key <redacted> is not valid (HTTP 401). Check the API key (WIX_API_KEY or `apiKey`, sent as-is, no "Bearer") and the site id (WIX_SITE_ID or `siteId`)',
    )
    expect(errors[1]!.reason).toBe('Reading file b failed: bad header authorization: <redacted>')
    expect(errors[2]!.reason).toBe('Reading file c failed: ECONNRESET')
  })

  it('sends nothing and fails with WIX_MEDIA_AUTH without credentials', async () => {
    for (const options of [{ apiKey: undefined }, { siteId: undefined }, { apiKey: '' }]) {
      const error = await failure(client(options).getFile('x'))
      expect(error.code).toBe('WIX_MEDIA_AUTH')
      expect(error.message).toBe('Reading file x needs credentials, and none are set. Set WIX_API_KEY and WIX_SITE_ID (or the apiKey and siteId options)')
      expect(error.status).toBeUndefined()
      expect(error.hint).toContain('WIX_API_KEY')
    }
    expect(sent).toEqual([])
  })
})

describe('createMediaClient: putFile', () => {
  let dir: string
  let path: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wix-media-client-'))
    path = join(dir, 'photo one.png')
    await writeFile(path, Buffer.from('0123456789'))
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const local = () => ({ path, size: 10, mimeType: 'image/png', fileName: 'photo one.png' })

  it('PUTs the bytes with the content type, the file name in the query and no Authorization', async () => {
    let seen: Seen | undefined
    agent.get(UPLOAD_ORIGIN).intercept({ path: (p) => p.startsWith(`/upload/${JWT}`), method: 'PUT' }).reply((opts) => {
      seen = opts
      return { statusCode: 200, data: { file: descriptor('up_1~mv2.png') } }
    })
    const file = await client().putFile(UPLOAD_URL, local(), 'image/png')
    expect(file.id).toBe('up_1~mv2.png')
    expect(seen?.path).toBe(`/upload/${JWT}?filename=photo+one.png`)
    expect(headerOf(seen?.headers, 'content-type')).toBe('image/png')
    expect(headerOf(seen?.headers, 'authorization')).toBeUndefined()
    expect(sent).toEqual([{ method: 'PUT', path: '/upload/<token>' }])
  })

  it('keeps the upload token out of the message of an HTTP error', async () => {
    agent.get(UPLOAD_ORIGIN).intercept({ path: (p) => p.startsWith('/upload/'), method: 'PUT' })
      .reply(500, { message: `upload to ${UPLOAD_URL} failed`, details: {} })
    const error = await failure(client().putFile(UPLOAD_URL, local(), 'image/png'))
    expect(error.code).toBe('WIX_MEDIA_SERVER')
    expect(error.message).not.toContain(JWT)
    expect(error.message).not.toContain('eyJ')
    expect(error.message).toContain('<redacted>')
  })

  it('gives the upload host\'s errors hints of their own: a refused token is not the API key, an unreachable host not apiBaseUrl', async () => {
    agent.get(UPLOAD_ORIGIN).intercept({ path: (p) => p.startsWith('/upload/'), method: 'PUT' }).reply(401, { message: 'token expired', details: {} })
    const refused = await failure(client().putFile(UPLOAD_URL, local(), 'image/png'))
    expect([refused.code, refused.hint]).toEqual(['WIX_MEDIA_AUTH', expect.stringMatching(/^The upload host refused the upload URL's token \(expired, or used already\)/)])
    expect(refused.message).not.toContain('WIX_API_KEY')

    agent.get(UPLOAD_ORIGIN).intercept({ path: (p) => p.startsWith('/upload/'), method: 'PUT' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
    const unreachable = await failure(client().putFile(UPLOAD_URL, local(), 'image/png'))
    expect([unreachable.code, unreachable.hint]).toEqual(['WIX_MEDIA_NETWORK', `Check the network connection: the upload host ${UPLOAD_ORIGIN} (from the upload URL Wix gave) could not be reached`])
    expect(unreachable.message).not.toContain(JWT)
  })

  it('keeps the upload token out of the message of a network error', async () => {
    agent.get(UPLOAD_ORIGIN).intercept({ path: (p) => p.startsWith('/upload/'), method: 'PUT' })
      .replyWithError(new Error(`connect ECONNRESET ${UPLOAD_URL}`))
    const error = await failure(client().putFile(UPLOAD_URL, local(), 'image/png'))
    expect(error.code).toBe('WIX_MEDIA_NETWORK')
    expect(error.message).not.toContain(JWT)
    expect(error.message).not.toContain('eyJ')
  })

  for (const [name, offset] of [['more bytes than the file has', '11'], ['not a number of bytes', '4;x']] as const) {
    it(`gives up a resumable upload whose server says it holds ${name}, with a message that says so, after bounded retries`, async () => {
      const origin = agent.get(UPLOAD_ORIGIN)
      origin.intercept({ path: '/tus', method: 'POST' }).reply(201, '', { headers: { location: '/tus/u1' } })
      origin.intercept({ path: '/tus/u1', method: 'PATCH' }).reply(204, '', { headers: { 'upload-offset': offset } }).times(FAST_RETRY.attempts)
      origin.intercept({ path: '/tus/u1', method: 'HEAD' }).reply(200, '', { headers: { 'upload-offset': offset } }).persist()
      const target = { uploadProtocol: 'TUS' as const, uploadUrl: `${UPLOAD_ORIGIN}/tus`, uploadToken: JWT }

      const error = await failure(client({ tusChunkSize: 4 }).tusUpload(target, local(), 'image/png'))

      expect(error.code).toBe('WIX_MEDIA_SERVER')
      expect(error.message).toContain(`the upload server says it holds "${offset}" bytes of a 10-byte file`)
      expect(error.message).not.toContain(JWT)
      expect(sent.filter((call) => call.method === 'PATCH')).toHaveLength(1)
      expect(sent.filter((call) => call.method === 'HEAD')).toHaveLength(FAST_RETRY.attempts)
      expect(sent.some((call) => call.method === 'PUT')).toBe(false)
    })
  }

  it('treats a 200 without a file descriptor as an error', async () => {
    agent.get(UPLOAD_ORIGIN).intercept({ path: (p) => p.startsWith('/upload/'), method: 'PUT' }).reply(200, {})
    const error = await failure(client().putFile(UPLOAD_URL, local(), 'image/png'))
    expect(error.code).toBe('WIX_MEDIA_SERVER')
    expect(error.message).toContain('the answer has no file descriptor')
  })
})
