/**
 * The file formats the Media Manager hosts, keyed by extension: the MIME type a client sends and the
 * `mediaType` Wix files them under. Shared by the client (Content-Type of an upload) and the emulator
 * (which formats it accepts and how it classifies them).
 */

export type MediaType = 'IMAGE' | 'VIDEO' | 'AUDIO' | 'DOCUMENT' | 'VECTOR' | 'ARCHIVE' | 'MODEL3D' | 'OTHER'

/** The media types that have a length in time (`maxDuration`). */
export type TimedMediaType = Extract<MediaType, 'VIDEO' | 'AUDIO'>
export const TIMED_MEDIA_TYPES: readonly TimedMediaType[] = ['VIDEO', 'AUDIO']
export const isTimedMediaType = (type: string): type is TimedMediaType => (TIMED_MEDIA_TYPES as readonly string[]).includes(type)

export interface Format {
  readonly mime: string
  readonly mediaType: MediaType
}

const format = (mime: string, mediaType: MediaType): Format => ({ mime, mediaType })

const BY_EXTENSION: ReadonlyMap<string, Format> = new Map([
  ['jpg', format('image/jpeg', 'IMAGE')],
  ['jpeg', format('image/jpeg', 'IMAGE')],
  ['jfif', format('image/jpeg', 'IMAGE')],
  ['png', format('image/png', 'IMAGE')],
  ['apng', format('image/apng', 'IMAGE')],
  ['gif', format('image/gif', 'IMAGE')],
  ['webp', format('image/webp', 'IMAGE')],
  ['avif', format('image/avif', 'IMAGE')],
  ['bmp', format('image/bmp', 'IMAGE')],
  ['tif', format('image/tiff', 'IMAGE')],
  ['tiff', format('image/tiff', 'IMAGE')],
  ['ico', format('image/x-icon', 'IMAGE')],
  ['heic', format('image/heic', 'IMAGE')],
  ['svg', format('image/svg+xml', 'VECTOR')],
  ['mp4', format('video/mp4', 'VIDEO')],
  ['m4v', format('video/x-m4v', 'VIDEO')],
  ['mov', format('video/quicktime', 'VIDEO')],
  ['webm', format('video/webm', 'VIDEO')],
  ['ogv', format('video/ogg', 'VIDEO')],
  ['avi', format('video/x-msvideo', 'VIDEO')],
  ['mkv', format('video/x-matroska', 'VIDEO')],
  ['mpeg', format('video/mpeg', 'VIDEO')],
  ['mpg', format('video/mpeg', 'VIDEO')],
  ['mp3', format('audio/mpeg', 'AUDIO')],
  ['wav', format('audio/wav', 'AUDIO')],
  ['ogg', format('audio/ogg', 'AUDIO')],
  ['oga', format('audio/ogg', 'AUDIO')],
  ['opus', format('audio/opus', 'AUDIO')],
  ['m4a', format('audio/mp4', 'AUDIO')],
  ['aac', format('audio/aac', 'AUDIO')],
  ['flac', format('audio/flac', 'AUDIO')],
  ['pdf', format('application/pdf', 'DOCUMENT')],
  ['doc', format('application/msword', 'DOCUMENT')],
  ['docx', format('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'DOCUMENT')],
  ['xls', format('application/vnd.ms-excel', 'DOCUMENT')],
  ['xlsx', format('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'DOCUMENT')],
  ['ppt', format('application/vnd.ms-powerpoint', 'DOCUMENT')],
  ['pptx', format('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'DOCUMENT')],
  ['odt', format('application/vnd.oasis.opendocument.text', 'DOCUMENT')],
  ['ods', format('application/vnd.oasis.opendocument.spreadsheet', 'DOCUMENT')],
  ['odp', format('application/vnd.oasis.opendocument.presentation', 'DOCUMENT')],
  ['rtf', format('application/rtf', 'DOCUMENT')],
  ['txt', format('text/plain', 'DOCUMENT')],
  ['csv', format('text/csv', 'DOCUMENT')],
  ['zip', format('application/zip', 'ARCHIVE')],
  ['rar', format('application/vnd.rar', 'ARCHIVE')],
  ['7z', format('application/x-7z-compressed', 'ARCHIVE')],
  ['gz', format('application/gzip', 'ARCHIVE')],
  ['tar', format('application/x-tar', 'ARCHIVE')],
  ['glb', format('model/gltf-binary', 'MODEL3D')],
  ['gltf', format('model/gltf+json', 'MODEL3D')],
])

/** Every extension of a format the Media Manager hosts. */
export const HOSTED_EXTENSIONS: readonly string[] = [...BY_EXTENSION.keys()]

/** A file name or module id (a query may follow) in a format the Media Manager hosts. */
export const HOSTED_ID = new RegExp(`\\.(?:${HOSTED_EXTENSIONS.join('|')})(?:\\?.*)?$`, 'i')

/** The default `include`: images, SVG, video, audio, PDF and office documents (not text, archives, 3D models). */
export const DEFAULT_MEDIA_EXTENSIONS: readonly string[] = [...BY_EXTENSION]
  .filter(([extension, { mediaType }]) => mediaType !== 'ARCHIVE' && mediaType !== 'MODEL3D' && !['txt', 'csv', 'rtf'].includes(extension))
  .map(([extension]) => extension)

const BY_MIME: ReadonlyMap<string, Format> = new Map(
  [...BY_EXTENSION.values()].map((entry) => [entry.mime, entry] as const).reverse(),
)

/** Aliases that browsers and tools send for the same formats. */
const MIME_ALIASES: ReadonlyMap<string, string> = new Map([
  ['image/jpg', 'image/jpeg'],
  ['image/pjpeg', 'image/jpeg'],
  ['image/vnd.microsoft.icon', 'image/x-icon'],
  ['audio/mp3', 'audio/mpeg'],
  ['audio/x-wav', 'audio/wav'],
  ['audio/wave', 'audio/wav'],
  ['audio/x-m4a', 'audio/mp4'],
  ['application/x-zip-compressed', 'application/zip'],
  ['application/x-gzip', 'application/gzip'],
])

export const OCTET_STREAM = 'application/octet-stream'

/** The lower-cased extension of a file name, without the dot (`''` when there is none). */
export function extensionOf(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1)
  const dot = base.lastIndexOf('.')
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : ''
}

/** The format of an extension (lower-case, no dot), or `undefined` when the Media Manager does not host it. */
export const formatOf = (extension: string): Format | undefined => BY_EXTENSION.get(extension)

/** The MIME type for a file name, or `undefined` when the Media Manager does not host its format. */
export function mimeTypeOf(fileName: string): string | undefined {
  return BY_EXTENSION.get(extensionOf(fileName))?.mime
}

/** `image/JPG; charset=x` → `image/jpeg`. */
export function normalizeMimeType(mime: string): string {
  const bare = mime.split(';', 1)[0]!.trim().toLowerCase()
  return MIME_ALIASES.get(bare) ?? bare
}

/** The Media Manager's `mediaType` for a MIME type, or `undefined` for a format it does not host. */
export function mediaTypeOfMime(mime: string): MediaType | undefined {
  return BY_MIME.get(normalizeMimeType(mime))?.mediaType
}

/** The usual extension for a MIME type (`image/jpeg` → `jpg`). */
export function extensionOfMime(mime: string): string | undefined {
  const wanted = normalizeMimeType(mime)
  for (const [extension, entry] of BY_EXTENSION) if (entry.mime === wanted) return extension
  return undefined
}
