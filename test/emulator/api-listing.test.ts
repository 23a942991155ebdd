/**
 * The emulator's REST surface over real HTTP on 127.0.0.1, checked against the wire contract in
 * wix-media-api.md: search, and list paging and sorting across 250 files.
 */
import { describe, expect, it } from 'vitest'
import type { FileDescriptor, WireError } from '../../src/client/wire.ts'
import { useEmulator } from '../support/emulator.ts'
import { mp3, pdf, png, svg } from '../support/media.ts'
import { createFolder, listPages, mapLimit, names, query, searchPages, sortedNames, uploaded, type FilesPage } from './api-support.ts'

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
