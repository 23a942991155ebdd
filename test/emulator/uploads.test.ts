/**
 * Plain uploads (contract 2.1, 2.3, 4) over real HTTP: the signed upload-URL token, its single use
 * and expiry, no Authorization on the PUT, `filename`, the octet-stream fallback, MIME checks,
 * processing states, and how many upload bodies the emulator receives at once.
 */
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { FileDescriptor, WireError } from '../../src/client/wire.ts'
import { answerOf, putUpload as put, until, useEmulator, type Api, type ApiAnswer } from '../support/emulator.ts'
import { jpeg, mp4, pdf, png } from '../support/media.ts'

interface Claims {
  jti: string
  fid: string
  kind: string
  site: string
  iat: number
  exp: number
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex')

function tokenOf(api: Api, uploadUrl: string): string {
  const prefix = `${api.emulator.url}/upload/`
  expect(uploadUrl.startsWith(prefix)).toBe(true)
  return uploadUrl.slice(prefix.length)
}

function decode(token: string): { header: unknown; claims: Claims } {
  const [header, payload] = token.split('.') as [string, string, string]
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims,
  }
}

/** Replaces the character at `index` with another base64url character. */
function flip(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A'
  return text.slice(0, index) + replacement + text.slice(index + 1)
}

function expectApplicationError(result: ApiAnswer<unknown>, status: number, code: string): void {
  expect(result.status).toBe(status)
  const body = result.body as WireError
  expect(body.details.applicationError?.code).toBe(code)
  expect(body.message).toBe(body.details.applicationError?.description)
  expect(body.message.length).toBeGreaterThan(10)
  expect(result.headers.get('content-type')).toBe('application/json; charset=utf-8')
}

function expectRuleViolation(result: ApiAnswer<unknown>, field: string, ruleName: string): void {
  expect(result.status).toBe(400)
  const violations = (result.body as WireError).details.validationError?.fieldViolations
  expect(violations).toHaveLength(1)
  expect(violations?.[0]).toMatchObject({ field, ruleName, violatedRule: 'OTHER' })
}

