/**
 * Sending a file's bytes to an upload URL: a streamed PUT with the file's size as Content-Length,
 * so a 2 GB video costs no more memory than an icon. No Authorization: the URL's token is the
 * credential. Token-bearing URLs never reach an error message.
 */
import { request, type Dispatcher } from 'undici'
import { ChangedDuringUpload, isWixMediaError, type WixMediaError } from '../core/errors.ts'
import { sha256File } from '../core/hash.ts'
import { errorFromResponse, errorFromTransport } from './errors.ts'
import { asRequestBody, fileSource, type FileSource } from './file-body.ts'
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
  /**
   * The sha256 the file had when it was hashed: the upload checks that the bytes it sent have it,
   * and fails with {@link ChangedDuringUpload} otherwise.
   */
  sha256?: string
}

export interface TransferSettings {
  dispatcher: Dispatcher
  /** Whether bodies may reuse their read buffers: only through the client's own `Agent` (file-body.ts). */
  reuseBuffers: boolean
  timeoutMs: number
  onRequest?: (call: { method: string; path: string }) => void
}

export interface TransferRequest {
  method: 'POST' | 'PATCH' | 'HEAD' | 'PUT'
  headers?: Record<string, string>
  /** Closed once the request settles. */
  body?: AsyncGenerator<Buffer>
  signal?: AbortSignal | undefined
}

/**
 * One request to an upload URL (a PUT, or a step of a TUS upload): `what` names it in errors and
 * `label` in the request log, never the URL, which holds the token. An answer whose status is not
 * in `ok` is an error.
 */
export async function sendTransfer(
  settings: TransferSettings,
  what: string,
  label: string,
  url: string | URL,
  init: TransferRequest,
  ok: readonly number[],
): Promise<{ headers: Dispatcher.ResponseData['headers']; body: unknown }> {
  settings.onRequest?.({ method: init.method, path: label })
  let response: Dispatcher.ResponseData
  try {
    response = await request(url, {
      ...init,
      body: init.body && asRequestBody(init.body),
      dispatcher: settings.dispatcher,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    })
  } catch (error) {
    if (init.signal?.aborted || isWixMediaError(error)) throw error
    throw forUploadHost(errorFromTransport(what, error), url)
  } finally {
    // The request has settled: a body its writer gave up on mid-way must still close the file.
    init.body?.return(undefined).catch(() => undefined)
  }
  const body = await readBody(response.body).catch((error: unknown) => {
    throw errorFromTransport(what, error)
  })
  if (!ok.includes(response.statusCode)) {
    throw forUploadHost(errorFromResponse(what, response.statusCode, body, requestIdOf(response.headers), parseRetryAfter(response.headers['retry-after'])), url)
  }
  return { headers: response.headers, body }
}

/**
 * The upload host's errors with the hints that fit it: it takes no API key (the URL's token is the
 * credential) and is not at `apiBaseUrl`, so the API's hints would send the user the wrong way.
 */
function forUploadHost(error: WixMediaError, url: string | URL): WixMediaError {
  const host = new URL(url).origin
  const hint = error.code === 'WIX_MEDIA_AUTH' || error.code === 'WIX_MEDIA_PERMISSION'
    ? 'The upload host refused the upload URL\'s token (expired, or used already): run the sync again, which asks for fresh URLs'
    : error.code === 'WIX_MEDIA_NETWORK'
      ? `Check the network connection: the upload host ${host} (from the upload URL Wix gave) could not be reached`
      : undefined
  return hint ? error.withHint(hint) : error
}

/** The file descriptor an upload's last answer carries. */
export function descriptorOf(answer: { headers: Dispatcher.ResponseData['headers']; body: unknown }, what: string): FileDescriptor {
  const descriptor = (answer.body as { file?: FileDescriptor } | undefined)?.file
  if (!descriptor?.id) throw errorFromResponse(what, 502, { message: 'the answer has no file descriptor' }, requestIdOf(answer.headers), undefined)
  return descriptor
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
  const what = 'Uploading the file'
  const source = fileSource(file.path, file.size, settings.reuseBuffers)
  const answer = await sendTransfer(settings, what, '/upload/<token>', url, {
    method: 'PUT',
    headers: { 'content-type': contentType, 'content-length': String(file.size) },
    body: source.range(0, file.size),
    signal,
  }, [200])
  const uploaded = descriptorOf(answer, what)
  await checkSent(file, source, uploaded)
  return uploaded
}

/**
 * Fails a finished upload whose bytes were not the ones `file.sha256` names: the file changed after
 * it was hashed. When the source cannot tell what it sent (a resume that went back to the middle of
 * a chunk), the file is hashed again: unchanged from hashing to the end of the upload, it was sent
 * as it was hashed.
 */
export async function checkSent(file: LocalFile, source: FileSource, uploaded: FileDescriptor): Promise<void> {
  if (file.sha256 === undefined) return
  const sent = source.sentDigest()
  if (sent === file.sha256) return
  if (sent === undefined && await sha256File(file.path, file.size).catch(() => undefined) === file.sha256) return
  throw new ChangedDuringUpload(uploaded, sent)
}
