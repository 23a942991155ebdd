/**
 * The emulator's REST surface over real HTTP on 127.0.0.1, checked against the wire contract in
 * wix-media-api.md: upload URLs, upload answers (FileDescriptor), the documented 400 rule names,
 * reads, list/search with paging and sorting, updates, deletes, imports, folders, auth and
 * robustness against bad requests.
 */
import { createHash } from 'node:crypto'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { FileDescriptor, Folder, OperationStatus, PagingMetadata, WireError } from '../../src/client/wire.ts'
import { useEmulator, type Api, type ApiAnswer } from '../support/emulator.ts'
import { gif, jpeg, mp3, mp4, pdf, png, svg, webp } from '../support/media.ts'

interface FileAnswer { file: FileDescriptor }
interface FilesAnswer { files: FileDescriptor[] }
interface FilesPage { files: FileDescriptor[]; nextCursor: PagingMetadata }
interface FolderAnswer { folder: Folder }
interface FoldersPage { folders: Folder[]; nextCursor: PagingMetadata }
interface UploadUrlAnswer { uploadUrl: string }
interface ResumableAnswer { uploadProtocol: string; uploadUrl: string; uploadToken: string }

const BASE_ID = '[0-9a-f]{6}_[0-9a-f]{32}'
const IMAGE_ID = new RegExp(`^${BASE_ID}~mv2\\.(png|jpeg|gif|webp)$`)
const VIDEO_ID = new RegExp(`^${BASE_ID}$`)
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/
const REQUEST_ID = /^[0-9a-f]+\.[0-9a-f]{16}$/

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex')

