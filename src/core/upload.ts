/**
 * Uploading one file: every attempt asks for a fresh upload URL and opens a fresh file stream;
 * large files take the resumable (TUS) way; when Wix refuses the MIME type, the documented
 * fallback (`application/octet-stream`, the extension in `filename`) is tried once.
 */
import type { LocalFile, MediaClient } from '../client/client.ts'
import type { FileDescriptor } from '../client/wire.ts'
import { isWixMediaError } from './errors.ts'
import { OCTET_STREAM } from './media-types.ts'

export interface UploadRequest {
  file: LocalFile
  /** The file's project-relative path, named when an attempt is retried. */
  projectPath?: string
  labels: string[]
  /** Managed folder path (`/unplugin-wix-media`); missing folders are created by Wix. */
  folder: string
  /** At or above this size, TUS. */
  resumableThreshold: number
  signal?: AbortSignal
}

/**
 * Asks the API for where to send the bytes (errors name Wix's rule), and returns the transfer to
 * that place (the upload host's errors may be a bare status: the contract promises no body there).
 */
async function uploadTarget(client: MediaClient, request: UploadRequest, mimeType: string): Promise<() => Promise<FileDescriptor>> {
  const { file, labels, folder, signal } = request
  const common = { mimeType, fileName: file.fileName, sizeInBytes: String(file.size), labels, filePath: folder }
  if (file.size >= request.resumableThreshold) {
    const target = await client.generateResumableUploadUrl(common, signal)
    return () => client.tusUpload(target, file, mimeType, signal)
  }
  const uploadUrl = await client.generateUploadUrl(common, signal)
  return () => client.putFile(uploadUrl, file, mimeType, signal)
}

/**
 * Whether Wix refused the file's MIME type, so that the octet-stream fallback applies: the API says
 * so by rule name; the upload host may refuse with a bare 400 or 415, which the fallback is then
 * tried for too (an answer it does not help comes back the same, and is reported).
 */
function refusedMimeType(error: unknown, byUploadHost: boolean): boolean {
  if (!isWixMediaError(error, 'WIX_MEDIA_VALIDATION')) return false
  return error.rule === 'MISMATCH_MIME_TYPE' || (byUploadHost && error.rule === undefined && (error.status === 400 || error.status === 415))
}

export async function uploadFile(client: MediaClient, request: UploadRequest): Promise<FileDescriptor> {
  let mimeType = request.file.mimeType
  const fallBack = (error: unknown, byUploadHost: boolean) => {
    if (mimeType === OCTET_STREAM || !refusedMimeType(error, byUploadHost)) throw error
    mimeType = OCTET_STREAM
  }
  // One attempt: a fresh target and a fresh stream; a refused MIME type, once more as octet-stream.
  return client.http.withRetries(async () => {
    for (;;) {
      let sending = false
      try {
        const send = await uploadTarget(client, request, mimeType)
        sending = true
        return await send()
      } catch (error) {
        fallBack(error, sending)
      }
    }
  }, request.signal, request.projectPath)
}
