/**
 * The Wix Media Manager REST client on undici: the calls this project needs, each one paced and
 * retried. One instance per run; an injectable dispatcher instead of global state.
 */
import { Agent, type Dispatcher } from 'undici'
import { createHttp, type Http } from './http.ts'
import { createPacer } from './pacer.ts'
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type Setback } from './retry.ts'
import { putFile, type LocalFile } from './transfer.ts'
import { tusUpload } from './tus.ts'
import type {
  FileDescriptor, Folder, GenerateResumableUploadUrlRequest, GenerateResumableUploadUrlResponse, GenerateUploadUrlRequest,
  GenerateUploadUrlResponse, PagingMetadata,
} from './wire.ts'
import { MEDIA_ROOT } from './wire.ts'

export interface ClientOptions {
  /** @default 'https://www.wixapis.com' */
  apiBaseUrl: string
  apiKey: string | undefined
  siteId: string | undefined
  /** @default an `Agent` of this client's own: no global state, and only through it do uploads reuse their buffers (file-body.ts). */
  dispatcher?: Dispatcher
  /** ms without progress before a request is given up (headers and body). */
  timeoutMs: number
  retry?: RetryPolicy
  /** Cap on API calls per minute; unset: as fast as Wix allows, slowing down on 429. */
  requestsPerMinute?: number
  /** Bytes per TUS PATCH. */
  tusChunkSize?: number
  onRequest?: (call: { method: string; path: string }) => void
  /** Told of every retry (API calls, uploads, TUS chunks) and every cut in the pace of API calls. */
  onSetback?: (setback: Setback) => void
}

export type { LocalFile, Setback }

export interface MediaClient {
  /**
   * Not retried on its own: an upload attempt (a fresh URL, then the transfer) is what the engine
   * retries, so that retries do not multiply.
   */
  generateUploadUrl(request: GenerateUploadUrlRequest, signal?: AbortSignal): Promise<string>
  /** One PUT of the whole file to a fresh upload URL. */
  putFile(uploadUrl: string, file: LocalFile, contentType: string, signal?: AbortSignal): Promise<FileDescriptor>
  /** Not retried on its own, like {@link MediaClient.generateUploadUrl}. */
  generateResumableUploadUrl(request: GenerateResumableUploadUrlRequest, signal?: AbortSignal): Promise<GenerateResumableUploadUrlResponse>
  tusUpload(target: GenerateResumableUploadUrlResponse, file: LocalFile, contentType: string, signal?: AbortSignal): Promise<FileDescriptor>
  getFile(fileId: string, signal?: AbortSignal): Promise<FileDescriptor>
  /** Any number of ids, fetched 100 at a time. */
  getFiles(fileIds: readonly string[], signal?: AbortSignal): Promise<FileDescriptor[]>
  /** Every file directly in a folder, following cursors. */
  listAllFiles(parentFolderId: string, signal?: AbortSignal): AsyncGenerator<FileDescriptor>
  searchFiles(search: string, signal?: AbortSignal): AsyncGenerator<FileDescriptor>
  listFolders(parentFolderId?: string, signal?: AbortSignal): AsyncGenerator<Folder>
  /** The folder at `/a/b` below the media root, or `undefined` when some part of it does not exist. */
  findFolder(path: string, signal?: AbortSignal): Promise<Folder | undefined>
  updateLabels(fileId: string, labels: readonly string[], signal?: AbortSignal): Promise<FileDescriptor>
  /** Moves files to the trash (or deletes them for good), 1000 at a time. */
  deleteFiles(fileIds: readonly string[], permanent?: boolean, signal?: AbortSignal): Promise<void>
  readonly http: Http
}

const PAGE = 100
/** Bytes per TUS PATCH: a round trip per chunk, so large ones; read straight from disk, so no memory cost. */
const DEFAULT_TUS_CHUNK = 32 * 1024 * 1024