/** Uploads and insists on a 200, returning the descriptor. */
async function uploaded(
  api: Api,
  bytes: Buffer,
  request: Record<string, unknown>,
  put?: { contentType?: string; filename?: string },
): Promise<FileDescriptor> {
  const answer = await api.upload<FileAnswer | WireError>(bytes, request, put)
  if (answer.status !== 200) throw new Error(`upload answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return (answer.body as FileAnswer).file
}

/** A 400 whose only field violation carries `ruleName` (and, when given, `field`). */
function expectRule(answer: ApiAnswer<unknown>, ruleName: string, field?: string): void {
  expect(answer.status).toBe(400)
  const body = answer.body as WireError
  expect(typeof body.message).toBe('string')
  const violations = body.details.validationError?.fieldViolations ?? []
  expect(violations.map((v) => v.ruleName)).toEqual([ruleName])
  if (field !== undefined) expect(violations[0]!.field).toBe(field)
}

/** A Wix application error with this status and code. */
function expectAppError(answer: ApiAnswer<unknown>, status: number, code: string): void {
  expect(answer.status).toBe(status)
  const body = answer.body as WireError
  expect(typeof body.message).toBe('string')
  expect(body.message.length).toBeGreaterThan(0)
  expect(body.details.applicationError?.code).toBe(code)
}

async function createFolder(api: Api, displayName: string, parentFolderId?: string): Promise<Folder> {
  const answer = await api.call<FolderAnswer>('POST', '/folders', { displayName, ...(parentFolderId && { parentFolderId }) })
  expect(answer.status).toBe(200)
  return answer.body.folder
}

async function getFile(api: Api, fileId: string): Promise<ApiAnswer<FileAnswer | WireError>> {
  return api.call<FileAnswer | WireError>('GET', `/files/get-file-by-id?fileId=${encodeURIComponent(fileId)}`)
}

async function waitForStatus(api: Api, fileId: string, wanted: OperationStatus, timeoutMs = 5_000): Promise<FileDescriptor> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = await getFile(api, fileId)
    expect(answer.status).toBe(200)
    const file = (answer.body as FileAnswer).file
    if (file.operationStatus === wanted) return file
    if (Date.now() > deadline) throw new Error(`${fileId} is still ${file.operationStatus}, wanted ${wanted}`)
    await sleep(20)
  }
}

function query(params: Record<string, string | readonly string[] | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue
    for (const item of typeof value === 'string' ? [value] : value) search.append(key, item)
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

/** Follows `nextCursor` from the first page to the last. */
async function allPages(pageAt: (cursor: string | undefined) => Promise<ApiAnswer<FilesPage>>): Promise<FilesPage[]> {
  const pages: FilesPage[] = []
  let cursor: string | undefined
  do {
    const answer = await pageAt(cursor)
    expect(answer.status).toBe(200)
    pages.push(answer.body)
    cursor = answer.body.nextCursor.cursors.next
    if (pages.length > 50) throw new Error('paging does not end')
  } while (cursor)
  return pages
}

/** Every page of `GET /files` for these parameters. */
function listPages(api: Api, params: Record<string, string | readonly string[] | undefined>): Promise<FilesPage[]> {
  return allPages((cursor) => api.call<FilesPage>('GET', `/files${query({ ...params, 'paging.cursor': cursor })}`))
}

/** Every page of `POST /files/search` for this body. */
function searchPages(api: Api, body: Record<string, unknown>, limit?: number): Promise<FilesPage[]> {
  return allPages((cursor) => api.call<FilesPage>('POST', '/files/search', {
    ...body,
    paging: { ...(limit !== undefined && { limit }), ...(cursor && { cursor }) },
  }))
}

const names = (files: readonly FileDescriptor[]) => files.map((file) => file.displayName)
const sortedNames = (files: readonly FileDescriptor[]) => names(files).sort()

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length)
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++
      out[index] = await fn(items[index]!, index)
    }
  }))
  return out
}

async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A local HTTP server for imports: `bytes` at each path, 404 elsewhere. */
async function serveAssets(assets: Readonly<Record<string, Buffer>>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createHttpServer((req, res) => {
    const bytes = assets[req.url ?? '']
    res.writeHead(bytes ? 200 : 404, bytes ? { 'Content-Length': bytes.length } : {})
    res.end(bytes)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function fetchBytes(url: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(url)
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) }
}

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

  describe('reading files', () => {
    it('gets a file by id and by URL-encoded wix:image URI', async () => {
      const file = await uploaded(api, png(8, 6, 11), { mimeType: 'image/png', fileName: 'uri.png' })
      const byId = await getFile(api, file.id)
      expect(byId.status).toBe(200)
      expect((byId.body as FileAnswer).file).toEqual(file)
      const uri = `wix:image://v1/${file.id}/uri.png#originWidth=8&originHeight=6`
      const byUri = await getFile(api, uri)
      expect(byUri.status).toBe(200)
      expect((byUri.body as FileAnswer).file.id).toBe(file.id)

      const missing = await api.call<WireError>('GET', '/files/get-file-by-id')
      expect(missing.status).toBe(400)
      expect(missing.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['fileId', 'REQUIRED_FIELD']])
    })

    it('gets 1..100 files in the requested order; 0 or 101 ids is a 400', async () => {
      const files = await mapLimit([0, 1, 2], 3, (i) => uploaded(api, png(2, 2, 200 + i), { mimeType: 'image/png', fileName: `many-${i}.png` }))
      const ids = [files[2]!.id, files[0]!.id, files[1]!.id]
      const answer = await api.call<FilesAnswer>('POST', '/files/get-files', { fileIds: ids })
      expect(answer.status).toBe(200)
      expect(answer.body.files.map((file) => file.id)).toEqual(ids)
      expect(names(answer.body.files)).toEqual(['many-2.png', 'many-0.png', 'many-1.png'])

      const hundred = await api.call<FilesAnswer>('POST', '/files/get-files', { fileIds: Array.from({ length: 100 }, () => files[0]!.id) })
      expect(hundred.status).toBe(200)
      expect(hundred.body.files).toHaveLength(100)

      const none = await api.call<WireError>('POST', '/files/get-files', { fileIds: [] })
      expect(none.status).toBe(400)
      expect(none.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['fileIds', 'REQUIRED_FIELD']])

      const tooMany = await api.call<WireError>('POST', '/files/get-files', { fileIds: Array.from({ length: 101 }, () => files[0]!.id) })
      expect(tooMany.status).toBe(400)
      expect(tooMany.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['fileIds', 'MAX']])
    })

    it('lists the direct children of media-root by default', async () => {
      const sub = await createFolder(api, 'listing-sub')
      const atRoot = await uploaded(api, png(2, 2, 300), { mimeType: 'image/png', fileName: 'root-child.png' })
      const inSub = await uploaded(api, png(2, 2, 301), { mimeType: 'image/png', fileName: 'sub-child.png', parentFolderId: sub.id })
      expect(inSub.parentFolderId).toBe(sub.id)

      const listed = (await listPages(api, { 'paging.limit': '100' })).flatMap((page) => page.files)
      const expected = api.emulator.files().filter((file) => file.parentFolderId === 'media-root').map((file) => file.id).sort()
      expect(listed.map((file) => file.id).sort()).toEqual(expected)
      expect(listed.some((file) => file.id === atRoot.id)).toBe(true)
      expect(listed.some((file) => file.id === inSub.id)).toBe(false)
      expect(new Set(listed.map((file) => file.parentFolderId))).toEqual(new Set(['media-root']))

      const subList = await api.call<FilesPage>('GET', `/files?parentFolderId=${sub.id}`)
      expect(subList.status).toBe(200)
      expect(subList.body.files.map((file) => file.id)).toEqual([inSub.id])
      expect(subList.body.nextCursor).toEqual({ cursors: {} })

      expectAppError(await api.call('GET', '/files?parentFolderId=nope'), 404, 'RESOURCE_NOT_FOUND')
    })

    it('filters a list by repeated mediaTypes keys and by private', async () => {
      const folder = await createFolder(api, 'filters')
      const at = { parentFolderId: folder.id }
      await uploaded(api, png(2, 2, 400), { ...at, mimeType: 'image/png', fileName: 'f.png' })
      await uploaded(api, svg(5, 5), { ...at, mimeType: 'image/svg+xml', fileName: 'f.svg' })
      await uploaded(api, mp3(64), { ...at, mimeType: 'audio/mpeg', fileName: 'f.mp3' })
      await uploaded(api, pdf('f'), { ...at, mimeType: 'application/pdf', fileName: 'f.pdf', private: true })

      const list = async (params: Record<string, string | readonly string[]>) =>
        sortedNames((await listPages(api, { parentFolderId: folder.id, ...params })).flatMap((page) => page.files))

      expect(await list({})).toEqual(['f.mp3', 'f.pdf', 'f.png', 'f.svg'])
      expect(await list({ mediaTypes: ['IMAGE', 'VECTOR'] })).toEqual(['f.png', 'f.svg'])
      expect(await list({ mediaTypes: 'AUDIO' })).toEqual(['f.mp3'])
      expect(await list({ mediaTypes: 'VIDEO' })).toEqual([])
      expect(await list({ private: 'true' })).toEqual(['f.pdf'])
      expect(await list({ private: 'false' })).toEqual(['f.mp3', 'f.png', 'f.svg'])
      expect(await list({ private: 'false', mediaTypes: ['DOCUMENT', 'AUDIO'] })).toEqual(['f.mp3'])

      const bad = await api.call<WireError>('GET', `/files${query({ parentFolderId: folder.id, mediaTypes: 'PICTURE' })}`)
      expect(bad.status).toBe(400)
      expect(bad.body.details.validationError?.fieldViolations.map((v) => v.field)).toEqual(['mediaTypes'])
    })
  })

  describe('changing files', () => {
    it('updates labels (replacing the array), displayName and folder; unknown id is 404', async () => {
      const target = await createFolder(api, 'update-target')
      const file = await uploaded(api, png(2, 2, 500), { mimeType: 'image/png', fileName: 'before.png', labels: ['a', 'b', 'c'] })

      const relabelled = await api.call<FileAnswer>('PATCH', '/files/update-file-descriptor', { file: { id: file.id, labels: ['z'] } })
      expect(relabelled.status).toBe(200)
      expect(relabelled.body.file.labels).toEqual(['z'])
      expect(relabelled.body.file.displayName).toBe('before.png')
      expect(Date.parse(relabelled.body.file.updatedDate)).toBeGreaterThan(Date.parse(file.updatedDate))
      expect(relabelled.body.file.createdDate).toBe(file.createdDate)

      const renamed = await api.call<FileAnswer>('PATCH', '/files/update-file-descriptor', {
        file: { id: file.id, displayName: 'after.png', parentFolderId: target.id },
      })
      expect(renamed.status).toBe(200)
      expect(renamed.body.file.displayName).toBe('after.png')
      expect(renamed.body.file.parentFolderId).toBe(target.id)
      expect(renamed.body.file.labels).toEqual(['z'])
      expect(renamed.body.file.hash).toBe(file.hash)

      const stored = (await getFile(api, file.id)).body as FileAnswer
      expect([stored.file.displayName, stored.file.parentFolderId, stored.file.labels]).toEqual(['after.png', target.id, ['z']])
      const inTarget = await api.call<FilesPage>('GET', `/files?parentFolderId=${target.id}`)
      expect(inTarget.body.files.map((f) => f.id)).toEqual([file.id])

      const cleared = await api.call<FileAnswer>('PATCH', '/files/update-file-descriptor', { file: { id: file.id, labels: [] } })
      expect(cleared.body.file.labels).toEqual([])

      expectAppError(await api.call('PATCH', '/files/update-file-descriptor', { file: { id: 'abcdef_nope', displayName: 'x' } }), 404, 'RESOURCE_NOT_FOUND')
      expectAppError(await api.call('PATCH', '/files/update-file-descriptor', { file: { id: file.id, parentFolderId: 'no-folder' } }), 404, 'RESOURCE_NOT_FOUND')
    })

    it('moves files to the trash by default, and removes them with permanent: true', async () => {
      const trashed = await uploaded(api, png(2, 2, 600), { mimeType: 'image/png', fileName: 'trash-me.png' })
      const gone = await uploaded(api, png(2, 2, 601), { mimeType: 'image/png', fileName: 'remove-me.png' })

      const soft = await api.call('POST', '/bulk/files/delete', { fileIds: [trashed.id] })
      expect(soft.status).toBe(200)
      expect(soft.body).toEqual({})
      const inTrash = (await getFile(api, trashed.id)).body as FileAnswer
      expect(inTrash.file.parentFolderId).toBe('trash-root')
      const rootIds = (await listPages(api, { 'paging.limit': '100' })).flatMap((page) => page.files).map((file) => file.id)
      expect(rootIds).not.toContain(trashed.id)
      expect(rootIds).toContain(gone.id)
      const trashList = await api.call<FilesPage>('GET', '/files?parentFolderId=trash-root')
      expect(trashList.body.files.map((file) => file.id)).toContain(trashed.id)

      const hard = await api.call('POST', '/bulk/files/delete', { fileIds: [gone.id], permanent: true })
      expect(hard.status).toBe(200)
      expect(hard.body).toEqual({})
      expectRule(await getFile(api, gone.id), 'RESOURCE_NOT_FOUND')
      expect((await fetchBytes(gone.url)).status).toBe(404)
      expect(api.emulator.files().some((file) => file.id === gone.id)).toBe(false)

      expectAppError(await api.call('POST', '/bulk/files/delete', { fileIds: [gone.id] }), 404, 'RESOURCE_NOT_FOUND')
    })
  })

  describe('import', () => {
    it('answers PENDING with an empty hash, then fetches the URL and becomes READY', async () => {
      const bytes = png(9, 7, 700)
      const assets = await serveAssets({ '/assets/imported.png': bytes })
      try {
        const answer = await api.call<FileAnswer>('POST', '/files/import', { url: `${assets.url}/assets/imported.png`, labels: ['imp'] })
        expect(answer.status).toBe(200)
        const pending = answer.body.file
        expect(pending.operationStatus).toBe('PENDING')
        expect(pending.hash).toBe('')
        expect(pending.id).toMatch(IMAGE_ID)
        expect(pending.id.endsWith('~mv2.png')).toBe(true)
        expect(pending.displayName).toBe('imported.png')
        expect(pending.mediaType).toBe('IMAGE')
        expect(pending.labels).toEqual(['imp'])
        expect(pending.parentFolderId).toBe('media-root')

        const ready = await waitForStatus(api, pending.id, 'READY')
        expect(ready.hash).toBe(md5(bytes))
        expect(ready.sizeInBytes).toBe(String(bytes.length))
        expect([ready.media.image?.image.width, ready.media.image?.image.height]).toEqual([9, 7])
        expect((await fetchBytes(ready.url)).bytes.equals(bytes)).toBe(true)

        const notThere = await api.call<FileAnswer>('POST', '/files/import', { url: `${assets.url}/assets/missing.png` })
        expect(notThere.status).toBe(200)
        const failed = await waitForStatus(api, notThere.body.file.id, 'FAILED')
        expect(failed.hash).toBe('')
      } finally {
        await assets.close()
      }
    })

    it('ends FAILED when the URL cannot be reached', async () => {
      const port = await freePort()
      const answer = await api.call<FileAnswer>('POST', '/files/import', { url: `http://127.0.0.1:${port}/x.png` })
      expect(answer.status).toBe(200)
      expect(answer.body.file.operationStatus).toBe('PENDING')
      const failed = await waitForStatus(api, answer.body.file.id, 'FAILED')
      expect(failed.hash).toBe('')
      expect((await fetchBytes(failed.url)).status).toBe(404)
    })

    it('refuses a URL that is not http(s)', async () => {
      const answer = await api.call<WireError>('POST', '/files/import', { url: 'ftp://example.com/a.png' })
      expect(answer.status).toBe(400)
      expect(answer.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['url', 'FORMAT']])
    })
  })

  describe('folders', () => {
    it('creates folders and lists them by parent', async () => {
      const parent = await createFolder(api, 'Parent Folder')
      expect(parent.id).toMatch(/^[0-9a-f]{32}$/)
      expect(parent.displayName).toBe('Parent Folder')
      expect(parent.parentFolderId).toBe('media-root')
      expect(parent.state).toBe('OK')
      expect(new Date(parent.createdDate).toISOString()).toBe(parent.createdDate)

      const childA = await createFolder(api, 'child-a', parent.id)
      const childB = await createFolder(api, 'child-b', parent.id)
      expect(childA.parentFolderId).toBe(parent.id)

      const children = await api.call<FoldersPage>('GET', `/folders${query({ parentFolderId: parent.id, 'sort.fieldName': 'displayName' })}`)
      expect(children.status).toBe(200)
      expect(children.body.folders.map((folder) => folder.id)).toEqual([childA.id, childB.id])
      expect(children.body.nextCursor).toEqual({ cursors: {} })

      const desc = await api.call<FoldersPage>('GET', `/folders${query({ parentFolderId: parent.id, 'sort.fieldName': 'displayName', 'sort.order': 'DESC' })}`)
      expect(desc.body.folders.map((folder) => folder.displayName)).toEqual(['child-b', 'child-a'])

      const top = await api.call<FoldersPage>('GET', '/folders?paging.limit=100')
      expect(top.body.folders.map((folder) => folder.id)).toContain(parent.id)
      expect(top.body.folders.map((folder) => folder.id)).not.toContain(childA.id)

      const noName = await api.call<WireError>('POST', '/folders', { parentFolderId: parent.id })
      expect(noName.status).toBe(400)
      expect(noName.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['displayName', 'REQUIRED_FIELD']])
      expectAppError(await api.call('POST', '/folders', { displayName: 'x', parentFolderId: 'nowhere' }), 404, 'RESOURCE_NOT_FOUND')
    })
  })

  describe('authentication', () => {
    const raw = (path: string, headers: Record<string, string>, init: RequestInit = {}) =>
      fetch(`${api.emulator.url}/site-media/v1${path}`, { ...init, headers })
    const answerOf = async (response: Response): Promise<ApiAnswer<WireError>> =>
      ({ status: response.status, headers: response.headers, body: await response.json() as WireError })

    it('answers 401 without Authorization and with a wrong key', async () => {
      const missing = await answerOf(await raw('/files', { 'wix-site-id': api.emulator.siteId }))
      expectAppError(missing, 401, 'UNAUTHENTICATED')
      const wrong = await answerOf(await raw('/files', { Authorization: 'not-the-key', 'wix-site-id': api.emulator.siteId }))
      expectAppError(wrong, 401, 'UNAUTHENTICATED')
      const bearer = await answerOf(await raw('/files', { Authorization: `Bearer ${api.emulator.apiKey}`, 'wix-site-id': api.emulator.siteId }))
      expectAppError(bearer, 401, 'UNAUTHENTICATED')
    })

    it('answers 401 without wix-site-id and 403 for another site', async () => {
      expectAppError(await answerOf(await raw('/files', { Authorization: api.emulator.apiKey })), 401, 'UNAUTHENTICATED')
      expectAppError(await answerOf(await raw('/files', { Authorization: api.emulator.apiKey, 'wix-site-id': 'other-site' })), 403, 'PERMISSION_DENIED')
    })

    it('lets a read-only key get, list and search, but not write (403)', async () => {
      const file = await uploaded(api, png(2, 2, 800), { mimeType: 'image/png', fileName: 'readable.png' })
      const asReader = { Authorization: 'R' }
      expect((await api.call('GET', '/files', undefined, asReader)).status).toBe(200)
      const got = await api.call<FileAnswer>('GET', `/files/get-file-by-id?fileId=${encodeURIComponent(file.id)}`, undefined, asReader)
      expect(got.status).toBe(200)
      expect(got.body.file.id).toBe(file.id)
      expect((await api.call('POST', '/files/get-files', { fileIds: [file.id] }, asReader)).status).toBe(200)
      expect((await api.call('POST', '/files/search', { search: 'readable' }, asReader)).status).toBe(200)
      expect((await api.call('GET', '/folders', undefined, asReader)).status).toBe(200)

      expectAppError(await api.call('POST', '/files/generate-upload-url', { mimeType: 'image/png' }, asReader), 403, 'PERMISSION_DENIED')
      expectAppError(await api.call('POST', '/files/generate-resumable-upload-url', { mimeType: 'image/png' }, asReader), 403, 'PERMISSION_DENIED')
      expectAppError(await api.call('PATCH', '/files/update-file-descriptor', { file: { id: file.id, displayName: 'x' } }, asReader), 403, 'PERMISSION_DENIED')
      expectAppError(await api.call('POST', '/bulk/files/delete', { fileIds: [file.id] }, asReader), 403, 'PERMISSION_DENIED')
      expectAppError(await api.call('POST', '/folders', { displayName: 'x' }, asReader), 403, 'PERMISSION_DENIED')
      expect(((await getFile(api, file.id)).body as FileAnswer).file.displayName).toBe('readable.png')
    })
  })

  describe('robustness', () => {
    it('answers bad requests in Wix shape, tags every answer with X-Wix-Request-Id, and keeps serving', async () => {
      const answers: ApiAnswer<unknown>[] = []
      const keep = <T>(answer: ApiAnswer<T>) => (answers.push(answer), answer)

      const malformed = keep(await api.call<WireError>('POST', '/files/generate-upload-url', '{"mimeType": "image/png"'))
      expect(malformed.status).toBe(400)
      expect(malformed.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['body', 'FORMAT']])
      expect(malformed.body.message.startsWith('body: is not valid JSON')).toBe(true)

      const array = keep(await api.call<WireError>('POST', '/files/generate-upload-url', '[{"mimeType":"image/png"}]'))
      expect(array.status).toBe(400)
      expect(array.body.details.validationError?.fieldViolations).toEqual([
        { field: 'body', description: 'must be a JSON object', violatedRule: 'FORMAT', data: {} },
      ])
      const scalar = keep(await api.call<WireError>('POST', '/files/search', '42'))
      expect(scalar.status).toBe(400)
      expect(scalar.body.details.validationError?.fieldViolations.map((v) => v.description)).toEqual(['must be a JSON object'])

      const listWrong = keep(await api.call<WireError>('DELETE', '/files'))
      expectAppError(listWrong, 405, 'METHOD_NOT_ALLOWED')
      expect(listWrong.headers.get('allow')).toBe('GET')
      const generateWrong = keep(await api.call<WireError>('GET', '/files/generate-upload-url'))
      expectAppError(generateWrong, 405, 'METHOD_NOT_ALLOWED')
      expect(generateWrong.headers.get('allow')).toBe('POST')
      const foldersWrong = keep(await api.call<WireError>('PUT', '/folders', {}))
      expectAppError(foldersWrong, 405, 'METHOD_NOT_ALLOWED')
      expect(foldersWrong.headers.get('allow')).toBe('POST, GET')

      const unknown = keep(await api.call<WireError>('GET', '/no/such/path'))
      expectAppError(unknown, 404, 'NOT_FOUND')
      const unknownUpload = await fetch(`${api.emulator.url}/upload/`, { method: 'PUT', body: 'x' })
      expect(unknownUpload.status).toBe(404)
      keep({ status: unknownUpload.status, headers: unknownUpload.headers, body: await unknownUpload.json() })

      const badToken = await fetch(`${api.emulator.url}/upload/aaaaaaaa.bbbbbbbb.cccccccc`, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: png(2, 2) })
      const badTokenAnswer = keep({ status: badToken.status, headers: badToken.headers, body: await badToken.json() as WireError })
      expectAppError(badTokenAnswer, 401, 'INVALID_UPLOAD_TOKEN')

      const unauthenticated = await fetch(`${api.emulator.url}/site-media/v1/files`)
      keep({ status: unauthenticated.status, headers: unauthenticated.headers, body: await unauthenticated.json() })
      expect(unauthenticated.status).toBe(401)

      const fine = keep(await api.call<FilesPage>('GET', '/files?paging.limit=1'))
      expect(fine.status).toBe(200)
      expect(fine.body.files).toHaveLength(1)

      const ids = answers.map((answer) => answer.headers.get('x-wix-request-id') ?? '')
      for (const id of ids) expect(id).toMatch(REQUEST_ID)
      expect(new Set(ids).size).toBe(ids.length)
      for (const answer of answers) expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8')

      const media = await fetch(fine.body.files[0]!.url)
      await media.arrayBuffer()
      expect(media.headers.get('x-wix-request-id')).toMatch(REQUEST_ID)
    })
  })
})

