/** Media ids in Wix's formats: image `<6>_<32 hex>~mv2.<ext>`, video `<6>_<32 hex>`, others `<6>_<32 hex>.<ext>`. */
import { createHash } from 'node:crypto'
import { extensionOfMime, type MediaType } from '../core/media-types.ts'
import type { Random } from './random.ts'

export function sitePrefix(siteId: string): string {
  return createHash('sha256').update(siteId).digest('hex').slice(0, 6)
}

/** `<6>_<32 hex>`: assigned when an upload URL is generated, before the type may be known. */
export function newBaseFileId(prefix: string, random: Random): string {
  return `${prefix}_${random.hex(32)}`
}

/**
 * A base id in Wix's format for the file's type. Wix names JPEG images `~mv2.jpeg` (its sample
 * answer), other types by their usual extension.
 */
export function formatFileId(baseId: string, type: { mime: string; mediaType: MediaType }): string {
  const { mime, mediaType } = type
  const extension = mime === 'image/jpeg' ? 'jpeg' : extensionOfMime(mime) ?? ''
  if (mediaType === 'VIDEO') return baseId
  if (mediaType === 'IMAGE') return `${baseId}~mv2.${extension || 'bin'}`
  return extension ? `${baseId}.${extension}` : baseId
}

export function newFolderId(random: Random): string {
  return random.hex(32)
}

/** Accepts a file id, a `wix:<kind>://v1/<id>/…` media URI, or a static media URL, and returns the id. */
export function fileIdFrom(value: string): string {
  const uri = /^wix:(?:image|video|audio|document|vector):\/\/v1\/([^/#?]+)/.exec(value)
  if (uri) return decodeURIComponent(uri[1]!)
  const url = /^https?:\/\/[^/]+\/(?:media|shapes|mp3|ugd|video)\/([^/?#]+)/.exec(value)
  if (url) return decodeURIComponent(url[1]!)
  return value
}
