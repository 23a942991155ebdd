/**
 * The emulator's REST surface over real HTTP on 127.0.0.1, checked against the wire contract in
 * wix-media-api.md: reading, changing and importing files, and folders.
 */
import { describe, expect, it } from 'vitest'
import type { WireError } from '../../src/client/wire.ts'
import { useEmulator } from '../support/emulator.ts'
import { mp3, pdf, png, svg } from '../support/media.ts'
import { createFolder, expectAppError, expectRule, fetchBytes, freePort, getFile, IMAGE_ID, listPages, mapLimit, md5, names, query, serveAssets, sortedNames, uploaded, waitForStatus, type FileAnswer, type FilesAnswer, type FilesPage, type FoldersPage } from './api-support.ts'

describe('emulated Media Manager API', () => {
  const api = useEmulator({ apiKeys: { R: 'read' }, processingMs: { VIDEO: 150, AUDIO: 150 } })

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
})
