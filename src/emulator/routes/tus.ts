/**
 * The resumable upload of contract section 2.2: a TUS 1.0.0 server (core protocol with the
 * creation, creation-with-upload and termination extensions) at `<origin>/upload/tus`, whose uploads
 * are authorized by the `token` metadata, then `PUT /upload/tus/<uploadToken>?filename=` to finish.
 * Bytes received before a dropped connection are kept, so a client resumes from the offset HEAD reports.
 */
import type { ServerResponse } from 'node:http'
import type { EmulatorContext, Handler, RequestContext, TusUpload } from '../context.ts'
import { describeFile } from '../descriptor.ts'
import { applicationError, ruleViolation } from '../wix-errors.ts'
import { finishUpload, receive, uploadType } from './ingest.ts'
import { checkSize } from '../media-rules.ts'
import { pendingUploadFor } from './upload.ts'

export const TUS_VERSION = '1.0.0'

const tusHeaders = { 'Tus-Resumable': TUS_VERSION, 'Cache-Control': 'no-store' }

function endEmpty(res: ServerResponse, status: number, headers: Record<string, string | number>): void {
  res.writeHead(status, { ...tusHeaders, ...headers })
  res.end()
}

function tusError(status: number, code: string, description: string) {
  return applicationError(status, code, description, {}, { 'Tus-Resumable': TUS_VERSION })
}

function requireVersion(request: RequestContext): void {
  const version = request.req.headers['tus-resumable']
  if (version !== TUS_VERSION) {
    throw applicationError(412, 'TUS_VERSION_UNSUPPORTED', `Tus-Resumable must be ${TUS_VERSION}`, {}, { 'Tus-Version': TUS_VERSION })
  }
}

/** `key base64,key2 base64` → `{ key: 'value' }`. */
function parseMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of (header ?? '').split(',')) {
    const [key, value = ''] = pair.trim().split(' ')
    if (key) out[key] = Buffer.from(value, 'base64').toString('utf8')
  }
  return out
}

function uploadFor(ctx: EmulatorContext, id: string): TusUpload {
  const upload = ctx.tusUploads.get(id)
  if (!upload || upload.expires <= Date.now()) throw tusError(404, 'RESOURCE_NOT_FOUND', 'No such resumable upload')
  return upload
}

async function appendBody(ctx: EmulatorContext, request: RequestContext, upload: TusUpload): Promise<void> {
  if (upload.busy) throw tusError(423, 'UPLOAD_LOCKED', 'Another PATCH is writing this upload')
  upload.busy = true
  try {
    await receive(ctx, request, upload.writer, upload.length)
  } finally {
    upload.busy = false
  }
}

export const tusOptions: Handler = async (_ctx, { res }) => {
  endEmpty(res, 204, {
    'Tus-Version': TUS_VERSION,
    'Tus-Extension': 'creation,creation-with-upload,termination',
  })
}

/** Drops uploads whose token expired (abandoned by their client), with their bytes. */
async function evictExpired(ctx: EmulatorContext): Promise<void> {
  const now = Date.now()
  for (const upload of [...ctx.tusUploads.values()]) {
    if (upload.expires > now || upload.busy) continue
    ctx.tusUploads.delete(upload.id)
    await upload.writer.abort()
  }
}

export const tusCreate: Handler = async (ctx, request) => {
  requireVersion(request)
  await evictExpired(ctx)
  const { req, res } = request
  const metadata = parseMetadata(req.headers['upload-metadata'] as string | undefined)
  if (!metadata.token) throw tusError(401, 'INVALID_UPLOAD_TOKEN', 'Upload-Metadata must carry the uploadToken as `token`')
  const pending = pendingUploadFor(ctx, metadata.token, 'resumable')
  if ([...ctx.tusUploads.values()].some((upload) => upload.jti === pending.jti)) {
    throw tusError(409, 'UPLOAD_URL_ALREADY_USED', 'An upload was already created with this token; resume it instead')
  }
  const length = Number(req.headers['upload-length'])
  if (!Number.isSafeInteger(length) || length < 0) {
    throw ruleViolation('Upload-Length', 'UPLOAD_LENGTH_REQUIRED', 'Upload-Length must be the size of the file in bytes')
  }
  const type = uploadType(pending, metadata.contentType, metadata.filename)
  checkSize(ctx, type.mediaType, length, 'Upload-Length')
  const upload: TusUpload = {
    id: ctx.random.hex(32),
    jti: pending.jti,
    length,
    writer: ctx.blobs.writer(),
    type,
    fileName: metadata.filename,
    busy: false,
    expires: pending.exp,
  }
  ctx.tusUploads.set(upload.id, upload)
  if (req.headers['content-type'] === 'application/offset+octet-stream') await appendBody(ctx, request, upload)
  endEmpty(res, 201, {
    Location: `${ctx.origin()}/upload/tus/${upload.id}`,
    'Upload-Offset': upload.writer.size,
  })
}

export const tusHead: Handler = async (ctx, request) => {
  requireVersion(request)
  const upload = uploadFor(ctx, request.params.ref!)
  endEmpty(request.res, 200, { 'Upload-Offset': upload.writer.size, 'Upload-Length': upload.length })
}

export const tusPatch: Handler = async (ctx, request) => {
  requireVersion(request)
  const { req, res } = request
  const upload = uploadFor(ctx, request.params.ref!)
  if (req.headers['content-type'] !== 'application/offset+octet-stream') {
    throw tusError(415, 'UNSUPPORTED_MEDIA_TYPE', 'PATCH needs Content-Type: application/offset+octet-stream')
  }
  const offset = Number(req.headers['upload-offset'])
  if (offset !== upload.writer.size) {
    throw tusError(409, 'OFFSET_MISMATCH', `Upload-Offset is ${upload.writer.size}; send HEAD to learn it and resume from there`)
  }
  await appendBody(ctx, request, upload)
  endEmpty(res, 204, { 'Upload-Offset': upload.writer.size })
}

export const tusDelete: Handler = async (ctx, request) => {
  requireVersion(request)
  const upload = uploadFor(ctx, request.params.ref!)
  ctx.tusUploads.delete(upload.id)
  await upload.writer.abort()
  endEmpty(request.res, 204, {})
}

/** `PUT /upload/tus/<uploadToken>?filename=`: the upload is complete; store it as a file. */
export const tusFinalize: Handler = async (ctx, request) => {
  const pending = pendingUploadFor(ctx, request.params.ref!, 'resumable')
  const upload = [...ctx.tusUploads.values()].find((candidate) => candidate.jti === pending.jti)
  if (!upload) throw applicationError(404, 'RESOURCE_NOT_FOUND', 'No resumable upload was created with this token')
  if (upload.writer.size !== upload.length || upload.busy) {
    throw applicationError(409, 'UPLOAD_INCOMPLETE', `Only ${upload.writer.size} of ${upload.length} bytes arrived; resume the upload before finishing it`)
  }
  for await (const _ of request.body()) { /* the finishing PUT has an empty body */ }
  ctx.tusUploads.delete(upload.id)
  const fileName = request.url.searchParams.get('filename') ?? upload.fileName
  const file = await finishUpload(ctx, pending, upload.writer, upload.type, fileName)
  return { body: { file: describeFile(ctx, file) } }
}
