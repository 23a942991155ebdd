/** Turns stored records into the wire shapes Wix answers with, URLs on the emulator's origin. */
import type { FileDescriptor, FileMedia, Folder, OperationStatus } from '../client/wire.ts'
import type { MediaType } from '../core/media-types.ts'
import type { EmulatorContext } from './context.ts'
import type { FileRecord, FolderRecord } from './store/records.ts'

/** The static-URL path prefix Wix uses for each media type. */
export function mediaPathPrefix(mediaType: MediaType): string {
  switch (mediaType) {
    case 'IMAGE': return 'media'
    case 'VECTOR': return 'shapes'
    case 'VIDEO': return 'video'
    case 'AUDIO': return 'mp3'
    default: return 'ugd'
  }
}

function staticUrl(origin: string, file: Pick<FileRecord, 'id' | 'mediaType'>): string {
  const prefix = mediaPathPrefix(file.mediaType)
  return file.mediaType === 'VIDEO' ? `${origin}/${prefix}/${file.id}/file` : `${origin}/${prefix}/${file.id}`
}

export function operationStatus(file: FileRecord, now = Date.now()): OperationStatus {
  return now < file.readyAt ? 'PENDING' : file.outcome
}

function mediaOf(file: FileRecord, url: string): FileMedia {
  const filename = file.displayName
  const sizeInBytes = String(file.size)
  switch (file.mediaType) {
    case 'IMAGE':
    case 'VECTOR': {
      const image = { id: file.id, url, width: file.width ?? 0, height: file.height ?? 0, filename, sizeInBytes }
      return file.mediaType === 'IMAGE' ? { image: { image, faces: [] } } : { vector: { image } }
    }
    case 'VIDEO':
      return { video: { id: file.id, filename, resolutions: [{ url, format: file.mimeType.split('/')[1] ?? 'mp4' }] } }
    case 'AUDIO':
      return {
        audio: {
          id: file.id,
          assets: [{ id: file.id, url, filename }],
          format: file.mimeType.split('/')[1] ?? 'mpeg',
          sizeInBytes,
        },
      }
    case 'ARCHIVE':
      return { archive: { id: file.id, url, filename } }
    case 'MODEL3D':
      return { model3d: { id: file.id, url, filename } }
    default:
      return { document: { id: file.id, url, filename } }
  }
}

const iso = (ms: number) => new Date(ms).toISOString()

/** A stored file as the API answers with it, URLs on the emulator's origin. */
export function describeFile(ctx: Pick<EmulatorContext, 'origin' | 'options'>, file: FileRecord): FileDescriptor {
  return toFileDescriptor(file, ctx.origin(), ctx.options.siteId)
}

function toFileDescriptor(file: FileRecord, origin: string, siteId: string, now = Date.now()): FileDescriptor {
  const url = staticUrl(origin, file)
  const status = operationStatus(file, now)
  const visual = file.mediaType === 'IMAGE' || file.mediaType === 'VECTOR'
  return {
    id: file.id,
    displayName: file.displayName,
    url,
    parentFolderId: file.parentFolderId,
    hash: file.hash,
    sizeInBytes: String(file.size),
    private: file.private,
    mediaType: file.mediaType,
    media: mediaOf(file, url),
    operationStatus: status,
    thumbnailUrl: visual ? url : '',
    labels: [...file.labels],
    createdDate: iso(file.createdAt),
    updatedDate: iso(file.updatedAt),
    siteId,
    state: 'OK',
  }
}

export function toFolder(folder: FolderRecord): Folder {
  return {
    id: folder.id,
    displayName: folder.displayName,
    parentFolderId: folder.parentFolderId,
    createdDate: iso(folder.createdAt),
    updatedDate: iso(folder.updatedAt),
    state: 'OK',
  }
}
