/** The emulator's pure building blocks, without a network: PRNG, paging, tokens, rate limiter, request log, options, media types. */
import { describe, expect, it } from 'vitest'
import { extensionOf, extensionOfMime, mediaTypeOfMime, mimeTypeOf, normalizeMimeType } from '../../src/core/media-types.ts'
import { resolveEmulatorOptions, type EmulatorOptions } from '../../src/emulator/options.ts'
import { paginate, type PageRequest } from '../../src/emulator/paging.ts'
import { createRandom } from '../../src/emulator/random.ts'
import { createRateLimiter } from '../../src/emulator/rate-limit.ts'
import { createRequestLog } from '../../src/emulator/request-log.ts'
import { redactTokens, signUploadToken, verifyUploadToken, type UploadTokenClaims } from '../../src/emulator/tokens.ts'
import { WixHttpError } from '../../src/emulator/wix-errors.ts'

/** Runs `fn`, expecting a WixHttpError, and returns it. */
function wixError(fn: () => unknown): WixHttpError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(WixHttpError)
    return error as WixHttpError
  }
  throw new Error('expected a WixHttpError, but nothing was thrown')
}

describe('createRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed)
      return [...Array.from({ length: 20 }, () => random.next()), random.hex(40)]
    }
    expect(draw(7)).toEqual(draw(7))
    expect(draw(8)).not.toEqual(draw(7))
  })

  it('draws floats in [0, 1) and lowercase hex of the asked length', () => {
    const random = createRandom(123)
    for (let i = 0; i < 1000; i++) {
      const value = random.next()
      expect(value).toBeGreaterThanOrEqual(0)
      expect(value).toBeLessThan(1)
    }
    for (const n of [0, 1, 7, 8, 9, 32]) expect(random.hex(n)).toMatch(new RegExp(`^[0-9a-f]{${n}}$`))
  })

  it('treats the seed as a 32-bit unsigned integer', () => {
    expect(createRandom(2 ** 32 + 5).next()).toBe(createRandom(5).next())
  })
})