export function createMediaClient(options: ClientOptions): MediaClient {
  const dispatcher = options.dispatcher ?? new Agent()
  const retry = options.retry ?? DEFAULT_RETRY_POLICY
  const http = createHttp({
    baseUrl: options.apiBaseUrl.replace(/\/+$/, ''),
    apiKey: options.apiKey,
    siteId: options.siteId,
    dispatcher,
    timeoutMs: options.timeoutMs,
    retry,
    pacer: createPacer(options.requestsPerMinute),
    onRequest: options.onRequest,
    onSetback: options.onSetback,
  })
  const transfer = { dispatcher, reuseBuffers: options.dispatcher === undefined, timeoutMs: options.timeoutMs, onRequest: options.onRequest }
  const tus = { ...transfer, chunkSize: options.tusChunkSize ?? DEFAULT_TUS_CHUNK, retry, onSetback: options.onSetback }

  async function* pages<T>(
    load: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: PagingMetadata }>,
  ): AsyncGenerator<T> {
    let cursor: string | undefined
    do {
      const page = await load(cursor)
      yield* page.items
      cursor = page.nextCursor?.cursors?.next
    } while (cursor)
  }

  const client: MediaClient = {
    http,
    async generateUploadUrl(request, signal) {
      const answer = await http.once<GenerateUploadUrlResponse>({
        what: 'Generating an upload URL', method: 'POST', path: '/files/generate-upload-url', body: request, signal,
      })
      return answer.uploadUrl
    },
    putFile: (uploadUrl, file, contentType, signal) => putFile(transfer, uploadUrl, file, contentType, signal),
    generateResumableUploadUrl: (request, signal) => http.once<GenerateResumableUploadUrlResponse>({
      what: 'Generating a resumable upload URL', method: 'POST', path: '/files/generate-resumable-upload-url',
      body: { ...request, uploadProtocol: 'TUS' }, signal,
    }),
    tusUpload: (target, file, contentType, signal) => tusUpload(tus, target, file, contentType, signal),
    async getFile(fileId, signal) {
      const answer = await http.api<{ file: FileDescriptor }>({
        what: `Reading file ${fileId}`, method: 'GET', path: '/files/get-file-by-id', query: { fileId }, signal,
      })
      return answer.file
    },
    async getFiles(fileIds, signal) {
      const out: FileDescriptor[] = []
      for (let i = 0; i < fileIds.length; i += PAGE) {
        const answer = await http.api<{ files: FileDescriptor[] }>({
          what: 'Reading files', method: 'POST', path: '/files/get-files', body: { fileIds: fileIds.slice(i, i + PAGE) }, signal,
        })
        out.push(...answer.files)
      }
      return out
    },
    listAllFiles: (parentFolderId, signal) => pages(async (cursor) => {
      const answer = await http.api<{ files: FileDescriptor[]; nextCursor?: PagingMetadata }>({
        what: 'Listing files', method: 'GET', path: '/files', signal,
        query: { parentFolderId, 'paging.limit': PAGE, 'paging.cursor': cursor },
      })
      return { items: answer.files, nextCursor: answer.nextCursor }
    }),
    searchFiles: (search, signal) => pages(async (cursor) => {
      const answer = await http.api<{ files: FileDescriptor[]; nextCursor?: PagingMetadata }>({
        what: 'Searching files', method: 'POST', path: '/files/search', signal,
        body: { search, rootFolder: 'MEDIA_ROOT', paging: { limit: PAGE, ...(cursor && { cursor }) } },
      })
      return { items: answer.files, nextCursor: answer.nextCursor }
    }),
    listFolders: (parentFolderId = MEDIA_ROOT, signal) => pages(async (cursor) => {
      const answer = await http.api<{ folders: Folder[]; nextCursor?: PagingMetadata }>({
        what: 'Listing folders', method: 'GET', path: '/folders', signal,
        query: { parentFolderId, 'paging.limit': PAGE, 'paging.cursor': cursor },
      })
      return { items: answer.folders, nextCursor: answer.nextCursor }
    }),
    async findFolder(path, signal) {
      let parent: Folder | undefined
      for (const name of path.split('/').filter(Boolean)) {
        let found: Folder | undefined
        for await (const folder of client.listFolders(parent?.id ?? MEDIA_ROOT, signal)) {
          if (folder.displayName === name) {
            found = folder
            break
          }
        }
        if (!found) return undefined
        parent = found
      }
      return parent
    },
    async updateLabels(fileId, labels, signal) {
      const answer = await http.api<{ file: FileDescriptor }>({
        what: `Updating the labels of ${fileId}`, method: 'PATCH', path: '/files/update-file-descriptor',
        body: { file: { id: fileId, labels } }, signal,
      })
      return answer.file
    },
    async deleteFiles(fileIds, permanent = false, signal) {
      for (let i = 0; i < fileIds.length; i += 1000) {
        await http.api({
          what: 'Deleting files', method: 'POST', path: '/bulk/files/delete',
          body: { fileIds: fileIds.slice(i, i + 1000), permanent }, signal,
        })
      }
    },
  }
  return client
}
