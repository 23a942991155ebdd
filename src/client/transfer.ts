/**
 * Sending a file's bytes to an upload URL: a streamed PUT with the file's size as Content-Length,
 * so a 2 GB video costs no more memory than an icon. No Authorization: the URL's token is the
 * credential. Token-bearing URLs never reach an error message.
 */
import { request, type Dispatcher } from 'undici'
import { isWixMediaError } from '../core/errors.ts'
import { errorFromResponse, errorFromTransport } from './errors.ts'
import { asRequestBody, fileSource } from './file-body.ts'
import { readBody, requestIdOf } from './http.ts'
import { parseRetryAfter } from './retry.ts'
import type { FileDescriptor } from './wire.ts'

export interface LocalFile {
  /** Absolute path. */
  path: string
  size: number
  mimeType: string
  /** Name shown in the Media Manager. */
  fileName: string
}

export interface TransferSettings {
  dispatcher: Dispatcher
  /** Whether bodies may reuse their read buffers: only through the client's own `Agent` (file-body.ts). */
  reuseBuffers: boolean
  timeoutMs: number
  onRequest?: (call: { method: string; path: string }) => void
}

export async function putFile(
  settings: TransferSettings,
  uploadUrl: string,
  file: LocalFile,
  contentType: string,
  signal?: AbortSignal,
): Promise<FileDescriptor> {
  const url = new URL(uploadUrl)
  url.searchParams.set('filename', file.fileName)
  settings.onRequest?.({ method: 'PUT', path: '/upload/<token>' })
  const what = 'Uploading the file'
  let response: Dispatcher.ResponseData
  const chunks = fileSource(file.path, file.size, settings.reuseBuffers).range(0, file.size)
  try {
    response = await request(url, {
      method: 'PUT',
      headers: { 'content-type': contentType, 'content-length': String(file.size) },
      body: asRequestBody(chunks),
      dispatcher: settings.dispatcher,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      signal,
    })
  } catch (error) {
    if (signal?.aborted || isWixMediaError(error)) throw error
    throw errorFromTransport(what, error)
  } finally {
    // The request has settled: a body its writer gave up on mid-way must still close the file.
    chunks.return(undefined).catch(() => undefined)
  }
  let body: unknown
  try {
    body = await readBody(response.body)
  } catch (error) {
    throw errorFromTransport(what, error)
  }
  if (response.statusCode !== 200) {
    throw errorFromResponse(what, response.statusCode, body, requestIdOf(response.headers), parseRetryAfter(response.headers['retry-after']))
  }
  const descriptor = (body as { file?: FileDescriptor } | undefined)?.file
  if (!descriptor?.id) throw errorFromResponse(what, 502, { message: 'the answer has no file descriptor' }, requestIdOf(response.headers), undefined)
  return descriptor
}