describe('paginate (keyset cursors)', () => {
  interface Item { id: string; n: number }
  const fields = { n: (item: Item) => item.n, id: (item: Item) => item.id }
  const item = (id: string, n: number): Item => ({ id, n })
  const ids = (items: readonly Item[]) => items.map((i) => i.id)
  const page = (items: readonly Item[], request: PageRequest) => paginate(items, fields, 'n', request)

  it('sorts by the field (ties by id), pages by limit, and leaves the last page without a next cursor', () => {
    const items = [item('c', 2), item('a', 1), item('e', 3), item('b', 2), item('d', 5)]
    const first = page(items, { fieldName: 'n', limit: 2 })
    expect(ids(first.items)).toEqual(['a', 'b'])
    expect(typeof first.nextCursor.cursors.next).toBe('string')
    const second = page(items, { fieldName: 'n', limit: 2, cursor: first.nextCursor.cursors.next })
    expect(ids(second.items)).toEqual(['c', 'e'])
    const third = page(items, { fieldName: 'n', limit: 2, cursor: second.nextCursor.cursors.next })
    expect(ids(third.items)).toEqual(['d'])
    expect(third.nextCursor).toEqual({ cursors: {} })
  })

  it('a page that ends exactly at the last item has no next cursor', () => {
    const items = [item('a', 1), item('b', 2), item('c', 3), item('d', 4)]
    const first = page(items, { fieldName: 'n', limit: 2 })
    const second = page(items, { fieldName: 'n', limit: 2, cursor: first.nextCursor.cursors.next })
    expect(ids(second.items)).toEqual(['c', 'd'])
    expect(second.nextCursor).toEqual({ cursors: {} })
  })

  it('defaults: DESC on the default field with no sort given, ASC when a field is named, limit 50', () => {
    const items = Array.from({ length: 60 }, (_, i) => item(`id${String(i).padStart(2, '0')}`, i))
    const byDefault = page(items, {})
    expect(byDefault.items).toHaveLength(50)
    expect(byDefault.items[0]!.n).toBe(59)
    expect(byDefault.items[49]!.n).toBe(10)
    expect(page(items, { fieldName: 'n' }).items[0]!.n).toBe(0)
    expect(page(items, { fieldName: 'n', order: 'desc' }).items[0]!.n).toBe(59)
    expect(page(items, { limit: '100' }).items).toHaveLength(60)
  })

  it('items inserted between pages neither repeat nor vanish; removed ones do not shift the rest', () => {
    let items = [item('a', 10), item('b', 20), item('c', 30), item('d', 40), item('e', 50)]
    const first = page(items, { fieldName: 'n', limit: 2 })
    expect(ids(first.items)).toEqual(['a', 'b'])

    // Before the cursor (already seen territory), after it, and a tie on the cursor's own key.
    items = [item('early', 5), ...items, item('late', 45), item('tie', 20)]
    // And one not yet seen is removed.
    items = items.filter((i) => i.id !== 'c')
    const rest: Item[] = []
    let cursor = first.nextCursor.cursors.next
    while (cursor) {
      const next = page(items, { fieldName: 'n', limit: 2, cursor })
      rest.push(...next.items)
      cursor = next.nextCursor.cursors.next
    }
    expect(ids(rest)).toEqual(['tie', 'd', 'late', 'e'])
    expect(ids(rest)).not.toContain('a')
    expect(ids(rest)).not.toContain('b')
  })

  it('keeps its place even when the cursor item itself is gone', () => {
    const items = [item('a', 1), item('b', 2), item('c', 3), item('d', 4)]
    const first = page(items, { fieldName: 'n', limit: 2 })
    const after = page(items.filter((i) => i.id !== 'b'), { fieldName: 'n', limit: 2, cursor: first.nextCursor.cursors.next })
    expect(ids(after.items)).toEqual(['c', 'd'])
  })

  it('refuses a cursor it did not make with a 400 validation error on paging.cursor', () => {
    const items = [item('a', 1)]
    for (const cursor of ['garbage', Buffer.from('{"f":1}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      const error = wixError(() => page(items, { fieldName: 'n', cursor }))
      expect(error.status).toBe(400)
      expect(error.body.details.validationError?.fieldViolations[0]?.field).toBe('paging.cursor')
    }
  })

  it('refuses a cursor from another sort order', () => {
    const items = [item('a', 1), item('b', 2), item('c', 3)]
    const cursor = page(items, { fieldName: 'n', limit: 1 }).nextCursor.cursors.next
    for (const request of [{ fieldName: 'n', order: 'DESC' }, { fieldName: 'id' }]) {
      const error = wixError(() => page(items, { ...request, limit: 1, cursor }))
      expect(error.status).toBe(400)
      expect(error.body.details.validationError?.fieldViolations[0]?.field).toBe('paging.cursor')
    }
  })

  it('refuses limits outside 1..100, unknown sort fields and orders', () => {
    const items = [item('a', 1)]
    const violation = (request: PageRequest) => {
      const error = wixError(() => page(items, request))
      expect(error.status).toBe(400)
      return error.body.details.validationError!.fieldViolations[0]!
    }
    expect(violation({ limit: 0 })).toMatchObject({ field: 'paging.limit', violatedRule: 'MIN' })
    expect(violation({ limit: 101 })).toMatchObject({ field: 'paging.limit', violatedRule: 'MAX' })
    expect(violation({ limit: 2.5 })).toMatchObject({ field: 'paging.limit' })
    expect(violation({ limit: 'ten' })).toMatchObject({ field: 'paging.limit' })
    expect(violation({ fieldName: 'colour' })).toMatchObject({ field: 'sort.fieldName' })
    expect(violation({ fieldName: 'n', order: 'UP' })).toMatchObject({ field: 'sort.order' })
    expect(page(items, { limit: 100 }).items).toHaveLength(1)
    expect(page(items, { limit: 1 }).items).toHaveLength(1)
  })
})

describe('upload tokens', () => {
  const secret = 'unit-test-secret'
  const now = 1_800_000_000_000
  const claims: UploadTokenClaims = { jti: 'j1', fid: 'abc123_0123456789abcdef0123456789abcdef', kind: 'upload', site: 'S', iat: now, exp: now + 60_000 }
  const code = (fn: () => unknown) => {
    const error = wixError(fn)
    return [error.status, error.body.details.applicationError?.code]
  }

  it('round-trips: a signed token verifies to its claims', () => {
    const token = signUploadToken(secret, claims)
    expect(token.split('.')).toHaveLength(3)
    expect(verifyUploadToken(secret, token, 'upload', now)).toEqual(claims)
    expect(verifyUploadToken(secret, token, 'upload', claims.exp - 1)).toEqual(claims)
  })

  it('refuses a tampered payload, a foreign secret and garbage with 401 INVALID_UPLOAD_TOKEN', () => {
    const token = signUploadToken(secret, claims)
    const [header, , signature] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ ...claims, fid: 'abc123_ffffffffffffffffffffffffffffffff' })).toString('base64url')
    expect(code(() => verifyUploadToken(secret, `${header}.${forged}.${signature}`, 'upload', now))).toEqual([401, 'INVALID_UPLOAD_TOKEN'])
    expect(code(() => verifyUploadToken('another-secret', token, 'upload', now))).toEqual([401, 'INVALID_UPLOAD_TOKEN'])
    expect(code(() => verifyUploadToken(secret, `${token}x`, 'upload', now))).toEqual([401, 'INVALID_UPLOAD_TOKEN'])
    expect(code(() => verifyUploadToken(secret, 'not-a-token', 'upload', now))).toEqual([401, 'INVALID_UPLOAD_TOKEN'])
    expect(code(() => verifyUploadToken(secret, '', 'upload', now))).toEqual([401, 'INVALID_UPLOAD_TOKEN'])
  })

  it('refuses an expired token with 401 UPLOAD_TOKEN_EXPIRED (expiry instant included)', () => {
    const token = signUploadToken(secret, claims)
    expect(code(() => verifyUploadToken(secret, token, 'upload', claims.exp))).toEqual([401, 'UPLOAD_TOKEN_EXPIRED'])
    expect(code(() => verifyUploadToken(secret, token, 'upload', claims.exp + 86_400_000))).toEqual([401, 'UPLOAD_TOKEN_EXPIRED'])
  })

  it('refuses a token of the other kind', () => {
    const plain = signUploadToken(secret, claims)
    const resumable = signUploadToken(secret, { ...claims, kind: 'resumable' })
    expect(code(() => verifyUploadToken(secret, plain, 'resumable', now))).toEqual([401, 'INVALID_UPLOAD_TOKEN'])
    expect(code(() => verifyUploadToken(secret, resumable, 'upload', now))).toEqual([401, 'INVALID_UPLOAD_TOKEN'])
    expect(verifyUploadToken(secret, resumable, 'resumable', now).kind).toBe('resumable')
  })

  it('redactTokens removes JWTs from a path and keeps the rest', () => {
    const token = signUploadToken(secret, claims)
    expect(redactTokens(`/upload/${token}?filename=a.png`)).toBe('/upload/<token>?filename=a.png')
    expect(redactTokens(`PUT http://127.0.0.1:1/upload/tus/${token} and /upload/${token}`))
      .toBe('PUT http://127.0.0.1:1/upload/tus/<token> and /upload/<token>')
    expect(redactTokens(`/upload/${token}`)).not.toContain(token.split('.')[1]!)
    expect(redactTokens('/site-media/v1/files?paging.limit=50')).toBe('/site-media/v1/files?paging.limit=50')
    expect(redactTokens('/media/abc123_0123456789abcdef0123456789abcdef~mv2.png')).toBe('/media/abc123_0123456789abcdef0123456789abcdef~mv2.png')
  })
})

