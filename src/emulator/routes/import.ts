/**
 * `POST /files/import`: the file is answered at once as `PENDING` with an empty `hash`, and the
 * emulator fetches the URL in the background; a fetch that fails leaves the file `FAILED`.
 */
import { extensionOfMime, mimeTypeOf } from '../../core/media-types.ts'
import { MEDIA_ROOT } from '../../client/wire.ts'
import type { EmulatorContext, Handler } from '../context.ts'
import { toFileDescriptor } from '../descriptor.ts'
import { optionalBoolean, optionalString, optionalStringArray, requiredString } from '../http/fields.ts'
import { formatFileId, newBaseFileId } from '../ids.ts'
import { imageDimensions } from '../inspect.ts'
import type { FileRecord } from '../store/records.ts'
import { notFound, validationError } from '../wix-errors.ts'
import { resolveMediaType } from '../media-rules.ts'

const IMPORT_TIMEOUT_MS = 30_000

async function fetchInto(ctx: EmulatorContext, file: FileRecord, url: string): Promise<void> {
  const writer = ctx.blobs.writer()
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(IMPORT_TIMEOUT_MS) })
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
    for await (const chunk of response.body) await writer.write(Buffer.from(chunk))
    if (writer.size === 0 || writer.size > ctx.options.maxFileSize[file.mediaType]) throw new Error('bad size')
    await writer.commit(file.id)
    file.size = writer.size
    file.hash = writer.digest()
    Object.assign(file, file.mediaType === 'IMAGE' || file.mediaType === 'VECTOR' ? imageDimensions(writer.head()) : {})
    file.outcome = 'READY'
  } catch {
    await writer.abort()
    file.outcome = 'FAILED'
  }
  file.readyAt = Date.now() + (file.outcome === 'READY' ? ctx.options.processingMs[file.mediaType] : 0)
  file.updatedAt = Date.now()
  ctx.store.changed()
}

export const importFile: Handler = async (ctx, request) => {
  const body = await request.json()
  const url = requiredString(body, 'url', 2000)
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw validationError({ field: 'url', description: 'must be an http(s) URL', violatedRule: 'FORMAT', data: {} })
  }
  const path = new URL(url).pathname
  const mimeType = optionalString(body, 'mimeType', 100) ?? mimeTypeOf(path) ?? 'application/octet-stream'
  const type = resolveMediaType(mimeType, path.split('/').pop())
  const displayName = (optionalString(body, 'displayName', 1000) ?? decodeURIComponent(path.split('/').pop() || 'imported')).slice(0, 255)
  let parentFolderId = optionalString(body, 'parentFolderId', 100) ?? MEDIA_ROOT
  if (!ctx.store.folderExists(parentFolderId)) throw notFound('Folder', parentFolderId)
  const filePath = optionalString(body, 'filePath', 100)
  if (filePath) parentFolderId = ctx.store.ensureFolderPath(parentFolderId, filePath)
  const now = Date.now()
  const extension = type.mime === 'image/jpeg' ? 'jpeg' : extensionOfMime(type.mime) ?? ''
  const file: FileRecord = {
    id: formatFileId(newBaseFileId(ctx.idPrefix, ctx.random), type.mediaType, extension),
    displayName,
    parentFolderId,
    mimeType: type.mime,
    mediaType: type.mediaType,
    size: 0,
    hash: '',
    private: optionalBoolean(body, 'private') ?? false,
    labels: optionalStringArray(body, 'labels', { maxItems: 50, maxLength: 200 }) ?? [],
    createdAt: now,
    updatedAt: now,
    readyAt: Number.MAX_SAFE_INTEGER,
    outcome: 'READY',
  }
  ctx.store.addFile(file)
  const work = fetchInto(ctx, file, url)
  ctx.background.add(work)
  void work.finally(() => ctx.background.delete(work))
  return { body: { file: toFileDescriptor(file, ctx.origin(), ctx.options.siteId) } }
}
