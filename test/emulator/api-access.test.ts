/**
 * The emulator's REST surface over real HTTP on 127.0.0.1, checked against the wire contract in
 * wix-media-api.md: authentication, and robustness against bad requests.
 */
import { describe, expect, it } from 'vitest'
import type { WireError } from '../../src/client/wire.ts'
import { useEmulator, type ApiAnswer } from '../support/emulator.ts'
import { png } from '../support/media.ts'
import { expectAppError, getFile, REQUEST_ID, uploaded, type FileAnswer, type FilesPage } from './api-support.ts'

describe('emulated Media Manager API', () => {
  const api = useEmulator({ apiKeys: { R: 'read' }, processingMs: { VIDEO: 150, AUDIO: 150 } })

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
