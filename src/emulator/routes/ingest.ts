/**
 * What plain and resumable uploads share: receiving bytes (with transfer stats and the size limit)
 * and turning a finished upload into a stored file (type checks, sniffing, dimensions, processing).
 */
import { mediaTypeOfMime, normalizeMimeType, OCTET_STREAM, type MediaType } from '../../core/media-types.ts'
import type { EmulatorContext, RequestContext } from '../context.ts'
import { formatFileId } from '../ids.ts'
import { imageDimensions, sniffMediaType } from '../inspect.ts'
import type { BlobWriter } from '../store/blobs.ts'
import type { FileRecord, PendingUpload } from '../store/records.ts'
import { ruleViolation } from '../wix-errors.ts'
import { checkSize, resolveMediaType } from '../media-rules.ts'

/** The MIME and media type of an upload from its `Content-Type` and name, checked against what was declared. */
export function uploadType(upload: PendingUpload, contentType: string | undefined, fileName: string | undefined): { mime: string; mediaType: MediaType } {
  const name = upload.fileName ?? fileName
  const sent = normalizeMimeType(contentType ?? '')
  const resolved = resolveMediaType(sent === '' ? OCTET_STREAM : sent, name, 'Content-Type')
  const declared = upload.mimeType === OCTET_STREAM ? undefined : mediaTypeOfMime(upload.mimeType)
  if (declared && declared !== resolved.mediaType) {
    throw ruleViolation('Content-Type', 'MISMATCH_MIME_TYPE', `${resolved.mime} does not match the ${upload.mimeType} this upload URL was generated for`)
  }
  return resolved
}

/** Streams the request body into `writer`, refusing more than `limit` bytes. */
export async function receive(ctx: EmulatorContext, request: RequestContext, writer: BlobWriter, limit: number): Promise<void> {
  ctx.stats.uploadsInFlight++
  ctx.stats.maxUploadsInFlight = Math.max(ctx.stats.maxUploadsInFlight, ctx.stats.uploadsInFlight)
  try {
    for await (const chunk of request.body()) {
      if (writer.size + chunk.length > limit) {
        throw ruleViolation('file', 'FILE_SIZE_OVER_LIMIT', `The file is over the ${limit}-byte limit`, { limit })
      }
      await writer.write(chunk)
    }
  } finally {
    ctx.stats.uploadsInFlight--
  }
}

/** Checks the received bytes, stores them under the file's final id and records the file. */
export async function finishUpload(
  ctx: EmulatorContext,
  upload: PendingUpload,
  writer: BlobWriter,
  type: { mime: string; mediaType: MediaType },
  fileName: string | undefined,
): Promise<FileRecord> {
  try {
    checkSize(ctx, type.mediaType, writer.size, 'file')
    const head = writer.head()
    const sniffed = sniffMediaType(head)
    if (sniffed && sniffed !== type.mediaType && !(sniffed === 'VECTOR' && type.mediaType === 'DOCUMENT')) {
      throw ruleViolation('file', 'MISMATCH_MIME_TYPE', `The bytes are ${sniffed}, not the ${type.mime} that was declared`)
    }
    const now = Date.now()
    const name = (upload.fileName ?? fileName ?? upload.fileId).slice(0, 255)
    const id = formatFileId(upload.fileId, type)
    const dimensions = type.mediaType === 'IMAGE' || type.mediaType === 'VECTOR' ? imageDimensions(head) : undefined
    const info = { displayName: name, mimeType: type.mime, mediaType: type.mediaType, sizeInBytes: writer.size, labels: upload.labels }
    const file: FileRecord = {
      id,
      displayName: name,
      parentFolderId: upload.parentFolderId,
      mimeType: type.mime,
      mediaType: type.mediaType,
      size: writer.size,
      hash: writer.digest(),
      private: upload.private,
      labels: [...upload.labels],
      createdAt: now,
      updatedAt: now,
      readyAt: now + ctx.options.processingMs[type.mediaType],
      outcome: ctx.options.failProcessing(info) ? 'FAILED' : 'READY',
      ...dimensions,
      ...(upload.externalInfo && { externalInfo: upload.externalInfo }),
    }
    await writer.commit(id)
    ctx.store.addFile(file)
    ctx.store.spend(upload)
    return file
  } catch (error) {
    await writer.abort()
    throw error
  }
}