describe('search', () => {
  const api = useEmulator()

  it('matches free text against displayName, mimeType and labels, case-insensitively, and searches the trash apart', async () => {
    const sunset = await uploaded(api, png(4, 4, 1), { mimeType: 'image/png', fileName: 'Sunset Beach.png', labels: ['holiday'] })
    const report = await uploaded(api, pdf('report'), { mimeType: 'application/pdf', fileName: 'report.pdf', labels: ['Finance-2026'] })
    await uploaded(api, mp3(128), { mimeType: 'audio/mpeg', fileName: 'theme.mp3' })
    await uploaded(api, svg(10, 10), { mimeType: 'image/svg+xml', fileName: 'logo.svg', labels: ['brand'] })
    const folder = await createFolder(api, 'nested')
    await uploaded(api, png(4, 4, 2), { mimeType: 'image/png', fileName: 'deep-sunset.png', parentFolderId: folder.id })

    const search = async (body: Record<string, unknown>) => {
      const pages = await searchPages(api, body)
      return sortedNames(pages.flatMap((page) => page.files))
    }
    expect(await search({})).toEqual(['Sunset Beach.png', 'deep-sunset.png', 'logo.svg', 'report.pdf', 'theme.mp3'])
    expect(await search({ search: 'SUNSET' })).toEqual(['Sunset Beach.png', 'deep-sunset.png'])
    expect(await search({ search: 'beach' })).toEqual(['Sunset Beach.png'])
    expect(await search({ search: 'finance-2026' })).toEqual(['report.pdf'])
    expect(await search({ search: 'HOLIDAY' })).toEqual(['Sunset Beach.png'])
    expect(await search({ search: 'audio/mpeg' })).toEqual(['theme.mp3'])
    expect(await search({ search: 'image/' })).toEqual(['Sunset Beach.png', 'deep-sunset.png', 'logo.svg'])
    expect(await search({ search: 'svg+xml' })).toEqual(['logo.svg'])
    expect(await search({ search: 'nothing-like-this' })).toEqual([])
    expect(await search({ mediaTypes: ['VECTOR', 'DOCUMENT'] })).toEqual(['logo.svg', 'report.pdf'])
    expect(await search({ search: 'sunset', mediaTypes: ['IMAGE'] })).toEqual(['Sunset Beach.png', 'deep-sunset.png'])

    const empty = await api.call<FilesPage>('POST', '/files/search', { search: 'nothing-like-this' })
    expect(empty.body).toEqual({ files: [], nextCursor: { cursors: {} } })

    const tooLong = await api.call<WireError>('POST', '/files/search', { search: 'x'.repeat(201) })
    expect(tooLong.status).toBe(400)
    expect(tooLong.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['search', 'MAX_LENGTH']])
    const badRoot = await api.call<WireError>('POST', '/files/search', { rootFolder: 'SOMEWHERE' })
    expect(badRoot.status).toBe(400)

    expect((await api.call('POST', '/bulk/files/delete', { fileIds: [report.id, sunset.id] })).status).toBe(200)
    expect(await search({ search: 'finance' })).toEqual([])
    expect(await search({ search: 'sunset' })).toEqual(['deep-sunset.png'])
    expect(await search({ rootFolder: 'TRASH_ROOT' })).toEqual(['Sunset Beach.png', 'report.pdf'])
    expect(await search({ rootFolder: 'TRASH_ROOT', search: 'FINANCE' })).toEqual(['report.pdf'])
    expect(await search({ rootFolder: 'MEDIA_ROOT' })).toEqual(['deep-sunset.png', 'logo.svg', 'theme.mp3'])
  })
})

