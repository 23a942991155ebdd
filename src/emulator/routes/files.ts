/** Reading and changing file descriptors: get, get many, list, search, update, delete (import is in import.ts). */
import { MEDIA_ROOT, TRASH_ROOT, VISITOR_UPLOADS_ROOT } from '../../client/wire.ts'
import type { EmulatorContext, Handler } from '../context.ts'
import { describeFile } from '../descriptor.ts'
import { optionalBoolean, optionalObject, optionalString, optionalStringArray, requiredString } from '../http/fields.ts'
import { fileIdFrom } from '../ids.ts'
import { pageRequestFromQuery, paginate, type PageRequest } from '../paging.ts'
import type { SearchMatch } from '../options.ts'
import type { FileRecord } from '../store/records.ts'
import { notFound, requiredField, ruleViolation, validationError } from '../wix-errors.ts'

const MEDIA_TYPES = new Set(['IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'VECTOR', 'ARCHIVE', 'MODEL3D', 'OTHER'])

const FILE_SORT_FIELDS: Record<string, (file: FileRecord) => string | number> = {
  displayName: (file) => file.displayName,
  updatedDate: (file) => file.updatedAt,
  sizeInBytes: (file) => file.size,
}

function fileNotFound(field: string, id: string) {
  return ruleViolation(field, 'RESOURCE_NOT_FOUND', `File ${id} was not found`, { id })
}

function mediaTypeFilter(values: readonly string[] | undefined, field = 'mediaTypes'): Set<string> | undefined {
  if (!values || values.length === 0) return undefined
  const unknown = values.find((value) => !MEDIA_TYPES.has(value))
  if (unknown) throw validationError({ field, description: `${unknown} is not a media type`, violatedRule: 'FORMAT', data: {} })
  return new Set(values)
}

function privateFilter(value: string | boolean | null | undefined): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (value === true || value === 'true') return true
  if (value === false || value === 'false') return false
  throw validationError({ field: 'private', description: 'must be true or false', violatedRule: 'FORMAT', data: {} })
}

/** What list and search both filter on: `mediaTypes` (any of them) and `private`. */
function typeAndPrivacyFilter(mediaTypes: readonly string[] | undefined, isPrivate: string | boolean | null | undefined) {
  const types = mediaTypeFilter(mediaTypes)
  const privacy = privateFilter(isPrivate)
  return (file: FileRecord) => (!types || types.has(file.mediaType)) && (privacy === undefined || file.private === privacy)
}

function page(ctx: EmulatorContext, files: FileRecord[], request: PageRequest) {
  const { items, nextCursor } = paginate(files, FILE_SORT_FIELDS, 'updatedDate', request)
  return { body: { files: items.map((file) => describeFile(ctx, file)), nextCursor } }
}

export const getFile: Handler = async (ctx, { url }) => {
  const raw = url.searchParams.get('fileId')
  if (!raw) throw requiredField('fileId')
  const id = fileIdFrom(raw)
  const file = ctx.store.files.get(id)
  if (!file) throw fileNotFound('fileId', id)
  return { body: { file: describeFile(ctx, file) } }
}

export const getFiles: Handler = async (ctx, request) => {
  const body = await request.json()
  const ids = optionalStringArray(body, 'fileIds', { maxItems: 100 })
  if (!ids || ids.length === 0) throw requiredField('fileIds')
  const files = ids.map((raw) => {
    const file = ctx.store.files.get(fileIdFrom(raw))
    if (!file) throw fileNotFound('fileIds', raw)
    return describeFile(ctx, file)
  })
  return { body: { files } }
}

export const listFiles: Handler = async (ctx, { url }) => {
  const query = url.searchParams
  const parent = query.get('parentFolderId') || MEDIA_ROOT
  if (!ctx.store.folderExists(parent)) throw notFound('Folder', parent)
  const filter = typeAndPrivacyFilter(query.getAll('mediaTypes'), query.get('private'))
  const files = [...ctx.store.files.values()].filter((file) => file.parentFolderId === parent && filter(file))
  return page(ctx, files, pageRequestFromQuery(query))
}

/**
 * Free text matched case-insensitively against the display name, MIME type and labels, by the
 * emulator's `searchMatch` (the contract leaves Wix's rules unknown): a substring of one of them,
 * the start of one of their words, or the whole of one.
 */
function matchesText(file: FileRecord, text: string, match: SearchMatch): boolean {
  const needle = text.toLowerCase()
  const matches = {
    substring: (value: string) => value.includes(needle),
    'word-prefix': (value: string) => value.split(/[^\p{L}\p{N}]+/u).some((word) => word.startsWith(needle)) || value.startsWith(needle),
    exact: (value: string) => value === needle,
  }[match]
  return [file.displayName, file.mimeType, ...file.labels].some((value) => matches(value.toLowerCase()))
}

export const searchFiles: Handler = async (ctx, request) => {
  const body = await request.json()
  const text = optionalString(body, 'search', 200)
  const root = optionalString(body, 'rootFolder') ?? 'MEDIA_ROOT'
  const roots: Record<string, (file: FileRecord) => boolean> = {
    MEDIA_ROOT: (file) => file.parentFolderId !== TRASH_ROOT && file.parentFolderId !== VISITOR_UPLOADS_ROOT,
    TRASH_ROOT: (file) => file.parentFolderId === TRASH_ROOT,
    VISITOR_UPLOADS_ROOT: (file) => file.parentFolderId === VISITOR_UPLOADS_ROOT,
  }
  const inRoot = roots[root]
  if (!inRoot) throw validationError({ field: 'rootFolder', description: 'must be MEDIA_ROOT, TRASH_ROOT or VISITOR_UPLOADS_ROOT', violatedRule: 'FORMAT', data: {} })
  const filter = typeAndPrivacyFilter(optionalStringArray(body, 'mediaTypes'), optionalBoolean(body, 'private'))
  const sort = optionalObject(body, 'sort') ?? {}
  const paging = optionalObject(body, 'paging') ?? {}
  const files = [...ctx.store.files.values()].filter((file) => inRoot(file) && (!text || matchesText(file, text, ctx.options.searchMatch)) && filter(file))
  return page(ctx, files, {
    fieldName: optionalString(sort, 'fieldName', undefined, 'sort.fieldName'),
    order: optionalString(sort, 'order', undefined, 'sort.order'),
    limit: paging.limit as number | undefined,
    cursor: optionalString(paging, 'cursor', undefined, 'paging.cursor'),
  })
}

export const updateFile: Handler = async (ctx, request) => {
  const body = await request.json()
  const patch = optionalObject(body, 'file')
  if (!patch) throw requiredField('file')
  const id = requiredString(patch, 'id', undefined, 'file.id')
  const file = ctx.store.files.get(fileIdFrom(id))
  if (!file) throw notFound('File', id)
  const displayName = optionalString(patch, 'displayName', 255, 'file.displayName')
  const parentFolderId = optionalString(patch, 'parentFolderId', 100, 'file.parentFolderId')
  const labels = optionalStringArray(patch, 'labels', { maxItems: 50, maxLength: 200 })
  if (parentFolderId !== undefined && !ctx.store.folderExists(parentFolderId)) throw notFound('Folder', parentFolderId)
  const updated = ctx.store.updateFile(file.id, { displayName, parentFolderId, labels })!
  return { body: { file: describeFile(ctx, updated) } }
}

export const deleteFiles: Handler = async (ctx, request) => {
  const body = await request.json()
  const ids = optionalStringArray(body, 'fileIds', { maxItems: 1000 })
  if (!ids || ids.length === 0) throw requiredField('fileIds')
  const permanent = optionalBoolean(body, 'permanent') ?? false
  const fileIds = ids.map((raw) => {
    const id = fileIdFrom(raw)
    if (!ctx.store.files.has(id)) throw notFound('File', raw)
    return id
  })
  if (permanent) {
    ctx.store.deleteFiles(fileIds)
    for (const id of fileIds) await ctx.blobs.delete(id)
  } else {
    ctx.store.trashFiles(fileIds)
  }
  return { body: {} }
}
