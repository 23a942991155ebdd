/**
 * What the emulator's REST tests share: the wire shapes of answers, id patterns, and helpers that
 * upload, wait, page through lists and serve bytes for imports, over real HTTP on 127.0.0.1.
 */
import { createHash } from 'node:crypto'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect } from 'vitest'
import type { FileDescriptor, Folder, OperationStatus, PagingMetadata, WireError } from '../../src/client/wire.ts'
import type { Api, ApiAnswer } from '../support/emulator.ts'

export interface FileAnswer { file: FileDescriptor }
export interface FilesAnswer { files: FileDescriptor[] }
export interface FilesPage { files: FileDescriptor[]; nextCursor: PagingMetadata }
export interface FolderAnswer { folder: Folder }
export interface FoldersPage { folders: Folder[]; nextCursor: PagingMetadata }
export interface UploadUrlAnswer { uploadUrl: string }
export interface ResumableAnswer { uploadProtocol: string; uploadUrl: string; uploadToken: string }

export const BASE_ID = '[0-9a-f]{6}_[0-9a-f]{32}'
export const IMAGE_ID = new RegExp(`^${BASE_ID}~mv2\\.(png|jpeg|gif|webp)$`)
export const VIDEO_ID = new RegExp(`^${BASE_ID}$`)
export const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/
export const REQUEST_ID = /^[0-9a-f]+\.[0-9a-f]{16}$/

export const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex')

/** Uploads and insists on a 200, returning the descriptor. */
export async function uploaded(
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
export function expectRule(answer: ApiAnswer<unknown>, ruleName: string, field?: string): void {
  expect(answer.status).toBe(400)
  const body = answer.body as WireError
  expect(typeof body.message).toBe('string')
  const violations = body.details.validationError?.fieldViolations ?? []
  expect(violations.map((v) => v.ruleName)).toEqual([ruleName])
  if (field !== undefined) expect(violations[0]!.field).toBe(field)
}

/** A Wix application error with this status and code. */
export function expectAppError(answer: ApiAnswer<unknown>, status: number, code: string): void {
  expect(answer.status).toBe(status)
  const body = answer.body as WireError
  expect(typeof body.message).toBe('string')
  expect(body.message.length).toBeGreaterThan(0)
  expect(body.details.applicationError?.code).toBe(code)
}

export async function createFolder(api: Api, displayName: string, parentFolderId?: string): Promise<Folder> {
  const answer = await api.call<FolderAnswer>('POST', '/folders', { displayName, ...(parentFolderId && { parentFolderId }) })
  expect(answer.status).toBe(200)
  return answer.body.folder
}

export async function getFile(api: Api, fileId: string): Promise<ApiAnswer<FileAnswer | WireError>> {
  return api.call<FileAnswer | WireError>('GET', `/files/get-file-by-id?fileId=${encodeURIComponent(fileId)}`)
}

export async function waitForStatus(api: Api, fileId: string, wanted: OperationStatus, timeoutMs = 5_000): Promise<FileDescriptor> {
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

export function query(params: Record<string, string | readonly string[] | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue
    for (const item of typeof value === 'string' ? [value] : value) search.append(key, item)
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

/** Follows `nextCursor` from the first page to the last. */
export async function allPages(pageAt: (cursor: string | undefined) => Promise<ApiAnswer<FilesPage>>): Promise<FilesPage[]> {
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
export function listPages(api: Api, params: Record<string, string | readonly string[] | undefined>): Promise<FilesPage[]> {
  return allPages((cursor) => api.call<FilesPage>('GET', `/files${query({ ...params, 'paging.cursor': cursor })}`))
}

/** Every page of `POST /files/search` for this body. */
export function searchPages(api: Api, body: Record<string, unknown>, limit?: number): Promise<FilesPage[]> {
  return allPages((cursor) => api.call<FilesPage>('POST', '/files/search', {
    ...body,
    paging: { ...(limit !== undefined && { limit }), ...(cursor && { cursor }) },
  }))
}

export const names = (files: readonly FileDescriptor[]) => files.map((file) => file.displayName)
export const sortedNames = (files: readonly FileDescriptor[]) => names(files).sort()

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
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

export async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A local HTTP server for imports: `bytes` at each path, 404 elsewhere. */
export async function serveAssets(assets: Readonly<Record<string, Buffer>>): Promise<{ url: string; close(): Promise<void> }> {
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

export async function fetchBytes(url: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(url)
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) }
}