describe('paging and sorting across 250 files', () => {
  const api = useEmulator()
  const COUNT = 250
  let all: FileDescriptor[] = []
  let folderId = ''

  const sortedBy = (key: (file: FileDescriptor) => string | number, order: 'ASC' | 'DESC') => {
    const sign = order === 'ASC' ? 1 : -1
    return [...all].sort((a, b) => {
      const ka = key(a)
      const kb = key(b)
      return (ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign
    }).map((file) => file.id)
  }
  const ids = (pages: readonly FilesPage[]) => pages.flatMap((page) => page.files).map((file) => file.id)

  it('uploads 250 distinct files with bounded concurrency', async () => {
    folderId = (await createFolder(api, 'bulk')).id
    const indexes = Array.from({ length: COUNT }, (_, i) => i)
    all = await mapLimit(indexes, 16, (i) => uploaded(api, png(1 + (i % 7), 1 + (i % 3), i), {
      mimeType: 'image/png',
      fileName: `page-${String(i).padStart(3, '0')}.png`,
      parentFolderId: folderId,
      labels: ['bulk-page'],
    }))
    expect(new Set(all.map((file) => file.id)).size).toBe(COUNT)
    expect(new Set(all.map((file) => file.hash)).size).toBe(COUNT)
    expect(new Set(all.map((file) => file.sizeInBytes)).size).toBeGreaterThan(1)
  })

  it('lists in pages of 100, 100, 50 with no next cursor on the last page', async () => {
    const pages = await listPages(api, { parentFolderId: folderId, 'paging.limit': '100' })
    expect(pages.map((page) => page.files.length)).toEqual([100, 100, 50])
    expect(pages.map((page) => typeof page.nextCursor.cursors.next)).toEqual(['string', 'string', 'undefined'])
    expect(pages[2]!.nextCursor).toEqual({ cursors: {} })
    const seen = ids(pages)
    expect(new Set(seen).size).toBe(COUNT)
    expect([...seen].sort()).toEqual(all.map((file) => file.id).sort())
  })

  it('uses updatedDate DESC by default and 50 as the default page size', async () => {
    const pages = await listPages(api, { parentFolderId: folderId })
    expect(pages.map((page) => page.files.length)).toEqual([50, 50, 50, 50, 50])
    expect(ids(pages)).toEqual(sortedBy((file) => Date.parse(file.updatedDate), 'DESC'))
  })

  it('sorts by displayName ASC and DESC and by sizeInBytes across pages', async () => {
    const asc = await listPages(api, { parentFolderId: folderId, 'paging.limit': '100', 'sort.fieldName': 'displayName', 'sort.order': 'ASC' })
    expect(asc.flatMap((page) => names(page.files))).toEqual(Array.from({ length: COUNT }, (_, i) => `page-${String(i).padStart(3, '0')}.png`))
    const desc = await listPages(api, { parentFolderId: folderId, 'paging.limit': '100', 'sort.fieldName': 'displayName', 'sort.order': 'DESC' })
    expect(desc.flatMap((page) => names(page.files))).toEqual(Array.from({ length: COUNT }, (_, i) => `page-${String(COUNT - 1 - i).padStart(3, '0')}.png`))

    const bySize = await listPages(api, { parentFolderId: folderId, 'paging.limit': '100', 'sort.fieldName': 'sizeInBytes' })
    expect(bySize.map((page) => page.files.length)).toEqual([100, 100, 50])
    expect(ids(bySize)).toEqual(sortedBy((file) => Number(file.sizeInBytes), 'ASC'))
    const bySizeDesc = await listPages(api, { parentFolderId: folderId, 'paging.limit': '100', 'sort.fieldName': 'sizeInBytes', 'sort.order': 'DESC' })
    expect(ids(bySizeDesc)).toEqual(sortedBy((file) => Number(file.sizeInBytes), 'DESC'))
  })

  it('pages the same way through POST /files/search with paging in the body', async () => {
    const pages = await searchPages(api, { search: 'BULK-PAGE', sort: { fieldName: 'displayName', order: 'ASC' } }, 100)
    expect(pages.map((page) => page.files.length)).toEqual([100, 100, 50])
    expect(pages[2]!.nextCursor.cursors.next).toBeUndefined()
    const seen = pages.flatMap((page) => names(page.files))
    expect(new Set(seen).size).toBe(COUNT)
    expect(seen).toEqual([...seen].sort())

    const byDefault = await searchPages(api, { search: 'bulk-page' }, 100)
    expect(ids(byDefault)).toEqual(sortedBy((file) => Date.parse(file.updatedDate), 'DESC'))
  })

  it('refuses paging.limit over 100 and a cursor from another sort', async () => {
    const list = await api.call<WireError>('GET', `/files${query({ parentFolderId: folderId, 'paging.limit': '101' })}`)
    expect(list.status).toBe(400)
    expect(list.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['paging.limit', 'MAX']])
    const search = await api.call<WireError>('POST', '/files/search', { paging: { limit: 101 } })
    expect(search.status).toBe(400)
    expect(search.body.details.validationError?.fieldViolations.map((v) => [v.field, v.violatedRule])).toEqual([['paging.limit', 'MAX']])
    const zero = await api.call<WireError>('GET', `/files${query({ parentFolderId: folderId, 'paging.limit': '0' })}`)
    expect(zero.status).toBe(400)

    const first = await api.call<FilesPage>('GET', `/files${query({ parentFolderId: folderId, 'paging.limit': '10' })}`)
    const cursor = first.body.nextCursor.cursors.next!
    const mixed = await api.call<WireError>('GET', `/files${query({ parentFolderId: folderId, 'paging.cursor': cursor, 'sort.fieldName': 'displayName' })}`)
    expect(mixed.status).toBe(400)
    expect(mixed.body.details.validationError?.fieldViolations.map((v) => v.field)).toEqual(['paging.cursor'])
    const garbage = await api.call<WireError>('GET', `/files${query({ parentFolderId: folderId, 'paging.cursor': 'not-a-cursor' })}`)
    expect(garbage.status).toBe(400)
  })
})