describe('upload URL token', () => {
  const api = useEmulator()

  it('is an HS256 JWT that names the file id assigned when the URL was generated', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'token.png' })
    const token = tokenOf(api, uploadUrl)
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const { header, claims } = decode(token)
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(claims.kind).toBe('upload')
    expect(claims.site).toBe(api.emulator.siteId)
    expect(claims.exp - claims.iat).toBe(86_400_000)
    expect(claims.fid).toMatch(/^[0-9a-f]{6}_[0-9a-f]{32}$/)

    const bytes = png(3, 2)
    const uploaded = await put(uploadUrl, bytes, 'image/png')
    expect(uploaded.status).toBe(200)
    expect(uploaded.body.file.id).toBe(`${claims.fid}~mv2.png`)
    expect(uploaded.body.file.hash).toBe(md5(bytes))
    expect(uploaded.body.file.sizeInBytes).toBe(String(bytes.length))
    expect(uploaded.headers.get('x-wix-request-id')).toMatch(/^[0-9a-f]+\.[0-9a-f]{16}$/)
  })

  it('ids keep the pre-assigned base for every type (video: no extension, document: its extension)', async () => {
    const videoUrl = await api.uploadUrl({ mimeType: 'video/mp4', fileName: 'clip.mp4' })
    const video = await put(videoUrl, mp4(), 'video/mp4')
    expect(video.body.file.id).toBe(decode(tokenOf(api, videoUrl)).claims.fid)
    expect(video.body.file.mediaType).toBe('VIDEO')

    const docUrl = await api.uploadUrl({ mimeType: 'application/pdf', fileName: 'doc.pdf' })
    const doc = await put(docUrl, pdf(), 'application/pdf')
    expect(doc.body.file.id).toBe(`${decode(tokenOf(api, docUrl)).claims.fid}.pdf`)
    expect(doc.body.file.mediaType).toBe('DOCUMENT')
  })

  it('refuses a token whose payload was tampered with (401) and still accepts the original', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'tampered.png' })
    const token = tokenOf(api, uploadUrl)
    const [header, payload, signature] = token.split('.') as [string, string, string]

    const flipped = `${header}.${flip(payload, Math.floor(payload.length / 2))}.${signature}`
    expectApplicationError(await put(`${api.emulator.url}/upload/${flipped}`, png(3, 2), 'image/png'), 401, 'INVALID_UPLOAD_TOKEN')

    // A forged claim (a later expiry) with the old signature is refused just the same.
    const claims = decode(token).claims
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1_000_000 })).toString('base64url')
    expectApplicationError(await put(`${api.emulator.url}/upload/${header}.${forged}.${signature}`, png(3, 2), 'image/png'), 401, 'INVALID_UPLOAD_TOKEN')

    // Failed attempts do not spend the URL.
    const good = await put(uploadUrl, png(3, 2), 'image/png')
    expect(good.status).toBe(200)
    expect(good.body.file.displayName).toBe('tampered.png')
  })

  it('refuses a token whose signature was tampered with (401)', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'sig.png' })
    const token = tokenOf(api, uploadUrl)
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const before = api.emulator.files().length

    for (const bad of [
      `${header}.${payload}.${flip(signature, 0)}`,
      `${header}.${payload}.${flip(signature, signature.length - 2)}`,
      `${header}.${payload}.${signature.slice(0, -1)}`,
      `${header}.${payload}`,
      'not-a-token',
    ]) {
      expectApplicationError(await put(`${api.emulator.url}/upload/${bad}`, png(3, 2), 'image/png'), 401, 'INVALID_UPLOAD_TOKEN')
    }
    expect(api.emulator.files()).toHaveLength(before)
  })

  it('refuses a second PUT to a used URL with 409 and keeps the first file', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'once.png' })
    const first = await put(uploadUrl, png(3, 2, 1), 'image/png')
    expect(first.status).toBe(200)
    const second = await put(uploadUrl, png(5, 5, 2), 'image/png')
    expectApplicationError(second, 409, 'UPLOAD_URL_ALREADY_USED')

    const matching = api.emulator.files().filter((file) => file.id === first.body.file.id)
    expect(matching).toHaveLength(1)
    expect(matching[0]?.hash).toBe(md5(png(3, 2, 1)))
    expect(await api.emulator.readFile(first.body.file.id)).toEqual(png(3, 2, 1))
  })

  it('needs no Authorization on the PUT, while the API itself does', async () => {
    const unauthenticated = await api.call('POST', '/files/generate-upload-url', { mimeType: 'image/png' }, { Authorization: '' })
    expectApplicationError(unauthenticated as ApiAnswer<unknown>, 401, 'UNAUTHENTICATED')

    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'noauth.png' })
    // No Authorization, no wix-site-id: the token in the URL is the only credential.
    const response = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: png(2, 2) })
    expect(response.status).toBe(200)
    const { file } = (await response.json()) as { file: FileDescriptor }
    expect(file.displayName).toBe('noauth.png')
    expect(file.operationStatus).toBe('READY')
  })
})

describe('expired upload URL', () => {
  const api = useEmulator({ uploadUrlTtlMs: 50 })

  it('answers 401 UPLOAD_TOKEN_EXPIRED once the TTL has passed', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'late.png' })
    const { claims } = decode(tokenOf(api, uploadUrl))
    expect(claims.exp - claims.iat).toBe(50)
    await sleep(120)
    expectApplicationError(await put(uploadUrl, png(2, 2), 'image/png'), 401, 'UPLOAD_TOKEN_EXPIRED')
    expect(api.emulator.files()).toEqual([])
  })

  it('accepts the same kind of URL used within its TTL', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'quick.png' })
    const uploaded = await put(uploadUrl, png(2, 2), 'image/png')
    expect(uploaded.status).toBe(200)
  })
})