describe('createRateLimiter', () => {
  const t0 = 1_000_000

  it('60/min: 60 immediate takes pass, the 61st waits 1000 ms, after 1000 ms one more passes', () => {
    const limiter = createRateLimiter(60)
    for (let i = 0; i < 60; i++) expect(limiter.take('site', t0)).toBe(0)
    expect(limiter.take('site', t0)).toBe(1000)
    expect(limiter.take('site', t0 + 500)).toBe(500)
    expect(limiter.take('site', t0 + 1000)).toBe(0)
    expect(limiter.take('site', t0 + 1000)).toBe(1000)
  })

  it('refills continuously, never past the per-minute capacity', () => {
    const limiter = createRateLimiter(60)
    for (let i = 0; i < 60; i++) limiter.take('site', t0)
    const later = t0 + 3_600_000
    let passed = 0
    while (limiter.take('site', later) === 0) passed++
    expect(passed).toBe(60)
  })

  it('keeps one bucket per site', () => {
    const limiter = createRateLimiter(2)
    expect([limiter.take('a', t0), limiter.take('a', t0)]).toEqual([0, 0])
    expect(limiter.take('a', t0)).toBe(30_000)
    expect([limiter.take('b', t0), limiter.take('b', t0)]).toEqual([0, 0])
    expect(limiter.take('b', t0)).toBe(30_000)
  })

  it('0 per minute turns the limit off', () => {
    const limiter = createRateLimiter(0)
    for (let i = 0; i < 1000; i++) expect(limiter.take('site', t0)).toBe(0)
  })
})

