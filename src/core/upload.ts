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

async function attemptUpload(client: MediaClient, request: UploadRequest, mimeType: string): Promise<FileDescriptor> {
  const { file, labels, folder, signal } = request
  const common = { mimeType, fileName: file.fileName, sizeInBytes: String(file.size), labels, filePath: folder }
  if (file.size >= request.resumableThreshold) {
    const target = await client.generateResumableUploadUrl(common, signal)
    return client.tusUpload(target, file, mimeType, signal)
  }
  const uploadUrl = await client.generateUploadUrl(common, signal)
  return client.putFile(uploadUrl, file, mimeType, signal)
}

export async function uploadFile(client: MediaClient, request: UploadRequest): Promise<FileDescriptor> {
  let mimeType = request.file.mimeType
  return client.http.withRetries(async () => {
    try {
      return await attemptUpload(client, request, mimeType)
    } catch (error) {
      if (mimeType !== OCTET_STREAM && isWixMediaError(error, 'WIX_MEDIA_VALIDATION') && error.rule === 'MISMATCH_MIME_TYPE') {
        mimeType = OCTET_STREAM
        return attemptUpload(client, request, mimeType)
      }
      throw error
    }
  }, request.signal, request.projectPath)
}
