/**
 * The Media Manager's rules for a file, shared by every way in (upload URLs, plain and resumable
 * uploads, imports): which formats it hosts, and the size limits and site quota.
 */
import { mediaTypeOfMime, mimeTypeOf, normalizeMimeType, OCTET_STREAM, type MediaType } from '../core/media-types.ts'
import type { EmulatorContext } from './context.ts'
import { ruleViolation } from './wix-errors.ts'

/** The media type a MIME type (or, for octet-stream, a file name) stands for; 400 when not hosted. */
export function resolveMediaType(mimeType: string, fileName: string | undefined, field = 'mimeType'): { mime: string; mediaType: MediaType } {
  const mime = normalizeMimeType(mimeType)
  if (mime === OCTET_STREAM) {
    const fromName = fileName ? mediaTypeOfMime(mimeTypeOf(fileName) ?? '') : undefined
    if (!fileName || !fromName) {
      throw ruleViolation(field, 'UNSUPPORTED_FILE_FORMAT',
        'application/octet-stream needs a file name whose extension names a supported format')
    }
    return { mime: mimeTypeOf(fileName)!, mediaType: fromName }
  }
  const mediaType = mediaTypeOfMime(mime)
  if (!mediaType) throw ruleViolation(field, 'UNSUPPORTED_FILE_FORMAT', `${mime} is not a format the Media Manager hosts`, { mimeType: mime })
  return { mime, mediaType }
}

/** Checks a declared size against the per-type limit and the site quota. */
export function checkSize(ctx: EmulatorContext, mediaType: MediaType, size: number, field = 'sizeInBytes'): void {
  if (size === 0) throw ruleViolation(field, 'ZERO_FILE_SIZE', 'The file is empty')
  const limit = ctx.options.maxFileSize[mediaType]
  if (size > limit) {
    throw ruleViolation(field, 'FILE_SIZE_OVER_LIMIT', `${size} bytes is over the ${limit}-byte limit for ${mediaType} files`, { limit })
  }
  checkQuota(ctx, size, field)
}

/** Checks that `size` more bytes fit in the site quota (`SITE_QUOTA_EXCEEDED` otherwise). */
export function checkQuota(ctx: EmulatorContext, size: number, field: string): void {
  // Summing the store is a walk over every file: only when there is a quota to check.
  if (Number.isFinite(ctx.options.quotaBytes) && ctx.store.usedBytes() + size > ctx.options.quotaBytes) {
    throw ruleViolation(field, 'SITE_QUOTA_EXCEEDED', 'The site has no storage left for this file', { quota: ctx.options.quotaBytes })
  }
}
