/** Turning the Media Manager's answer for an upload into the lockfile entry the build uses. */
import type { FileDescriptor } from '../client/wire.ts'
import type { LockEntry } from './lockfile.ts'
import { mediaUri } from './media-uri.ts'
import type { MediaType } from './media-types.ts'

/** The label every upload carries, so that a file can be found and re-adopted by its content. */
export const HASH_LABEL_PREFIX = 'unplugin-wix-media:sha256:'

export function hashLabel(hash: string): string {
  return `${HASH_LABEL_PREFIX}${hash}`
}

/** The content hash a file's labels say it has, if it is one of ours. */
export function hashFromLabels(labels: readonly string[] | undefined): string | undefined {
  const label = labels?.find((item) => item.startsWith(HASH_LABEL_PREFIX))
  const hash = label?.slice(HASH_LABEL_PREFIX.length)
  return hash && /^[0-9a-f]{64}$/.test(hash) ? hash : undefined
}

export function entryFromDescriptor(
  descriptor: FileDescriptor,
  local: { mimeType: string; mediaType: MediaType; size: number; fileName: string; paths: string[] },
): LockEntry {
  const image = descriptor.media?.image?.image ?? descriptor.media?.vector?.image
  const width = image?.width || undefined
  const height = image?.height || undefined
  const mediaType = descriptor.mediaType === 'UNKNOWN' ? local.mediaType : descriptor.mediaType
  return {
    id: descriptor.id,
    url: descriptor.url,
    uri: mediaUri({ id: descriptor.id, mediaType, width, height }, local.fileName),
    mediaType,
    mimeType: local.mimeType,
    size: local.size,
    ...(width !== undefined && { width }),
    ...(height !== undefined && { height }),
    paths: [...local.paths].sort(),
  }
}
