/**
 * `POST /files/generate-upload-url` and `POST /files/generate-resumable-upload-url`: validate what the
 * client says about the file, assign its id, and hand out a signed, expiring, single-use token.
 */
import { mediaTypeOfMime, mimeTypeOf, normalizeMimeType, OCTET_STREAM } from '../../core/media-types.ts'
import { MEDIA_ROOT, type ExternalInfo } from '../../client/wire.ts'
import type { EmulatorContext, Handler } from '../context.ts'
import { newBaseFileId } from '../ids.ts'
import {
  optionalBoolean, optionalDecimal, optionalObject, optionalString, optionalStringArray, requiredString,
} from '../http/fields.ts'
import type { PendingUpload } from '../store/records.ts'
import { signUploadToken, type TokenKind } from '../tokens.ts'
import { checkSize, resolveMediaType } from '../media-rules.ts'
import { notFound, ruleViolation } from '../wix-errors.ts'

async function issue(ctx: EmulatorContext, body: Record<string, unknown>, kind: TokenKind): Promise<{ token: string; upload: PendingUpload }> {
  const mimeType = requiredString(body, 'mimeType', 100)
  const fileName = optionalString(body, 'fileName', 1000)
  const sizeInBytes = optionalDecimal(body, 'sizeInBytes')
  let parentFolderId = optionalString(body, 'parentFolderId', 100) ?? MEDIA_ROOT
  const isPrivate = optionalBoolean(body, 'private') ?? false
  const labels = optionalStringArray(body, 'labels', { maxItems: 50, maxLength: 200 }) ?? []
  const externalInfo = kind === 'upload' ? optionalObject(body, 'externalInfo') as ExternalInfo | undefined : undefined
  const filePath = optionalString(body, 'filePath', 100)

  const normalized = normalizeMimeType(mimeType)
  // The type is known now unless the client sends octet-stream without a name (decided at upload).
  const known = normalized === OCTET_STREAM && !fileName ? undefined : resolveMediaType(mimeType, fileName)
  if (known && fileName && normalized !== OCTET_STREAM) {
    const named = mimeTypeOf(fileName)
    const namedType = named ? mediaTypeOfMime(named) : undefined
    if (namedType && namedType !== known.mediaType) {
      throw ruleViolation('mimeType', 'MISMATCH_MIME_TYPE', `${known.mime} does not match the file name ${fileName}`)
    }
  }
  if (known && sizeInBytes !== undefined) checkSize(ctx, known.mediaType, sizeInBytes)
  if (!ctx.store.folderExists(parentFolderId)) throw notFound('Folder', parentFolderId)
  if (filePath) parentFolderId = ctx.store.ensureFolderPath(parentFolderId, filePath)

  const now = Date.now()
  const ttl = kind === 'upload' ? ctx.options.uploadUrlTtlMs : ctx.options.resumableUploadTtlMs
  const upload: PendingUpload = {
    jti: ctx.random.hex(24),
    kind,
    fileId: newBaseFileId(ctx.idPrefix, ctx.random),
    mimeType: known?.mime ?? OCTET_STREAM,
    ...(fileName !== undefined && { fileName }),
    ...(sizeInBytes !== undefined && { sizeInBytes }),
    parentFolderId,
    private: isPrivate,
    labels,
    ...(externalInfo && { externalInfo }),
    exp: now + ttl,
  }
  ctx.store.addPendingUpload(upload)
  const token = signUploadToken(ctx.store.secret, {
    jti: upload.jti, fid: upload.fileId, kind, site: ctx.options.siteId, iat: now, exp: upload.exp,
  })
  return { token, upload }
}

export const generateUploadUrl: Handler = async (ctx, request) => {
  const { token } = await issue(ctx, await request.json(), 'upload')
  return { body: { uploadUrl: `${ctx.origin()}/upload/${token}` } }
}

export const generateResumableUploadUrl: Handler = async (ctx, request) => {
  const body = await request.json()
  const protocol = optionalString(body, 'uploadProtocol')
  if (protocol !== undefined && protocol !== 'TUS') {
    throw ruleViolation('uploadProtocol', 'UNSUPPORTED_UPLOAD_PROTOCOL', 'Only TUS is supported')
  }
  const { token } = await issue(ctx, body, 'resumable')
  return { body: { uploadProtocol: 'TUS', uploadUrl: `${ctx.origin()}/upload/tus`, uploadToken: token } }
}
