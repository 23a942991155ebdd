/**
 * `POST /files/import`: the file is answered at once as `PENDING` with an empty `hash`, and the
 * emulator fetches the URL in the background; a fetch that fails, or bytes that an upload would be
 * refused for (empty, over the size limit or the site quota), leave the file `FAILED`.
 */
import { mimeTypeOf } from '../../core/media-types.ts'
import { MEDIA_ROOT } from '../../client/wire.ts'
import type { EmulatorContext, Handler } from '../context.ts'
import { describeFile } from '../descriptor.ts'
import { optionalBoolean, optionalString, optionalStringArray, requiredString } from '../http/fields.ts'
import { formatFileId, newBaseFileId } from '../ids.ts'
import { imageDimensions } from '../inspect.ts'
import type { ImportOutcome } from '../store/media-store.ts'
import type { FileRecord } from '../store/records.ts'
import { notFound, validationError } from '../wix-errors.ts'
import { checkQuota, checkSize, resolveMediaType } from '../media-rules.ts'

const IMPORT_TIMEOUT_MS = 30_000

async function fetchInto(ctx: EmulatorContext, file: Readonly<FileRecord>, url: string): Promise<void> {
  const writer = ctx.blobs.writer()
  let outcome: ImportOutcome
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(IMPORT_TIMEOUT_MS) })
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
    for await (const chunk of response.body) await writer.write(Buffer.from(chunk))
    // The rules of an upload (empty file, size limit, site quota); a refusal ends the import FAILED.
    checkSize(ctx, file.mediaType, writer.size, 'file')
    await writer.commit(file.id)
    const visual = file.mediaType === 'IMAGE' || file.mediaType === 'VECTOR'
    outcome = {
      outcome: 'READY',
      size: writer.size,
      hash: writer.digest(),
      readyAt: Date.now() + ctx.options.processingMs[file.mediaType],
      ...(visual ? imageDimensions(writer.head()) : {}),
    }
  } catch {
    await writer.abort()
    outcome = { outcome: 'FAILED', readyAt: Date.now() }
  }
  ctx.store.settleImport(file.id, outcome)
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
  // The size is known only once the bytes are fetched, but a full site has no room for any file.
  checkQuota(ctx, 1, 'url')
  if (filePath) parentFolderId = ctx.store.ensureFolderPath(parentFolderId, filePath)
  const now = Date.now()
  const file: FileRecord = {
    id: formatFileId(newBaseFileId(ctx.idPrefix, ctx.random), type),
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
  return { body: { file: describeFile(ctx, file) } }
}
