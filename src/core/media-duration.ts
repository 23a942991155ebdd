/**
 * How long a video or audio file plays, read from its headers (MP4/MOV/M4A, WebM/Matroska, MP3,
 * WAV, FLAC, Ogg, AAC, ASF, AIFF) by music-metadata, which knows far more containers and codecs than
 * a parser of our own would; and the `maxDuration` check made with it before an upload.
 */
import type { LocalAsset } from './inspect.ts'
import { WixMediaError } from './errors.ts'
import { formatDuration } from './format-duration.ts'
import { isTimedMediaType } from './media-types.ts'
import type { ResolvedOptions } from './options.ts'

/** Seconds, or `undefined` when the headers do not say (an unknown container, a damaged file). */
export async function mediaDuration(absolutePath: string): Promise<number | undefined> {
  const { parseFile } = await import('music-metadata')
  let metadata
  try {
    metadata = await parseFile(absolutePath, { skipCovers: true })
  } catch {
    return undefined
  }
  // Audio containers give the format's length; a video-only MP4 gives its tracks' lengths.
  const lengths = [metadata.format.duration, ...metadata.format.trackInfo.map((track) => track.duration)]
    .filter((length): length is number => typeof length === 'number' && Number.isFinite(length) && length > 0)
  return lengths.length > 0 ? Math.max(...lengths) : undefined
}

/**
 * Fails a video or audio file longer than its `maxDuration` (none set: no file is read). A file whose
 * length cannot be read is left to Wix, and `warn` says so: the limit did not apply to it.
 */
export async function checkDuration(local: LocalAsset, options: ResolvedOptions, warn?: (message: string) => void): Promise<void> {
  const type = local.mediaType
  const limit = isTimedMediaType(type) ? options.maxDuration[type] : undefined
  if (limit === undefined) return
  const length = await mediaDuration(local.absolutePath)
  if (length === undefined) {
    warn?.(`${local.path}: its length cannot be read from its headers, so maxDuration.${type} was not checked (Wix checks its own limits)`)
    return
  }
  if (length <= limit) return
  throw new WixMediaError('WIX_MEDIA_FILE', `is ${formatDuration(length * 1000)} long, over the ${formatDuration(limit * 1000)} limit for ${type.toLowerCase()} (maxDuration.${type})`, {
    file: local.path,
    hint: 'Trim it, exclude it, or raise `maxDuration` if your Wix plan allows longer media',
  })
}
