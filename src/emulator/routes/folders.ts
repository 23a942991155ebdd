/** `POST /folders` and `GET /folders`. */
import { MEDIA_ROOT } from '../../client/wire.ts'
import type { Handler } from '../context.ts'
import { toFolder } from '../descriptor.ts'
import { optionalString, requiredString } from '../http/fields.ts'
import { pageRequestFromQuery, paginate } from '../paging.ts'
import type { FolderRecord } from '../store/records.ts'
import { notFound } from '../wix-errors.ts'

const FOLDER_SORT_FIELDS: Record<string, (folder: FolderRecord) => string | number> = {
  displayName: (folder) => folder.displayName,
  updatedDate: (folder) => folder.updatedAt,
}

export const createFolder: Handler = async (ctx, request) => {
  const body = await request.json()
  const displayName = requiredString(body, 'displayName', 200)
  const parentFolderId = optionalString(body, 'parentFolderId', 100) ?? MEDIA_ROOT
  if (!ctx.store.folderExists(parentFolderId)) throw notFound('Folder', parentFolderId)
  return { body: { folder: toFolder(ctx.store.createFolder(displayName, parentFolderId)) } }
}

export const listFolders: Handler = async (ctx, { url }) => {
  const query = url.searchParams
  const parent = query.get('parentFolderId') || MEDIA_ROOT
  if (!ctx.store.folderExists(parent)) throw notFound('Folder', parent)
  const folders = [...ctx.store.folders.values()].filter((folder) => folder.parentFolderId === parent)
  const { items, nextCursor } = paginate(folders, FOLDER_SORT_FIELDS, 'updatedDate', pageRequestFromQuery(query))
  return { body: { folders: items.map(toFolder), nextCursor } }
}
