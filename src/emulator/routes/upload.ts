/** `PUT <uploadUrl>[?filename=]`: the raw bytes of one file, authorized by the URL's token alone. */
import type { EmulatorContext, Handler } from '../context.ts'
import type { PendingUpload } from '../store/records.ts'
import { verifyUploadToken, type TokenKind } from '../tokens.ts'
import { applicationError } from '../wix-errors.ts'
import { describeFile } from '../descriptor.ts'
import { finishUpload, receive, uploadType } from './ingest.ts'

/** The pending upload a token authorizes: 401 when tampered or expired, 409 when already used. */
export function pendingUploadFor(ctx: EmulatorContext, token: string, kind: TokenKind): PendingUpload {
  const claims = verifyUploadToken(ctx.store.secret, token, kind)
  if (ctx.store.isSpent(claims.jti)) {
    throw applicationError(409, 'UPLOAD_URL_ALREADY_USED', 'This upload URL was already used; generate a new one for each upload')
  }
  const upload = ctx.store.pending.get(claims.jti)
  if (!upload) throw applicationError(401, 'INVALID_UPLOAD_TOKEN', 'The upload token is not valid; generate a new upload URL')
  return upload
}

export const uploadFile: Handler = async (ctx, request) => {
  const upload = pendingUploadFor(ctx, request.params.token!, 'upload')
  const fileName = request.url.searchParams.get('filename') ?? undefined
  const type = uploadType(upload, request.req.headers['content-type'], fileName)
  const writer = ctx.blobs.writer()
  try {
    await receive(ctx, request, writer, ctx.options.maxFileSize[type.mediaType])
  } catch (error) {
    await writer.abort()
    throw error
  }
  const file = await finishUpload(ctx, upload, writer, type, fileName)
  return { body: { file: describeFile(ctx, file) } }
}
