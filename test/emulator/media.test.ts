/**
 * Static media serving (contract 3.1) over real HTTP: the URL patterns per media type, Content-Type,
 * ETag / If-None-Match, byte ranges, HEAD, the CDN's transform suffix, video renditions, and 404s for
 * a wrong prefix or an unknown id.
 */
import { createHash, randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { FileDescriptor, WireError } from '../../src/client/wire.ts'
import { useEmulator } from '../support/emulator.ts'
import { gif, jpeg, mp3, mp4, pdf, png, svg, webp } from '../support/media.ts'

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex')

interface Sample {
  name: string
  bytes: Buffer
  mimeType: string
  mediaType: string
  /** The static URL path, `{id}` standing for the file id. */
  path: string
}

const SAMPLES: Sample[] = [
  { name: 'image.png', bytes: png(40, 30, 7), mimeType: 'image/png', mediaType: 'IMAGE', path: '/media/{id}' },
  { name: 'photo.jpg', bytes: jpeg(64, 48), mimeType: 'image/jpeg', mediaType: 'IMAGE', path: '/media/{id}' },
  { name: 'anim.gif', bytes: gif(12, 10), mimeType: 'image/gif', mediaType: 'IMAGE', path: '/media/{id}' },
  { name: 'pic.webp', bytes: webp(20, 16), mimeType: 'image/webp', mediaType: 'IMAGE', path: '/media/{id}' },
  { name: 'logo.svg', bytes: svg(24, 24), mimeType: 'image/svg+xml', mediaType: 'VECTOR', path: '/shapes/{id}' },
  { name: 'paper.pdf', bytes: pdf('media test'), mimeType: 'application/pdf', mediaType: 'DOCUMENT', path: '/ugd/{id}' },
  // Random bytes after the `ftyp` box, so that a byte range in the wrong place shows.
  { name: 'movie.mp4', bytes: Buffer.concat([mp4(0), randomBytes(4_096)]), mimeType: 'video/mp4', mediaType: 'VIDEO', path: '/video/{id}/file' },
  { name: 'song.mp3', bytes: mp3(512), mimeType: 'audio/mpeg', mediaType: 'AUDIO', path: '/mp3/{id}' },
]

/** Every static URL form, to check that a file answers under its own form only. */
const FORMS = ['/media/{id}', '/shapes/{id}', '/ugd/{id}', '/mp3/{id}', '/video/{id}/file', '/video/{id}/720p/mp4/file.mp4']

describe('static media', () => {
  const api = useEmulator({ processingMs: { VIDEO: 0, AUDIO: 0 } })
  const files = new Map<string, FileDescriptor>()
  const at = (path: string) => `${api.emulator.url}${path}`
  const pathOf = (sample: Sample, form = sample.path) => form.replace('{id}', files.get(sample.name)!.id)
  const sample = (name: string) => SAMPLES.find((entry) => entry.name === name)!

  beforeAll(async () => {
    for (const entry of SAMPLES) {
      const uploaded = await api.upload<{ file: FileDescriptor }>(entry.bytes, { mimeType: entry.mimeType, fileName: entry.name })
      expect(uploaded.status).toBe(200)
      files.set(entry.name, uploaded.body.file)
    }
  })

  it.each(SAMPLES.map((entry) => [entry.name, entry] as const))('%s: its URL, Content-Type, length, ETag and bytes', async (_name, entry) => {
    const file = files.get(entry.name)!
    expect(file.mediaType).toBe(entry.mediaType)
    expect(file.operationStatus).toBe('READY')
    expect(file.url).toBe(at(pathOf(entry)))

    const response = await fetch(file.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(entry.mimeType)
    expect(response.headers.get('content-length')).toBe(String(entry.bytes.length))
    expect(response.headers.get('etag')).toBe(`"${md5(entry.bytes)}"`)
    expect(response.headers.get('accept-ranges')).toBe('bytes')
    expect(Buffer.from(await response.arrayBuffer())).toEqual(entry.bytes)
  })

  it('the ETag is the quoted file hash, and the hash is the MD5 of the bytes', () => {
    for (const entry of SAMPLES) expect(files.get(entry.name)!.hash).toBe(md5(entry.bytes))
  })

  it('If-None-Match with the ETag (alone, weak, in a list, or *) answers 304 with no body', async () => {
    const file = files.get('image.png')!
    const etag = `"${file.hash}"`
    for (const header of [etag, `W/${etag}`, `"0123", ${etag}`, '*']) {
      const response = await fetch(file.url, { headers: { 'If-None-Match': header } })
      expect(response.status).toBe(304)
      expect(response.headers.get('etag')).toBe(etag)
      expect(await response.text()).toBe('')
    }
    const other = await fetch(file.url, { headers: { 'If-None-Match': '"0123456789abcdef0123456789abcdef"' } })
    expect(other.status).toBe(200)
    expect(Buffer.from(await other.arrayBuffer())).toEqual(sample('image.png').bytes)
  })

  describe('byte ranges', () => {
    const video = () => sample('movie.mp4').bytes
    const get = (range: string) => fetch(at(pathOf(sample('movie.mp4'))), { headers: { Range: range } })

    it('bytes=0-9 → 206 with Content-Range and exactly those bytes', async () => {
      const response = await get('bytes=0-9')
      expect(response.status).toBe(206)
      expect(response.headers.get('content-range')).toBe(`bytes 0-9/${video().length}`)
      expect(response.headers.get('content-length')).toBe('10')
      expect(Buffer.from(await response.arrayBuffer())).toEqual(video().subarray(0, 10))
    })

    it('a range in the middle', async () => {
      const response = await get('bytes=1000-2999')
      expect(response.status).toBe(206)
      expect(response.headers.get('content-range')).toBe(`bytes 1000-2999/${video().length}`)
      expect(Buffer.from(await response.arrayBuffer())).toEqual(video().subarray(1000, 3000))
    })

    it('bytes=-5 → the last five bytes', async () => {
      const size = video().length
      const response = await get('bytes=-5')
      expect(response.status).toBe(206)
      expect(response.headers.get('content-range')).toBe(`bytes ${size - 5}-${size - 1}/${size}`)
      expect(Buffer.from(await response.arrayBuffer())).toEqual(video().subarray(size - 5))
    })

    it('bytes=100- → from 100 to the end; an end past the size is clamped', async () => {
      const size = video().length
      const open = await get('bytes=100-')
      expect(open.status).toBe(206)
      expect(open.headers.get('content-range')).toBe(`bytes 100-${size - 1}/${size}`)
      expect(Buffer.from(await open.arrayBuffer())).toEqual(video().subarray(100))

      const clamped = await get('bytes=4000-999999')
      expect(clamped.status).toBe(206)
      expect(clamped.headers.get('content-range')).toBe(`bytes 4000-${size - 1}/${size}`)
      expect(Buffer.from(await clamped.arrayBuffer())).toEqual(video().subarray(4000))
    })

    it('bytes=999999- → 416 with `bytes */size`', async () => {
      const response = await get('bytes=999999-')
      expect(response.status).toBe(416)
      expect(response.headers.get('content-range')).toBe(`bytes */${video().length}`)
      expect(await response.text()).toBe('')
    })

    it('a range on an image works the same', async () => {
      const bytes = sample('image.png').bytes
      const response = await fetch(files.get('image.png')!.url, { headers: { Range: 'bytes=0-7' } })
      expect(response.status).toBe(206)
      expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes.subarray(0, 8))
    })
  })

  it('HEAD answers the headers of a GET and no body', async () => {
    const entry = sample('paper.pdf')
    const response = await fetch(files.get(entry.name)!.url, { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/pdf')
    expect(response.headers.get('content-length')).toBe(String(entry.bytes.length))
    expect(response.headers.get('etag')).toBe(`"${md5(entry.bytes)}"`)
    expect(await response.text()).toBe('')
  })

  it.each(['fill', 'fit'])('the CDN transform suffix /v1/%s/... serves the original image bytes', async (mode) => {
    const entry = sample('image.png')
    const response = await fetch(`${files.get(entry.name)!.url}/v1/${mode}/w_100,h_100,al_c,q_80,enc_auto/a.png`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await response.arrayBuffer())).toEqual(entry.bytes)
  })

  it('a malformed transform suffix, or one on a non-image prefix, is 404', async () => {
    const image = files.get('image.png')!
    for (const suffix of ['/v1/fill/w_100,h_100', '/v1/blur/w_100/a.png', '/extra', '/v2/fill/w_100,h_100/a.png']) {
      expect((await fetch(`${image.url}${suffix}`)).status).toBe(404)
    }
    expect((await fetch(`${files.get('paper.pdf')!.url}/v1/fill/w_100,h_100,al_c,q_80,enc_auto/a.pdf`)).status).toBe(404)
  })

  it('a video answers at /video/<id>/file and at its renditions /video/<id>/<res>p/mp4/file.mp4', async () => {
    const entry = sample('movie.mp4')
    const file = files.get(entry.name)!
    expect(file.media.video?.resolutions.map((resolution) => resolution.url)).toEqual([file.url])
    for (const path of [`/video/${file.id}/file`, `/video/${file.id}/720p/mp4/file.mp4`, `/video/${file.id}/1080p/mp4/file.mp4`]) {
      const response = await fetch(at(path))
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('video/mp4')
      expect(Buffer.from(await response.arrayBuffer())).toEqual(entry.bytes)
    }
    for (const path of [`/video/${file.id}`, `/video/${file.id}/720p/webm/file.webm`, `/video/${file.id}/file.mp4`]) {
      expect((await fetch(at(path))).status).toBe(404)
    }
  })

  it('every file is 404 under every URL form but its own', async () => {
    const wrong: string[] = []
    for (const entry of SAMPLES) {
      const own = entry.path === '/video/{id}/file' ? ['/video/{id}/file', '/video/{id}/720p/mp4/file.mp4'] : [entry.path]
      for (const form of FORMS.filter((candidate) => !own.includes(candidate))) {
        const response = await fetch(at(pathOf(entry, form)))
        if (response.status !== 404) wrong.push(`${entry.name} at ${form}: ${response.status}`)
        const body = (await response.json()) as WireError
        expect(body.details.applicationError?.code).toBe('RESOURCE_NOT_FOUND')
      }
    }
    expect(wrong).toEqual([])
  })

  it('an image under /ugd/ is 404, and so is a document under /media/', async () => {
    const image = await fetch(at(pathOf(sample('image.png'), '/ugd/{id}')))
    expect(image.status).toBe(404)
    expect(image.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect((await fetch(at(pathOf(sample('paper.pdf'), '/media/{id}')))).status).toBe(404)
  })

  it('an unknown id is 404 under every prefix', async () => {
    const unknown = `${files.get('image.png')!.id.slice(0, 7)}${'0'.repeat(32)}~mv2.png`
    for (const form of FORMS) {
      const response = await fetch(at(form.replace('{id}', unknown)))
      expect(response.status).toBe(404)
      expect(((await response.json()) as WireError).details.applicationError?.code).toBe('RESOURCE_NOT_FOUND')
    }
    expect((await fetch(at('/media/'))).status).toBe(404)
    expect((await fetch(at('/static/whatever.png'))).status).toBe(404)
  })

  it('serving media needs no credentials and is logged under the media route', async () => {
    api.emulator.clearRequests()
    const response = await fetch(files.get('song.mp3')!.url)
    expect(response.status).toBe(200)
    expect(Buffer.from(await response.arrayBuffer())).toEqual(sample('song.mp3').bytes)
    expect(api.emulator.requests()).toMatchObject([{ method: 'GET', route: 'media', status: 200, path: `/mp3/${files.get('song.mp3')!.id}` }])
  })
})