describe('file names and MIME types', () => {
  const api = useEmulator()

  it('names the file from the `filename` query when fileName was not given at generate time', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png' })
    const { body, status } = await put(uploadUrl, png(4, 3), 'image/png', 'from-query.png')
    expect(status).toBe(200)
    expect(body.file.displayName).toBe('from-query.png')
    expect(body.file.media.image?.image).toMatchObject({ filename: 'from-query.png', width: 4, height: 3 })
  })

  it('keeps the generate-time fileName when the PUT also sends `filename`', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'declared.png' })
    const { body } = await put(uploadUrl, png(4, 3), 'image/png', 'other.png')
    expect(body.file.displayName).toBe('declared.png')
  })

  it.each([
    ['application/octet-stream', 'fallback-a.png'],
    ['image/png', 'fallback-b.png'],
  ])('fallback: generated as %s, PUT as octet-stream with ?filename=x.png gives a PNG image', async (mimeType, filename) => {
    const bytes = png(7, 5, 3)
    const uploadUrl = await api.uploadUrl({ mimeType })
    const { status, body } = await put(uploadUrl, bytes, 'application/octet-stream', filename)
    expect(status).toBe(200)
    expect(body.file.mediaType).toBe('IMAGE')
    expect(body.file.id).toMatch(/^[0-9a-f]{6}_[0-9a-f]{32}~mv2\.png$/)
    expect(body.file.displayName).toBe(filename)
    expect(body.file.media.image?.image).toMatchObject({ width: 7, height: 5 })
    const media = await fetch(body.file.url)
    expect(media.status).toBe(200)
    expect(media.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await media.arrayBuffer())).toEqual(bytes)
  })

  it('fallback: octet-stream at both ends takes the type from the generate-time fileName', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'application/octet-stream', fileName: 'photo.jpg' })
    const { status, body } = await put(uploadUrl, jpeg(40, 30), 'application/octet-stream')
    expect(status).toBe(200)
    expect(body.file.mediaType).toBe('IMAGE')
    expect(body.file.id).toMatch(/~mv2\.jpeg$/)
    expect((await fetch(body.file.url)).headers.get('content-type')).toBe('image/jpeg')
  })

  it('refuses octet-stream with no name anywhere (400 UNSUPPORTED_FILE_FORMAT)', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'application/octet-stream' })
    expectRuleViolation(await put(uploadUrl, png(2, 2), 'application/octet-stream'), 'Content-Type', 'UNSUPPORTED_FILE_FORMAT')
  })

  it('refuses a Content-Type of another media type (400 MISMATCH_MIME_TYPE); the URL stays usable', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'mismatch.png' })
    const refused = await put(uploadUrl, png(2, 2), 'application/pdf')
    expectRuleViolation(refused, 'Content-Type', 'MISMATCH_MIME_TYPE')
    expect(api.emulator.files().some((file) => file.displayName === 'mismatch.png')).toBe(false)

    const retried = await put(uploadUrl, png(2, 2), 'image/png')
    expect(retried.status).toBe(200)
    expect(retried.body.file.displayName).toBe('mismatch.png')
  })

  it('refuses bytes that are not what the Content-Type says (400 MISMATCH_MIME_TYPE on `file`)', async () => {
    const uploadUrl = await api.uploadUrl({ mimeType: 'image/png', fileName: 'liar.png' })
    expectRuleViolation(await put(uploadUrl, pdf(), 'image/png'), 'file', 'MISMATCH_MIME_TYPE')
    expect(api.emulator.files().some((file) => file.displayName === 'liar.png')).toBe(false)
  })

  it('refuses a fileName that contradicts mimeType at generate time', async () => {
    const generated = await api.call('POST', '/files/generate-upload-url', { mimeType: 'image/png', fileName: 'movie.mp4' })
    expectRuleViolation(generated as ApiAnswer<unknown>, 'mimeType', 'MISMATCH_MIME_TYPE')
  })
})

