/**
 * The resumable upload of contract 2.2 over real HTTP: a TUS 1.0.0 server at `<origin>/upload/tus`,
 * uploads authorized by the `token` metadata, resumed after a dropped connection from the offset
 * HEAD reports, and finished by `PUT <uploadUrl>/<uploadToken>?filename=`.
 */
import { createHash, randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { FileDescriptor, WireError } from '../../src/client/wire.ts'
import { until, useEmulator, type Api } from '../support/emulator.ts'
import { mp4, png } from '../support/media.ts'

const TUS = { 'Tus-Resumable': '1.0.0' }
const OFFSET_STREAM = 'application/offset+octet-stream'
const MiB = 1024 * 1024

interface Resumable {
  uploadProtocol: string
  uploadUrl: string
  uploadToken: string
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex')

/** Bytes that sniff as MP4, then random: any misplaced or lost byte shows. */
function video(size: number): Buffer {
  const head = mp4(0)
  return Buffer.concat([head, randomBytes(size - head.length)])
}

function metadata(fields: Record<string, string>): string {
  return Object.entries(fields).map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`).join(',')
}

async function errorCode(response: Response): Promise<string | undefined> {
  return ((await response.json()) as WireError).details.applicationError?.code
}

function tus(api: Api) {
  const self = {
    async resumable(request: Record<string, unknown>): Promise<Resumable> {
      const generated = await api.call<Resumable>('POST', '/files/generate-resumable-upload-url', request)
      expect(generated.status).toBe(200)
      return generated.body
    },
    create(uploadUrl: string, length: number | undefined, meta: Record<string, string>, headers: Record<string, string> = TUS): Promise<Response> {
      return fetch(uploadUrl, {
        method: 'POST',
        headers: { ...headers, ...(length === undefined ? {} : { 'Upload-Length': String(length) }), 'Upload-Metadata': metadata(meta) },
      })
    },
    /** Generates a resumable URL and creates an upload for `size` bytes; returns the Location too. */
    async start(size: number, name = 'clip.mp4', contentType = 'video/mp4') {
      const resumable = await self.resumable({ mimeType: contentType })
      const created = await self.create(resumable.uploadUrl, size, { filename: name, contentType, token: resumable.uploadToken })
      expect(created.status).toBe(201)
      const location = created.headers.get('location')!
      return { ...resumable, location }
    },
    patch(location: string, offset: number, body: Buffer, init: RequestInit = {}): Promise<Response> {
      return fetch(location, {
        method: 'PATCH',
        headers: { ...TUS, 'Content-Type': OFFSET_STREAM, 'Upload-Offset': String(offset) },
        body,
        ...init,
      })
    },
    async offset(location: string): Promise<number> {
      const head = await fetch(location, { method: 'HEAD', headers: TUS })
      expect(head.status).toBe(200)
      return Number(head.headers.get('upload-offset'))
    },
    finalize(uploadUrl: string, uploadToken: string, filename?: string): Promise<Response> {
      const query = filename === undefined ? '' : `?filename=${encodeURIComponent(filename)}`
      return fetch(`${uploadUrl}/${uploadToken}${query}`, { method: 'PUT' })
    },
  }
  return self
}

describe('TUS server', () => {
  const api = useEmulator({ processingMs: { VIDEO: 0 } })
  afterEach(() => api.emulator.faults.clear())

  it('OPTIONS advertises TUS 1.0.0 and its extensions', async () => {
    const { uploadUrl } = await tus(api).resumable({ mimeType: 'video/mp4' })
    expect(uploadUrl).toBe(`${api.emulator.url}/upload/tus`)
    const response = await fetch(uploadUrl, { method: 'OPTIONS' })
    expect(response.status).toBe(204)
    expect(response.headers.get('tus-version')).toBe('1.0.0')
    expect(response.headers.get('tus-extension')?.split(',').sort()).toEqual(['creation', 'creation-with-upload', 'termination'])
    expect(response.headers.get('tus-resumable')).toBe('1.0.0')
  })

  it('generate-resumable-upload-url answers TUS, the upload URL and a JWT for the pre-assigned file id', async () => {
    const generated = await tus(api).resumable({ mimeType: 'video/mp4', fileName: 'named.mp4' })
    expect(generated.uploadProtocol).toBe('TUS')
    const claims = JSON.parse(Buffer.from(generated.uploadToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
    expect(claims.kind).toBe('resumable')
    expect(Number(claims.exp) - Number(claims.iat)).toBe(604_800_000)
    expect(claims.fid).toMatch(/^[0-9a-f]{6}_[0-9a-f]{32}$/)
  })

  it('full flow: create, PATCH in chunks, HEAD, finalize; the stored bytes and hash are the ones sent', async () => {
    const client = tus(api)
    const bytes = video(Math.floor(1.2 * MiB))
    const { uploadUrl, uploadToken } = await client.resumable({ mimeType: 'video/mp4' })
    const fid = (JSON.parse(Buffer.from(uploadToken.split('.')[1]!, 'base64url').toString('utf8')) as { fid: string }).fid

    const created = await client.create(uploadUrl, bytes.length, { filename: 'meta-name.mp4', contentType: 'video/mp4', token: uploadToken })
    expect(created.status).toBe(201)
    expect(created.headers.get('upload-offset')).toBe('0')
    expect(created.headers.get('tus-resumable')).toBe('1.0.0')
    const location = created.headers.get('location')!
    expect(location).toMatch(new RegExp(`^${api.emulator.url}/upload/tus/[0-9a-f]{32}$`))

    const head = await fetch(location, { method: 'HEAD', headers: TUS })
    expect(head.status).toBe(200)
    expect(head.headers.get('upload-offset')).toBe('0')
    expect(head.headers.get('upload-length')).toBe(String(bytes.length))
    expect(head.headers.get('cache-control')).toBe('no-store')

    const chunk = 400 * 1024
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const part = bytes.subarray(offset, offset + chunk)
      const patched = await client.patch(location, offset, part)
      expect(patched.status).toBe(204)
      expect(patched.headers.get('upload-offset')).toBe(String(offset + part.length))
      expect(await client.offset(location)).toBe(offset + part.length)
    }

    const finished = await client.finalize(uploadUrl, uploadToken, 'clip.mp4')
    expect(finished.status).toBe(200)
    const { file } = (await finished.json()) as { file: FileDescriptor }
    expect(file).toMatchObject({
      id: fid,
      displayName: 'clip.mp4',
      mediaType: 'VIDEO',
      sizeInBytes: String(bytes.length),
      hash: md5(bytes),
      operationStatus: 'READY',
      parentFolderId: 'media-root',
    })
    expect(await api.emulator.readFile(file.id)).toEqual(bytes)
    const media = await fetch(file.url)
    expect(Buffer.from(await media.arrayBuffer())).toEqual(bytes)

    // The upload is gone once finished.
    expect((await fetch(location, { method: 'HEAD', headers: TUS })).status).toBe(404)
  })

  it('creation-with-upload: bytes sent with the POST count, the rest follows by PATCH', async () => {
    const client = tus(api)
    const bytes = video(200_000)
    const { uploadUrl, uploadToken } = await client.resumable({ mimeType: 'video/mp4', fileName: 'with-upload.mp4' })
    const created = await fetch(uploadUrl, {
      method: 'POST',
      headers: {
        ...TUS,
        'Upload-Length': String(bytes.length),
        'Upload-Metadata': metadata({ filename: 'with-upload.mp4', contentType: 'video/mp4', token: uploadToken }),
        'Content-Type': OFFSET_STREAM,
      },
      body: bytes.subarray(0, 50_000),
    })
    expect(created.status).toBe(201)
    expect(created.headers.get('upload-offset')).toBe('50000')
    const location = created.headers.get('location')!
    expect((await client.patch(location, 50_000, bytes.subarray(50_000))).status).toBe(204)
    const finished = await client.finalize(uploadUrl, uploadToken)
    expect(finished.status).toBe(200)
    const { file } = (await finished.json()) as { file: FileDescriptor }
    expect(file.displayName).toBe('with-upload.mp4')
    expect(await api.emulator.readFile(file.id)).toEqual(bytes)
  })

  it('interrupted then resumed: a PATCH reset after N bytes keeps exactly N; PATCH from N finishes it', async () => {
    const client = tus(api)
    const { emulator } = api
    const bytes = video(Math.floor(1.5 * MiB))
    const N = 300_007
    const { uploadUrl, uploadToken, location } = await client.start(bytes.length, 'resumed.mp4')

    emulator.faults.add({ route: 'tusPatch', sequence: [{ reset: { afterBytes: N } }] })
    emulator.clearRequests()
    const interrupted = client.patch(location, 0, bytes)
    await expect(interrupted).rejects.toThrow(TypeError)
    await interrupted.catch((error: Error) => {
      expect(error.message).toBe('fetch failed')
      expect((error.cause as NodeJS.ErrnoException).code).toMatch(/^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/)
    })
    const log = emulator.requests().filter((entry) => entry.route === 'tusPatch')
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({ method: 'PATCH', status: 0, fault: 'reset' })

    expect(await client.offset(location)).toBe(N)

    // A client that retries from its stale offset is told where the server is.
    const stale = await client.patch(location, 0, bytes)
    expect(stale.status).toBe(409)
    expect(await errorCode(stale)).toBe('OFFSET_MISMATCH')
    expect(await client.offset(location)).toBe(N)

    const resumed = await client.patch(location, N, bytes.subarray(N))
    expect(resumed.status).toBe(204)
    expect(resumed.headers.get('upload-offset')).toBe(String(bytes.length))

    const finished = await client.finalize(uploadUrl, uploadToken, 'resumed.mp4')
    expect(finished.status).toBe(200)
    const { file } = (await finished.json()) as { file: FileDescriptor }
    expect(file.hash).toBe(md5(bytes))
    expect(file.sizeInBytes).toBe(String(bytes.length))
    expect(await emulator.readFile(file.id)).toEqual(bytes)
  })

  it('resumes after the client aborts a streamed PATCH: the bytes that arrived are kept', async () => {
    const client = tus(api)
    const { emulator } = api
    const bytes = video(MiB + 12_345)
    const sent = 256 * 1024 + 3
    const { uploadUrl, uploadToken, location } = await client.start(bytes.length, 'aborted.mp4')

    const controller = new AbortController()
    const body = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(bytes.subarray(0, sent)) // then nothing more: the client gives up below
      },
    })
    const aborted = client.patch(location, 0, Buffer.alloc(0), { body, duplex: 'half', signal: controller.signal })
    await until(async () => (await client.offset(location)) === sent, 'the offset to reach the bytes sent')
    expect(emulator.stats().uploadsInFlight).toBe(1)
    controller.abort()
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' })

    await until(() => emulator.stats().uploadsInFlight === 0, 'no body in flight')
    expect(await client.offset(location)).toBe(sent)

    const resumed = await client.patch(location, sent, bytes.subarray(sent))
    expect(resumed.status).toBe(204)
    const finished = await client.finalize(uploadUrl, uploadToken, 'aborted.mp4')
    expect(finished.status).toBe(200)
    const { file } = (await finished.json()) as { file: FileDescriptor }
    expect(file.hash).toBe(md5(bytes))
    expect(await emulator.readFile(file.id)).toEqual(bytes)
  })

  it('PATCH at the wrong offset is 409 and changes nothing', async () => {
    const client = tus(api)
    const bytes = video(10_000)
    const { location } = await client.start(bytes.length)
    expect((await client.patch(location, 0, bytes.subarray(0, 4_000))).status).toBe(204)

    for (const offset of [0, 3_999, 4_001, 10_000]) {
      const wrong = await client.patch(location, offset, bytes.subarray(offset, offset + 10))
      expect(wrong.status).toBe(409)
      expect(wrong.headers.get('tus-resumable')).toBe('1.0.0')
      expect(await errorCode(wrong)).toBe('OFFSET_MISMATCH')
    }
    expect(await client.offset(location)).toBe(4_000)
  })

  it('answers 412 with Tus-Version when Tus-Resumable is missing or another version', async () => {
    const client = tus(api)
    const { uploadUrl, uploadToken } = await client.resumable({ mimeType: 'video/mp4' })
    const meta = { filename: 'v.mp4', contentType: 'video/mp4', token: uploadToken }

    for (const headers of [{}, { 'Tus-Resumable': '0.2.2' }] as Record<string, string>[]) {
      const created = await client.create(uploadUrl, 1_000, meta, headers)
      expect(created.status).toBe(412)
      expect(created.headers.get('tus-version')).toBe('1.0.0')
      expect(await errorCode(created)).toBe('TUS_VERSION_UNSUPPORTED')
    }

    const created = await client.create(uploadUrl, 1_000, meta)
    expect(created.status).toBe(201)
    const location = created.headers.get('location')!
    const head = await fetch(location, { method: 'HEAD' })
    expect(head.status).toBe(412)
    expect(head.headers.get('tus-version')).toBe('1.0.0')
    const patch = await fetch(location, { method: 'PATCH', headers: { 'Content-Type': OFFSET_STREAM, 'Upload-Offset': '0' }, body: video(1_000) })
    expect(patch.status).toBe(412)
    expect(await client.offset(location)).toBe(0)
  })

  it('PATCH without the offset+octet-stream Content-Type is 415', async () => {
    const client = tus(api)
    const { location } = await client.start(1_000)
    const wrong = await fetch(location, { method: 'PATCH', headers: { ...TUS, 'Content-Type': 'video/mp4', 'Upload-Offset': '0' }, body: video(1_000) })
    expect(wrong.status).toBe(415)
    expect(await errorCode(wrong)).toBe('UNSUPPORTED_MEDIA_TYPE')
    expect(await client.offset(location)).toBe(0)
  })

  it('finalizing before every byte arrived is 409; finalizing after is 200', async () => {
    const client = tus(api)
    const bytes = video(20_000)
    const { uploadUrl, uploadToken, location } = await client.start(bytes.length, 'early.mp4')

    const none = await client.finalize(uploadUrl, uploadToken, 'early.mp4')
    expect(none.status).toBe(409)
    expect(await errorCode(none)).toBe('UPLOAD_INCOMPLETE')

    await client.patch(location, 0, bytes.subarray(0, 19_999))
    const almost = await client.finalize(uploadUrl, uploadToken, 'early.mp4')
    expect(almost.status).toBe(409)
    expect(await errorCode(almost)).toBe('UPLOAD_INCOMPLETE')
    expect(api.emulator.files().some((file) => file.displayName === 'early.mp4')).toBe(false)

    await client.patch(location, 19_999, bytes.subarray(19_999))
    const done = await client.finalize(uploadUrl, uploadToken, 'early.mp4')
    expect(done.status).toBe(200)
    const { file } = (await done.json()) as { file: FileDescriptor }
    expect(await api.emulator.readFile(file.id)).toEqual(bytes)
  })

  it('refuses a creation whose token metadata is absent, tampered, garbage or a plain upload token (401)', async () => {
    const client = tus(api)
    const { uploadUrl, uploadToken } = await client.resumable({ mimeType: 'video/mp4' })
    const plain = await api.call<{ uploadUrl: string }>('POST', '/files/generate-upload-url', { mimeType: 'video/mp4' })
    const plainToken = plain.body.uploadUrl.split('/').pop()!
    const [header, payload, signature] = uploadToken.split('.') as [string, string, string]
    const tampered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`

    const cases: Record<string, string>[] = [
      { filename: 'a.mp4', contentType: 'video/mp4' },
      { filename: 'a.mp4', contentType: 'video/mp4', token: tampered },
      { filename: 'a.mp4', contentType: 'video/mp4', token: 'garbage' },
      { filename: 'a.mp4', contentType: 'video/mp4', token: plainToken },
    ]
    for (const meta of cases) {
      const refused = await client.create(uploadUrl, 1_000, meta)
      expect(refused.status).toBe(401)
      expect(await errorCode(refused)).toBe('INVALID_UPLOAD_TOKEN')
    }
    // The resumable token itself was not spent by those attempts.
    expect((await client.create(uploadUrl, 1_000, { filename: 'a.mp4', contentType: 'video/mp4', token: uploadToken })).status).toBe(201)
  })

  it('a token creates one upload: a second creation is 409, and after finalize the token is spent', async () => {
    const client = tus(api)
    const bytes = video(5_000)
    const { uploadUrl, uploadToken, location } = await client.start(bytes.length, 'single.mp4')
    const meta = { filename: 'single.mp4', contentType: 'video/mp4', token: uploadToken }

    const again = await client.create(uploadUrl, bytes.length, meta)
    expect(again.status).toBe(409)
    expect(await errorCode(again)).toBe('UPLOAD_URL_ALREADY_USED')

    await client.patch(location, 0, bytes)
    expect((await client.finalize(uploadUrl, uploadToken)).status).toBe(200)

    const afterwards = await client.create(uploadUrl, bytes.length, meta)
    expect(afterwards.status).toBe(409)
    expect(await errorCode(afterwards)).toBe('UPLOAD_URL_ALREADY_USED')
    const refinalized = await client.finalize(uploadUrl, uploadToken)
    expect(refinalized.status).toBe(409)
    expect(await errorCode(refinalized)).toBe('UPLOAD_URL_ALREADY_USED')
    expect(api.emulator.files().filter((file) => file.displayName === 'single.mp4')).toHaveLength(1)
  })

  it('refuses a PATCH that goes beyond Upload-Length and keeps the offset', async () => {
    const client = tus(api)
    const bytes = video(100)
    const { uploadUrl, uploadToken, location } = await client.start(bytes.length, 'bounded.mp4')

    const tooMuch = await client.patch(location, 0, Buffer.concat([bytes, Buffer.alloc(50, 1)]))
    expect(tooMuch.status).toBe(400)
    expect(((await tooMuch.json()) as WireError).details.validationError?.fieldViolations[0]?.ruleName).toBe('FILE_SIZE_OVER_LIMIT')
    expect(await client.offset(location)).toBe(0)

    expect((await client.patch(location, 0, bytes.subarray(0, 60))).status).toBe(204)
    const over = await client.patch(location, 60, Buffer.alloc(41, 2))
    expect(over.status).toBe(400)
    expect(await client.offset(location)).toBe(60)

    expect((await client.patch(location, 60, bytes.subarray(60))).status).toBe(204)
    expect((await client.finalize(uploadUrl, uploadToken)).status).toBe(200)
  })

  it('refuses a creation without Upload-Length, with zero length, or of a mismatched type', async () => {
    const client = tus(api)
    const { uploadUrl, uploadToken } = await client.resumable({ mimeType: 'video/mp4' })
    const meta = { filename: 'x.mp4', contentType: 'video/mp4', token: uploadToken }
    const rule = async (response: Response) => ((await response.json()) as WireError).details.validationError?.fieldViolations[0]?.ruleName

    const missing = await client.create(uploadUrl, undefined, meta)
    expect(missing.status).toBe(400)
    expect(await rule(missing)).toBe('UPLOAD_LENGTH_REQUIRED')
    const zero = await client.create(uploadUrl, 0, meta)
    expect(zero.status).toBe(400)
    expect(await rule(zero)).toBe('ZERO_FILE_SIZE')
    const image = await client.create(uploadUrl, 1_000, { ...meta, filename: 'x.png', contentType: 'image/png' })
    expect(image.status).toBe(400)
    expect(await rule(image)).toBe('MISMATCH_MIME_TYPE')
  })

  it('DELETE terminates an upload; its URL is then 404 and the token may start again', async () => {
    const client = tus(api)
    const bytes = png(8, 8)
    const { uploadUrl, uploadToken, location } = await client.start(bytes.length, 'gone.png', 'image/png')
    const deleted = await fetch(location, { method: 'DELETE', headers: TUS })
    expect(deleted.status).toBe(204)
    const head = await fetch(location, { method: 'HEAD', headers: TUS })
    expect(head.status).toBe(404)
    expect((await client.patch(location, 0, bytes)).status).toBe(404)

    const restarted = await client.create(uploadUrl, bytes.length, { filename: 'gone.png', contentType: 'image/png', token: uploadToken })
    expect(restarted.status).toBe(201)
  })
})

describe('TUS uploads abandoned by their client', () => {
  it('are dropped with their bytes once their token expires (on the next creation)', async () => {
    const { mkdtemp, readdir, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { startEmulator } = await import('../../src/emulator/index.ts')
    const { apiFor } = await import('../support/emulator.ts')
    const dataDir = await mkdtemp(join(tmpdir(), 'wix-media-tus-evict-'))
    const emulator = await startEmulator({ seed: 5, dataDir, resumableUploadTtlMs: 300 })
    try {
      const client = tus(apiFor(emulator))
      const abandoned = await client.start(2 * MiB)
      expect((await client.patch(abandoned.location, 0, randomBytes(MiB))).status).toBe(204)
      const temp = async () => (await readdir(join(dataDir, 'blobs'))).filter((name) => name.startsWith('.upload-'))
      expect(await temp()).toHaveLength(1)

      await sleep(350)
      await client.start(1024)
      expect(await temp()).toEqual([]) // the abandoned bytes are gone (the new upload has none yet)
      expect((await fetch(abandoned.location, { method: 'HEAD', headers: TUS })).status).toBe(404)
    } finally {
      await emulator.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
