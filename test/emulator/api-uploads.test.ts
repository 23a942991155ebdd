/**
 * The emulator's REST surface over real HTTP on 127.0.0.1, checked against the wire contract in
 * wix-media-api.md: upload URLs, upload answers (FileDescriptor) and the documented 400 rule names.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { WireError } from '../../src/client/wire.ts'
import { useEmulator } from '../support/emulator.ts'
import { gif, jpeg, mp3, mp4, pdf, png, svg, webp } from '../support/media.ts'
import { BASE_ID, expectAppError, expectRule, fetchBytes, getFile, IMAGE_ID, JWT, listPages, md5, searchPages, sortedNames, uploaded, VIDEO_ID, waitForStatus, type FoldersPage, type ResumableAnswer, type UploadUrlAnswer } from './api-support.ts'

describe('emulated Media Manager API', () => {
  const api = useEmulator({ apiKeys: { R: 'read' }, processingMs: { VIDEO: 150, AUDIO: 150 } })

  describe('generate-upload-url', () => {
    it('requires mimeType', async () => {
      const answer = await api.call<WireError>('POST', '/files/generate-upload-url', { fileName: 'a.png' })
      expect(answer.status).toBe(400)
      expect(answer.body.details.validationError?.fieldViolations).toEqual([
        { field: 'mimeType', description: 'mimeType is required', violatedRule: 'REQUIRED_FIELD', data: {} },
      ])
    })

    it('answers an upload URL on the emulator origin carrying a JWT', async () => {
      const answer = await api.call<UploadUrlAnswer>('POST', '/files/generate-upload-url', { mimeType: 'image/png' })
      expect(answer.status).toBe(200)
      expect(Object.keys(answer.body)).toEqual(['uploadUrl'])
      const prefix = `${api.emulator.url}/upload/`
      expect(answer.body.uploadUrl.startsWith(prefix)).toBe(true)
      expect(answer.body.uploadUrl.slice(prefix.length)).toMatch(JWT)
    })

    it('refuses more than 50 labels and labels over 200 characters', async () => {
      const many = await api.call<WireError>('POST', '/files/generate-upload-url', {
        mimeType: 'image/png', labels: Array.from({ length: 51 }, (_, i) => `l${i}`),
      })
      expect(many.status).toBe(400)
      expect(many.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['labels', 'MAX']])

      const fifty = await api.call<UploadUrlAnswer>('POST', '/files/generate-upload-url', {
        mimeType: 'image/png', labels: Array.from({ length: 50 }, (_, i) => `l${i}`),
      })
      expect(fifty.status).toBe(200)

      const long = await api.call<WireError>('POST', '/files/generate-upload-url', {
        mimeType: 'image/png', labels: ['ok', 'x'.repeat(201)],
      })
      expect(long.status).toBe(400)
      expect(long.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['labels[1]', 'MAX_LENGTH']])

      const exactly200 = await api.call<UploadUrlAnswer>('POST', '/files/generate-upload-url', { mimeType: 'image/png', labels: ['x'.repeat(200)] })
      expect(exactly200.status).toBe(200)
    })

    it('answers 404 for an unknown parentFolderId', async () => {
      const answer = await api.call<WireError>('POST', '/files/generate-upload-url', { mimeType: 'image/png', parentFolderId: 'no-such-folder' })
      expectAppError(answer, 404, 'RESOURCE_NOT_FOUND')
      expect(answer.body.details.applicationError?.data).toEqual({ id: 'no-such-folder' })
    })

    it('creates the missing folders of filePath and puts the file in the last one', async () => {
      const file = await uploaded(api, png(3, 3, 901), { mimeType: 'image/png', fileName: 'path.png', filePath: '/site-assets/2026' })

      const top = await api.call<FoldersPage>('GET', '/folders')
      expect(top.status).toBe(200)
      const siteAssets = top.body.folders.filter((folder) => folder.displayName === 'site-assets')
      expect(siteAssets).toHaveLength(1)
      expect(siteAssets[0]!.parentFolderId).toBe('media-root')

      const nested = await api.call<FoldersPage>('GET', `/folders?parentFolderId=${siteAssets[0]!.id}`)
      expect(nested.status).toBe(200)
      expect(nested.body.folders.map((folder) => [folder.displayName, folder.parentFolderId])).toEqual([['2026', siteAssets[0]!.id]])
      expect(nested.body.nextCursor.cursors.next).toBeUndefined()
      const year = nested.body.folders[0]!
      expect(file.parentFolderId).toBe(year.id)

      // The same path again reuses the folders instead of making twins.
      const again = await uploaded(api, png(3, 3, 902), { mimeType: 'image/png', fileName: 'path2.png', filePath: 'site-assets/2026/' })
      expect(again.parentFolderId).toBe(year.id)
      const topAfter = await api.call<FoldersPage>('GET', '/folders')
      expect(topAfter.body.folders.filter((folder) => folder.displayName === 'site-assets')).toHaveLength(1)

      const listed = await listPages(api, { parentFolderId: year.id })
      expect(sortedNames(listed.flatMap((page) => page.files))).toEqual(['path.png', 'path2.png'])
    })

    it('answers the resumable variant with TUS, the TUS endpoint and a token', async () => {
      const answer = await api.call<ResumableAnswer>('POST', '/files/generate-resumable-upload-url', { mimeType: 'video/mp4', fileName: 'big.mp4' })
      expect(answer.status).toBe(200)
      expect(Object.keys(answer.body).sort()).toEqual(['uploadProtocol', 'uploadToken', 'uploadUrl'])
      expect(answer.body.uploadProtocol).toBe('TUS')
      expect(answer.body.uploadUrl).toBe(`${api.emulator.url}/upload/tus`)
      expect(answer.body.uploadToken).toMatch(JWT)

      const missing = await api.call<WireError>('POST', '/files/generate-resumable-upload-url', {})
      expect(missing.status).toBe(400)
      expect(missing.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['mimeType', 'REQUIRED_FIELD']])
    })
  })

  describe('upload answers (FileDescriptor)', () => {
    const images = [
      { name: 'pic.png', mime: 'image/png', ext: 'png', bytes: png(37, 21, 1), width: 37, height: 21 },
      { name: 'pic.jpg', mime: 'image/jpeg', ext: 'jpeg', bytes: jpeg(640, 480), width: 640, height: 480 },
      { name: 'pic.gif', mime: 'image/gif', ext: 'gif', bytes: gif(12, 34), width: 12, height: 34 },
      { name: 'pic.webp', mime: 'image/webp', ext: 'webp', bytes: webp(300, 200), width: 300, height: 200 },
    ] as const

    for (const image of images) {
      it(`describes a ${image.mime} upload like Wix does`, async () => {
        const before = Date.now()
        const file = await uploaded(api, image.bytes, { mimeType: image.mime, fileName: image.name, labels: ['one', 'two'] })
        const after = Date.now()
        expect(file.id).toMatch(IMAGE_ID)
        expect(file.id.endsWith(`~mv2.${image.ext}`)).toBe(true)
        const url = `${api.emulator.url}/media/${file.id}`
        expect(file).toEqual({
          id: file.id,
          displayName: image.name,
          url,
          parentFolderId: 'media-root',
          hash: md5(image.bytes),
          sizeInBytes: String(image.bytes.length),
          private: false,
          mediaType: 'IMAGE',
          media: {
            image: {
              image: { id: file.id, url, width: image.width, height: image.height, filename: image.name, sizeInBytes: String(image.bytes.length) },
              faces: [],
            },
          },
          operationStatus: 'READY',
          thumbnailUrl: url,
          labels: ['one', 'two'],
          createdDate: file.createdDate,
          updatedDate: file.updatedDate,
          siteId: api.emulator.siteId,
          state: 'OK',
        })
        expect(file.hash).toMatch(/^[0-9a-f]{32}$/)
        expect(file.sizeInBytes).toMatch(/^\d+$/)
        for (const stamp of [file.createdDate, file.updatedDate]) {
          expect(new Date(stamp).toISOString()).toBe(stamp)
          expect(Date.parse(stamp)).toBeGreaterThanOrEqual(before)
          expect(Date.parse(stamp)).toBeLessThanOrEqual(after)
        }
        const served = await fetchBytes(file.url)
        expect(served.status).toBe(200)
        expect(served.bytes.equals(image.bytes)).toBe(true)
      })
    }

    it('files SVG as VECTOR with its size under media.vector.image and a /shapes/ URL', async () => {
      const bytes = svg(120, 45)
      const file = await uploaded(api, bytes, { mimeType: 'image/svg+xml', fileName: 'logo.svg' })
      expect(file.id).toMatch(new RegExp(`^${BASE_ID}\\.svg$`))
      const url = `${api.emulator.url}/shapes/${file.id}`
      expect(file.url).toBe(url)
      expect(file.mediaType).toBe('VECTOR')
      expect(file.media).toEqual({
        vector: { image: { id: file.id, url, width: 120, height: 45, filename: 'logo.svg', sizeInBytes: String(bytes.length) } },
      })
      expect(file.operationStatus).toBe('READY')
      expect((await fetchBytes(url)).bytes.equals(bytes)).toBe(true)
    })

    it('files MP4 as VIDEO with an id without extension, /video/<id>/file, and PENDING until processed', async () => {
      const bytes = mp4(512)
      const file = await uploaded(api, bytes, { mimeType: 'video/mp4', fileName: 'clip.mp4' })
      expect(file.id).toMatch(VIDEO_ID)
      const url = `${api.emulator.url}/video/${file.id}/file`
      expect(file.url).toBe(url)
      expect(file.mediaType).toBe('VIDEO')
      expect(file.sizeInBytes).toBe(String(bytes.length))
      expect(file.hash).toBe(md5(bytes))
      expect(file.media).toEqual({ video: { id: file.id, filename: 'clip.mp4', resolutions: [{ url, format: 'mp4' }] } })
      expect(file.thumbnailUrl).toBe('')
      expect(file.operationStatus).toBe('PENDING')
      expect((await fetchBytes(url)).status).toBe(404)
      const ready = await waitForStatus(api, file.id, 'READY')
      expect(ready.hash).toBe(md5(bytes))
      expect((await fetchBytes(url)).bytes.equals(bytes)).toBe(true)
    })

    it('files MP3 as AUDIO under /mp3/', async () => {
      const bytes = mp3(300)
      const file = await uploaded(api, bytes, { mimeType: 'audio/mpeg', fileName: 'song.mp3' })
      expect(file.id).toMatch(new RegExp(`^${BASE_ID}\\.mp3$`))
      const url = `${api.emulator.url}/mp3/${file.id}`
      expect(file.url).toBe(url)
      expect(file.mediaType).toBe('AUDIO')
      expect(file.media).toEqual({
        audio: { id: file.id, assets: [{ id: file.id, url, filename: 'song.mp3' }], format: 'mpeg', sizeInBytes: String(bytes.length) },
      })
      await waitForStatus(api, file.id, 'READY')
      expect((await fetchBytes(url)).bytes.equals(bytes)).toBe(true)
    })

    it('files PDF as DOCUMENT under /ugd/', async () => {
      const bytes = pdf('doc')
      const file = await uploaded(api, bytes, { mimeType: 'application/pdf', fileName: 'doc.pdf' })
      expect(file.id).toMatch(new RegExp(`^${BASE_ID}\\.pdf$`))
      const url = `${api.emulator.url}/ugd/${file.id}`
      expect(file.url).toBe(url)
      expect(file.mediaType).toBe('DOCUMENT')
      expect(file.media).toEqual({ document: { id: file.id, url, filename: 'doc.pdf' } })
      expect(file.operationStatus).toBe('READY')
      expect((await fetchBytes(url)).bytes.equals(bytes)).toBe(true)
    })

    it('takes the display name from ?filename= when the URL was generated without fileName', async () => {
      const file = await uploaded(api, png(2, 2, 77), { mimeType: 'image/png' }, { filename: 'from-query.png' })
      expect(file.displayName).toBe('from-query.png')
      expect(file.media.image?.image.filename).toBe('from-query.png')
    })

    it('refuses a second PUT to a spent upload URL with 409', async () => {
      const generated = await api.call<UploadUrlAnswer>('POST', '/files/generate-upload-url', { mimeType: 'image/png', fileName: 'once.png' })
      const put = () => fetch(generated.body.uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: png(2, 2, 5) })
      expect((await put()).status).toBe(200)
      const second = await put()
      expectAppError({ status: second.status, headers: second.headers, body: await second.json() }, 409, 'UPLOAD_URL_ALREADY_USED')
    })
  })

  describe('documented 400 rule names', () => {
    it('ZERO_FILE_SIZE for a declared size of "0" and for an empty PUT body', async () => {
      const declared = await api.call('POST', '/files/generate-upload-url', { mimeType: 'image/png', sizeInBytes: '0' })
      expectRule(declared, 'ZERO_FILE_SIZE', 'sizeInBytes')
      const empty = await api.upload(Buffer.alloc(0), { mimeType: 'image/png', fileName: 'empty.png' })
      expectRule(empty, 'ZERO_FILE_SIZE', 'file')
    })

    it('UNSUPPORTED_FILE_FORMAT for a MIME type the Media Manager does not host', async () => {
      const answer = await api.call('POST', '/files/generate-upload-url', { mimeType: 'application/x-msdownload', fileName: 'setup.exe' })
      expectRule(answer, 'UNSUPPORTED_FILE_FORMAT', 'mimeType')
    })

    it('MISMATCH_MIME_TYPE for a PUT Content-Type of another media type', async () => {
      const answer = await api.upload(png(2, 2, 3), { mimeType: 'image/png', fileName: 'mismatch.png' }, { contentType: 'video/mp4' })
      expectRule(answer, 'MISMATCH_MIME_TYPE', 'Content-Type')
    })

    it('MISMATCH_MIME_TYPE for bytes that sniff as another type (PDF bytes declared image/png)', async () => {
      const answer = await api.upload(pdf('not an image'), { mimeType: 'image/png', fileName: 'fake.png' })
      expectRule(answer, 'MISMATCH_MIME_TYPE', 'file')
      // Nothing was stored.
      expect(api.emulator.files().some((file) => file.displayName === 'fake.png')).toBe(false)
    })

    it('RESOURCE_NOT_FOUND (400) for get-file-by-id and get-files with an unknown id', async () => {
      const unknown = 'abcdef_00000000000000000000000000000000~mv2.png'
      expectRule(await getFile(api, unknown), 'RESOURCE_NOT_FOUND', 'fileId')
      expectRule(await api.call('POST', '/files/get-files', { fileIds: [unknown] }), 'RESOURCE_NOT_FOUND', 'fileIds')
    })
  })
})

describe('emulated Media Manager API, with the settings the contract leaves open', () => {
  const api = useEmulator({ hashAlgorithm: 'SHA1', searchMatch: 'word-prefix' })

  it('searchMatch \'word-prefix\': the text must start a word of the name, the MIME type or a label', async () => {
    await uploaded(api, png(2, 2, 4243), { mimeType: 'image/png', fileName: 'Summer-Beach.png', labels: ['holiday2026'] })
    const found = async (search: string) => sortedNames((await searchPages(api, { search })).flatMap((page) => page.files))
    expect(await found('beach')).toEqual(['Summer-Beach.png'])
    expect(await found('holi')).toEqual(['Summer-Beach.png'])
    expect(await found('png')).toEqual(['Summer-Beach.png'])
    // Inside a word: a substring match would find it, a word-prefix one does not.
    expect(await found('each')).toEqual([])
    expect(await found('mmer')).toEqual([])
  })

  it('hashAlgorithm: a file\'s `hash` is that digest of its bytes', async () => {
    const bytes = png(5, 5, 4242)
    const file = await uploaded(api, bytes, { mimeType: 'image/png', fileName: 'h.png' })
    expect(file.hash).toBe(createHash('sha1').update(bytes).digest('hex'))
  })
})