describe('processing states', () => {
  const api = useEmulator({ processingMs: { VIDEO: 300 }, failProcessing: ['bad.png'] })

  const getFile = async (id: string) => {
    const got = await api.call<{ file: FileDescriptor }>('GET', `/files/get-file-by-id?fileId=${encodeURIComponent(id)}`)
    expect(got.status).toBe(200)
    return got.body.file
  }

  it('a video answers PENDING, its URL is 404 until it turns READY, then serves the bytes', async () => {
    const bytes = mp4(1024)
    const started = Date.now()
    const uploaded = await put(await api.uploadUrl({ mimeType: 'video/mp4', fileName: 'slow.mp4' }), bytes, 'video/mp4')
    expect(uploaded.status).toBe(200)
    const { file } = uploaded.body
    expect(file.operationStatus).toBe('PENDING')
    expect(file.hash).toBe(md5(bytes))

    expect((await getFile(file.id)).operationStatus).toBe('PENDING')
    const early = await fetch(file.url)
    expect(early.status).toBe(404)
    expect(((await early.json()) as WireError).details.applicationError?.code).toBe('RESOURCE_NOT_FOUND')

    await until(async () => (await getFile(file.id)).operationStatus === 'READY', 'the video to be READY')
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    const ready = await fetch(file.url)
    expect(ready.status).toBe(200)
    expect(ready.headers.get('content-type')).toBe('video/mp4')
    expect(Buffer.from(await ready.arrayBuffer())).toEqual(bytes)
  })

  it('an image is READY at once (no processing time set for IMAGE)', async () => {
    const { body } = await put(await api.uploadUrl({ mimeType: 'image/png', fileName: 'good.png' }), png(2, 2), 'image/png')
    expect(body.file.operationStatus).toBe('READY')
    expect((await fetch(body.file.url)).status).toBe(200)
  })

  it('failProcessing: bad.png ends FAILED and is never served', async () => {
    const { status, body } = await put(await api.uploadUrl({ mimeType: 'image/png', fileName: 'bad.png' }), png(2, 2), 'image/png')
    expect(status).toBe(200)
    expect(body.file.operationStatus).toBe('FAILED')
    await sleep(50)
    expect((await getFile(body.file.id)).operationStatus).toBe('FAILED')
    expect((await fetch(body.file.url)).status).toBe(404)
  })

  it('failProcessing matches the name given by the `filename` query too', async () => {
    const { body } = await put(await api.uploadUrl({ mimeType: 'image/png' }), png(2, 2), 'image/png', 'bad.png')
    expect(body.file.displayName).toBe('bad.png')
    expect((await getFile(body.file.id)).operationStatus).toBe('FAILED')
  })
})

describe('concurrent upload bodies', () => {
  const api = useEmulator()

  /** A body that sends `first`, then waits for `gate` before sending `rest`. */
  function gatedBody(first: Buffer, rest: Buffer, gate: Promise<void>): ReadableStream<Uint8Array> {
    let step = 0
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (step++ === 0) {
          controller.enqueue(first)
          return
        }
        await gate
        controller.enqueue(rest)
        controller.close()
      },
    })
  }

  it('counts the PUTs being received at once: five held open together give a maximum of 5', async () => {
    const { emulator } = api
    emulator.resetStats()
    expect(emulator.stats()).toEqual({ uploadsInFlight: 0, maxUploadsInFlight: 0 })

    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const images = Array.from({ length: 5 }, (_, i) => png(16, 16, 100 + i))
    const urls = await Promise.all(images.map((_, i) => api.uploadUrl({ mimeType: 'image/png', fileName: `parallel-${i}.png` })))
    const uploads = images.map((bytes, i) =>
      fetch(urls[i]!, {
        method: 'PUT',
        headers: { 'Content-Type': 'image/png' },
        body: gatedBody(bytes.subarray(0, 20), bytes.subarray(20), gate),
        duplex: 'half',
      }).then((response) => answerOf<{ file: FileDescriptor }>(response)))

    await until(() => emulator.stats().uploadsInFlight === 5, 'five bodies in flight')
    expect(emulator.files()).toHaveLength(0)
    release()
    const done = await Promise.all(uploads)

    expect(done.map((result) => result.status)).toEqual([200, 200, 200, 200, 200])
    expect(done.map((result) => result.body.file.hash)).toEqual(images.map(md5))
    expect(emulator.stats()).toEqual({ uploadsInFlight: 0, maxUploadsInFlight: 5 })
  })

  it('sequential uploads never have more than one body in flight', async () => {
    const { emulator } = api
    emulator.resetStats()
    for (let i = 0; i < 3; i++) {
      const result = await put(await api.uploadUrl({ mimeType: 'image/png', fileName: `serial-${i}.png` }), png(4, 4, i), 'image/png')
      expect(result.status).toBe(200)
    }
    expect(emulator.stats()).toEqual({ uploadsInFlight: 0, maxUploadsInFlight: 1 })
  })
})
