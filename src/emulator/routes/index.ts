/** Every route of the emulated Media Manager, with the access its API key needs. */
import { API_PREFIX } from '../../client/wire.ts'
import type { RouteDefinition } from '../http/router.ts'
import { deleteFiles, getFile, getFiles, listFiles, searchFiles, updateFile } from './files.ts'
import { createFolder, listFolders } from './folders.ts'
import { importFile } from './import.ts'
import { MEDIA_PREFIXES, serveMedia } from './media.ts'
import { tusCreate, tusDelete, tusFinalize, tusHead, tusOptions, tusPatch } from './tus.ts'
import { uploadFile } from './upload.ts'
import { generateResumableUploadUrl, generateUploadUrl } from './upload-urls.ts'

/**
 * Every route the emulator serves (the names in {@link ROUTES}, and `unknown` for a request that
 * matches none), as named in faults, latency and the request log.
 */
export type RouteName =
  | 'generateUploadUrl' | 'generateResumableUploadUrl' | 'upload'
  | 'tusOptions' | 'tusCreate' | 'tusHead' | 'tusPatch' | 'tusDelete' | 'tusFinalize'
  | 'getFile' | 'getFiles' | 'listFiles' | 'searchFiles' | 'updateFile' | 'deleteFiles' | 'importFile'
  | 'createFolder' | 'listFolders' | 'media' | 'unknown'

const api = (path: string) => `${API_PREFIX}${path}`

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'POST', path: api('/files/generate-upload-url'), name: 'generateUploadUrl', access: 'manage', handler: generateUploadUrl },
  { method: 'POST', path: api('/files/generate-resumable-upload-url'), name: 'generateResumableUploadUrl', access: 'manage', handler: generateResumableUploadUrl },
  { method: 'GET', path: api('/files/get-file-by-id'), name: 'getFile', access: 'read', handler: getFile },
  { method: 'POST', path: api('/files/get-files'), name: 'getFiles', access: 'read', handler: getFiles },
  { method: 'POST', path: api('/files/search'), name: 'searchFiles', access: 'read', handler: searchFiles },
  { method: 'PATCH', path: api('/files/update-file-descriptor'), name: 'updateFile', access: 'manage', handler: updateFile },
  { method: 'POST', path: api('/files/import'), name: 'importFile', access: 'manage', handler: importFile },
  { method: 'GET', path: api('/files'), name: 'listFiles', access: 'read', handler: listFiles },
  { method: 'POST', path: api('/bulk/files/delete'), name: 'deleteFiles', access: 'manage', handler: deleteFiles },
  { method: 'POST', path: api('/folders'), name: 'createFolder', access: 'manage', handler: createFolder },
  { method: 'GET', path: api('/folders'), name: 'listFolders', access: 'read', handler: listFolders },
  { method: 'OPTIONS', path: '/upload/tus', name: 'tusOptions', access: 'none', handler: tusOptions },
  { method: 'POST', path: '/upload/tus', name: 'tusCreate', access: 'none', handler: tusCreate },
  { method: 'HEAD', path: '/upload/tus/:ref', name: 'tusHead', access: 'none', handler: tusHead },
  { method: 'PATCH', path: '/upload/tus/:ref', name: 'tusPatch', access: 'none', handler: tusPatch },
  { method: 'DELETE', path: '/upload/tus/:ref', name: 'tusDelete', access: 'none', handler: tusDelete },
  { method: 'PUT', path: '/upload/tus/:ref', name: 'tusFinalize', access: 'none', handler: tusFinalize },
  { method: 'PUT', path: '/upload/:token', name: 'upload', access: 'none', handler: uploadFile },
  ...MEDIA_PREFIXES.map((prefix): RouteDefinition => (
    { method: 'GET', path: `/${prefix}/:rest*`, name: 'media', access: 'none', handler: serveMedia(prefix) }
  )),
]