describe('size limits and quota', () => {
  describe('maxFileSize', () => {
    const api = useEmulator({ maxFileSize: { IMAGE: 1000 } })

    it('FILE_SIZE_OVER_LIMIT for a declared size and for the bytes actually sent', async () => {
      expectRule(await api.call('POST', '/files/generate-upload-url', { mimeType: 'image/png', sizeInBytes: '1001' }), 'FILE_SIZE_OVER_LIMIT', 'sizeInBytes')
      expect((await api.call('POST', '/files/generate-upload-url', { mimeType: 'image/png', sizeInBytes: '1000' })).status).toBe(200)
      // Other media types keep their own limit.
      expect((await api.call('POST', '/files/generate-upload-url', { mimeType: 'application/pdf', sizeInBytes: '5000' })).status).toBe(200)

      const big = Buffer.concat([png(2, 2, 1), Buffer.alloc(1500, 1)])
      expectRule(await api.upload(big, { mimeType: 'image/png', fileName: 'big.png' }), 'FILE_SIZE_OVER_LIMIT', 'file')
      const small = await uploaded(api, png(2, 2, 2), { mimeType: 'image/png', fileName: 'small.png' })
      expect(small.operationStatus).toBe('READY')
      expect(api.emulator.files().map((file) => file.displayName)).toEqual(['small.png'])
    })
  })

  describe('quotaBytes', () => {
    const api = useEmulator({ quotaBytes: 1000 })

    it('SITE_QUOTA_EXCEEDED once the site is full, declared or not', async () => {
      const first = Buffer.concat([pdf('one'), Buffer.alloc(600 - pdf('one').length, 0x20)])
      expect(first.length).toBe(600)
      await uploaded(api, first, { mimeType: 'application/pdf', fileName: 'one.pdf', sizeInBytes: '600' })

      expectRule(await api.call('POST', '/files/generate-upload-url', { mimeType: 'application/pdf', sizeInBytes: '401' }), 'SITE_QUOTA_EXCEEDED', 'sizeInBytes')
      expect((await api.call('POST', '/files/generate-upload-url', { mimeType: 'application/pdf', sizeInBytes: '400' })).status).toBe(200)

      const second = Buffer.concat([pdf('two'), Buffer.alloc(500, 0x20)])
      expectRule(await api.upload(second, { mimeType: 'application/pdf', fileName: 'two.pdf' }), 'SITE_QUOTA_EXCEEDED', 'file')
      expect(api.emulator.files().map((file) => file.displayName)).toEqual(['one.pdf'])
    })
  })

  describe('quotaBytes and imports', () => {
    const api = useEmulator({ quotaBytes: 1000 })

    it('an import whose bytes do not fit ends FAILED; one into a full site is refused with SITE_QUOTA_EXCEEDED', async () => {
      const padded = (bytes: Buffer, size: number) => Buffer.concat([bytes, Buffer.alloc(size - bytes.length)])
      const first = padded(pdf('one'), 600)
      await uploaded(api, first, { mimeType: 'application/pdf', fileName: 'one.pdf' })
      const assets = await serveAssets({ '/big.png': padded(png(3, 3, 1), 401), '/fits.png': padded(png(3, 3, 2), 400) })
      try {
        const big = await api.call<FileAnswer>('POST', '/files/import', { url: `${assets.url}/big.png` })
        expect(big.status).toBe(200)
        const failed = await waitForStatus(api, big.body.file.id, 'FAILED')
        expect([failed.hash, failed.sizeInBytes]).toEqual(['', '0'])
        expect((await fetchBytes(failed.url)).status).toBe(404)

        const fits = await api.call<FileAnswer>('POST', '/files/import', { url: `${assets.url}/fits.png` })
        const ready = await waitForStatus(api, fits.body.file.id, 'READY')
        expect(ready.sizeInBytes).toBe('400')

        // The site is full now: the same refusal as an upload's, at once.
        expectRule(await api.call('POST', '/files/import', { url: `${assets.url}/fits.png` }), 'SITE_QUOTA_EXCEEDED', 'url')
        expectRule(await api.upload(pdf('three'), { mimeType: 'application/pdf', fileName: 'three.pdf' }), 'SITE_QUOTA_EXCEEDED', 'file')
        expect(api.emulator.files().map((file) => [file.displayName, file.operationStatus]).sort()).toEqual([
          ['big.png', 'FAILED'], ['fits.png', 'READY'], ['one.pdf', 'READY'],
        ])
      } finally {
        await assets.close()
      }
    })
  })
})

describe('oversized JSON', () => {
  const api = useEmulator({ maxJsonBodyBytes: 256 })

  it('answers 413 in Wix shape and keeps serving', async () => {
    const body = { mimeType: 'image/png', labels: Array.from({ length: 20 }, (_, i) => `label-number-${i}`) }
    expect(JSON.stringify(body).length).toBeGreaterThan(256)
    const answer = await api.call<WireError>('POST', '/files/generate-upload-url', body)
    expectAppError(answer, 413, 'PAYLOAD_TOO_LARGE')
    expect(answer.body.details.applicationError?.data).toEqual({ limit: 256 })
    expect(answer.headers.get('x-wix-request-id')).toMatch(REQUEST_ID)

    const small = await api.call<UploadUrlAnswer>('POST', '/files/generate-upload-url', { mimeType: 'image/png' })
    expect(small.status).toBe(200)
    expect(small.body.uploadUrl.startsWith(`${api.emulator.url}/upload/`)).toBe(true)
  })
})
