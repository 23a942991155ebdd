/**
 * Static media at the URLs the descriptors hand out, in Wix's patterns: `/media/<id>` (with the
 * CDN's `/v1/fill|fit/<params>/<name>` transform suffix, served as the original), `/shapes/<id>`,
 * `/video/<id>/file` and `/video/<id>/<res>p/mp4/file.mp4`, `/mp3/<id>`, `/ugd/<id>`. With ETag /
 * If-None-Match, Last-Modified and single byte ranges. A file that is still PENDING, or FAILED, is 404.
 */
import type { EmulatorContext, Handler, RequestContext } from '../context.ts'
import { mediaPathPrefix, operationStatus } from '../descriptor.ts'
import { pipeline } from 'node:stream/promises'
import { applicationError } from '../wix-errors.ts'

const TRANSFORM = /^v1\/(?:fill|fit|crop)\/[\w.,-]+\/[^/]+$/
const VIDEO_RENDITION = /^\d+p\/mp4\/file\.mp4$/

function notFound(): never {
  throw applicationError(404, 'RESOURCE_NOT_FOUND', 'No media at this URL')
}

/** Splits `<id>/<suffix>` and checks the suffix is one this prefix serves. */
function parse(prefix: string, rest: string): string {
  const slash = rest.indexOf('/')
  const id = slash === -1 ? rest : rest.slice(0, slash)
  const suffix = slash === -1 ? '' : rest.slice(slash + 1)
  const ok =
    prefix === 'media' ? suffix === '' || TRANSFORM.test(suffix) :
    prefix === 'video' ? suffix === 'file' || VIDEO_RENDITION.test(suffix) :
    suffix === ''
  if (!ok) notFound()
  return id
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → an inclusive range; `undefined` to send it all; `'unsatisfiable'`. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null
  if (!match) return undefined
  const [, from = '', to = ''] = match
  if (from === '' && to === '') return undefined
  let start: number
  let end: number
  if (from === '') {
    start = Math.max(0, size - Number(to))
    end = size - 1
  } else {
    start = Number(from)
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1)
  }
  if (start >= size || start > end) return 'unsatisfiable'
  return { start, end }
}

async function serve(ctx: EmulatorContext, { req, res, params }: RequestContext, prefix: string): Promise<void> {
  const id = parse(prefix, params.rest!)
  const file = ctx.store.files.get(id)
  if (!file || mediaPathPrefix(file.mediaType) !== prefix || operationStatus(file) !== 'READY') notFound()
  if (file.private) throw applicationError(403, 'PERMISSION_DENIED', 'Private files need a signed URL')
  const etag = `"${file.hash}"`
  const headers = {
    'Content-Type': file.mimeType,
    ETag: etag,
    'Last-Modified': new Date(file.createdAt).toUTCString(),
    'Cache-Control': 'public, max-age=31536000, immutable',
    'Accept-Ranges': 'bytes',
    'Access-Control-Allow-Origin': '*',
  }
  if (req.headers['if-none-match']?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*')) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  const range = parseRange(req.headers.range, file.size)
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${file.size}` })
    res.end()
    return
  }
  if (range) {
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${file.size}`, 'Content-Length': range.end - range.start + 1 })
  } else {
    res.writeHead(200, { ...headers, 'Content-Length': file.size })
  }
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  await pipeline(ctx.blobs.read(file.id, range), res).catch(() => res.destroy())
}

/** The handler for one static prefix (`media`, `shapes`, `video`, `mp3`, `ugd`). */
export const serveMedia = (prefix: string): Handler => async (ctx, request) => {
  await serve(ctx, request, prefix)
  return undefined
}

export const MEDIA_PREFIXES = ['media', 'shapes', 'video', 'mp3', 'ugd'] as const