describe('createRequestLog', () => {
  it('keeps the last `limit` entries in order of arrival, and numbers them on across a clear', () => {
    const log = createRequestLog(3)
    const seqs = () => log.entries().map((entry) => entry.seq)
    const paths = () => log.entries().map((entry) => entry.path)
    for (const n of [1, 2]) log.start('GET', 'listFiles', `/${n}`)
    expect(seqs()).toEqual([1, 2])
    for (const n of [3, 4, 5, 6, 7]) {
      log.start('GET', 'listFiles', `/${n}`)
      expect(seqs()).toEqual([n - 2, n - 1, n].filter((seq) => seq >= 1))
    }
    expect(paths()).toEqual(['/5', '/6', '/7'])
    log.clear()
    expect(log.entries()).toEqual([])
    log.start('PUT', 'upload', '/upload/eyJa.eyJb.sig')
    expect(log.entries().map((entry) => [entry.seq, entry.path])).toEqual([[8, '/upload/<token>']])
  })

  it('shows later changes to an entry (status, route) and hands out copies', () => {
    const log = createRequestLog(2)
    const first = log.start('GET', 'unknown', '/a')
    first.route = 'getFile'
    first.status = 200
    const copy = log.entries()[0]!
    expect([copy.route, copy.status]).toEqual(['getFile', 200])
    copy.status = 500
    expect(log.entries()[0]!.status).toBe(200)
    // An entry pushed out of the ring is no longer listed, even when it changes afterwards.
    log.start('GET', 'listFiles', '/b')
    log.start('GET', 'listFiles', '/c')
    first.status = 404
    expect(log.entries().map((entry) => [entry.path, entry.status])).toEqual([['/b', 0], ['/c', 0]])
  })
})

describe('resolveEmulatorOptions', () => {
  const rejects = (options: EmulatorOptions) => {
    try {
      resolveEmulatorOptions(options)
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError)
      return (error as Error).message
    }
    throw new Error(`expected ${JSON.stringify(options)} to be rejected`)
  }

  it('fills every default and freezes the result', () => {
    const options = resolveEmulatorOptions({ seed: 3 })
    expect(options).toMatchObject({
      port: 0, host: '127.0.0.1', apiKey: 'emulator-api-key', siteId: 'emulator-site', dataDir: undefined,
      latency: 0, rateLimit: 0, rateLimitRetryAfter: false, failRate: 0, faults: [], seed: 3,
      quotaBytes: Number.POSITIVE_INFINITY, uploadUrlTtlMs: 86_400_000, resumableUploadTtlMs: 604_800_000,
      maxJsonBodyBytes: 1_048_576, uploadErrorBodies: true, hashAlgorithm: 'md5', searchMatch: 'substring',
    })
    expect(options.processingMs).toEqual({ IMAGE: 0, VECTOR: 0, VIDEO: 1000, AUDIO: 300, DOCUMENT: 0, ARCHIVE: 0, MODEL3D: 0, OTHER: 0 })
    expect(options.maxFileSize.IMAGE).toBe(25_000_000)
    expect(options.keys.get('emulator-api-key')).toBe('manage')
    expect(Object.isFrozen(options)).toBe(true)
    expect(Number.isInteger(resolveEmulatorOptions().seed)).toBe(true)
  })

  it('keeps given values: per-type overrides, extra keys, failProcessing by name', () => {
    const options = resolveEmulatorOptions({ maxFileSize: { VIDEO: 10 }, apiKeys: { r: 'read' }, failProcessing: ['bad.png'], publicUrl: 'https://cdn.test//' })
    expect(options.maxFileSize.VIDEO).toBe(10)
    expect(options.maxFileSize.IMAGE).toBe(25_000_000)
    expect(options.keys.get('r')).toBe('read')
    expect(options.publicUrl).toBe('https://cdn.test')
    const info = { mimeType: 'image/png', mediaType: 'IMAGE' as const, sizeInBytes: 1, labels: [] }
    expect(options.failProcessing({ ...info, displayName: 'bad.png' })).toBe(true)
    expect(options.failProcessing({ ...info, displayName: 'good.png' })).toBe(false)
  })

  it('rejects bad values with a message naming the option and the value', () => {
    expect(rejects({ failRate: 2 })).toBe('Expected emulator option `failRate` to be a number from 0 to 1, got 2')
    expect(rejects({ failRate: -0.1 })).toContain('`failRate`')
    expect(rejects({ port: -1 })).toBe('Expected emulator option `port` to be an integer from 0 to 65535, got -1')
    expect(rejects({ port: 65_536 })).toBe('Expected emulator option `port` to be an integer from 0 to 65535, got 65536')
    expect(rejects({ port: 1.5 })).toContain('`port`')
    expect(resolveEmulatorOptions({ port: 65_535 }).port).toBe(65_535)
    expect(rejects({ rateLimit: -1 })).toBe('Expected emulator option `rateLimit` to be an integer ≥ 0, got -1')
    expect(rejects({ maxFileSize: { FOO: 1 } as EmulatorOptions['maxFileSize'] })).toMatch(/`maxFileSize`.*"FOO"/)
    expect(rejects({ maxFileSize: { IMAGE: -1 } })).toContain('`maxFileSize.IMAGE`')
    expect(rejects({ processingMs: { VIDEO: Number.NaN } })).toContain('`processingMs.VIDEO`')
    expect(rejects({ rateLimit: 2.5 })).toContain('`rateLimit`')
    expect(rejects({ rateLimitRetryAfter: 'soon' as unknown as 'auto' })).toContain('`rateLimitRetryAfter`')
    expect(rejects({ rateLimitRetryAfter: -1 })).toContain('`rateLimitRetryAfter`')
    expect(rejects({ seed: -1 })).toContain('`seed`')
    expect(rejects({ apiKey: '' })).toContain('`apiKey`')
    expect(rejects({ siteId: '' })).toContain('`siteId`')
    expect(rejects({ apiKeys: { k: 'admin' as 'read' } })).toContain('`apiKeys[…]`')
    expect(rejects({ uploadUrlTtlMs: 0 })).toContain('`uploadUrlTtlMs`')
    expect(rejects({ maxJsonBodyBytes: 0 })).toContain('`maxJsonBodyBytes`')
    expect(rejects({ uploadErrorBodies: 'no' as unknown as boolean })).toContain('`uploadErrorBodies`')
    expect(rejects({ searchMatch: 'fuzzy' as 'exact' })).toBe('Expected emulator option `searchMatch` to be \'substring\', \'word-prefix\' or \'exact\', got "fuzzy"')
    expect(rejects({ hashAlgorithm: 'crc33' })).toBe('Expected emulator option `hashAlgorithm` to be a hash algorithm Node knows (md5, sha1, sha256, …), got "crc33"')
  })
})

describe('media types', () => {
  it('maps file names to MIME types by extension, case-insensitively', () => {
    expect(mimeTypeOf('a/B.JPG')).toBe('image/jpeg')
    expect(mimeTypeOf('C:\\assets\\logo.Svg')).toBe('image/svg+xml')
    expect(mimeTypeOf('clip.mp4')).toBe('video/mp4')
    expect(mimeTypeOf('doc.pdf')).toBe('application/pdf')
    expect(mimeTypeOf('archive.tar.gz')).toBe('application/gzip')
  })

  it('classifies MIME types into media types', () => {
    expect(mediaTypeOfMime('image/svg+xml')).toBe('VECTOR')
    expect(mediaTypeOfMime('image/png')).toBe('IMAGE')
    expect(mediaTypeOfMime('IMAGE/JPG')).toBe('IMAGE')
    expect(mediaTypeOfMime('audio/mp3')).toBe('AUDIO')
    expect(mediaTypeOfMime('application/pdf')).toBe('DOCUMENT')
    expect(mediaTypeOfMime('application/zip')).toBe('ARCHIVE')
    expect(mediaTypeOfMime('model/gltf-binary')).toBe('MODEL3D')
  })

  it('normalizes case, parameters and aliases', () => {
    expect(normalizeMimeType('Image/JPG; q=1')).toBe('image/jpeg')
    expect(normalizeMimeType(' text/plain ; charset=utf-8')).toBe('text/plain')
    expect(normalizeMimeType('audio/x-wav')).toBe('audio/wav')
    expect(extensionOfMime('image/jpeg')).toBe('jpg')
    expect(extensionOfMime('image/svg+xml')).toBe('svg')
  })

  it('answers undefined for what the Media Manager does not host', () => {
    expect(mimeTypeOf('notes.xyz')).toBeUndefined()
    expect(mimeTypeOf('README')).toBeUndefined()
    expect(mimeTypeOf('.png')).toBeUndefined()
    expect(mimeTypeOf('dir.png/file')).toBeUndefined()
    expect(mediaTypeOfMime('application/x-unknown')).toBeUndefined()
    expect(mediaTypeOfMime('application/octet-stream')).toBeUndefined()
    expect(mediaTypeOfMime('')).toBeUndefined()
    expect(extensionOfMime('application/x-unknown')).toBeUndefined()
    expect(extensionOf('.bashrc')).toBe('')
  })
})
